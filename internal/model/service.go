// Package model keeps the models of AI systems (ISO/IEC 42001 A.6.2): each
// model's versions with the artefact's digest, the data set versions it was
// trained and evaluated on, its evaluation results and model card, and its
// status from candidate through approved and deployed to retired.
//
// A version's status is candidate until a lead approves it, which needs at
// least one evaluation result and a model card that says what the model is
// for and where it falls short; approval freezes the card, the framework,
// the digest and the data, so that changing them needs a new version.
// Deployments are records of their own: at most one version of a model is
// deployed in each environment (a partial unique index holds the line), a
// version is "deployed" while it is in at least one environment, and
// deploying another version to an environment supersedes the one there,
// which goes back to "approved" and can be deployed again to roll back.
package model

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types of models in the audit log; an event's reference is the
// model's (MDL-2) or the version's key (MDL-2@1.4.0).
const (
	ObjectModel   = "model"
	ObjectVersion = "model_version"
)

// Audit actions of models and their versions.
const (
	ActionCreate        = "model.create"
	ActionUpdate        = "model.update"
	ActionArchive       = "model.archive"
	ActionRestore       = "model.restore"
	ActionVersionCreate = "model_version.create"
	ActionVersionUpdate = "model_version.update"
	ActionEvaluate      = "model_version.evaluate"
	ActionApprove       = "model_version.approve"
	ActionDeploy        = "model_version.deploy"
	ActionSupersede     = "model_version.supersede"
	ActionWithdraw      = "model_version.withdraw"
	ActionRetire        = "model_version.retire"
)

const (
	// refPrefix starts every model's reference: MDL-1.
	refPrefix = "MDL"
	// defaultEnvironment is where a version is deployed when no environment is named.
	defaultEnvironment = "production"
	// maxVersionsListed bounds a list of a model's versions.
	maxVersionsListed = 500
	// maxEvaluationsPerPost bounds the results of one request.
	maxEvaluationsPerPost = 200
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
	// DatasetVersion resolves a data set version by id or key (DS-3@2),
	// reading through q (the database or the transaction under way).
	DatasetVersion(ctx context.Context, q db.Queryer, orgID, idOrKey string) (DatasetVersionRef, error)
	// AddReportEvidence keeps an imported evaluation report as evidence
	// added by the actor, calling then with the evidence's reference (EV-7)
	// in the transaction that records it, and returns the reference.
	AddReportEvidence(ctx context.Context, actor *aims.Actor, r ReportEvidence, then func(tx *db.Tx, ref string) error) (string, error)
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
