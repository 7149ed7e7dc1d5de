package readiness

import (
	"fmt"
	"strings"
)

// clauseRules derive a sub-clause's state from records aims already holds.
var clauseRules = map[string]rule{
	"4.1":   contextRule,
	"6.1.1": riskCriteriaRule,
	"6.1.2": riskAssessmentRule,
	"6.1.3": treatmentRule,
	"6.1.4": impactProcessRule,
	"8.1":   operationRule,
	"8.2":   riskResultsRule,
	"8.3":   riskTreatmentRule,
	"8.4":   impactResultsRule,
}

// awaiting names, for every other sub-clause, the records aims does not
// hold yet; until it does, the sub-clause is not measurable and never met.
var awaiting = map[string]string{
	"6.3": "planned changes to the AIMS",
}

// clauseItem derives a sub-clause's readiness.
func clauseItem(c ClauseInfo, in inputs) Requirement {
	it := Requirement{ID: c.ID, Kind: "clause", Title: c.Title, Reasons: []string{}}
	if rule, ok := clauseRules[c.ID]; ok {
		it.State, it.Reasons, it.Fix = rule(in)
		return it
	}
	if rule, ok := managementRules[c.ID]; ok {
		it.State, it.Reasons, it.Fix = rule(in)
		return it
	}
	it.State = NotMeasurable
	what := awaiting[c.ID]
	if what == "" {
		what = "the records this requirement needs"
	}
	it.Reasons = append(it.Reasons, "Not measurable yet: aims does not hold "+what+".")
	if n := in.evidence[c.ID]; n > 0 {
		it.Reasons = append(it.Reasons, fmt.Sprintf("%s attached, which aims cannot judge.", plural(n, "current piece of evidence is", "current pieces of evidence are")))
	}
	return it
}

// contextRule: 4.1 asks for the internal and external issues, whether
// climate change is one, and the organisation's roles towards its AI
// systems; the approved context shows the first two, the inventory the roles.
func contextRule(in inputs) (State, []string, string) {
	issuesOK, issues := issuesReason(in.mgmt)
	if len(in.systems) == 0 {
		return Gap, []string{"No AI system is registered, so the organisation's roles towards its AI systems are not shown.", issues}, "/systems/new"
	}
	var without []string
	for _, s := range in.systems {
		if !s.HasRoles {
			without = append(without, s.Ref)
		}
	}
	if len(without) > 0 {
		return Partial, []string{fmt.Sprintf("%s of %d active AI systems lack the organisation's AI roles: %s.",
			plural(len(without), "system", "systems"), len(in.systems), listed(without)), issues}, "/systems?status=active"
	}
	roles := fmt.Sprintf("The organisation's AI roles are recorded for all %d active AI systems.", len(in.systems))
	if !issuesOK {
		return Partial, []string{roles, issues}, "/context"
	}
	return Met, []string{roles, issues}, ""
}

// treatmentRule: 6.1.3 is met when a version of the Statement of
// Applicability is approved and every applicable control has an owner and
// a justification.
func treatmentRule(in inputs) (State, []string, string) {
	var reasons []string
	var undecided, unjustified, ownerless []string
	for _, c := range in.controls {
		e, ok := in.soa.Entries[c.ID]
		switch {
		case !ok:
			undecided = append(undecided, c.ID)
		case strings.TrimSpace(e.Justification) == "":
			unjustified = append(unjustified, c.ID)
		case e.Applicable && e.OwnerID == "":
			ownerless = append(ownerless, c.ID)
		}
	}
	if in.soa.Approved == 0 {
		reasons = append(reasons, "No version of the Statement of Applicability is approved.")
	} else {
		reasons = append(reasons, fmt.Sprintf("Version %d of the Statement of Applicability was approved on %s.",
			in.soa.Approved, in.soa.ApprovedAt.UTC().Format("2 January 2006")))
	}
	if len(undecided) > 0 {
		reasons = append(reasons, fmt.Sprintf("%s not decided: %s.", plural(len(undecided), "control is", "controls are"), listed(undecided)))
	}
	if len(unjustified) > 0 {
		reasons = append(reasons, fmt.Sprintf("%s no justification: %s.", plural(len(unjustified), "decision has", "decisions have"), listed(unjustified)))
	}
	if len(ownerless) > 0 {
		reasons = append(reasons, fmt.Sprintf("%s no owner: %s.", plural(len(ownerless), "applicable control has", "applicable controls have"), listed(ownerless)))
	}
	switch {
	case in.soa.Approved > 0 && len(undecided)+len(unjustified)+len(ownerless) == 0:
		return Met, reasons, ""
	case in.soa.Approved > 0 || len(in.soa.Entries) > 0:
		return Partial, reasons, "/soa"
	default:
		return Gap, reasons, "/soa"
	}
}

// operationRule: 8.1 asks that the controls chosen in 6.1.3 are
// implemented, that changes are controlled and that externally provided
// processes, products and services are controlled. It is met when every
// applicable control is implemented and no supplier assessment is due;
// open change requests are reported, since a change under control is no gap.
func operationRule(in inputs) (State, []string, string) {
	applicable, implemented := 0, 0
	for _, c := range in.controls {
		e, ok := in.soa.Entries[c.ID]
		if !ok || !e.Applicable {
			continue
		}
		applicable++
		if e.Status == statusImplemented {
			implemented++
		}
	}
	ops := in.ops
	changes := "No change request of an AI system is open."
	if ops.ChangesRequested+ops.ChangesApproved > 0 {
		changes = fmt.Sprintf("Change control: %s a decision; %s not implemented yet.",
			plural(ops.ChangesRequested, "change request awaits", "change requests await"),
			plural(ops.ChangesApproved, "approved change is", "approved changes are"))
	}
	suppliers := "No supplier assessment is due."
	if len(ops.SuppliersDue) > 0 {
		suppliers = fmt.Sprintf("%s assessment: %s.", plural(len(ops.SuppliersDue), "supplier is due for", "suppliers are due for"),
			listed(ops.SuppliersDue))
	}
	if applicable == 0 {
		return Gap, []string{"No control is decided applicable yet, so none can be shown implemented.", changes, suppliers}, "/soa"
	}
	reasons := []string{fmt.Sprintf("%d of %d applicable controls are implemented.", implemented, applicable), changes, suppliers}
	switch {
	case implemented < applicable:
		return Partial, reasons, "/soa"
	case len(ops.SuppliersDue) > 0:
		return Partial, reasons, "/suppliers"
	}
	return Met, reasons, ""
}

// listed names up to ten ids, then how many more.
func listed(ids []string) string {
	if len(ids) <= 10 {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:10], ", ") + fmt.Sprintf(" and %d more", len(ids)-10)
}
