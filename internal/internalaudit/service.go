// Package internalaudit keeps the internal audit programme (ISO/IEC 42001
// 9.2) over the certification cycle: audits with scope, criteria and an
// auditor who does not audit their own work, a checklist generated from the
// clauses and the applicable controls, a result per item, the report, and
// findings raised as nonconformities.
package internalaudit

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
