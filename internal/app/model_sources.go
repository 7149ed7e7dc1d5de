package app

import (
	"bytes"
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/model"
)

// AddReportEvidence keeps an imported evaluation report as a file of
// evidence, through the evidence service, which checks the actor's right
// to add evidence, the file and the links itself; then records what the
// evidence supports in the same transaction.
func (s modelSources) AddReportEvidence(ctx context.Context, actor *aims.Actor, r model.ReportEvidence, then func(tx *db.Tx, ref string) error) (string, error) {
	it, err := s.a.Evidence.AddThen(ctx, actor, evidence.AddRequest{Kind: evidence.KindFile, Title: r.Title, Description: r.Description,
		Links: r.Links, File: bytes.NewReader(r.Content), FileName: r.FileName}, func(_ context.Context, tx *db.Tx, it *evidence.Evidence) error {
		return then(tx, it.Ref)
	})
	if err != nil {
		return "", err
	}
	return it.Ref, nil
}
