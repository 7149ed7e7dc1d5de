package risk

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Assess rates a risk's likelihood and impact under the organisation's
// current criteria, which gives its inherent level, and sets the next
// review: as asked, or the assessment's day plus the level's review
// interval. Assessing under a newer criteria version than before clears the
// residual rating, whose scales may mean something else now.
func (s *Service) Assess(ctx context.Context, actor *aims.Actor, idOrRef string, req AssessRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	c, err := currentCriteria(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, aims.Errorf(aims.CodeConflict, "the organisation has no risk criteria yet: an owner or manager sets them before risks are assessed")
	}
	var p aims.Problems
	checkStep(&p, "likelihood", req.Likelihood, len(c.Likelihood))
	checkStep(&p, "impact", req.Impact, len(c.Impact))
	if t, ok := checkDate(&p, "next_review", &req.NextReview); ok && t.Format(DateLayout) < s.today() {
		p.Add("next_review", "must not be in the past")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, idOrRef, req.Version, ActionAssess, func(tx *db.Tx, before, after *row) ([]tlog.Change, error) {
		now, err := currentCriteria(ctx, tx, actor.OrgID)
		if err != nil {
			return nil, err
		}
		if now.Version != c.Version {
			return nil, aims.Errorf(aims.CodeConflict, "the risk criteria changed to version %d meanwhile: reload and assess again", now.Version)
		}
		rating := c.Rate(req.Likelihood, req.Impact)
		at := s.clock()
		after.criteriaVersion, after.likelihood, after.impact = c.Version, req.Likelihood, req.Impact
		after.inherentLevel, after.inherentRank = rating.Level, rating.Rank
		after.assessedAt, after.assessedBy = sql.NullTime{Time: at, Valid: true}, tlog.ActorOf(actor).ID
		after.nextReview = req.NextReview
		if after.nextReview == "" {
			after.nextReview = addDays(at, c.ReviewDays(rating.Level))
		}
		if before.criteriaVersion != 0 && before.criteriaVersion != c.Version {
			after.resLikelihood, after.resImpact, after.residualLevel, after.residualRank = 0, 0, "", 0
		}
		ch, err := tlog.Changes(assessAudit(before), assessAudit(after))
		if err != nil {
			return nil, err
		}
		return append(ch, tlog.Change{Field: "assessed_at", After: mustJSON(at)}), nil
	})
}

// checkStep records a problem unless v is a step of a scale of n steps.
func checkStep(p *aims.Problems, field string, v, n int) {
	if v < 1 || v > n {
		p.Add(field, "must be a step of the scale, 1 to %d", n)
	}
}

// assessAudit is what the audit event of an assessment records.
func assessAudit(r *row) map[string]any {
	return map[string]any{"criteria_version": r.criteriaVersion, "likelihood": r.likelihood, "impact": r.impact,
		"inherent_level": r.inherentLevel, "next_review": r.nextReview, "residual_likelihood": r.resLikelihood,
		"residual_impact": r.resImpact, "residual_level": r.residualLevel}
}

// SetTreatment sets how a risk is treated: the option, the plan, the
// controls and the residual rating expected. The plan's version increases
// when the option, the plan or the controls change, which makes an
// acceptance of the residual risk stale; so does a changed residual rating.
func (s *Service) SetTreatment(ctx context.Context, actor *aims.Actor, idOrRef string, req TreatmentRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	cur, err := s.one(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	var p aims.Problems
	req.Option = strings.TrimSpace(req.Option)
	if !allowed(TreatmentOptions, req.Option) {
		p.Add("option", "must be one of %s", values(TreatmentOptions))
	}
	checkText(&p, "plan", &req.Plan, false, maxLongText)
	controls, err := s.checkControls(ctx, actor.OrgID, req.Controls, &p)
	if err != nil {
		return nil, err
	}
	var c *Criteria
	if cur.CriteriaVersion > 0 {
		if c, err = criteriaVersion(ctx, s.db, actor.OrgID, cur.CriteriaVersion); err != nil {
			return nil, err
		}
	}
	switch {
	case req.ResidualLikelihood == 0 && req.ResidualImpact == 0:
	case c == nil:
		p.Add("residual_likelihood", "cannot be set before the risk is assessed")
	default:
		checkStep(&p, "residual_likelihood", req.ResidualLikelihood, len(c.Likelihood))
		checkStep(&p, "residual_impact", req.ResidualImpact, len(c.Impact))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, cur.ID, req.Version, ActionTreatmentChange, func(tx *db.Tx, before, after *row) ([]tlog.Change, error) {
		if before.criteriaVersion == 0 {
			return nil, aims.Errorf(aims.CodeConflict, "%s is not assessed yet: assess its likelihood and impact before planning its treatment", before.ref)
		}
		if before.criteriaVersion != cur.CriteriaVersion {
			return nil, staleVersion(before.ref, before.version+1, req.Version)
		}
		oldControls, err := controlsOf(ctx, tx, before.id)
		if err != nil {
			return nil, err
		}
		after.option, after.plan = req.Option, req.Plan
		after.resLikelihood, after.resImpact, after.residualLevel, after.residualRank = req.ResidualLikelihood, req.ResidualImpact, "", 0
		if r := c.Rate(req.ResidualLikelihood, req.ResidualImpact); r != nil {
			after.residualLevel, after.residualRank = r.Level, r.Rank
		}
		planChanged := before.option != after.option || before.plan != after.plan || strings.Join(oldControls, ",") != strings.Join(controls, ",")
		if planChanged {
			after.planVersion++
		}
		ch, err := tlog.Changes(treatmentAudit(before, oldControls), treatmentAudit(after, controls))
		if err != nil || len(ch) == 0 {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM risk_controls WHERE risk_id = ?`, before.id); err != nil {
			return nil, err
		}
		for _, id := range controls {
			if _, err := tx.ExecContext(ctx, `INSERT INTO risk_controls (org_id, risk_id, control_id) VALUES (?, ?, ?)`,
				actor.OrgID, before.id, id); err != nil {
				return nil, err
			}
		}
		return ch, nil
	})
}

// checkControls resolves control ids, naming every unknown one, and returns
// them without repeats in catalogue order.
func (s *Service) checkControls(ctx context.Context, orgID string, ids []string, p *aims.Problems) ([]string, error) {
	var out, unknown []string
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.ToUpper(strings.TrimSpace(id))
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		ok, err := s.sources.ControlExists(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		out = append(out, id)
	}
	if len(unknown) > 0 {
		p.Add("controls", "must name Annex A controls or the organisation's own: %s is not one", strings.Join(unknown, ", "))
	}
	if len(out) > 100 {
		p.Add("controls", "must list at most 100 controls")
	}
	sort.Slice(out, func(i, j int) bool { return lessRef(out[i], out[j]) })
	return out, nil
}

// controlsOf lists the controls of a risk in catalogue order.
func controlsOf(ctx context.Context, q db.Queryer, riskID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT control_id FROM risk_controls WHERE risk_id = ?`, riskID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return lessRef(out[i], out[j]) })
	return out, rows.Err()
}

// treatmentAudit is what the audit event of a treatment change records.
func treatmentAudit(r *row, controls []string) map[string]any {
	if controls == nil {
		controls = []string{}
	}
	return map[string]any{"option": r.option, "plan": r.plan, "controls": controls, "residual_likelihood": r.resLikelihood,
		"residual_impact": r.resImpact, "residual_level": r.residualLevel, "plan_version": r.planVersion}
}

// AddAction adds an action to a risk's treatment plan, whose version increases.
func (s *Service) AddAction(ctx context.Context, actor *aims.Actor, idOrRef string, req AddActionRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "description", &req.Description, true, maxAction)
	checkDate(&p, "due_date", &req.DueDate)
	if err := checkOwner(ctx, s.db, &p, "owner_id", actor.OrgID, &req.OwnerID, ""); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, idOrRef, req.Version, ActionActionAdd, func(tx *db.Tx, before, after *row) ([]tlog.Change, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM risk_actions WHERE risk_id = ?`, before.id).Scan(&n); err != nil {
			return nil, err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_actions (id, org_id, risk_id, number, description, owner_id, due_date,
			status, completed_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
			aims.NewID(), actor.OrgID, before.id, n, req.Description, nullable(req.OwnerID), req.DueDate, ActionOpen, now, now); err != nil {
			return nil, err
		}
		after.planVersion++
		ch, err := tlog.Changes(nil, map[string]any{"action": n, "description": req.Description, "owner_id": req.OwnerID,
			"due_date": req.DueDate, "action_status": ActionOpen})
		if err != nil {
			return nil, err
		}
		return append(ch, tlog.Change{Field: "plan_version", Before: mustJSON(before.planVersion), After: mustJSON(after.planVersion)}), nil
	})
}

// storedAction is an action as its table stores it.
type storedAction struct {
	description, ownerID, dueDate, status, completed string
}

func (a storedAction) audit() map[string]any {
	return map[string]any{"description": a.description, "owner_id": a.ownerID, "due_date": a.dueDate,
		"action_status": a.status, "completed_date": a.completed}
}

// UpdateAction changes the fields of an action the request names. Changing
// what is to be done, by whom or by when changes the plan, whose version
// increases; recording progress (the status and the day it was done) does not.
func (s *Service) UpdateAction(ctx context.Context, actor *aims.Actor, idOrRef string, number int, req UpdateActionRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	cur, err := s.one(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	var old *Action
	for i := range cur.Treatment.Actions {
		if cur.Treatment.Actions[i].Number == number {
			old = &cur.Treatment.Actions[i]
		}
	}
	if old == nil {
		return nil, aims.NotFound("action", fmt.Sprintf("%d of %s", number, cur.Ref))
	}
	a := storedAction{description: old.Description, ownerID: old.OwnerID, dueDate: old.DueDate, status: old.Status, completed: old.CompletedDate}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.description, req.Description)
	set(&a.ownerID, req.OwnerID)
	set(&a.dueDate, req.DueDate)
	set(&a.status, req.Status)
	set(&a.completed, req.CompletedDate)
	var p aims.Problems
	checkText(&p, "description", &a.description, true, maxAction)
	checkDate(&p, "due_date", &a.dueDate)
	if err := checkOwner(ctx, s.db, &p, "owner_id", actor.OrgID, &a.ownerID, old.OwnerID); err != nil {
		return nil, err
	}
	a.status = strings.TrimSpace(a.status)
	if !allowed(ActionStatuses, a.status) {
		p.Add("status", "must be one of %s", values(ActionStatuses))
	}
	if t, ok := checkDate(&p, "completed_date", &a.completed); ok {
		if t.Format(DateLayout) > s.today() {
			p.Add("completed_date", "must not be in the future")
		}
	}
	switch {
	case a.status == ActionDone && a.completed == "":
		a.completed = s.today()
	case a.status == ActionOpen && req.CompletedDate != nil && a.completed != "":
		p.Add("completed_date", "must be empty while the action is open")
	case a.status == ActionOpen:
		a.completed = ""
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, cur.ID, req.Version, ActionActionUpdate, func(tx *db.Tx, before, after *row) ([]tlog.Change, error) {
		var b storedAction
		err := tx.QueryRowContext(ctx, `SELECT description, COALESCE(owner_id, ''), due_date, status, completed_date
			FROM risk_actions WHERE risk_id = ? AND number = ?`, before.id, number).Scan(&b.description, &b.ownerID, &b.dueDate, &b.status, &b.completed)
		if err != nil {
			return nil, err
		}
		ch, err := tlog.Changes(b.audit(), a.audit())
		if err != nil || len(ch) == 0 {
			return nil, err
		}
		if b.description != a.description || b.ownerID != a.ownerID || b.dueDate != a.dueDate {
			after.planVersion++
			ch = append(ch, tlog.Change{Field: "plan_version", Before: mustJSON(before.planVersion), After: mustJSON(after.planVersion)})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE risk_actions SET description = ?, owner_id = ?, due_date = ?, status = ?,
			completed_date = ?, updated_at = ? WHERE risk_id = ? AND number = ?`, a.description, nullable(a.ownerID), a.dueDate,
			a.status, a.completed, s.clock(), before.id, number); err != nil {
			return nil, err
		}
		// The action's number names it in the event.
		return append(ch, tlog.Change{Field: "action", Before: mustJSON(number), After: mustJSON(number)}), nil
	})
}
