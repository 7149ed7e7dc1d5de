package app

import (
	"bytes"
	"context"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/model"
)

// AddReportEvidence keeps an imported evaluation report as a file of
// evidence, through the evidence service, which checks the actor's right
// to add evidence, the file and the links itself.
func (s modelSources) AddReportEvidence(ctx context.Context, actor *aims.Actor, r model.ReportEvidence) (string, error) {
	it, err := s.a.Evidence.Add(ctx, actor, evidence.AddRequest{Kind: evidence.KindFile, Title: r.Title, Description: r.Description,
		Links: r.Links, File: bytes.NewReader(r.Content), FileName: r.FileName})
	if err != nil {
		return "", err
	}
	return it.Ref, nil
}
