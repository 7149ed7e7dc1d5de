// Package review keeps management reviews (ISO/IEC 42001 9.3): meetings
// whose inputs are compiled from the live records, the decisions and actions
// taken, and the chair's sign-off, after which the record is frozen.
package review

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

// Object types in the audit log. A decision's reference is its review's and
// its number (MR-1/D2), an action's likewise (MR-1/A3).
const (
	ObjectReview   = "management_review"
	ObjectDecision = "review_decision"
	ObjectAction   = "review_action"
)

// Audit actions.
const (
	ActionCreate         = "management_review.create"
	ActionUpdate         = "management_review.update"
	ActionSignOff        = "management_review.sign_off"
	ActionDecisionAdd    = "review_decision.create"
	ActionDecisionRemove = "review_decision.remove"
	ActionActionAdd      = "review_action.create"
	ActionActionUpdate   = "review_action.update"
	ActionActionRemove   = "review_action.remove"
)

// Statuses of a review.
const (
	StatusDraft     = "draft"
	StatusSignedOff = "signed_off"
)

// Statuses of an action.
const (
	ActionOpen = "open"
	ActionDone = "done"
)

const refPrefix = "MR"

// DateLayout is how dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Field limits, in characters or items.
const (
	maxTitle    = 200
	maxName     = 200
	maxText     = 10000
	maxPeople   = 100
	maxDecision = 4000
)

// Member is a member of the organisation as reviews need them.
type Member struct {
	UserID string
	Name   string
	Email  string
	Role   aims.Role
}

// Sources are the records of other capabilities a review compiles its
// inputs from; app satisfies it. Members reads as the actor; the others
// sum up an organisation for a service that has already authorised its
// actor, counting what is named "since" from since (zero: from the start).
type Sources interface {
	// Members lists the members of the actor's organisation.
	Members(ctx context.Context, actor *aims.Actor) ([]Member, error)
	// OrgName is the name of the actor's organisation.
	OrgName(ctx context.Context, actor *aims.Actor) (string, error)
	// Context sums up the organisation's context and its approved changes since.
	Context(ctx context.Context, orgID string, since time.Time) (*ContextState, error)
	// Documents sums up documented information and the AI policy.
	Documents(ctx context.Context, orgID string) (*DocumentState, error)
	// People sums up AIMS roles, competence gaps and training.
	People(ctx context.Context, orgID string, since time.Time) (*PeopleState, error)
	// Concerns sums up reported concerns.
	Concerns(ctx context.Context, orgID string, since time.Time) (*ConcernState, error)
	// Objectives sums up the AI objectives and their indicators.
	Objectives(ctx context.Context, orgID string) (*ObjectiveState, error)
	// Incidents sums up incidents.
	Incidents(ctx context.Context, orgID string, since time.Time) (*IncidentState, error)
	// Nonconformities sums up nonconformities and corrective actions.
	Nonconformities(ctx context.Context, orgID string, since time.Time) (*NonconformityState, error)
	// Audits sums up the internal audit programme and its results.
	Audits(ctx context.Context, orgID string, since time.Time) (*AuditState, error)
	// Risks sums up the risk register.
	Risks(ctx context.Context, orgID string) (*RiskState, error)
	// Readiness sums up readiness for certification as the actor sees it.
	Readiness(ctx context.Context, actor *aims.Actor) (*ReadinessState, error)
}

// Service manages management reviews.
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

// checkDate trims a date and records a problem when it is not YYYY-MM-DD,
// or is missing while required.
func checkDate(p *aims.Problems, field string, v *string, required bool) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		if required {
			p.Add(field, "is required")
		}
		return
	}
	if _, err := time.Parse(DateLayout, *v); err != nil {
		p.Add(field, "must be a date written YYYY-MM-DD")
	}
}

// mustJSON encodes values that always encode: strings and lists of them.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

func frozen(ref string) error {
	return aims.Errorf(aims.CodeConflict, "%s is signed off: its record is frozen", ref)
}

// today is the clock's date as YYYY-MM-DD, in UTC.
func (s *Service) today() string { return s.clock().UTC().Format(DateLayout) }

// members reads the organisation's members by user id.
func (s *Service) members(ctx context.Context, actor *aims.Actor) (map[string]Member, []Member, error) {
	ms, err := s.sources.Members(ctx, actor)
	if err != nil {
		return nil, nil, err
	}
	by := make(map[string]Member, len(ms))
	for _, m := range ms {
		by[m.UserID] = m
	}
	return by, ms, nil
}

// resolveMember finds a member by user id or email (ignoring case),
// recording a problem when there is none.
func resolveMember(p *aims.Problems, field, key string, ms []Member) (Member, bool) {
	key = strings.TrimSpace(key)
	for _, m := range ms {
		if m.UserID == key || strings.EqualFold(m.Email, key) {
			return m, true
		}
	}
	p.Add(field, "names %s, who is not a member of this organisation", key)
	return Member{}, false
}

// Person names a member in a record, by id with their name and email.
type Person struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

// person names a member; one who left the organisation is shown by id.
func person(by map[string]Member, id string) Person {
	if id == "" {
		return Person{}
	}
	if m, ok := by[id]; ok {
		return Person{UserID: m.UserID, Name: m.Name, Email: m.Email}
	}
	return Person{UserID: id, Name: "(former member)"}
}
