package risk

import (
	"context"
	"fmt"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Accept records that designated management accepts a risk's residual
// level for its current treatment plan (ISO/IEC 42001 6.1.3): who, when,
// which plan version, until when and why. Owners and managers accept a
// level within the appetite; a level above it only an owner accepts, with
// an explicit confirmation and a reason, both recorded in the audit event.
// The acceptance becomes stale when the plan or the residual rating
// changes, and expires after its last valid day.
func (s *Service) Accept(ctx context.Context, actor *aims.Actor, idOrRef string, req AcceptRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskAccept); err != nil {
		return nil, err
	}
	if actor.UserID == "" {
		return nil, aims.Errorf(aims.CodeForbidden, "residual risk is accepted by a person: sign in, or use your own API token")
	}
	cur, err := s.one(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "note", &req.Note, false, maxText)
	checkText(&p, "above_appetite_reason", &req.AboveAppetiteReason, false, maxText)
	today := s.clock().UTC()
	if t, ok := checkDate(&p, "valid_until", &req.ValidUntil); ok {
		switch v := t.Format(DateLayout); {
		case v <= today.Format(DateLayout):
			p.Add("valid_until", "must be after today")
		case v > addDays(today, maxAcceptDays):
			p.Add("valid_until", "must be within five years")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, cur.ID, req.Version, ActionAccept, func(tx *db.Tx, before, after *row) ([]tlog.Change, error) {
		if before.option == "" || before.resLikelihood == 0 {
			return nil, &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
				"%s has no treatment with a residual rating yet; choose the treatment and set the residual likelihood and impact before accepting", before.ref),
				Fields: []aims.FieldError{{Field: "residual", Message: "is not set"}}}
		}
		c, err := criteriaVersion(ctx, tx, actor.OrgID, before.criteriaVersion)
		if err != nil {
			return nil, err
		}
		level := before.residualLevel
		above := c.Above(level)
		if above {
			if !identity.Can(actor, identity.ActRiskAcceptAbove) {
				return nil, &aims.Error{Code: aims.CodeForbidden, Message: fmt.Sprintf(
					"the residual level of %s, %s, is above the risk appetite (%s), so only an owner can accept it, with a recorded reason",
					before.ref, level, c.Appetite),
					Fields: []aims.FieldError{{Field: "residual_level", Message: fmt.Sprintf("is %s, above the appetite %s", level, c.Appetite)}}}
			}
			var missing []aims.FieldError
			if !req.AboveAppetiteConfirmed {
				missing = append(missing, aims.FieldError{Field: "above_appetite_confirmed",
					Message: "must be confirmed: the residual level " + level + " is above the appetite " + c.Appetite})
			}
			if req.AboveAppetiteReason == "" {
				missing = append(missing, aims.FieldError{Field: "above_appetite_reason",
					Message: "is required to accept a level above the appetite"})
			}
			if len(missing) > 0 {
				return nil, &aims.Error{Code: aims.CodeConflict, Fields: missing, Message: fmt.Sprintf(
					"the residual level of %s, %s, is above the risk appetite (%s), so accepting it needs your explicit confirmation and the reason",
					before.ref, level, c.Appetite)}
			}
		}
		validUntil := req.ValidUntil
		if validUntil == "" {
			validUntil = addDays(s.clock(), c.ReviewDays(level))
		}
		reason := ""
		if above {
			reason = req.AboveAppetiteReason
		}
		id := aims.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_acceptances (id, org_id, risk_id, accepted_by, accepted_at, plan_version,
			criteria_version, residual_likelihood, residual_impact, residual_level, appetite, above_appetite, reason, valid_until, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, actor.OrgID, before.id, actor.UserID, s.clock(), before.planVersion,
			before.criteriaVersion, before.resLikelihood, before.resImpact, level, c.Appetite, above, reason, validUntil, req.Note); err != nil {
			return nil, err
		}
		after.acceptanceID = id
		fields := map[string]any{"accepted_by": actor.UserID, "plan_version": before.planVersion, "residual_level": level,
			"appetite": c.Appetite, "valid_until": validUntil, "note": req.Note, "above_appetite": above}
		if above {
			fields["above_appetite_confirmed"] = true
			fields["above_appetite_reason"] = reason
		}
		return tlog.Changes(nil, fields)
	})
}
