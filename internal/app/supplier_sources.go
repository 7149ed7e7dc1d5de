package app

import (
	"context"
	"strings"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/supplier"
)

// supplierSources gives third parties and resources the systems, members
// and models they refer to, and the AI bill of materials the models and
// data sets it lists and registers.
type supplierSources struct{ a *App }

func (s supplierSources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*supplier.SystemInfo, error) {
	sys, err := s.a.Systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &supplier.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name, Purpose: sys.IntendedPurpose,
		Description: sys.Description, Status: sys.Status}, nil
}

func (s supplierSources) Members(ctx context.Context, actor *aims.Actor) ([]supplier.Member, error) {
	ms, err := s.a.Identity.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]supplier.Member, len(ms))
	for i, m := range ms {
		out[i] = supplier.Member{UserID: m.UserID, Name: m.Name, Email: m.Email}
	}
	return out, nil
}

func (s supplierSources) Model(ctx context.Context, actor *aims.Actor, idOrRef string) (*supplier.ItemInfo, error) {
	m, err := s.a.Models.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return &supplier.ItemInfo{ID: m.ID, Ref: m.Ref, Name: m.Name, SystemID: m.SystemID, Status: m.Status}, nil
}

func (s supplierSources) Dataset(ctx context.Context, actor *aims.Actor, idOrRef string) (*supplier.ItemInfo, error) {
	d, err := s.a.Datasets.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return &supplier.ItemInfo{ID: d.ID, Ref: d.Ref, Name: d.Name, Status: d.Status}, nil
}

func (s supplierSources) SystemModels(ctx context.Context, actor *aims.Actor, systemID string, all bool) ([]aibom.Model, error) {
	sms, err := s.a.Models.SystemModels(ctx, actor.OrgID, systemID, all)
	if err != nil {
		return nil, err
	}
	keys := func(refs []model.DatasetVersionRef) []string {
		out := make([]string, len(refs))
		for i, r := range refs {
			out[i] = r.Key
		}
		return out
	}
	out := make([]aibom.Model, 0, len(sms))
	for _, sm := range sms {
		m := aibom.Model{ID: sm.Model.ID, Ref: sm.Model.Ref, Name: sm.Model.Name, Description: sm.Model.Description}
		for _, v := range sm.Versions {
			bv := aibom.ModelVersion{Key: v.Key, Label: v.Label, Digest: v.Digest, Framework: v.Framework, Status: v.Status,
				Card: aibom.Card{IntendedUse: v.Card.IntendedUse, OutOfScopeUses: v.Card.OutOfScopeUses, Limitations: v.Card.Limitations,
					KnownBiases: v.Card.KnownBiases, EthicalConsiderations: v.Card.EthicalConsiderations},
				TrainedOn: keys(v.TrainedOn), EvaluatedOn: keys(v.EvaluatedOn)}
			for _, e := range v.Evaluations {
				be := aibom.Evaluation{Metric: e.Metric, Value: e.Value, MeasuredOn: e.MeasuredOn, Note: e.Note}
				if e.Dataset != nil {
					be.Dataset = e.Dataset.Key
				}
				bv.Evaluations = append(bv.Evaluations, be)
			}
			m.Versions = append(m.Versions, bv)
		}
		out = append(out, m)
	}
	return out, nil
}

// SystemDatasets gathers every version of the active data sets the system
// uses, the versions that keys name, and all they were derived from.
func (s supplierSources) SystemDatasets(ctx context.Context, actor *aims.Actor, systemID string, keys []string) ([]aibom.DatasetVersion, error) {
	want := map[string]bool{}
	var refs []string // data sets whose versions to read, in order found
	addRef := func(ref string) {
		for _, r := range refs {
			if r == ref {
				return
			}
		}
		refs = append(refs, ref)
	}
	whole := map[string]bool{}
	for offset := 0; ; offset += 200 {
		page, err := s.a.Datasets.List(ctx, actor, dataset.ListQuery{System: systemID, Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, d := range page.Items {
			whole[d.Ref] = true
			addRef(d.Ref)
		}
		if offset+len(page.Items) >= page.Total || len(page.Items) == 0 {
			break
		}
	}
	versions := map[string][]dataset.Version{}
	for _, ref := range refs {
		vs, err := s.a.Datasets.Versions(ctx, actor, ref)
		if err != nil {
			return nil, err
		}
		versions[ref] = vs
		for _, v := range vs {
			keys = append(keys, v.Key)
		}
	}
	if len(keys) > 0 {
		lin, err := s.a.Datasets.Lineage(ctx, actor, keys...)
		if err != nil {
			return nil, err
		}
		for _, n := range lin.Nodes {
			want[n.Key] = true
			addRef(n.DatasetRef)
		}
	}
	var out []aibom.DatasetVersion
	for _, ref := range refs {
		d, err := s.a.Datasets.Get(ctx, actor, ref)
		if err != nil {
			return nil, err
		}
		vs, ok := versions[ref]
		if !ok {
			if vs, err = s.a.Datasets.Versions(ctx, actor, ref); err != nil {
				return nil, err
			}
		}
		for _, v := range vs {
			if !whole[ref] && !want[v.Key] {
				continue
			}
			out = append(out, bomVersion(d, v))
		}
	}
	return out, nil
}

// bomVersion is a data set version as the AI bill of materials lists it.
func bomVersion(d *dataset.Dataset, v dataset.Version) aibom.DatasetVersion {
	bv := aibom.DatasetVersion{Key: v.Key, DatasetID: d.ID, DatasetRef: d.Ref, DatasetName: d.Name, Description: d.Description,
		Number: v.Number, Label: v.Label, Source: v.Source, Acquisition: v.Acquisition, Licence: v.Licence,
		ContainsPersonalData: v.ContainsPersonalData, PersonalDataCategories: v.PersonalDataCategories,
		ConsentBasis: v.ConsentBasis, Retention: v.Retention, DeleteBy: v.DeleteBy, Preparation: v.Preparation, Owner: d.OwnerName}
	if !v.ContainsPersonalData {
		bv.ConsentBasis = ""
	}
	for _, p := range v.DerivedFrom {
		bv.DerivedFrom = append(bv.DerivedFrom, p.Key)
	}
	if v.Profile != nil {
		bv.SHA256 = v.Profile.SHA256
	}
	return bv
}

func (s supplierSources) FindDataset(ctx context.Context, actor *aims.Actor, name string) (string, []aibom.DatasetVersion, error) {
	key := strings.ToLower(strings.Join(strings.Fields(name), " "))
	for offset := 0; ; offset += 200 {
		page, err := s.a.Datasets.List(ctx, actor, dataset.ListQuery{Q: name, Status: "all", Limit: 200, Offset: offset})
		if err != nil {
			return "", nil, err
		}
		for i := range page.Items {
			d := &page.Items[i]
			if strings.ToLower(strings.Join(strings.Fields(d.Name), " ")) != key {
				continue
			}
			vs, err := s.a.Datasets.Versions(ctx, actor, d.Ref)
			if err != nil {
				return "", nil, err
			}
			out := make([]aibom.DatasetVersion, len(vs))
			for j, v := range vs {
				out[j] = bomVersion(d, v)
			}
			return d.Ref, out, nil
		}
		if offset+len(page.Items) >= page.Total || len(page.Items) == 0 {
			return "", nil, nil
		}
	}
}

func (s supplierSources) CreateModel(ctx context.Context, tx *db.Tx, actor *aims.Actor, systemID string, m aibom.Model) (*supplier.ItemInfo, error) {
	created, err := s.a.Models.CreateTx(ctx, tx, actor, model.CreateRequest{System: systemID, Name: m.Name, Description: m.Description})
	if err != nil {
		return nil, err
	}
	return &supplier.ItemInfo{ID: created.ID, Ref: created.Ref, Name: created.Name, SystemID: created.SystemID, Status: created.Status}, nil
}

func (s supplierSources) CreateModelVersion(ctx context.Context, tx *db.Tx, actor *aims.Actor, modelRef string, v aibom.ModelVersion) (string, error) {
	created, err := s.a.Models.CreateVersionTx(ctx, tx, actor, modelRef, model.VersionRequest{Label: v.Label, Digest: v.Digest,
		Framework: v.Framework, TrainedOn: v.TrainedOn, EvaluatedOn: v.EvaluatedOn,
		Card: model.Card{IntendedUse: v.Card.IntendedUse, OutOfScopeUses: v.Card.OutOfScopeUses, Limitations: v.Card.Limitations,
			KnownBiases: v.Card.KnownBiases, EthicalConsiderations: v.Card.EthicalConsiderations}})
	if err != nil {
		return "", err
	}
	if len(v.Evaluations) > 0 {
		req := model.EvaluateRequest{}
		for _, e := range v.Evaluations {
			req.Results = append(req.Results, model.EvaluationInput{Metric: e.Metric, Value: e.Value, Dataset: e.Dataset,
				MeasuredOn: e.MeasuredOn, Note: e.Note})
		}
		if _, err := s.a.Models.EvaluateTx(ctx, tx, actor, created.Key, req); err != nil {
			return "", err
		}
	}
	return created.Key, nil
}

func (s supplierSources) CreateDataset(ctx context.Context, tx *db.Tx, actor *aims.Actor, systemID string, d aibom.DatasetVersion) (*supplier.ItemInfo, error) {
	created, err := s.a.Datasets.CreateTx(ctx, tx, actor, dataset.CreateRequest{Name: d.DatasetName, Description: d.Description,
		Systems: []string{systemID}})
	if err != nil {
		return nil, err
	}
	return &supplier.ItemInfo{ID: created.ID, Ref: created.Ref, Name: created.Name, Status: created.Status}, nil
}

func (s supplierSources) AddDatasetVersion(ctx context.Context, tx *db.Tx, actor *aims.Actor, datasetRef string, v aibom.DatasetVersion) (string, error) {
	personal := v.ContainsPersonalData
	created, err := s.a.Datasets.AddVersionTx(ctx, tx, actor, datasetRef, dataset.VersionRequest{Label: v.Label, Source: v.Source,
		Acquisition: v.Acquisition, Licence: v.Licence, ContainsPersonalData: &personal,
		PersonalDataCategories: v.PersonalDataCategories, ConsentBasis: v.ConsentBasis, Retention: v.Retention,
		DeleteBy: v.DeleteBy, Preparation: v.Preparation, DerivedFrom: v.DerivedFrom})
	if err != nil {
		return "", err
	}
	return created.Key, nil
}
