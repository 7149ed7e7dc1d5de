// Package risk is AI risk management: versioned risk criteria, the risk
// register with its treatments, the controls that treat each risk,
// acceptance of residual risk, and named risk assessments whose results
// are kept and compared.
package risk

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// ImpactRef names an impact, recorded in an AI system impact assessment,
// that informs a risk.
type ImpactRef struct {
	AssessmentRef string `json:"assessment_ref"`
	ImpactID      string `json:"impact_id"`
	Summary       string `json:"summary"`
	SystemRef     string `json:"system_ref"`
}

// ControlInfo names a control a risk can be treated with.
type ControlInfo struct {
	ID    string `json:"id" doc:"An Annex A id such as A.9.3, or the reference of an own control such as CTL-2."`
	Title string `json:"title"`
}

// SystemInfo names an active AI system.
type SystemInfo struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// AnnexCItem is one of Annex C's objectives (C.2.x) or risk sources (C.3.x).
type AnnexCItem struct {
	ID    string
	Kind  string // objective or risk_source
	Title string
}

// Kinds of Annex C item.
const (
	KindObjective  = "objective"
	KindRiskSource = "risk_source"
)

// Sources are the records of other capabilities risks refer to; app
// satisfies it with the catalogue, the AI system inventory and impact
// assessments.
type Sources interface {
	// ControlExists reports whether id names an Annex A control or one of the organisation's own.
	ControlExists(ctx context.Context, orgID, id string) (bool, error)
	// System resolves an AI system's id or reference to its id, reference and name, or a not-found error.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
	// ImpactsOfRisk lists the impacts linked to a risk.
	ImpactsOfRisk(ctx context.Context, orgID, riskID string) ([]ImpactRef, error)
	// Controls lists the controls the organisation decides on: Annex A and its active own controls, in catalogue order.
	Controls(ctx context.Context, orgID string) ([]ControlInfo, error)
	// Systems lists the organisation's active AI systems.
	Systems(ctx context.Context, orgID string) ([]SystemInfo, error)
	// AnnexC lists Annex C's objectives and risk sources.
	AnnexC() []AnnexCItem
}

// Service manages an organisation's risk criteria, register and assessments.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the risk service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// Object types and actions in the audit log.
const (
	ObjectRisk       = "risk"            // a risk, with its assessment, treatment, actions and acceptance
	ObjectCriteria   = "risk_criteria"   // a version of the risk criteria
	ObjectAssessment = "risk_assessment" // a named risk assessment

	ActionCreate          = "risk.create"
	ActionUpdate          = "risk.update"
	ActionAssess          = "risk.assess"
	ActionTreatmentChange = "risk.treatment_change"
	ActionActionAdd       = "risk.action_add"
	ActionActionUpdate    = "risk.action_update"
	ActionAccept          = "risk.accept"
	ActionClose           = "risk.close"
	ActionReopen          = "risk.reopen"
	ActionCriteria        = "risk_criteria.version"
	ActionAssessmentOpen  = "risk_assessment.open"
	ActionAssessmentClose = "risk_assessment.close"
)

// systemObjectType is how the AI system inventory names its systems in the
// audit log (aisystem.ObjectType); the risk register reads their changes.
const systemObjectType = "ai_system"

// systemFields are the fields of an AI system whose change makes the risks
// concerning it due for review.
var systemFields = []string{"intended_purpose", "eu_ai_act_class"}

// Statuses of a risk. The service sets them from the risk's facts; only
// closing and reopening are asked for.
const (
	StatusIdentified = "identified" // recorded, not yet assessed
	StatusAssessed   = "assessed"   // likelihood and impact are set
	StatusTreated    = "treated"    // a treatment option is chosen
	StatusAccepted   = "accepted"   // the residual risk is accepted for the current plan
	StatusClosed     = "closed"     // no longer relevant; kept with its history
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
	Help  string
}

// Statuses lists the statuses in the order a risk moves through them.
var Statuses = []Option{
	{StatusIdentified, "Identified", "recorded, not yet assessed"},
	{StatusAssessed, "Assessed", "likelihood and impact set"},
	{StatusTreated, "Treated", "a treatment is chosen"},
	{StatusAccepted, "Accepted", "the residual risk is accepted"},
	{StatusClosed, "Closed", "no longer relevant"},
}

// Treatment options (ISO/IEC 23894 6.5.2, after ISO 31000).
const (
	OptionModify = "modify" // change the likelihood or the consequences, with controls
	OptionAvoid  = "avoid"  // stop the activity that gives rise to the risk
	OptionShare  = "share"  // share it with others, by contract or insurance
	OptionRetain = "retain" // keep it by informed decision
)

// TreatmentOptions lists the treatment options.
var TreatmentOptions = []Option{
	{OptionModify, "Modify", "change the likelihood or the consequences, with controls"},
	{OptionAvoid, "Avoid", "stop the activity that gives rise to the risk"},
	{OptionShare, "Share", "share it with others, by contract or insurance"},
	{OptionRetain, "Retain", "keep it by informed decision"},
}

// Statuses of a treatment action.
const (
	ActionOpen = "open"
	ActionDone = "done"
)

// ActionStatuses lists the statuses of a treatment action.
var ActionStatuses = []Option{{ActionOpen, "Open", ""}, {ActionDone, "Done", ""}}

// States of an acceptance of residual risk.
const (
	AcceptanceValid   = "valid"
	AcceptanceStale   = "stale"   // the plan or the residual level changed since
	AcceptanceExpired = "expired" // past its last valid day
)

// Label returns the label of value in opts, or the value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

// Named is an Annex C id with its title, or the organisation's own words.
type Named struct {
	Value string `json:"value" doc:"An Annex C id such as C.2.5, or the organisation's own text."`
	Title string `json:"title" doc:"The Annex C title when value is one of its ids; empty for own text."`
}

// Text is the item as people read it: "C.2.5 Fairness", or the own text.
func (n Named) Text() string {
	if n.Title == "" {
		return n.Value
	}
	return n.Value + " " + n.Title
}

// Rating is a likelihood and an impact with the level they give under a
// version of the criteria.
type Rating struct {
	Likelihood      int    `json:"likelihood"`
	Impact          int    `json:"impact"`
	LikelihoodLabel string `json:"likelihood_label"`
	ImpactLabel     string `json:"impact_label"`
	Level           string `json:"level" doc:"The level the criteria's matrix gives this cell."`
	Colour          string `json:"colour" doc:"The level's colour, #rrggbb."`
	Rank            int    `json:"rank" doc:"The level's position among the criteria's levels, 1 for the lowest."`
}

// SystemRef names an AI system a risk concerns.
type SystemRef struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// Action is one action of a treatment plan.
type Action struct {
	Number        int       `json:"number" doc:"The action's number within its risk."`
	Description   string    `json:"description"`
	OwnerID       string    `json:"owner_id"`
	OwnerName     string    `json:"owner_name"`
	DueDate       string    `json:"due_date" doc:"YYYY-MM-DD; empty when none."`
	Status        string    `json:"status" enum:"open,done"`
	CompletedDate string    `json:"completed_date" doc:"YYYY-MM-DD when done."`
	Overdue       bool      `json:"overdue" doc:"Open and past its due date."`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Treatment is how a risk is treated: the option, the plan, the controls
// and the residual risk expected after it.
type Treatment struct {
	Option      string        `json:"option" doc:"modify, avoid, share or retain; empty until chosen."`
	Plan        string        `json:"plan" doc:"The treatment plan in words."`
	PlanVersion int           `json:"plan_version" doc:"Increases whenever the option, the plan, the controls or the actions change; 0 before any."`
	Controls    []ControlInfo `json:"controls" doc:"The controls that treat the risk."`
	Residual    *Rating       `json:"residual,omitempty" doc:"The residual risk expected after treatment; absent until set."`
	Actions     []Action      `json:"actions"`
}

// Acceptance is a decision by designated management to accept a risk's
// residual level for a version of its treatment plan.
type Acceptance struct {
	AcceptedBy     string    `json:"accepted_by" doc:"User id of the person who accepted."`
	AcceptedByName string    `json:"accepted_by_name"`
	AcceptedAt     time.Time `json:"accepted_at"`
	PlanVersion    int       `json:"plan_version" doc:"The treatment plan version accepted."`
	ResidualLevel  string    `json:"residual_level" doc:"The residual level accepted."`
	Appetite       string    `json:"appetite" doc:"The risk appetite at acceptance."`
	AboveAppetite  bool      `json:"above_appetite" doc:"True when an owner accepted a level above the appetite, with a recorded reason."`
	Reason         string    `json:"reason" doc:"Why a level above the appetite was accepted."`
	ValidUntil     string    `json:"valid_until" doc:"Last day the acceptance holds, YYYY-MM-DD."`
	Note           string    `json:"note"`
	State          string    `json:"state" enum:"valid,stale,expired"`
	StateReason    string    `json:"state_reason" doc:"Why the acceptance no longer holds; empty while valid."`
}

// Risk is one risk of the register.
type Risk struct {
	ID          string      `json:"id"`
	Ref         string      `json:"ref" doc:"Short reference such as RISK-3."`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Systems     []SystemRef `json:"systems" doc:"The AI systems concerned."`
	RiskSource  Named       `json:"risk_source" doc:"Where the risk comes from: an Annex C risk source (C.3.x) or own words; empty value when none."`
	Objectives  []Named     `json:"objectives" doc:"The objectives affected: Annex C objectives (C.2.x) or own words."`
	// Consequences, which impact assessments inform.
	ConsequencesOrganisation string `json:"consequences_organisation"`
	ConsequencesIndividuals  string `json:"consequences_individuals" doc:"For individuals and groups."`
	ConsequencesSociety      string `json:"consequences_society"`
	OwnerID                  string `json:"owner_id" doc:"User id of the risk owner; empty when none."`
	OwnerName                string `json:"owner_name"`
	Status                   string `json:"status" enum:"identified,assessed,treated,accepted,closed"`
	ClosedReason             string `json:"closed_reason" doc:"Why the risk was closed; empty unless closed."`
	// The assessment.
	CriteriaVersion        int         `json:"criteria_version" doc:"The criteria version the risk was assessed with; 0 while not assessed."`
	CurrentCriteriaVersion int         `json:"current_criteria_version" doc:"The organisation's current criteria version; 0 when it has none."`
	OlderCriteria          bool        `json:"older_criteria" doc:"True when the risk was assessed under an older criteria version than the current one."`
	Inherent               *Rating     `json:"inherent,omitempty" doc:"The assessed likelihood, impact and level; absent while not assessed."`
	AboveAppetite          bool        `json:"above_appetite" doc:"True when the current level (residual when set, else inherent) is above the appetite of its criteria."`
	Appetite               string      `json:"appetite" doc:"The appetite of the risk's criteria version; empty while not assessed."`
	AssessedAt             *time.Time  `json:"assessed_at"`
	AssessedBy             string      `json:"assessed_by"`
	AssessedByName         string      `json:"assessed_by_name"`
	NextReview             string      `json:"next_review" doc:"YYYY-MM-DD; empty while not assessed."`
	Treatment              Treatment   `json:"treatment"`
	Acceptance             *Acceptance `json:"acceptance,omitempty" doc:"The latest acceptance of the residual risk; absent when none."`
	Impacts                []ImpactRef `json:"impacts" doc:"Impacts recorded in impact assessments that inform this risk."`
	Version                int         `json:"version" doc:"Increases with every change; send it back when changing the risk."`
	CreatedAt              time.Time   `json:"created_at"`
	UpdatedAt              time.Time   `json:"updated_at"`
}

// level is the risk's current level: the residual when set, else the inherent.
func (r *Risk) level() *Rating {
	if r.Treatment.Residual != nil {
		return r.Treatment.Residual
	}
	return r.Inherent
}

// AcceptanceHolds reports whether the risk has a valid acceptance today.
func (r *Risk) AcceptanceHolds() bool {
	return r.Acceptance != nil && r.Acceptance.State == AcceptanceValid
}

// RiskRef names a risk.
type RiskRef struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// File is an export ready to be downloaded.
type File struct {
	// Name is the file name offered, such as risk-register-2026-03-02.pdf.
	Name        string
	ContentType string
	Data        []byte
}

// Export formats.
const (
	FormatPDF  = "pdf"
	FormatXLSX = "xlsx"
)

// Formats lists the export formats; each one's Label is its content type.
var Formats = []Option{
	{FormatPDF, "application/pdf", "PDF document"},
	{FormatXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"},
}
