package decision

import (
	"context"
	"fmt"
	"sync"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log.
const (
	ObjectLog = "decision_log"
)

// System is the AI system a decision log belongs to.
type System struct {
	ID   string
	Ref  string
	Name string
}

// Systems finds the organisation's AI systems; app satisfies it with the
// aisystem service.
type Systems interface {
	Lookup(ctx context.Context, orgID, idOrRef string) (*System, error)
}

// ModelVersion is a model version a decision names.
type ModelVersion struct {
	ID string
	// Key is the model's reference and the version's label, such as MDL-1@1.4.0.
	Key string
}

// Models resolves model versions; app satisfies it with the model service.
type Models interface {
	// Resolve finds a version of one of the system's models by id, key
	// (MDL-1@1.4.0) or, when only one of the system's models has it, label.
	Resolve(ctx context.Context, orgID, systemID, ref string) (*ModelVersion, error)
	// Keys returns the keys of model versions by id.
	Keys(ctx context.Context, orgID string, ids []string) (map[string]string, error)
}

// Limits bound what one request may carry.
type Limits struct {
	// Records is the most records one request may carry.
	Records int
	// Bytes is the largest request body.
	Bytes int64
}

// DefaultLimits are the limits when none are configured.
var DefaultLimits = Limits{Records: 10000, Bytes: 32 << 20}

// Retention bounds, in days: six months at least, as the EU AI Act asks of
// deployers' logs (Art. 26(6)).
const (
	MinRetentionDays     = 183
	DefaultRetentionDays = 183
	MaxRetentionDays     = 36500
)

// Service records, reads, proves and erases decisions.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	systems Systems
	models  Models
	// Limits are the request limits the API enforces.
	Limits Limits
	// withoutStats skips the monitoring statistics, so that a benchmark can
	// measure what keeping them costs.
	withoutStats bool
	// frontiers holds, by log id, the right edge of the tree each log had
	// after this process's last append to it.
	frontiers sync.Map
}

// New returns the decision service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, systems Systems, models Models, limits Limits) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	if limits.Records <= 0 {
		limits.Records = DefaultLimits.Records
	}
	if limits.Bytes <= 0 {
		limits.Bytes = DefaultLimits.Bytes
	}
	return &Service{db: d, logs: logs, clock: clock, systems: systems, models: models, Limits: limits}
}

// Log is a system's decision log.
type Log struct {
	No    int64  `json:"-"`
	LogID string `json:"log_id"`
	// OutcomeLogID is the log of the outcomes reported for the decisions.
	OutcomeLogID  string `json:"outcome_log_id"`
	Origin        string `json:"origin"`
	SystemID      string `json:"system_id"`
	SystemRef     string `json:"system"`
	SystemName    string `json:"system_name"`
	Size          int64  `json:"size"`
	RetentionDays int    `json:"retention_days"`
}

// system resolves a system reference in the actor's organisation and checks
// that the actor may perform action on it.
func (s *Service) system(ctx context.Context, actor *aims.Actor, action, idOrRef string) (*System, error) {
	if err := identity.Authorize(actor, action); err != nil {
		return nil, err
	}
	sys, err := s.systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if err := identity.AuthorizeSystem(actor, action, sys.ID); err != nil {
		return nil, err
	}
	return sys, nil
}

// CheckWrite reports whether the actor may record decisions and outcomes
// for the system, so that the API can refuse before it reads a large body.
func (s *Service) CheckWrite(ctx context.Context, actor *aims.Actor, systemRef string) error {
	_, err := s.system(ctx, actor, identity.ActDecisionWrite, systemRef)
	return err
}

// findLog returns the system's decision log, or nil when it has none yet.
func findLog(ctx context.Context, q db.Queryer, orgID string, sys *System) (*Log, error) {
	l := &Log{SystemID: sys.ID, SystemRef: sys.Ref, SystemName: sys.Name}
	err := q.QueryRowContext(ctx, `SELECT d.no, d.log_id, d.outcome_log_id, l.origin, l.size, d.retention_days
		FROM decision_logs d JOIN logs l ON l.id = d.log_id WHERE d.org_id = ? AND d.system_id = ?`, orgID, sys.ID).
		Scan(&l.No, &l.LogID, &l.OutcomeLogID, &l.Origin, &l.Size, &l.RetentionDays)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the decision log of %s: %w", sys.Ref, err)
	}
	return l, nil
}

// ensureLog returns the system's decision log, creating it (with an audit
// event) on the first decision.
func (s *Service) ensureLog(ctx context.Context, actor *aims.Actor, sys *System) (*Log, error) {
	if l, err := findLog(ctx, s.db, actor.OrgID, sys); err != nil || l != nil {
		return l, err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		if l, err := findLog(ctx, tx, actor.OrgID, sys); err != nil || l != nil {
			return err
		}
		logID, err := s.logs.Create(ctx, tx, actor.OrgID, tlog.KindDecision, sys.ID)
		if err != nil {
			return err
		}
		outcomeLogID, err := s.logs.Create(ctx, tx, actor.OrgID, tlog.KindOutcome, sys.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO decision_logs (log_id, outcome_log_id, org_id, system_id, retention_days, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, logID, outcomeLogID, actor.OrgID, sys.ID, DefaultRetentionDays, s.clock()); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "decision_log.create",
			tlog.EventObject{Type: ObjectLog, ID: sys.ID, Ref: sys.Ref},
			[]tlog.Change{{Field: "retention_days", After: []byte(fmt.Sprint(DefaultRetentionDays))}})
	})
	if err != nil && !db.IsUniqueViolation(err) {
		return nil, fmt.Errorf("cannot create the decision log of %s: %w", sys.Ref, err)
	}
	l, err := findLog(ctx, s.db, actor.OrgID, sys)
	if err == nil && l == nil {
		err = fmt.Errorf("the decision log of %s was not created", sys.Ref)
	}
	return l, err
}

// Log returns a system's decision log; an empty one when nothing was recorded yet.
func (s *Service) Log(ctx context.Context, actor *aims.Actor, systemRef string) (*Log, error) {
	sys, err := s.system(ctx, actor, identity.ActRead, systemRef)
	if err != nil {
		return nil, err
	}
	l, err := findLog(ctx, s.db, actor.OrgID, sys)
	if err != nil {
		return nil, err
	}
	if l == nil {
		l = &Log{SystemID: sys.ID, SystemRef: sys.Ref, SystemName: sys.Name, RetentionDays: DefaultRetentionDays,
			Origin: tlog.Origin(tlog.KindDecision, actor.OrgID, sys.ID)}
	}
	return l, nil
}
