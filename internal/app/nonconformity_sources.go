package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/nonconformity"
)

// nonconformitySources gives nonconformity the clauses, controls, systems and members it refers to.
type nonconformitySources struct{ a *App }

func (s nonconformitySources) ClauseExists(id string) bool {
	_, ok := catalog.ClauseByID(id)
	return ok
}

func (s nonconformitySources) ControlExists(ctx context.Context, orgID, id string) (bool, error) {
	return s.a.Catalog.ControlExists(ctx, orgID, id)
}

func (s nonconformitySources) System(ctx context.Context, orgID, idOrRef string) (*nonconformity.SystemInfo, error) {
	sys, err := s.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &nonconformity.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

func (s nonconformitySources) IsMember(ctx context.Context, orgID, userID string) (bool, error) {
	return ncMember(ctx, s.a, orgID, userID)
}

// ncMember reports whether the user belongs to the organisation.
func ncMember(ctx context.Context, a *App, orgID, userID string) (bool, error) {
	_, err := a.Identity.Member(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID}, userID)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return false, nil
	}
	return err == nil, err
}
