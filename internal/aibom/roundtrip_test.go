package aibom_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/app"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/google/go-cmp/cmp"
)

// fixture records, in Acme through the real services, a credit-scoring
// system whose model version was trained on a profiled data set version
// derived from a supplied one and evaluated on a hold-out set, and whose
// model comes from a supplier.
func fixture(t *testing.T, a *app.App, owner *aims.Actor) {
	t.Helper()
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	no, yes := false, true
	must(a.Systems.Create(ctx, owner, aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score consumer credit applications"}))
	must(a.Datasets.Create(ctx, owner, dataset.CreateRequest{Name: "Adult census", Description: "UCI adult data"}))
	must(a.Datasets.AddVersion(ctx, owner, "DS-1", dataset.VersionRequest{Label: "1994 extract", Source: "https://archive.ics.uci.edu/dataset/2/adult",
		Acquisition: "purchased", Licence: "CC BY 4.0", ContainsPersonalData: &yes, PersonalDataCategories: []string{"sex", "race"},
		ConsentBasis: "legitimate_interests", Retention: "5 years"}))
	must(a.Datasets.Create(ctx, owner, dataset.CreateRequest{Name: "Credit training set", Systems: []string{"SYS-1"}}))
	must(a.Datasets.AddVersion(ctx, owner, "DS-2", dataset.VersionRequest{Source: "Adult census, cleaned", Acquisition: "derived",
		Licence: "CC BY 4.0", ContainsPersonalData: &no, DerivedFrom: []string{"DS-1@1"},
		Preparation: []string{"Drop rows with missing values", "Remove sex and race"}}))
	up, err := a.Datasets.Receive(ctx, owner, strings.NewReader("age,income\n39,<=50K\n50,>50K\n"), "train.csv")
	if err != nil {
		t.Fatal(err)
	}
	must(a.Datasets.Profile(ctx, owner, "DS-2@1", dataset.ProfileRequest{Upload: up}))
	must(a.Datasets.Create(ctx, owner, dataset.CreateRequest{Name: "Hold-out"}))
	must(a.Datasets.AddVersion(ctx, owner, "DS-3", dataset.VersionRequest{Source: "Split from the 1994 extract", Acquisition: "collected",
		Licence: "Internal", ContainsPersonalData: &no}))
	must(a.Models.Create(ctx, owner, model.CreateRequest{System: "SYS-1", Name: "Credit scorer", Description: "Gradient boosting"}))
	must(a.Models.CreateVersion(ctx, owner, "MDL-1", model.VersionRequest{Label: "1.0.0", Digest: "sha256:" + modelDigest,
		Framework: "scikit-learn 1.5", TrainedOn: []string{"DS-2@1"}, EvaluatedOn: []string{"DS-3@1"},
		Card: model.Card{IntendedUse: "Score applications.", OutOfScopeUses: "Employment decisions.", Limitations: "Few young applicants.",
			KnownBiases: "Lower recall for women.", EthicalConsiderations: "Human review of refusals."}}))
	must(a.Models.Evaluate(ctx, owner, "MDL-1@1.0.0", model.EvaluateRequest{Dataset: "DS-3@1", MeasuredOn: "2026-03-01",
		Metrics: map[string]float64{"accuracy": 0.85}}))
	must(a.Suppliers.CreateParty(ctx, owner, supplier.PartyRequest{Name: "DataCo", Kind: "supplier",
		Contact: supplier.Contact{Email: "sales@dataco.example", Web: "https://dataco.example"}, Country: "DE"}))
	must(a.Suppliers.CreateParty(ctx, owner, supplier.PartyRequest{Name: "ModelWorks", Kind: "supplier"}))
	must(a.Suppliers.AddSupply(ctx, owner, "TP-1", supplier.SupplyRequest{Kind: "data_set", Dataset: "DS-1", System: "SYS-1"}))
	must(a.Suppliers.AddSupply(ctx, owner, "TP-2", supplier.SupplyRequest{Kind: "model", Model: "MDL-1"}))
}

// counts tallies an organisation's records of each kind an import creates, and its audit events.
func counts(t *testing.T, a *app.App, orgID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"models", "model_versions", "model_evaluations", "datasets", "dataset_versions",
		"third_parties", "supplies", "audit_events"} {
		var n int
		if err := a.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table+` WHERE org_id = ?`, orgID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// TestRoundTrip exports the fixture's BOM, checks it, and imports it into
// another organisation: a dry run changes nothing, the import reproduces
// the models, versions, data sets and suppliers, and a second import finds
// everything there already.
func TestRoundTrip(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env := apptest.New(t, dialect)
			a, ctx := env.App, context.Background()
			actor := func(org, email string, create bool) *aims.Actor {
				t.Helper()
				if create {
					if _, err := a.Identity.CreateUser(ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "test"},
						identity.CreateUserRequest{Org: org, Email: email, Name: "Someone", Role: aims.RoleOwner, Password: apptest.Password}); err != nil {
						t.Fatal(err)
					}
				}
				ms, err := a.Identity.Memberships(ctx, userID(t, a, email))
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range ms {
					if m.OrgName == org {
						ac, err := a.Identity.ActorFor(ctx, m.UserID, m.OrgID)
						if err != nil {
							t.Fatal(err)
						}
						return ac
					}
				}
				t.Fatalf("%s is not in %s", email, org)
				return nil
			}
			acme := actor("Acme", env.OwnerEmail, false)
			fixture(t, a, acme)

			f, err := a.Suppliers.ExportBOM(ctx, acme, "SYS-1")
			if err != nil {
				t.Fatal(err)
			}
			valid(t, f.Data)
			if f.Name != "SYS-1.cdx.json" || f.ContentType != "application/vnd.cyclonedx+json" {
				t.Errorf("file %s %s", f.Name, f.ContentType)
			}
			var bom struct {
				Components []struct {
					BOMRef   string `json:"bom-ref"`
					Hashes   []struct{ Content string }
					Supplier *struct{ Name string }
				}
				Dependencies []struct {
					Ref       string
					DependsOn []string
				}
			}
			if err := json.Unmarshal(f.Data, &bom); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, c := range bom.Components {
				s := ""
				if c.Supplier != nil {
					s = c.Supplier.Name
				}
				h := ""
				if len(c.Hashes) > 0 {
					h = c.Hashes[0].Content[:8]
				}
				got[c.BOMRef] = s + " " + h
			}
			v2, err := a.Datasets.GetVersion(ctx, acme, "DS-2@1")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]string{"model:MDL-1@1.0.0": "ModelWorks " + modelDigest[:8], "data:DS-1@1": "DataCo ",
				"data:DS-2@1": " " + v2.Profile.SHA256[:8], "data:DS-3@1": " "}, got); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
			deps := map[string][]string{}
			for _, d := range bom.Dependencies {
				deps[d.Ref] = d.DependsOn
			}
			if diff := cmp.Diff(map[string][]string{"system:SYS-1": {"model:MDL-1@1.0.0"}, "model:MDL-1@1.0.0": {"data:DS-2@1", "data:DS-3@1"},
				"data:DS-1@1": nil, "data:DS-2@1": {"data:DS-1@1"}, "data:DS-3@1": nil}, deps); diff != "" {
				t.Errorf("dependencies (-want +got):\n%s", diff)
			}

			// Another organisation imports it into its own system.
			other := actor("Other Bank", "olga@other.example", true)
			if _, err := a.Systems.Create(ctx, other, aisystem.CreateRequest{Name: "Imported scoring", IntendedPurpose: "Score"}); err != nil {
				t.Fatal(err)
			}
			before := counts(t, a, other.OrgID)
			dry, err := a.Suppliers.ImportBOM(ctx, other, "SYS-1", f.Data, true)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, counts(t, a, other.OrgID)); diff != "" {
				t.Errorf("a dry run changed the database (-before +after):\n%s", diff)
			}
			if !dry.DryRun || dry.Created != 12 || dry.Existing != 0 {
				t.Errorf("dry run %+v", dry)
			}
			for _, it := range dry.Items {
				if it.Action != supplier.ImportWouldCreate || it.Ref != "" {
					t.Errorf("dry-run item %+v", it)
				}
			}
			// An import whose last record (a supply) is refused by the
			// database keeps nothing: no data set, model, version, party or audit event.
			failSupplies(t, a, true)
			servicetest.Unchanged(t, a.DB, func() {
				if rep, err := a.Suppliers.ImportBOM(ctx, other, "SYS-1", f.Data, false); err == nil || rep != nil ||
					!strings.Contains(err.Error(), "injected") {
					t.Fatalf("got %+v, %v, want the injected failure", rep, err)
				}
			})
			failSupplies(t, a, false)
			if diff := cmp.Diff(before, counts(t, a, other.OrgID)); diff != "" {
				t.Errorf("a failed import changed the database (-before +after):\n%s", diff)
			}
			rep, err := a.Suppliers.ImportBOM(ctx, other, "SYS-1", f.Data, false)
			if err != nil {
				t.Fatal(err)
			}
			var done []string
			for _, it := range rep.Items {
				done = append(done, it.Kind+" "+it.Ref+" "+it.Action)
			}
			want := []string{"data_set DS-1 created", "data_set_version DS-1@1 created", "third_party TP-1 created",
				"data_set DS-2 created", "data_set_version DS-2@1 created", "data_set DS-3 created", "data_set_version DS-3@1 created",
				"model MDL-1 created", "model_version MDL-1@1.0.0 created", "third_party TP-2 created",
				"supply TP-1/S1 created", "supply TP-2/S1 created"}
			if !cmp.Equal(done, want) {
				t.Errorf("import did\n%q\nwant\n%q", done, want)
			}

			// What it made matches the original.
			mv, err := a.Models.GetVersion(ctx, other, "MDL-1@1.0.0")
			if err != nil {
				t.Fatal(err)
			}
			orig, err := a.Models.GetVersion(ctx, acme, "MDL-1@1.0.0")
			if err != nil {
				t.Fatal(err)
			}
			if mv.Digest != orig.Digest || mv.Framework != orig.Framework || mv.Card != orig.Card || mv.ModelName != "Credit scorer" ||
				mv.SystemRef != "SYS-1" || mv.Status != model.VersionCandidate || len(mv.TrainedOn) != 1 || mv.TrainedOn[0].Key != "DS-2@1" ||
				len(mv.EvaluatedOn) != 1 || mv.EvaluatedOn[0].Key != "DS-3@1" {
				t.Errorf("imported version %+v", mv)
			}
			if len(mv.Evaluations) != 1 || mv.Evaluations[0].Metric != "accuracy" || mv.Evaluations[0].Value != 0.85 ||
				mv.Evaluations[0].MeasuredOn != "2026-03-01" || mv.Evaluations[0].Dataset == nil || mv.Evaluations[0].Dataset.Key != "DS-3@1" {
				t.Errorf("imported evaluations %+v", mv.Evaluations)
			}
			for _, key := range []string{"DS-1@1", "DS-2@1", "DS-3@1"} {
				o, err1 := a.Datasets.GetVersion(ctx, acme, key)
				n, err2 := a.Datasets.GetVersion(ctx, other, key)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				strip := func(v *dataset.Version) []string {
					var parents []string
					for _, p := range v.DerivedFrom {
						parents = append(parents, p.Key)
					}
					return []string{v.DatasetName, v.Label, v.Source, v.Acquisition, v.Licence, strings.Join(v.PersonalDataCategories, ","),
						v.ConsentBasis, v.Retention, strings.Join(v.Preparation, ";"), strings.Join(parents, ",")}
				}
				if diff := cmp.Diff(strip(o), strip(n)); diff != "" || o.ContainsPersonalData != n.ContainsPersonalData {
					t.Errorf("%s (-original +imported):\n%s", key, diff)
				}
			}
			ds2, err := a.Datasets.Get(ctx, other, "DS-2")
			if err != nil || len(ds2.Systems) != 1 || ds2.Systems[0].Ref != "SYS-1" {
				t.Errorf("imported data set %+v, %v", ds2, err)
			}
			p, err := a.Suppliers.GetParty(ctx, other, "TP-1")
			if err != nil || p.Name != "DataCo" || p.Contact.Email != "sales@dataco.example" || p.Country != "DE" || p.Kind != "supplier" {
				t.Errorf("imported supplier %+v, %v", p, err)
			}
			sup, err := a.Suppliers.SystemSupplies(ctx, other, "SYS-1")
			if err != nil || len(sup) != 2 || sup[0].Dataset == nil || sup[0].Dataset.Ref != "DS-1" || sup[1].Model == nil || sup[1].Model.Ref != "MDL-1" {
				t.Errorf("imported supplies %+v, %v", sup, err)
			}
			// Every record came with its audit event.
			var actions []string
			for _, e := range env.Actions(other.OrgID) {
				if !strings.HasPrefix(e, "organisation.") && !strings.HasPrefix(e, "user.") && !strings.HasPrefix(e, "member.") && e != "ai_system.create" {
					actions = append(actions, e)
				}
			}
			sort.Strings(actions)
			if want := []string{"dataset.create", "dataset.create", "dataset.create", "dataset_version.create", "dataset_version.create",
				"dataset_version.create", "model.create", "model_version.create", "model_version.evaluate", "supply.create", "supply.create",
				"third_party.create", "third_party.create"}; !cmp.Equal(actions, want) {
				t.Errorf("audit events %q", actions)
			}

			// The second time, everything is there already.
			after := counts(t, a, other.OrgID)
			again, err := a.Suppliers.ImportBOM(ctx, other, "SYS-1", f.Data, false)
			if err != nil || again.Created != 0 || again.Existing != 12 {
				t.Errorf("second import %+v, %v", again, err)
			}
			if diff := cmp.Diff(after, counts(t, a, other.OrgID)); diff != "" {
				t.Errorf("a second import changed the database (-before +after):\n%s", diff)
			}
			// And the other organisation's export tells the same story.
			f2, err := a.Suppliers.ExportBOM(ctx, other, "SYS-1")
			if err != nil {
				t.Fatal(err)
			}
			valid(t, f2.Data)
			c1, err1 := aibom.Parse(f.Data)
			c2, err2 := aibom.Parse(f2.Data)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			// The profiled file itself was not imported, so neither is its hash.
			if c1.Datasets[1].SHA256 == "" || c2.Datasets[1].SHA256 != "" {
				t.Errorf("file hashes %q, %q", c1.Datasets[1].SHA256, c2.Datasets[1].SHA256)
			}
			c1.Datasets[1].SHA256 = ""
			c1.SerialNumber, c2.SerialNumber = "", ""
			c1.System, c2.System = aibom.System{}, aibom.System{}
			if diff := cmp.Diff(c1, c2); diff != "" {
				t.Errorf("the other organisation's BOM differs (-original +round trip):\n%s", diff)
			}
		})
	}
}

func userID(t *testing.T, a *app.App, email string) string {
	t.Helper()
	var id string
	if err := a.DB.QueryRowContext(context.Background(), `SELECT id FROM users WHERE email = ?`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// failSupplies makes every insert into supplies fail in the database with
// the message "injected" (on), or stops doing so (off).
func failSupplies(t *testing.T, a *app.App, on bool) {
	t.Helper()
	var stmts []string
	switch {
	case a.DB.Dialect() == db.Postgres && on:
		stmts = []string{`CREATE FUNCTION test_fail_supplies() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'injected'; END; $$`,
			`CREATE TRIGGER test_fail_supplies BEFORE INSERT ON supplies FOR EACH ROW EXECUTE FUNCTION test_fail_supplies()`}
	case a.DB.Dialect() == db.Postgres:
		stmts = []string{`DROP TRIGGER test_fail_supplies ON supplies`, `DROP FUNCTION test_fail_supplies()`}
	case on:
		stmts = []string{`CREATE TRIGGER test_fail_supplies BEFORE INSERT ON supplies BEGIN SELECT RAISE(ABORT, 'injected'); END`}
	default:
		stmts = []string{`DROP TRIGGER test_fail_supplies`}
	}
	for _, s := range stmts {
		if _, err := a.DB.SQL.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}
