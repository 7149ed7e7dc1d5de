// Package document keeps the organisation's documented information
// (ISO/IEC 42001 5.2, 7.5, A.2): the AI policy, procedures and any other
// document, in versions whose Markdown text is frozen once approved, with an
// owner, a review interval, the roles it is distributed to and who has
// acknowledged reading the version in force.
package document

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
