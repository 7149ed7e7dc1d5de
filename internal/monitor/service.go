// Package monitor measures AI systems in use: performance, fairness and
// drift, computed from the per-window statistics the decision log keeps of
// decisions and outcomes, with monitors that judge each window against a
// threshold, raise alerts, open incidents and record recovery.
package monitor

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types in the audit log.
const (
	ObjectMonitor  = "monitor"
	ObjectSettings = "monitor_settings"
	ObjectAlert    = "monitor_alert"
)

// refPrefix starts monitors' references.
const refPrefix = "MON"

// System is the AI system a monitor watches.
type System struct {
	ID   string
	Ref  string
	Name string
}

// Systems finds the organisation's AI systems; app satisfies it.
type Systems interface {
	Lookup(ctx context.Context, orgID, idOrRef string) (*System, error)
	// IsMember reports whether a user is a member of the organisation.
	IsMember(ctx context.Context, orgID, userID string) (bool, error)
}

// Models resolves model versions of a system; app satisfies it.
type Models interface {
	// Resolve finds a version of one of the system's models by id or key.
	Resolve(ctx context.Context, orgID, systemID, ref string) (id, key string, err error)
	// Keys returns the keys of model versions by id.
	Keys(ctx context.Context, orgID string, ids []string) (map[string]string, error)
}

// StatsQuery selects a system's statistics; see decision.StatsQuery.
type StatsQuery struct {
	From, To       time.Time
	Window         time.Duration
	ModelVersionID string
	Inputs         bool
}

// Count is a cell of the decision counts; see decision.Count.
type Count struct {
	Window                                           time.Time
	ModelVersionID, Feature, Group, Predicted, Truth string
	N                                                int64
}

// ScoreCount is a cell of the score counts; see decision.ScoreCount.
type ScoreCount struct {
	Window                time.Time
	ModelVersionID, Truth string
	Score                 float64
	N                     int64
}

// InputCount is a cell of the input counts; see decision.InputCount.
type InputCount struct {
	Window         time.Time
	Feature, Value string
	Numeric        bool
	N              int64
}

// Stats are the statistics of a range, merged per window.
type Stats struct {
	Counts []Count
	Scores []ScoreCount
	Inputs []InputCount
}

// StatsSource reads the statistics the decision log keeps; app satisfies
// it with the decision service.
type StatsSource interface {
	SystemStats(ctx context.Context, orgID, systemID string, q StatsQuery) (*Stats, error)
	// StatsSpan returns the first and last hour with decisions; ok is false when there are none.
	StatsSpan(ctx context.Context, orgID, systemID string) (first, last time.Time, ok bool, err error)
}

// IncidentRequest is an incident a breach opens.
type IncidentRequest struct {
	Title, Description string
	OccurredAt         time.Time
	Severity           string
	OwnerID            string
	SystemRef          string
	ModelVersionID     string
	ReportedBy         string
}

// Incidents opens incidents; app satisfies it with the incident service.
type Incidents interface {
	// Open opens an incident within tx, checking the request before it
	// writes anything, and returns its reference.
	Open(ctx context.Context, tx *db.Tx, actor *aims.Actor, req IncidentRequest) (ref string, err error)
}

// Service keeps monitors, judges windows and builds reports.
type Service struct {
	db        *db.DB
	logs      *tlog.Logs
	clock     aims.Clock
	systems   Systems
	models    Models
	stats     StatsSource
	incidents Incidents
	profiles  Profiles
}

// New returns the monitoring service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, systems Systems, models Models, stats StatsSource, incidents Incidents,
	profiles Profiles) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, systems: systems, models: models, stats: stats, incidents: incidents, profiles: profiles}
}

// jobActor is who judges windows and opens alerts and incidents.
func jobActor(orgID string) *aims.Actor {
	return &aims.Actor{Kind: aims.ActorSystem, Name: "aims:monitor", OrgID: orgID}
}
