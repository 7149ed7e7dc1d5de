package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/orgcontext"
)

// contextSources gives orgcontext the records of other capabilities it refers to.
type contextSources struct{ a *App }

func (s contextSources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*orgcontext.SystemInfo, error) {
	sys, err := s.a.Systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &orgcontext.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}
