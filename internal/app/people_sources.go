package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/people"
)

// peopleSources gives people the members of an organisation and the evidence its training records cite.
type peopleSources struct{ a *App }

func (s peopleSources) Members(ctx context.Context, orgID string) ([]people.Member, error) {
	ms, err := s.a.Identity.ListMembers(ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "people", OrgID: orgID})
	if err != nil {
		return nil, err
	}
	out := make([]people.Member, len(ms))
	for i, m := range ms {
		out[i] = people.Member{UserID: m.UserID, Name: m.Name, Email: m.Email}
	}
	return out, nil
}

func (s peopleSources) Evidence(ctx context.Context, actor *aims.Actor, idOrRef string) (*people.EvidenceInfo, error) {
	e, err := s.a.Evidence.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return &people.EvidenceInfo{ID: e.ID, Ref: e.Ref, Title: e.Title, Status: e.Status}, nil
}
