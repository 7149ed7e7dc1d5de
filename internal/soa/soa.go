// Package soa is the Statement of Applicability: for every control, whether
// it applies and why, how far it is implemented, who owns it and by when,
// per organisation and where it differs per AI system; edited as a draft
// and approved into numbered, frozen versions that name the audit
// checkpoint signed at approval.
package soa

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// ControlInfo is what the Statement of Applicability needs of a control.
type ControlInfo struct {
	ID         string
	CategoryID string
	Title      string
	Custom     bool
	// CategoryTitle names the Annex A category; empty for an own control outside them.
	CategoryTitle string
}

// RiskRef names a risk of the register.
type RiskRef struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// EvidenceRef names a piece of current evidence.
type EvidenceRef struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// Sources are the records of other capabilities the Statement of
// Applicability reads; app satisfies it with the catalogue, the AI system
// inventory and the evidence.
type Sources interface {
	// Controls lists every control the organisation must decide on, in catalogue order.
	Controls(ctx context.Context, orgID string) ([]ControlInfo, error)
	// System resolves an AI system's id or reference to its id, reference and name, or a not-found error.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
	// CurrentEvidence lists the current evidence linked to each control.
	CurrentEvidence(ctx context.Context, orgID string) (map[string][]EvidenceRef, error)
	// RisksForControls lists, per control, the open risks whose treatment names it.
	RisksForControls(ctx context.Context, orgID string) (map[string][]RiskRef, error)
}

// Service manages Statements of Applicability.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the Statement of Applicability service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// Object types and actions in the audit log.
const (
	ObjectEntry   = "soa_entry"   // a decision on one control, for the organisation or one AI system
	ObjectDraft   = "soa_draft"   // the draft's scope
	ObjectVersion = "soa_version" // an approved version

	ActionScopeChange    = "soa.scope_change"
	ActionEntrySet       = "soa.entry_set"
	ActionOverrideRemove = "soa.override_remove"
	ActionApprove        = "soa.approve"
)

// Implementation statuses of an applicable control.
const (
	StatusNotStarted  = "not_started"
	StatusPlanned     = "planned"
	StatusPartial     = "partially_implemented"
	StatusImplemented = "implemented"
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
}

// Statuses are the implementation statuses, from least to most advanced.
var Statuses = []Option{
	{StatusNotStarted, "Not started"},
	{StatusPlanned, "Planned"},
	{StatusPartial, "Partially implemented"},
	{StatusImplemented, "Implemented"},
}

// StatusLabel words an implementation status for people; empty stays empty.
func StatusLabel(v string) string {
	for _, o := range Statuses {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// Field limits, in characters.
const (
	maxText = 4000
)

// Decision is what is decided for one control, for the whole organisation
// or for one AI system.
type Decision struct {
	Applicable    bool      `json:"applicable"`
	Justification string    `json:"justification" doc:"Why the control is included or excluded."`
	Status        string    `json:"status" doc:"Implementation status when applicable: not_started, planned, partially_implemented or implemented; empty when not applicable."`
	OwnerID       string    `json:"owner_id" doc:"User id of the person responsible; empty when none."`
	OwnerName     string    `json:"owner_name" doc:"Name of the owner, for display."`
	TargetDate    string    `json:"target_date" doc:"Date by which it is to be implemented, YYYY-MM-DD; empty when none."`
	Version       int       `json:"version" doc:"Increases with every change; send it back when changing the decision."`
	UpdatedAt     time.Time `json:"updated_at"`
	UpdatedBy     string    `json:"updated_by" doc:"User id (or, for administrative commands, the name) of whoever changed it last."`
	UpdatedByName string    `json:"updated_by_name"`
}

// Override is a decision for one AI system that differs from the organisation's.
type Override struct {
	SystemID   string `json:"system_id"`
	SystemRef  string `json:"system_ref"`
	SystemName string `json:"system_name"`
	Decision
}

// Entry is one control of the Statement of Applicability with its
// organisation-level decision, the overrides for AI systems and the evidence
// that shows it.
type Entry struct {
	ControlID     string `json:"control_id"`
	CategoryID    string `json:"category_id" doc:"Annex A category such as A.6; empty for an own control outside them."`
	CategoryTitle string `json:"category_title"`
	Title         string `json:"title"`
	Custom        bool   `json:"custom" doc:"True for the organisation's own controls."`
	// Decision is the organisation-level decision, absent while undecided.
	Decision  *Decision     `json:"decision,omitempty" doc:"The organisation-level decision; absent while the control is undecided."`
	Overrides []Override    `json:"overrides" doc:"Decisions for single AI systems that differ from the organisation's, by system reference."`
	Evidence  []EvidenceRef `json:"evidence" doc:"Current evidence linked to the control."`
	Risks     []RiskRef     `json:"risks" doc:"The open risks whose treatment names the control."`
}

// Decided reports whether the control has an organisation-level decision with a justification.
func (e *Entry) Decided() bool { return e.Decision != nil && e.Decision.Justification != "" }

// Draft is the Statement of Applicability being edited.
type Draft struct {
	Organisation string     `json:"organisation"`
	Scope        string     `json:"scope" doc:"The scope of the AI management system that the Statement covers."`
	ScopeVersion int        `json:"scope_version" doc:"Version of the scope; send it back as version when changing the scope. 0 before it is first saved."`
	UpdatedAt    *time.Time `json:"updated_at" doc:"When the draft last changed; null before its first change."`
	Entries      []Entry    `json:"entries" doc:"Every control to decide on, in catalogue order."`
	Total        int        `json:"total" doc:"Number of controls."`
	Decided      int        `json:"decided" doc:"Controls with an organisation-level decision."`
	Applicable   int        `json:"applicable" doc:"Controls that apply to the organisation."`
	Blockers     []string   `json:"blockers" doc:"Controls without an organisation-level decision and justification; approval waits for them."`
	ScopeMissing bool       `json:"scope_missing" doc:"True while the scope is empty, which also blocks approval."`
	// LatestVersion is the number of the latest approved version, 0 when none.
	LatestVersion int `json:"latest_version" doc:"Number of the latest approved version; 0 when none."`
}

// Checkpoint is the audit checkpoint signed at an approval: it covers the
// approval's own audit event.
type Checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size" doc:"Number of audit log entries covered; the approval event is the last of them."`
	Root   []byte `json:"root" doc:"Merkle root hash of the audit log at that size, base64."`
	Note   string `json:"note" doc:"The signed checkpoint as a C2SP signed note."`
}

// Version is an approved, frozen Statement of Applicability, or the draft
// prepared the same way for an export (Draft set, Number 0).
type Version struct {
	Number         int         `json:"number"`
	Draft          bool        `json:"draft,omitempty" doc:"True only for exports of the draft, which are not approved."`
	Organisation   string      `json:"organisation"`
	Scope          string      `json:"scope"`
	Note           string      `json:"note" doc:"The approver's note."`
	ApprovedBy     string      `json:"approved_by" doc:"User id of the approver."`
	ApprovedByName string      `json:"approved_by_name"`
	ApprovedAt     time.Time   `json:"approved_at"`
	Checkpoint     *Checkpoint `json:"checkpoint,omitempty"`
	Controls       []Entry     `json:"controls" doc:"Every control as it was at approval, with its decisions, overrides and the evidence current then."`
}

// Label names the version for people: "v3", or "draft".
func (v *Version) Label() string {
	if v.Draft {
		return "draft"
	}
	return "v" + itoa(v.Number)
}

// VersionSummary describes an approved version in a list.
type VersionSummary struct {
	Number         int       `json:"number"`
	Note           string    `json:"note"`
	ApprovedBy     string    `json:"approved_by"`
	ApprovedByName string    `json:"approved_by_name"`
	ApprovedAt     time.Time `json:"approved_at"`
	CheckpointSize int64     `json:"checkpoint_size"`
}

// SystemView is the Statement of Applicability as it applies to one AI
// system: its own override where there is one, else the organisation's decision.
type SystemView struct {
	SystemID   string        `json:"system_id"`
	SystemRef  string        `json:"system_ref"`
	SystemName string        `json:"system_name"`
	Entries    []SystemEntry `json:"entries"`
	Overrides  int           `json:"overrides" doc:"How many controls the system decides differently."`
}

// SystemEntry is one control's effective decision for an AI system.
type SystemEntry struct {
	ControlID     string        `json:"control_id"`
	CategoryID    string        `json:"category_id"`
	CategoryTitle string        `json:"category_title"`
	Title         string        `json:"title"`
	Custom        bool          `json:"custom"`
	Source        string        `json:"source" enum:"system,organisation,undecided" doc:"Where the decision comes from."`
	Decision      *Decision     `json:"decision,omitempty" doc:"The effective decision; absent while undecided."`
	Evidence      []EvidenceRef `json:"evidence"`
}

// Sources of an effective decision.
const (
	SourceSystem       = "system"
	SourceOrganisation = "organisation"
	SourceUndecided    = "undecided"
)
