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

// DecisionRequest approves, refuses or withdraws a request.
type DecisionRequest struct {
	Version int `json:"version" minimum:"1" doc:"The request's version as you read it."`
	// Note is the approver's note, or the reason for a refusal, which is required.
	Note string `json:"note,omitempty" maxLength:"4000" doc:"A note with an approval; the reason for a refusal (required there)."`
}

// OverrideRequest approves a stage move whose requirements are not all met.
type OverrideRequest struct {
	Version int    `json:"version" minimum:"1" doc:"The request's version as you read it."`
	Reason  string `json:"reason" maxLength:"4000" doc:"Why the system may move although requirements are unmet; recorded with the approval."`
}

// ApproveRequest approves an open stage-move request whose checks, evaluated
// again now, are all met, and moves the system to the stage in the same
// transaction.
func (s *Service) ApproveRequest(ctx context.Context, actor *aims.Actor, idOrRef string, req DecisionRequest) (*StageRequest, error) {
	if err := identity.Authorize(actor, identity.ActStageDecide); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "note", &req.Note, false, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.approve(ctx, actor, idOrRef, req.Version, req.Note, false)
}

// OverrideRequest approves an open stage-move request although some of its
// checks are not met: an owner's decision, with the reason recorded on the
// request and in its audit event. When every check is met it is refused:
// approve the request instead.
func (s *Service) OverrideRequest(ctx context.Context, actor *aims.Actor, idOrRef string, req OverrideRequest) (*StageRequest, error) {
	if err := identity.Authorize(actor, identity.ActStageDecide); err != nil {
		return nil, err
	}
	if err := identity.Authorize(actor, identity.ActGateOverride); err != nil {
		return nil, aims.Errorf(aims.CodeForbidden, "only an owner can move a system past a gate whose requirements are not met")
	}
	var p aims.Problems
	checkText(&p, "reason", &req.Reason, true, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.approve(ctx, actor, idOrRef, req.Version, req.Reason, true)
}

// approve evaluates the checks again and, when they allow it, records the
// approval and moves the system in one transaction.
func (s *Service) approve(ctx context.Context, actor *aims.Actor, idOrRef string, version int, note string, override bool) (*StageRequest, error) {
	r, err := readRequest(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if err := decidable(r, version); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, r.SystemID)
	if err != nil {
		return nil, err
	}
	gates, err := gatesOf(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	checks, err := s.evaluate(ctx, actor, sys, r.From, r.To, r.Plan, gates)
	if err != nil {
		return nil, err
	}
	switch {
	case !override && !checks.Met:
		return nil, aims.Errorf(aims.CodeConflict, "%s cannot be approved: not met: %s. Satisfy them and approve again; only an owner can override the gate, with a reason",
			r.Ref, strings.Join(checks.Missing, "; "))
	case override && checks.Met:
		return nil, aims.Errorf(aims.CodeConflict, "every requirement of %s is met: approve it without an override", r.Ref)
	}
	action, status := ActionRequestApprove, RequestApproved
	if override {
		action = ActionRequestOverride
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		now, by := s.clock(), tlog.ActorOf(actor).ID
		res, err := tx.ExecContext(ctx, `UPDATE stage_requests SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?,
			overridden = ?, checks = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND status = ? AND version = ?`,
			status, by, now, note, override, string(mustJSON(checks)), now, r.ID, actor.OrgID, RequestOpen, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale(r.Ref, r.Version+1, version)
		}
		reason := r.Ref + ": " + r.Justification
		if override {
			reason = r.Ref + ", approved by an owner's override: " + note
		}
		if err := s.sources.SetStage(ctx, tx, actor, r.SystemID, r.From, r.To, reason); err != nil {
			return err
		}
		ch := []tlog.Change{
			{Field: "status", Before: mustJSON(RequestOpen), After: mustJSON(status)},
			{Field: "checks_met", Before: nothing, After: mustJSON(checks.Met)},
		}
		if note != "" {
			ch = append(ch, tlog.Change{Field: "decision_note", Before: mustJSON(""), After: mustJSON(note)})
		}
		if override {
			ch = append(ch, tlog.Change{Field: "overridden", Before: mustJSON(false), After: mustJSON(true)},
				tlog.Change{Field: "unmet", Before: nothing, After: mustJSON(checks.Missing)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectRequest, ID: r.ID, Ref: r.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot approve %s: %w", r.Ref, err)
	}
	return s.GetRequest(ctx, actor, r.ID)
}

// RefuseRequest refuses an open stage-move request, with a reason; the
// checks as they stand are recorded with it.
func (s *Service) RefuseRequest(ctx context.Context, actor *aims.Actor, idOrRef string, req DecisionRequest) (*StageRequest, error) {
	if err := identity.Authorize(actor, identity.ActStageDecide); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "note", &req.Note, true, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	r, err := readRequest(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if err := decidable(r, req.Version); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, r.SystemID)
	if err != nil {
		return nil, err
	}
	gates, err := gatesOf(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	checks, err := s.evaluate(ctx, actor, sys, r.From, r.To, r.Plan, gates)
	if err != nil {
		return nil, err
	}
	err = s.close(ctx, actor, r, req.Version, RequestRefused, ActionRequestRefuse, req.Note, string(mustJSON(checks)))
	if err != nil {
		return nil, fmt.Errorf("cannot refuse %s: %w", r.Ref, err)
	}
	return s.GetRequest(ctx, actor, r.ID)
}

// WithdrawRequest withdraws an open stage-move request; only the person
// who asked can.
func (s *Service) WithdrawRequest(ctx context.Context, actor *aims.Actor, idOrRef string, req DecisionRequest) (*StageRequest, error) {
	if err := identity.Authorize(actor, identity.ActStageRequest); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "note", &req.Note, false, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	r, err := readRequest(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if r.RequestedBy != tlog.ActorOf(actor).ID {
		return nil, aims.Errorf(aims.CodeForbidden, "only %s, who requested %s, can withdraw it", r.RequestedByName, r.Ref)
	}
	if err := decidable(r, req.Version); err != nil {
		return nil, err
	}
	if err := s.close(ctx, actor, r, req.Version, RequestWithdrawn, ActionRequestWithdraw, req.Note, ""); err != nil {
		return nil, fmt.Errorf("cannot withdraw %s: %w", r.Ref, err)
	}
	return s.GetRequest(ctx, actor, r.ID)
}

// close ends an open request without moving the system.
func (s *Service) close(ctx context.Context, actor *aims.Actor, r *requestRow, version int, status, action, note, checks string) error {
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		now, by := s.clock(), tlog.ActorOf(actor).ID
		res, err := tx.ExecContext(ctx, `UPDATE stage_requests SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, checks = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND status = ? AND version = ?`,
			status, by, now, note, checks, now, r.ID, actor.OrgID, RequestOpen, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale(r.Ref, r.Version+1, version)
		}
		ch := []tlog.Change{{Field: "status", Before: mustJSON(RequestOpen), After: mustJSON(status)}}
		if note != "" {
			ch = append(ch, tlog.Change{Field: "decision_note", Before: mustJSON(""), After: mustJSON(note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectRequest, ID: r.ID, Ref: r.Ref}, ch)
	})
}

// decidable refuses a decision on a request that is no longer open or has
// changed since the version sent.
func decidable(r *requestRow, version int) error {
	if r.Status != RequestOpen {
		return aims.Errorf(aims.CodeConflict, "%s is %s already", r.Ref, r.Status)
	}
	if version != r.Version {
		return stale(r.Ref, r.Version, version)
	}
	return nil
}
