// Package soa is the Statement of Applicability: for every control, whether
// it applies and why, how far it is implemented, who owns it and by when,
// per organisation and where it differs per AI system; edited as a draft
// and approved into numbered, frozen versions that name the audit
// checkpoint signed at approval.
package soa

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// ControlInfo is what the Statement of Applicability needs of a control.
type ControlInfo struct {
	ID         string
	CategoryID string
	Title      string
	Custom     bool
}

// EvidenceRef names a piece of current evidence.
type EvidenceRef struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// Sources are the records of other capabilities the Statement of
// Applicability reads; app satisfies it with the catalogue, the AI system
// inventory and the evidence.
type Sources interface {
	// Controls lists every control the organisation must decide on, in catalogue order.
	Controls(ctx context.Context, orgID string) ([]ControlInfo, error)
	// System resolves an AI system's id or reference to its id, reference and name, or a not-found error.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
	// CurrentEvidence lists the current evidence linked to each control.
	CurrentEvidence(ctx context.Context, orgID string) (map[string][]EvidenceRef, error)
}

// Service manages Statements of Applicability.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the Statement of Applicability service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}
