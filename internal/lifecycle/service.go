// Package lifecycle controls how AI systems move through their life cycle
// (ISO/IEC 42001 A.6, 6.3, 8.1): the gates an organisation sets between
// stages, transitions requested, checked and approved against them, and
// change requests classified as significant or minor, whose approval makes
// the system's risks and impact assessments due for review.
package lifecycle

import (
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Sources are the records of other capabilities that gates check; app
// satisfies it.
type Sources interface{}

// Service manages stage gates, transitions and change requests.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the life-cycle service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}
