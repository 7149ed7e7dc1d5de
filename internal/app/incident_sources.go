package app

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/incident"
	"github.com/aims-dev/aims/internal/nonconformity"
)

// incidentSources gives incident the systems, model versions and members it
// refers to, and raises its nonconformities through the nonconformity service.
type incidentSources struct{ a *App }

func (s incidentSources) System(ctx context.Context, orgID, idOrRef string) (*incident.SystemInfo, error) {
	sys, err := s.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &incident.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

func (s incidentSources) ModelVersion(ctx context.Context, orgID, idOrKey string) (*incident.VersionInfo, error) {
	v, err := s.a.Models.LookupVersion(ctx, orgID, idOrKey)
	if err != nil {
		return nil, err
	}
	return &incident.VersionInfo{ID: v.ID, Key: v.Key, SystemID: v.SystemID}, nil
}

func (s incidentSources) IsMember(ctx context.Context, orgID, userID string) (bool, error) {
	return ncMember(ctx, s.a, orgID, userID)
}

func (s incidentSources) Leads(ctx context.Context, orgID string) ([]string, error) {
	ms, err := s.a.Identity.ListMembers(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if m.Role == aims.RoleOwner || m.Role == aims.RoleManager {
			out = append(out, m.UserID)
		}
	}
	return out, nil
}

func (s incidentSources) RaiseNonconformity(ctx context.Context, tx *db.Tx, actor *aims.Actor, req incident.NCRequest) (string, error) {
	nc, err := s.a.Nonconformities.CreateTx(ctx, tx, actor, nonconformity.CreateRequest{Title: req.Title, Description: req.Description,
		Source: nonconformity.SourceIncident, SourceRef: req.SourceRef, Severity: req.Severity, Systems: req.Systems})
	if err != nil {
		return "", err
	}
	return nc.Ref, nil
}
