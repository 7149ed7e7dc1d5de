package supplier

import (
	"context"
	"fmt"
	"maps"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// applyImport creates what the plan says in one transaction, in order: data
// sets and their versions, models and their versions, then third parties
// and supplies, each with its audit event. It is all or nothing: when one
// creation fails, none is kept. The report's items get the references of
// what is created.
func (s *Service) applyImport(ctx context.Context, actor *aims.Actor, plan *importPlan) error {
	// What exists already is resolved before the transaction starts.
	existing := map[int]*Link{}
	for i, sp := range plan.supplies {
		var it *ItemInfo
		var err error
		switch {
		case sp.model != nil && sp.model.item == exists:
			it, err = s.sources.Model(ctx, actor, sp.model.ref)
		case sp.dataset != nil && sp.dataset.item == exists:
			it, err = s.sources.Dataset(ctx, actor, sp.dataset.ref)
		default:
			continue
		}
		if err != nil {
			return err
		}
		existing[i] = &Link{ID: it.ID, Ref: it.Ref, Name: it.Name}
	}
	var refs map[int]string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		// A retried transaction starts again from the plan.
		refs = map[int]string{}
		a := &applying{plan: plan, refs: refs, keys: maps.Clone(plan.keys),
			datasets: map[*dsPlan]*Link{}, models: map[*modelPlan]*Link{}}
		if err := s.applyRecords(ctx, tx, actor, a); err != nil {
			return err
		}
		return s.applyParties(ctx, tx, actor, a, existing)
	})
	if err != nil {
		return err
	}
	for i, ref := range refs {
		plan.report.Items[i].Ref = ref
	}
	return nil
}

// applying is what one attempt of the import's transaction has created.
type applying struct {
	plan *importPlan
	// refs are the references of the report's items created so far.
	refs map[int]string
	// keys maps BOM refs of data set versions to aims keys.
	keys     map[string]string
	datasets map[*dsPlan]*Link
	models   map[*modelPlan]*Link
}

// applyRecords creates the data sets, models and their versions.
func (s *Service) applyRecords(ctx context.Context, tx *db.Tx, actor *aims.Actor, a *applying) error {
	plan, r := a.plan, a.plan.report
	for _, vp := range plan.versions {
		dp := vp.ds
		ref := dp.ref
		if dp.item != exists {
			l := a.datasets[dp]
			if l == nil {
				it, err := s.sources.CreateDataset(ctx, tx, actor, plan.sys.ID, dp.first)
				if err != nil {
					return fmt.Errorf("cannot create the data set %s: %w", dp.name, err)
				}
				l = &Link{ID: it.ID, Ref: it.Ref, Name: it.Name}
				a.datasets[dp], a.refs[dp.item] = l, it.Ref
			}
			ref = l.Ref
		}
		v := vp.v
		v.DerivedFrom = a.mapKeys(v.DerivedFrom)
		if v.Acquisition == "derived" && len(v.DerivedFrom) == 0 {
			v.Acquisition = "other"
		}
		key, err := s.sources.AddDatasetVersion(ctx, tx, actor, ref, v)
		if err != nil {
			return fmt.Errorf("cannot record %s: %w", r.Items[vp.item].Name, err)
		}
		a.keys[vp.v.Key], a.refs[vp.item] = key, key
	}
	for _, mp := range plan.models {
		ref := mp.ref
		if mp.item != exists {
			it, err := s.sources.CreateModel(ctx, tx, actor, plan.sys.ID, mp.m)
			if err != nil {
				return fmt.Errorf("cannot register the model %s: %w", mp.m.Name, err)
			}
			a.models[mp], a.refs[mp.item] = &Link{ID: it.ID, Ref: it.Ref, Name: it.Name}, it.Ref
			ref = it.Ref
		}
		for _, vp := range mp.versions {
			if vp.item == exists {
				continue
			}
			v := vp.v
			v.TrainedOn, v.EvaluatedOn = a.mapKeys(v.TrainedOn), a.mapKeys(v.EvaluatedOn)
			v.Evaluations = nil
			for _, e := range vp.v.Evaluations {
				if e.Dataset != "" {
					e.Dataset = a.keys[e.Dataset]
				}
				v.Evaluations = append(v.Evaluations, e)
			}
			key, err := s.sources.CreateModelVersion(ctx, tx, actor, ref, v)
			if err != nil {
				return fmt.Errorf("cannot register %s: %w", r.Items[vp.item].Name, err)
			}
			a.refs[vp.item] = key
		}
	}
	return nil
}

// applyParties records the new suppliers and their supplies; existing
// holds the models and data sets of supplies that existed before the import.
func (s *Service) applyParties(ctx context.Context, tx *db.Tx, actor *aims.Actor, a *applying, existing map[int]*Link) error {
	plan := a.plan
	sys := &Link{ID: plan.sys.ID, Ref: plan.sys.Ref, Name: plan.sys.Name}
	made := map[*partyPlan]*Party{}
	for _, pp := range plan.parties {
		if pp.item == exists {
			made[pp] = pp.party
			continue
		}
		t := *pp.party
		if err := s.insertParty(ctx, tx, actor, &t); err != nil {
			return fmt.Errorf("cannot record the supplier %s: %w", t.Name, err)
		}
		made[pp], a.refs[pp.item] = &t, t.Ref
	}
	for i, sp := range plan.supplies {
		link := existing[i]
		if link == nil && sp.model != nil {
			link = a.models[sp.model]
		} else if link == nil {
			link = a.datasets[sp.dataset]
		}
		if link == nil {
			return aims.Errorf(aims.CodeInternal, "the import has no record for %s", plan.report.Items[sp.item].Name)
		}
		sup := &Supply{Role: RoleSupplier, Kind: sp.kind, System: sys}
		if sp.model != nil {
			sup.Model = link
		} else {
			sup.Dataset = link
		}
		if err := s.insertSupply(ctx, tx, actor, made[sp.party], sup); err != nil {
			return err
		}
		a.refs[sp.item] = sup.Ref
	}
	return nil
}

// mapKeys turns BOM refs of data set versions into their keys in aims,
// leaving out those the import did not register.
func (a *applying) mapKeys(refs []string) []string {
	out := []string{}
	for _, ref := range refs {
		if k := a.keys[ref]; k != "" {
			out = append(out, k)
		}
	}
	return out
}
