package nonconformity

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Action is a corrective action of a nonconformity.
type Action struct {
	ID          string `json:"id"`
	Ref         string `json:"ref" doc:"The nonconformity's reference and the action's number, such as NC-4/A2."`
	Number      int    `json:"number"`
	Description string `json:"description"`
	OwnerID     string `json:"owner_id"`
	DueOn       string `json:"due_on" doc:"When it must be done, YYYY-MM-DD."`
	Status      string `json:"status" enum:"open,done"`
	DoneOn      string `json:"done_on" doc:"When it was done, YYYY-MM-DD; empty while open."`
	Note        string `json:"note"`
	// Overdue is true for an open action whose due date has passed.
	Overdue   bool      `json:"overdue"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ActionRequest plans a corrective action.
type ActionRequest struct {
	Description string `json:"description" minLength:"1" maxLength:"10000"`
	OwnerID     string `json:"owner_id" minLength:"1" doc:"The member who carries it out."`
	DueOn       string `json:"due_on" doc:"When it must be done, YYYY-MM-DD."`
}

// ActionUpdate changes the fields of an action it names, or marks it done.
type ActionUpdate struct {
	Version     int     `json:"version" minimum:"1" doc:"The action's version this change is based on."`
	Description *string `json:"description,omitempty" maxLength:"10000"`
	OwnerID     *string `json:"owner_id,omitempty"`
	DueOn       *string `json:"due_on,omitempty"`
	Status      *string `json:"status,omitempty" enum:"open,done"`
	// DoneOn is when it was done; today when marking it done without one.
	DoneOn *string `json:"done_on,omitempty"`
	Note   *string `json:"note,omitempty" maxLength:"10000"`
}

// auditAction is what the audit log records of an action.
type auditAction struct {
	Ref         string `json:"ref"`
	Description string `json:"description"`
	OwnerID     string `json:"owner_id"`
	DueOn       string `json:"due_on"`
	Status      string `json:"status"`
	DoneOn      string `json:"done_on"`
	Note        string `json:"note"`
}

func (a *Action) audit() auditAction {
	return auditAction{Ref: a.Ref, Description: a.Description, OwnerID: a.OwnerID, DueOn: a.DueOn, Status: a.Status, DoneOn: a.DoneOn, Note: a.Note}
}

// checkAction trims the action's fields and records every problem.
func (s *Service) checkAction(ctx context.Context, orgID string, a *Action, p *aims.Problems) error {
	text(p, "description", &a.Description, true, maxText)
	checkDate(p, "due_on", &a.DueOn, true)
	text(p, "note", &a.Note, false, maxText)
	if a.Status != ActionStatusOpen && a.Status != ActionStatusDone {
		p.Add("status", "must be open or done")
	}
	if a.Status == ActionStatusDone {
		checkDate(p, "done_on", &a.DoneOn, true)
		if !p.Has("done_on") && a.DoneOn > s.today() {
			p.Add("done_on", "must not be in the future")
		}
	} else {
		a.DoneOn = ""
	}
	a.OwnerID = strings.TrimSpace(a.OwnerID)
	if a.OwnerID == "" {
		p.Add("owner_id", "is required")
		return nil
	}
	return s.checkMember(ctx, orgID, "owner_id", a.OwnerID, p)
}

// statusAfterActions is where a nonconformity stands given its actions:
// planned while one is open, verifying when all are done.
func statusAfterActions(actions []Action) string {
	if len(actions) == 0 {
		return StatusOpen
	}
	for _, a := range actions {
		if a.Status == ActionStatusOpen {
			return StatusPlanned
		}
	}
	return StatusVerifying
}

// AddAction plans a corrective action; the nonconformity goes to planned.
func (s *Service) AddAction(ctx context.Context, actor *aims.Actor, idOrRef string, req ActionRequest) (*Action, error) {
	if err := identity.Authorize(actor, identity.ActNCEdit); err != nil {
		return nil, err
	}
	var out *Action
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		n, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, 0)
		if err != nil {
			return err
		}
		a := &Action{Description: req.Description, OwnerID: req.OwnerID, DueOn: req.DueOn, Status: ActionStatusOpen}
		var p aims.Problems
		if err := s.checkAction(ctx, actor.OrgID, a, &p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT last_action FROM nonconformities WHERE id = ?`, n.ID).Scan(&last); err != nil {
			return err
		}
		now := s.clock()
		a.ID, a.Number, a.Version, a.CreatedAt, a.UpdatedAt = aims.NewID(), last+1, 1, now, now
		a.Ref = n.Ref + "/A" + strconv.Itoa(a.Number)
		if _, err := tx.ExecContext(ctx, `INSERT INTO nc_actions (id, org_id, nc_id, number, description, owner_id, due_on, status,
			done_on, note, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', 1, ?, ?)`,
			a.ID, actor.OrgID, n.ID, a.Number, a.Description, a.OwnerID, a.DueOn, a.Status, now, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE nonconformities SET last_action = ? WHERE id = ?`, a.Number, n.ID); err != nil {
			return err
		}
		if err := s.bump(ctx, tx, actor.OrgID, n, StatusPlanned); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, a.audit())
		if err != nil {
			return err
		}
		if n.Status != StatusPlanned {
			ch = append(ch, tlog.Change{Field: "nonconformity.status", Before: mustJSON(n.Status), After: mustJSON(StatusPlanned)})
		}
		out = a
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionActionAdd, tlog.EventObject{Type: ObjectAction, ID: a.ID, Ref: a.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot plan corrective action for %s: %w", idOrRef, err)
	}
	return out, nil
}

// UpdateAction changes a corrective action or marks it done; when every
// action is done the nonconformity goes to verifying.
func (s *Service) UpdateAction(ctx context.Context, actor *aims.Actor, idOrRef string, number int, req ActionUpdate) (*Action, error) {
	if err := identity.Authorize(actor, identity.ActNCEdit); err != nil {
		return nil, err
	}
	var out *Action
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		n, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, 0)
		if err != nil {
			return err
		}
		i := actionIndex(n.Actions, number)
		if i < 0 {
			return aims.NotFound("corrective action", n.Ref+"/A"+strconv.Itoa(number))
		}
		before := n.Actions[i]
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		after := before
		for dst, src := range map[*string]*string{&after.Description: req.Description, &after.OwnerID: req.OwnerID,
			&after.DueOn: req.DueOn, &after.Status: req.Status, &after.DoneOn: req.DoneOn, &after.Note: req.Note} {
			if src != nil {
				*dst = strings.TrimSpace(*src)
			}
		}
		if after.Status == ActionStatusDone && after.DoneOn == "" {
			after.DoneOn = s.today()
		}
		var p aims.Problems
		if err := s.checkAction(ctx, actor.OrgID, &after, &p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			out = &before
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE nc_actions SET description = ?, owner_id = ?, due_on = ?, status = ?, done_on = ?,
			note = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Description, after.OwnerID, after.DueOn, after.Status, after.DoneOn, after.Note, now, before.ID, actor.OrgID, before.Version); err != nil {
			return err
		}
		n.Actions[i] = after
		status := statusAfterActions(n.Actions)
		if err := s.bump(ctx, tx, actor.OrgID, n, status); err != nil {
			return err
		}
		if status != n.Status {
			ch = append(ch, tlog.Change{Field: "nonconformity.status", Before: mustJSON(n.Status), After: mustJSON(status)})
		}
		after.Version, after.UpdatedAt, after.Overdue = before.Version+1, now, after.Status == ActionStatusOpen && after.DueOn < s.today()
		out = &after
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionActionUpdate, tlog.EventObject{Type: ObjectAction, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change corrective action %d of %s: %w", number, idOrRef, err)
	}
	return out, nil
}

func actionIndex(as []Action, number int) int {
	for i, a := range as {
		if a.Number == number {
			return i
		}
	}
	return -1
}

// actions reads the corrective actions of a nonconformity, by number.
func (s *Service) actions(ctx context.Context, q db.Queryer, orgID string, n *Nonconformity) ([]Action, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, number, description, owner_id, due_on, status, done_on, note, version, created_at, updated_at
		FROM nc_actions WHERE org_id = ? AND nc_id = ? ORDER BY number`, orgID, n.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := s.today()
	out := []Action{}
	for rows.Next() {
		var a Action
		if err := rows.Scan(&a.ID, &a.Number, &a.Description, &a.OwnerID, &a.DueOn, &a.Status, &a.DoneOn, &a.Note, &a.Version,
			&a.CreatedAt, &a.UpdatedAt); err != nil {
			return nil, err
		}
		a.Ref = n.Ref + "/A" + strconv.Itoa(a.Number)
		a.Overdue = a.Status == ActionStatusOpen && a.DueOn < today
		out = append(out, a)
	}
	return out, rows.Err()
}

func sortNewestFirst(evs []tlog.Event) {
	sort.Slice(evs, func(i, j int) bool { return evs[i].Index > evs[j].Index })
}
