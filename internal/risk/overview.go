package risk

import (
	"context"
	"sort"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// HeatCell is one cell of a heat map: a likelihood and impact of the
// current criteria, its level and how many risks are there.
type HeatCell struct {
	Likelihood int    `json:"likelihood"`
	Impact     int    `json:"impact"`
	Level      string `json:"level"`
	Colour     string `json:"colour"`
	Count      int    `json:"count"`
}

// HeatMap counts the risks that are not closed by cell of the current
// criteria: their inherent or their residual rating.
type HeatMap struct {
	Kind string `json:"kind" enum:"inherent,residual"`
	// Cells are by likelihood, then impact: Cells[l-1][i-1].
	Cells [][]HeatCell `json:"cells"`
	Total int          `json:"total" doc:"Risks placed on the map."`
	// OlderCriteria counts risks rated under an older criteria version, which the map leaves out.
	OlderCriteria int `json:"older_criteria"`
	// Unrated counts risks without this rating yet.
	Unrated int `json:"unrated"`
}

// SystemRisks is how many risks that are not closed concern an AI system.
type SystemRisks struct {
	SystemRef
	Risks         int `json:"risks"`
	AboveAppetite int `json:"above_appetite" doc:"Of them, those whose current level is above the appetite."`
}

// Overview is the register seen whole: heat maps of the current criteria,
// what is due, risks by AI system, risks without controls and controls
// without risks.
type Overview struct {
	Criteria         *Criteria     `json:"criteria,omitempty" doc:"The current criteria; absent when none is set."`
	Inherent         *HeatMap      `json:"inherent,omitempty"`
	Residual         *HeatMap      `json:"residual,omitempty"`
	Due              *Due          `json:"due"`
	Systems          []SystemRisks `json:"systems" doc:"Every active AI system, and any other a risk concerns, in reference order."`
	WithoutSystem    int           `json:"without_system" doc:"Risks that concern no AI system."`
	WithoutControls  []RiskRef     `json:"without_controls" doc:"Risks that no control treats."`
	ControlsUnlinked []ControlInfo `json:"controls_without_risks" doc:"Active controls that treat no risk."`
	Open             int           `json:"open" doc:"Risks that are not closed."`
}

// Overview returns the register seen whole.
func (s *Service) Overview(ctx context.Context, actor *aims.Actor) (*Overview, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	orgID := actor.OrgID
	rd, err := s.reader(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	risks, err := rd.risks(ctx, `WHERE r.org_id = ? AND r.status <> ? ORDER BY r.created_at, r.id`, orgID, StatusClosed)
	if err != nil {
		return nil, err
	}
	o := &Overview{Criteria: rd.criteria.current, Systems: []SystemRisks{}, WithoutControls: []RiskRef{}, ControlsUnlinked: []ControlInfo{},
		Open: len(risks)}
	if c := o.Criteria; c != nil {
		o.Inherent, o.Residual = newHeatMap("inherent", c), newHeatMap("residual", c)
	}
	systems, err := s.sources.Systems(ctx, orgID)
	if err != nil {
		return nil, err
	}
	bySystem := map[string]*SystemRisks{}
	for _, sys := range systems {
		o.Systems = append(o.Systems, SystemRisks{SystemRef: SystemRef{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}})
	}
	for i := range o.Systems {
		bySystem[o.Systems[i].ID] = &o.Systems[i]
	}
	treated := map[string]bool{}
	for _, r := range risks {
		if o.Inherent != nil {
			o.Inherent.place(r, r.Inherent)
			o.Residual.place(r, r.Treatment.Residual)
		}
		if len(r.Systems) == 0 {
			o.WithoutSystem++
		}
		for _, sys := range r.Systems {
			sr := bySystem[sys.ID]
			if sr == nil {
				o.Systems = append(o.Systems, SystemRisks{SystemRef: sys})
				// The slice may have moved: index again.
				bySystem = map[string]*SystemRisks{}
				for i := range o.Systems {
					bySystem[o.Systems[i].ID] = &o.Systems[i]
				}
				sr = bySystem[sys.ID]
			}
			sr.Risks++
			if r.AboveAppetite {
				sr.AboveAppetite++
			}
		}
		if len(r.Treatment.Controls) == 0 {
			o.WithoutControls = append(o.WithoutControls, RiskRef{Ref: r.Ref, Title: r.Title})
		}
		for _, c := range r.Treatment.Controls {
			treated[c.ID] = true
		}
	}
	sort.Slice(o.Systems, func(i, j int) bool { return lessRef(o.Systems[i].Ref, o.Systems[j].Ref) })
	controls, err := s.sources.Controls(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, c := range controls {
		if !treated[c.ID] {
			o.ControlsUnlinked = append(o.ControlsUnlinked, c)
		}
	}
	if o.Due, err = s.due(ctx, orgID); err != nil {
		return nil, err
	}
	return o, nil
}

// newHeatMap makes an empty heat map of the criteria.
func newHeatMap(kind string, c *Criteria) *HeatMap {
	m := &HeatMap{Kind: kind, Cells: make([][]HeatCell, len(c.Likelihood))}
	for l := range c.Likelihood {
		m.Cells[l] = make([]HeatCell, len(c.Impact))
		for i := range c.Impact {
			r := c.Rate(l+1, i+1)
			m.Cells[l][i] = HeatCell{Likelihood: l + 1, Impact: i + 1, Level: r.Level, Colour: r.Colour}
		}
	}
	return m
}

// place counts a risk's rating in its cell, when it is of the map's criteria.
func (m *HeatMap) place(r *Risk, rating *Rating) {
	switch {
	case rating == nil:
		m.Unrated++
	case r.OlderCriteria:
		m.OlderCriteria++
	default:
		m.Cells[rating.Likelihood-1][rating.Impact-1].Count++
		m.Total++
	}
}
