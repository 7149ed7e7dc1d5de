package app

import (
	"context"

	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/risk"
)

// riskSources gives the risk register the controls, systems, impacts and
// Annex C items it refers to.
type riskSources struct{ a *App }

func (s riskSources) ControlExists(ctx context.Context, orgID, id string) (bool, error) {
	return s.a.Catalog.ControlExists(ctx, orgID, id)
}

func (s riskSources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
}

func (s riskSources) ImpactsOfRisk(ctx context.Context, orgID, riskID string) ([]risk.ImpactRef, error) {
	links, err := s.a.Impact.ImpactsOfRisk(ctx, orgID, riskID)
	if err != nil {
		return nil, err
	}
	out := make([]risk.ImpactRef, len(links))
	for i, l := range links {
		out[i] = risk.ImpactRef{AssessmentRef: l.AssessmentRef, ImpactID: l.ImpactID, Summary: l.Summary, SystemRef: l.SystemRef}
	}
	return out, nil
}

func (s riskSources) Controls(ctx context.Context, orgID string) ([]risk.ControlInfo, error) {
	cs, err := s.a.Catalog.ActiveControlIDs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]risk.ControlInfo, len(cs))
	for i, c := range cs {
		out[i] = risk.ControlInfo{ID: c.ID, Title: c.Title}
	}
	return out, nil
}

func (s riskSources) Systems(ctx context.Context, orgID string) ([]risk.SystemInfo, error) {
	systems, err := s.a.Systems.ActiveSummaries(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]risk.SystemInfo, len(systems))
	for i, sys := range systems {
		out[i] = risk.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}
	}
	return out, nil
}

func (s riskSources) AnnexC() []risk.AnnexCItem {
	items := catalog.AnnexC()
	out := make([]risk.AnnexCItem, len(items))
	for i, it := range items {
		out[i] = risk.AnnexCItem{ID: it.ID, Kind: it.Kind, Title: it.Title}
	}
	return out
}
