package internalaudit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// plan is an audit's plan while it is checked: what a request asks for, or
// what is stored with an update applied.
type plan struct {
	programme    *Programme
	title        string
	objectives   string
	criteria     string
	clauses      []string
	controls     []string
	systemKeys   []string
	systems      []SystemInfo
	plannedStart string
	plannedEnd   string
	auditorID    string
	auditeeIDs   []string
}

// catalogue is what checking a scope needs of the other capabilities, read once.
type catalogue struct {
	clauses  []Requirement
	controls []Control
	soa      []SoAEntry
	members  map[string]Member
}

func (s *Service) catalogue(ctx context.Context, actor *aims.Actor) (*catalogue, error) {
	c := &catalogue{}
	var err error
	if c.clauses, err = s.sources.Clauses(ctx); err != nil {
		return nil, err
	}
	if c.controls, err = s.sources.Controls(ctx, actor); err != nil {
		return nil, err
	}
	if c.soa, err = s.sources.SoA(ctx, actor); err != nil {
		return nil, err
	}
	if c.members, err = s.members(ctx, actor); err != nil {
		return nil, err
	}
	return c, nil
}

// keys trims and de-duplicates a list of scope keys, upper-casing them when upper is set.
func keys(in []string, upper bool) []string {
	out := []string{}
	for _, k := range in {
		k = strings.TrimSpace(k)
		if upper {
			k = strings.ToUpper(k)
		}
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// clausesIn returns the sub-clauses a scope key names: itself, those under a heading, or a whole clause.
func (c *catalogue) clausesIn(key string) []Requirement {
	var out []Requirement
	for _, r := range c.clauses {
		if r.ID == key || r.Heading == key || r.Group == key {
			out = append(out, r)
		}
	}
	return out
}

// controlsIn returns the controls a scope key names: itself or those of an Annex A category.
func (c *catalogue) controlsIn(key string) []Control {
	var out []Control
	for _, ctl := range c.controls {
		if ctl.ID == key || ctl.CategoryID == key {
			out = append(out, ctl)
		}
	}
	return out
}

// expandClauses returns the sub-clauses in scope, in the order of the standard.
func (c *catalogue) expandClauses(scope []string) []Requirement {
	var out []Requirement
	for _, r := range c.clauses {
		for _, k := range scope {
			if r.ID == k || r.Heading == k || r.Group == k {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// expandControls returns the controls in scope, in catalogue order.
func (c *catalogue) expandControls(scope []string) []Control {
	var out []Control
	for _, ctl := range c.controls {
		for _, k := range scope {
			if ctl.ID == k || ctl.CategoryID == k {
				out = append(out, ctl)
				break
			}
		}
	}
	return out
}

// check trims the plan and records every problem with it, including an
// auditor who would audit their own work.
func (s *Service) check(ctx context.Context, actor *aims.Actor, c *catalogue, pl *plan, p *aims.Problems) error {
	text(p, "title", &pl.title, true, maxTitle)
	text(p, "objectives", &pl.objectives, true, maxText)
	text(p, "criteria", &pl.criteria, true, maxText)
	start, okStart := date(p, "planned_start", &pl.plannedStart)
	end, okEnd := date(p, "planned_end", &pl.plannedEnd)
	if okStart && okEnd && end.Before(start) {
		p.Add("planned_end", "must be on or after the planned start, %s", pl.plannedStart)
	}
	if okStart && pl.programme != nil {
		cycle, _ := time.Parse(DateLayout, pl.programme.CycleStart)
		if start.Before(cycle) || !start.Before(cycle.AddDate(3, 0, 0)) {
			p.Add("planned_start", "must fall within the cycle of %s, %s to %s", pl.programme.Ref, pl.programme.Years[0].From, pl.programme.Years[2].To)
		}
	}
	pl.clauses, pl.controls = keys(pl.clauses, false), keys(pl.controls, true)
	for _, k := range pl.clauses {
		if len(c.clausesIn(k)) == 0 {
			p.Add("clauses", "names %s, which is not a clause of ISO/IEC 42001 with requirements (4 to 10.2)", k)
			break
		}
	}
	for _, k := range pl.controls {
		if len(c.controlsIn(k)) == 0 {
			p.Add("controls", "names %s, which is neither a control nor an Annex A category of this organisation", k)
			break
		}
	}
	if len(pl.clauses)+len(pl.controls) == 0 {
		p.Add("clauses", "name at least one clause or control to audit")
	}
	if len(pl.clauses) > maxScope {
		p.Add("clauses", "must list at most %d", maxScope)
	}
	if len(pl.controls) > maxScope {
		p.Add("controls", "must list at most %d", maxScope)
	}
	pl.systems = nil
	for _, k := range keys(pl.systemKeys, false) {
		sys, err := s.sources.System(ctx, actor, k)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("systems", "names %s, which is not an AI system of this organisation", k)
			break
		}
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(pl.systems, func(x SystemInfo) bool { return x.ID == sys.ID }) {
			pl.systems = append(pl.systems, *sys)
		}
	}
	if len(pl.systems) > maxScope {
		p.Add("systems", "must list at most %d", maxScope)
	}
	pl.auditeeIDs = keys(pl.auditeeIDs, false)
	for _, id := range pl.auditeeIDs {
		if _, ok := c.members[id]; !ok {
			p.Add("auditee_ids", "names %s, who is not a member of this organisation", id)
			break
		}
	}
	if len(pl.auditeeIDs) > maxAuditees {
		p.Add("auditee_ids", "must list at most %d", maxAuditees)
	}
	pl.auditorID = strings.TrimSpace(pl.auditorID)
	if pl.auditorID == "" {
		p.Add("auditor_id", "is required")
		return nil
	}
	m, ok := c.members[pl.auditorID]
	if !ok {
		p.Add("auditor_id", "is not a member of this organisation")
		return nil
	}
	if identity.Authorize(&aims.Actor{Kind: aims.ActorUser, UserID: m.UserID, OrgID: actor.OrgID, Role: m.Role}, identity.ActAuditConduct) != nil {
		p.Add("auditor_id", "names %s, whose role (%s) cannot carry out audits", m.Name, m.Role)
		return nil
	}
	if own := c.ownWork(pl); len(own) > 0 {
		p.Add("auditor_id", "names %s, who may not audit their own work: %s", m.Name, strings.Join(own, "; "))
	}
	return nil
}

// ownWork lists why the plan's auditor would audit their own work: they are
// an auditee; they own an AI system in scope; they own, in the Statement of
// Applicability, an applicable control in scope (for the organisation, or
// for an AI system in scope; for any system when the scope names none); or
// they manage the audit programme and clause 9.2, the programme itself, is in scope.
func (c *catalogue) ownWork(pl *plan) []string {
	who := pl.auditorID
	var own []string
	if slices.Contains(pl.auditeeIDs, who) {
		own = append(own, "they are also an auditee")
	}
	inScope := map[string]bool{}
	for _, sys := range pl.systems {
		inScope[sys.ID] = true
		if sys.OwnerID == who {
			own = append(own, fmt.Sprintf("they own %s (%s), which is in scope", sys.Ref, sys.Name))
		}
	}
	var owned []string
	for _, ctl := range c.expandControls(pl.controls) {
		for _, e := range c.soa {
			if e.ControlID != ctl.ID {
				continue
			}
			mine := e.Organisation != nil && e.Organisation.Applicable && e.Organisation.OwnerID == who
			for _, o := range e.Overrides {
				if o.Applicable && o.OwnerID == who && (len(inScope) == 0 || inScope[o.SystemID]) {
					mine = true
				}
			}
			if mine {
				owned = append(owned, ctl.ID)
			}
		}
	}
	if len(owned) > 0 {
		own = append(own, fmt.Sprintf("they own %s in the Statement of Applicability", strings.Join(owned, ", ")))
	}
	if pl.programme != nil && pl.programme.ManagerID == who {
		for _, r := range c.expandClauses(pl.clauses) {
			if r.Heading == "9.2" || r.ID == "9.2" {
				own = append(own, fmt.Sprintf("they manage the audit programme %s, and clause %s is in scope", pl.programme.Ref, r.ID))
				break
			}
		}
	}
	return own
}
