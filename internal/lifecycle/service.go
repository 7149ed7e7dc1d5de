// Package lifecycle controls how AI systems move through their life cycle
// (ISO/IEC 42001 A.6, 6.3, 8.1): the gates an organisation sets between
// stages, transitions requested, checked and approved against them, and
// change requests classified as significant or minor, whose approval makes
// the system's risks and impact assessments due for review.
package lifecycle

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// SystemInfo is what the life cycle reads of an AI system.
type SystemInfo struct {
	ID     string
	Ref    string
	Name   string
	Stage  string
	Status string
}

// ModelVersion names an approved or deployed version of a model of a system.
type ModelVersion struct {
	// Key is the model's reference and the version's label, such as MDL-1@1.4.0.
	Key       string
	ModelName string
	// Status is approved or deployed.
	Status string
}

// EvidenceRef names a piece of evidence.
type EvidenceRef struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// DueReason says why a risk or an impact assessment is due for review.
type DueReason struct {
	// Ref names the risk (RISK-3) or the impact assessment (IA-2).
	Ref string
	// Field is the AI system's field whose change made it due, such as
	// significant_change for an approved significant change; empty for
	// other reasons, such as a review date.
	Field string
	Text  string
}

// ImpactState is the state of an AI system's impact assessments.
type ImpactState struct {
	// Latest names the most recently approved version, such as "IA-2 version 3"; empty when none is approved.
	Latest string
	// Due reports whether any approved assessment is due for review; Reasons say why.
	Due     bool
	Reasons []DueReason
}

// RiskState is an open risk that concerns an AI system.
type RiskState struct {
	Ref      string
	Title    string
	Assessed bool
	// Reasons say why the risk is due for review, for the changes of this system and its review date.
	Reasons []DueReason
}

// ControlInfo names a control.
type ControlInfo struct {
	// ID is the Annex A id (A.6.2.4) or the reference of an own control (CTL-2).
	ID    string
	Title string
}

// Sources are the records of other capabilities that gates check; app
// satisfies it. Every method but SetStage reads on behalf of an actor the
// life-cycle service has already authorised.
type Sources interface {
	// System resolves an AI system of the actor's organisation by id or reference, or answers not found.
	System(ctx context.Context, actor *aims.Actor, idOrRef string) (*SystemInfo, error)
	// Systems lists the organisation's active AI systems.
	Systems(ctx context.Context, actor *aims.Actor) ([]SystemInfo, error)
	// Control resolves an Annex A control or one of the organisation's own, or answers not found.
	Control(ctx context.Context, actor *aims.Actor, id string) (*ControlInfo, error)
	// ModelVersions lists the approved and deployed versions of the system's active models.
	ModelVersions(ctx context.Context, actor *aims.Actor, systemID string) ([]ModelVersion, error)
	// Evidence lists the evidence current today that is linked to both the system and the control.
	Evidence(ctx context.Context, actor *aims.Actor, systemID, controlID string) ([]EvidenceRef, error)
	// Impact sums up the system's impact assessments.
	Impact(ctx context.Context, actor *aims.Actor, systemID string) (*ImpactState, error)
	// Risks lists the open (not closed) risks that concern the system.
	Risks(ctx context.Context, actor *aims.Actor, systemID string) ([]RiskState, error)
	// SetStage moves the system from one stage to another in the caller's
	// transaction, with its audit event on the system.
	SetStage(ctx context.Context, tx *db.Tx, actor *aims.Actor, systemID, from, to, reason string) error
}

// Service manages stage gates, transitions and change requests.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the life-cycle service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// Object types of the life cycle in the audit log.
const (
	ObjectGates   = "lifecycle_gates" // the organisation's stage gates; its reference is "Stage gates"
	ObjectRequest = "stage_request"   // a request to move a system to another stage, MOVE-3
	ObjectChange  = "change_request"  // a change request, CR-3

	// SystemObject is how the AI system inventory names systems in the
	// audit log; an approved significant change is recorded on the system.
	SystemObject = "ai_system"
	// SignificantField is the field of an AI system's audit event that
	// records an approved significant change, such as "CR-3: New ranking
	// model"; the risk register and impact assessments watch it.
	SignificantField = "significant_change"
)

// Audit actions of the life cycle.
const (
	ActionGatesSet        = "lifecycle_gates.set"
	ActionRequestCreate   = "stage_request.create"
	ActionRequestApprove  = "stage_request.approve"
	ActionRequestOverride = "stage_request.override"
	ActionRequestRefuse   = "stage_request.refuse"
	ActionRequestWithdraw = "stage_request.withdraw"
	ActionChangeCreate    = "change_request.create"
	ActionChangeReclass   = "change_request.reclassify"
	ActionChangeApprove   = "change_request.approve"
	ActionChangeRefuse    = "change_request.refuse"
	ActionChangeImplement = "change_request.implement"
	ActionChangeWithdraw  = "change_request.withdraw"
	// ActionSignificantChange is recorded on the AI system when a significant change of it is approved.
	ActionSignificantChange = "ai_system.significant_change"
)

// References of requests.
const (
	requestPrefix = "MOVE"
	changePrefix  = "CR"
	gatesRef      = "Stage gates"
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
	Help  string
}

// Stages are the stages of an AI system's life cycle, as the AI system
// inventory names them (aisystem.LifecycleStages; a test keeps them equal).
var Stages = []Option{
	{"inception", "Inception", "need, objectives and feasibility"},
	{"design_and_development", "Design and development", "data, models and the system are built"},
	{"verification_and_validation", "Verification and validation", "tested against its requirements"},
	{"deployment", "Deployment", "installed and released into its environment"},
	{"operation_and_monitoring", "Operation and monitoring", "in use and watched"},
	{"re_evaluation", "Re-evaluation", "reassessed after change or drift"},
	{"retirement", "Retirement", "withdrawn from use"},
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
	out := ""
	for i, o := range opts {
		if i > 0 {
			out += ", "
		}
		out += o.Value
	}
	return out
}
