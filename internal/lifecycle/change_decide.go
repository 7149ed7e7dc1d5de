package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// ReclassifyRequest raises a minor change to significant.
type ReclassifyRequest struct {
	Version        int    `json:"version" minimum:"1" doc:"The change request's version as you read it."`
	Classification string `json:"classification" enum:"significant,minor" doc:"significant: a change can be raised to significant, never lowered."`
	Reason         string `json:"reason" maxLength:"4000" doc:"Why the change is significant."`
}

// ChangeDecision approves, refuses, implements or withdraws a change request.
type ChangeDecision struct {
	Version int `json:"version" minimum:"1" doc:"The change request's version as you read it."`
	// Note is required to refuse (the reason) and to record an implementation.
	Note string `json:"note,omitempty" maxLength:"4000" doc:"A note with an approval or withdrawal; the reason for a refusal and what was done for an implementation (required there)."`
}

// ReclassifyChange raises a requested minor change to significant, with a
// reason; a lead's decision. A change is never lowered to minor: not when
// a rule made it significant, and not when a person did.
func (s *Service) ReclassifyChange(ctx context.Context, actor *aims.Actor, idOrRef string, req ReclassifyRequest) (*ChangeRequest, error) {
	if err := identity.Authorize(actor, identity.ActStageDecide); err != nil {
		return nil, err
	}
	var p aims.Problems
	req.Classification = strings.TrimSpace(req.Classification)
	if req.Classification != Significant && req.Classification != Minor {
		p.Add("classification", "must be significant or minor")
	}
	checkText(&p, "reason", &req.Reason, true, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	c, err := readChange(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if err := changeIn(c, req.Version, ChangeRequested); err != nil {
		return nil, err
	}
	switch {
	case req.Classification == Minor && significantByRule(c.Kinds):
		return nil, conflictField("classification", "%s is significant by rule (%s): it can never be lowered to minor", c.Ref, c.ClassificationRule)
	case req.Classification == Minor:
		return nil, conflictField("classification", "%s was made significant by a person: a change can be raised to significant, never lowered", c.Ref)
	case c.Classification == Significant:
		return nil, conflictField("classification", "%s is significant already", c.Ref)
	}
	name := actor.Label()
	rule := "significant: raised from minor by " + name + ": " + req.Reason
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		now, by := s.clock(), tlog.ActorOf(actor).ID
		res, err := tx.ExecContext(ctx, `UPDATE change_requests SET classification = ?, classification_rule = ?, raised_by = ?, raised_reason = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			Significant, rule, by, req.Reason, now, c.ID, actor.OrgID, req.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale(c.Ref, c.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionChangeReclass, tlog.EventObject{Type: ObjectChange, ID: c.ID, Ref: c.Ref}, []tlog.Change{
			{Field: "classification", Before: mustJSON(Minor), After: mustJSON(Significant)},
			{Field: "classification_rule", Before: mustJSON(c.ClassificationRule), After: mustJSON(rule)},
			{Field: "raised_reason", Before: mustJSON(""), After: mustJSON(req.Reason)},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot reclassify %s: %w", c.Ref, err)
	}
	return s.GetChange(ctx, actor, c.ID)
}

// ApproveChange approves a requested change. Approving a significant
// change records, in the same transaction, an event on the AI system whose
// significant_change field names it: the risk register and impact
// assessments read it and make the system's risks and assessments due for
// review, and the next stage move waits for those reviews.
func (s *Service) ApproveChange(ctx context.Context, actor *aims.Actor, idOrRef string, req ChangeDecision) (*ChangeRequest, error) {
	return s.decideChange(ctx, actor, idOrRef, req, ChangeRequested, ChangeApproved, ActionChangeApprove, false)
}

// RefuseChange refuses a requested change, with a reason.
func (s *Service) RefuseChange(ctx context.Context, actor *aims.Actor, idOrRef string, req ChangeDecision) (*ChangeRequest, error) {
	return s.decideChange(ctx, actor, idOrRef, req, ChangeRequested, ChangeRefused, ActionChangeRefuse, true)
}

// ImplementChange records that an approved change was made, with a note of what was done.
func (s *Service) ImplementChange(ctx context.Context, actor *aims.Actor, idOrRef string, req ChangeDecision) (*ChangeRequest, error) {
	return s.decideChange(ctx, actor, idOrRef, req, ChangeApproved, ChangeImplemented, ActionChangeImplement, true)
}

// WithdrawChange withdraws a requested change; only the person who raised it can.
func (s *Service) WithdrawChange(ctx context.Context, actor *aims.Actor, idOrRef string, req ChangeDecision) (*ChangeRequest, error) {
	return s.decideChange(ctx, actor, idOrRef, req, ChangeRequested, ChangeWithdrawn, ActionChangeWithdraw, false)
}

// decideChange moves a change request from one status to the next.
func (s *Service) decideChange(ctx context.Context, actor *aims.Actor, idOrRef string, req ChangeDecision, from, to, action string,
	noteRequired bool) (*ChangeRequest, error) {
	permission := identity.ActStageDecide
	if to == ChangeWithdrawn {
		permission = identity.ActStageRequest
	}
	if err := identity.Authorize(actor, permission); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "note", &req.Note, noteRequired, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	c, err := readChange(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	by := tlog.ActorOf(actor).ID
	if to == ChangeWithdrawn && c.RequestedBy != by {
		return nil, aims.Errorf(aims.CodeForbidden, "only %s, who raised %s, can withdraw it", c.RequestedByName, c.Ref)
	}
	if err := changeIn(c, req.Version, from); err != nil {
		return nil, err
	}
	var sys *SystemInfo
	if to == ChangeApproved && c.Classification == Significant {
		if sys, err = s.sources.System(ctx, actor, c.SystemID); err != nil {
			return nil, err
		}
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		var set string
		var args []any
		if to == ChangeImplemented {
			set, args = "implemented_by = ?, implemented_at = ?, implementation_note = ?", []any{by, now, req.Note}
		} else {
			set, args = "decided_by = ?, decided_at = ?, decision_note = ?", []any{by, now, req.Note}
		}
		res, err := tx.ExecContext(ctx, `UPDATE change_requests SET status = ?, `+set+`, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ? AND status = ? AND version = ?`, append(append([]any{to}, args...), now, c.ID, actor.OrgID, from, req.Version)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale(c.Ref, c.Version+1, req.Version)
		}
		ch := []tlog.Change{{Field: "status", Before: mustJSON(from), After: mustJSON(to)}}
		if req.Note != "" {
			field := "decision_note"
			if to == ChangeImplemented {
				field = "implementation_note"
			}
			ch = append(ch, tlog.Change{Field: field, Before: mustJSON(""), After: mustJSON(req.Note)})
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectChange, ID: c.ID, Ref: c.Ref}, ch); err != nil {
			return err
		}
		if sys == nil {
			return nil
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionSignificantChange, tlog.EventObject{Type: SystemObject, ID: sys.ID, Ref: sys.Ref},
			[]tlog.Change{{Field: SignificantField, Before: mustJSON(""), After: mustJSON(c.Ref + ": " + c.Title)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot mark %s %s: %w", c.Ref, to, err)
	}
	return s.GetChange(ctx, actor, c.ID)
}

// changeIn refuses a decision on a change request that is not in the
// expected status or has changed since the version sent.
func changeIn(c *ChangeRequest, version int, status string) error {
	if c.Status != status {
		return aims.Errorf(aims.CodeConflict, "%s is %s, not %s", c.Ref, c.Status, status)
	}
	if version != c.Version {
		return stale(c.Ref, c.Version, version)
	}
	return nil
}

// conflictField is a conflict that names the field at fault.
func conflictField(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &aims.Error{Code: aims.CodeConflict, Message: msg, Fields: []aims.FieldError{{Field: field, Message: msg}}}
}
