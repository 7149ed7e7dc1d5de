package monitor

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// DefaultMinSamples is the minimum sample size when a monitor gives none.
const DefaultMinSamples = 30

// Kinds of metric.
var (
	performanceMetrics = []string{MetricAccuracy, MetricPrecision, MetricRecall, MetricFPR}
	scoreMetrics       = []string{MetricAUC, MetricECE}
	fairnessMetrics    = []string{MetricDPDifference, MetricDPRatio, MetricEODifference, MetricEORatio, MetricEOpDiff, MetricEOpRatio}
	driftMetrics       = []string{MetricPSI, MetricJS, MetricKS, MetricKSP, MetricChiSquare}
)

// windowLength is how long a window is.
func windowLength(w string) time.Duration {
	switch w {
	case WindowHour:
		return time.Hour
	case WindowDay:
		return 24 * time.Hour
	case WindowWeek:
		return 7 * 24 * time.Hour
	}
	return 0
}

// check validates a request, resolving its model version, and fills m.
func (s *Service) check(ctx context.Context, actor *aims.Actor, sys *System, req Request, m *Monitor) error {
	var p aims.Problems
	req.Name, req.Feature, req.Group = strings.TrimSpace(req.Name), strings.TrimSpace(req.Feature), strings.TrimSpace(req.Group)
	switch {
	case req.Name == "":
		p.Add("name", "is required")
	case len([]rune(req.Name)) > 200:
		p.Add("name", "must be at most 200 characters")
	}
	metric := req.Metric
	fair, drift := slices.Contains(fairnessMetrics, metric), slices.Contains(driftMetrics, metric)
	if !slices.Contains(Metrics, metric) {
		p.Add("metric", "must be one of %s", strings.Join(Metrics, ", "))
	}
	checkLabel(&p, "feature", req.Feature, (fair || drift) && slices.Contains(Metrics, metric))
	checkLabel(&p, "group", req.Group, false)
	switch {
	case req.Group != "" && (fair || drift || slices.Contains(scoreMetrics, metric)):
		p.Add("group", "applies to performance and selection-rate monitors only")
	case req.Group != "" && req.Feature == "":
		p.Add("feature", "is required with a group: the sensitive feature the group belongs to")
	case req.Feature != "" && slices.Contains(scoreMetrics, metric):
		p.Add("feature", "scores are monitored for everyone: leave it empty")
	case req.Feature != "" && req.Group == "" && !fair && !drift && slices.Contains(Metrics, metric):
		p.Add("group", "is required with a feature: the group to watch, or leave both empty for everyone")
	}
	if req.Method == "" && fair {
		req.Method = "between_groups"
	}
	if req.Method != "" && (!fair || (req.Method != "between_groups" && req.Method != "to_overall")) {
		p.Add("method", "must be between_groups or to_overall, for fairness metrics only")
	}
	eo := metric == MetricEODifference || metric == MetricEORatio
	if req.Agg == "" && eo {
		req.Agg = "worst_case"
	}
	if req.Agg != "" && (!eo || (req.Agg != "worst_case" && req.Agg != "mean")) {
		p.Add("agg", "must be worst_case or mean, for equalized odds only")
	}
	if windowLength(req.Window) == 0 {
		p.Add("window", "must be hour, day or week")
	} else if drift && req.Window == WindowHour {
		p.Add("window", "drift is measured per day or week: inputs are counted per day")
	} else if slices.Contains(scoreMetrics, metric) && req.Window == WindowHour {
		p.Add("window", "AUC and calibration are measured per day or week: scores are counted per day")
	}
	if req.Direction != Above && req.Direction != Below {
		p.Add("direction", "must be above or below")
	}
	if math.IsNaN(req.Threshold) || math.IsInf(req.Threshold, 0) {
		p.Add("threshold", "must be a finite number")
	} else if math.Abs(req.Threshold) > maxThreshold {
		p.Add("threshold", "must be between -1,000,000 and 1,000,000: no metric comes near it")
	}
	if req.MinSamples < 0 {
		p.Add("min_samples", "must be at least 1; 30 when left out")
	} else if req.MinSamples == 0 {
		req.MinSamples = DefaultMinSamples
	}
	if req.DelayHours < 0 || req.DelayHours > 8760 {
		p.Add("delay_hours", "must be between 0 and 8760")
	}
	req.ReferenceDataset = strings.TrimSpace(req.ReferenceDataset)
	m.ReferenceDataset = ""
	if drift && req.ReferenceDataset != "" {
		if req.ReferenceFrom != nil || req.ReferenceTo != nil {
			p.Add("reference_dataset", "give a reference window or a data set version, not both")
		} else if prof, err := s.profiles.Profile(ctx, actor.OrgID, req.ReferenceDataset); err == nil {
			m.ReferenceDataset = prof.Key
			col, ok := prof.Columns[req.Feature]
			switch {
			case !ok && req.Feature != "":
				p.Add("feature", "names no column of the profile of %s", prof.Key)
			case metric == MetricKS || metric == MetricKSP:
				p.Add("metric", "Kolmogorov–Smirnov needs the reference's values, and the profile of %s keeps bins: watch psi or jensen_shannon", prof.Key)
			case metric == MetricChiSquare && len(col.Bins) > 0:
				p.Add("metric", "chi-square compares categories, and %s is numeric in the profile of %s: watch psi or jensen_shannon", req.Feature, prof.Key)
			}
		} else if aims.CodeOf(err) == aims.CodeNotFound || aims.CodeOf(err) == aims.CodeInvalid {
			p.Add("reference_dataset", "names no profiled data set version: profile its file first")
		} else {
			return err
		}
	}
	if drift && req.ReferenceDataset == "" {
		switch {
		case req.ReferenceFrom == nil:
			p.Add("reference_from", "is required for a drift metric: the start of the reference window")
		case req.ReferenceTo == nil:
			p.Add("reference_to", "is required for a drift metric: the end of the reference window")
		case !utcPtr(req.ReferenceTo).After(*utcPtr(req.ReferenceFrom)):
			p.Add("reference_to", "must be at least an hour after reference_from: reference windows are whole hours")
		}
		if metric == MetricChiSquare && req.Feature == FeatureOutputScore {
			p.Add("feature", "chi-square compares categories: the score is numeric")
		}
		if (metric == MetricKS || metric == MetricKSP) && req.Feature == FeatureOutputLabel {
			p.Add("feature", "Kolmogorov–Smirnov compares numbers: the output label is a category")
		}
	}
	if !drift && (req.ReferenceFrom != nil || req.ReferenceTo != nil) {
		p.Add("reference_from", "applies to drift metrics only")
	}
	if !drift && req.ReferenceDataset != "" {
		p.Add("reference_dataset", "applies to drift metrics only")
	}
	if req.Severity != "" && !slices.Contains([]string{"low", "medium", "high", "critical"}, req.Severity) {
		p.Add("severity", "must be low, medium, high or critical, or empty for no incident")
	}
	owner := strings.TrimSpace(req.OwnerID)
	if owner == "" {
		owner = actor.UserID
	}
	if owner == "" && req.Severity != "" {
		p.Add("owner_id", "is required: the member who owns the incidents a breach opens")
	} else if owner != "" {
		ok, err := s.systems.IsMember(ctx, actor.OrgID, owner)
		if err != nil {
			return err
		}
		if !ok {
			p.Add("owner_id", "names %s, who is not a member of this organisation", owner)
		}
	}
	m.ModelVersionID, m.ModelVersion = "", ""
	if v := strings.TrimSpace(req.ModelVersion); v != "" {
		id, key, err := s.models.Resolve(ctx, actor.OrgID, sys.ID, v)
		switch {
		case err == nil:
			m.ModelVersionID, m.ModelVersion = id, key
		case aims.CodeOf(err) == aims.CodeNotFound || aims.CodeOf(err) == aims.CodeInvalid:
			p.Add("model_version", "names no model version of %s", sys.Ref)
		default:
			return err
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	m.SystemID, m.SystemRef, m.Name, m.Metric, m.Feature, m.Group = sys.ID, sys.Ref, req.Name, metric, req.Feature, req.Group
	m.Method, m.Agg, m.Window, m.Threshold, m.Direction = req.Method, req.Agg, req.Window, req.Threshold, req.Direction
	m.MinSamples, m.DelayHours, m.Severity, m.OwnerID = req.MinSamples, req.DelayHours, req.Severity, owner
	m.ReferenceFrom, m.ReferenceTo = utcPtr(req.ReferenceFrom), utcPtr(req.ReferenceTo)
	return nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Hour)
	return &u
}

// auditMonitor is what the audit log records of a monitor.
type auditMonitor struct {
	Name          string  `json:"name"`
	Metric        string  `json:"metric"`
	Feature       string  `json:"feature"`
	Group         string  `json:"group"`
	Method        string  `json:"method"`
	Agg           string  `json:"agg"`
	ModelVersion  string  `json:"model_version"`
	Window        string  `json:"window"`
	Threshold     float64 `json:"threshold"`
	Direction     string  `json:"direction"`
	MinSamples    int     `json:"min_samples"`
	DelayHours    int     `json:"delay_hours"`
	ReferenceFrom string  `json:"reference_from"`
	ReferenceTo   string  `json:"reference_to"`
	ReferenceData string  `json:"reference_dataset"`
	Severity      string  `json:"severity"`
	OwnerID       string  `json:"owner_id"`
	Archived      bool    `json:"archived"`
}

func (m *Monitor) audit() auditMonitor {
	f := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	return auditMonitor{m.Name, m.Metric, m.Feature, m.Group, m.Method, m.Agg, m.ModelVersion, m.Window, m.Threshold, m.Direction,
		m.MinSamples, m.DelayHours, f(m.ReferenceFrom), f(m.ReferenceTo), m.ReferenceDataset, m.Severity, m.OwnerID, m.Archived}
}

// record writes a monitor's audit event.
func (s *Service) record(ctx context.Context, tx *db.Tx, actor *aims.Actor, action string, m *Monitor, before *Monitor) error {
	var b any
	if before != nil {
		b = before.audit()
	}
	changes, err := tlog.Changes(b, m.audit())
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectMonitor, ID: m.ID, Ref: m.Ref}, changes)
}

// Create adds a monitor to a system.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, systemRef string, req Request) (*Monitor, error) {
	sys, err := s.system(ctx, actor, identity.ActMonitorEdit, systemRef)
	if err != nil {
		return nil, err
	}
	m := &Monitor{State: StateOK}
	if err := s.check(ctx, actor, sys, req, m); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		m.ID, m.Ref, m.Version, m.CreatedBy, m.CreatedAt, m.UpdatedAt = aims.NewID(), ref, 1, actor.Label(), now, now
		if _, err := tx.ExecContext(ctx, `INSERT INTO monitors (id, org_id, ref, system_id, name, metric, feature, grp, method, agg,
			model_version_id, win, threshold, direction, min_samples, delay_hours, reference_from, reference_to, reference_dataset, severity,
			owner_id, state, version, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
			m.ID, actor.OrgID, m.Ref, m.SystemID, m.Name, m.Metric, m.Feature, m.Group, m.Method, m.Agg, m.ModelVersionID, m.Window,
			m.Threshold, m.Direction, m.MinSamples, m.DelayHours, m.ReferenceFrom, m.ReferenceTo, m.ReferenceDataset, m.Severity, m.OwnerID,
			m.State, m.CreatedBy, now, now); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "monitor.create", m, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot add a monitor to %s: %w", sys.Ref, err)
	}
	return m, nil
}

const monitorColumns = `m.id, m.ref, m.system_id, m.name, m.metric, m.feature, m.grp, m.method, m.agg, m.model_version_id, m.win,
	m.threshold, m.direction, m.min_samples, m.delay_hours, m.reference_from, m.reference_to, m.reference_dataset, m.severity, m.owner_id, m.state,
	m.evaluated_until, m.archived_at, m.version, m.created_by, m.created_at, m.updated_at`

// query lists monitors of the organisation matching rest.
func (s *Service) query(ctx context.Context, q db.Queryer, orgID, rest string, args ...any) ([]Monitor, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+monitorColumns+` FROM monitors m WHERE m.org_id = ? `+rest, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("cannot read monitors: %w", err)
	}
	defer rows.Close()
	out := []Monitor{}
	for rows.Next() {
		var m Monitor
		var archived *time.Time
		if err := rows.Scan(&m.ID, &m.Ref, &m.SystemID, &m.Name, &m.Metric, &m.Feature, &m.Group, &m.Method, &m.Agg, &m.ModelVersionID,
			&m.Window, &m.Threshold, &m.Direction, &m.MinSamples, &m.DelayHours, &m.ReferenceFrom, &m.ReferenceTo, &m.ReferenceDataset, &m.Severity,
			&m.OwnerID, &m.State, &m.EvaluatedUntil, &archived, &m.Version, &m.CreatedBy, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return nil, err
		}
		m.Archived = archived != nil
		m.ReferenceFrom, m.ReferenceTo, m.EvaluatedUntil = utcPtr(m.ReferenceFrom), utcPtr(m.ReferenceTo), utcPtr(m.EvaluatedUntil)
		m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.name(ctx, orgID, out)
}

// name fills in the systems' references and the model versions' keys.
func (s *Service) name(ctx context.Context, orgID string, ms []Monitor) error {
	var ids []string
	refs := map[string]string{}
	for _, m := range ms {
		if m.ModelVersionID != "" {
			ids = append(ids, m.ModelVersionID)
		}
		refs[m.SystemID] = ""
	}
	for id := range refs {
		sys, err := s.systems.Lookup(ctx, orgID, id)
		if err != nil {
			return err
		}
		refs[id] = sys.Ref
	}
	keys, err := s.models.Keys(ctx, orgID, ids)
	if err != nil {
		return err
	}
	for i := range ms {
		ms[i].SystemRef, ms[i].ModelVersion = refs[ms[i].SystemID], keys[ms[i].ModelVersionID]
	}
	return nil
}

// get returns a monitor by id or reference.
func (s *Service) get(ctx context.Context, q db.Queryer, orgID, ref string) (*Monitor, error) {
	ms, err := s.query(ctx, q, orgID, `AND (m.id = ? OR m.ref = ?)`, ref, strings.ToUpper(ref))
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, aims.NotFound("monitor", ref)
	}
	return &ms[0], nil
}

// Get returns a monitor by id or reference, such as MON-3.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, ref string) (*Monitor, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, actor.OrgID, ref)
}

// List returns the monitors of a system, or of every system when systemRef
// is empty, the active ones first.
func (s *Service) List(ctx context.Context, actor *aims.Actor, systemRef string) ([]Monitor, error) {
	if systemRef == "" {
		if err := identity.Authorize(actor, identity.ActRead); err != nil {
			return nil, err
		}
		return s.query(ctx, s.db, actor.OrgID, `ORDER BY m.archived_at IS NOT NULL, m.created_at, m.ref`)
	}
	sys, err := s.system(ctx, actor, identity.ActRead, systemRef)
	if err != nil {
		return nil, err
	}
	return s.query(ctx, s.db, actor.OrgID, `AND m.system_id = ? ORDER BY m.archived_at IS NOT NULL, m.created_at, m.ref`, sys.ID)
}

// maxThreshold bounds a threshold's size: every metric's values are far
// smaller, and a chart must be able to draw the line.
const maxThreshold = 1e6

// Update replaces a monitor's fields, if it has not changed since the
// version the request is based on. The windows judged stay as judged.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, ref string, req UpdateRequest) (*Monitor, error) {
	if err := identity.Authorize(actor, identity.ActMonitorEdit); err != nil {
		return nil, err
	}
	cur, err := s.get(ctx, s.db, actor.OrgID, ref)
	if err != nil {
		return nil, err
	}
	sys, err := s.systems.Lookup(ctx, actor.OrgID, cur.SystemID)
	if err != nil {
		return nil, err
	}
	m := *cur
	if err := s.check(ctx, actor, sys, req.Request, &m); err != nil {
		return nil, err
	}
	set, args := "", []any{m.Name, m.Metric, m.Feature, m.Group, m.Method, m.Agg, m.ModelVersionID, m.Window, m.Threshold, m.Direction,
		m.MinSamples, m.DelayHours, m.ReferenceFrom, m.ReferenceTo, m.ReferenceDataset, m.Severity, m.OwnerID}
	where := ""
	if u := cur.EvaluatedUntil; u != nil && m.Window != cur.Window {
		// Judging goes on from the first window of the new kind that
		// starts at or after the last judged one ends, unless a window
		// was judged meanwhile.
		next := windowStart(*u, m.Window)
		if next.Before(*u) {
			next = next.Add(windowLength(m.Window))
		}
		m.EvaluatedUntil = &next
		set, where = ", evaluated_until = ?", " AND evaluated_until = ?"
		args = append(args, next)
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		args := append(slices.Clip(args), now, m.ID, req.Version)
		if where != "" {
			args = append(args, *cur.EvaluatedUntil)
		}
		res, err := tx.ExecContext(ctx, `UPDATE monitors SET name = ?, metric = ?, feature = ?, grp = ?, method = ?, agg = ?,
			model_version_id = ?, win = ?, threshold = ?, direction = ?, min_samples = ?, delay_hours = ?, reference_from = ?,
			reference_to = ?, reference_dataset = ?, severity = ?, owner_id = ?`+set+`, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND archived_at IS NULL`+where, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			if cur.Archived {
				return aims.Errorf(aims.CodeConflict, "%s is archived", cur.Ref)
			}
			if where != "" {
				return aims.Errorf(aims.CodeConflict, "%s has changed since version %d, or judged a window meanwhile; reload it", cur.Ref, req.Version)
			}
			return aims.Errorf(aims.CodeConflict, "%s has changed since version %d; reload it", cur.Ref, req.Version)
		}
		m.Version, m.UpdatedAt = req.Version+1, now
		return s.record(ctx, tx, actor, "monitor.update", &m, cur)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change %s: %w", cur.Ref, err)
	}
	return &m, nil
}

// Archive stops a monitor: it judges no more windows, and its results and
// alerts stay; an open alert is left as it is.
func (s *Service) Archive(ctx context.Context, actor *aims.Actor, ref string) (*Monitor, error) {
	if err := identity.Authorize(actor, identity.ActMonitorEdit); err != nil {
		return nil, err
	}
	cur, err := s.get(ctx, s.db, actor.OrgID, ref)
	if err != nil {
		return nil, err
	}
	if cur.Archived {
		return cur, nil
	}
	m := *cur
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE monitors SET archived_at = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			now, now, m.ID); err != nil {
			return err
		}
		m.Archived, m.Version, m.UpdatedAt = true, m.Version+1, now
		return s.record(ctx, tx, actor, "monitor.archive", &m, cur)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot archive %s: %w", cur.Ref, err)
	}
	return &m, nil
}
