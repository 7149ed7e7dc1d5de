package evidence

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// Field limits, in characters.
const (
	maxTitle       = 200
	maxDescription = 4000
	maxURL         = 2000
	maxNote        = 20000
	maxLinks       = 200
)

// DateLayout is how validity dates are written.
const DateLayout = "2006-01-02"

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

// normalise trims the fields every change may set, title, description and
// the validity dates, and records every problem with them.
func (it *Evidence) normalise(p *aims.Problems) {
	text(p, "title", &it.Title, true, maxTitle)
	text(p, "description", &it.Description, false, maxDescription)
	fromOK := date(p, "valid_from", &it.ValidFrom)
	untilOK := date(p, "valid_until", &it.ValidUntil)
	if fromOK && untilOK && it.ValidFrom != "" && it.ValidUntil != "" && it.ValidUntil < it.ValidFrom {
		p.Add("valid_until", "must not be before the first valid day (%s)", it.ValidFrom)
	}
}

// date trims a validity date and reports whether it is empty or a real day.
func date(p *aims.Problems, field string, v *string) bool {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return true
	}
	if _, err := time.Parse(DateLayout, *v); err != nil {
		p.Add(field, "must be a date written YYYY-MM-DD, such as 2026-12-31")
		return false
	}
	return true
}

// normaliseContent checks a new item's kind and the content that kind
// requires: a URL for a link, the text of a note. Files are checked as they
// are stored.
func (it *Evidence) normaliseContent(p *aims.Problems) {
	it.Kind = strings.TrimSpace(it.Kind)
	if !allowed(Kinds, it.Kind) {
		// Which content belongs is unknown until the kind is.
		p.Add("kind", "must be one of %s", values(Kinds))
		return
	}
	if it.Kind == KindLink {
		text(p, "url", &it.URL, true, maxURL)
		if it.URL != "" && !p.Has("url") {
			u, err := url.Parse(it.URL)
			switch {
			case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
				p.Add("url", "must be a web address starting with http:// or https://")
			case u.User != nil:
				p.Add("url", "must not hold a user name or password")
			}
		}
	} else if strings.TrimSpace(it.URL) != "" {
		p.Add("url", "is only for evidence of kind link")
	}
	if it.Kind == KindNote {
		text(p, "note", &it.Note, true, maxNote)
	} else if strings.TrimSpace(it.Note) != "" {
		p.Add("note", "is only for evidence of kind note")
	}
	if it.Kind != KindLink {
		it.URL = ""
	}
	if it.Kind != KindNote {
		it.Note = ""
	}
}

// resolveLinks reads links written type:id, checks that each names
// something that exists in the organisation, and returns them in order
// without repeats. Unknown or malformed links are one problem of the
// field links.
func (s *Service) resolveLinks(ctx context.Context, orgID string, raw []string, p *aims.Problems) ([]EvidenceLink, error) {
	out := []EvidenceLink{}
	seen := map[string]bool{}
	var bad []string
	for _, r := range raw {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		typ, id, ok := strings.Cut(r, ":")
		typ, id = strings.ToLower(strings.TrimSpace(typ)), strings.TrimSpace(id)
		if !ok || id == "" || !allowed(TargetTypes, typ) {
			bad = append(bad, strconv.Quote(r)+" (write type:id with type "+values(TargetTypes)+")")
			continue
		}
		l, found, err := s.resolve(ctx, orgID, typ, id)
		if err != nil {
			return nil, err
		}
		if !found {
			bad = append(bad, r+" (no such "+targetNoun[typ]+")")
			continue
		}
		if key := l.Type + ":" + l.ID; !seen[key] {
			seen[key] = true
			out = append(out, l)
		}
	}
	if len(bad) > 0 {
		p.Add("links", "must each name a control, clause or AI system; these do not: %s", strings.Join(bad, ", "))
	} else if len(out) > maxLinks {
		p.Add("links", "must be at most %d", maxLinks)
	}
	sortLinks(out)
	return out, nil
}

// targetNoun names each type of target in a sentence.
var targetNoun = map[string]string{TargetControl: "control", TargetClause: "clause", TargetAISystem: "AI system"}

// resolve finds one link target, reporting whether it exists.
func (s *Service) resolve(ctx context.Context, orgID, typ, id string) (EvidenceLink, bool, error) {
	switch typ {
	case TargetControl:
		id = strings.ToUpper(id)
		ok, err := s.targets.ControlExists(ctx, orgID, id)
		return EvidenceLink{Type: typ, ID: id, Ref: id}, ok, err
	case TargetClause:
		return EvidenceLink{Type: typ, ID: id, Ref: id}, s.targets.ClauseExists(id), nil
	default:
		sysID, ref, err := s.targets.System(ctx, orgID, id)
		if aims.CodeOf(err) == aims.CodeNotFound {
			return EvidenceLink{}, false, nil
		}
		if err != nil {
			return EvidenceLink{}, false, err
		}
		return EvidenceLink{Type: typ, ID: sysID, Ref: ref}, true, nil
	}
}

// sortLinks orders links by type (controls, clauses, AI systems) and then
// by their references, numbers in numeric order: A.6.2.10 after A.6.2.9.
func sortLinks(ls []EvidenceLink) {
	order := map[string]int{TargetControl: 0, TargetClause: 1, TargetAISystem: 2}
	slices.SortStableFunc(ls, func(a, b EvidenceLink) int {
		if a.Type != b.Type {
			return order[a.Type] - order[b.Type]
		}
		return compareRefs(a.Ref, b.Ref)
	})
}

// compareRefs compares references part by part, numbers as numbers.
func compareRefs(a, b string) int {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' })
	}
	pa, pb := split(a), split(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			return na - nb
		}
		return strings.Compare(pa[i], pb[i])
	}
	if len(pa) != len(pb) {
		return len(pa) - len(pb)
	}
	return strings.Compare(a, b)
}

// linkStrings is how links are recorded in the audit log: type:reference.
func linkStrings(ls []EvidenceLink) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.String()
	}
	return out
}

// validityOn computes an item's validity on a day, written YYYY-MM-DD;
// soon is the last day that counts as expiring soon. Dates written
// YYYY-MM-DD compare as text in the same order as days.
func validityOn(status, from, until, today, soon string) string {
	switch {
	case status != StatusActive:
		return ValidityArchived
	case until != "" && until < today:
		return ValidityExpired
	case from != "" && from > today:
		return ValidityNotYet
	case until != "" && until <= soon:
		return ValidityExpiring
	}
	return ValidityCurrent
}

// days returns today and the last day of the expiring window, from the clock in UTC.
func (s *Service) days() (today, soon string) {
	now := s.clock().UTC()
	return now.Format(DateLayout), now.AddDate(0, 0, ExpiringDays).Format(DateLayout)
}

// searchText is what a search matches: reference, title, description, URL and file name, in lower case.
func (it *Evidence) searchText() string {
	return strings.ToLower(strings.Join([]string{it.Ref, it.Title, it.Description, it.URL, it.FileName}, "\n"))
}

// staleVersion refuses a change based on an old version.
func staleVersion(current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed this evidence since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}
