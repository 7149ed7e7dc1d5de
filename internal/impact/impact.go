// Package impact is AI system impact assessment (ISO/IEC 42001 6.1.4, 8.4
// and A.5): versioned templates of sections and questions, assessments of
// each AI system listing who may be harmed and how, their review and
// approval, and the link from an impact to the risk it raises.
package impact

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// RiskRequest is a risk to record from an impact.
type RiskRequest struct {
	Title       string
	Description string
	// SystemIDs are the ids of the AI systems concerned.
	SystemIDs                []string
	ConsequencesIndividuals  string
	ConsequencesSociety      string
	ConsequencesOrganisation string
}

// Sources are the records of other capabilities impact assessments refer
// to; app satisfies it with the AI system inventory and the risk register.
type Sources interface {
	// System resolves an AI system's id or reference to its id, reference and name, or a not-found error.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
	// CreateRisk records a risk in the caller's transaction, so that an
	// impact and the risk it raises are recorded together, and returns the
	// risk's id and reference. It authorises the actor itself.
	CreateRisk(ctx context.Context, tx *db.Tx, actor *aims.Actor, req RiskRequest) (id, ref string, err error)
	// Risk finds a risk of the organisation by id or reference.
	Risk(ctx context.Context, orgID, idOrRef string) (id, ref, title string, err error)
	// ModelVersion resolves a model version's key (MDL-1@1.4.0) or id to its
	// id, key and the id of the AI system its model belongs to, or a
	// not-found error. It checks no actor.
	ModelVersion(ctx context.Context, orgID, idOrKey string) (id, key, systemID string, err error)
}

// Service manages an organisation's impact assessment templates and assessments.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the impact assessment service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// ImpactLink names an impact of an assessment.
type ImpactLink struct {
	AssessmentRef string
	ImpactID      string
	Summary       string
	SystemRef     string
}

// Object types and actions in the audit log.
const (
	ObjectAssessment = "impact_assessment"
	ObjectTemplate   = "impact_template"

	ActionCreate       = "impact.create"
	ActionUpdate       = "impact.update"
	ActionImpactAdd    = "impact.impact_add"
	ActionImpactUpdate = "impact.impact_update"
	ActionImpactRemove = "impact.impact_remove"
	ActionSubmit       = "impact.submit"
	ActionApprove      = "impact.approve"
	ActionReturn       = "impact.return"
	ActionRiskCreate   = "impact.risk_create"
	ActionRiskLink     = "impact.risk_link"

	ActionTemplateCopy    = "impact_template.copy"
	ActionTemplateUpdate  = "impact_template.update"
	ActionTemplateArchive = "impact_template.archive"
)

// Short reference prefixes: IA-3 for an assessment, IAT-2 for an own template.
const (
	assessmentPrefix = "IA"
	templatePrefix   = "IAT"
)

// Statuses of an assessment: a draft is edited; an editor submits it for
// review; an approver approves it or sends it back to draft. Any change to
// an approved assessment makes it a draft again, to be approved as the
// next version.
const (
	StatusDraft    = "draft"
	StatusInReview = "in_review"
	StatusApproved = "approved"
)

// Statuses of an own template.
const (
	TemplateActive   = "active"
	TemplateArchived = "archived"
)

// Question types.
const (
	TypeText    = "text"    // a free text
	TypeChoice  = "choice"  // one of the question's options
	TypeScale   = "scale"   // a point 1..N of the question's labelled scale
	TypeImpacts = "impacts" // where the assessment's list of impacts is asked for
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
	Help  string
}

// QuestionTypes are the kinds of question a template can ask.
var QuestionTypes = []Option{
	{TypeText, "Text", "a written answer"},
	{TypeChoice, "Choice", "one of a list of options"},
	{TypeScale, "Scale", "a point on a labelled scale from 1 to N"},
	{TypeImpacts, "List of impacts", "the impacts: who is affected, what harm, how severe, likely, reversible and widespread"},
}

// Statuses are the statuses of an assessment.
var Statuses = []Option{
	{StatusDraft, "Draft", "being filled in"},
	{StatusInReview, "In review", "submitted; an approver approves it or sends it back"},
	{StatusApproved, "Approved", "the latest approved version, unchanged since"},
}

// Severities say how bad a harm would be for those it reaches.
var Severities = []Option{
	{"low", "Low", "an inconvenience, easily put right"},
	{"medium", "Medium", "a real setback that takes effort to recover from"},
	{"high", "High", "serious damage to rights, health, livelihood or opportunities"},
	{"critical", "Critical", "grave or lasting damage, such as to life, liberty or fundamental rights"},
}

// Likelihoods say how likely a harm is to happen in the system's use.
var Likelihoods = []Option{
	{"rare", "Rare", "only in exceptional circumstances"},
	{"unlikely", "Unlikely", "could happen but is not expected"},
	{"possible", "Possible", "might well happen now and then"},
	{"likely", "Likely", "expected to happen in many cases"},
	{"almost_certain", "Almost certain", "expected to happen in most cases"},
}

// Reversibilities say whether a harm can be undone.
var Reversibilities = []Option{
	{"reversible", "Reversible", "can be fully undone"},
	{"partly_reversible", "Partly reversible", "can be undone only in part, or with great effort"},
	{"irreversible", "Irreversible", "cannot be undone"},
}

// Scales say how widely a harm reaches.
var Scales = []Option{
	{"individual", "Individual", "single persons, one at a time"},
	{"group", "Group", "a group or category of persons"},
	{"society", "Society", "society at large, or the environment"},
}

// Label returns the label of value in opts, or the value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func allowed(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func values(opts []Option) string {
	vs := ""
	for i, o := range opts {
		if i > 0 {
			vs += ", "
		}
		vs += o.Value
	}
	return vs
}
