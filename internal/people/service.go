// Package people keeps who does what in the AIMS and whether they are able
// to (ISO/IEC 42001 5.3, 7.2, 7.3, A.3.2, A.4.6): AIMS roles with their
// responsibilities assigned to members, the competences each role requires,
// training courses, each person's training records with evidence, and the
// gaps between what roles require and what people hold.
package people

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
