package impact

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// Field limits, in characters.
const (
	maxTitle  = 200
	maxShort  = 1000
	maxHelp   = 2000
	maxText   = 4000
	maxAnswer = 10000
)

// checkText trims a text and records what is wrong with it.
func checkText(p *aims.Problems, field string, v *string, required bool, limit int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case !utf8.ValidString(*v):
		p.Add(field, "must be UTF-8 text")
	case utf8.RuneCountInString(*v) > limit:
		p.Add(field, "must be at most %d characters", limit)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

// slugPattern is what ids of sections, questions and options look like.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// checkDate reads a date written YYYY-MM-DD.
func checkDate(p *aims.Problems, field, v string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Format(time.DateOnly) != v {
		p.Add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// staleVersion refuses a change based on an outdated version of something.
func staleVersion(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict,
		Message: fmt.Sprintf("someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again",
			what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// invalid is an invalid-input error naming one field.
func invalid(field, format string, args ...any) error {
	var p aims.Problems
	p.Add(field, format, args...)
	return p.Err()
}

func itoa(n int) string { return strconv.Itoa(n) }

// mustJSON encodes values that always encode: strings, numbers, booleans and lists and maps of them.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// day is the calendar day of t in UTC, written YYYY-MM-DD.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// oneLine squeezes a text to one line of at most n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
