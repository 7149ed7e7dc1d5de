package app

import (
	"context"

	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/readiness"
)

// readinessSources gives readiness the records of the other capabilities.
type readinessSources struct{ a *App }

func (s readinessSources) Clauses() []readiness.ClauseInfo {
	cs := catalog.Clauses()
	out := make([]readiness.ClauseInfo, len(cs))
	for i, c := range cs {
		out[i] = readiness.ClauseInfo{ID: c.ID, Title: c.Title}
	}
	return out
}

func (s readinessSources) Controls(ctx context.Context, orgID string) ([]readiness.ControlInfo, error) {
	cs, err := s.a.Catalog.ActiveControlIDs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]readiness.ControlInfo, len(cs))
	for i, c := range cs {
		out[i] = readiness.ControlInfo{ID: c.ID, Title: c.Title}
	}
	return out, nil
}

func (s readinessSources) SoA(ctx context.Context, orgID string) (*readiness.SoA, error) {
	snap, err := s.a.SoA.Snapshot(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := &readiness.SoA{Entries: make(map[string]readiness.Entry, len(snap.Entries))}
	if snap.Latest != nil {
		out.Approved, out.ApprovedAt = snap.Latest.Number, snap.Latest.ApprovedAt
	}
	for _, e := range snap.Entries {
		out.Entries[e.ControlID] = readiness.Entry{Applicable: e.Applicable, Justification: e.Justification, Status: e.Status, OwnerID: e.OwnerID}
	}
	return out, nil
}

func (s readinessSources) Systems(ctx context.Context, orgID string) ([]readiness.SystemInfo, error) {
	all, err := s.a.Systems.ActiveSummaries(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]readiness.SystemInfo, len(all))
	for i, sys := range all {
		out[i] = readiness.SystemInfo{Ref: sys.Ref, Name: sys.Name, HasRoles: len(sys.AIRoles) > 0}
	}
	return out, nil
}

func (s readinessSources) CurrentEvidence(ctx context.Context, orgID string) (map[string]int, error) {
	counts, err := s.a.Evidence.CurrentCounts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return counts, nil
}

func (s readinessSources) Framework(id string) (*readiness.FrameworkInfo, bool) {
	f, ok := catalog.FrameworkByID(id)
	if !ok {
		return nil, false
	}
	out := &readiness.FrameworkInfo{ID: f.ID, Title: f.Title, Authority: f.Authority}
	for _, it := range f.Items {
		out.Items = append(out.Items, readiness.FrameworkItem{ID: it.ID, Title: it.Title, Refs: it.Refs})
	}
	return out, true
}

var _ readiness.Sources = readinessSources{}
