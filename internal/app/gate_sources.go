package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/risk"
)

// lifecycleSources gives stage gates the records they check.
type lifecycleSources struct{ a *App }

func systemInfo(id, ref, name, stage, status string) *lifecycle.SystemInfo {
	return &lifecycle.SystemInfo{ID: id, Ref: ref, Name: name, Stage: stage, Status: status}
}

func (s lifecycleSources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*lifecycle.SystemInfo, error) {
	sys, err := s.a.Systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return systemInfo(sys.ID, sys.Ref, sys.Name, sys.LifecycleStage, sys.Status), nil
}

func (s lifecycleSources) Systems(ctx context.Context, actor *aims.Actor) ([]lifecycle.SystemInfo, error) {
	list, err := s.a.Systems.ActiveSummaries(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	out := make([]lifecycle.SystemInfo, len(list))
	for i, sys := range list {
		out[i] = *systemInfo(sys.ID, sys.Ref, sys.Name, sys.LifecycleStage, sys.Status)
	}
	return out, nil
}

func (s lifecycleSources) Control(ctx context.Context, actor *aims.Actor, id string) (*lifecycle.ControlInfo, error) {
	c, err := s.a.Catalog.Control(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return &lifecycle.ControlInfo{ID: c.ID, Title: c.Title}, nil
}

func (s lifecycleSources) ModelVersions(ctx context.Context, actor *aims.Actor, systemID string) ([]lifecycle.ModelVersion, error) {
	vs, err := s.a.Models.ApprovedVersions(ctx, actor.OrgID, systemID)
	if err != nil {
		return nil, err
	}
	out := make([]lifecycle.ModelVersion, len(vs))
	for i, v := range vs {
		out[i] = lifecycle.ModelVersion{Key: v.Key, ModelName: v.ModelName, Status: v.Status}
	}
	return out, nil
}

// Evidence keeps the system's active evidence that is current today and
// also linked to the control.
func (s lifecycleSources) Evidence(ctx context.Context, actor *aims.Actor, systemID, controlID string) ([]lifecycle.EvidenceRef, error) {
	items, err := s.a.Evidence.ForTarget(ctx, actor, evidence.TargetAISystem, systemID)
	if err != nil {
		return nil, err
	}
	out := []lifecycle.EvidenceRef{}
	for _, it := range items {
		if it.Validity != evidence.ValidityCurrent && it.Validity != evidence.ValidityExpiring {
			continue
		}
		for _, l := range it.Links {
			if l.Type == evidence.TargetControl && (strings.EqualFold(l.Ref, controlID) || strings.EqualFold(l.ID, controlID)) {
				out = append(out, lifecycle.EvidenceRef{Ref: it.Ref, Title: it.Title})
				break
			}
		}
	}
	return out, nil
}

// Impact reads the system's assessments: the latest approved version and
// why any approved one is due for review.
func (s lifecycleSources) Impact(ctx context.Context, actor *aims.Actor, systemID string) (*lifecycle.ImpactState, error) {
	out := &lifecycle.ImpactState{}
	var latest *impact.Summary
	for offset := 0; ; offset += 200 {
		page, err := s.a.Impact.List(ctx, actor, impact.ListQuery{System: systemID, Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			it := &page.Items[i]
			if it.LatestVersion == 0 || it.ApprovedAt == nil {
				continue
			}
			if latest == nil || it.ApprovedAt.After(*latest.ApprovedAt) {
				latest = it
			}
			for _, d := range it.DueReasons {
				out.Due = true
				out.Reasons = append(out.Reasons, lifecycle.DueReason{Ref: it.Ref, Field: d.Field, Text: it.Ref + ": " + d.Text})
			}
		}
		if offset+len(page.Items) >= page.Total || len(page.Items) == 0 {
			break
		}
	}
	if latest != nil {
		out.Latest = latest.Ref + " version " + strconv.Itoa(latest.LatestVersion)
	}
	return out, nil
}

// Risks reads the system's open risks, whether each is assessed, and why
// it is due for review where that concerns this system or the risk itself.
func (s lifecycleSources) Risks(ctx context.Context, actor *aims.Actor, systemID string) ([]lifecycle.RiskState, error) {
	sys, err := s.a.Systems.Lookup(ctx, actor.OrgID, systemID)
	if err != nil {
		return nil, err
	}
	var out []lifecycle.RiskState
	index := map[string]int{}
	for offset := 0; ; offset += 200 {
		page, err := s.a.Risks.List(ctx, actor, risk.ListQuery{System: sys.ID, Status: "open", Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Items {
			index[r.Ref] = len(out)
			out = append(out, lifecycle.RiskState{Ref: r.Ref, Title: r.Title, Assessed: r.Status != risk.StatusIdentified})
		}
		if offset+len(page.Items) >= page.Total || len(page.Items) == 0 {
			break
		}
	}
	due, err := s.a.Risks.Due(ctx, actor)
	if err != nil {
		return nil, err
	}
	for _, d := range due.Risks {
		i, ok := index[d.Ref]
		if !ok {
			continue
		}
		for _, reason := range d.Reasons {
			if reason.SystemRef == "" || reason.SystemRef == sys.Ref {
				out[i].Reasons = append(out[i].Reasons, lifecycle.DueReason{Ref: d.Ref, Field: reason.Field, Text: reason.Text})
			}
		}
	}
	return out, nil
}

func (s lifecycleSources) SetStage(ctx context.Context, tx *db.Tx, actor *aims.Actor, systemID, from, to, reason string) error {
	return s.a.Systems.SetStageTx(ctx, tx, actor, systemID, from, to, reason)
}
