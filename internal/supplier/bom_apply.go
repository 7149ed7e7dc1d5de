package supplier

import (
	"context"
	"fmt"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// applyImport creates what the plan says, in order: data sets and their
// versions, models and their versions, then third parties and supplies in
// one transaction. The report's items get the references of what is created.
func (s *Service) applyImport(ctx context.Context, actor *aims.Actor, plan *importPlan) error {
	r := plan.report
	for _, vp := range plan.versions {
		dp := vp.ds
		if dp.ref == "" {
			ref, err := s.sources.CreateDataset(ctx, actor, plan.sys.ID, dp.first)
			if err != nil {
				return fmt.Errorf("cannot create the data set %s: %w", dp.name, err)
			}
			dp.ref, r.Items[dp.item].Ref = ref, ref
		}
		v := vp.v
		v.DerivedFrom = plan.mapKeys(v.DerivedFrom)
		if v.Acquisition == "derived" && len(v.DerivedFrom) == 0 {
			v.Acquisition = "other"
		}
		key, err := s.sources.AddDatasetVersion(ctx, actor, dp.ref, v)
		if err != nil {
			return fmt.Errorf("cannot record %s: %w", r.Items[vp.item].Name, err)
		}
		plan.keys[vp.v.Key], r.Items[vp.item].Ref = key, key
	}
	for _, mp := range plan.models {
		if mp.item != exists {
			ref, err := s.sources.CreateModel(ctx, actor, plan.sys.ID, mp.m)
			if err != nil {
				return fmt.Errorf("cannot register the model %s: %w", mp.m.Name, err)
			}
			mp.ref, r.Items[mp.item].Ref = ref, ref
		}
		for _, vp := range mp.versions {
			if vp.item == exists {
				continue
			}
			v := vp.v
			v.TrainedOn, v.EvaluatedOn = plan.mapKeys(v.TrainedOn), plan.mapKeys(v.EvaluatedOn)
			v.Evaluations = nil
			for _, e := range vp.v.Evaluations {
				if e.Dataset != "" {
					e.Dataset = plan.keys[e.Dataset]
				}
				v.Evaluations = append(v.Evaluations, e)
			}
			key, err := s.sources.CreateModelVersion(ctx, actor, mp.ref, v)
			if err != nil {
				return fmt.Errorf("cannot register %s: %w", r.Items[vp.item].Name, err)
			}
			r.Items[vp.item].Ref = key
		}
	}
	return s.applyParties(ctx, actor, plan)
}

// applyParties records the new suppliers and their supplies in one transaction.
func (s *Service) applyParties(ctx context.Context, actor *aims.Actor, plan *importPlan) error {
	if len(plan.supplies) == 0 && !plan.newParties() {
		return nil
	}
	sys := &Link{ID: plan.sys.ID, Ref: plan.sys.Ref, Name: plan.sys.Name}
	links := make([]*Link, len(plan.supplies))
	for i, sp := range plan.supplies {
		var it *ItemInfo
		var err error
		if sp.model != nil {
			it, err = s.sources.Model(ctx, actor, sp.model.ref)
		} else {
			it, err = s.sources.Dataset(ctx, actor, sp.dataset.ref)
		}
		if err != nil {
			return err
		}
		links[i] = &Link{ID: it.ID, Ref: it.Ref, Name: it.Name}
	}
	refs := map[int]string{}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		clear(refs)
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
			made[pp], refs[pp.item] = &t, t.Ref
		}
		for i, sp := range plan.supplies {
			sup := &Supply{Role: RoleSupplier, Kind: sp.kind, System: sys}
			if sp.model != nil {
				sup.Model = links[i]
			} else {
				sup.Dataset = links[i]
			}
			if err := s.insertSupply(ctx, tx, actor, made[sp.party], sup); err != nil {
				return err
			}
			refs[sp.item] = sup.Ref
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, ref := range refs {
		plan.report.Items[i].Ref = ref
	}
	return nil
}

func (p *importPlan) newParties() bool {
	for _, pp := range p.parties {
		if pp.item != exists {
			return true
		}
	}
	return false
}

// mapKeys turns BOM refs of data set versions into their keys in aims,
// leaving out those the import did not register.
func (p *importPlan) mapKeys(refs []string) []string {
	out := []string{}
	for _, ref := range refs {
		if k := p.keys[ref]; k != "" {
			out = append(out, k)
		}
	}
	return out
}
