package app

import (
	"context"

	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/soa"
)

// evidenceTargets lets evidence check what it links to.
type evidenceTargets struct{ a *App }

func (t evidenceTargets) ControlExists(ctx context.Context, orgID, id string) (bool, error) {
	return t.a.Catalog.ControlExists(ctx, orgID, id)
}

func (t evidenceTargets) ClauseExists(id string) bool {
	_, ok := catalog.ClauseByID(id)
	return ok
}

func (t evidenceTargets) System(ctx context.Context, orgID, idOrRef string) (string, string, error) {
	s, err := t.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", err
	}
	return s.ID, s.Ref, nil
}

// soaSources gives the Statement of Applicability the controls, systems
// and evidence it reads.
type soaSources struct{ a *App }

func (s soaSources) Controls(ctx context.Context, orgID string) ([]soa.ControlInfo, error) {
	cs, err := s.a.Catalog.ActiveControlIDs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]soa.ControlInfo, len(cs))
	for i, c := range cs {
		out[i] = soa.ControlInfo{ID: c.ID, CategoryID: c.CategoryID, Title: c.Title, Custom: c.Custom}
		if cat, ok := catalog.CategoryByID(c.CategoryID); ok {
			out[i].CategoryTitle = cat.Title
		}
	}
	return out, nil
}

func (s soaSources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
}

func (s soaSources) RisksForControls(ctx context.Context, orgID string) (map[string][]soa.RiskRef, error) {
	byControl, err := s.a.Risks.RisksForControls(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]soa.RiskRef, len(byControl))
	for id, refs := range byControl {
		for _, r := range refs {
			out[id] = append(out[id], soa.RiskRef{Ref: r.Ref, Title: r.Title})
		}
	}
	return out, nil
}

func (s soaSources) CurrentEvidence(ctx context.Context, orgID string) (map[string][]soa.EvidenceRef, error) {
	byControl, err := s.a.Evidence.CurrentForControls(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]soa.EvidenceRef, len(byControl))
	for id, refs := range byControl {
		for _, r := range refs {
			out[id] = append(out[id], soa.EvidenceRef{Ref: r.Ref, Title: r.Title})
		}
	}
	return out, nil
}
