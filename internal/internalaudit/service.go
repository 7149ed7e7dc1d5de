// Package internalaudit keeps the internal audit programme (ISO/IEC 42001
// 9.2) over the certification cycle: audits with scope, criteria and an
// auditor who does not audit their own work, a checklist generated from the
// clauses and the applicable controls, a result per item, the report, and
// findings raised as nonconformities.
package internalaudit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log. A checklist item's reference is its
// audit's and its number (IA-2/C7); a finding's likewise (IA-2/F1).
const (
	ObjectProgramme = "internal_audit_programme"
	ObjectAudit     = "internal_audit"
	ObjectItem      = "internal_audit_item"
)

// Audit actions.
const (
	ActionProgrammeCreate = "internal_audit_programme.create"
	ActionProgrammeUpdate = "internal_audit_programme.update"
	ActionPlan            = "internal_audit.plan"
	ActionUpdate          = "internal_audit.update"
	ActionStart           = "internal_audit.start"
	ActionRecord          = "internal_audit_item.record"
	ActionReport          = "internal_audit.report"
)

// Reference prefixes.
const (
	programmePrefix = "IAP"
	auditPrefix     = "IA"
)

// Member is a member of the organisation.
type Member struct {
	UserID string
	Name   string
	Email  string
	Role   aims.Role
}

// Requirement is a requirement sub-clause of the standard (4.1 … 10.2).
type Requirement struct {
	ID    string
	Title string
	// Group is the top-level clause (4 to 10); Heading the intermediate heading (6.1, 7.5, 9.2, 9.3) or empty.
	Group   string
	Heading string
	// Asks is what the clause asks, in aims' words.
	Asks string
}

// Control is a control of the catalogue: Annex A or the organisation's own.
type Control struct {
	ID         string
	CategoryID string
	Title      string
	Asks       string
}

// Claim is what the Statement of Applicability says of a control, for the
// organisation (SystemID empty) or for one AI system.
type Claim struct {
	SystemID      string
	Applicable    bool
	Justification string
	Status        string
	OwnerID       string
}

// SoAEntry is one control of the Statement of Applicability with its decisions.
type SoAEntry struct {
	ControlID string
	// Organisation is the organisation-level decision; nil while undecided.
	Organisation *Claim
	Overrides    []Claim
}

// SystemInfo is what an audit needs of an AI system.
type SystemInfo struct {
	ID      string
	Ref     string
	Name    string
	OwnerID string
}

// EvidenceInfo names a piece of evidence.
type EvidenceInfo struct {
	ID    string
	Ref   string
	Title string
}

// Raise is a nonconformity to raise from a finding.
type Raise struct {
	// SourceRef is the finding's reference, such as IA-2/F1.
	SourceRef   string
	Title       string
	Description string
	// Severity is minor or major.
	Severity string
	Clauses  []string
	Controls []string
	// Systems are the ids of the AI systems in the audit's scope.
	Systems []string
	// OwnerID is the member to handle it: the first auditee, or empty.
	OwnerID string
}

// Sources are the records of other capabilities this one refers to; app
// satisfies it. Each method reads or writes as the actor, in the actor's organisation.
type Sources interface {
	// Members lists the organisation's members with their roles.
	Members(ctx context.Context, actor *aims.Actor) ([]Member, error)
	// Clauses lists the requirement sub-clauses of the standard, in order.
	Clauses(ctx context.Context) ([]Requirement, error)
	// Controls lists the organisation's active controls, Annex A and its own, in order.
	Controls(ctx context.Context, actor *aims.Actor) ([]Control, error)
	// SoA lists the Statement of Applicability's current decisions, per control.
	SoA(ctx context.Context, actor *aims.Actor) ([]SoAEntry, error)
	// System resolves an AI system by id or reference (SYS-1).
	System(ctx context.Context, actor *aims.Actor, idOrRef string) (*SystemInfo, error)
	// Evidence resolves a piece of evidence by id or reference (EV-3).
	Evidence(ctx context.Context, actor *aims.Actor, idOrRef string) (*EvidenceInfo, error)
	// RaiseNonconformity records a nonconformity within tx, with its audit
	// event, and returns its reference (NC-4).
	RaiseNonconformity(ctx context.Context, tx *db.Tx, actor *aims.Actor, r Raise) (string, error)
}

// Service manages the internal audit programme, its audits, checklists and reports.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
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
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// DateLayout is how dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Field limits, in characters or items.
const (
	maxTitle    = 200
	maxText     = 10000
	maxScope    = 200
	maxAuditees = 50
	maxEvidence = 50
)

// text trims a text field and records what is wrong with it.
func text(p *aims.Problems, field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(*v) > max:
		p.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

// date trims a required date and records a problem when it is missing or not YYYY-MM-DD.
func date(p *aims.Problems, field string, v *string) (time.Time, bool) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		p.Add(field, "is required")
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, *v)
	if err != nil {
		p.Add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// mustJSON encodes values that always encode: strings and lists of them.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// today is the clock's date as YYYY-MM-DD, in UTC.
func (s *Service) today() string { return s.clock().UTC().Format(DateLayout) }

// byIDOrRef returns the column and key to find a record by id or reference.
func byIDOrRef(alias, idOrRef string) (string, string) {
	v := strings.TrimSpace(idOrRef)
	if aims.ValidID(v) {
		return alias + ".id", strings.ToLower(v)
	}
	return alias + ".ref", strings.ToUpper(v)
}

// members reads the organisation's members by user id.
func (s *Service) members(ctx context.Context, actor *aims.Actor) (map[string]Member, error) {
	ms, err := s.sources.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Member, len(ms))
	for _, m := range ms {
		out[m.UserID] = m
	}
	return out, nil
}
