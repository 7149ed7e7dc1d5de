// Package risk is AI risk management: versioned risk criteria, the risk
// register with its treatments, the controls that treat each risk,
// acceptance of residual risk, and named risk assessments whose results
// are kept and compared.
package risk

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// ImpactRef names an impact, recorded in an AI system impact assessment,
// that informs a risk.
type ImpactRef struct {
	AssessmentRef string `json:"assessment_ref"`
	ImpactID      string `json:"impact_id"`
	Summary       string `json:"summary"`
	SystemRef     string `json:"system_ref"`
}

// Sources are the records of other capabilities risks refer to; app
// satisfies it with the catalogue, the AI system inventory and impact
// assessments.
type Sources interface {
	// ControlExists reports whether id names an Annex A control or one of the organisation's own.
	ControlExists(ctx context.Context, orgID, id string) (bool, error)
	// System resolves an AI system's id or reference to its id, reference and name, or a not-found error.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
	// ImpactsOfRisk lists the impacts linked to a risk.
	ImpactsOfRisk(ctx context.Context, orgID, riskID string) ([]ImpactRef, error)
}

// Service manages an organisation's risk criteria, register and assessments.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the risk service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// CreateRequest describes a new risk.
type CreateRequest struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Systems are the AI systems concerned, by id or reference.
	Systems                  []string `json:"systems,omitempty"`
	ConsequencesOrganisation string   `json:"consequences_organisation,omitempty"`
	ConsequencesIndividuals  string   `json:"consequences_individuals,omitempty"`
	ConsequencesSociety      string   `json:"consequences_society,omitempty"`
}

// Risk is one risk of the register.
type Risk struct {
	ID    string `json:"id"`
	Ref   string `json:"ref" doc:"Short reference such as RISK-3."`
	Title string `json:"title"`
}

// CreateTx records a risk in the caller's transaction with its audit
// event, after authorising the actor, so that another capability can
// record a risk and its own record together.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, req CreateRequest) (*Risk, error) {
	return nil, aims.Errorf(aims.CodeInternal, "the risk register is not built yet")
}

// Lookup finds a risk of an organisation by id or reference, for another
// capability whose service has already authorised its actor there.
func (s *Service) Lookup(ctx context.Context, orgID, idOrRef string) (*Risk, error) {
	return nil, aims.NotFound("risk", idOrRef)
}
