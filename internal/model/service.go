// Package model keeps the models of AI systems (ISO/IEC 42001 A.6.2): each
// model's versions with the artefact's digest, the data set versions it was
// trained and evaluated on, its evaluation results and model card, and its
// status from candidate through approved and deployed to retired.
package model

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// DatasetVersionRef names a data set version, as the data set service knows it.
type DatasetVersionRef struct {
	ID string `json:"id"`
	// Key is the data set's reference and the version's number, such as DS-3@2.
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Sources are the records of other capabilities that models refer to;
// app satisfies it.
type Sources interface {
	// System resolves an AI system of the organisation by id or reference.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
	// DatasetVersion resolves a data set version by id or key (DS-3@2).
	DatasetVersion(ctx context.Context, orgID, idOrKey string) (DatasetVersionRef, error)
}

// Service manages models and their versions.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
}

// New returns the model service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources}
}
