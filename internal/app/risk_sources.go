package app

import (
	"context"

	"github.com/aims-dev/aims/internal/risk"
)

// riskSources gives the risk register the controls, systems and impacts it refers to.
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
