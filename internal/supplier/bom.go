package supplier

import (
	"context"
	"fmt"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// BOMFile is an exported AI bill of materials.
type BOMFile struct {
	// Name is a file name for it, such as SYS-1.cdx.json.
	Name string
	// ContentType is the media type of CycloneDX JSON.
	ContentType string
	Data        []byte
}

// ExportBOM writes the AI bill of materials of a system as CycloneDX 1.6
// JSON: its active models with every version, the data set versions they
// were trained and evaluated on, those of the data sets the system uses and
// all they were derived from, and who supplied each.
func (s *Service) ExportBOM(ctx context.Context, actor *aims.Actor, systemRef string) (*BOMFile, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, systemRef)
	if err != nil {
		return nil, err
	}
	in, err := s.bomInput(ctx, actor, sys)
	if err != nil {
		return nil, fmt.Errorf("cannot export the AI bill of materials of %s: %w", sys.Ref, err)
	}
	data, err := aibom.Export(*in)
	if err != nil {
		return nil, err
	}
	return &BOMFile{Name: sys.Ref + ".cdx.json", ContentType: aibom.MediaType, Data: data}, nil
}

// BOMInput gathers what the AI bill of materials of a system holds, for a
// page that shows it before it is downloaded.
func (s *Service) BOMInput(ctx context.Context, actor *aims.Actor, systemRef string) (*aibom.Input, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	sys, err := s.sources.System(ctx, actor, systemRef)
	if err != nil {
		return nil, err
	}
	return s.bomInput(ctx, actor, sys)
}

func (s *Service) bomInput(ctx context.Context, actor *aims.Actor, sys *SystemInfo) (*aibom.Input, error) {
	models, err := s.sources.SystemModels(ctx, actor, sys.ID, false)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, m := range models {
		for _, v := range m.Versions {
			keys = append(keys, v.TrainedOn...)
			keys = append(keys, v.EvaluatedOn...)
			for _, e := range v.Evaluations {
				if e.Dataset != "" {
					keys = append(keys, e.Dataset)
				}
			}
		}
	}
	datasets, err := s.sources.SystemDatasets(ctx, actor, sys.ID, keys)
	if err != nil {
		return nil, err
	}
	byModel, byDataset, err := s.componentSuppliers(ctx, actor)
	if err != nil {
		return nil, err
	}
	for i := range models {
		models[i].Supplier = byModel[models[i].ID]
	}
	for i := range datasets {
		datasets[i].Supplier = byDataset[datasets[i].DatasetID]
	}
	in := &aibom.Input{System: aibom.System{Ref: sys.Ref, Name: sys.Name, Purpose: sys.Purpose, Description: sys.Description},
		Models: models, Datasets: datasets, Time: s.clock()}
	if err := s.db.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, actor.OrgID).Scan(&in.Organisation); err != nil {
		return nil, err
	}
	return in, nil
}

// componentSuppliers returns, by model id and by data set id, the first
// recorded third party that supplies it.
func (s *Service) componentSuppliers(ctx context.Context, actor *aims.Actor) (map[string]*aibom.Supplier, map[string]*aibom.Supplier, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.kind, s.model_id, s.dataset_id, p.name, p.contact_name, p.contact_email,
		p.contact_web, p.country FROM supplies s JOIN third_parties p ON p.id = s.party_id
		WHERE s.org_id = ? AND s.role = 'supplier' AND s.kind IN ('model', 'data_set')
		ORDER BY p.created_at, p.id, s.number`, actor.OrgID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	byModel, byDataset := map[string]*aibom.Supplier{}, map[string]*aibom.Supplier{}
	for rows.Next() {
		var kind, modelID, datasetID string
		var sp aibom.Supplier
		if err := rows.Scan(&kind, &modelID, &datasetID, &sp.Name, &sp.ContactName, &sp.Email, &sp.Web, &sp.Country); err != nil {
			return nil, nil, err
		}
		if kind == "model" && modelID != "" && byModel[modelID] == nil {
			byModel[modelID] = &sp
		}
		if kind == "data_set" && datasetID != "" && byDataset[datasetID] == nil {
			byDataset[datasetID] = &sp
		}
	}
	return byModel, byDataset, rows.Err()
}
