package readiness

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// FrameworkInfo is another framework and which clauses and controls serve each of its items.
type FrameworkInfo struct {
	ID        string
	Title     string
	Authority string
	Items     []FrameworkItem
}

// FrameworkItem is one item of another framework.
type FrameworkItem struct {
	ID    string
	Title string
	Refs  []string
}

// Coverage is how far an organisation's controls in place cover another framework.
type Coverage struct {
	Framework string         `json:"framework"`
	Title     string         `json:"title"`
	Authority string         `json:"authority"`
	Covered   int            `json:"covered"`
	Partial   int            `json:"partial"`
	Uncovered int            `json:"uncovered"`
	Items     []CoverageItem `json:"items"`
}

// CoverageItem is one item of another framework and how far it is covered.
type CoverageItem struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	State string `json:"state" enum:"covered,partial,uncovered"`
	// By lists the clauses and controls that cover it; Partly those that go some way.
	By     []string `json:"by"`
	Partly []string `json:"partly"`
}

// Coverage states.
const (
	Covered   = "covered"
	Partly    = "partial"
	Uncovered = "uncovered"
)

// Coverage works out which items of a framework are covered: an item is
// covered when a control serving it is applicable, implemented and shown
// by current evidence, or a clause serving it is met; partly covered when
// such a control is implemented without evidence or partially implemented,
// or such a clause is partly met. Excluded controls cover nothing.
func (s *Service) Coverage(ctx context.Context, actor *aims.Actor, id string) (*Coverage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	fw, ok := s.sources.Framework(id)
	if !ok {
		return nil, aims.NotFound("framework", id)
	}
	r, err := s.compute(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	soa, err := s.sources.SoA(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	clauseState := map[string]State{}
	for _, c := range r.Clauses {
		clauseState[c.ID] = c.State
	}
	evidence := map[string]int{}
	for _, c := range r.Controls {
		evidence[c.ID] = c.Evidence
	}
	out := &Coverage{Framework: fw.ID, Title: fw.Title, Authority: fw.Authority, Items: []CoverageItem{}}
	for _, it := range fw.Items {
		ci := CoverageItem{ID: it.ID, Title: it.Title, By: []string{}, Partly: []string{}}
		for _, ref := range it.Refs {
			if st, isClause := clauseState[ref]; isClause {
				switch st {
				case Met:
					ci.By = append(ci.By, ref)
				case Partial:
					ci.Partly = append(ci.Partly, ref)
				}
				continue
			}
			e, ok := soa.Entries[ref]
			if !ok || !e.Applicable {
				continue
			}
			switch {
			case e.Status == statusImplemented && evidence[ref] > 0:
				ci.By = append(ci.By, ref)
			case e.Status == statusImplemented || e.Status == statusPartial:
				ci.Partly = append(ci.Partly, ref)
			}
		}
		switch {
		case len(ci.By) > 0:
			ci.State = Covered
			out.Covered++
		case len(ci.Partly) > 0:
			ci.State = Partly
			out.Partial++
		default:
			ci.State = Uncovered
			out.Uncovered++
		}
		out.Items = append(out.Items, ci)
	}
	return out, nil
}
