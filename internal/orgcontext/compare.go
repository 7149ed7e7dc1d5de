package orgcontext

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// Parts of the context a difference is about.
const (
	PartInternalIssue = "internal_issue"
	PartExternalIssue = "external_issue"
	PartParty         = "interested_party"
	PartStatement     = "scope_statement"
	PartSystem        = "scope_system"
	PartSite          = "scope_site"
	PartActivity      = "scope_activity"
	PartExclusion     = "scope_exclusion"
	PartClimate       = "climate"
)

// Kinds of difference.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Difference is one thing that differs between two versions.
type Difference struct {
	Part   string `json:"part" enum:"internal_issue,external_issue,interested_party,scope_statement,scope_system,scope_site,scope_activity,scope_exclusion,climate"`
	Change string `json:"change" enum:"added,removed,changed"`
	// Item names the issue, party, system, site, activity or exclusion; for the climate decision, the new decision.
	Item string `json:"item" doc:"The issue, party, system, site, activity or exclusion; empty for the scope statement; the new decision for the climate decision."`
	// Fields lists, for a changed item, which of its fields changed.
	Fields []string `json:"fields,omitempty" doc:"For a changed item, which of its fields changed."`
	// Text says the difference in words.
	Text string `json:"text" doc:"The difference in words, such as added the external issue “…”."`
}

// Comparison lists what changed from one version to another.
type Comparison struct {
	From        int          `json:"from" doc:"The earlier version; 0 for none."`
	To          int          `json:"to" doc:"The later version; 0 for the draft."`
	Differences []Difference `json:"differences"`
}

// Compare lists what changed from version from to version to; to 0 means
// the draft, and from 0 means nothing (everything in to is added).
func (s *Service) Compare(ctx context.Context, actor *aims.Actor, from, to int) (*Comparison, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	if from < 0 {
		p.Add("from", "must not be negative")
	}
	if to < 0 {
		p.Add("to", "must not be negative")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	a, b := empty(), empty()
	if from > 0 {
		v, err := s.version(ctx, s.db, actor.OrgID, from)
		if err != nil {
			return nil, err
		}
		a = v.Content
	}
	if to > 0 {
		v, err := s.version(ctx, s.db, actor.OrgID, to)
		if err != nil {
			return nil, err
		}
		b = v.Content
	} else {
		d, err := s.draft(ctx, s.db, actor.OrgID)
		if err != nil {
			return nil, err
		}
		b = d.Content
	}
	return &Comparison{From: from, To: to, Differences: compare(&a, &b)}, nil
}

// keyed is an item of a list with the fields that tell whether it changed.
type keyed struct {
	name   string
	fields map[string]string
}

// compare lists the differences from a to b, part by part, in the order of b.
func compare(a, b *Content) []Difference {
	var out []Difference
	issueItems := func(in []Issue) []keyed {
		out := make([]keyed, len(in))
		for i, it := range in {
			out[i] = keyed{it.Issue, map[string]string{"effect": it.Effect}}
		}
		return out
	}
	out = append(out, diffItems(PartInternalIssue, issueItems(a.InternalIssues), issueItems(b.InternalIssues))...)
	out = append(out, diffItems(PartExternalIssue, issueItems(a.ExternalIssues), issueItems(b.ExternalIssues))...)
	partyItems := func(in []Party) []keyed {
		out := make([]keyed, len(in))
		for i, it := range in {
			out[i] = keyed{it.Name, map[string]string{"needs": it.Needs, "addressed": it.Addressed,
				"climate_related": fmt.Sprint(it.ClimateRelated)}}
		}
		return out
	}
	out = append(out, diffItems(PartParty, partyItems(a.Parties), partyItems(b.Parties))...)
	if a.Scope.Statement != b.Scope.Statement {
		out = append(out, Difference{Part: PartStatement, Change: Changed})
	}
	systemItems := func(in []SystemLink) []keyed {
		out := make([]keyed, len(in))
		for i, l := range in {
			out[i] = keyed{l.Ref + " " + l.Name, nil}
		}
		return out
	}
	out = append(out, diffItems(PartSystem, systemItems(a.Scope.Systems), systemItems(b.Scope.Systems))...)
	plain := func(in []string) []keyed {
		out := make([]keyed, len(in))
		for i, s := range in {
			out[i] = keyed{s, nil}
		}
		return out
	}
	out = append(out, diffItems(PartSite, plain(a.Scope.Sites), plain(b.Scope.Sites))...)
	out = append(out, diffItems(PartActivity, plain(a.Scope.Activities), plain(b.Scope.Activities))...)
	exclusionItems := func(in []Exclusion) []keyed {
		out := make([]keyed, len(in))
		for i, x := range in {
			out[i] = keyed{x.What, map[string]string{"justification": x.Justification}}
		}
		return out
	}
	out = append(out, diffItems(PartExclusion, exclusionItems(a.Scope.Exclusions), exclusionItems(b.Scope.Exclusions))...)
	if a.Climate != b.Climate {
		d := Difference{Part: PartClimate, Change: Changed}
		if a.Climate.Decision != b.Climate.Decision {
			d.Fields = append(d.Fields, "decision")
		}
		if a.Climate.Justification != b.Climate.Justification {
			d.Fields = append(d.Fields, "justification")
		}
		d.Item = b.Climate.Decision
		out = append(out, d)
	}
	for i := range out {
		out[i].Text = out[i].text()
	}
	return out
}

// diffItems compares two lists of items by name, ignoring case and spacing:
// added and changed ones in the order of b, then removed ones in the order of a.
func diffItems(part string, a, b []keyed) []Difference {
	var out []Difference
	before := map[string]keyed{}
	for _, it := range a {
		before[key(it.name)] = it
	}
	now := map[string]bool{}
	for _, it := range b {
		k := key(it.name)
		now[k] = true
		old, ok := before[k]
		if !ok {
			out = append(out, Difference{Part: part, Change: Added, Item: it.name})
			continue
		}
		var fields []string
		for _, f := range []string{"effect", "needs", "addressed", "climate_related", "justification"} {
			if old.fields[f] != it.fields[f] {
				fields = append(fields, f)
			}
		}
		if old.name != it.name {
			fields = append([]string{"wording"}, fields...)
		}
		if len(fields) > 0 {
			out = append(out, Difference{Part: part, Change: Changed, Item: it.name, Fields: fields})
		}
	}
	for _, it := range a {
		if !now[key(it.name)] {
			out = append(out, Difference{Part: part, Change: Removed, Item: it.name})
		}
	}
	return out
}

// partNames are how the parts are named in sentences.
var partNames = map[string]string{
	PartInternalIssue: "the internal issue", PartExternalIssue: "the external issue", PartParty: "the interested party",
	PartSystem: "the AI system in scope", PartSite: "the site", PartActivity: "the activity", PartExclusion: "the exclusion",
}

// text says the difference in words.
func (d Difference) text() string {
	switch d.Part {
	case PartStatement:
		return "changed the scope statement"
	case PartClimate:
		if len(d.Fields) > 0 && d.Fields[0] == "decision" {
			switch d.Item {
			case ClimateRelevant:
				return "decided that climate change is a relevant issue"
			case ClimateNotRelevant:
				return "decided that climate change is not a relevant issue"
			}
			return "withdrew the decision on climate change"
		}
		return "changed the justification of the decision on climate change"
	}
	s := d.Change + " " + partNames[d.Part] + " “" + clip(d.Item) + "”"
	if d.Change == Changed && len(d.Fields) > 0 {
		s += " (" + strings.Join(d.Fields, ", ") + ")"
	}
	return s
}

// clip shortens a long item for a sentence.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= 80 {
		return s
	}
	return strings.TrimSpace(string(r[:79])) + "…"
}

// describe says in one sentence what an approved version changed from the one before.
func describe(v *Version, diffs []Difference) string {
	head := fmt.Sprintf("Version %d (approved %s)", v.Number, longDate(v.ApprovedAt))
	if v.Number == 1 {
		c := v.Content
		return fmt.Sprintf("%s was the first approved context: %s, %s and %s.", head,
			count(len(c.InternalIssues), "internal issue"), count(len(c.ExternalIssues), "external issue"),
			count(len(c.Parties), "interested party"))
	}
	if len(diffs) == 0 {
		return fmt.Sprintf("%s confirmed version %d without changes.", head, v.Number-1)
	}
	texts := make([]string, len(diffs))
	for i, d := range diffs {
		texts[i] = d.Text
	}
	return head + " " + strings.Join(texts, "; ") + "."
}

// count writes a number with its noun: 1 external issue, 3 interested parties.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
