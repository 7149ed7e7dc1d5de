package nonconformity

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Sources of a nonconformity.
const (
	SourceAudit      = "audit"
	SourceIncident   = "incident"
	SourceConcern    = "concern"
	SourceReview     = "review"
	SourceMonitoring = "monitoring"
	SourceOther      = "other"
)

// Nonconformity is a failure to fulfil a requirement, with its handling.
type Nonconformity struct {
	ID          string       `json:"id"`
	Ref         string       `json:"ref" doc:"Short reference such as NC-4."`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Source      string       `json:"source"`
	SourceRef   string       `json:"source_ref"`
	Severity    string       `json:"severity"`
	Clauses     []string     `json:"clauses"`
	Controls    []string     `json:"controls"`
	Systems     []SystemInfo `json:"systems"`
	OwnerID     string       `json:"owner_id"`
	Status      string       `json:"status" enum:"open,planned,verifying,closed"`
	// Correction is what was done at once to fix it, contain it and deal with its consequences.
	Correction string `json:"correction"`
	// RootCause, RCAMethod and Similar record the analysis of why it happened.
	RootCause string `json:"root_cause"`
	RCAMethod string `json:"rca_method" doc:"How the cause was found, such as five whys or fishbone."`
	Similar   string `json:"similar" doc:"Whether similar nonconformities exist or could occur elsewhere."`
	// ReplanReason says why the latest effectiveness check sent it back to action planning.
	ReplanReason string `json:"replan_reason"`
	// AIMSChangeNeeded and AIMSChange record at closure whether the management system must change (10.2 f).
	AIMSChangeNeeded bool       `json:"aims_change_needed"`
	AIMSChange       string     `json:"aims_change"`
	Actions          []Action   `json:"actions"`
	Checks           []Check    `json:"checks"`
	Version          int        `json:"version" doc:"Increases with every change; send it back when changing."`
	CreatedBy        string     `json:"created_by"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ClosedAt         *time.Time `json:"closed_at"`
	ClosedBy         string     `json:"closed_by"`
}

// CreateRequest raises a nonconformity.
type CreateRequest struct {
	Title       string `json:"title" minLength:"1" maxLength:"200"`
	Description string `json:"description,omitempty" maxLength:"10000"`
	// Source says where it was found: audit, incident, concern, review, monitoring or other.
	Source string `json:"source" enum:"audit,incident,concern,review,monitoring,other"`
	// SourceRef names the record it came from, such as IA-2/F3 or INC-4.
	SourceRef string `json:"source_ref,omitempty" maxLength:"100"`
	// Severity is minor or major.
	Severity string `json:"severity" enum:"minor,major"`
	// Clauses and Controls name the requirements not fulfilled, such as 7.2 or A.6.2.4.
	Clauses  []string `json:"clauses,omitempty"`
	Controls []string `json:"controls,omitempty"`
	// Systems name the AI systems concerned, by reference or id.
	Systems []string `json:"systems,omitempty"`
	// OwnerID is the member responsible for handling it; empty for the one who raises it.
	OwnerID string `json:"owner_id,omitempty"`
	// Correction is what was done at once, when already known.
	Correction string `json:"correction,omitempty" maxLength:"10000"`
}

// auditNC is what the audit log records of a nonconformity's own fields.
type auditNC struct {
	Ref          string   `json:"ref"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Source       string   `json:"source"`
	SourceRef    string   `json:"source_ref"`
	Severity     string   `json:"severity"`
	Clauses      []string `json:"clauses"`
	Controls     []string `json:"controls"`
	Systems      []string `json:"systems"`
	OwnerID      string   `json:"owner_id"`
	Status       string   `json:"status"`
	Correction   string   `json:"correction"`
	RootCause    string   `json:"root_cause"`
	RCAMethod    string   `json:"rca_method"`
	Similar      string   `json:"similar"`
	ReplanReason string   `json:"replan_reason"`
}

func (n *Nonconformity) audit() auditNC {
	refs := make([]string, len(n.Systems))
	for i, s := range n.Systems {
		refs[i] = s.Ref
	}
	return auditNC{Ref: n.Ref, Title: n.Title, Description: n.Description, Source: n.Source, SourceRef: n.SourceRef,
		Severity: n.Severity, Clauses: n.Clauses, Controls: n.Controls, Systems: refs, OwnerID: n.OwnerID, Status: n.Status,
		Correction: n.Correction, RootCause: n.RootCause, RCAMethod: n.RCAMethod, Similar: n.Similar, ReplanReason: n.ReplanReason}
}

// checkFields trims the nonconformity's own fields and records every problem,
// resolving its clauses, controls, systems and owner.
func (s *Service) checkFields(ctx context.Context, orgID string, n *Nonconformity, systems []string, p *aims.Problems) error {
	text(p, "title", &n.Title, true, maxTitle)
	text(p, "description", &n.Description, false, maxText)
	n.Source = strings.TrimSpace(n.Source)
	if !allowed(SourceOptions, n.Source) {
		p.Add("source", "must be one of %s", values(SourceOptions))
	}
	text(p, "source_ref", &n.SourceRef, false, maxItem)
	n.Severity = strings.TrimSpace(n.Severity)
	if !allowed(Severities, n.Severity) {
		p.Add("severity", "must be one of %s", values(Severities))
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"correction", &n.Correction}, {"root_cause", &n.RootCause}, {"similar", &n.Similar}, {"replan_reason", &n.ReplanReason}} {
		text(p, f.name, f.v, false, maxText)
	}
	text(p, "rca_method", &n.RCAMethod, false, maxTitle)
	n.Clauses = list(p, "clauses", n.Clauses)
	for _, c := range n.Clauses {
		if !p.Has("clauses") && !s.sources.ClauseExists(c) {
			p.Add("clauses", "names %s, which is not a clause of ISO/IEC 42001", c)
		}
	}
	n.Controls = list(p, "controls", n.Controls)
	for _, c := range n.Controls {
		if p.Has("controls") {
			break
		}
		ok, err := s.sources.ControlExists(ctx, orgID, c)
		if err != nil {
			return err
		}
		if !ok {
			p.Add("controls", "names %s, which is not a control of the catalogue", c)
		}
	}
	n.Systems = []SystemInfo{}
	for _, ref := range list(p, "systems", systems) {
		if p.Has("systems") {
			break
		}
		sys, err := s.sources.System(ctx, orgID, ref)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("systems", "names %s, which is not an AI system of this organisation", ref)
			continue
		}
		if err != nil {
			return err
		}
		n.Systems = append(n.Systems, SystemInfo{ID: sys.ID, Ref: sys.Ref})
	}
	n.OwnerID = strings.TrimSpace(n.OwnerID)
	if n.OwnerID != "" {
		return s.checkMember(ctx, orgID, "owner_id", n.OwnerID, p)
	}
	return nil
}

// Create raises a nonconformity with its audit event.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req CreateRequest) (*Nonconformity, error) {
	var nc *Nonconformity
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		nc, err = s.CreateTx(ctx, tx, actor, req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot raise nonconformity: %w", err)
	}
	return s.get(ctx, s.db, actor.OrgID, nc.ID)
}

// CreateTx raises a nonconformity within tx, so that the record it comes
// from (an audit finding, an incident) and the nonconformity are stored together.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, req CreateRequest) (*Nonconformity, error) {
	if err := identity.Authorize(actor, identity.ActNCEdit); err != nil {
		return nil, err
	}
	n := &Nonconformity{Title: req.Title, Description: req.Description, Source: req.Source, SourceRef: req.SourceRef,
		Severity: req.Severity, Clauses: req.Clauses, Controls: req.Controls, OwnerID: req.OwnerID, Correction: req.Correction,
		Status: StatusOpen, Actions: []Action{}, Checks: []Check{}}
	var p aims.Problems
	if err := s.checkFields(ctx, actor.OrgID, n, req.Systems, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if n.OwnerID == "" {
		n.OwnerID = actor.UserID
	}
	ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	n.ID, n.Ref, n.Version, n.CreatedBy, n.CreatedAt, n.UpdatedAt = aims.NewID(), ref, 1, actor.UserID, now, now
	if _, err := tx.ExecContext(ctx, `INSERT INTO nonconformities (id, org_id, ref, title, description, source, source_ref, severity,
		clauses, controls, systems, owner_id, status, correction, root_cause, rca_method, similar_cases, replan_reason, aims_change_needed,
		aims_change, last_action, last_check, version, created_by, created_at, updated_at, closed_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', 0, '', 0, 0, ?, ?, ?, ?, '')`,
		n.ID, actor.OrgID, n.Ref, n.Title, n.Description, n.Source, n.SourceRef, n.Severity, string(mustJSON(n.Clauses)),
		string(mustJSON(n.Controls)), string(mustJSON(n.Systems)), n.OwnerID, n.Status, n.Correction, n.Version, n.CreatedBy,
		now, now); err != nil {
		return nil, err
	}
	ch, err := tlog.Changes(nil, n.audit())
	if err != nil {
		return nil, err
	}
	if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectNC, ID: n.ID, Ref: n.Ref}, ch); err != nil {
		return nil, err
	}
	return n, nil
}

const selectNC = `SELECT id, ref, title, description, source, source_ref, severity, clauses, controls, systems, owner_id, status,
	correction, root_cause, rca_method, similar_cases, replan_reason, aims_change_needed, aims_change, version, created_by, created_at,
	updated_at, closed_at, closed_by FROM nonconformities`

func scanNC(scan func(...any) error) (*Nonconformity, error) {
	var n Nonconformity
	var clauses, controls, systems string
	var change int
	if err := scan(&n.ID, &n.Ref, &n.Title, &n.Description, &n.Source, &n.SourceRef, &n.Severity, &clauses, &controls, &systems,
		&n.OwnerID, &n.Status, &n.Correction, &n.RootCause, &n.RCAMethod, &n.Similar, &n.ReplanReason, &change, &n.AIMSChange,
		&n.Version, &n.CreatedBy, &n.CreatedAt, &n.UpdatedAt, &n.ClosedAt, &n.ClosedBy); err != nil {
		return nil, err
	}
	n.AIMSChangeNeeded = change == 1
	for _, f := range []struct {
		raw string
		dst any
	}{{clauses, &n.Clauses}, {controls, &n.Controls}, {systems, &n.Systems}} {
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return nil, err
		}
	}
	n.Actions, n.Checks = []Action{}, []Check{}
	return &n, nil
}

// get reads a nonconformity of an organisation by id or reference, with its actions and checks.
func (s *Service) get(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Nonconformity, error) {
	col, key := "ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	n, err := scanNC(q.QueryRowContext(ctx, selectNC+` WHERE org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("nonconformity", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	if n.Actions, err = s.actions(ctx, q, orgID, n); err != nil {
		return nil, err
	}
	if n.Checks, err = s.checks(ctx, q, orgID, n); err != nil {
		return nil, err
	}
	return n, nil
}

// Get returns a nonconformity with its corrective actions and effectiveness checks.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Nonconformity, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, actor.OrgID, idOrRef)
}

// Query filters and pages nonconformities.
type Query struct {
	Status string `query:"status" enum:"open,planned,verifying,closed,unclosed" doc:"Only those with this status; unclosed for every one not closed."`
	Source string `query:"source" enum:"audit,incident,concern,review,monitoring,other"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset int    `query:"offset" minimum:"0"`
}

// Page is one page of nonconformities, newest first, and the number of matches.
type Page struct {
	Items  []Nonconformity `json:"items"`
	Total  int             `json:"total"`
	Limit  int             `json:"limit"`
	Offset int             `json:"offset"`
}

// List returns a page of the organisation's nonconformities, the newest first, without their actions and checks.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q Query) (*Page, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	if q.Status != "" && q.Status != "unclosed" && !allowed(Statuses, q.Status) {
		p.Add("status", "must be one of %s or unclosed", values(Statuses))
	}
	if q.Source != "" && !allowed(SourceOptions, q.Source) {
		p.Add("source", "must be one of %s", values(SourceOptions))
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if q.Offset < 0 {
		p.Add("offset", "must not be negative")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	where, args := "org_id = ?", []any{actor.OrgID}
	switch q.Status {
	case "":
	case "unclosed":
		where += " AND status <> 'closed'"
	default:
		where += " AND status = ?"
		args = append(args, q.Status)
	}
	if q.Source != "" {
		where += " AND source = ?"
		args = append(args, q.Source)
	}
	page := &Page{Items: []Nonconformity{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM nonconformities WHERE `+where, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectNC+` WHERE `+where+` ORDER BY created_at DESC, ref DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		n, err := scanNC(rows.Scan)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *n)
	}
	return page, rows.Err()
}

// History returns the audit events about a nonconformity, its actions and checks, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	n, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	evs, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectNC, ObjectID: n.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, a := range n.Actions {
		more, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectAction, ObjectID: a.ID, Limit: 100})
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	for _, c := range n.Checks {
		more, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectCheck, ObjectID: c.ID, Limit: 10})
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	sortNewestFirst(evs)
	return evs, nil
}
