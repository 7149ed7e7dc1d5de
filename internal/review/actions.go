package review

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// auditAction is what the audit log records of an action.
type auditAction struct {
	Description string `json:"description"`
	Owner       string `json:"owner"`
	DueOn       string `json:"due_on"`
	Status      string `json:"status"`
	DoneOn      string `json:"done_on"`
}

func (a *Action) audit() auditAction {
	return auditAction{Description: a.Description, Owner: a.Owner.UserID, DueOn: a.DueOn, Status: a.Status, DoneOn: a.DoneOn}
}

// normalise checks an action's fields, resolving its owner, and records every problem.
func (a *Action) normalise(p *aims.Problems, ms []Member, today string) {
	text(p, "description", &a.Description, true, maxDecision)
	if strings.TrimSpace(a.Owner.UserID) == "" {
		p.Add("owner", "is required")
	} else if m, ok := resolveMember(p, "owner", a.Owner.UserID, ms); ok {
		a.Owner = Person{UserID: m.UserID, Name: m.Name, Email: m.Email}
	}
	checkDate(p, "due_on", &a.DueOn, true)
	switch a.Status {
	case ActionOpen:
		if strings.TrimSpace(a.DoneOn) != "" {
			p.Add("done_on", "must be empty while the action is open")
		}
		a.DoneOn = ""
	case ActionDone:
		if strings.TrimSpace(a.DoneOn) == "" {
			a.DoneOn = today
		}
		checkDate(p, "done_on", &a.DoneOn, true)
		if !p.Has("done_on") && a.DoneOn > today {
			p.Add("done_on", "must not be in the future")
		}
	default:
		p.Add("status", "must be open or done")
	}
}

// GetAction returns an action of a review by its number.
func (s *Service) GetAction(ctx context.Context, actor *aims.Actor, idOrRef string, number int) (*Action, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	a, err := s.action(ctx, s.db, actor.OrgID, r, number)
	if err != nil {
		return nil, err
	}
	by, _, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	a.Owner = person(by, a.Owner.UserID)
	return a, nil
}

func (s *Service) action(ctx context.Context, q db.Queryer, orgID string, r *row, number int) (*Action, error) {
	as, err := s.actions(ctx, q, orgID, `a.review_id = ? AND a.number = ?`, r.ID, number)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, aims.NotFound("action", r.Ref+"/A"+strconv.Itoa(number))
	}
	return &as[0], nil
}

// AddAction records an open action of a draft review.
func (s *Service) AddAction(ctx context.Context, actor *aims.Actor, idOrRef string, req ActionRequest) (*Action, error) {
	if err := identity.Authorize(actor, identity.ActReviewEdit); err != nil {
		return nil, err
	}
	_, ms, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	a := &Action{Description: req.Description, Owner: Person{UserID: req.Owner}, DueOn: req.DueOn, Status: ActionOpen}
	var p aims.Problems
	a.normalise(&p, ms, s.today())
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.draft(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		now := s.clock()
		a.ID, a.ReviewRef, a.Number, a.Version, a.CreatedAt, a.UpdatedAt = aims.NewID(), r.Ref, r.LastAction+1, 1, now, now
		a.Ref = r.Ref + "/A" + strconv.Itoa(a.Number)
		a.Overdue = a.DueOn < s.today()
		if _, err := tx.ExecContext(ctx, `UPDATE management_reviews SET last_action = ? WHERE id = ? AND last_action = ?`,
			a.Number, r.ID, r.LastAction); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_actions (id, org_id, review_id, number, description, owner_id, due_on,
			status, done_on, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 1, ?, ?)`,
			a.ID, actor.OrgID, r.ID, a.Number, a.Description, a.Owner.UserID, a.DueOn, a.Status, now, now); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, a.audit())
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionActionAdd, tlog.EventObject{Type: ObjectAction, ID: a.ID, Ref: a.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record action: %w", err)
	}
	return a, nil
}

// UpdateAction changes an action. While the review is a draft any field
// may change; once it is signed off only the status and done date, so the
// agreed text, owner and due date stay as management agreed them.
func (s *Service) UpdateAction(ctx context.Context, actor *aims.Actor, idOrRef string, number int, req ActionChange) (*Action, error) {
	if err := identity.Authorize(actor, identity.ActReviewEdit); err != nil {
		return nil, err
	}
	by, ms, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out *Action
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := getRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		before, err := s.action(ctx, tx, actor.OrgID, r, number)
		if err != nil {
			return err
		}
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		after := *before
		after.Owner = person(by, before.Owner.UserID)
		if r.Status == StatusSignedOff {
			var p aims.Problems
			for field, changed := range map[string]bool{
				"description": req.Description != nil && strings.TrimSpace(*req.Description) != before.Description,
				"owner":       req.Owner != nil && strings.TrimSpace(*req.Owner) != before.Owner.UserID && !strings.EqualFold(strings.TrimSpace(*req.Owner), after.Owner.Email),
				"due_on":      req.DueOn != nil && strings.TrimSpace(*req.DueOn) != before.DueOn,
			} {
				if changed {
					p.Add(field, "cannot change: %s is signed off and its agreed actions are frozen", r.Ref)
				}
			}
			if len(p) > 0 {
				return &aims.Error{Code: aims.CodeConflict, Message: r.Ref + " is signed off: only the status of its actions can change", Fields: sortedFields(p)}
			}
		}
		for dst, src := range map[*string]*string{&after.Description: req.Description, &after.Owner.UserID: req.Owner, &after.DueOn: req.DueOn,
			&after.Status: req.Status} {
			if src != nil {
				*dst = *src
			}
		}
		switch {
		case req.DoneOn != nil:
			after.DoneOn = *req.DoneOn
		case after.Status != before.Status:
			after.DoneOn = ""
		}
		var p aims.Problems
		after.normalise(&p, ms, s.today())
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil {
			return err
		}
		out = &after
		if len(ch) == 0 {
			return nil // nothing changed: no new version, no event
		}
		now := s.clock()
		res, err := tx.ExecContext(ctx, `UPDATE review_actions SET description = ?, owner_id = ?, due_on = ?, status = ?, done_on = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Description, after.Owner.UserID, after.DueOn, after.Status, after.DoneOn, now, before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		after.Version, after.UpdatedAt = before.Version+1, now
		after.Overdue = after.Status == ActionOpen && after.DueOn < s.today()
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionActionUpdate, tlog.EventObject{Type: ObjectAction, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update action %s/A%d: %w", idOrRef, number, err)
	}
	return out, nil
}

// sortedFields lists problems in field order, so that messages do not depend on map order.
func sortedFields(p aims.Problems) []aims.FieldError {
	err := aims.AsError(p.Err())
	return err.Fields
}

// RemoveAction removes an action of a draft review; the history keeps it.
func (s *Service) RemoveAction(ctx context.Context, actor *aims.Actor, idOrRef string, number, version int) error {
	if err := identity.Authorize(actor, identity.ActReviewEdit); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.draft(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		a, err := s.action(ctx, tx, actor.OrgID, r, number)
		if err != nil {
			return err
		}
		if a.Version != version {
			return staleVersion(a.Ref, a.Version, version)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM review_actions WHERE id = ?`, a.ID); err != nil {
			return err
		}
		ch, err := tlog.Changes(a.audit(), nil)
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionActionRemove, tlog.EventObject{Type: ObjectAction, ID: a.ID, Ref: a.Ref}, ch)
	})
	if err != nil {
		return fmt.Errorf("cannot remove action: %w", err)
	}
	return nil
}
