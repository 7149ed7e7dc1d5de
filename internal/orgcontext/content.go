package orgcontext

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
)

// Content is what the context states: the same in the draft and in every approved version.
type Content struct {
	InternalIssues []Issue `json:"internal_issues" required:"false" maxItems:"100" doc:"Issues within the organisation that bear on what the AIMS is meant to achieve (4.1)."`
	ExternalIssues []Issue `json:"external_issues" required:"false" maxItems:"100" doc:"Issues outside the organisation that bear on what the AIMS is meant to achieve (4.1)."`
	Parties        []Party `json:"interested_parties" required:"false" maxItems:"100" doc:"Who has a stake in the AIMS and what they require (4.2)."`
	Scope          Scope   `json:"scope" required:"false" doc:"The boundaries of the AIMS (4.3)."`
	Climate        Climate `json:"climate" required:"false" doc:"Whether climate change is a relevant issue (4.1)."`
}

// Issue is an internal or external issue and how it affects the AIMS's intended results.
type Issue struct {
	Issue  string `json:"issue" maxLength:"4000" doc:"The issue, in a sentence or two."`
	Effect string `json:"effect" maxLength:"4000" doc:"How it can affect what the AIMS is meant to achieve."`
}

// Party is an interested party with its needs and which of them the AIMS addresses.
type Party struct {
	Name           string `json:"name" maxLength:"200" doc:"Who they are, such as Customers or Data protection authority; unique in the context."`
	Needs          string `json:"needs" maxLength:"4000" doc:"Their needs, expectations and requirements."`
	Addressed      string `json:"addressed" required:"false" maxLength:"4000" doc:"Which of those requirements the AIMS addresses, and how."`
	ClimateRelated bool   `json:"climate_related" required:"false" doc:"Whether any of their requirements is related to climate change."`
}

// Scope is the AIMS scope statement.
type Scope struct {
	Statement  string       `json:"statement" required:"false" maxLength:"20000" doc:"The scope statement: what the AIMS covers, in words."`
	Systems    []SystemLink `json:"systems" required:"false" maxItems:"100" doc:"The AI systems in scope; give each by ref (SYS-3) or id, the rest is filled in."`
	Sites      []string     `json:"sites" required:"false" maxItems:"100" doc:"Sites and locations in scope."`
	Activities []string     `json:"activities" required:"false" maxItems:"100" doc:"Activities and processes in scope."`
	Exclusions []Exclusion  `json:"exclusions" required:"false" maxItems:"100" doc:"What is left out of scope, each with why."`
}

// SystemLink names an AI system in scope.
type SystemLink struct {
	ID   string `json:"id,omitempty" doc:"The system's id; filled in."`
	Ref  string `json:"ref" doc:"The system's reference, such as SYS-3."`
	Name string `json:"name,omitempty" doc:"The system's name; filled in."`
}

// Exclusion is something left out of the scope, with its justification.
type Exclusion struct {
	What          string `json:"what" maxLength:"200" doc:"What is excluded."`
	Justification string `json:"justification" maxLength:"4000" doc:"Why excluding it does not affect the AIMS's ability to achieve its intended results."`
}

// Climate is the decision on whether climate change is a relevant issue.
type Climate struct {
	Decision      string `json:"decision" required:"false" enum:"undecided,relevant,not_relevant" doc:"undecided until decided."`
	Justification string `json:"justification" required:"false" maxLength:"4000" doc:"Why; required once decided."`
}

// Decisions on climate change.
const (
	ClimateUndecided   = "undecided"
	ClimateRelevant    = "relevant"
	ClimateNotRelevant = "not_relevant"
)

// normalise trims the content, drops empty rows, resolves the AI systems in
// scope and records every problem, naming fields like
// external_issues[2].effect or scope.systems.
func (s *Service) normalise(ctx context.Context, actor *aims.Actor, c *Content, p *aims.Problems) error {
	c.InternalIssues = issues(p, "internal_issues", c.InternalIssues)
	c.ExternalIssues = issues(p, "external_issues", c.ExternalIssues)
	c.Parties = parties(p, c.Parties)
	sc := &c.Scope
	text(p, "scope.statement", &sc.Statement, false, maxLong)
	sc.Sites = list(p, "scope.sites", sc.Sites)
	sc.Activities = list(p, "scope.activities", sc.Activities)
	var excl []Exclusion
	for _, x := range sc.Exclusions {
		f := fmt.Sprintf("scope.exclusions[%d]", len(excl))
		x.What, x.Justification = strings.TrimSpace(x.What), strings.TrimSpace(x.Justification)
		if x.What == "" && x.Justification == "" {
			continue
		}
		text(p, f+".what", &x.What, true, maxShort)
		text(p, f+".justification", &x.Justification, true, maxText)
		excl = append(excl, x)
	}
	sc.Exclusions = excl
	if len(excl) > maxItems {
		p.Add("scope.exclusions", "must list at most %d", maxItems)
	}
	if err := s.resolveSystems(ctx, actor, sc, p); err != nil {
		return err
	}
	cl := &c.Climate
	cl.Decision = strings.TrimSpace(cl.Decision)
	if cl.Decision == "" {
		cl.Decision = ClimateUndecided
	}
	switch cl.Decision {
	case ClimateUndecided:
		text(p, "climate.justification", &cl.Justification, false, maxText)
	case ClimateRelevant, ClimateNotRelevant:
		text(p, "climate.justification", &cl.Justification, true, maxText)
	default:
		p.Add("climate.decision", "must be undecided, relevant or not_relevant")
	}
	return nil
}

// issues trims a list of issues, dropping empty rows; an issue needs its effect.
func issues(p *aims.Problems, field string, in []Issue) []Issue {
	out := []Issue{}
	seen := map[string]int{}
	for _, it := range in {
		it.Issue, it.Effect = strings.TrimSpace(it.Issue), strings.TrimSpace(it.Effect)
		if it.Issue == "" && it.Effect == "" {
			continue
		}
		f := fmt.Sprintf("%s[%d]", field, len(out))
		text(p, f+".issue", &it.Issue, true, maxText)
		text(p, f+".effect", &it.Effect, true, maxText)
		if k := key(it.Issue); k != "" {
			if _, dup := seen[k]; dup {
				p.Add(f+".issue", "is listed twice")
			}
			seen[k] = len(out)
		}
		out = append(out, it)
	}
	if len(out) > maxItems {
		p.Add(field, "must list at most %d", maxItems)
	}
	return out
}

// parties trims the interested parties, dropping empty rows; a party needs a unique name and its needs.
func parties(p *aims.Problems, in []Party) []Party {
	out := []Party{}
	seen := map[string]bool{}
	for _, it := range in {
		it.Name = strings.Join(strings.Fields(it.Name), " ")
		it.Needs, it.Addressed = strings.TrimSpace(it.Needs), strings.TrimSpace(it.Addressed)
		if it.Name == "" && it.Needs == "" && it.Addressed == "" {
			continue
		}
		f := fmt.Sprintf("interested_parties[%d]", len(out))
		text(p, f+".name", &it.Name, true, maxShort)
		text(p, f+".needs", &it.Needs, true, maxText)
		text(p, f+".addressed", &it.Addressed, false, maxText)
		if k := key(it.Name); k != "" {
			if seen[k] {
				p.Add(f+".name", "is listed twice")
			}
			seen[k] = true
		}
		out = append(out, it)
	}
	if len(out) > maxItems {
		p.Add("interested_parties", "must list at most %d", maxItems)
	}
	return out
}

// list trims a list of short texts, dropping blank and repeated ones.
func list(p *aims.Problems, field string, in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" || seen[key(s)] {
			continue
		}
		seen[key(s)] = true
		if len([]rune(s)) > maxShort && !p.Has(field) {
			p.Add(field, "must each be at most %d characters", maxShort)
		}
		out = append(out, s)
	}
	if len(out) > maxItems && !p.Has(field) {
		p.Add(field, "must list at most %d", maxItems)
	}
	return out
}

// resolveSystems checks that every system in scope is one of the
// organisation's and fills in its id, reference and name.
func (s *Service) resolveSystems(ctx context.Context, actor *aims.Actor, sc *Scope, p *aims.Problems) error {
	out := []SystemLink{}
	seen := map[string]bool{}
	for _, l := range sc.Systems {
		k := strings.TrimSpace(l.Ref)
		if k == "" {
			k = strings.TrimSpace(l.ID)
		}
		if k == "" {
			continue
		}
		sys, err := s.sources.System(ctx, actor, k)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("scope.systems", "names %s, which is not an AI system of this organisation", k)
			continue
		}
		if err != nil {
			return err
		}
		if seen[sys.ID] {
			continue
		}
		seen[sys.ID] = true
		out = append(out, SystemLink{ID: sys.ID, Ref: sys.Ref, Name: sys.Name})
	}
	if len(out) > maxItems {
		p.Add("scope.systems", "must list at most %d", maxItems)
	}
	sc.Systems = out
	return nil
}

// empty returns content with empty lists rather than nil ones, so that it encodes the same way every time.
func empty() Content {
	return Content{InternalIssues: []Issue{}, ExternalIssues: []Issue{}, Parties: []Party{},
		Scope:   Scope{Systems: []SystemLink{}, Sites: []string{}, Activities: []string{}, Exclusions: []Exclusion{}},
		Climate: Climate{Decision: ClimateUndecided}}
}

// fill replaces nil lists by empty ones.
func (c *Content) fill() {
	e := empty()
	if c.InternalIssues == nil {
		c.InternalIssues = e.InternalIssues
	}
	if c.ExternalIssues == nil {
		c.ExternalIssues = e.ExternalIssues
	}
	if c.Parties == nil {
		c.Parties = e.Parties
	}
	if c.Scope.Systems == nil {
		c.Scope.Systems = e.Scope.Systems
	}
	if c.Scope.Sites == nil {
		c.Scope.Sites = e.Scope.Sites
	}
	if c.Scope.Activities == nil {
		c.Scope.Activities = e.Scope.Activities
	}
	if c.Scope.Exclusions == nil {
		c.Scope.Exclusions = e.Scope.Exclusions
	}
	if c.Climate.Decision == "" {
		c.Climate.Decision = ClimateUndecided
	}
}

// audit is what the audit log records of the content, one entry per part.
func (c *Content) audit() map[string]any {
	refs := make([]string, len(c.Scope.Systems))
	for i, l := range c.Scope.Systems {
		refs[i] = l.Ref
	}
	return map[string]any{
		"internal_issues": c.InternalIssues, "external_issues": c.ExternalIssues, "interested_parties": c.Parties,
		"scope.statement": c.Scope.Statement, "scope.systems": refs, "scope.sites": c.Scope.Sites,
		"scope.activities": c.Scope.Activities, "scope.exclusions": c.Scope.Exclusions,
		"climate.decision": c.Climate.Decision, "climate.justification": c.Climate.Justification,
	}
}
