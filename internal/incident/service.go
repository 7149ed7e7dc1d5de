// Package incident keeps incidents concerning AI systems (ISO/IEC 42001
// A.8.4, 10.2): what happened, the harm and who was affected, the systems
// and model versions involved, containment, and whom the organisation must
// notify by when, including the EU AI Act Article 73 deadlines for serious
// incidents.
//
// An incident moves forward through open, contained, resolved and closed;
// closing needs the lessons learnt and every notification duty done.
package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log; a notification duty's reference is its incident's and its number (INC-2/N1).
const (
	ObjectIncident     = "incident"
	ObjectNotification = "incident_notification"
)

// Audit actions.
const (
	ActionCreate         = "incident.create"
	ActionUpdate         = "incident.update"
	ActionStatus         = "incident.status"
	ActionClose          = "incident.close"
	ActionRaiseNC        = "incident.raise_nonconformity"
	ActionNoticeAdd      = "incident_notification.create"
	ActionNoticeNotified = "incident_notification.notified"
	ActionNoticeDeadline = "incident_notification.deadline"
)

// Statuses of an incident, in their order.
const (
	StatusOpen      = "open"
	StatusContained = "contained"
	StatusResolved  = "resolved"
	StatusClosed    = "closed"
)

const (
	refPrefix = "INC"
	maxTitle  = 200
	maxText   = 10000
	maxItems  = 50
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
	Help  string
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
	return slices.ContainsFunc(opts, func(o Option) bool { return o.Value == v })
}

func values(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// Statuses lists the statuses in their order.
var Statuses = []Option{
	{StatusOpen, "Open", "reported; not yet contained"},
	{StatusContained, "Contained", "the harm is stopped from spreading"},
	{StatusResolved, "Resolved", "the cause is dealt with"},
	{StatusClosed, "Closed", "lessons learnt recorded and every notification made"},
}

// Severities lists how bad an incident is.
var Severities = []Option{
	{"low", "Low", "little or no harm"},
	{"medium", "Medium", "limited harm that can be undone"},
	{"high", "High", "significant harm, or harm to many"},
	{"critical", "Critical", "serious or irreversible harm"},
}

// Harms lists the kinds of harm an incident may do.
var Harms = []Option{
	{"health_safety", "Health or safety", "injury, illness or danger to people"},
	{"fundamental_rights", "Fundamental rights", "discrimination, privacy, freedom of expression and other rights"},
	{"property", "Property", "damage to property or financial loss"},
	{"environment", "Environment", "harm to the environment"},
	{"critical_infrastructure", "Critical infrastructure", "disruption of the management or operation of critical infrastructure"},
	{"other", "Other", "any other harm"},
}

// SystemInfo names an AI system.
type SystemInfo struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name,omitempty"`
}

// VersionInfo names a model version and the AI system its model belongs to.
type VersionInfo struct {
	ID string `json:"id"`
	// Key is the model's reference and the version's label, such as MDL-1@1.4.0.
	Key      string `json:"key"`
	SystemID string `json:"system_id"`
}

// NCRequest is what an incident gives the nonconformity it raises.
type NCRequest struct {
	Title       string
	Description string
	// Severity is minor or major.
	Severity string
	// SourceRef is the incident's reference.
	SourceRef string
	// Systems are the ids of the AI systems concerned.
	Systems []string
}

// Sources are the records of other capabilities incidents refer to; app satisfies it.
type Sources interface {
	// System resolves an AI system of the organisation by id or reference; not found when there is none.
	System(ctx context.Context, orgID, idOrRef string) (*SystemInfo, error)
	// ModelVersion resolves a model version by key (MDL-1@1.4.0) or id; not found when there is none.
	ModelVersion(ctx context.Context, orgID, idOrKey string) (*VersionInfo, error)
	// IsMember reports whether the user belongs to the organisation.
	IsMember(ctx context.Context, orgID, userID string) (bool, error)
	// Leads lists the user ids of the organisation's owners and managers.
	Leads(ctx context.Context, orgID string) ([]string, error)
	// RaiseNonconformity raises a nonconformity with source incident within tx and returns its reference.
	RaiseNonconformity(ctx context.Context, tx *db.Tx, actor *aims.Actor, req NCRequest) (string, error)
}

// Service manages incidents and their notification duties.
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

// mustJSON encodes values that always encode.
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
