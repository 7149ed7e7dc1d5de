// Package app wires aims together: configuration, database, logs, services,
// the HTTP handler and background jobs.
package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/auditlog"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/concern"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/incident"
	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/monitor"
	"github.com/aims-dev/aims/internal/nonconformity"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/aims-dev/aims/internal/objective"
	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/readiness"
	"github.com/aims-dev/aims/internal/review"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/aims-dev/aims/internal/tlog"
)

// App is an open aims installation: its database and services.
type App struct {
	Config          *config.Config
	DB              *db.DB
	Key             *tlog.Key
	Logs            *tlog.Logs
	Identity        *identity.Service
	Systems         *aisystem.Service
	Audit           *auditlog.Service
	Catalog         *catalog.Service
	SoA             *soa.Service
	Evidence        *evidence.Service
	Readiness       *readiness.Service
	Risks           *risk.Service
	Impact          *impact.Service
	Datasets        *dataset.Service
	Models          *model.Service
	Lifecycle       *lifecycle.Service
	Suppliers       *supplier.Service
	Documents       *document.Service
	Context         *orgcontext.Service
	People          *people.Service
	Concerns        *concern.Service
	Objectives      *objective.Service
	Incidents       *incident.Service
	Decisions       *decision.Service
	Monitors        *monitor.Service
	Nonconformities *nonconformity.Service
	InternalAudits  *internalaudit.Service
	Reviews         *review.Service
	Notifications   *notify.Service
	Clock           aims.Clock
}

// Open connects to the configured database, applies pending migrations and
// builds the services. With signing set it loads the checkpoint key,
// creating it on first start, and records its verifier key.
func Open(ctx context.Context, cfg *config.Config, signing bool) (*App, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	applied, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	for _, m := range applied {
		slog.Info("applied migration", "migration", m, "database", d.Location)
	}
	a := &App{Config: cfg, DB: d, Clock: aims.SystemClock}
	if signing {
		if a.Key, err = tlog.LoadOrCreateKey(cfg.KeyFile()); err != nil {
			d.Close()
			return nil, err
		}
		a.Logs = tlog.New(d, a.Key.Signer, a.Clock)
		if err := a.Logs.RegisterKey(ctx, a.Key.VerifierKey); err != nil {
			d.Close()
			return nil, fmt.Errorf("cannot record the verifier key: %w", err)
		}
	} else {
		a.Logs = tlog.New(d, nil, a.Clock)
	}
	a.Identity = identity.New(d, a.Logs, a.Clock)
	a.Systems = aisystem.New(d, a.Logs, a.Clock)
	vkey := ""
	if a.Key != nil {
		vkey = a.Key.VerifierKey
	}
	a.Audit = auditlog.New(d, a.Logs, vkey)
	a.Catalog = catalog.New(d, a.Logs, a.Clock)
	a.Evidence = evidence.New(d, a.Logs, a.Clock, cfg.EvidencePath(), cfg.EvidenceMaxBytes, evidenceTargets{a})
	a.SoA = soa.New(d, a.Logs, a.Clock, soaSources{a})
	a.Readiness = readiness.New(d, a.Clock, readinessSources{a})
	a.Risks = risk.New(d, a.Logs, a.Clock, riskSources{a})
	a.Impact = impact.New(d, a.Logs, a.Clock, impactSources{a})
	a.Datasets = dataset.New(d, a.Logs, a.Clock, datasetSources{a})
	a.Datasets.SetUploadLimits(cfg.ProfileMaxBytes, "")
	a.Models = model.New(d, a.Logs, a.Clock, modelSources{a})
	a.Lifecycle = lifecycle.New(d, a.Logs, a.Clock, lifecycleSources{a})
	a.Suppliers = supplier.New(d, a.Logs, a.Clock, supplierSources{a})
	a.Documents = document.New(d, a.Logs, a.Clock, documentSources{a})
	a.Context = orgcontext.New(d, a.Logs, a.Clock, contextSources{a})
	a.People = people.New(d, a.Logs, a.Clock, peopleSources{a})
	a.Concerns = concern.New(d, a.Logs, a.Clock, concernSources{a})
	a.Objectives = objective.New(d, a.Logs, a.Clock, objectiveSources{a})
	a.Incidents = incident.New(d, a.Logs, a.Clock, incidentSources{a})
	a.Nonconformities = nonconformity.New(d, a.Logs, a.Clock, nonconformitySources{a})
	a.InternalAudits = internalaudit.New(d, a.Logs, a.Clock, internalAuditSources{a})
	a.Reviews = review.New(d, a.Logs, a.Clock, reviewSources{a})
	a.Notifications = notify.New(d, a.Logs, a.Clock, notificationSources{a})
	a.Decisions = decision.New(d, a.Logs, a.Clock, decisionSources{a}, decisionSources{a},
		decision.Limits{Records: cfg.DecisionMaxRecords, Bytes: cfg.DecisionMaxBytes})
	a.Monitors = monitor.New(d, a.Logs, a.Clock, monitorSources{a}, monitorSources{a}, monitorSources{a}, monitorSources{a},
		monitorSources{a})
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
