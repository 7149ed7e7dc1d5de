package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
)

// documentSources gives document the clauses and controls documents address.
type documentSources struct{ a *App }

func (s documentSources) Clause(id string) (string, bool) {
	c, ok := catalog.ClauseByID(id)
	return c.Title, ok
}

func (s documentSources) Control(ctx context.Context, orgID, id string) (string, bool, error) {
	c, err := s.a.Catalog.Control(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID, Name: "documents"}, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return c.Title, true, nil
}
