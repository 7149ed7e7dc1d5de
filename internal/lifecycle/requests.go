package lifecycle

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Statuses of a stage-move request.
const (
	RequestOpen      = "open"
	RequestApproved  = "approved"
	RequestRefused   = "refused"
	RequestWithdrawn = "withdrawn"
)

// RequestStatuses lists the statuses of a stage-move request.
var RequestStatuses = []Option{
	{RequestOpen, "Open", "waiting for a decision"},
	{RequestApproved, "Approved", "the system moved to the stage"},
	{RequestRefused, "Refused", "a lead refused it"},
	{RequestWithdrawn, "Withdrawn", "the requester withdrew it"},
}

// StageRequest is a request to move an AI system to another stage.
type StageRequest struct {
	ID              string     `json:"id"`
	Ref             string     `json:"ref" doc:"Short reference such as MOVE-3."`
	SystemID        string     `json:"system_id"`
	SystemRef       string     `json:"system_ref"`
	SystemName      string     `json:"system_name"`
	From            string     `json:"from" doc:"The stage the system was in when the move was requested."`
	To              string     `json:"to"`
	Justification   string     `json:"justification"`
	Plan            string     `json:"plan" doc:"The retirement plan, for a move into retirement."`
	Status          string     `json:"status" enum:"open,approved,refused,withdrawn"`
	RequestedBy     string     `json:"requested_by" doc:"User id, or for administrative commands the name, of who asked."`
	RequestedByName string     `json:"requested_by_name"`
	RequestedAt     time.Time  `json:"requested_at"`
	DecidedBy       string     `json:"decided_by"`
	DecidedByName   string     `json:"decided_by_name"`
	DecidedAt       *time.Time `json:"decided_at"`
	DecisionNote    string     `json:"decision_note" doc:"The approver's note, the reason for a refusal, or an owner's justification of an override."`
	Overridden      bool       `json:"overridden" doc:"True when an owner approved the move with requirements unmet."`
	// Checks are evaluated now while the request is open, and as they stood at the decision afterwards.
	Checks *Checks `json:"checks,omitempty" doc:"While open: the checks evaluated now. Once approved or refused: the checks as they stood at the decision. Absent from lists and for withdrawn requests."`
	// ChecksLive tells whether Checks were evaluated now.
	ChecksLive bool      `json:"checks_live" doc:"True when the checks were evaluated for this answer, false when they are the recorded ones."`
	Version    int       `json:"version" doc:"Increases with every change; send it back when deciding or withdrawing."`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// StageRequestCreate asks to move a system to another stage.
type StageRequestCreate struct {
	System        string `json:"-"`
	From          string `json:"from,omitempty" doc:"The stage the system is in; when given it must be the current one."`
	To            string `json:"to" enum:"inception,design_and_development,verification_and_validation,deployment,operation_and_monitoring,re_evaluation,retirement"`
	Justification string `json:"justification" maxLength:"4000" doc:"Why the system should move now."`
	Plan          string `json:"plan,omitempty" maxLength:"10000" doc:"For a move whose gate needs a retirement plan: what happens to the data, the models and the users, and who is told."`
}

// RequestQuery filters and pages stage-move requests.
type RequestQuery struct {
	System string `query:"system" doc:"Only the requests of this AI system, by reference or id."`
	Status string `query:"status" enum:"open,approved,refused,withdrawn" doc:"Only requests in this status."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset int    `query:"offset" minimum:"0"`
}

// RequestPage is one page of stage-move requests, newest first.
type RequestPage struct {
	Items  []StageRequest `json:"items"`
	Total  int            `json:"total"`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
}

const selectRequest = `SELECT r.id, r.ref, r.system_id, r.from_stage, r.to_stage, r.justification, r.plan, r.status,
	r.requested_by, COALESCE(q.name, r.requested_by), r.requested_at, r.decided_by, COALESCE(d.name, r.decided_by), r.decided_at,
	r.decision_note, r.overridden, r.checks, r.version, r.created_at, r.updated_at
	FROM stage_requests r LEFT JOIN users q ON q.id = r.requested_by LEFT JOIN users d ON d.id = r.decided_by`

// requestRow is a stored request with its recorded checks.
type requestRow struct {
	StageRequest
	recorded string
}

func scanRequest(scan func(...any) error) (*requestRow, error) {
	var r requestRow
	var decided sql.NullTime
	if err := scan(&r.ID, &r.Ref, &r.SystemID, &r.From, &r.To, &r.Justification, &r.Plan, &r.Status, &r.RequestedBy, &r.RequestedByName,
		&r.RequestedAt, &r.DecidedBy, &r.DecidedByName, &decided, &r.DecisionNote, &r.Overridden, &r.recorded, &r.Version,
		&r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, err
	}
	if decided.Valid {
		t := decided.Time.UTC()
		r.DecidedAt = &t
	}
	r.RequestedAt, r.CreatedAt, r.UpdatedAt = r.RequestedAt.UTC(), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// readRequest finds a request of an organisation by reference or id.
func readRequest(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*requestRow, error) {
	key := strings.TrimSpace(idOrRef)
	r, err := scanRequest(q.QueryRowContext(ctx, selectRequest+` WHERE r.org_id = ? AND (r.ref = ? OR r.id = ?)`,
		orgID, strings.ToUpper(key), key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("stage-move request", idOrRef)
	}
	return r, err
}

// CreateRequest asks to move a system from its current stage to another.
// A system has at most one open request at a time.
func (s *Service) CreateRequest(ctx context.Context, actor *aims.Actor, req StageRequestCreate) (*StageRequest, error) {
	if err := identity.Authorize(actor, identity.ActStageRequest); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, req.System)
	if err != nil {
		return nil, err
	}
	gates, err := gatesOf(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	var p aims.Problems
	req.From, req.To = strings.TrimSpace(req.From), strings.TrimSpace(req.To)
	switch {
	case !allowed(Stages, req.To):
		p.Add("to", "must be one of %s", values(Stages))
	case req.To == sys.Stage:
		p.Add("to", "is the stage %s is in already", sys.Ref)
	}
	checkText(&p, "justification", &req.Justification, true, maxText)
	checkText(&p, "plan", &req.Plan, false, maxPlan)
	if req.Plan == "" && !p.Has("plan") && needsPlan(gates.Gate(req.To)) {
		p.Add("plan", "is required: the gate into %s needs a retirement plan saying what happens to the data, the models and the users, and who is told",
			Label(Stages, req.To))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if sys.Status != "active" {
		return nil, aims.Errorf(aims.CodeConflict, "%s is archived: restore it before moving it to another stage", sys.Ref)
	}
	if req.From != "" && req.From != sys.Stage {
		return nil, &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf("%s is in the stage %s now, not %s", sys.Ref,
			Label(Stages, sys.Stage), Label(Stages, req.From)),
			Fields: []aims.FieldError{{Field: "from", Message: "is not the stage " + sys.Ref + " is in (" + sys.Stage + ")"}}}
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		var open string
		err := tx.QueryRowContext(ctx, `SELECT ref FROM stage_requests WHERE org_id = ? AND system_id = ? AND status = ?`,
			actor.OrgID, sys.ID, RequestOpen).Scan(&open)
		if err == nil {
			return aims.Errorf(aims.CodeConflict, "%s has an open stage-move request already, %s: decide or withdraw it first", sys.Ref, open)
		} else if !db.IsNoRows(err) {
			return err
		}
		ref, err := db.NextRef(ctx, tx, actor.OrgID, requestPrefix)
		if err != nil {
			return err
		}
		id = aims.NewID()
		now, by := s.clock(), tlog.ActorOf(actor).ID
		_, err = tx.ExecContext(ctx, `INSERT INTO stage_requests (id, org_id, ref, system_id, from_stage, to_stage, justification, plan,
			status, requested_by, requested_at, decided_by, decided_at, decision_note, overridden, checks, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', NULL, '', ?, '', 1, ?, ?)`,
			id, actor.OrgID, ref, sys.ID, sys.Stage, req.To, req.Justification, req.Plan, RequestOpen, by, now, false, now, now)
		if db.IsUniqueViolation(err) {
			return aims.Errorf(aims.CodeConflict, "%s has an open stage-move request already: decide or withdraw it first", sys.Ref)
		}
		if err != nil {
			return err
		}
		ch := []tlog.Change{
			{Field: "system", Before: nothing, After: mustJSON(sys.Ref)},
			{Field: "from", Before: nothing, After: mustJSON(sys.Stage)},
			{Field: "to", Before: nothing, After: mustJSON(req.To)},
			{Field: "justification", Before: nothing, After: mustJSON(req.Justification)},
			{Field: "status", Before: nothing, After: mustJSON(RequestOpen)},
		}
		if req.Plan != "" {
			ch = append(ch, tlog.Change{Field: "plan", Before: nothing, After: mustJSON(req.Plan)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRequestCreate, tlog.EventObject{Type: ObjectRequest, ID: id, Ref: ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot request a move of %s: %w", sys.Ref, err)
	}
	return s.GetRequest(ctx, actor, id)
}

// needsPlan reports whether a gate asks for a retirement plan.
func needsPlan(reqs []Requirement) bool {
	for _, r := range reqs {
		if r.Kind == KindRetirementPlan {
			return true
		}
	}
	return false
}

// GetRequest returns a stage-move request; while it is open, with its
// checks evaluated now.
func (s *Service) GetRequest(ctx context.Context, actor *aims.Actor, idOrRef string) (*StageRequest, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := readRequest(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, r.SystemID)
	if err != nil {
		return nil, err
	}
	out := r.StageRequest
	out.SystemRef, out.SystemName = sys.Ref, sys.Name
	switch {
	case r.Status == RequestOpen:
		gates, err := gatesOf(ctx, s.db, actor.OrgID)
		if err != nil {
			return nil, err
		}
		if out.Checks, err = s.evaluate(ctx, actor, sys, r.From, r.To, r.Plan, gates); err != nil {
			return nil, err
		}
		out.ChecksLive = true
	case r.recorded != "":
		var c Checks
		if err := json.Unmarshal([]byte(r.recorded), &c); err != nil {
			return nil, fmt.Errorf("cannot read the checks recorded on %s: %w", r.Ref, err)
		}
		out.Checks = &c
	}
	return &out, nil
}

// Requests lists stage-move requests, newest first.
func (s *Service) Requests(ctx context.Context, actor *aims.Actor, q RequestQuery) (*RequestPage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	q.System, q.Status = strings.TrimSpace(q.System), strings.TrimSpace(q.Status)
	if q.Status != "" && !allowed(RequestStatuses, q.Status) {
		p.Add("status", "must be one of %s", values(RequestStatuses))
	}
	pageLimits(&p, &q.Limit, q.Offset)
	if err := p.Err(); err != nil {
		return nil, err
	}
	where, args := "r.org_id = ?", []any{actor.OrgID}
	if q.System != "" {
		sys, err := s.sources.System(ctx, actor, q.System)
		if aims.CodeOf(err) == aims.CodeNotFound {
			return nil, invalid("system", "is not an AI system of this organisation")
		} else if err != nil {
			return nil, err
		}
		where, args = where+" AND r.system_id = ?", append(args, sys.ID)
	}
	if q.Status != "" {
		where, args = where+" AND r.status = ?", append(args, q.Status)
	}
	page := &RequestPage{Items: []StageRequest{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM stage_requests r WHERE `+where, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectRequest+` WHERE `+where+` ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRequest(rows.Scan)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, r.StageRequest)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	names := systemNames{s: s, ctx: ctx, actor: actor}
	for i := range page.Items {
		it := &page.Items[i]
		if it.SystemRef, it.SystemName, err = names.of(it.SystemID); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// pageLimits fills the default page size and checks the limits.
func pageLimits(p *aims.Problems, limit *int, offset int) {
	if *limit == 0 {
		*limit = 50
	}
	if *limit < 1 || *limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if offset < 0 {
		p.Add("offset", "must not be negative")
	}
}

// systemNames resolves AI system ids to their references and names, once each.
type systemNames struct {
	s     *Service
	ctx   context.Context
	actor *aims.Actor
	known map[string]*SystemInfo
}

func (n *systemNames) of(id string) (ref, name string, err error) {
	if n.known == nil {
		n.known = map[string]*SystemInfo{}
	}
	sys, ok := n.known[id]
	if !ok {
		if sys, err = n.s.sources.System(n.ctx, n.actor, id); err != nil {
			return "", "", err
		}
		n.known[id] = sys
	}
	return sys.Ref, sys.Name, nil
}
