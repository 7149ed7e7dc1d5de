// Package objective keeps the organisation's AI objectives (ISO/IEC 42001
// 6.2, 9.1, Annex C): each with an owner and measurable indicators, their
// targets and measurement cadence, and the values measured over time.
package objective

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
