package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

func loadDocument(t *testing.T, w *world, path string) *openapi3.T {
	t.Helper()
	r := w.call(t, "none", "GET", path, "")
	if r.status != 200 {
		t.Fatalf("GET %s = %d", path, r.status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.body)
	if err != nil {
		t.Fatalf("%s does not load: %v", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", path, err)
	}
	return doc
}

// moreOperations are the operations of capabilities that list theirs beside their own tests.
var moreOperations []string

// TestOpenAPIDocument checks the served document with kin-openapi, and that
// every operation is documented with an id, a summary and its errors.
func TestOpenAPIDocument(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("OpenAPI version %s", doc.OpenAPI)
	}
	loadDocument(t, w, "/api/openapi-3.0.json")
	want := map[string]bool{}
	for _, op := range []string{
		"GET /api/v1/me", "GET /api/v1/systems", "POST /api/v1/systems", "GET /api/v1/systems/{id}",
		"PATCH /api/v1/systems/{id}", "POST /api/v1/systems/{id}/archive", "POST /api/v1/systems/{id}/restore",
		"GET /api/v1/systems/{id}/history", "GET /api/v1/audit/checkpoint", "POST /api/v1/audit/checkpoint",
		"GET /api/v1/audit/key", "GET /api/v1/audit/entries", "GET /api/v1/audit/proof/inclusion",
		"GET /api/v1/audit/proof/consistency", "GET /api/v1/audit/verify", "GET /api/v1/tokens", "POST /api/v1/tokens",
		"DELETE /api/v1/tokens/{id}", "GET /api/v1/members", "POST /api/v1/members", "PATCH /api/v1/members/{user_id}",
		"DELETE /api/v1/members/{user_id}",
		"GET /api/v1/evidence", "POST /api/v1/evidence", "GET /api/v1/evidence/{ref}", "PATCH /api/v1/evidence/{ref}",
		"POST /api/v1/evidence/{ref}/archive", "POST /api/v1/evidence/{ref}/restore", "GET /api/v1/evidence/{ref}/history",
		"GET /api/v1/evidence/{ref}/file",
		"GET /api/v1/catalog/clauses", "GET /api/v1/catalog/clauses/{id}", "GET /api/v1/catalog/controls",
		"GET /api/v1/catalog/controls/{id}", "POST /api/v1/catalog/controls", "PATCH /api/v1/catalog/controls/{id}",
		"POST /api/v1/catalog/controls/{id}/archive", "POST /api/v1/catalog/controls/{id}/restore",
		"GET /api/v1/catalog/annex-c", "GET /api/v1/catalog/frameworks", "GET /api/v1/catalog/frameworks/{id}",
		"GET /api/v1/readiness", "GET /api/v1/readiness/trend", "GET /api/v1/readiness/frameworks/{id}",
		"GET /api/v1/soa", "PUT /api/v1/soa/scope", "PUT /api/v1/soa/entries/{control_id}", "DELETE /api/v1/soa/entries/{control_id}",
		"GET /api/v1/soa/systems/{system}", "POST /api/v1/soa/approve", "GET /api/v1/soa/versions", "GET /api/v1/soa/versions/{number}",
		"GET /api/v1/soa/compare", "GET /api/v1/soa/versions/{number}/export", "GET /api/v1/soa/export",
		"GET /api/v1/impact/templates", "GET /api/v1/impact/templates/{key}", "POST /api/v1/impact/templates/{key}/copy",
		"PUT /api/v1/impact/templates/{key}", "POST /api/v1/impact/templates/{key}/archive",
		"GET /api/v1/impact/assessments", "POST /api/v1/impact/assessments", "GET /api/v1/impact/assessments/{ref}",
		"PATCH /api/v1/impact/assessments/{ref}", "GET /api/v1/impact/assessments/{ref}/history",
		"POST /api/v1/impact/assessments/{ref}/impacts", "PUT /api/v1/impact/assessments/{ref}/impacts/{impact}",
		"DELETE /api/v1/impact/assessments/{ref}/impacts/{impact}", "POST /api/v1/impact/assessments/{ref}/impacts/{impact}/risk",
		"POST /api/v1/impact/assessments/{ref}/impacts/{impact}/links", "POST /api/v1/impact/assessments/{ref}/submit",
		"POST /api/v1/impact/assessments/{ref}/return", "POST /api/v1/impact/assessments/{ref}/approve",
		"GET /api/v1/impact/assessments/{ref}/versions", "GET /api/v1/impact/assessments/{ref}/versions/{number}",
		"GET /api/v1/impact/assessments/{ref}/export",
		"GET /api/v1/risks", "POST /api/v1/risks", "GET /api/v1/risks/{id}", "PATCH /api/v1/risks/{id}",
		"PUT /api/v1/risks/{id}/assessment", "PUT /api/v1/risks/{id}/treatment", "POST /api/v1/risks/{id}/actions",
		"PATCH /api/v1/risks/{id}/actions/{number}", "POST /api/v1/risks/{id}/acceptance", "POST /api/v1/risks/{id}/close",
		"POST /api/v1/risks/{id}/reopen", "GET /api/v1/risks/{id}/history", "GET /api/v1/risk-overview", "GET /api/v1/risk-due",
		"GET /api/v1/risk-register/export", "GET /api/v1/risk-criteria", "GET /api/v1/risk-criteria/default",
		"POST /api/v1/risk-criteria/versions", "GET /api/v1/risk-criteria/versions", "GET /api/v1/risk-criteria/versions/{number}",
		"GET /api/v1/risk-assessments", "POST /api/v1/risk-assessments", "GET /api/v1/risk-assessments/{ref}",
		"POST /api/v1/risk-assessments/{ref}/close", "GET /api/v1/risk-assessments/{ref}/compare", "GET /api/v1/risk-assessments/{ref}/export",
		"GET /api/v1/models", "POST /api/v1/models", "GET /api/v1/models/{ref}", "PATCH /api/v1/models/{ref}",
		"POST /api/v1/models/{ref}/archive", "POST /api/v1/models/{ref}/restore", "GET /api/v1/models/{ref}/history",
		"GET /api/v1/models/{ref}/versions", "POST /api/v1/models/{ref}/versions", "GET /api/v1/models/{ref}/versions/{label}",
		"PATCH /api/v1/models/{ref}/versions/{label}", "GET /api/v1/models/{ref}/versions/{label}/history",
		"GET /api/v1/models/{ref}/versions/{label}/evaluations", "POST /api/v1/models/{ref}/versions/{label}/evaluations",
		"POST /api/v1/models/{ref}/versions/{label}/approve", "POST /api/v1/models/{ref}/versions/{label}/deploy",
		"POST /api/v1/models/{ref}/versions/{label}/withdraw", "POST /api/v1/models/{ref}/versions/{label}/retire",
		"GET /api/v1/datasets", "POST /api/v1/datasets", "GET /api/v1/datasets/{ref}", "PATCH /api/v1/datasets/{ref}",
		"POST /api/v1/datasets/{ref}/archive", "POST /api/v1/datasets/{ref}/restore", "GET /api/v1/datasets/{ref}/history",
		"GET /api/v1/datasets/{ref}/versions", "POST /api/v1/datasets/{ref}/versions", "GET /api/v1/datasets/{ref}/versions/{number}",
		"POST /api/v1/datasets/{ref}/versions/{number}/profile", "GET /api/v1/dataset-lineage",
		"GET /api/v1/lifecycle", "GET /api/v1/lifecycle/gates", "PUT /api/v1/lifecycle/gates", "GET /api/v1/systems/{id}/stage-checks",
		"GET /api/v1/stage-requests", "POST /api/v1/systems/{id}/stage-requests", "GET /api/v1/stage-requests/{ref}",
		"POST /api/v1/stage-requests/{ref}/approve", "POST /api/v1/stage-requests/{ref}/override", "POST /api/v1/stage-requests/{ref}/refuse",
		"POST /api/v1/stage-requests/{ref}/withdraw", "GET /api/v1/changes", "POST /api/v1/changes", "GET /api/v1/changes/{ref}",
		"POST /api/v1/changes/{ref}/reclassify", "POST /api/v1/changes/{ref}/approve", "POST /api/v1/changes/{ref}/refuse",
		"POST /api/v1/changes/{ref}/implement", "POST /api/v1/changes/{ref}/withdraw",
		"GET /api/v1/suppliers", "POST /api/v1/suppliers", "GET /api/v1/suppliers/{ref}", "PATCH /api/v1/suppliers/{ref}",
		"POST /api/v1/suppliers/{ref}/archive", "POST /api/v1/suppliers/{ref}/restore", "GET /api/v1/suppliers/{ref}/history",
		"GET /api/v1/suppliers/{ref}/supplies", "POST /api/v1/suppliers/{ref}/supplies", "PATCH /api/v1/suppliers/{ref}/supplies/{number}",
		"DELETE /api/v1/suppliers/{ref}/supplies/{number}", "GET /api/v1/suppliers/{ref}/assessments", "POST /api/v1/suppliers/{ref}/assessments",
		"GET /api/v1/supplier-due", "GET /api/v1/systems/{id}/supplies", "GET /api/v1/systems/{id}/raci", "PUT /api/v1/systems/{id}/raci/{stage}",
		"GET /api/v1/systems/{id}/raci/history", "GET /api/v1/resources", "POST /api/v1/resources", "GET /api/v1/resources/{ref}",
		"PATCH /api/v1/resources/{ref}", "POST /api/v1/resources/{ref}/archive", "POST /api/v1/resources/{ref}/restore",
		"GET /api/v1/resources/{ref}/history", "GET /api/v1/systems/{id}/aibom", "POST /api/v1/systems/{id}/aibom",
	} {
		want[op] = true
	}
	for _, op := range moreOperations {
		want[op] = true
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			if !want[key] {
				t.Errorf("undocumented in this test: %s", key)
			}
			delete(want, key)
			if op.OperationID == "" || op.Summary == "" || len(op.Tags) == 0 {
				t.Errorf("%s lacks an operation id, summary or tag", key)
			}
			if op.Responses.Value("401") == nil {
				t.Errorf("%s does not document 401", key)
			}
		}
	}
	for op := range want {
		t.Errorf("operation missing from the document: %s", op)
	}
}

// TestResponsesMatchTheDocument validates real requests and answers,
// including errors, against the OpenAPI document.
func TestResponsesMatchTheDocument(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ who, method, path, body string }{
		{"owner", "POST", "/api/v1/systems", validSystem},
		{"owner", "POST", "/api/v1/systems", `{"name":"","intended_purpose":"x","lifecycle_stage":"soon"}`},
		{"owner", "GET", "/api/v1/systems?q=credit", ""},
		{"owner", "GET", "/api/v1/systems/SYS-1", ""},
		{"owner", "PATCH", "/api/v1/systems/SYS-1", `{"version":1,"ai_roles":["provider","customer"]}`},
		{"owner", "PATCH", "/api/v1/systems/SYS-1", `{"version":1,"name":"Stale"}`},
		{"viewer", "POST", "/api/v1/systems/SYS-1/archive", ""},
		{"globex", "GET", "/api/v1/systems/SYS-1", ""},
		{"owner", "POST", "/api/v1/systems/SYS-1/archive", ""},
		{"owner", "GET", "/api/v1/systems/SYS-1/history", ""},
		{"owner", "POST", "/api/v1/audit/checkpoint", ""},
		{"auditor", "GET", "/api/v1/audit/checkpoint", ""},
		{"auditor", "GET", "/api/v1/audit/entries?limit=3", ""},
		{"auditor", "GET", "/api/v1/audit/proof/inclusion?index=0&size=2", ""},
		{"auditor", "GET", "/api/v1/audit/proof/consistency?old=1&new=2", ""},
		{"auditor", "GET", "/api/v1/audit/verify", ""},
		{"none", "GET", "/api/v1/audit/key", ""},
		{"viewer", "GET", "/api/v1/me", ""},
		{"viewer", "POST", "/api/v1/tokens", `{"name":"x"}`},
		{"viewer", "GET", "/api/v1/tokens", ""},
		{"owner", "GET", "/api/v1/members", ""},
		{"owner", "POST", "/api/v1/members", `{"email":"n@acme.example","name":"N","role":"viewer"}`},
		{"none", "GET", "/api/v1/systems", ""},
		{"viewer", "GET", "/api/v1/catalog/clauses?q=risk", ""},
		{"viewer", "GET", "/api/v1/catalog/clauses/6.1.3", ""},
		{"owner", "POST", "/api/v1/catalog/controls", `{"title":"Own","asks":"Do it."}`},
		{"viewer", "GET", "/api/v1/catalog/controls", ""},
		{"viewer", "GET", "/api/v1/catalog/controls/A.6.2.8", ""},
		{"viewer", "GET", "/api/v1/catalog/annex-c", ""},
		{"viewer", "GET", "/api/v1/catalog/frameworks/iso27001", ""},
		{"viewer", "GET", "/api/v1/readiness", ""},
		{"viewer", "GET", "/api/v1/readiness/trend?days=7", ""},
		{"viewer", "GET", "/api/v1/readiness/frameworks/nist-ai-rmf", ""},
		{"viewer", "GET", "/api/v1/impact/templates", ""},
		{"viewer", "GET", "/api/v1/impact/templates/eu-fria?version=1", ""},
		{"owner", "POST", "/api/v1/impact/templates/eu-fria/copy", `{"name":"Our FRIA"}`},
		{"owner", "PUT", "/api/v1/impact/templates/IAT-1", `{"version":1,"name":"","sections":[{"id":"x","title":"X","questions":[{"id":"q","text":"Q?","type":"essay"}]}]}`},
		{"owner", "POST", "/api/v1/impact/assessments", `{"system":"SYS-1","template":"eu-fria"}`},
		{"owner", "POST", "/api/v1/impact/assessments", `{"system":"SYS-9","template":"none"}`},
		{"viewer", "GET", "/api/v1/impact/assessments?due=true", ""},
		{"viewer", "GET", "/api/v1/impact/assessments/IA-1", ""},
		{"owner", "PATCH", "/api/v1/impact/assessments/IA-1", `{"version":1,"answers":{"frequency":"daily"}}`},
		{"owner", "PATCH", "/api/v1/impact/assessments/IA-1", `{"version":2,"answers":{"frequency":"hourly"}}`},
		{"owner", "POST", "/api/v1/impact/assessments/IA-1/impacts", `{"group":"Applicants","harm":"Unfair rejection","severity":"high","likelihood":"possible","reversibility":"partly_reversible","scale":"group"}`},
		{"owner", "PUT", "/api/v1/impact/assessments/IA-1/impacts/1", `{"group":"Applicants","harm":"Unfair rejection","severity":"critical","likelihood":"possible","reversibility":"partly_reversible","scale":"group","version":1}`},
		{"owner", "POST", "/api/v1/impact/assessments/IA-1/impacts/1/links", `{"risk":"RISK-99"}`},
		{"owner", "POST", "/api/v1/impact/assessments/IA-1/submit", `{"version":2}`},
		{"viewer", "GET", "/api/v1/impact/assessments/IA-1/versions", ""},
		{"viewer", "GET", "/api/v1/impact/assessments/IA-1/history", ""},
		{"globex", "GET", "/api/v1/impact/assessments/IA-1/versions/1", ""},
		{"viewer", "GET", "/api/v1/impact/assessments/IA-1/export", ""},
		{"owner", "DELETE", "/api/v1/impact/assessments/IA-1/impacts/1?version=2", ""},
		{"owner", "POST", "/api/v1/risk-criteria/versions", riskCriteria4x4},
		{"owner", "POST", "/api/v1/risk-criteria/versions", riskCriteria4x4},
		{"viewer", "GET", "/api/v1/risk-criteria", ""},
		{"viewer", "GET", "/api/v1/risk-criteria/default", ""},
		{"viewer", "GET", "/api/v1/risk-criteria/versions", ""},
		{"viewer", "GET", "/api/v1/risk-criteria/versions/1", ""},
		{"owner", "POST", "/api/v1/risks", riskHiring},
		{"owner", "POST", "/api/v1/risks", `{"title":"","systems":["SYS-9"]}`},
		{"viewer", "GET", "/api/v1/risks?sort=-inherent", ""},
		{"viewer", "GET", "/api/v1/risks/RISK-1", ""},
		{"owner", "PATCH", "/api/v1/risks/RISK-1", `{"version":1,"title":"Renamed"}`},
		{"owner", "PUT", "/api/v1/risks/RISK-1/assessment", `{"likelihood":3,"impact":3,"version":2}`},
		{"owner", "PUT", "/api/v1/risks/RISK-1/treatment", `{"option":"modify","controls":["A.9.3"],"residual_likelihood":2,"residual_impact":2,"version":3}`},
		{"owner", "POST", "/api/v1/risks/RISK-1/actions", `{"description":"Audit","version":4}`},
		{"owner", "PATCH", "/api/v1/risks/RISK-1/actions/1", `{"status":"done","version":5}`},
		{"manager", "POST", "/api/v1/risks/RISK-1/acceptance", `{"version":6}`},
		{"viewer", "GET", "/api/v1/risks/RISK-1/history", ""},
		{"viewer", "GET", "/api/v1/risk-overview", ""},
		{"viewer", "GET", "/api/v1/risk-due", ""},
		{"viewer", "GET", "/api/v1/risk-register/export?format=pdf", ""},
		{"owner", "POST", "/api/v1/risks/RISK-1/close", `{"reason":"Gone","version":7}`},
		{"owner", "POST", "/api/v1/risks/RISK-1/reopen", `{"version":8}`},
		{"owner", "POST", "/api/v1/risk-assessments", `{"name":"Annual"}`},
		{"viewer", "GET", "/api/v1/risk-assessments", ""},
		{"viewer", "GET", "/api/v1/risk-assessments/RA-1", ""},
		{"contributor", "POST", "/api/v1/risk-assessments/RA-1/close", ""},
		{"owner", "POST", "/api/v1/risk-assessments/RA-1/close", `{"note":"x"}`},
		{"viewer", "GET", "/api/v1/risk-assessments/RA-1/compare?to=RA-1", ""},
		{"viewer", "GET", "/api/v1/risk-assessments/RA-1/export?format=xlsx", ""},
		{"globex", "GET", "/api/v1/risk-assessments/RA-1", ""},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, _ := http.NewRequest(c.method, w.URL+c.path, body)
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if tok := w.tokens[c.who]; tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		r := w.call(t, c.who, c.method, c.path, c.body)
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s as %s → %d does not match the document: %v\n%s", c.method, c.path, c.who, r.status, err, r.body)
		}
	}
}
