package app

import (
	"context"
	"fmt"

	"github.com/aims-dev/aims/internal/aims"

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
		out[i] = readiness.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name, HasRoles: len(sys.AIRoles) > 0}
	}
	return out, nil
}

func (s readinessSources) CurrentEvidence(ctx context.Context, orgID string) (map[string]int, error) {
	counts, err := s.a.Evidence.CurrentCounts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	// Monitors judging windows show that systems are monitored in operation.
	monitors, err := s.a.Monitors.Current(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if monitors > 0 {
		counts["A.6.2.6"] += monitors
		counts["9.1"] += monitors
	}
	return counts, nil
}

func (s readinessSources) Risks(ctx context.Context, orgID string) (*readiness.Risks, error) {
	snap, err := s.a.Risks.Snapshot(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := &readiness.Risks{Open: snap.Risks, Assessed: snap.Assessed, Treated: snap.WithTreatment,
		AboveAppetiteUntreated: snap.AboveAppetiteUntreated, OverdueReviews: snap.OverdueReviews, OverdueActions: snap.OverdueActions}
	if snap.Criteria != nil {
		out.CriteriaVersion, out.CriteriaSetAt = snap.Criteria.Version, snap.Criteria.CreatedAt
	}
	if a := snap.LatestAssessment; a != nil {
		out.LatestAssessment, out.LatestAssessmentClosedAt = a.Ref+" ("+a.Name+")", a.ClosedAt
	}
	return out, nil
}

func (s readinessSources) Impacts(ctx context.Context, orgID string) (map[string]readiness.Impact, error) {
	snap, err := s.a.Impact.Snapshot(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]readiness.Impact, len(snap))
	for id, sys := range snap {
		var im readiness.Impact
		if l := sys.Latest; l != nil {
			im.Approved, im.ApprovedAt = fmt.Sprintf("%s version %d", l.AssessmentRef, l.Number), l.ApprovedAt
		}
		im.Due = sys.Due
		out[id] = im
	}
	return out, nil
}

func (s readinessSources) Operations(ctx context.Context, orgID string) (*readiness.Operations, error) {
	// Readiness has authorised its own actor; these services read as the system.
	actor := &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID, Name: "readiness"}
	ov, err := s.a.Lifecycle.Overview(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := &readiness.Operations{}
	for _, sys := range ov.Systems {
		out.ChangesRequested += sys.Requested
		out.ChangesApproved += sys.Approved
	}
	due, err := s.a.Suppliers.Due(ctx, actor)
	if err != nil {
		return nil, err
	}
	for _, d := range due {
		out.SuppliersDue = append(out.SuppliersDue, d.Party.Ref)
	}
	return out, nil
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
