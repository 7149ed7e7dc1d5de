package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Control is an Annex A control or one an organisation added of its own.
type Control struct {
	// ID is the Annex A id (A.6.2.4) or, for an organisation's own control, its reference (CTL-2).
	ID         string `json:"id"`
	CategoryID string `json:"category_id" doc:"Annex A category, or empty for an own control outside them."`
	Title      string `json:"title"`
	Asks       string `json:"asks" doc:"What the control asks, in aims' words."`
	Evidence   string `json:"evidence" doc:"Which records show it is met."`
	// AuditorSamples says what a certification auditor will sample.
	AuditorSamples string `json:"auditor_samples"`
	// Custom is true for the organisation's own controls, which have the fields below.
	Custom     bool       `json:"custom"`
	Status     string     `json:"status,omitempty" enum:"active,archived"`
	Version    int        `json:"version,omitempty"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	// uuid is the stored id of an own control.
	uuid string
}

// Statuses of an organisation's own control.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// ObjectControl names own controls in the audit log.
const ObjectControl = "control"

// refPrefix starts the reference of every own control.
const refPrefix = "CTL"

// Service serves the catalogue to an organisation, with its own controls.
type Service struct {
	db    *db.DB
	logs  *tlog.Logs
	clock aims.Clock
}

// New returns the catalogue service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock}
}

// ControlQuery selects controls.
type ControlQuery struct {
	Category string `query:"category" doc:"An Annex A category such as A.6, or own for the organisation's own controls."`
	Q        string `query:"q" doc:"Words that must all appear in the id, title or texts."`
	// Archived includes the organisation's archived own controls.
	Archived bool `query:"archived"`
}

// Controls returns the Annex A controls and the organisation's own, in order.
func (s *Service) Controls(ctx context.Context, actor *aims.Actor, q ControlQuery) ([]Control, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if q.Category != "" && q.Category != "own" {
		if _, ok := CategoryByID(q.Category); !ok {
			return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
				Fields: []aims.FieldError{{Field: "category", Message: "must be an Annex A category from A.2 to A.10, or own"}}}
		}
	}
	var out []Control
	if q.Category != "own" {
		for _, c := range builtin.controls {
			if (q.Category == "" || c.CategoryID == q.Category) && matches(q.Q, c.ID, c.Title, c.Asks, c.Evidence, c.AuditorSamples) {
				out = append(out, c)
			}
		}
	}
	own, err := s.ownControls(ctx, s.db, actor.OrgID, "")
	if err != nil {
		return nil, err
	}
	for _, c := range own {
		if (q.Archived || c.Status == StatusActive) && (q.Category == "" || q.Category == "own" || c.CategoryID == q.Category) &&
			matches(q.Q, c.ID, c.Title, c.Asks, c.Evidence, c.AuditorSamples) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Control returns an Annex A control or one of the organisation's own.
func (s *Service) Control(ctx context.Context, actor *aims.Actor, id string) (*Control, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.control(ctx, s.db, actor.OrgID, id)
}

func (s *Service) control(ctx context.Context, q db.Queryer, orgID, id string) (*Control, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	if c, ok := BuiltinControl(id); ok {
		return &c, nil
	}
	own, err := s.ownControls(ctx, q, orgID, id)
	if err != nil {
		return nil, err
	}
	if len(own) == 0 {
		return nil, aims.NotFound("control", id)
	}
	return &own[0], nil
}

// ActiveControlIDs lists the ids of every control an organisation's
// Statement of Applicability must decide on: Annex A and its active own controls.
func (s *Service) ActiveControlIDs(ctx context.Context, orgID string) ([]Control, error) {
	out := BuiltinControls()
	own, err := s.ownControls(ctx, s.db, orgID, "")
	if err != nil {
		return nil, err
	}
	for _, c := range own {
		if c.Status == StatusActive {
			out = append(out, c)
		}
	}
	return out, nil
}

// ControlExists reports whether id names an Annex A control or one of the organisation's own.
func (s *Service) ControlExists(ctx context.Context, orgID, id string) (bool, error) {
	_, err := s.control(ctx, s.db, orgID, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return false, nil
	}
	return err == nil, err
}

const ownColumns = `id, ref, category_id, title, asks, evidence, auditor_samples, status, version, created_at, updated_at, archived_at`

// ownControls reads an organisation's own controls, or the one with ref.
func (s *Service) ownControls(ctx context.Context, q db.Queryer, orgID, ref string) ([]Control, error) {
	query := `SELECT ` + ownColumns + ` FROM custom_controls WHERE org_id = ?`
	args := []any{orgID}
	if ref != "" {
		query += ` AND ref = ?`
		args = append(args, ref)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Control
	for rows.Next() {
		var c Control
		var created, updated time.Time
		if err := rows.Scan(&c.uuid, &c.ID, &c.CategoryID, &c.Title, &c.Asks, &c.Evidence, &c.AuditorSamples,
			&c.Status, &c.Version, &created, &updated, &c.ArchivedAt); err != nil {
			return nil, err
		}
		c.Custom, c.CreatedAt, c.UpdatedAt = true, &created, &updated
		out = append(out, c)
	}
	return out, rows.Err()
}

// ControlRequest describes an organisation's own control.
type ControlRequest struct {
	Title          string `json:"title" minLength:"1" maxLength:"200"`
	CategoryID     string `json:"category_id,omitempty" enum:"A.2,A.3,A.4,A.5,A.6,A.7,A.8,A.9,A.10" doc:"Annex A category it belongs with; omit for none."`
	Asks           string `json:"asks" minLength:"1" maxLength:"4000" doc:"What the control asks."`
	Evidence       string `json:"evidence,omitempty" maxLength:"4000" doc:"Which records show it is met."`
	AuditorSamples string `json:"auditor_samples,omitempty" maxLength:"4000" doc:"What an auditor would sample."`
}

// UpdateControlRequest replaces an own control's fields; Version must be
// the version the change was based on.
type UpdateControlRequest struct {
	Version int `json:"version" minimum:"1"`
	ControlRequest
}

func (r *ControlRequest) normalise() error {
	var p aims.Problems
	text := func(field string, v *string, required bool, max int) {
		*v = strings.TrimSpace(*v)
		if required && *v == "" {
			p.Add(field, "is required")
		} else if utf8.RuneCountInString(*v) > max {
			p.Add(field, "must be at most %d characters", max)
		}
	}
	text("title", &r.Title, true, 200)
	text("asks", &r.Asks, true, 4000)
	text("evidence", &r.Evidence, false, 4000)
	text("auditor_samples", &r.AuditorSamples, false, 4000)
	r.CategoryID = strings.TrimSpace(r.CategoryID)
	if _, ok := CategoryByID(r.CategoryID); r.CategoryID != "" && !ok {
		p.Add("category_id", "must be an Annex A category from A.2 to A.10, or empty")
	}
	return p.Err()
}

// auditFields is what the audit log records of an own control.
func auditFields(c *Control) map[string]any {
	return map[string]any{"title": c.Title, "category_id": c.CategoryID, "asks": c.Asks, "evidence": c.Evidence,
		"auditor_samples": c.AuditorSamples}
}

// CreateControl adds an own control to the actor's organisation.
func (s *Service) CreateControl(ctx context.Context, actor *aims.Actor, req ControlRequest) (*Control, error) {
	if err := identity.Authorize(actor, identity.ActCatalogManage); err != nil {
		return nil, err
	}
	if err := req.normalise(); err != nil {
		return nil, err
	}
	var ref string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		if ref, err = db.NextRef(ctx, tx, actor.OrgID, refPrefix); err != nil {
			return err
		}
		now := s.clock()
		id := aims.NewID()
		_, err = tx.ExecContext(ctx, `INSERT INTO custom_controls (id, org_id, ref, category_id, title, title_key, asks, evidence,
			auditor_samples, status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			id, actor.OrgID, ref, req.CategoryID, req.Title, titleKey(req.Title), req.Asks, req.Evidence, req.AuditorSamples,
			StatusActive, now, now)
		if db.IsUniqueViolation(err) {
			return titleTaken()
		}
		if err != nil {
			return err
		}
		c := Control{Title: req.Title, CategoryID: req.CategoryID, Asks: req.Asks, Evidence: req.Evidence, AuditorSamples: req.AuditorSamples}
		ch, err := tlog.Changes(nil, auditFields(&c))
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ObjectControl+".create", tlog.EventObject{Type: ObjectControl, ID: id, Ref: ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot create control: %w", err)
	}
	return s.control(ctx, s.db, actor.OrgID, ref)
}

// UpdateControl changes an own control, unless it changed since req.Version.
func (s *Service) UpdateControl(ctx context.Context, actor *aims.Actor, ref string, req UpdateControlRequest) (*Control, error) {
	if err := identity.Authorize(actor, identity.ActCatalogManage); err != nil {
		return nil, err
	}
	if err := req.normalise(); err != nil {
		return nil, err
	}
	var key string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.ownForChange(ctx, tx, actor.OrgID, ref)
		if err != nil {
			return err
		}
		key = before.ID
		if before.Version != req.Version {
			return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf("someone changed %s since you loaded it: reload and apply your change again", before.ID),
				Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", before.Version, req.Version)}}}
		}
		after := *before
		after.Title, after.CategoryID, after.Asks, after.Evidence, after.AuditorSamples = req.Title, req.CategoryID, req.Asks, req.Evidence, req.AuditorSamples
		ch, err := tlog.Changes(auditFields(before), auditFields(&after))
		if err != nil || len(ch) == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE custom_controls SET category_id = ?, title = ?, title_key = ?, asks = ?, evidence = ?,
			auditor_samples = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			req.CategoryID, req.Title, titleKey(req.Title), req.Asks, req.Evidence, req.AuditorSamples, s.clock(), before.uuid)
		if db.IsUniqueViolation(err) {
			return titleTaken()
		}
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ObjectControl+".update", tlog.EventObject{Type: ObjectControl, ID: before.uuid, Ref: before.ID}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update control %s: %w", ref, err)
	}
	return s.control(ctx, s.db, actor.OrgID, key)
}

// ArchiveControl retires an own control; Statements of Applicability stop asking about it.
func (s *Service) ArchiveControl(ctx context.Context, actor *aims.Actor, ref string) (*Control, error) {
	return s.setStatus(ctx, actor, ref, StatusArchived)
}

// RestoreControl brings an archived own control back.
func (s *Service) RestoreControl(ctx context.Context, actor *aims.Actor, ref string) (*Control, error) {
	return s.setStatus(ctx, actor, ref, StatusActive)
}

func (s *Service) setStatus(ctx context.Context, actor *aims.Actor, ref, status string) (*Control, error) {
	if err := identity.Authorize(actor, identity.ActCatalogManage); err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: "archive", StatusActive: "restore"}[status]
	var key string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.ownForChange(ctx, tx, actor.OrgID, ref)
		if err != nil {
			return err
		}
		key = before.ID
		if before.Status == status {
			return nil
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE custom_controls SET status = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, status, archivedAt, now, before.uuid); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ObjectControl+"."+action,
			tlog.EventObject{Type: ObjectControl, ID: before.uuid, Ref: before.ID},
			[]tlog.Change{{Field: "status", Before: quote(before.Status), After: quote(status)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s control %s: %w", action, ref, err)
	}
	return s.control(ctx, s.db, actor.OrgID, key)
}

// ownForChange reads an own control to change it; Annex A controls cannot be changed.
func (s *Service) ownForChange(ctx context.Context, tx *db.Tx, orgID, ref string) (*Control, error) {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	if IsBuiltin(ref) {
		return nil, aims.Errorf(aims.CodeForbidden, "%s is an Annex A control: only an organisation's own controls can be changed", ref)
	}
	own, err := s.ownControls(ctx, tx, orgID, ref)
	if err != nil {
		return nil, err
	}
	if len(own) == 0 {
		return nil, aims.NotFound("control", ref)
	}
	return &own[0], nil
}

func titleTaken() error {
	return &aims.Error{Code: aims.CodeConflict, Message: "title in use",
		Fields: []aims.FieldError{{Field: "title", Message: "is already the title of one of your controls"}}}
}

func titleKey(t string) string { return strings.ToLower(strings.Join(strings.Fields(t), " ")) }

func quote(s string) []byte { return []byte(`"` + s + `"`) }

// History returns the audit events about an own control, newest first;
// Annex A controls have none.
func (s *Service) History(ctx context.Context, actor *aims.Actor, id string) ([]tlog.Event, error) {
	c, err := s.Control(ctx, actor, id)
	if err != nil || !c.Custom {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectControl, ObjectID: c.uuid, Limit: 500})
}
