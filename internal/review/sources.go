package review

import "time"

// ContextState is the organisation's context (4.1, 4.2) as a review sees it.
type ContextState struct {
	// Version is the approved version in force; 0 when none is approved.
	Version    int
	ApprovedAt time.Time
	// InternalIssues, ExternalIssues and Parties count what that version lists.
	InternalIssues, ExternalIssues, Parties int
	// IssueChanges and PartyChanges say in words what the versions approved
	// since the period began changed of the issues and of the interested parties, oldest first.
	IssueChanges, PartyChanges []string
}

// DocumentState is the state of documented information and the AI policy.
type DocumentState struct {
	Documents, Approved int
	// PolicyRef, PolicyVersion and PolicyApprovedAt name the AI policy in force; PolicyRef is empty when none is approved.
	PolicyRef        string
	PolicyVersion    int
	PolicyApprovedAt time.Time
	ReviewsOverdue   []string
	// AcknowledgementsRequired counts the people approved documents are distributed to; Acknowledged those who acknowledged.
	AcknowledgementsRequired, Acknowledged int
}

// PeopleState is the state of AIMS roles and competence.
type PeopleState struct {
	Roles         int
	Unassigned    []string
	People        int
	Gaps          int
	TrainingSince int
}

// ConcernState is the state of reported concerns.
type ConcernState struct {
	Reported, Open, Answered int
	OldestOpen               time.Time
}

// ObjectiveState is the state of the AI objectives and their indicators.
type ObjectiveState struct {
	Objectives int
	Indicators []Indicator
}

// Indicator is where one indicator of an objective stands.
type Indicator struct {
	ObjectiveRef, Objective, Name, Target string
	Measured                              bool
	Latest                                float64
	MeasuredOn                            string
	OnTarget, Due                         bool
}

// IncidentState is the state of incidents.
type IncidentState struct {
	Raised, Open, Serious int
	NotificationsOverdue  []string
}

// NonconformityState is the state of nonconformities and corrective actions.
type NonconformityState struct {
	Raised, Closed, Open int
	ActionsOverdue       []string
}

// AuditState is the state of the internal audit programme.
type AuditState struct {
	Programme          bool
	Planned, Completed int
	LastReportedOn     string
	// Findings counts the findings of audits reported in the period by result (minor, major, observation, opportunity).
	Findings map[string]int
	Overdue  []string
}

// RiskState is the state of the risk register.
type RiskState struct {
	// CriteriaVersion is the risk criteria in force; 0 when none are set.
	CriteriaVersion                int
	Open, Assessed, Treated        int
	AboveAppetiteUntreated         int
	OverdueReviews, OverdueActions int
	LatestAssessment               string
	LatestAssessmentClosedAt       time.Time
}

// ReadinessState sums up readiness for certification.
type ReadinessState struct {
	// Score is the share of requirements met, from 0 to 1.
	Score              float64
	Met, Partial, Gaps int
}
