// Package nonconformity keeps nonconformities (ISO/IEC 42001 10.2) raised
// from audits, incidents, concerns, reviews or anywhere else: the
// correction, the root cause, corrective actions with owners and due dates,
// and the effectiveness check without which one cannot be closed.
//
// A nonconformity moves through four statuses: open (raised, no corrective
// action yet), planned (at least one corrective action is still open),
// verifying (every action is done and the effectiveness is to be checked)
// and closed. Adding an action brings it back to planned; a check that
// finds the actions ineffective sends it back to planned with its reason.
// Only a check that found every action effective allows closing.
package nonconformity

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log. An action's reference is its
// nonconformity's and its number (NC-4/A2), a check's likewise (NC-4/E1).
const (
	ObjectNC     = "nonconformity"
	ObjectAction = "corrective_action"
	ObjectCheck  = "effectiveness_check"
)

// Audit actions.
const (
	ActionCreate       = "nonconformity.create"
	ActionNCUpdate     = "nonconformity.update"
	ActionClose        = "nonconformity.close"
	ActionActionAdd    = "corrective_action.create"
	ActionActionUpdate = "corrective_action.update"
	ActionCheck        = "effectiveness_check.create"
)

// Statuses of a nonconformity and of a corrective action.
const (
	StatusOpen       = "open"
	StatusPlanned    = "planned"
	StatusVerifying  = "verifying"
	StatusClosed     = "closed"
	ActionStatusOpen = "open"
	ActionStatusDone = "done"
)

// DateLayout is how dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

const (
	refPrefix = "NC"
	maxTitle  = 200
	maxText   = 10000
	maxItems  = 50
	maxItem   = 100
)

// Statuses lists the statuses in their order, with words for people.
var Statuses = []Option{
	{StatusOpen, "Open", "raised; no corrective action planned yet"},
	{StatusPlanned, "Actions planned", "corrective actions are planned and some are still open"},
	{StatusVerifying, "Verifying", "every action is done; their effectiveness is to be checked"},
	{StatusClosed, "Closed", "the actions were found effective and the nonconformity is closed"},
}

// SourceOptions lists where nonconformities come from, with words for people.
var SourceOptions = []Option{
	{SourceAudit, "Audit", "an internal or external audit"},
	{SourceIncident, "Incident", "an incident concerning an AI system"},
	{SourceConcern, "Concern", "a concern someone reported"},
	{SourceReview, "Management review", "a management review"},
	{SourceMonitoring, "Monitoring", "monitoring or measurement"},
	{SourceOther, "Other", "anywhere else"},
}

// Severities lists the severities, with words for people.
var Severities = []Option{
	{"minor", "Minor", "an isolated lapse that does not put the AIMS's results in doubt"},
	{"major", "Major", "a requirement is not met at all, or the AIMS's results are in doubt"},
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
	return slices.ContainsFunc(opts, func(o Option) bool { return o.Value == v })
}

func values(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// SystemInfo names an AI system.
type SystemInfo struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name,omitempty"`
}

// Sources are the records of other capabilities nonconformities refer to; app satisfies it.
type Sources interface {
	// ClauseExists reports whether id names a clause of ISO/IEC 42001, such as 7.2.
	ClauseExists(id string) bool
	// ControlExists reports whether id names an Annex A control or one of the organisation's own.
	ControlExists(ctx context.Context, orgID, id string) (bool, error)
	// System resolves an AI system of the organisation by id or reference; not found when there is none.
	System(ctx context.Context, orgID, idOrRef string) (*SystemInfo, error)
	// IsMember reports whether the user belongs to the organisation.
	IsMember(ctx context.Context, orgID, userID string) (bool, error)
}

// Service manages nonconformities and their handling.
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

// list trims a list of short texts, drops blank and repeated ones and
// records a problem when one is too long or there are too many.
func list(p *aims.Problems, field string, in []string) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || slices.Contains(out, s) {
			continue
		}
		if utf8.RuneCountInString(s) > maxItem && !p.Has(field) {
			p.Add(field, "must each be at most %d characters", maxItem)
		}
		out = append(out, s)
	}
	if len(out) > maxItems && !p.Has(field) {
		p.Add(field, "must list at most %d", maxItems)
	}
	return out
}

// checkDate trims a date and records a problem when it is not YYYY-MM-DD.
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

// mustJSON encodes values that always encode: strings, lists and small structs of them.
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

// checkMember records a problem when userID is not a member of the organisation.
func (s *Service) checkMember(ctx context.Context, orgID, field, userID string, p *aims.Problems) error {
	ok, err := s.sources.IsMember(ctx, orgID, userID)
	if err != nil {
		return err
	}
	if !ok {
		p.Add(field, "names %s, who is not a member of this organisation", userID)
	}
	return nil
}

// jsonList decodes a stored JSON list of strings.
func jsonList(raw string, dst *[]string) error {
	*dst = []string{}
	return json.Unmarshal([]byte(raw), dst)
}
