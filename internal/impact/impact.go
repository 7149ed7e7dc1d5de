// Package impact is AI system impact assessment (ISO/IEC 42001 6.1.4, 8.4
// and A.5): versioned templates of sections and questions, assessments of
// each AI system listing who may be harmed and how, their review and
// approval, and the link from an impact to the risk it raises.
package impact

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// RiskRequest is a risk to record from an impact.
type RiskRequest struct {
	Title       string
	Description string
	// SystemIDs are the ids of the AI systems concerned.
	SystemIDs                []string
	ConsequencesIndividuals  string
	ConsequencesSociety      string
	ConsequencesOrganisation string
}

// Sources are the records of other capabilities impact assessments refer
// to; app satisfies it with the AI system inventory and the risk register.
type Sources interface {
	// System resolves an AI system's id or reference to its id, reference and name, or a not-found error.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
	// CreateRisk records a risk in the caller's transaction, so that an
	// impact and the risk it raises are recorded together, and returns the
	// risk's id and reference. It authorises the actor itself.
	CreateRisk(ctx context.Context, tx *db.Tx, actor *aims.Actor, req RiskRequest) (id, ref string, err error)
	// Risk finds a risk of the organisation by id or reference.
	Risk(ctx context.Context, orgID, idOrRef string) (id, ref, title string, err error)
}

// Service manages an organisation's impact assessment templates and assessments.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the impact assessment service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// ImpactsOfRisk lists the impacts linked to a risk, for the risk register,
// whose service has already authorised its actor in the organisation.
func (s *Service) ImpactsOfRisk(ctx context.Context, orgID, riskID string) ([]ImpactLink, error) {
	return nil, nil
}

// ImpactLink names an impact of an assessment.
type ImpactLink struct {
	AssessmentRef string
	ImpactID      string
	Summary       string
	SystemRef     string
}
