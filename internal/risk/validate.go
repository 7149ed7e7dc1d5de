package risk

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// Field limits, in characters.
const (
	maxTitle      = 200
	maxText       = 4000
	maxLongText   = 10000
	maxOwnText    = 500
	maxListItems  = 50
	maxAcceptDays = 5 * 366
)

// DateLayout is how dates are written: 2026-03-02.
const DateLayout = time.DateOnly

// checkText trims a text and records what is wrong with it.
func checkText(p *aims.Problems, field string, v *string, required bool, max int) {
	*v = strings.TrimSpace(*v)
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(*v) > max:
		p.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(*v, 0):
		p.Add(field, "must not contain NUL characters")
	case !utf8.ValidString(*v):
		p.Add(field, "must be UTF-8 text")
	}
}

// checkDate trims a date and records whether it is one, written YYYY-MM-DD.
func checkDate(p *aims.Problems, field string, v *string) (time.Time, bool) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, *v)
	if err != nil || t.Format(DateLayout) != *v {
		p.Add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// checkOwner records a problem unless a new owner is a member of the
// organisation. kept, the stored owner, may stay after leaving it, so that
// a former member does not block other changes.
func checkOwner(ctx context.Context, q db.Queryer, p *aims.Problems, field, orgID string, owner *string, kept string) error {
	*owner = strings.ToLower(strings.TrimSpace(*owner))
	if *owner == "" || *owner == kept {
		return nil
	}
	if !aims.ValidID(*owner) {
		p.Add(field, "is not a user id")
		return nil
	}
	ok, err := isMember(ctx, q, orgID, *owner)
	if err != nil {
		return err
	}
	if !ok {
		p.Add(field, "is not a member of this organisation")
	}
	return nil
}

// isMember reports whether a user is a member of an organisation.
func isMember(ctx context.Context, q db.Queryer, orgID, userID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID).Scan(&n)
	return n > 0, err
}

// allowed reports whether v is one of opts.
func allowed(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// values lists the values of opts for a message.
func values(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// staleVersion refuses a change based on an outdated version.
func staleVersion(what string, current, sent int) error {
	msg := fmt.Sprintf("someone changed %s since you loaded it (you sent version %d, it is now at %d): reload and apply your change again",
		what, sent, current)
	if sent == 0 && current > 0 {
		msg = fmt.Sprintf("%s was set by someone else since you loaded it (it is now at version %d): reload and apply your change again", what, current)
	}
	return &aims.Error{Code: aims.CodeConflict, Message: msg,
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

func itoa(n int) string { return strconv.Itoa(n) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mustJSON encodes values that always encode: strings, numbers, booleans and lists of them.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// jsonText is how list fields are stored: a JSON array as text.
func jsonText(v []string) string {
	if v == nil {
		v = []string{}
	}
	return string(mustJSON(v))
}

// lessRef orders references such as RISK-2 before RISK-10, and control ids
// part by part: A.2.2 before A.10.2; own controls (CTL-1) after Annex A.
func lessRef(a, b string) bool {
	pa, pb := refParts(a), refParts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil:
			return na < nb
		case ea == nil:
			return true
		case eb == nil:
			return false
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func refParts(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == '.' || r == '-' })
}

// today is the clock's date, in UTC.
func (s *Service) today() string { return s.clock().UTC().Format(DateLayout) }

// addDays is a date days after t, written YYYY-MM-DD.
func addDays(t time.Time, days int) string { return t.UTC().AddDate(0, 0, days).Format(DateLayout) }
