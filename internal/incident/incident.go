package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Incident is an incident concerning AI systems.
type Incident struct {
	ID          string    `json:"id"`
	Ref         string    `json:"ref" doc:"Short reference such as INC-3."`
	Title       string    `json:"title"`
	Description string    `json:"description" doc:"What happened."`
	OccurredAt  time.Time `json:"occurred_at"`
	// AwareAt is when the organisation became aware of it; deadlines count from it.
	AwareAt       time.Time     `json:"aware_at"`
	ReportedBy    string        `json:"reported_by"`
	OwnerID       string        `json:"owner_id"`
	Severity      string        `json:"severity" enum:"low,medium,high,critical"`
	Harms         []string      `json:"harms"`
	AffectedCount int           `json:"affected_count"`
	AffectedWho   string        `json:"affected_who"`
	Systems       []SystemInfo  `json:"systems"`
	ModelVersions []VersionInfo `json:"model_versions"`
	Containment   string        `json:"containment"`
	// Serious says whether it is a serious incident under the EU AI Act (Art. 3(49)), and SeriousCategory which kind.
	Serious         bool   `json:"serious"`
	SeriousCategory string `json:"serious_category"`
	// Art73Due is when the Art. 73 report is due at the latest; nil when not serious.
	Art73Due      *time.Time     `json:"art73_due"`
	Status        string         `json:"status" enum:"open,contained,resolved,closed"`
	Lessons       string         `json:"lessons" doc:"Lessons learnt."`
	NCRef         string         `json:"nonconformity" doc:"The nonconformity raised from it, such as NC-2; empty when none."`
	Notifications []Notification `json:"notifications"`
	Version       int            `json:"version"`
	CreatedBy     string         `json:"created_by"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	ClosedAt      *time.Time     `json:"closed_at"`
}

// Request describes an incident: a new one, or every field of one being changed.
type Request struct {
	Title       string    `json:"title" minLength:"1" maxLength:"200"`
	Description string    `json:"description,omitempty" maxLength:"10000"`
	OccurredAt  time.Time `json:"occurred_at" doc:"When it happened (RFC 3339)."`
	// AwareAt is when the organisation became aware; now when left out.
	AwareAt       time.Time `json:"aware_at,omitempty" required:"false" doc:"When the organisation became aware (RFC 3339); deadlines count from it. Now when left out."`
	ReportedBy    string    `json:"reported_by,omitempty" maxLength:"200" doc:"Who reported it: a person, a customer, a monitor."`
	OwnerID       string    `json:"owner_id,omitempty" doc:"The member handling it; you when left out."`
	Severity      string    `json:"severity" enum:"low,medium,high,critical"`
	Harms         []string  `json:"harms,omitempty" doc:"health_safety, fundamental_rights, property, environment, critical_infrastructure or other."`
	AffectedCount int       `json:"affected_count,omitempty" minimum:"0" doc:"How many people were affected, as far as known."`
	AffectedWho   string    `json:"affected_who,omitempty" maxLength:"10000" doc:"Who was affected."`
	Systems       []string  `json:"systems,omitempty" doc:"AI systems involved, by reference (SYS-1) or id."`
	ModelVersions []string  `json:"model_versions,omitempty" doc:"Model versions involved, by key (MDL-1@1.4.0) or id; each of a listed system."`
	Containment   string    `json:"containment,omitempty" maxLength:"10000" doc:"Containment actions taken."`
	Serious       bool      `json:"serious,omitempty" doc:"Whether it is a serious incident under the EU AI Act, Art. 3(49)."`
	// SeriousCategory is required when serious.
	SeriousCategory string `json:"serious_category,omitempty" enum:"death,widespread_infringement,critical_infrastructure,health,fundamental_rights,property_environment,"`
	Lessons         string `json:"lessons,omitempty" maxLength:"10000" doc:"Lessons learnt."`
}

// UpdateRequest replaces an incident's fields, if it has not changed since the version it is based on.
type UpdateRequest struct {
	Version int `json:"version" minimum:"1" doc:"The version this change is based on."`
	Request
}

// auditIncident is what the audit log records of an incident's own fields.
type auditIncident struct {
	Ref             string   `json:"ref"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	OccurredAt      string   `json:"occurred_at"`
	AwareAt         string   `json:"aware_at"`
	ReportedBy      string   `json:"reported_by"`
	OwnerID         string   `json:"owner_id"`
	Severity        string   `json:"severity"`
	Harms           []string `json:"harms"`
	AffectedCount   int      `json:"affected_count"`
	AffectedWho     string   `json:"affected_who"`
	Systems         []string `json:"systems"`
	ModelVersions   []string `json:"model_versions"`
	Containment     string   `json:"containment"`
	Serious         bool     `json:"serious"`
	SeriousCategory string   `json:"serious_category"`
	Lessons         string   `json:"lessons"`
}

func (in *Incident) audit() auditIncident {
	a := auditIncident{Ref: in.Ref, Title: in.Title, Description: in.Description, OccurredAt: in.OccurredAt.UTC().Format(time.RFC3339),
		AwareAt: in.AwareAt.UTC().Format(time.RFC3339), ReportedBy: in.ReportedBy, OwnerID: in.OwnerID, Severity: in.Severity,
		Harms: in.Harms, AffectedCount: in.AffectedCount, AffectedWho: in.AffectedWho, Systems: []string{}, ModelVersions: []string{},
		Containment: in.Containment, Serious: in.Serious, SeriousCategory: in.SeriousCategory, Lessons: in.Lessons}
	for _, s := range in.Systems {
		a.Systems = append(a.Systems, s.Ref)
	}
	for _, v := range in.ModelVersions {
		a.ModelVersions = append(a.ModelVersions, v.Key)
	}
	return a
}

// fill checks the request and sets the incident's fields from it, recording every problem.
func (s *Service) fill(ctx context.Context, orgID string, in *Incident, req Request, p *aims.Problems) error {
	in.Title, in.Description, in.ReportedBy, in.OwnerID = req.Title, req.Description, req.ReportedBy, strings.TrimSpace(req.OwnerID)
	in.AffectedWho, in.Containment, in.Lessons = req.AffectedWho, req.Containment, req.Lessons
	text(p, "title", &in.Title, true, maxTitle)
	text(p, "description", &in.Description, false, maxText)
	text(p, "reported_by", &in.ReportedBy, false, maxTitle)
	text(p, "affected_who", &in.AffectedWho, false, maxText)
	text(p, "containment", &in.Containment, false, maxText)
	text(p, "lessons", &in.Lessons, false, maxText)
	now := s.clock()
	in.OccurredAt, in.AwareAt = req.OccurredAt.UTC(), req.AwareAt.UTC()
	if in.AwareAt.IsZero() {
		in.AwareAt = now.UTC()
	}
	switch {
	case req.OccurredAt.IsZero():
		p.Add("occurred_at", "is required")
	case in.OccurredAt.After(now):
		p.Add("occurred_at", "must not be in the future")
	case in.OccurredAt.After(in.AwareAt):
		p.Add("occurred_at", "must not be after the organisation became aware of it")
	}
	if in.AwareAt.After(now) {
		p.Add("aware_at", "must not be in the future")
	}
	in.Severity = strings.TrimSpace(req.Severity)
	if !allowed(Severities, in.Severity) {
		p.Add("severity", "must be one of %s", values(Severities))
	}
	in.Harms = []string{}
	for _, h := range req.Harms {
		h = strings.TrimSpace(h)
		if h == "" || slices.Contains(in.Harms, h) {
			continue
		}
		if !allowed(Harms, h) && !p.Has("harms") {
			p.Add("harms", "must each be one of %s", values(Harms))
		}
		in.Harms = append(in.Harms, h)
	}
	in.AffectedCount = req.AffectedCount
	if in.AffectedCount < 0 {
		p.Add("affected_count", "must not be negative")
	}
	in.Serious, in.SeriousCategory = req.Serious, strings.TrimSpace(req.SeriousCategory)
	switch {
	case in.Serious && in.SeriousCategory == "":
		p.Add("serious_category", "is required for a serious incident")
	case in.Serious && !allowed(categoryOptions(), in.SeriousCategory):
		p.Add("serious_category", "must be one of %s", values(categoryOptions()))
	case !in.Serious:
		in.SeriousCategory = ""
	}
	if err := s.fillSystems(ctx, orgID, in, req, p); err != nil {
		return err
	}
	if in.OwnerID == "" {
		return nil
	}
	ok, err := s.sources.IsMember(ctx, orgID, in.OwnerID)
	if err != nil {
		return err
	}
	if !ok {
		p.Add("owner_id", "names %s, who is not a member of this organisation", in.OwnerID)
	}
	return nil
}

// fillSystems resolves the systems and model versions; each version must be of a listed system.
func (s *Service) fillSystems(ctx context.Context, orgID string, in *Incident, req Request, p *aims.Problems) error {
	in.Systems, in.ModelVersions = []SystemInfo{}, []VersionInfo{}
	if len(req.Systems) > maxItems {
		p.Add("systems", "must list at most %d", maxItems)
		return nil
	}
	for _, ref := range req.Systems {
		if ref = strings.TrimSpace(ref); ref == "" {
			continue
		}
		sys, err := s.sources.System(ctx, orgID, ref)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("systems", "names %s, which is not an AI system of this organisation", ref)
			continue
		}
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(in.Systems, func(x SystemInfo) bool { return x.ID == sys.ID }) {
			in.Systems = append(in.Systems, SystemInfo{ID: sys.ID, Ref: sys.Ref})
		}
	}
	if len(req.ModelVersions) > maxItems {
		p.Add("model_versions", "must list at most %d", maxItems)
		return nil
	}
	for _, key := range req.ModelVersions {
		if key = strings.TrimSpace(key); key == "" {
			continue
		}
		v, err := s.sources.ModelVersion(ctx, orgID, key)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("model_versions", "names %s, which is not a model version of this organisation", key)
			continue
		}
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(in.Systems, func(x SystemInfo) bool { return x.ID == v.SystemID }) {
			p.Add("model_versions", "names %s, whose model belongs to an AI system not listed among the systems involved", v.Key)
			continue
		}
		if !slices.ContainsFunc(in.ModelVersions, func(x VersionInfo) bool { return x.ID == v.ID }) {
			in.ModelVersions = append(in.ModelVersions, *v)
		}
	}
	return nil
}

// Create raises an incident with its audit event; a serious one gets its Art. 73 notification duty at once.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req Request) (*Incident, error) {
	var in *Incident
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		in, err = s.CreateTx(ctx, tx, actor, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, actor.OrgID, in.ID)
}

// CreateTx raises an incident as Create does, within tx, so that what
// raised it and the incident are stored together or not at all. The
// request is checked before tx is written to.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, req Request) (*Incident, error) {
	if err := identity.Authorize(actor, identity.ActIncidentEdit); err != nil {
		return nil, err
	}
	in := &Incident{Status: StatusOpen}
	var p aims.Problems
	if err := s.fill(ctx, actor.OrgID, in, req, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if in.OwnerID == "" {
		in.OwnerID = actor.UserID
	}
	ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
	if err != nil {
		return nil, fmt.Errorf("cannot record incident: %w", err)
	}
	now := s.clock()
	in.ID, in.Ref, in.Version, in.CreatedBy, in.CreatedAt, in.UpdatedAt = aims.NewID(), ref, 1, actor.UserID, now, now
	if _, err := tx.ExecContext(ctx, `INSERT INTO incidents (id, org_id, ref, title, description, occurred_at, aware_at, reported_by,
		owner_id, severity, harms, affected_count, affected_who, systems, model_versions, containment, serious, serious_category,
		status, lessons, nc_ref, last_notice, version, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 1, ?, ?, ?)`,
		in.ID, actor.OrgID, in.Ref, in.Title, in.Description, in.OccurredAt, in.AwareAt, in.ReportedBy, in.OwnerID, in.Severity,
		string(mustJSON(in.Harms)), in.AffectedCount, in.AffectedWho, string(mustJSON(in.Systems)), string(mustJSON(in.ModelVersions)),
		in.Containment, boolInt(in.Serious), in.SeriousCategory, in.Status, in.Lessons, in.CreatedBy, now, now); err != nil {
		return nil, fmt.Errorf("cannot record incident: %w", err)
	}
	ch, err := tlog.Changes(nil, in.audit())
	if err != nil {
		return nil, err
	}
	if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectIncident, ID: in.ID, Ref: in.Ref}, ch); err != nil {
		return nil, fmt.Errorf("cannot record incident: %w", err)
	}
	if in.Serious {
		if _, err := s.insertNotification(ctx, tx, actor, in, &Notification{Recipient: RecipientAuthority, Basis: BasisArt73}); err != nil {
			return nil, fmt.Errorf("cannot record incident: %w", err)
		}
	}
	return in, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const selectIncident = `SELECT id, ref, title, description, occurred_at, aware_at, reported_by, owner_id, severity, harms,
	affected_count, affected_who, systems, model_versions, containment, serious, serious_category, status, lessons, nc_ref,
	version, created_by, created_at, updated_at, closed_at FROM incidents`

func scanIncident(scan func(...any) error) (*Incident, error) {
	var in Incident
	var harms, systems, versions string
	var serious int
	if err := scan(&in.ID, &in.Ref, &in.Title, &in.Description, &in.OccurredAt, &in.AwareAt, &in.ReportedBy, &in.OwnerID,
		&in.Severity, &harms, &in.AffectedCount, &in.AffectedWho, &systems, &versions, &in.Containment, &serious,
		&in.SeriousCategory, &in.Status, &in.Lessons, &in.NCRef, &in.Version, &in.CreatedBy, &in.CreatedAt, &in.UpdatedAt,
		&in.ClosedAt); err != nil {
		return nil, err
	}
	in.Serious = serious == 1
	in.OccurredAt, in.AwareAt = in.OccurredAt.UTC(), in.AwareAt.UTC()
	for _, f := range []struct {
		raw string
		dst any
	}{{harms, &in.Harms}, {systems, &in.Systems}, {versions, &in.ModelVersions}} {
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return nil, err
		}
	}
	if due, ok := Art73Deadline(in.SeriousCategory, in.AwareAt); in.Serious && ok {
		in.Art73Due = &due
	}
	in.Notifications = []Notification{}
	return &in, nil
}

// get reads an incident of an organisation by id or reference, with its notification duties.
func (s *Service) get(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Incident, error) {
	col, key := "ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	in, err := scanIncident(q.QueryRowContext(ctx, selectIncident+` WHERE org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("incident", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	if in.Notifications, err = s.notifications(ctx, q, orgID, in); err != nil {
		return nil, err
	}
	return in, nil
}

// Get returns an incident with its notification duties.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Incident, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, actor.OrgID, idOrRef)
}

// Update replaces the incident's fields; deadlines computed from awareness follow its new values.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req UpdateRequest) (*Incident, error) {
	if err := identity.Authorize(actor, identity.ActIncidentEdit); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, req.Version)
		if err != nil {
			return err
		}
		id = before.ID
		after := *before
		if req.OwnerID == "" {
			req.OwnerID = before.OwnerID
		}
		var p aims.Problems
		if err := s.fill(ctx, actor.OrgID, &after, req.Request, &p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE incidents SET title = ?, description = ?, occurred_at = ?, aware_at = ?, reported_by = ?,
			owner_id = ?, severity = ?, harms = ?, affected_count = ?, affected_who = ?, systems = ?, model_versions = ?, containment = ?,
			serious = ?, serious_category = ?, lessons = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Title, after.Description, after.OccurredAt, after.AwareAt, after.ReportedBy, after.OwnerID, after.Severity,
			string(mustJSON(after.Harms)), after.AffectedCount, after.AffectedWho, string(mustJSON(after.Systems)),
			string(mustJSON(after.ModelVersions)), after.Containment, boolInt(after.Serious), after.SeriousCategory, after.Lessons,
			s.clock(), before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectIncident, ID: before.ID, Ref: before.Ref}, ch); err != nil {
			return err
		}
		return s.recomputeDeadlines(ctx, tx, actor, &after)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update incident %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}

// lockOpen reads an incident in tx for a change based on version sent (any
// version when sent is 0), refusing one that is closed.
func (s *Service) lockOpen(ctx context.Context, tx *db.Tx, orgID, idOrRef string, sent int) (*Incident, error) {
	in, err := s.get(ctx, tx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if sent != 0 && sent != in.Version {
		return nil, staleVersion(in.Ref, in.Version, sent)
	}
	if in.Status == StatusClosed {
		return nil, aims.Errorf(aims.CodeConflict, "%s is closed: it takes no more changes", in.Ref)
	}
	return in, nil
}
