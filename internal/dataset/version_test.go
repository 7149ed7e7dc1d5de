package dataset_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// collected is a version of data the organisation collected, with personal data.
var collected = dataset.VersionRequest{Label: "2024-06 extract", Source: "Loan applications, core banking",
	Acquisition: "collected", Licence: "Own data", ContainsPersonalData: ptr(true),
	PersonalDataCategories: []string{"contact details", " Financial ", "contact  details"}, ConsentBasis: "contract",
	Retention: "5 years after the end of the contract", DeleteBy: "2031-06-30",
	Preparation: []string{" Export from the warehouse ", "", "Drop test accounts"}}

func TestVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.create(t, dataset.CreateRequest{Name: "Loan applications"})
		contributor := e.as[aims.RoleContributor]
		v1, err := e.svc.AddVersion(e.ctx, contributor, "ds-1", collected)
		if err != nil {
			t.Fatal(err)
		}
		want := &dataset.Version{ID: v1.ID, DatasetID: v1.DatasetID, DatasetRef: "DS-1", DatasetName: "Loan applications", Number: 1,
			Key: "DS-1@1", Label: "2024-06 extract", Source: "Loan applications, core banking", Acquisition: "collected",
			Licence: "Own data", ContainsPersonalData: true, PersonalDataCategories: []string{"contact details", "Financial"},
			ConsentBasis: "contract", Retention: "5 years after the end of the contract", DeleteBy: "2031-06-30",
			Preparation: []string{"Export from the warehouse", "Drop test accounts"}, DerivedFrom: []dataset.VersionLink{},
			DerivedInto: []dataset.VersionLink{}, CreatedBy: contributor.UserID, CreatedByName: "Acme contributor", CreatedAt: t0}
		if diff := cmp.Diff(want, v1); diff != "" {
			t.Errorf("version 1 (-want +got):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != "dataset_version.create" || ev.Object.Type != "dataset_version" || ev.Object.Ref != "DS-1@1" || ev.Object.ID != v1.ID {
			t.Errorf("event = %+v", ev)
		}
		ch := servicetest.ChangeMap(t, ev)
		if ch["personal_data_categories"][1] != `["contact details","Financial"]` || ch["consent_basis"][1] != `"contract"` ||
			ch["contains_personal_data"][1] != "true" || ch["key"][1] != `"DS-1@1"` {
			t.Errorf("changes = %v", ch)
		}
		if ds := e.get(t, "DS-1"); ds.LatestVersion != 1 || ds.Version != 1 || !ds.PersonalData {
			t.Errorf("after a version the data set is %+v", ds)
		}

		e.clock.Advance(time.Hour)
		v2 := e.addVersion(t, "DS-1", dataset.VersionRequest{Source: "DS-1@1 without identifiers", Acquisition: "derived",
			Licence: "Own data", ContainsPersonalData: ptr(false), DerivedFrom: []string{"ds-1@1", v1.ID},
			Preparation: []string{"Remove names and addresses", "Bucket incomes"}})
		if v2.Key != "DS-1@2" || v2.ConsentBasis != "not_applicable" || len(v2.PersonalDataCategories) != 0 ||
			!cmp.Equal(v2.DerivedFrom, []dataset.VersionLink{{ID: v1.ID, Key: "DS-1@1", Name: "Loan applications", Label: "2024-06 extract"}}) {
			t.Errorf("version 2 = %+v", v2)
		}
		got, err := e.svc.GetVersion(e.ctx, e.as[aims.RoleViewer], "DS-1@1")
		if err != nil || !cmp.Equal(got.DerivedInto, []dataset.VersionLink{{ID: v2.ID, Key: "DS-1@2", Name: "Loan applications"}}) {
			t.Errorf("version 1 read back: %+v, %v", got, err)
		}
		list, err := e.svc.Versions(e.ctx, e.as[aims.RoleAuditor], "DS-1")
		if err != nil || len(list) != 2 || list[0].Key != "DS-1@2" || list[1].Key != "DS-1@1" || len(list[0].DerivedFrom) != 1 {
			t.Errorf("versions = %+v, %v", list, err)
		}

		// Other capabilities look versions up by key or id, and only in their organisation.
		ref, err := e.svc.LookupVersion(e.ctx, e.org, "ds-1@2")
		if err != nil || *ref != (dataset.VersionRef{ID: v2.ID, Key: "DS-1@2", Name: "Loan applications"}) {
			t.Errorf("LookupVersion = %+v, %v", ref, err)
		}
		if ref, err := e.svc.LookupVersion(e.ctx, e.org, v1.ID); err != nil || ref.Key != "DS-1@1" {
			t.Errorf("LookupVersion by id = %+v, %v", ref, err)
		}
		for _, k := range []string{"DS-1@3", "DS-1", "DS-1@0", "SYS-1@1", "DS-1@x", ""} {
			if _, err := e.svc.LookupVersion(e.ctx, e.org, k); aims.CodeOf(err) != aims.CodeNotFound {
				t.Errorf("LookupVersion(%q) = %v, want not found", k, err)
			}
		}

		// A version is immutable: the database itself refuses changes and removals.
		if _, err := d.ExecContext(e.ctx, `UPDATE dataset_versions SET source = 'rewritten' WHERE id = ?`, v1.ID); err == nil {
			t.Error("a version's source could be rewritten")
		}
		if _, err := d.ExecContext(e.ctx, `DELETE FROM dataset_versions WHERE id = ?`, v2.ID); err == nil {
			t.Error("a version could be deleted")
		}
		if _, err := d.ExecContext(e.ctx, `DELETE FROM dataset_version_parents`); err == nil {
			t.Error("a derivation could be deleted")
		}
	})
}

func TestVersionValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.create(t, dataset.CreateRequest{Name: "Loan applications"})
		e.addVersion(t, "DS-1", collected)
		globex := e.member(t, "Globex", "gina@globex.example", "Gina", aims.RoleContributor)
		theirs, err := e.svc.Create(e.ctx, globex, dataset.CreateRequest{Name: "Theirs"})
		if err != nil {
			t.Fatal(err)
		}
		if theirs.Ref != "DS-1" {
			t.Fatalf("Globex's data set is %s", theirs.Ref)
		}
		theirV, err := e.svc.AddVersion(e.ctx, globex, "DS-1", public("theirs"))
		if err != nil {
			t.Fatal(err)
		}
		contributor := e.as[aims.RoleContributor]
		for _, c := range []struct {
			name   string
			req    dataset.VersionRequest
			code   aims.Code
			fields []string
		}{
			{"nothing", dataset.VersionRequest{}, aims.CodeInvalid, []string{"acquisition", "contains_personal_data", "licence", "source"}},
			{"personal data unexplained", dataset.VersionRequest{Source: "s", Acquisition: "collected", Licence: "l", ContainsPersonalData: ptr(true),
				ConsentBasis: "not_applicable"}, aims.CodeInvalid, []string{"consent_basis", "personal_data_categories", "retention"}},
			{"no personal data but categories", dataset.VersionRequest{Source: "s", Acquisition: "public", Licence: "l", ContainsPersonalData: ptr(false),
				PersonalDataCategories: []string{"health"}, ConsentBasis: "consent"}, aims.CodeInvalid, []string{"consent_basis", "personal_data_categories"}},
			{"bad choices and date", dataset.VersionRequest{Source: "s", Acquisition: "stolen", Licence: "l", ContainsPersonalData: ptr(true),
				PersonalDataCategories: []string{"health"}, ConsentBasis: "whim", Retention: "1 year", DeleteBy: "31/12/2030"},
				aims.CodeInvalid, []string{"acquisition", "consent_basis", "delete_by"}},
			{"derived from nothing", dataset.VersionRequest{Source: "s", Acquisition: "derived", Licence: "l", ContainsPersonalData: ptr(false)},
				aims.CodeInvalid, []string{"derived_from"}},
			{"unknown parent", public("x", "DS-1@1", "DS-1@7", "DS-4@1"), aims.CodeInvalid, []string{"derived_from"}},
			{"itself", public("x", "DS-1@2"), aims.CodeInvalid, []string{"derived_from"}},
			{"another organisation's version by id", public("x", theirV.ID), aims.CodeInvalid, []string{"derived_from"}},
			{"several problems at once", dataset.VersionRequest{Source: "", Acquisition: "derived", Licence: "l", ContainsPersonalData: ptr(false),
				DerivedFrom: []string{"nope"}}, aims.CodeInvalid, []string{"derived_from", "source"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				unchanged(t, d, func() {
					_, err := e.svc.AddVersion(e.ctx, contributor, "DS-1", c.req)
					servicetest.WantFields(t, err, c.code, c.fields...)
				})
			})
		}
		unchanged(t, d, func() {
			_, err := e.svc.AddVersion(e.ctx, contributor, "DS-2", public("x"))
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		// The numbers are per data set and none was used up by a refused version.
		v := e.addVersion(t, "DS-1", public("second", "DS-1@1"))
		if v.Key != "DS-1@2" {
			t.Errorf("next version is %s", v.Key)
		}
		if _, err := e.svc.GetVersion(e.ctx, globex, "DS-1@2"); aims.CodeOf(err) != aims.CodeNotFound {
			t.Errorf("Globex reads Acme's DS-1@2: %v", err)
		}
	})
}

func TestLineage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, n := range []string{"Loan applications", "Census", "Training table", "Model input", "Holdout"} {
			e.create(t, dataset.CreateRequest{Name: n})
		}
		e.addVersion(t, "DS-1", collected)                            // DS-1@1
		e.addVersion(t, "DS-2", public("1994"))                       // DS-2@1
		e.addVersion(t, "DS-3", public("joined", "DS-1@1", "DS-2@1")) // DS-3@1
		e.addVersion(t, "DS-4", public("features", "DS-3@1"))         // DS-4@1
		e.addVersion(t, "DS-1", public("anonymised", "DS-1@1"))       // DS-1@2, not in DS-4@1's ancestry
		e.addVersion(t, "DS-5", public("holdout", "DS-4@1", "DS-1@1"))

		l, err := e.svc.Lineage(e.ctx, e.as[aims.RoleViewer], "ds-4@1")
		if err != nil {
			t.Fatal(err)
		}
		type node struct {
			Key       string
			Gen       int
			Requested bool
		}
		nodes := func(l *dataset.Lineage) []node {
			var out []node
			for _, n := range l.Nodes {
				out = append(out, node{n.Key, n.Generation, n.Requested})
			}
			return out
		}
		if diff := cmp.Diff([]node{{"DS-4@1", 0, true}, {"DS-3@1", 1, false}, {"DS-1@1", 2, false}, {"DS-2@1", 2, false}}, nodes(l)); diff != "" {
			t.Errorf("nodes (-want +got):\n%s", diff)
		}
		wantEdges := []dataset.LineageEdge{
			{Child: "DS-3@1", Parent: "DS-1@1", Preparation: []string{}},
			{Child: "DS-3@1", Parent: "DS-2@1", Preparation: []string{}},
			{Child: "DS-4@1", Parent: "DS-3@1", Preparation: []string{}},
		}
		if diff := cmp.Diff(wantEdges, l.Edges); diff != "" {
			t.Errorf("edges (-want +got):\n%s", diff)
		}
		if n := l.Nodes[2]; n.Name != "Loan applications" || n.Label != "2024-06 extract" || !n.ContainsPersonalData || n.Acquisition != "collected" {
			t.Errorf("DS-1@1 in the lineage = %+v", n)
		}
		if !cmp.Equal(l.Versions, []string{"DS-4@1"}) || l.Truncated {
			t.Errorf("lineage asked about %v, truncated %v", l.Versions, l.Truncated)
		}

		// A longer path puts a version further back; several versions share one ancestry.
		l, err = e.svc.Lineage(e.ctx, e.as[aims.RoleViewer], "DS-5@1", "DS-1@2", "DS-5@1")
		if err != nil {
			t.Fatal(err)
		}
		want := []node{{"DS-1@2", 0, true}, {"DS-5@1", 0, true}, {"DS-4@1", 1, false}, {"DS-3@1", 2, false}, {"DS-1@1", 3, false}, {"DS-2@1", 3, false}}
		if diff := cmp.Diff(want, nodes(l)); diff != "" {
			t.Errorf("nodes (-want +got):\n%s", diff)
		}
		if len(l.Edges) != 6 || !cmp.Equal(l.Versions, []string{"DS-5@1", "DS-1@2"}) {
			t.Errorf("edges %+v, versions %v", l.Edges, l.Versions)
		}
		// A version without ancestry is its own lineage.
		l, err = e.svc.Lineage(e.ctx, e.as[aims.RoleViewer], "DS-2@1")
		if err != nil || len(l.Nodes) != 1 || len(l.Edges) != 0 {
			t.Errorf("lineage of DS-2@1 = %+v, %v", l, err)
		}

		_, err = e.svc.Lineage(e.ctx, e.as[aims.RoleViewer], "DS-4@1", "DS-9@1")
		servicetest.WantFields(t, err, aims.CodeInvalid, "version")
		_, err = e.svc.Lineage(e.ctx, e.as[aims.RoleViewer])
		servicetest.WantFields(t, err, aims.CodeInvalid, "version")
		globex := e.member(t, "Globex", "gina@globex.example", "Gina", aims.RoleViewer)
		_, err = e.svc.Lineage(e.ctx, globex, "DS-4@1")
		servicetest.WantFields(t, err, aims.CodeInvalid, "version")
	})
}
