package supplier

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

// What an import did, or a dry run would do, with each thing a BOM holds.
const (
	ImportCreated     = "created"
	ImportWouldCreate = "would_create"
	ImportExists      = "exists"
)

// ImportItem is one thing a BOM holds and what the import did with it.
type ImportItem struct {
	Kind   string `json:"kind" enum:"data_set,data_set_version,model,model_version,third_party,supply"`
	Name   string `json:"name" doc:"What the BOM calls it, such as Credit scorer 1.4.0."`
	Ref    string `json:"ref" doc:"The record in aims: the one that exists or was created; empty for what a dry run would create."`
	Action string `json:"action" enum:"created,would_create,exists"`
	Note   string `json:"note,omitempty"`
}

// ImportReport says what an import of an AI bill of materials did.
type ImportReport struct {
	System       string       `json:"system" doc:"The AI system imported into."`
	DryRun       bool         `json:"dry_run" doc:"True when nothing was changed."`
	SerialNumber string       `json:"serial_number" doc:"The BOM's serial number."`
	Items        []ImportItem `json:"items"`
	Created      int          `json:"created" doc:"How many records were (or in a dry run would be) created."`
	Existing     int          `json:"existing" doc:"How many were found already and left as they are."`
	Notes        []string     `json:"notes" doc:"What was read differently from the document."`
}

// add appends an item and returns its index.
func (r *ImportReport) add(it ImportItem) int {
	if it.Action == ImportExists {
		r.Existing++
	} else {
		r.Created++
	}
	r.Items = append(r.Items, it)
	return len(r.Items) - 1
}

// exists is the item index of what was found rather than created.
const exists = -1

// importPlan is what an import will do, worked out before anything is written.
type importPlan struct {
	sys    *SystemInfo
	report *ImportReport
	// datasets and models are in the order they are created; versions are
	// the data set versions to create, each after those it was derived from.
	datasets []*dsPlan
	versions []*dsVersionPlan
	models   []*modelPlan
	parties  []*partyPlan
	supplies []*supplyPlan
	// keys maps BOM refs of data set versions to aims keys, once known.
	keys map[string]string
}

type dsPlan struct {
	name, ref string
	item      int // index in the report; exists when the data set exists
	first     aibom.DatasetVersion
	versions  []dsVersionPlan
	supplier  *partyPlan
}

type dsVersionPlan struct {
	ds   *dsPlan
	v    aibom.DatasetVersion
	item int // exists when the version exists
}

type modelPlan struct {
	m        aibom.Model
	ref      string
	item     int
	versions []modelVersionPlan
	supplier *partyPlan
}

type modelVersionPlan struct {
	v    aibom.ModelVersion
	item int
}

type partyPlan struct {
	party *Party
	item  int // exists when the party exists
}

type supplyPlan struct {
	party   *partyPlan
	kind    string
	model   *modelPlan
	dataset *dsPlan
	item    int
}

// ImportBOM registers, for a system, what a CycloneDX JSON BOM holds: data
// sets and their versions (found by name, then by label or number), models
// and their versions (by name among the system's models, then by label),
// and the suppliers of each (by name) with what they supply. What exists is
// left as it is; the rest is created, each with its audit event. A dry run
// only reports. Everything is created in one transaction: an import that
// fails midway keeps nothing.
func (s *Service) ImportBOM(ctx context.Context, actor *aims.Actor, systemRef string, data []byte, dryRun bool) (*ImportReport, error) {
	for _, act := range []string{identity.ActSupplierEdit, identity.ActModelEdit, identity.ActDatasetEdit} {
		if err := identity.Authorize(actor, act); err != nil {
			return nil, err
		}
	}
	sys, err := s.sources.System(ctx, actor, systemRef)
	if err != nil {
		return nil, err
	}
	if sys.Status == StatusArchived {
		return nil, aims.Errorf(aims.CodeConflict, "%s is archived: restore it before importing into it", sys.Ref)
	}
	contents, err := aibom.Parse(data)
	if err != nil {
		return nil, err
	}
	plan, err := s.planImport(ctx, actor, sys, contents, dryRun)
	if err != nil {
		return nil, fmt.Errorf("cannot import into %s: %w", sys.Ref, err)
	}
	if dryRun {
		return plan.report, nil
	}
	if err := s.applyImport(ctx, actor, plan); err != nil {
		return nil, fmt.Errorf("the import into %s failed and created nothing: %w", sys.Ref, err)
	}
	return plan.report, nil
}

func (s *Service) planImport(ctx context.Context, actor *aims.Actor, sys *SystemInfo, c *aibom.Contents, dryRun bool) (*importPlan, error) {
	create := ImportCreated
	if dryRun {
		create = ImportWouldCreate
	}
	plan := &importPlan{sys: sys, keys: map[string]string{},
		report: &ImportReport{System: sys.Ref, DryRun: dryRun, SerialNumber: c.SerialNumber, Items: []ImportItem{}, Notes: c.Notes}}
	parties := map[string]*partyPlan{}
	party := func(sp *aibom.Supplier) (*partyPlan, error) {
		if sp == nil {
			return nil, nil
		}
		key := nameKey(sp.Name)
		if pp, ok := parties[key]; ok {
			return pp, nil
		}
		pp, err := s.planParty(ctx, actor, sp, create, plan.report)
		if err != nil {
			return nil, err
		}
		parties[key] = pp
		plan.parties = append(plan.parties, pp)
		return pp, nil
	}
	byName := map[string]*dsPlan{}
	for _, d := range c.Datasets {
		key := nameKey(d.DatasetName)
		dp := byName[key]
		if dp == nil {
			ref, existing, err := s.sources.FindDataset(ctx, actor, d.DatasetName)
			if err != nil {
				return nil, err
			}
			dp = &dsPlan{name: d.DatasetName, ref: ref, first: d, item: exists}
			if ref == "" {
				dp.item = plan.report.add(ImportItem{Kind: "data_set", Name: d.DatasetName, Action: create})
			} else {
				plan.report.add(ImportItem{Kind: "data_set", Name: d.DatasetName, Ref: ref, Action: ImportExists})
				for _, v := range existing {
					dp.versions = append(dp.versions, dsVersionPlan{v: v, item: exists})
				}
			}
			byName[key] = dp
			plan.datasets = append(plan.datasets, dp)
		}
		name := d.DatasetName + " " + versionName(d)
		if match := matchDatasetVersion(dp.versions, d); match != "" {
			plan.keys[d.Key] = match
			plan.report.add(ImportItem{Kind: "data_set_version", Name: name, Ref: match, Action: ImportExists})
		} else {
			vp := dsVersionPlan{ds: dp, v: d, item: plan.report.add(ImportItem{Kind: "data_set_version", Name: name, Action: create})}
			dp.versions = append(dp.versions, vp)
			plan.versions = append(plan.versions, &vp)
			if actor.UserID == "" {
				return nil, aims.Errorf(aims.CodeForbidden, "a data set version is recorded by a person, with a session or an API token")
			}
		}
		if dp.supplier == nil {
			var err error
			if dp.supplier, err = party(d.Supplier); err != nil {
				return nil, err
			}
		}
	}
	existing, err := s.sources.SystemModels(ctx, actor, sys.ID, true)
	if err != nil {
		return nil, err
	}
	for _, m := range c.Models {
		mp := &modelPlan{m: m, item: exists}
		for _, e := range existing {
			if nameKey(e.Name) == nameKey(m.Name) {
				mp.ref = e.Ref
				for _, v := range e.Versions {
					mp.versions = append(mp.versions, modelVersionPlan{v: v, item: exists})
				}
			}
		}
		if mp.ref == "" {
			mp.item = plan.report.add(ImportItem{Kind: "model", Name: m.Name, Action: create})
		} else {
			plan.report.add(ImportItem{Kind: "model", Name: m.Name, Ref: mp.ref, Action: ImportExists})
		}
		for _, v := range m.Versions {
			name := m.Name + " " + v.Label
			found := ""
			for _, ev := range mp.versions {
				if ev.item == exists && strings.EqualFold(ev.v.Label, v.Label) {
					found = ev.v.Key
				}
			}
			if found != "" {
				plan.report.add(ImportItem{Kind: "model_version", Name: name, Ref: found, Action: ImportExists})
				continue
			}
			mp.versions = append(mp.versions, modelVersionPlan{v: v,
				item: plan.report.add(ImportItem{Kind: "model_version", Name: name, Action: create})})
		}
		if mp.supplier, err = party(m.Supplier); err != nil {
			return nil, err
		}
		plan.models = append(plan.models, mp)
	}
	if err := s.planSupplies(ctx, actor, plan, create); err != nil {
		return nil, err
	}
	return plan, nil
}

func versionName(d aibom.DatasetVersion) string {
	switch {
	case d.Label != "":
		return d.Label
	case d.Number > 0:
		return "version " + strconv.Itoa(d.Number)
	}
	return "version"
}

// matchDatasetVersion finds an existing version with the same label, or
// for a version without a label, the same number.
func matchDatasetVersion(vs []dsVersionPlan, d aibom.DatasetVersion) string {
	for _, ev := range vs {
		if ev.item != exists {
			continue
		}
		if d.Label != "" && strings.EqualFold(strings.TrimSpace(ev.v.Label), d.Label) {
			return ev.v.Key
		}
		if d.Label == "" && d.Number > 0 && ev.v.Number == d.Number {
			return ev.v.Key
		}
	}
	return ""
}

// planParty finds a supplier by name or plans to record it; contact details
// that aims would refuse are left out, with a note.
func (s *Service) planParty(ctx context.Context, actor *aims.Actor, sp *aibom.Supplier, create string, r *ImportReport) (*partyPlan, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM third_parties WHERE org_id = ? AND name_key = ?`, actor.OrgID, nameKey(sp.Name)).Scan(&id)
	if err == nil {
		t, err := s.getParty(ctx, s.db, actor.OrgID, id)
		if err != nil {
			return nil, err
		}
		it := r.add(ImportItem{Kind: "third_party", Name: sp.Name, Ref: t.Ref, Action: ImportExists})
		if !t.Supplies() || t.Status != StatusActive {
			r.Items[it].Note = "recorded as a customer only, or archived: no supplies are recorded for it"
		}
		return &partyPlan{party: t, item: exists}, nil
	}
	if !db.IsNoRows(err) {
		return nil, err
	}
	t := &Party{Name: sp.Name, Kind: "supplier", Contact: Contact{Name: sp.ContactName, Email: sp.Email, Web: sp.Web},
		Country: sp.Country, Status: StatusActive}
	var p aims.Problems
	t.normalise(&p)
	for _, f := range p {
		switch f.Field {
		case "contact.email":
			t.Contact.Email = ""
		case "contact.web":
			t.Contact.Web = ""
		case "contact.name":
			t.Contact.Name = ""
		case "country":
			t.Country = ""
		default:
			return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
				Fields: []aims.FieldError{{Field: "supplier", Message: fmt.Sprintf("%s: %s %s", sp.Name, f.Field, f.Message)}}}
		}
		r.Notes = append(r.Notes, fmt.Sprintf("supplier %s: %s %s, and was left out", sp.Name, f.Field, f.Message))
	}
	return &partyPlan{party: t, item: r.add(ImportItem{Kind: "third_party", Name: t.Name, Action: create})}, nil
}

// planSupplies plans a supply for each supplied model and data set that
// its supplier does not already have.
func (s *Service) planSupplies(ctx context.Context, actor *aims.Actor, plan *importPlan, create string) error {
	want := func(pp *partyPlan, kind string, mp *modelPlan, dp *dsPlan) error {
		if pp == nil || (pp.item == exists && (!pp.party.Supplies() || pp.party.Status != StatusActive)) {
			return nil
		}
		name := pp.party.Name + " supplies "
		if mp != nil {
			name += "the model " + mp.m.Name
		} else {
			name += "the data set " + dp.name
		}
		if pp.item == exists && ((mp != nil && mp.ref != "") || (dp != nil && dp.ref != "")) {
			col, ref := "model_id", ""
			var info *ItemInfo
			var err error
			if mp != nil {
				info, err = s.sources.Model(ctx, actor, mp.ref)
			} else {
				col = "dataset_id"
				info, err = s.sources.Dataset(ctx, actor, dp.ref)
			}
			if err != nil {
				return err
			}
			var n int
			err = s.db.QueryRowContext(ctx, `SELECT number FROM supplies WHERE org_id = ? AND party_id = ? AND role = 'supplier'
				AND kind = ? AND `+col+` = ? ORDER BY number LIMIT 1`, actor.OrgID, pp.party.ID, kind, info.ID).Scan(&n)
			if err == nil {
				ref = supplyRef(pp.party.Ref, n)
				plan.report.add(ImportItem{Kind: "supply", Name: name, Ref: ref, Action: ImportExists})
				return nil
			}
			if !db.IsNoRows(err) {
				return err
			}
		}
		plan.supplies = append(plan.supplies, &supplyPlan{party: pp, kind: kind, model: mp, dataset: dp,
			item: plan.report.add(ImportItem{Kind: "supply", Name: name, Action: create})})
		return nil
	}
	for _, dp := range plan.datasets {
		if err := want(dp.supplier, "data_set", nil, dp); err != nil {
			return err
		}
	}
	for _, mp := range plan.models {
		if err := want(mp.supplier, "model", mp, nil); err != nil {
			return err
		}
	}
	return nil
}
