package readiness

import (
	"fmt"
	"time"
)

// assessmentAge is how old the latest closed risk assessment may be before
// 8.2's "at planned intervals" counts as missed: the usual annual cycle.
const assessmentAge = 365 * 24 * time.Hour

// day writes a date as the reasons show it.
func day(t time.Time) string { return t.UTC().Format("2 January 2006") }

// criteriaReason says which risk criteria are in force.
func criteriaReason(r *Risks) string {
	return fmt.Sprintf("Version %d of the AI risk criteria has been in force since %s.", r.CriteriaVersion, day(r.CriteriaSetAt))
}

// riskCriteriaRule: 6.1.1 asks for risk criteria that tell acceptable from
// unacceptable risks, and for actions planned on the risks found. It is met
// when criteria are set, risks are recorded and none above the appetite is
// left without a treatment or an acceptance.
func riskCriteriaRule(in inputs) (State, []string, string) {
	r := in.risks
	if r.CriteriaVersion == 0 {
		return Gap, []string{"No AI risk criteria are set: scales, levels and the risk appetite."}, "/risk-criteria"
	}
	reasons := []string{criteriaReason(r)}
	switch {
	case r.Open == 0:
		return Partial, append(reasons, "No AI risk is recorded yet."), "/risks/new"
	case r.AboveAppetiteUntreated > 0:
		return Partial, append(reasons, fmt.Sprintf("%s above the appetite without a treatment or an acceptance.",
			plural(r.AboveAppetiteUntreated, "risk is", "risks are"))), "/risks"
	}
	return Met, append(reasons, fmt.Sprintf("%s recorded; every one above the appetite is treated or accepted.",
		plural(r.Open, "open risk is", "open risks are"))), ""
}

// riskAssessmentRule: 6.1.2 asks for a risk assessment process, applied
// consistently and with retained results. It is met when every open risk
// is assessed against the criteria and an assessment has been closed.
func riskAssessmentRule(in inputs) (State, []string, string) {
	r := in.risks
	if r.CriteriaVersion == 0 {
		return Gap, []string{"No AI risk criteria are set, so no risk can be assessed against them."}, "/risk-criteria"
	}
	if r.Open == 0 {
		return Gap, []string{criteriaReason(r), "No AI risk is recorded yet."}, "/risks/new"
	}
	reasons := []string{fmt.Sprintf("%d of %d open risks are assessed.", r.Assessed, r.Open)}
	fix := ""
	if r.Assessed < r.Open {
		fix = "/risks?status=identified"
	}
	if r.LatestAssessment == "" {
		reasons = append(reasons, "No risk assessment has been closed, so no results are kept.")
		if fix == "" {
			fix = "/risk-assessments"
		}
	} else {
		reasons = append(reasons, fmt.Sprintf("The latest closed risk assessment is %s, of %s.", r.LatestAssessment, day(r.LatestAssessmentClosedAt)))
	}
	if fix != "" {
		return Partial, reasons, fix
	}
	return Met, reasons, ""
}

// riskResultsRule: 8.2 asks that risk assessments are performed at planned
// intervals and on significant change, and that their results are kept. It
// is met when an assessment closed within the last year and no risk is due
// for review.
func riskResultsRule(in inputs) (State, []string, string) {
	r := in.risks
	if r.LatestAssessment == "" {
		if r.Open == 0 {
			return Gap, []string{"No AI risk is recorded and no risk assessment has been closed."}, "/risks/new"
		}
		return Gap, []string{"No risk assessment has been closed, so no results are kept."}, "/risk-assessments"
	}
	reasons := []string{fmt.Sprintf("The latest closed risk assessment is %s, of %s; its results are kept.", r.LatestAssessment, day(r.LatestAssessmentClosedAt))}
	state, fix := Met, ""
	if in.now.Sub(r.LatestAssessmentClosedAt) > assessmentAge {
		reasons = append(reasons, "It closed more than a year ago.")
		state, fix = Partial, "/risk-assessments"
	}
	if r.OverdueReviews > 0 {
		reasons = append(reasons, fmt.Sprintf("%s due for review.", plural(r.OverdueReviews, "risk is", "risks are")))
		state, fix = Partial, "/risks/overview"
	}
	return state, reasons, fix
}

// riskTreatmentRule: 8.3 asks that the treatment plan is carried out. It is
// met when every assessed risk has a treatment option, none above the
// appetite is left untreated and unaccepted, and no action is overdue.
func riskTreatmentRule(in inputs) (State, []string, string) {
	r := in.risks
	if r.Assessed == 0 {
		return Gap, []string{"No AI risk is assessed, so none can be treated."}, "/risks"
	}
	reasons := []string{fmt.Sprintf("%d of %d assessed risks have a treatment option chosen.", min(r.Treated, r.Assessed), r.Assessed)}
	state, fix := Met, ""
	if r.Treated < r.Assessed {
		state, fix = Partial, "/risks?status=assessed"
	}
	if r.AboveAppetiteUntreated > 0 {
		reasons = append(reasons, fmt.Sprintf("%s above the appetite without a treatment or an acceptance.",
			plural(r.AboveAppetiteUntreated, "risk is", "risks are")))
		state, fix = Partial, "/risks"
	}
	if r.OverdueActions > 0 {
		reasons = append(reasons, fmt.Sprintf("%s past its due date.", plural(r.OverdueActions, "treatment action is", "treatment actions are")))
		state, fix = Partial, "/risks/overview"
	}
	return state, reasons, fix
}

// impactCoverage splits the active AI systems into those with an approved
// impact assessment and those without, and lists those due for review.
func impactCoverage(in inputs) (approved int, without, due []string) {
	for _, s := range in.systems {
		im, ok := in.impacts[s.ID]
		switch {
		case !ok || im.Approved == "":
			without = append(without, s.Ref)
		default:
			approved++
			if im.Due {
				due = append(due, s.Ref)
			}
		}
	}
	return approved, without, due
}

// impactProcessRule: 6.1.4 asks for a process to assess the consequences of
// AI systems for individuals, groups and societies. It is met when every
// active AI system has an approved impact assessment.
func impactProcessRule(in inputs) (State, []string, string) {
	if len(in.systems) == 0 {
		return Gap, []string{"No AI system is registered, so none has been assessed for its impacts."}, "/systems/new"
	}
	approved, without, _ := impactCoverage(in)
	switch {
	case approved == 0:
		return Gap, []string{"No active AI system has an approved impact assessment."}, "/impact/new"
	case len(without) > 0:
		return Partial, []string{fmt.Sprintf("%d of %d active AI systems have an approved impact assessment; %s not: %s.",
			approved, len(in.systems), plural(len(without), "has", "have"), listed(without))}, "/impact/systems/" + without[0]
	}
	if len(in.systems) == 1 {
		return Met, []string{"The one active AI system has an approved impact assessment."}, ""
	}
	return Met, []string{fmt.Sprintf("All %d active AI systems have an approved impact assessment.", len(in.systems))}, ""
}

// impactResultsRule: 8.4 asks that impact assessments are performed at
// planned intervals and on significant change, with results kept. It is met
// when every active AI system has an approved one and none is due for review.
func impactResultsRule(in inputs) (State, []string, string) {
	state, reasons, fix := impactProcessRule(in)
	if state == Gap {
		return state, reasons, fix
	}
	if _, _, due := impactCoverage(in); len(due) > 0 {
		reasons = append(reasons, fmt.Sprintf("%s an impact assessment due for review: %s.",
			plural(len(due), "AI system has", "AI systems have"), listed(due)))
		return Partial, reasons, "/impact/systems/" + due[0]
	}
	return state, reasons, fix
}
