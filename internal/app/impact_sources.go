package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/risk"
)

// impactSources gives impact assessments the systems and model versions
// they assess and the risk register they feed.
type impactSources struct{ a *App }

var _ impact.Sources = impactSources{}

func (s impactSources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
}

func (s impactSources) CreateRisk(ctx context.Context, tx *db.Tx, actor *aims.Actor, req impact.RiskRequest) (string, string, error) {
	r, err := s.a.Risks.CreateTx(ctx, tx, actor, risk.CreateRequest{Title: req.Title, Description: req.Description,
		Systems: req.SystemIDs, ConsequencesOrganisation: req.ConsequencesOrganisation,
		ConsequencesIndividuals: req.ConsequencesIndividuals, ConsequencesSociety: req.ConsequencesSociety})
	if err != nil {
		return "", "", err
	}
	return r.ID, r.Ref, nil
}

func (s impactSources) Risk(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	r, err := s.a.Risks.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return r.ID, r.Ref, r.Title, nil
}

func (s impactSources) ModelVersion(ctx context.Context, orgID, idOrKey string) (string, string, string, error) {
	v, err := s.a.Models.LookupVersion(ctx, orgID, idOrKey)
	if err != nil {
		return "", "", "", err
	}
	return v.ID, v.Key, v.SystemID, nil
}
