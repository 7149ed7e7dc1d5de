// Package incident keeps incidents concerning AI systems (ISO/IEC 42001
// A.8.4, 10.2): what happened, the harm and who was affected, the systems
// and model versions involved, containment, and whom the organisation must
// notify by when, including the EU AI Act Article 73 deadlines for serious
// incidents.
package incident

import (
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Sources are the records of other capabilities this one refers to; app satisfies it.
type Sources interface{}

// Service manages this capability's records.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}
