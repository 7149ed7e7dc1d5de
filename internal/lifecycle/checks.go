package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// Check is one requirement of a stage move, evaluated now.
type Check struct {
	Kind string `json:"kind" enum:"approved_model_version,vv_record,approved_impact_assessment,risks_assessed,retirement_plan,evidence,no_review_due_for_change"`
	// Control names the control of a vv_record or evidence check.
	Control string `json:"control,omitempty"`
	Label   string `json:"label" doc:"The requirement in words."`
	Met     bool   `json:"met"`
	Detail  string `json:"detail" doc:"Why it is met, or what is missing."`
	// Refs name the records that meet the check or stand in its way.
	Refs []string `json:"refs" doc:"The records that meet it, or that stand in its way: model versions, evidence, impact assessments, risks."`
	// Always is true for the check every move has.
	Always bool `json:"always" doc:"True for the check every move has, which no gate setting removes."`
}

// Checks are the requirements of moving a system into a stage, evaluated now.
type Checks struct {
	SystemRef  string  `json:"system_ref"`
	SystemName string  `json:"system_name"`
	From       string  `json:"from"`
	To         string  `json:"to"`
	Checks     []Check `json:"checks" doc:"The gate's requirements in order, then the check every move has."`
	Met        bool    `json:"met" doc:"True when every check is met."`
	// Missing are the labels of the checks not met.
	Missing []string `json:"missing" doc:"The checks not met, in words."`
}

// CheckQuery asks what a move of a system into a stage needs.
type CheckQuery struct {
	To   string `query:"to" required:"true" enum:"inception,design_and_development,verification_and_validation,deployment,operation_and_monitoring,re_evaluation,retirement" doc:"The stage to move into."`
	Plan string `query:"plan" doc:"The retirement plan the request would carry, when the gate needs one."`
}

// Preview evaluates, without recording anything, the checks of moving a
// system from its current stage into another.
func (s *Service) Preview(ctx context.Context, actor *aims.Actor, system string, q CheckQuery) (*Checks, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, system)
	if err != nil {
		return nil, err
	}
	q.To = strings.TrimSpace(q.To)
	if !allowed(Stages, q.To) {
		return nil, invalid("to", "must be one of %s", values(Stages))
	}
	if q.To == sys.Stage {
		return nil, invalid("to", "is the stage %s is in already", sys.Ref)
	}
	gates, err := gatesOf(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	return s.evaluate(ctx, actor, sys, sys.Stage, q.To, strings.TrimSpace(q.Plan), gates)
}

// evaluate checks a move of a system into a stage against the gates.
func (s *Service) evaluate(ctx context.Context, actor *aims.Actor, sys *SystemInfo, from, to, plan string, gates *Gates) (*Checks, error) {
	ev := &evaluator{s: s, ctx: ctx, actor: actor, sys: sys}
	out := &Checks{SystemRef: sys.Ref, SystemName: sys.Name, From: from, To: to, Checks: []Check{}, Met: true, Missing: []string{}}
	for _, r := range gates.Gate(to) {
		c, err := ev.check(r, plan)
		if err != nil {
			return nil, fmt.Errorf("cannot check %s of %s: %w", r.String(), sys.Ref, err)
		}
		out.Checks = append(out.Checks, c)
	}
	c, err := ev.noChangeReview()
	if err != nil {
		return nil, fmt.Errorf("cannot check the reviews of %s: %w", sys.Ref, err)
	}
	out.Checks = append(out.Checks, c)
	for _, c := range out.Checks {
		if !c.Met {
			out.Met = false
			out.Missing = append(out.Missing, c.Label)
		}
	}
	return out, nil
}

// evaluator reads each source once while the checks of a move are evaluated.
type evaluator struct {
	s      *Service
	ctx    context.Context
	actor  *aims.Actor
	sys    *SystemInfo
	risks  []RiskState
	impact *ImpactState
}

func (ev *evaluator) riskStates() ([]RiskState, error) {
	if ev.risks == nil {
		rs, err := ev.s.sources.Risks(ev.ctx, ev.actor, ev.sys.ID)
		if err != nil {
			return nil, err
		}
		ev.risks = append([]RiskState{}, rs...)
	}
	return ev.risks, nil
}

func (ev *evaluator) impactState() (*ImpactState, error) {
	if ev.impact == nil {
		st, err := ev.s.sources.Impact(ev.ctx, ev.actor, ev.sys.ID)
		if err != nil {
			return nil, err
		}
		ev.impact = st
	}
	return ev.impact, nil
}

// check evaluates one requirement of a gate.
func (ev *evaluator) check(r Requirement, plan string) (Check, error) {
	c := Check{Kind: r.Kind, Control: r.Control, Label: RequirementLabel(r), Refs: []string{}}
	ref := ev.sys.Ref
	switch r.Kind {
	case KindModelVersion:
		vs, err := ev.s.sources.ModelVersions(ev.ctx, ev.actor, ev.sys.ID)
		if err != nil {
			return c, err
		}
		if len(vs) == 0 {
			c.Detail = "no version of a model of " + ref + " is approved or deployed"
			break
		}
		var words []string
		for _, v := range vs {
			c.Refs = append(c.Refs, v.Key)
			words = append(words, v.Key+" ("+v.Status+")")
		}
		c.Met, c.Detail = true, strings.Join(words, ", ")
	case KindVVRecord, KindEvidence:
		control := r.Control
		if r.Kind == KindVVRecord {
			control, c.Control = VVControl, VVControl
		}
		evs, err := ev.s.sources.Evidence(ev.ctx, ev.actor, ev.sys.ID, control)
		if err != nil {
			return c, err
		}
		if len(evs) == 0 {
			c.Detail = "no evidence current today is linked to both " + ref + " and " + control
			break
		}
		var words []string
		for _, e := range evs {
			c.Refs = append(c.Refs, e.Ref)
			words = append(words, e.Ref+" "+e.Title)
		}
		c.Met, c.Detail = true, strings.Join(words, "; ")
	case KindImpact:
		st, err := ev.impactState()
		if err != nil {
			return c, err
		}
		switch {
		case st.Latest == "":
			c.Detail = "no impact assessment of " + ref + " is approved"
		case st.Due:
			var words []string
			for _, d := range st.Reasons {
				c.Refs = append(c.Refs, d.Ref)
				words = append(words, d.Text)
			}
			c.Detail = "due for review: " + strings.Join(words, "; ")
		default:
			c.Met, c.Detail = true, st.Latest+" is approved and not due for review"
			c.Refs = append(c.Refs, strings.Fields(st.Latest)[0])
		}
	case KindRisksAssessed:
		rs, err := ev.riskStates()
		if err != nil {
			return c, err
		}
		var open []string
		for _, x := range rs {
			if !x.Assessed {
				c.Refs = append(c.Refs, x.Ref)
				open = append(open, x.Ref+" "+x.Title)
			}
		}
		switch {
		case len(open) > 0:
			c.Detail = "not assessed yet: " + strings.Join(open, "; ")
		case len(rs) == 0:
			c.Met, c.Detail = true, "no open risk concerns "+ref
		case len(rs) == 1:
			c.Met, c.Detail = true, "the one open risk of "+ref+" is assessed"
		default:
			c.Met, c.Detail = true, fmt.Sprintf("all %d open risks of %s are assessed", len(rs), ref)
		}
	case KindRetirementPlan:
		if plan == "" {
			c.Detail = "the request carries no retirement plan"
		} else {
			c.Met, c.Detail = true, "the request carries a retirement plan"
		}
	}
	return c, nil
}

// noChangeReview is the check every move has: no risk or impact
// assessment of the system is due for review because of an approved
// significant change.
func (ev *evaluator) noChangeReview() (Check, error) {
	c := Check{Kind: KindNoChangeReview, Label: "No review due after a significant change", Always: true, Refs: []string{}}
	rs, err := ev.riskStates()
	if err != nil {
		return c, err
	}
	st, err := ev.impactState()
	if err != nil {
		return c, err
	}
	var words []string
	add := func(d DueReason) {
		if d.Field != SignificantField {
			return
		}
		if len(c.Refs) == 0 || c.Refs[len(c.Refs)-1] != d.Ref {
			c.Refs = append(c.Refs, d.Ref)
		}
		words = append(words, d.Ref+": "+strings.TrimPrefix(d.Text, d.Ref+": "))
	}
	for _, x := range rs {
		for _, d := range x.Reasons {
			add(d)
		}
	}
	for _, d := range st.Reasons {
		add(d)
	}
	if len(words) > 0 {
		c.Detail = "review first: " + strings.Join(words, "; ")
		return c, nil
	}
	c.Met, c.Detail = true, "no risk or impact assessment of "+ev.sys.Ref+" awaits review after an approved significant change"
	return c, nil
}

// RequirementLabel words a requirement for people.
func RequirementLabel(r Requirement) string {
	if r.Kind == KindEvidence {
		return "Evidence for " + r.Control
	}
	if r.Kind == KindNoChangeReview {
		return "No review due after a significant change"
	}
	return Label(RequirementKinds, r.Kind)
}
