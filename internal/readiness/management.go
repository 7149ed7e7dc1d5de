package readiness

import (
	"fmt"
	"time"
)

// Management is what readiness needs of the management system's own
// records: the context, documents, people, objectives, incidents,
// nonconformities, internal audits and management reviews.
type Management struct {
	// ContextVersion is the approved version of the context in force, 0 when none.
	ContextVersion    int
	ContextApprovedAt time.Time
	// InternalIssues, ExternalIssues and Parties count what that version lists.
	InternalIssues, ExternalIssues, Parties int
	// Scope and ClimateDecided tell whether it states the AIMS scope and
	// whether it decides if climate change is a relevant issue.
	Scope, ClimateDecided bool

	// Documents counts the documents in force; DocumentsApproved those with an approved version.
	Documents, DocumentsApproved int
	// Policy names the approved AI policy in force, such as "DOC-1 version 2"; empty when none.
	Policy           string
	PolicyApprovedAt time.Time
	// DocumentReviewsOverdue are the documents whose review date has passed.
	DocumentReviewsOverdue []string
	// AcknowledgementsRequired counts the people the approved versions in
	// force are distributed to, per document; Acknowledged those who acknowledged.
	AcknowledgementsRequired, Acknowledged int
	// DocumentsFor names, by clause or control id, the approved documents that address it.
	DocumentsFor map[string][]string

	// Roles counts the AIMS roles; RolesUnassigned names those nobody holds.
	Roles           int
	RolesUnassigned []string
	// RoleHolders counts the people holding an AIMS role; CompetenceGaps the competences they lack.
	RoleHolders, CompetenceGaps int
	// TrainingLastYear counts training completed in the last twelve months.
	TrainingLastYear int
	// Resources counts the resources recorded for AI systems.
	Resources int

	// Objectives counts the active AI objectives; Indicators their
	// indicators, IndicatorsMeasured those with a value and
	// IndicatorsOnTarget those whose latest value meets the target.
	Objectives, Indicators, IndicatorsMeasured, IndicatorsOnTarget int
	// IndicatorsDue names the indicators whose next measurement is due.
	IndicatorsDue []string

	// ConcernsOpen counts reported concerns not answered yet.
	ConcernsOpen int
	// IncidentsOpen counts incidents not closed; NotificationsOverdue names
	// those with a notification past its deadline.
	IncidentsOpen        int
	NotificationsOverdue []string

	// NCRaised, NCClosed and NCOpen count nonconformities ever raised,
	// closed and still open; NCActionsOverdue names corrective actions past due.
	NCRaised, NCClosed, NCOpen int
	NCActionsOverdue           []string

	// AuditProgramme tells whether an internal audit programme is recorded;
	// AuditsPlanned counts audits not yet reported, AuditsLastYear those
	// reported in the last twelve months, LastAuditReportOn the date of the
	// latest report (YYYY-MM-DD) and AuditsOverdue those past their planned end.
	AuditProgramme    bool
	AuditsPlanned     int
	AuditsLastYear    int
	LastAuditReportOn string
	AuditsOverdue     []string

	// ReviewsHeld counts signed-off management reviews; LastReview and
	// LastReviewSignedOff name the latest; ReviewActionsOpen and
	// ReviewActionsOverdue the review actions not done and those past due.
	ReviewsHeld                             int
	LastReview                              string
	LastReviewSignedOff                     time.Time
	ReviewActionsOpen, ReviewActionsOverdue []string
}

// rule derives a sub-clause's state from the records.
type rule func(in inputs) (State, []string, string)

// managementRules measure clauses 4, 5, 6.2, 7, 9 and 10 from the
// management system's records.
var managementRules = map[string]rule{
	"4.2":   partiesRule,
	"4.3":   scopeRule,
	"4.4":   systemRule,
	"5.1":   leadershipRule,
	"5.2":   policyRule,
	"5.3":   rolesRule,
	"6.2":   objectivesRule,
	"7.1":   resourcesRule,
	"7.2":   competenceRule,
	"7.3":   awarenessRule,
	"7.4":   communicationRule,
	"7.5.1": documentsRule,
	"7.5.2": documentReviewRule,
	"7.5.3": documentControlRule,
	"9.1":   measurementRule,
	"9.2.1": auditRule,
	"9.2.2": auditProgrammeRule,
	"9.3.1": reviewRule,
	"9.3.2": reviewInputsRule,
	"9.3.3": reviewResultsRule,
	"10.1":  improvementRule,
	"10.2":  correctiveRule,
}

// year is how long an audit or review stays recent.
const year = 365 * 24 * time.Hour

// issuesReason says what the approved context records of 4.1's issues.
func issuesReason(m *Management) (bool, string) {
	if m.ContextVersion == 0 {
		return false, "No version of the organisation's context is approved, so its internal and external issues are not recorded."
	}
	ok := m.InternalIssues > 0 && m.ExternalIssues > 0 && m.ClimateDecided
	s := fmt.Sprintf("Version %d of the context lists %s and %s", m.ContextVersion,
		plural(m.InternalIssues, "internal issue", "internal issues"), plural(m.ExternalIssues, "external issue", "external issues"))
	if m.ClimateDecided {
		return ok, s + " and decides whether climate change is relevant."
	}
	return false, s + " but does not decide whether climate change is relevant."
}

func partiesRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.ContextVersion == 0:
		return Gap, []string{"No version of the organisation's context is approved, so no interested party is recorded."}, "/context"
	case m.Parties == 0:
		return Partial, []string{fmt.Sprintf("Version %d of the context lists no interested party.", m.ContextVersion)}, "/context"
	}
	return Met, []string{fmt.Sprintf("Version %d of the context lists %s with their requirements.", m.ContextVersion,
		plural(m.Parties, "interested party", "interested parties"))}, ""
}

func scopeRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.ContextVersion == 0:
		return Gap, []string{"No version of the organisation's context is approved, so the AIMS scope is not documented."}, "/context"
	case !m.Scope:
		return Partial, []string{fmt.Sprintf("Version %d of the context does not state the AIMS scope.", m.ContextVersion)}, "/context"
	}
	return Met, []string{fmt.Sprintf("Version %d of the context, approved on %s, states the AIMS scope.", m.ContextVersion, day(m.ContextApprovedAt))}, ""
}

// systemRule: 4.4 is shown by the cycle running: context, policy,
// objectives, an internal audit and a management review.
func systemRule(in inputs) (State, []string, string) {
	m := in.mgmt
	parts := []struct {
		ok   bool
		what string
	}{
		{m.ContextVersion > 0, "an approved context"},
		{m.Policy != "", "an approved AI policy"},
		{m.Objectives > 0, "AI objectives"},
		{m.LastAuditReportOn != "", "a reported internal audit"},
		{m.ReviewsHeld > 0, "a signed-off management review"},
	}
	var have, lack []string
	for _, p := range parts {
		if p.ok {
			have = append(have, p.what)
		} else {
			lack = append(lack, p.what)
		}
	}
	switch {
	case len(lack) == 0:
		return Met, []string{"The management system runs: " + joined(have) + "."}, ""
	case len(have) == 0:
		return Gap, []string{"None of the management system's records exist yet: " + joined(lack) + "."}, "/context"
	}
	return Partial, []string{"Recorded: " + joined(have) + ".", "Missing: " + joined(lack) + "."}, ""
}

func leadershipRule(in inputs) (State, []string, string) {
	m := in.mgmt
	policy, review := m.Policy != "", m.ReviewsHeld > 0 && in.now.Sub(m.LastReviewSignedOff) <= year
	var reasons []string
	if policy {
		reasons = append(reasons, "Top management approved the AI policy ("+m.Policy+").")
	} else {
		reasons = append(reasons, "No AI policy is approved.")
	}
	if review {
		reasons = append(reasons, fmt.Sprintf("Management review %s was signed off on %s.", m.LastReview, day(m.LastReviewSignedOff)))
	} else {
		reasons = append(reasons, "No management review was signed off in the last twelve months.")
	}
	switch {
	case policy && review:
		return Met, reasons, ""
	case policy || review:
		return Partial, reasons, "/reviews"
	}
	return Gap, reasons, "/documents"
}

func policyRule(in inputs) (State, []string, string) {
	m := in.mgmt
	if m.Policy == "" {
		return Gap, []string{"No AI policy is approved."}, "/documents"
	}
	return Met, []string{fmt.Sprintf("The AI policy %s was approved on %s.", m.Policy, day(m.PolicyApprovedAt))}, ""
}

func rolesRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.Roles == 0:
		return Gap, []string{"No AIMS role is defined."}, "/people"
	case len(m.RolesUnassigned) > 0:
		return Partial, []string{fmt.Sprintf("%s of %d nobody holds: %s.", plural(len(m.RolesUnassigned), "AIMS role", "AIMS roles"),
			m.Roles, listed(m.RolesUnassigned))}, "/people"
	}
	return Met, []string{fmt.Sprintf("All %s are assigned, to %s.", plural(m.Roles, "AIMS role", "AIMS roles"), plural(m.RoleHolders, "person", "people"))}, ""
}

func objectivesRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.Objectives == 0:
		return Gap, []string{"No AI objective is set."}, "/objectives"
	case m.Indicators == 0:
		return Partial, []string{fmt.Sprintf("%s set, but none has a measurable indicator.", plural(m.Objectives, "AI objective is", "AI objectives are"))}, "/objectives"
	}
	reasons := []string{fmt.Sprintf("%s with %s, %d measured.", plural(m.Objectives, "AI objective", "AI objectives"),
		plural(m.Indicators, "indicator", "indicators"), m.IndicatorsMeasured)}
	if m.IndicatorsMeasured < m.Indicators {
		return Partial, reasons, "/objectives"
	}
	return Met, reasons, ""
}

func resourcesRule(in inputs) (State, []string, string) {
	m := in.mgmt
	if m.Resources == 0 {
		return Gap, []string{"No resource of the AIMS or its AI systems is recorded."}, "/resources"
	}
	return Met, []string{fmt.Sprintf("%s recorded.", plural(m.Resources, "resource is", "resources are"))}, ""
}

func competenceRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.Roles == 0 || m.RoleHolders == 0:
		return Gap, []string{"No one holds an AIMS role, so the competence it needs cannot be shown."}, "/people"
	case m.CompetenceGaps > 0:
		return Partial, []string{fmt.Sprintf("People holding AIMS roles lack %s.", plural(m.CompetenceGaps, "required competence", "required competences"))}, "/people"
	}
	return Met, []string{fmt.Sprintf("The %s holding AIMS roles have every competence their roles require.", plural(m.RoleHolders, "person", "people"))}, ""
}

func awarenessRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.Policy == "":
		return Gap, []string{"No AI policy is approved for people to be aware of."}, "/documents"
	case m.AcknowledgementsRequired == 0:
		return Partial, []string{"The approved documents are distributed to nobody, so no acknowledgement shows awareness."}, "/documents"
	case m.Acknowledged < m.AcknowledgementsRequired:
		return Partial, []string{fmt.Sprintf("%d of %d acknowledgements of the documents in force are recorded.", m.Acknowledged, m.AcknowledgementsRequired)}, "/documents"
	}
	return Met, []string{fmt.Sprintf("All %d acknowledgements of the documents in force are recorded.", m.AcknowledgementsRequired)}, ""
}

func communicationRule(in inputs) (State, []string, string) {
	docs := in.mgmt.DocumentsFor["7.4"]
	if len(docs) == 0 {
		return Gap, []string{"No approved document addresses clause 7.4 (what is communicated, when, with whom and how)."}, "/documents"
	}
	return Met, []string{"Addressed by " + listed(docs) + "."}, ""
}

func documentsRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.DocumentsApproved == 0:
		return Gap, []string{"No document has an approved version."}, "/documents"
	case m.Policy == "":
		return Partial, []string{fmt.Sprintf("%s approved, but not the AI policy.", plural(m.DocumentsApproved, "document is", "documents are"))}, "/documents"
	}
	return Met, []string{fmt.Sprintf("%d of %s have an approved version, the AI policy among them.", m.DocumentsApproved, plural(m.Documents, "document", "documents"))}, ""
}

func documentReviewRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.DocumentsApproved == 0:
		return Gap, []string{"No document version has been reviewed and approved."}, "/documents"
	case len(m.DocumentReviewsOverdue) > 0:
		return Partial, []string{fmt.Sprintf("%s overdue for review: %s.", plural(len(m.DocumentReviewsOverdue), "document is", "documents are"),
			listed(m.DocumentReviewsOverdue))}, "/documents"
	case m.DocumentsApproved < m.Documents:
		return Partial, []string{fmt.Sprintf("%d of %d documents have no approved version yet.", m.Documents-m.DocumentsApproved, m.Documents)}, "/documents"
	}
	return Met, []string{fmt.Sprintf("All %s are approved and within their review dates.", plural(m.Documents, "document", "documents"))}, ""
}

func documentControlRule(in inputs) (State, []string, string) {
	m := in.mgmt
	if m.DocumentsApproved == 0 {
		return Gap, []string{"No document is under version control with an approved version."}, "/documents"
	}
	reasons := []string{fmt.Sprintf("%s kept in versions; approved versions are frozen and stay readable.", plural(m.DocumentsApproved, "approved document is", "approved documents are"))}
	if m.AcknowledgementsRequired == 0 {
		return Partial, append(reasons, "No document is distributed to anyone."), "/documents"
	}
	return Met, reasons, ""
}

func measurementRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.Indicators == 0:
		return Gap, []string{"No indicator of an AI objective is defined, so nothing is measured."}, "/objectives"
	case m.IndicatorsMeasured < m.Indicators:
		return Partial, []string{fmt.Sprintf("%d of %s have a measured value.", m.IndicatorsMeasured, plural(m.Indicators, "indicator", "indicators"))}, "/objectives"
	case len(m.IndicatorsDue) > 0:
		return Partial, []string{fmt.Sprintf("%s due for measurement: %s.", plural(len(m.IndicatorsDue), "indicator is", "indicators are"), listed(m.IndicatorsDue))}, "/objectives"
	}
	return Met, []string{fmt.Sprintf("All %s are measured on time; %d meet their target.", plural(m.Indicators, "indicator", "indicators"), m.IndicatorsOnTarget)}, ""
}

func auditRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.AuditsLastYear > 0:
		return Met, []string{fmt.Sprintf("%s reported in the last twelve months, the latest on %s.",
			plural(m.AuditsLastYear, "internal audit was", "internal audits were"), m.LastAuditReportOn)}, ""
	case m.LastAuditReportOn != "":
		return Partial, []string{"The latest internal audit report, of " + m.LastAuditReportOn + ", is more than twelve months old."}, "/internal-audits"
	case m.AuditsPlanned > 0:
		return Partial, []string{fmt.Sprintf("%s planned, none reported yet.", plural(m.AuditsPlanned, "internal audit is", "internal audits are"))}, "/internal-audits"
	}
	return Gap, []string{"No internal audit is planned or reported."}, "/internal-audits"
}

func auditProgrammeRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case !m.AuditProgramme:
		return Gap, []string{"No internal audit programme is recorded."}, "/internal-audits"
	case len(m.AuditsOverdue) > 0:
		return Partial, []string{fmt.Sprintf("%s past %s planned end without a report: %s.", plural(len(m.AuditsOverdue), "audit is", "audits are"),
			map[bool]string{true: "its", false: "their"}[len(m.AuditsOverdue) == 1], listed(m.AuditsOverdue))}, "/internal-audits"
	case m.AuditsPlanned+m.AuditsLastYear == 0 && m.LastAuditReportOn == "":
		return Partial, []string{"The audit programme is recorded but plans no audit."}, "/internal-audits"
	}
	return Met, []string{"The audit programme is recorded and its audits are reported on time."}, ""
}

func reviewRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.ReviewsHeld == 0:
		return Gap, []string{"No management review has been signed off."}, "/reviews"
	case in.now.Sub(m.LastReviewSignedOff) > year:
		return Partial, []string{fmt.Sprintf("The latest management review, %s, was signed off on %s, more than twelve months ago.", m.LastReview, day(m.LastReviewSignedOff))}, "/reviews"
	}
	return Met, []string{fmt.Sprintf("Management review %s was signed off on %s.", m.LastReview, day(m.LastReviewSignedOff))}, ""
}

func reviewInputsRule(in inputs) (State, []string, string) {
	m := in.mgmt
	if m.ReviewsHeld == 0 {
		return Gap, []string{"No management review has been held, so no inputs were considered."}, "/reviews"
	}
	return Met, []string{fmt.Sprintf("The inputs of %s were compiled from the records and frozen at sign-off.", m.LastReview)}, ""
}

func reviewResultsRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.ReviewsHeld == 0:
		return Gap, []string{"No management review has recorded decisions."}, "/reviews"
	case len(m.ReviewActionsOverdue) > 0:
		return Partial, []string{fmt.Sprintf("%s past due: %s.", plural(len(m.ReviewActionsOverdue), "management review action is", "management review actions are"),
			listed(m.ReviewActionsOverdue))}, "/reviews"
	}
	return Met, []string{fmt.Sprintf("The decisions and actions of %s are recorded; %s open, none past due.", m.LastReview,
		plural(len(m.ReviewActionsOpen), "action is", "actions are"))}, ""
}

func improvementRule(in inputs) (State, []string, string) {
	m := in.mgmt
	overdue := len(m.NCActionsOverdue) + len(m.ReviewActionsOverdue)
	switch {
	case m.NCClosed == 0 && m.ReviewsHeld == 0:
		return Gap, []string{"No nonconformity has been closed and no management review held, so no improvement is shown."}, "/nonconformities"
	case overdue > 0:
		return Partial, []string{fmt.Sprintf("%s past due.", plural(overdue, "improvement action is", "improvement actions are"))}, "/nonconformities"
	}
	return Met, []string{fmt.Sprintf("%s closed after an effectiveness check; %s signed off; no improvement action is past due.",
		plural(m.NCClosed, "nonconformity", "nonconformities"), plural(m.ReviewsHeld, "management review", "management reviews"))}, ""
}

func correctiveRule(in inputs) (State, []string, string) {
	m := in.mgmt
	switch {
	case m.NCRaised == 0 && m.LastAuditReportOn == "":
		return Gap, []string{"No nonconformity is recorded and no internal audit reported, so the corrective action process has not run."}, "/nonconformities"
	case len(m.NCActionsOverdue) > 0:
		return Partial, []string{fmt.Sprintf("%s past due: %s.", plural(len(m.NCActionsOverdue), "corrective action is", "corrective actions are"),
			listed(m.NCActionsOverdue))}, "/nonconformities"
	case len(m.NotificationsOverdue) > 0:
		return Partial, []string{fmt.Sprintf("%s a notification past its deadline: %s.", plural(len(m.NotificationsOverdue), "incident has", "incidents have"),
			listed(m.NotificationsOverdue))}, "/incidents"
	}
	return Met, []string{fmt.Sprintf("%s recorded, %d closed, %d open; no corrective action is past due.",
		plural(m.NCRaised, "nonconformity", "nonconformities"), m.NCClosed, m.NCOpen)}, ""
}

// joined writes a list as "a, b and c".
func joined(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, s := range items[1 : len(items)-1] {
		out += ", " + s
	}
	return out + " and " + items[len(items)-1]
}
