package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"

	"github.com/aims-dev/aims/internal/concern"
)

// concernSources gives concern the records of other capabilities it refers to.
type concernSources struct{ a *App }

func (s concernSources) System(ctx context.Context, orgID, idOrRef string) (*concern.SystemInfo, error) {
	sys, err := s.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &concern.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

func (s concernSources) OrgName(ctx context.Context, orgID string) (string, error) {
	o, err := s.a.Identity.Org(ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "aims:concerns", OrgID: orgID})
	if err != nil {
		return "", err
	}
	return o.Name, nil
}
