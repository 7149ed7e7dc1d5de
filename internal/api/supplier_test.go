package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/supplier"
)

// TestSupplierEndpoints records third parties, their supplies and
// assessments, a responsibility matrix and resources as each kind of
// caller, checking status, answer and audit.
func TestSupplierEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		ownerID := w.userID(t, w.OwnerEmail)
		w.run(t, []step{
			{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201, actions: []string{"ai_system.create"}},

			// Third parties.
			{name: "anonymous create", who: "none", method: "POST", path: "/api/v1/suppliers", body: `{"name":"DataCo","kind":"supplier"}`, status: 401},
			{name: "auditor create", who: "auditor", method: "POST", path: "/api/v1/suppliers", body: `{"name":"DataCo","kind":"supplier"}`, status: 403},
			{name: "schema problems", who: "contributor", method: "POST", path: "/api/v1/suppliers", body: `{"name":"","kind":"vendor"}`, status: 422,
				fields: []string{"body.kind", "body.name"}},
			{name: "service problems", who: "contributor", method: "POST", path: "/api/v1/suppliers",
				body: `{"name":"DataCo","kind":"supplier","contact":{"email":"nope"},"country":"Germany"}`, status: 422,
				fields: []string{"body.contact.email", "body.country"}},
			{name: "create", who: "contributor", method: "POST", path: "/api/v1/suppliers",
				body:   `{"name":"DataCo","kind":"supplier","contact":{"name":"Sales","email":"sales@dataco.example","web":"https://dataco.example"},"country":"de"}`,
				status: 201, has: []string{`"ref":"TP-1"`, `"country":"DE"`, `"version":1`, `"assessment_due":false`}, actions: []string{"third_party.create"}},
			{name: "same name", who: "owner", method: "POST", path: "/api/v1/suppliers", body: `{"name":"dataco","kind":"customer"}`, status: 409,
				fields: []string{"body.name"}},
			{name: "customer", who: "owner", method: "POST", path: "/api/v1/suppliers", body: `{"name":"Bank of Examples","kind":"customer"}`, status: 201,
				actions: []string{"third_party.create"}},
			{name: "get", who: "viewer", method: "GET", path: "/api/v1/suppliers/tp-1", status: 200, has: []string{`"name":"DataCo"`}},
			{name: "foreign get", who: "globex", method: "GET", path: "/api/v1/suppliers/TP-1", status: 404},
			{name: "list", who: "auditor", method: "GET", path: "/api/v1/suppliers?kind=supplier", status: 200, has: []string{`"total":1`, `"ref":"TP-1"`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/suppliers?status=gone", status: 422, fields: []string{"query.status"}},
			{name: "update", who: "contributor", method: "PATCH", path: "/api/v1/suppliers/TP-1", body: `{"version":1,"description":"Labelled data"}`,
				status: 200, has: []string{`"version":2`}, actions: []string{"third_party.update"}},
			{name: "stale update", who: "contributor", method: "PATCH", path: "/api/v1/suppliers/TP-1", body: `{"version":1,"description":"x"}`,
				status: 409, fields: []string{"body.version"}},

			// Supplies.
			{name: "viewer supply", who: "viewer", method: "POST", path: "/api/v1/suppliers/TP-1/supplies", body: `{"kind":"data_set","system":"SYS-1"}`, status: 403},
			{name: "bad supply", who: "contributor", method: "POST", path: "/api/v1/suppliers/TP-1/supplies", body: `{"kind":"service","model":"MDL-1","system":"SYS-9"}`,
				status: 422, fields: []string{"body.model", "body.system"}},
			{name: "supply", who: "contributor", method: "POST", path: "/api/v1/suppliers/TP-1/supplies",
				body: `{"kind":"service","system":"sys-1","description":"Labelling"}`, status: 201,
				has: []string{`"ref":"TP-1/S1"`, `"role":"supplier"`, `"system":{"id":`, `"ref":"SYS-1"`}, actions: []string{"supply.create"}},
			{name: "customer supply", who: "contributor", method: "POST", path: "/api/v1/suppliers/TP-2/supplies",
				body: `{"kind":"service","system":"SYS-1","description":"Credit decisions"}`, status: 201, has: []string{`"role":"customer"`},
				actions: []string{"supply.create"}},
			{name: "system supplies", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1/supplies", status: 200, has: []string{`"TP-1/S1"`, `"TP-2/S1"`}},
			{name: "party supplies", who: "viewer", method: "GET", path: "/api/v1/suppliers/TP-1/supplies", status: 200, has: []string{`"TP-1/S1"`}},
			{name: "update supply", who: "contributor", method: "PATCH", path: "/api/v1/suppliers/TP-2/supplies/1", body: `{"version":1,"kind":"other"}`,
				status: 200, has: []string{`"kind":"other"`, `"version":2`}, actions: []string{"supply.update"}},
			{name: "remove stale", who: "contributor", method: "DELETE", path: "/api/v1/suppliers/TP-2/supplies/1?version=1", status: 409},
			{name: "remove", who: "contributor", method: "DELETE", path: "/api/v1/suppliers/TP-2/supplies/1?version=2", status: 204,
				actions: []string{"supply.remove"}},

			// Assessments and what is due.
			{name: "due", who: "viewer", method: "GET", path: "/api/v1/supplier-due", status: 200, has: []string{`"reason":"never_assessed"`, `"ref":"TP-1"`}},
			{name: "contributor assesses", who: "contributor", method: "POST", path: "/api/v1/suppliers/TP-1/assessments", body: `{"result":"satisfactory"}`, status: 403},
			{name: "bad assessment", who: "manager", method: "POST", path: "/api/v1/suppliers/TP-1/assessments",
				body: `{"result":"unsatisfactory","assessed_on":"2999-01-01"}`, status: 422, fields: []string{"body.assessed_on", "body.findings"}},
			{name: "assess", who: "manager", method: "POST", path: "/api/v1/suppliers/TP-1/assessments",
				body: `{"result":"satisfactory_with_conditions","findings":"Provide data sheets","next_assessment_on":"2099-01-31"}`, status: 201,
				has: []string{`"ref":"TP-1/A1"`, `"next_assessment_on":"2099-01-31"`}, actions: []string{"supplier_assessment.create"}},
			{name: "assessments", who: "auditor", method: "GET", path: "/api/v1/suppliers/TP-1/assessments", status: 200, has: []string{`"TP-1/A1"`}},
			{name: "nothing due", who: "viewer", method: "GET", path: "/api/v1/supplier-due", status: 200, has: []string{`"items":[]`}},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/suppliers/TP-1/history", status: 200,
				has: []string{`"supplier_assessment.create"`, `"supply.create"`, `"third_party.update"`}},

			// Responsibilities.
			{name: "empty matrix", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1/raci", status: 200, has: []string{`"version":0`, `"stage":"retirement"`}},
			{name: "viewer sets", who: "viewer", method: "PUT", path: "/api/v1/systems/SYS-1/raci/deployment", body: `{"version":0,"accountable":["TP-1"]}`, status: 403},
			{name: "bad stage", who: "contributor", method: "PUT", path: "/api/v1/systems/SYS-1/raci/launch", body: `{"version":0}`, status: 422,
				fields: []string{"path.stage"}},
			{name: "two accountable", who: "contributor", method: "PUT", path: "/api/v1/systems/SYS-1/raci/deployment",
				body: `{"version":0,"accountable":["TP-1","` + w.OwnerEmail + `"]}`, status: 422, fields: []string{"body.accountable"}},
			{name: "set", who: "contributor", method: "PUT", path: "/api/v1/systems/SYS-1/raci/deployment",
				body: `{"version":0,"accountable":["` + ownerID + `"],"responsible":["TP-1"],"informed":["viewer@acme.example"]}`, status: 200,
				has: []string{`"version":1`, `"ref":"TP-1"`, `"ref":"` + w.OwnerEmail + `"`}, actions: []string{"raci.set"}},
			{name: "stale set", who: "contributor", method: "PUT", path: "/api/v1/systems/SYS-1/raci/deployment", body: `{"version":0}`, status: 409,
				fields: []string{"body.version"}},
			{name: "foreign matrix", who: "globex", method: "GET", path: "/api/v1/systems/SYS-1/raci", status: 404},
			{name: "raci history", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1/raci/history", status: 200, has: []string{`"deployment.accountable"`}},

			// Resources.
			{name: "viewer resource", who: "viewer", method: "POST", path: "/api/v1/resources", body: `{"kind":"computing","name":"GPUs"}`, status: 403},
			{name: "bad resource", who: "contributor", method: "POST", path: "/api/v1/resources", body: `{"kind":"computing","name":"GPUs","competences":["CUDA"],"provider":"TP-9"}`,
				status: 422, fields: []string{"body.competences", "body.provider"}},
			{name: "resource", who: "contributor", method: "POST", path: "/api/v1/resources",
				body:   `{"kind":"people","name":"Data scientists","competences":["statistics"],"members":["` + w.OwnerEmail + `"],"systems":["SYS-1"],"provider":"TP-1"}`,
				status: 201, has: []string{`"ref":"RES-1"`, `"competences":["statistics"]`, `"email":"` + w.OwnerEmail + `"`}, actions: []string{"resource.create"}},
			{name: "resources", who: "viewer", method: "GET", path: "/api/v1/resources?kind=people&system=SYS-1", status: 200, has: []string{`"total":1`}},
			{name: "bad filter", who: "viewer", method: "GET", path: "/api/v1/resources?kind=robots", status: 422, fields: []string{"query.kind"}},
			{name: "update resource", who: "contributor", method: "PATCH", path: "/api/v1/resources/RES-1", body: `{"version":1,"competences":["statistics","credit risk"]}`,
				status: 200, has: []string{`"version":2`, `"credit risk"`}, actions: []string{"resource.update"}},
			{name: "archive resource", who: "contributor", method: "POST", path: "/api/v1/resources/RES-1/archive", status: 200,
				has: []string{`"status":"archived"`}, actions: []string{"resource.archive"}},
			{name: "restore resource", who: "contributor", method: "POST", path: "/api/v1/resources/RES-1/restore", status: 200, actions: []string{"resource.restore"}},
			{name: "resource history", who: "viewer", method: "GET", path: "/api/v1/resources/RES-1/history", status: 200, has: []string{`"resource.create"`}},
			{name: "foreign resource", who: "globex", method: "GET", path: "/api/v1/resources/RES-1", status: 404},

			{name: "archive", who: "contributor", method: "POST", path: "/api/v1/suppliers/TP-2/archive", status: 200, actions: []string{"third_party.archive"}},
			{name: "restore", who: "contributor", method: "POST", path: "/api/v1/suppliers/TP-2/restore", status: 200, actions: []string{"third_party.restore"}},
		})
	})
}

// TestAIBOMEndpoints exports a system's AI bill of materials and imports
// it into another organisation's system, first as a dry run.
func TestAIBOMEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201, actions: []string{"ai_system.create"}}})
		train := modelDataset(t, w, "Applications")
		w.run(t, []step{
			{name: "model", who: "owner", method: "POST", path: "/api/v1/models", body: `{"system":"SYS-1","name":"Scorer"}`, status: 201, actions: []string{"model.create"}},
			{name: "version", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions",
				body: `{"label":"1.0","digest":"` + modelDigest + `","trained_on":["` + train + `"],"card":{"intended_use":"Scoring"}}`, status: 201,
				actions: []string{"model_version.create"}},
			{name: "supplier", who: "owner", method: "POST", path: "/api/v1/suppliers", body: `{"name":"DataCo","kind":"supplier"}`, status: 201,
				actions: []string{"third_party.create"}},
			{name: "supplies the data", who: "owner", method: "POST", path: "/api/v1/suppliers/TP-1/supplies", body: `{"kind":"data_set","dataset":"DS-1","system":"SYS-1"}`,
				status: 201, actions: []string{"supply.create"}},
			{name: "foreign export", who: "globex", method: "GET", path: "/api/v1/systems/SYS-1/aibom", status: 404},
		})
		r := w.call(t, "auditor", "GET", "/api/v1/systems/sys-1/aibom", "")
		if r.status != 200 || r.header.Get("Content-Type") != "application/vnd.cyclonedx+json" ||
			r.header.Get("Content-Disposition") != `attachment; filename=SYS-1.cdx.json` {
			t.Fatalf("export = %d %v\n%s", r.status, r.header, r.body)
		}
		var bom struct {
			SpecVersion string
			Components  []struct {
				Name     string
				Supplier *struct{ Name string }
			}
		}
		if err := json.Unmarshal(r.body, &bom); err != nil || bom.SpecVersion != "1.6" || len(bom.Components) != 2 ||
			bom.Components[0].Name != "Scorer" || bom.Components[1].Supplier == nil || bom.Components[1].Supplier.Name != "DataCo" {
			t.Fatalf("BOM %+v, %v\n%s", bom, err, r.body)
		}

		// Globex imports it into its own system.
		if g := w.call(t, "globex", "POST", "/api/v1/systems", validSystem); g.status != 201 {
			t.Fatalf("globex system: %d %s", g.status, g.body)
		}
		post := func(who, path, contentType string, body []byte) (int, []byte) {
			t.Helper()
			req, err := http.NewRequest("POST", w.URL+path, strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+w.tokens[who])
			req.Header.Set("Content-Type", contentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
		if st, b := post("viewer", "/api/v1/systems/SYS-1/aibom", "application/vnd.cyclonedx+json", r.body); st != 403 {
			t.Errorf("viewer import = %d %s", st, b)
		}
		if st, b := post("globex", "/api/v1/systems/SYS-1/aibom", "application/json", []byte(`{"bomFormat":"SPDX"}`)); st != 422 ||
			!strings.Contains(string(b), `"location":"body.bom"`) {
			t.Errorf("not a BOM = %d %s", st, b)
		}
		st, b := post("globex", "/api/v1/systems/SYS-1/aibom?dry_run=true", "application/vnd.cyclonedx+json", r.body)
		var rep supplier.ImportReport
		if err := json.Unmarshal(b, &rep); st != 200 || err != nil || !rep.DryRun || rep.Created != 6 {
			t.Fatalf("dry run = %d %+v %v\n%s", st, rep, err, b)
		}
		st, b = post("globex", "/api/v1/systems/SYS-1/aibom", "application/json", r.body)
		rep = supplier.ImportReport{}
		if err := json.Unmarshal(b, &rep); st != 200 || err != nil || rep.DryRun || rep.Created != 6 || rep.Existing != 0 {
			t.Fatalf("import = %d %+v %v\n%s", st, rep, err, b)
		}
		g := w.call(t, "globex", "GET", "/api/v1/models/MDL-1/versions/1.0", "")
		if g.status != 200 || !strings.Contains(string(g.body), `"trained_on":[{"id":`) || !strings.Contains(string(g.body), `"intended_use":"Scoring"`) {
			t.Errorf("imported version = %d %s", g.status, g.body)
		}
	})
}
