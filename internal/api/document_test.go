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

func init() {
	moreOperations = append(moreOperations,
		"GET /api/v1/documents", "POST /api/v1/documents", "GET /api/v1/documents/{ref}", "PATCH /api/v1/documents/{ref}",
		"GET /api/v1/documents/{ref}/versions", "POST /api/v1/documents/{ref}/versions", "GET /api/v1/documents/{ref}/versions/{number}",
		"GET /api/v1/documents/{ref}/versions/{number}/text", "PATCH /api/v1/documents/{ref}/draft", "DELETE /api/v1/documents/{ref}/draft",
		"POST /api/v1/documents/{ref}/approve", "POST /api/v1/documents/{ref}/review", "GET /api/v1/documents/{ref}/reviews",
		"POST /api/v1/documents/{ref}/archive", "POST /api/v1/documents/{ref}/restore", "POST /api/v1/documents/{ref}/acknowledge",
		"GET /api/v1/documents/{ref}/acknowledgements", "GET /api/v1/documents/{ref}/compare", "GET /api/v1/documents/{ref}/history",
		"GET /api/v1/documents-to-read")
}

const aiPolicy = `{"title":"AI policy","kind":"ai_policy","text":"# AI policy\n\nWe use AI responsibly.","change_note":"First issue"}`

// TestDocumentEndpoints writes, approves, reviews, acknowledges and
// withdraws documents as each kind of caller, checking status, answer and audit.
func TestDocumentEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{
			{name: "anonymous create", who: "none", method: "POST", path: "/api/v1/documents", body: aiPolicy, status: 401},
			{name: "viewer create", who: "viewer", method: "POST", path: "/api/v1/documents", body: aiPolicy, status: 403},
			{name: "auditor create", who: "auditor", method: "POST", path: "/api/v1/documents", body: aiPolicy, status: 403},
			{name: "schema problems", who: "contributor", method: "POST", path: "/api/v1/documents", body: `{"title":"","kind":"memo","review_months":99}`,
				status: 422, fields: []string{"body.kind", "body.review_months", "body.title"}},
			{name: "service problems", who: "contributor", method: "POST", path: "/api/v1/documents",
				body:   `{"title":"x","kind":"policy","owner_id":"viewer@acme.example","clauses":["9.9"],"controls":["A.2.2","A.1"],"distribution":["everyone","boss"]}`,
				status: 422, fields: []string{"body.clauses[0]", "body.controls[1]", "body.distribution[1]", "body.owner_id"}},
			{name: "create", who: "contributor", method: "POST", path: "/api/v1/documents", body: aiPolicy, status: 201,
				has: []string{`"ref":"DOC-1"`, `"kind":"ai_policy"`, `"clauses":[{"id":"5.2","title":"AI policy"}]`, `"distribution":["everyone"]`,
					`"draft":{"number":1`, `"review_months":12`}, actions: []string{"document.create", "document.draft"}},
			{name: "second AI policy", who: "owner", method: "POST", path: "/api/v1/documents", body: aiPolicy, status: 409, fields: []string{"body.kind"}},
			{name: "get", who: "viewer", method: "GET", path: "/api/v1/documents/doc-1", status: 200, has: []string{`"title":"AI policy"`}},
			{name: "foreign get", who: "globex", method: "GET", path: "/api/v1/documents/DOC-1", status: 404},
			{name: "update", who: "contributor", method: "PATCH", path: "/api/v1/documents/DOC-1", body: `{"version":1,"controls":["A.2.2","A.2.3"]}`,
				status: 200, has: []string{`"version":2`, `"id":"A.2.3"`}, actions: []string{"document.update"}},
			{name: "stale update", who: "contributor", method: "PATCH", path: "/api/v1/documents/DOC-1", body: `{"version":1,"title":"x"}`,
				status: 409, fields: []string{"body.version"}},
			{name: "draft", who: "viewer", method: "GET", path: "/api/v1/documents/DOC-1/versions/1", status: 200,
				has: []string{`"text":"# AI policy\n\nWe use AI responsibly."`, `"status":"draft"`, `"revision":1`}},
			{name: "edit draft", who: "contributor", method: "PATCH", path: "/api/v1/documents/DOC-1/draft",
				body: `{"revision":1,"text":"# AI policy\n\nWe use AI responsibly and lawfully."}`, status: 200, has: []string{`"revision":2`},
				actions: []string{"document.draft_update"}},
			{name: "stale draft", who: "contributor", method: "PATCH", path: "/api/v1/documents/DOC-1/draft", body: `{"revision":1,"text":"x"}`,
				status: 409, fields: []string{"body.revision"}},
			{name: "contributor approves", who: "contributor", method: "POST", path: "/api/v1/documents/DOC-1/approve", body: `{"number":1,"revision":2}`, status: 403},
			{name: "approve stale", who: "manager", method: "POST", path: "/api/v1/documents/DOC-1/approve", body: `{"number":1,"revision":1}`,
				status: 409, fields: []string{"body.revision"}},
			{name: "approve", who: "manager", method: "POST", path: "/api/v1/documents/DOC-1/approve", body: `{"number":1,"revision":2,"note":"Board, 2 March"}`,
				status: 200, has: []string{`"current":{"number":1,"status":"approved","in_force":true`, `"acknowledgements_required":5`,
					`"acknowledged":0`, `"review_state":"scheduled"`}, actions: []string{"document.approve"}},
			{name: "draft is gone", who: "contributor", method: "PATCH", path: "/api/v1/documents/DOC-1/draft", body: `{"revision":2,"text":"x"}`, status: 409},
			{name: "text", who: "viewer", method: "GET", path: "/api/v1/documents/DOC-1/versions/1/text", status: 200,
				has: []string{"# AI policy\n\nWe use AI responsibly and lawfully."}},
			{name: "to read", who: "viewer", method: "GET", path: "/api/v1/documents-to-read", status: 200, has: []string{`"document_ref":"DOC-1"`, `"number":1`}},
			{name: "acknowledge wrong version", who: "viewer", method: "POST", path: "/api/v1/documents/DOC-1/acknowledge", body: `{"number":2}`,
				status: 409, fields: []string{"body.number"}},
			{name: "acknowledge", who: "viewer", method: "POST", path: "/api/v1/documents/DOC-1/acknowledge", body: `{"number":1}`, status: 201,
				has: []string{`"role":"viewer"`, `"number":1`}, actions: []string{"document.acknowledge"}},
			{name: "acknowledge twice", who: "viewer", method: "POST", path: "/api/v1/documents/DOC-1/acknowledge", body: `{"number":1}`, status: 409},
			{name: "foreign acknowledge", who: "globex", method: "POST", path: "/api/v1/documents/DOC-1/acknowledge", body: `{"number":1}`, status: 404},
			{name: "nothing to read", who: "viewer", method: "GET", path: "/api/v1/documents-to-read", status: 200, has: []string{`"items":[]`}},
			{name: "readers", who: "auditor", method: "GET", path: "/api/v1/documents/DOC-1/acknowledgements", status: 200,
				has: []string{`"required":5`, `"acknowledged":1`, `"email":"viewer@acme.example"`, `"acknowledged_at":null`}},
			{name: "new version", who: "contributor", method: "POST", path: "/api/v1/documents/DOC-1/versions", body: `{"change_note":"Add oversight"}`,
				status: 201, has: []string{`"number":2`, `"status":"draft"`, `lawfully`}, actions: []string{"document.draft"}},
			{name: "one draft", who: "contributor", method: "POST", path: "/api/v1/documents/DOC-1/versions", body: `{}`, status: 409},
			{name: "discard stale", who: "contributor", method: "DELETE", path: "/api/v1/documents/DOC-1/draft?revision=2", status: 409},
			{name: "discard", who: "contributor", method: "DELETE", path: "/api/v1/documents/DOC-1/draft?revision=1", status: 200,
				has: []string{`"current":{"number":1`}, actions: []string{"document.draft_discard"}},
			{name: "second version", who: "contributor", method: "POST", path: "/api/v1/documents/DOC-1/versions",
				body: `{"text":"# AI policy\n\nWe use AI responsibly, lawfully and with oversight.","change_note":"Add oversight"}`, status: 201,
				actions: []string{"document.draft"}},
			{name: "approve v2", who: "owner", method: "POST", path: "/api/v1/documents/DOC-1/approve", body: `{"number":2,"revision":1}`,
				status: 200, has: []string{`"current":{"number":2`}, actions: []string{"document.approve"}},
			{name: "versions", who: "viewer", method: "GET", path: "/api/v1/documents/DOC-1/versions", status: 200,
				has: []string{`"number":2,"status":"approved","in_force":true`, `"number":1,"status":"approved","in_force":false`}},
			{name: "compare", who: "viewer", method: "GET", path: "/api/v1/documents/DOC-1/compare?from=1&to=2", status: 200,
				has: []string{`"added":1`, `"removed":1`, `{"op":"removed","from":3,"to":0,"text":"We use AI responsibly and lawfully."}`}},
			{name: "compare unknown", who: "viewer", method: "GET", path: "/api/v1/documents/DOC-1/compare?from=1&to=9", status: 404},
			{name: "to read again", who: "viewer", method: "GET", path: "/api/v1/documents-to-read", status: 200, has: []string{`"number":2`, `"earlier":1`}},
			{name: "viewer reviews", who: "viewer", method: "POST", path: "/api/v1/documents/DOC-1/review", status: 403},
			{name: "owner of the document reviews", who: "contributor", method: "POST", path: "/api/v1/documents/DOC-1/review", body: `{"note":"Still right."}`,
				status: 200, actions: []string{"document.review"}},
			{name: "lead reviews without body", who: "manager", method: "POST", path: "/api/v1/documents/DOC-1/review", status: 200,
				actions: []string{"document.review"}},
			{name: "reviews", who: "viewer", method: "GET", path: "/api/v1/documents/DOC-1/reviews", status: 200,
				has: []string{`"outcome":"no_change"`, `"note":"Still right."`, `"outcome":"approved"`}},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/documents/DOC-1/history", status: 200,
				has: []string{`"document.review"`, `"document.approve"`, `"ref":"DOC-1 v2"`}},
			{name: "list", who: "viewer", method: "GET", path: "/api/v1/documents?kind=ai_policy", status: 200, has: []string{`"total":1`, `"acknowledged_by_me":false`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/documents?status=gone&review=soon", status: 422,
				fields: []string{"query.review", "query.status"}},
			{name: "foreign list", who: "globex", method: "GET", path: "/api/v1/documents", status: 200, has: []string{`"total":0`}},
			{name: "contributor archives", who: "contributor", method: "POST", path: "/api/v1/documents/DOC-1/archive", status: 403},
			{name: "archive", who: "manager", method: "POST", path: "/api/v1/documents/DOC-1/archive", body: `{"reason":"Replaced"}`, status: 200,
				has: []string{`"status":"archived"`, `"archive_reason":"Replaced"`}, actions: []string{"document.archive"}},
			{name: "archived needs no reading", who: "viewer", method: "GET", path: "/api/v1/documents-to-read", status: 200, has: []string{`"items":[]`}},
			{name: "restore", who: "owner", method: "POST", path: "/api/v1/documents/DOC-1/restore", status: 200, has: []string{`"status":"active"`},
				actions: []string{"document.restore"}},
		})
	})
}

// TestDocumentResponsesMatchTheDocument validates real requests and answers
// of the document operations, errors included, against the OpenAPI document.
func TestDocumentResponsesMatchTheDocument(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ who, method, path, body string }{
		{"contributor", "POST", "/api/v1/documents", aiPolicy},
		{"contributor", "POST", "/api/v1/documents", `{"title":"","kind":"memo"}`},
		{"owner", "POST", "/api/v1/documents", aiPolicy},
		{"viewer", "GET", "/api/v1/documents?q=policy", ""},
		{"viewer", "GET", "/api/v1/documents/DOC-1", ""},
		{"globex", "GET", "/api/v1/documents/DOC-1", ""},
		{"contributor", "PATCH", "/api/v1/documents/DOC-1", `{"version":1,"review_months":6}`},
		{"contributor", "PATCH", "/api/v1/documents/DOC-1/draft", `{"revision":1,"change_note":"First"}`},
		{"manager", "POST", "/api/v1/documents/DOC-1/approve", `{"number":1,"revision":2}`},
		{"viewer", "GET", "/api/v1/documents/DOC-1/versions", ""},
		{"viewer", "GET", "/api/v1/documents/DOC-1/versions/1", ""},
		{"viewer", "GET", "/api/v1/documents/DOC-1/versions/1/text", ""},
		{"viewer", "GET", "/api/v1/documents-to-read", ""},
		{"viewer", "POST", "/api/v1/documents/DOC-1/acknowledge", `{"number":1}`},
		{"viewer", "POST", "/api/v1/documents/DOC-1/acknowledge", `{"number":1}`},
		{"viewer", "GET", "/api/v1/documents/DOC-1/acknowledgements", ""},
		{"contributor", "POST", "/api/v1/documents/DOC-1/versions", `{}`},
		{"contributor", "DELETE", "/api/v1/documents/DOC-1/draft?revision=1", ""},
		{"contributor", "POST", "/api/v1/documents/DOC-1/versions", `{"text":"Two"}`},
		{"owner", "POST", "/api/v1/documents/DOC-1/approve", `{"number":2,"revision":1}`},
		{"viewer", "GET", "/api/v1/documents/DOC-1/compare?from=1&to=2", ""},
		{"manager", "POST", "/api/v1/documents/DOC-1/review", ""},
		{"viewer", "GET", "/api/v1/documents/DOC-1/reviews", ""},
		{"viewer", "GET", "/api/v1/documents/DOC-1/history", ""},
		{"manager", "POST", "/api/v1/documents/DOC-1/archive", ""},
		{"manager", "POST", "/api/v1/documents/DOC-1/restore", ""},
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
