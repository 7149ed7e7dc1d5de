// Package objective keeps the organisation's AI objectives (ISO/IEC 42001
// 6.2, 9.1, Annex C): each with an owner and measurable indicators, their
// targets and measurement cadence, and the values measured over time.
package objective

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

// Object types in the audit log. An indicator's reference is its
// objective's and its number (OBJ-1/I2), a measurement's that of its
// indicator and its number (OBJ-1/I2/M5).
const (
	ObjectObjective   = "objective"
	ObjectIndicator   = "objective_indicator"
	ObjectMeasurement = "objective_measurement"
)

// Audit actions.
const (
	ActionCreate          = "objective.create"
	ActionUpdate          = "objective.update"
	ActionStatus          = "objective.status"
	ActionIndicatorCreate = "objective_indicator.create"
	ActionIndicatorUpdate = "objective_indicator.update"
	ActionMeasure         = "objective_measurement.create"
	ActionCorrect         = "objective_measurement.correct"
)

// refPrefix starts the references of objectives: OBJ-1, OBJ-2 …
const refPrefix = "OBJ"

// SystemInfo names an AI system.
type SystemInfo struct {
	ID   string
	Ref  string
	Name string
}

// Member is a member of the organisation.
type Member struct {
	UserID string
	Name   string
	Email  string
}

// ObjectiveAnnexC is one of Annex C's potential AI-related objectives.
type ObjectiveAnnexC struct {
	ID    string `json:"id" doc:"Such as C.2.5."`
	Title string `json:"title"`
}

// EvidenceInfo names an item of evidence.
type EvidenceInfo struct {
	ID    string
	Ref   string
	Title string
}

// Sources are the records of other capabilities objectives refer to; app
// satisfies it. Each method reads as the actor, in the actor's organisation.
type Sources interface {
	// System resolves an AI system by id or reference (SYS-1).
	System(ctx context.Context, actor *aims.Actor, idOrRef string) (*SystemInfo, error)
	// Members lists the organisation's members.
	Members(ctx context.Context, actor *aims.Actor) ([]Member, error)
	// AnnexCObjectives lists Annex C's objectives (C.2.x) in order.
	AnnexCObjectives() []ObjectiveAnnexC
	// Evidence resolves an item of evidence by id or reference (EV-1).
	Evidence(ctx context.Context, actor *aims.Actor, idOrRef string) (*EvidenceInfo, error)
}

// Service manages objectives, their indicators and measurements.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the objective service.
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

// isOneOf reports whether v is the value of one of opts.
func isOneOf(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// valueList writes the values of opts for an error message.
func valueList(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// DateLayout is how calendar dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Field limits, in characters or items.
const (
	maxTitle   = 200
	maxUnit    = 40
	maxText    = 2000
	maxLong    = 10000
	maxSystems = 100
	maxBatch   = 1000
)

// trimText trims a text field in place and records what is wrong with it.
func trimText(p *aims.Problems, field string, v *string, required bool, limit int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(*v) > limit:
		p.Add(field, "must be at most %d characters", limit)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

// parseDate trims a date in place and records a problem when it is set but
// not YYYY-MM-DD; ok is false when it is empty or wrong.
func parseDate(p *aims.Problems, field string, v *string) (time.Time, bool) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, *v)
	if err != nil {
		p.Add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// encodeJSON encodes values that always encode: strings and lists of them.
func encodeJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// staleVersion refuses a change based on a version that is no longer current.
func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// today is the clock's date as YYYY-MM-DD, in UTC.
func (s *Service) today() string { return s.clock().UTC().Format(DateLayout) }

// likeEscape makes a search word match literally in a LIKE pattern.
func likeEscape(w string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w)
}

// findMember finds a member by user id or email, ignoring case.
func findMember(ms []Member, key string) (Member, bool) {
	key = strings.TrimSpace(key)
	for _, m := range ms {
		if m.UserID == key || strings.EqualFold(m.Email, key) {
			return m, true
		}
	}
	return Member{}, false
}
