package app

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/incident"
	"github.com/aims-dev/aims/internal/monitor"
)

// monitorSources gives monitoring the systems, model versions, statistics
// and incidents it works with.
type monitorSources struct{ a *App }

func (s monitorSources) Lookup(ctx context.Context, orgID, idOrRef string) (*monitor.System, error) {
	sys, err := s.a.Systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &monitor.System{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

// Resolve finds a version of one of the system's models by id, key or label.
func (s monitorSources) Resolve(ctx context.Context, orgID, systemID, ref string) (string, string, error) {
	v, err := decisionSources(s).Resolve(ctx, orgID, systemID, ref)
	if err != nil {
		return "", "", err
	}
	return v.ID, v.Key, nil
}

// Keys names model versions by id.
func (s monitorSources) Keys(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	return decisionSources(s).Keys(ctx, orgID, ids)
}

// SystemStats reads the statistics the system's decision log keeps.
func (s monitorSources) SystemStats(ctx context.Context, orgID, systemID string, q monitor.StatsQuery) (*monitor.Stats, error) {
	st, err := s.a.Decisions.SystemStats(ctx, orgID, systemID, decision.StatsQuery{From: q.From, To: q.To, Window: q.Window,
		ModelVersionID: q.ModelVersionID, Inputs: q.Inputs})
	if err != nil {
		return nil, err
	}
	out := &monitor.Stats{Counts: make([]monitor.Count, len(st.Counts)), Scores: make([]monitor.ScoreCount, len(st.Scores)),
		Inputs: make([]monitor.InputCount, len(st.Inputs))}
	for i, c := range st.Counts {
		out.Counts[i] = monitor.Count(c)
	}
	for i, c := range st.Scores {
		out.Scores[i] = monitor.ScoreCount(c)
	}
	for i, c := range st.Inputs {
		out.Inputs[i] = monitor.InputCount{Window: c.Window, Feature: c.Feature, Value: c.Value, Numeric: c.Numeric, N: c.N}
	}
	return out, nil
}

// StatsSpan returns the first and last hour with decisions.
func (s monitorSources) StatsSpan(ctx context.Context, orgID, systemID string) (time.Time, time.Time, bool, error) {
	return s.a.Decisions.StatsSpan(ctx, orgID, systemID)
}

// Open opens the incident a monitor's breach raises.
func (s monitorSources) Open(ctx context.Context, tx *db.Tx, actor *aims.Actor, req monitor.IncidentRequest) (string, error) {
	in := incident.Request{Title: req.Title, Description: req.Description, OccurredAt: req.OccurredAt, ReportedBy: req.ReportedBy,
		OwnerID: req.OwnerID, Severity: req.Severity, Systems: []string{req.SystemRef}}
	if req.ModelVersionID != "" {
		in.ModelVersions = []string{req.ModelVersionID}
	}
	got, err := s.a.Incidents.CreateTx(ctx, tx, actor, in)
	if err != nil {
		return "", err
	}
	return got.Ref, nil
}

// IsMember reports whether a user is a member of the organisation.
func (s monitorSources) IsMember(ctx context.Context, orgID, userID string) (bool, error) {
	return ncMember(ctx, s.a, orgID, userID)
}

// Profile returns what drift needs of a data set version's profile.
func (s monitorSources) Profile(ctx context.Context, orgID, key string) (*monitor.Profile, error) {
	v, err := s.a.Datasets.GetVersion(ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "aims:monitor", OrgID: orgID}, key)
	if err != nil {
		return nil, err
	}
	if v.Profile == nil || v.Profile.Result == nil {
		return nil, aims.NotFound("profile of data set version", key)
	}
	res := v.Profile.Result
	out := &monitor.Profile{Key: v.Key, Rows: res.Rows, Columns: map[string]monitor.ProfileColumn{}}
	for _, c := range res.Columns {
		col := monitor.ProfileColumn{Present: res.Rows - c.Missing}
		if c.Numeric != nil {
			for _, b := range c.Numeric.Histogram {
				col.Bins = append(col.Bins, monitor.ProfileBin{Low: b.Low, High: b.High, Count: b.Count})
			}
		}
		for _, t := range c.Top {
			col.Top = append(col.Top, monitor.ProfileValue{Value: t.Value, Count: t.Count})
		}
		out.Columns[c.Name] = col
	}
	return out, nil
}
