// Package document keeps the organisation's documented information
// (ISO/IEC 42001 5.2, 7.3, 7.5, A.2): the AI policy, procedures and any other
// document, in versions whose Markdown text is frozen once approved, with an
// owner, a review interval, the roles it is distributed to and who has
// acknowledged reading the version in force.
package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log. Every change of a document or of one of
// its versions is an event about the document (its reference, or its
// reference and the version, such as "DOC-1 v2"); acknowledgements are
// events of their own type, about the document too, so that a document's
// history is not buried under them.
const (
	ObjectDocument        = "document"
	ObjectAcknowledgement = "document_acknowledgement"
)

// Audit actions.
const (
	ActionCreate       = "document.create"
	ActionUpdate       = "document.update"
	ActionDraft        = "document.draft"
	ActionDraftUpdate  = "document.draft_update"
	ActionDraftDiscard = "document.draft_discard"
	ActionApprove      = "document.approve"
	ActionReview       = "document.review"
	ActionArchive      = "document.archive"
	ActionRestore      = "document.restore"
	ActionAcknowledge  = "document.acknowledge"
)

// refPrefix starts every document's reference: DOC-1, DOC-2 …
const refPrefix = "DOC"

// Sources are the records of other capabilities this one refers to; app satisfies it.
type Sources interface {
	// Clause returns the title of a sub-clause of clauses 4–10, and whether there is one with the id.
	Clause(id string) (title string, ok bool)
	// Control returns the title of an Annex A control or of one of the
	// organisation's own controls, and whether there is one with the id.
	Control(ctx context.Context, orgID, id string) (title string, ok bool, err error)
}

// Service manages documents, their versions, reviews and acknowledgements.
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

// DateLayout is how dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// DueWithin is how long before its review date a document is due for review
// and its owner is reminded.
const DueWithin = 30 * 24 * time.Hour

// Field limits, in characters or items.
const (
	maxTitle = 200
	maxNote  = 2000
	// MaxText is the longest text of a version, in characters.
	MaxText     = 200000
	maxItems    = 60
	maxMonths   = 60
	defaultTerm = 12
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Help  string `json:"help"`
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
	case !utf8.ValidString(*v):
		p.Add(field, "must be valid UTF-8 text")
	}
}

// body checks a version's Markdown text: it keeps its inner layout, loses
// trailing blanks at the end, and uses \n line endings.
func body(p *aims.Problems, field string, v *string) {
	s := strings.ReplaceAll(*v, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimRight(s, " \t\n")
	s = strings.TrimLeft(s, "\n")
	*v = s
	switch {
	case !utf8.ValidString(s):
		p.Add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(s) > MaxText:
		p.Add(field, "must be at most %d characters", MaxText)
	case strings.ContainsRune(s, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

// digest is the SHA-256 of a version's text, in hex.
func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// mustJSON encodes values that always encode: strings, numbers and lists of them.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// likeEscape makes a search word match literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

func staleRevision(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed the draft of %s since you loaded it (you sent revision %d, it is now at %d): reload it and apply your change again", what, sent, current),
		Fields: []aims.FieldError{{Field: "revision", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// today is the clock's date as YYYY-MM-DD, in UTC.
func (s *Service) today() string { return s.clock().UTC().Format(DateLayout) }

// addMonths adds whole months to a YYYY-MM-DD date, keeping to the last day
// of a shorter month (31 January and a month is 28 or 29 February).
func addMonths(date string, months int) string {
	t, err := time.Parse(DateLayout, date)
	if err != nil {
		return ""
	}
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, months, 0)
	last := first.AddDate(0, 1, -1).Day()
	day := min(t.Day(), last)
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC).Format(DateLayout)
}

// daysBetween counts the days from one YYYY-MM-DD date to another.
func daysBetween(from, to string) int {
	a, err1 := time.Parse(DateLayout, from)
	b, err2 := time.Parse(DateLayout, to)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}
