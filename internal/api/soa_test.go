package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// decideRest decides, as the owner, every control of Acme's draft that has no decision yet.
func (w *world) decideRest(t *testing.T) {
	t.Helper()
	r := w.call(t, "owner", "GET", "/api/v1/soa", "")
	var d struct {
		Entries []struct {
			ControlID string          `json:"control_id"`
			Decision  json.RawMessage `json:"decision"`
		}
	}
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	for _, e := range d.Entries {
		if e.Decision != nil {
			continue
		}
		body := fmt.Sprintf(`{"applicable":true,"justification":"Needed: %s","status":"planned","version":0}`, e.ControlID)
		if r := w.call(t, "owner", "PUT", "/api/v1/soa/entries/"+e.ControlID, body); r.status != 200 {
			t.Fatalf("decide %s = %d %s", e.ControlID, r.status, r.body)
		}
	}
}

func (w *world) userID(t *testing.T, email string) string {
	t.Helper()
	var id string
	if err := w.App.DB.QueryRowContext(context.Background(), `SELECT id FROM users WHERE email = ?`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestSoAEndpoints runs requests as each kind of caller and checks the
// status, the answer and the audit events written.
func TestSoAEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201,
			actions: []string{"ai_system.create"}}})
		manager := w.userID(t, "manager@acme.example")
		entry := `{"applicable":true,"justification":"The policy sets direction.","status":"implemented","owner_id":"` + manager +
			`","target_date":"2026-06-30","version":0}`
		set := []string{"soa.entry_set"}
		w.run(t, []step{
			{name: "anonymous read", who: "none", method: "GET", path: "/api/v1/soa", status: 401},
			{name: "empty draft", who: "viewer", method: "GET", path: "/api/v1/soa", status: 200,
				has: []string{`"organisation":"Acme"`, `"total":38`, `"decided":0`, `"scope_version":0`, `"scope_missing":true`,
					`"control_id":"A.2.2","category_id":"A.2","category_title":"Policies related to AI","title":"AI policy"`, `"risks":[]`,
					`"blockers":["A.2.2","A.2.3"`}},
			{name: "another organisation's draft", who: "globex", method: "GET", path: "/api/v1/soa", status: 200,
				has: []string{`"organisation":"Globex"`, `"decided":0`}},

			{name: "viewer sets scope", who: "viewer", method: "PUT", path: "/api/v1/soa/scope", body: `{"scope":"x","version":0}`, status: 403},
			{name: "contributor sets scope", who: "contributor", method: "PUT", path: "/api/v1/soa/scope", status: 200,
				body: `{"scope":"All AI systems of Acme in the EU.","version":0}`, has: []string{`"scope":"All AI systems of Acme in the EU."`, `"scope_version":1`},
				actions: []string{"soa.scope_change"}},
			{name: "stale scope", who: "owner", method: "PUT", path: "/api/v1/soa/scope", body: `{"scope":"Other","version":0}`, status: 409,
				fields: []string{"body.version"}},
			{name: "scope too long", who: "owner", method: "PUT", path: "/api/v1/soa/scope", status: 422,
				body: `{"scope":"` + strings.Repeat("x", 4001) + `","version":1}`, fields: []string{"body.scope"}},
			{name: "scope without version", who: "owner", method: "PUT", path: "/api/v1/soa/scope", body: `{"scope":"x"}`, status: 422,
				fields: []string{"body.version"}},

			{name: "contributor decides", who: "contributor", method: "PUT", path: "/api/v1/soa/entries/a.2.2", body: entry, status: 200,
				has: []string{`"control_id":"A.2.2"`, `"applicable":true`, `"status":"implemented"`, `"owner_name":"`, `"target_date":"2026-06-30"`,
					`"version":1`, `"overrides":[]`}, actions: set},
			{name: "every bad field named", who: "owner", method: "PUT", path: "/api/v1/soa/entries/A.2.3", status: 422,
				body:   `{"applicable":true,"justification":" ","status":"done","owner_id":"nobody","target_date":"2026-13-01","version":0}`,
				fields: []string{"body.justification", "body.owner_id", "body.status", "body.target_date"}},
			{name: "applicable required", who: "owner", method: "PUT", path: "/api/v1/soa/entries/A.2.3", status: 422,
				body: `{"justification":"x","status":"planned","version":0}`, fields: []string{"body.applicable"}},
			{name: "excluded with a status", who: "owner", method: "PUT", path: "/api/v1/soa/entries/A.2.3", status: 422,
				body: `{"applicable":false,"justification":"x","status":"planned","version":0}`, fields: []string{"body.status"}},
			{name: "wrong type", who: "owner", method: "PUT", path: "/api/v1/soa/entries/A.2.3", body: `{"applicable":"yes","version":0}`, status: 422,
				fields: []string{"body.applicable"}},
			{name: "missing version", who: "owner", method: "PUT", path: "/api/v1/soa/entries/A.2.3", body: `{"applicable":false,"justification":"x"}`,
				status: 422, fields: []string{"body.version"}},
			{name: "stale decision", who: "owner", method: "PUT", path: "/api/v1/soa/entries/A.2.2", body: entry, status: 409, fields: []string{"body.version"}},
			{name: "unknown control", who: "owner", method: "PUT", path: "/api/v1/soa/entries/A.99", body: entry, status: 404},
			{name: "auditor decides", who: "auditor", method: "PUT", path: "/api/v1/soa/entries/A.2.3", body: entry, status: 403},
			{name: "foreign system", who: "globex", method: "PUT", path: "/api/v1/soa/entries/A.2.2?system=SYS-1", status: 404,
				body: `{"applicable":false,"justification":"x","version":0}`},
			{name: "override", who: "manager", method: "PUT", path: "/api/v1/soa/entries/A.2.2?system=sys-1", status: 200,
				body: `{"applicable":false,"justification":"The scoring model has its own policy.","version":0}`,
				has:  []string{`"system_ref":"SYS-1","system_name":"Credit scoring","applicable":false`}, actions: set},
			{name: "system view", who: "viewer", method: "GET", path: "/api/v1/soa/systems/SYS-1", status: 200,
				has: []string{`"system_ref":"SYS-1"`, `"overrides":1`, `"control_id":"A.2.2"`, `"source":"system"`, `"source":"undecided"`}},
			{name: "foreign system view", who: "globex", method: "GET", path: "/api/v1/soa/systems/SYS-1", status: 404},
			{name: "remove without system", who: "owner", method: "DELETE", path: "/api/v1/soa/entries/A.2.2", status: 422, fields: []string{"query.system"}},
			{name: "remove stale", who: "owner", method: "DELETE", path: "/api/v1/soa/entries/A.2.2?system=SYS-1&version=7", status: 409,
				fields: []string{"query.version"}},
			{name: "viewer removes", who: "viewer", method: "DELETE", path: "/api/v1/soa/entries/A.2.2?system=SYS-1", status: 403},
			{name: "foreign removal", who: "globex", method: "DELETE", path: "/api/v1/soa/entries/A.2.2?system=SYS-1", status: 404},
			{name: "remove", who: "contributor", method: "DELETE", path: "/api/v1/soa/entries/A.2.2?system=SYS-1&version=1", status: 200,
				has: []string{`"overrides":[]`}, actions: []string{"soa.override_remove"}},
			{name: "remove again", who: "contributor", method: "DELETE", path: "/api/v1/soa/entries/A.2.2?system=SYS-1", status: 404},

			{name: "contributor approves", who: "contributor", method: "POST", path: "/api/v1/soa/approve", status: 403},
			{name: "incomplete", who: "owner", method: "POST", path: "/api/v1/soa/approve", body: `{"note":"Go"}`, status: 409,
				has: []string{"cannot be approved yet: 37 of 38 controls have no decision", "A.2.3, A.2.4", "and 27 more"}},
			{name: "no versions yet", who: "viewer", method: "GET", path: "/api/v1/soa/versions", status: 200, has: []string{`"items":[]`}},
		})
		w.decideRest(t)
		w.run(t, []step{
			{name: "note too long", who: "owner", method: "POST", path: "/api/v1/soa/approve", body: `{"note":"` + strings.Repeat("n", 4001) + `"}`,
				status: 422, fields: []string{"body.note"}},
			{name: "manager approves", who: "manager", method: "POST", path: "/api/v1/soa/approve", body: `{"note":"First version"}`, status: 201,
				has: []string{`"number":1`, `"note":"First version"`, `"scope":"All AI systems of Acme in the EU."`, `"checkpoint":{"origin":"aims/audit/`,
					`"controls":[`}, actions: []string{"soa.approve"}},
			{name: "change a row", who: "owner", method: "PUT", path: "/api/v1/soa/entries/A.3.2", status: 200,
				body: `{"applicable":false,"justification":"One person does it all.","version":1}`, actions: set},
			{name: "owner approves without a body", who: "owner", method: "POST", path: "/api/v1/soa/approve", status: 201,
				has: []string{`"number":2`, `"note":""`}, actions: []string{"soa.approve"}},
			{name: "versions", who: "auditor", method: "GET", path: "/api/v1/soa/versions", status: 200,
				has: []string{`{"number":2,"note":"","approved_by":"`, `"number":1,"note":"First version"`}},
			{name: "a version", who: "viewer", method: "GET", path: "/api/v1/soa/versions/1", status: 200,
				has: []string{`"number":1`, `"approved_by_name":"`, `"root":"`, `"note":"aims/audit/`}},
			{name: "version 0", who: "viewer", method: "GET", path: "/api/v1/soa/versions/0", status: 422, fields: []string{"path.number"}},
			{name: "unknown version", who: "viewer", method: "GET", path: "/api/v1/soa/versions/9", status: 404},
			{name: "foreign version", who: "globex", method: "GET", path: "/api/v1/soa/versions/1", status: 404},
			{name: "compare", who: "viewer", method: "GET", path: "/api/v1/soa/compare?from=1&to=2", status: 200,
				has: []string{`"from_label":"v1","to_label":"v2","scope_changed":false`,
					`"changes":[{"control_id":"A.3.2","title":"AI roles and responsibilities","kind":"changed","fields":[{"field":"applicable","before":"yes","after":"no"}`}},
			{name: "compare with the draft", who: "viewer", method: "GET", path: "/api/v1/soa/compare?from=2", status: 200,
				has: []string{`"to":0`, `"to_label":"draft"`, `"changes":[]`}},
			{name: "compare needs from", who: "viewer", method: "GET", path: "/api/v1/soa/compare?to=1", status: 422, fields: []string{"query.from"}},
			{name: "compare unknown", who: "viewer", method: "GET", path: "/api/v1/soa/compare?from=1&to=5", status: 404},
			{name: "foreign compare", who: "globex", method: "GET", path: "/api/v1/soa/compare?from=1", status: 404},
			{name: "bad export format", who: "viewer", method: "GET", path: "/api/v1/soa/versions/1/export?format=doc", status: 422,
				fields: []string{"query.format"}},
			{name: "export needs a format", who: "viewer", method: "GET", path: "/api/v1/soa/export", status: 422, fields: []string{"query.format"}},
			{name: "foreign export", who: "globex", method: "GET", path: "/api/v1/soa/versions/1/export?format=pdf", status: 404},
			{name: "anonymous export", who: "none", method: "GET", path: "/api/v1/soa/export?format=csv", status: 401},
		})

		// Exports answer files with their type and name.
		for _, c := range []struct{ path, ctype, name, starts string }{
			{"/api/v1/soa/versions/1/export?format=pdf", "application/pdf", "soa-v1.pdf", "%PDF-"},
			{"/api/v1/soa/versions/2/export?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "soa-v2.xlsx", "PK"},
			{"/api/v1/soa/versions/2/export?format=csv", "text/csv; charset=utf-8", "soa-v2.csv", "control_id,category_id,title"},
			{"/api/v1/soa/versions/2/export?format=md", "text/markdown; charset=utf-8", "soa-v2.md", "# Statement of Applicability: Acme, version 2"},
			{"/api/v1/soa/export?format=pdf", "application/pdf", "soa-draft.pdf", "%PDF-"},
			{"/api/v1/soa/export?format=md", "text/markdown; charset=utf-8", "soa-draft.md", "# Statement of Applicability: Acme (DRAFT)"},
		} {
			r := w.call(t, "auditor", "GET", c.path, "")
			if r.status != 200 || r.header.Get("Content-Type") != c.ctype || r.header.Get("Content-Disposition") != "attachment; filename="+c.name ||
				!bytes.HasPrefix(r.body, []byte(c.starts)) {
				t.Errorf("GET %s = %d %s %q %.40q", c.path, r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"), r.body)
			}
		}
	})
}

// TestSoAResponsesMatchTheDocument validates real SoA requests and
// answers, files and errors included, against the OpenAPI document.
func TestSoAResponsesMatchTheDocument(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument31(t, w)
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	w.call(t, "owner", "POST", "/api/v1/systems", validSystem)
	check := func(who, method, path, body string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, w.URL+path, rd)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		r := w.call(t, who, method, path, body)
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s as %s → %d does not match the document: %v\n%.500s", method, path, who, r.status, err, r.body)
		}
	}
	check("owner", "GET", "/api/v1/soa", "")
	check("owner", "PUT", "/api/v1/soa/scope", `{"scope":"All","version":0}`)
	check("owner", "PUT", "/api/v1/soa/scope", `{"scope":"All","version":0}`)
	check("owner", "PUT", "/api/v1/soa/entries/A.2.2", `{"applicable":true,"justification":"x","status":"planned","version":0}`)
	check("owner", "PUT", "/api/v1/soa/entries/A.2.2", `{"applicable":true,"justification":"","status":"x","version":1}`)
	check("owner", "PUT", "/api/v1/soa/entries/A.2.2?system=SYS-1", `{"applicable":false,"justification":"x","version":0}`)
	check("owner", "GET", "/api/v1/soa/systems/SYS-1", "")
	check("owner", "DELETE", "/api/v1/soa/entries/A.2.2?system=SYS-1", "")
	check("viewer", "DELETE", "/api/v1/soa/entries/A.2.2?system=SYS-1", "")
	check("owner", "POST", "/api/v1/soa/approve", `{"note":"x"}`)
	w.decideRest(t)
	check("owner", "POST", "/api/v1/soa/approve", `{"note":"x"}`)
	check("owner", "POST", "/api/v1/soa/approve", "")
	check("owner", "GET", "/api/v1/soa/versions", "")
	check("owner", "GET", "/api/v1/soa/versions/1", "")
	check("globex", "GET", "/api/v1/soa/versions/1", "")
	check("owner", "GET", "/api/v1/soa/compare?from=1&to=2", "")
	check("owner", "GET", "/api/v1/soa/compare?from=1", "")
	for _, f := range []string{"pdf", "xlsx", "csv", "md"} {
		check("owner", "GET", "/api/v1/soa/versions/1/export?format="+f, "")
		check("owner", "GET", "/api/v1/soa/export?format="+f, "")
	}
	check("owner", "GET", "/api/v1/soa/export?format=doc", "")
}

// loadDocument31 loads and validates the OpenAPI 3.1 document.
func loadDocument31(t *testing.T, w *world) *openapi3.T {
	t.Helper()
	r := w.call(t, "none", "GET", "/api/openapi.json", "")
	doc, err := openapi3.NewLoader().LoadFromData(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return doc
}
