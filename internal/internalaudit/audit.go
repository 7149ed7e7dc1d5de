package internalaudit

import (
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Statuses of an audit.
const (
	StatusPlanned    = "planned"
	StatusInProgress = "in_progress"
	StatusReported   = "reported"
)

// Statuses lists the statuses of an audit in the order it passes through them.
var Statuses = []Option{
	{StatusPlanned, "Planned"},
	{StatusInProgress, "In progress"},
	{StatusReported, "Reported"},
}

// Results of a checklist item.
const (
	ResultNotAssessed = "not_assessed"
	ResultConforming  = "conforming"
	ResultMinor       = "minor"
	ResultMajor       = "major"
	ResultObservation = "observation"
	ResultOpportunity = "opportunity"
)

// Results are what an auditor may find on a checklist item.
var Results = []Option{
	{ResultNotAssessed, "Not assessed"},
	{ResultConforming, "Conforming"},
	{ResultMinor, "Minor nonconformity"},
	{ResultMajor, "Major nonconformity"},
	{ResultObservation, "Observation"},
	{ResultOpportunity, "Opportunity for improvement"},
}

// IsFinding reports whether a result is a finding of the report.
func IsFinding(result string) bool {
	return result == ResultMinor || result == ResultMajor || result == ResultObservation || result == ResultOpportunity
}

// IsNonconformity reports whether a result becomes a nonconformity when the report is issued.
func IsNonconformity(result string) bool { return result == ResultMinor || result == ResultMajor }

// Person is a member named on an audit.
type Person struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
}

// ScopeSystem is an AI system in an audit's scope.
type ScopeSystem struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// Scope is what an audit covers.
type Scope struct {
	Clauses  []string      `json:"clauses" doc:"Clauses as given: sub-clauses (7.2), headings (6.1, 9.2) or whole clauses (8)."`
	Controls []string      `json:"controls" doc:"Controls as given: Annex A controls (A.6.2.4), categories (A.6) or own controls (CTL-2)."`
	Systems  []ScopeSystem `json:"systems" doc:"AI systems the audit looks at."`
}

// Audit is one internal audit: its plan, its checklist once started, and its report once issued.
type Audit struct {
	ID           string     `json:"id"`
	Ref          string     `json:"ref" doc:"Short reference such as IA-2."`
	ProgrammeRef string     `json:"programme_ref" doc:"The programme it is planned in, such as IAP-1."`
	Title        string     `json:"title"`
	Objectives   string     `json:"objectives"`
	Criteria     string     `json:"criteria" doc:"What the audit checks against: ISO/IEC 42001 and the organisation's own requirements."`
	Scope        Scope      `json:"scope"`
	PlannedStart string     `json:"planned_start" doc:"YYYY-MM-DD."`
	PlannedEnd   string     `json:"planned_end" doc:"YYYY-MM-DD."`
	Auditor      Person     `json:"auditor"`
	Auditees     []Person   `json:"auditees"`
	Status       string     `json:"status" enum:"planned,in_progress,reported"`
	StartedAt    *time.Time `json:"started_at"`
	Summary      string     `json:"summary" doc:"The report's summary; empty until it is issued."`
	Conclusion   string     `json:"conclusion" doc:"The report's conclusion; empty until it is issued."`
	ReportedOn   string     `json:"reported_on" doc:"Day the report was issued, YYYY-MM-DD; empty until then."`
	ReportedAt   *time.Time `json:"reported_at"`
	Overdue      bool       `json:"overdue" doc:"Whether the planned end has passed without a report."`
	// Counts gives, by result, how many checklist items have it.
	Counts    map[string]int `json:"counts"`
	Items     []Item         `json:"items" doc:"The checklist, empty until the audit starts."`
	Findings  []Finding      `json:"findings" doc:"The findings of the issued report, each with the nonconformity it became."`
	Version   int            `json:"version" doc:"Increases with every change to the plan or report; send it back when changing them."`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// Item is one line of an audit's checklist: a clause or an applicable control.
type Item struct {
	Ref         string `json:"ref" doc:"Such as IA-2/C7."`
	Number      int    `json:"number"`
	Kind        string `json:"kind" enum:"clause,control"`
	Requirement string `json:"requirement" doc:"The clause (7.2) or control (A.6.2.4)."`
	Title       string `json:"title"`
	Asks        string `json:"asks" doc:"What the requirement asks, in aims' words."`
	// ClaimedJustification and ClaimedStatus are what the Statement of Applicability claimed for a control when the audit started.
	ClaimedJustification string    `json:"claimed_justification"`
	ClaimedStatus        string    `json:"claimed_status" doc:"Implementation status the Statement of Applicability claimed; empty for clauses."`
	Result               string    `json:"result" enum:"not_assessed,conforming,minor,major,observation,opportunity"`
	Notes                string    `json:"notes"`
	Evidence             []string  `json:"evidence" doc:"References of the evidence examined, such as EV-3."`
	Version              int       `json:"version"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// Finding is a checklist item that the report raised: a nonconformity, an
// observation or an opportunity for improvement.
type Finding struct {
	Ref         string `json:"ref" doc:"Such as IA-2/F1."`
	Number      int    `json:"number"`
	ItemRef     string `json:"item_ref"`
	Requirement string `json:"requirement"`
	Title       string `json:"title"`
	Result      string `json:"result" enum:"minor,major,observation,opportunity"`
	Notes       string `json:"notes"`
	// NonconformityRef is the nonconformity a minor or major finding became, such as NC-4.
	NonconformityRef string `json:"nonconformity_ref"`
}

// AuditRequest plans a new audit in a programme.
type AuditRequest struct {
	Programme    string   `json:"programme" doc:"The programme's reference, such as IAP-1, or id."`
	Title        string   `json:"title" minLength:"1" maxLength:"200"`
	Objectives   string   `json:"objectives" maxLength:"10000"`
	Criteria     string   `json:"criteria" maxLength:"10000"`
	Clauses      []string `json:"clauses,omitempty" doc:"Clauses in scope: 7.2, 6.1 or 8."`
	Controls     []string `json:"controls,omitempty" doc:"Controls in scope: A.6.2.4, A.6 or CTL-2."`
	Systems      []string `json:"systems,omitempty" doc:"AI systems in scope, by reference or id."`
	PlannedStart string   `json:"planned_start" doc:"YYYY-MM-DD, within the programme's cycle."`
	PlannedEnd   string   `json:"planned_end" doc:"YYYY-MM-DD, on or after the start."`
	AuditorID    string   `json:"auditor_id" doc:"User id of the lead auditor, who must not audit their own work."`
	AuditeeIDs   []string `json:"auditee_ids,omitempty" doc:"User ids of the members audited."`
}

// AuditUpdate changes the fields it names, if the audit has not changed
// since the version it is based on. Scope, auditor and auditees change only
// before the audit starts.
type AuditUpdate struct {
	Version      int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Title        *string   `json:"title,omitempty" maxLength:"200"`
	Objectives   *string   `json:"objectives,omitempty" maxLength:"10000"`
	Criteria     *string   `json:"criteria,omitempty" maxLength:"10000"`
	Clauses      *[]string `json:"clauses,omitempty"`
	Controls     *[]string `json:"controls,omitempty"`
	Systems      *[]string `json:"systems,omitempty"`
	PlannedStart *string   `json:"planned_start,omitempty"`
	PlannedEnd   *string   `json:"planned_end,omitempty"`
	AuditorID    *string   `json:"auditor_id,omitempty"`
	AuditeeIDs   *[]string `json:"auditee_ids,omitempty"`
}

// ItemUpdate records the auditor's result on a checklist item.
type ItemUpdate struct {
	Version  int       `json:"version" minimum:"1" doc:"The item's version as you read it."`
	Result   *string   `json:"result,omitempty" enum:"not_assessed,conforming,minor,major,observation,opportunity"`
	Notes    *string   `json:"notes,omitempty" maxLength:"10000" doc:"What was examined and found; required for a finding."`
	Evidence *[]string `json:"evidence,omitempty" doc:"References of the evidence examined, such as EV-3; replaces the list."`
}

// ReportRequest issues an audit's report.
type ReportRequest struct {
	Version    int    `json:"version" minimum:"1" doc:"The audit's version as you read it."`
	Summary    string `json:"summary" minLength:"1" maxLength:"10000"`
	Conclusion string `json:"conclusion" minLength:"1" maxLength:"10000" doc:"Whether the AIMS conforms and is effectively implemented and maintained, within the scope."`
}

// AuditQuery filters and pages the audits.
type AuditQuery struct {
	Programme string `query:"programme" doc:"Only audits of this programme (reference or id)."`
	Status    string `query:"status" enum:"planned,in_progress,reported" doc:"Only audits with this status."`
	Overdue   bool   `query:"overdue" doc:"Only audits past their planned end without a report."`
	Limit     int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset    int    `query:"offset" minimum:"0"`
}

// AuditPage is one page of audits, without their checklists, and the total number of matches.
type AuditPage struct {
	Items  []Audit `json:"items"`
	Total  int     `json:"total"`
	Limit  int     `json:"limit"`
	Offset int     `json:"offset"`
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *AuditQuery) Normalise() error {
	var p aims.Problems
	if q.Status != "" && !allowed(Statuses, q.Status) {
		p.Add("status", "must be one of %s", values(Statuses))
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if q.Offset < 0 {
		p.Add("offset", "must not be negative")
	}
	return p.Err()
}

// auditPlan is how an audit's plan is written to the audit log.
type auditPlan struct {
	Ref          string   `json:"ref"`
	Programme    string   `json:"programme"`
	Title        string   `json:"title"`
	Objectives   string   `json:"objectives"`
	Criteria     string   `json:"criteria"`
	Clauses      []string `json:"clauses"`
	Controls     []string `json:"controls"`
	Systems      []string `json:"systems"`
	PlannedStart string   `json:"planned_start"`
	PlannedEnd   string   `json:"planned_end"`
	AuditorID    string   `json:"auditor_id"`
	AuditeeIDs   []string `json:"auditee_ids"`
}
