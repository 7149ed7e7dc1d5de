package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// SignOffRequest signs a review off as its chair.
type SignOffRequest struct {
	Version int    `json:"version" minimum:"1" doc:"The review's version as you read it."`
	HeldOn  string `json:"held_on,omitempty" doc:"When the meeting was held, YYYY-MM-DD; the recorded date when left out."`
}

// auditSignOff is what the audit log records of a sign-off.
type auditSignOff struct {
	Status      string   `json:"status"`
	HeldOn      string   `json:"held_on"`
	PeriodFrom  string   `json:"period_from"`
	SignedOffBy string   `json:"signed_off_by"`
	Inputs      string   `json:"inputs_sha256"`
	Missing     []string `json:"missing_inputs"`
	Decisions   int      `json:"decisions"`
	Actions     int      `json:"actions"`
}

// SignOff records the chair's sign-off: the inputs compiled now are stored
// with the review, and the review, its decisions and the agreed text of its
// actions are frozen. Only the chair may sign off, once the meeting date is
// recorded and at least one decision is.
func (s *Service) SignOff(ctx context.Context, actor *aims.Actor, idOrRef string, req SignOffRequest) (*Review, error) {
	if err := identity.Authorize(actor, identity.ActReviewSignOff); err != nil {
		return nil, err
	}
	r, err := getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusDraft {
		return nil, frozen(r.Ref)
	}
	since, err := s.periodStart(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	inputs, err := s.compile(ctx, actor, r.ID, since)
	if err != nil {
		return nil, err
	}
	stored, err := json.Marshal(inputs)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(stored)
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := getRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		if r.Status != StatusDraft {
			return frozen(r.Ref)
		}
		if r.Chair != actor.UserID {
			return aims.Errorf(aims.CodeForbidden, "only the chair of %s may sign it off", r.Ref)
		}
		if req.Version != r.Version {
			return staleVersion(r.Ref, r.Version, req.Version)
		}
		var p aims.Problems
		heldOn := r.HeldOn
		if req.HeldOn != "" {
			heldOn = req.HeldOn
			checkDate(&p, "held_on", &heldOn, true)
			if !p.Has("held_on") && heldOn > s.today() {
				p.Add("held_on", "must not be in the future")
			}
		} else if heldOn == "" {
			p.Add("held_on", "must be recorded before the review is signed off")
		}
		var decisions, actions int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM review_decisions WHERE review_id = ?),
			(SELECT count(*) FROM review_actions WHERE review_id = ?)`, r.ID, r.ID).Scan(&decisions, &actions); err != nil {
			return err
		}
		if decisions == 0 {
			p.Add("decisions", "must include at least one: record what management decided before signing off")
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := s.clock()
		a := auditSignOff{Status: StatusSignedOff, HeldOn: heldOn, PeriodFrom: inputs.PeriodFrom, SignedOffBy: actor.UserID,
			Inputs: hex.EncodeToString(sum[:]), Missing: inputs.MissingRequired(), Decisions: decisions, Actions: actions}
		if a.Missing == nil {
			a.Missing = []string{}
		}
		res, err := tx.ExecContext(ctx, `UPDATE management_reviews SET status = ?, held_on = ?, period_from = ?, inputs = ?,
			signed_off_by = ?, signed_off_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			StatusSignedOff, heldOn, inputs.PeriodFrom, string(stored), actor.UserID, now, now, r.ID, actor.OrgID, r.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(r.Ref, r.Version+1, req.Version)
		}
		ch, err := tlog.Changes(map[string]any{"status": StatusDraft}, a)
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionSignOff, tlog.EventObject{Type: ObjectReview, ID: r.ID, Ref: r.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot sign off management review %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, r.ID)
}
