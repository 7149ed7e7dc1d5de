package app

import (
	"context"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/model"
)

// datasetSources gives data sets the AI systems they serve.
type datasetSources struct{ a *App }

func (s datasetSources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	return soaSources(s).System(ctx, orgID, idOrRef)
}

// modelSources gives models their AI systems and data set versions.
type modelSources struct{ a *App }

func (s modelSources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	return soaSources(s).System(ctx, orgID, idOrRef)
}

func (s modelSources) DatasetVersion(ctx context.Context, q db.Queryer, orgID, idOrKey string) (model.DatasetVersionRef, error) {
	v, err := s.a.Datasets.LookupVersionIn(ctx, q, orgID, idOrKey)
	if err != nil {
		return model.DatasetVersionRef{}, err
	}
	return model.DatasetVersionRef{ID: v.ID, Key: v.Key, Name: v.Name}, nil
}
