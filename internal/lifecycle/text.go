package lifecycle

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// Limits of texts, in characters.
const (
	maxTitle = 200
	maxText  = 4000
	maxPlan  = 10000
)

// checkText trims a text and records a problem when it is missing, too
// long or holds a NUL character.
func checkText(p *aims.Problems, field string, v *string, required bool, limit int) {
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

// stale is the conflict of a change based on an older version.
func stale(what string, current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and try again", what, sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// invalid is an invalid-input error naming one field.
func invalid(field, format string, args ...any) error {
	return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
		Fields: []aims.FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// mustJSON encodes values that always encode: strings, numbers, lists and
// the package's own records.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// nothing is the JSON of an absent value, for the audit log.
var nothing = json.RawMessage("null")
