package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/objective"
)

// objectiveSources gives objective the systems, members, Annex C objectives
// and evidence it refers to.
type objectiveSources struct{ a *App }

func (s objectiveSources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*objective.SystemInfo, error) {
	sys, err := s.a.Systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &objective.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

func (s objectiveSources) Members(ctx context.Context, actor *aims.Actor) ([]objective.Member, error) {
	ms, err := s.a.Identity.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]objective.Member, len(ms))
	for i, m := range ms {
		out[i] = objective.Member{UserID: m.UserID, Name: m.Name, Email: m.Email}
	}
	return out, nil
}

func (s objectiveSources) AnnexCObjectives() []objective.ObjectiveAnnexC {
	var out []objective.ObjectiveAnnexC
	for _, it := range catalog.AnnexC() {
		if it.Kind == "objective" {
			out = append(out, objective.ObjectiveAnnexC{ID: it.ID, Title: it.Title})
		}
	}
	return out
}

func (s objectiveSources) Evidence(ctx context.Context, actor *aims.Actor, idOrRef string) (*objective.EvidenceInfo, error) {
	ev, err := s.a.Evidence.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return &objective.EvidenceInfo{ID: ev.ID, Ref: ev.Ref, Title: ev.Title}, nil
}
