package soa

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// Kinds of difference between two versions of a decision.
const (
	KindAdded   = "added"
	KindRemoved = "removed"
	KindChanged = "changed"
)

// Comparison is what differs between two versions, or a version and the draft.
type Comparison struct {
	From      int    `json:"from" doc:"The older side: a version number, or 0 for the draft."`
	To        int    `json:"to" doc:"The newer side: a version number, or 0 for the draft."`
	FromLabel string `json:"from_label" doc:"v1, v2 … or draft."`
	ToLabel   string `json:"to_label"`
	// ScopeChanged says whether the scope differs; then ScopeBefore and ScopeAfter hold both.
	ScopeChanged bool   `json:"scope_changed"`
	ScopeBefore  string `json:"scope_before,omitempty"`
	ScopeAfter   string `json:"scope_after,omitempty"`
	// Changes are the decisions that differ, by control id and then AI system.
	Changes []DecisionChange `json:"changes"`
}

// DecisionChange is one decision, for the organisation or one AI system,
// that was added, removed or changed.
type DecisionChange struct {
	ControlID  string        `json:"control_id"`
	Title      string        `json:"title"`
	SystemID   string        `json:"system_id,omitempty" doc:"The AI system of an override; empty for the organisation's decision."`
	SystemRef  string        `json:"system_ref,omitempty"`
	SystemName string        `json:"system_name,omitempty"`
	Kind       string        `json:"kind" enum:"added,removed,changed"`
	Fields     []FieldChange `json:"fields" doc:"Each field that differs, with its value on each side; empty text means none."`
}

// FieldChange is one field's value on each side of a comparison.
type FieldChange struct {
	Field  string `json:"field" enum:"applicable,justification,status,owner,target_date,evidence"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Compare returns what differs from version from to version to; 0 on either
// side stands for the draft.
func (s *Service) Compare(ctx context.Context, actor *aims.Actor, from, to int) (*Comparison, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	if from < 0 {
		p.Add("from", "must be a version number, or 0 for the draft")
	}
	if to < 0 {
		p.Add("to", "must be a version number, or 0 for the draft")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	a, err := s.versionOrDraft(ctx, actor.OrgID, from)
	if err != nil {
		return nil, err
	}
	b, err := s.versionOrDraft(ctx, actor.OrgID, to)
	if err != nil {
		return nil, err
	}
	return compare(a, b), nil
}

// versionOrDraft returns an approved version, or the draft for 0.
func (s *Service) versionOrDraft(ctx context.Context, orgID string, number int) (*Version, error) {
	if number == 0 {
		return s.draftVersion(ctx, orgID)
	}
	return s.version(ctx, s.db, orgID, number)
}

// decisionKey identifies a decision across versions.
type decisionKey struct{ control, system string }

// decisionFacts is a decision as a comparison shows it.
type decisionFacts struct {
	title, systemRef, systemName string
	fields                       map[string]string
}

var comparedFields = []string{"applicable", "justification", "status", "owner", "target_date", "evidence"}

func factsOf(v *Version) map[decisionKey]decisionFacts {
	out := map[decisionKey]decisionFacts{}
	for _, c := range v.Controls {
		ev := make([]string, len(c.Evidence))
		for i, e := range c.Evidence {
			ev[i] = e.Ref
		}
		evidence := strings.Join(ev, ", ")
		if c.Decision != nil {
			out[decisionKey{c.ControlID, ""}] = decisionFacts{title: c.Title, fields: fieldsOf(c.Decision, evidence)}
		}
		for _, o := range c.Overrides {
			out[decisionKey{c.ControlID, o.SystemID}] = decisionFacts{title: c.Title, systemRef: o.SystemRef,
				systemName: o.SystemName, fields: fieldsOf(&o.Decision, "")}
		}
	}
	return out
}

func fieldsOf(d *Decision, evidence string) map[string]string {
	owner := d.OwnerName
	if owner == "" {
		owner = d.OwnerID
	}
	return map[string]string{"applicable": yesNo(d.Applicable), "justification": d.Justification, "status": d.Status,
		"owner": owner, "target_date": d.TargetDate, "evidence": evidence}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// compare lists what differs from a to b.
func compare(a, b *Version) *Comparison {
	c := &Comparison{From: a.Number, To: b.Number, FromLabel: a.Label(), ToLabel: b.Label(), Changes: []DecisionChange{}}
	if a.Scope != b.Scope {
		c.ScopeChanged, c.ScopeBefore, c.ScopeAfter = true, a.Scope, b.Scope
	}
	before, after := factsOf(a), factsOf(b)
	keys := map[decisionKey]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for k := range keys {
		x, inA := before[k]
		y, inB := after[k]
		ch := DecisionChange{ControlID: k.control, SystemID: k.system}
		facts := y
		switch {
		case inA && inB:
			ch.Kind = KindChanged
		case inB:
			ch.Kind = KindAdded
		default:
			ch.Kind, facts = KindRemoved, x
		}
		ch.Title, ch.SystemRef, ch.SystemName = facts.title, facts.systemRef, facts.systemName
		for _, f := range comparedFields {
			if x.fields[f] != y.fields[f] {
				ch.Fields = append(ch.Fields, FieldChange{Field: f, Before: x.fields[f], After: y.fields[f]})
			}
		}
		if len(ch.Fields) > 0 {
			c.Changes = append(c.Changes, ch)
		}
	}
	sort.Slice(c.Changes, func(i, j int) bool {
		p, q := c.Changes[i], c.Changes[j]
		if p.ControlID != q.ControlID {
			return LessControlID(p.ControlID, q.ControlID)
		}
		if (p.SystemID == "") != (q.SystemID == "") {
			return p.SystemID == ""
		}
		if p.SystemRef != q.SystemRef {
			return lessRef(p.SystemRef, q.SystemRef)
		}
		return p.SystemID < q.SystemID
	})
	return c
}

// LessControlID orders control ids part by part, numbers as numbers:
// A.2.2 before A.10.2, and A.6.2.9 before A.6.2.10. Ids of own controls
// (CTL-1) come after those of Annex A, in the order of their numbers.
func LessControlID(a, b string) bool {
	pa, pb := idParts(a), idParts(b)
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

// idParts splits an id at dots and dashes.
func idParts(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == '.' || r == '-' })
}

// lessRef orders references such as SYS-2 before SYS-10.
func lessRef(a, b string) bool { return LessControlID(a, b) }
