package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// limitedWorld is a world whose decision requests may carry at most three
// records or 2048 bytes.
func limitedWorld(t *testing.T, d db.Dialect) *world {
	e := apptest.NewWithConfig(t, apptest.Config(t, d, map[string]string{"AIMS_DECISION_MAX_RECORDS": "3", "AIMS_DECISION_MAX_BYTES": "2048"}))
	w := &world{Env: e, tokens: map[string]string{"none": "", "owner": e.Token("Acme", e.OwnerEmail)}}
	w.tokens["contributor"] = e.Member("Acme", "contributor@acme.example", aims.RoleContributor)
	w.tokens["viewer"] = e.Member("Acme", "viewer@acme.example", aims.RoleViewer)
	return w
}

// chunked hides a body's length, so that it is sent in chunks.
type chunked struct{ io.Reader }

// TestDecisionLimits refuses bodies over the configured size with 413 and
// batches over the configured count with 422, storing nothing of either.
func TestDecisionLimits(t *testing.T) {
	for _, d := range dbtest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			w := limitedWorld(t, d)
			decisionSetup(t, w)
			const ingest = "/api/v1/systems/SYS-1/decisions"
			small := func(from, to int) []decision.Record {
				recs := sampleRecords(from, to)
				for i := range recs {
					recs[i].Explanation, recs[i].Inputs, recs[i].Sensitive = nil, nil, nil
				}
				return recs
			}
			big := sampleRecords(0, 3)
			for i := range big {
				big[i].Explanation.Text = strings.Repeat("x", 700)
			}
			if n := len(asArray(t, big)); n <= 2048 {
				t.Fatalf("the big body has only %d bytes", n)
			}
			if n := len(asLines(t, small(0, 4))); n > 2048 {
				t.Fatalf("the small body has %d bytes", n)
			}
			w.runTyped(t, []dstep{
				{step: step{name: "over the byte limit", who: "contributor", method: "POST", path: ingest, body: asArray(t, big), status: 413,
					fields: []string{"body"}, has: []string{"2048 bytes"}}},
				{step: step{name: "outcomes over the byte limit", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-1/outcomes",
					body: `[{"decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z","id":"` + strings.Repeat("o", 2100) + `"}]`, status: 413}},
				{step: step{name: "viewer over the byte limit", who: "viewer", method: "POST", path: ingest, body: asArray(t, big), status: 403}},
				{step: step{name: "over the record limit", who: "contributor", method: "POST", path: ingest, body: asLines(t, small(0, 4)), status: 422,
					fields: []string{"body"}, has: []string{"at most 3"}}, ctype: ndjson},
				{step: step{name: "array over the record limit", who: "contributor", method: "POST", path: ingest, body: asArray(t, small(0, 4)), status: 422,
					fields: []string{"body"}}},
			})
			// Without a Content-Length the limit holds as the body streams in.
			r := w.send(t, "contributor", "POST", ingest, ndjson, chunked{strings.NewReader(asLines(t, big))})
			if r.status != 413 {
				t.Errorf("chunked body over the limit = %d %s", r.status, r.body)
			}
			var n int
			if err := w.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM decisions`).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d decisions stored after refused requests (%v)", n, err)
			}
			w.runTyped(t, []dstep{{step: step{name: "at the limit", who: "contributor", method: "POST", path: ingest, body: asLines(t, small(0, 3)),
				status: 200, has: []string{`"accepted":3`}, actions: []string{"decision_log.create"}}, ctype: ndjson}})
		})
	}
}

// TestDecisionsMatchTheDocument validates the decision operations' answers,
// errors included, against the OpenAPI document.
func TestDecisionsMatchTheDocument(t *testing.T) {
	w := limitedWorld(t, db.SQLite)
	w.tokens["globex"] = w.Member("Globex", "owner@globex.example", aims.RoleOwner)
	w.tokens["manager"] = w.Member("Acme", "manager@acme.example", aims.RoleManager)
	decisionSetup(t, w)
	doc := loadDocument(t, w, "/api/openapi.json")
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	big := sampleRecords(0, 3)
	for i := range big {
		big[i].Explanation.Text = strings.Repeat("x", 700)
	}
	bad := sampleRecords(3, 5)
	bad[1].Time = time.Time{}
	const sys = "/api/v1/systems/SYS-1"
	statuses := map[int]bool{}
	for _, c := range []struct{ who, method, path, ctype, body string }{
		{"contributor", "POST", sys + "/decisions", "application/json", asArray(t, sampleRecords(0, 3))},
		{"contributor", "POST", sys + "/decisions", ndjson, asLines(t, sampleRecords(3, 4))},
		{"contributor", "POST", sys + "/decisions?partial=true", "application/json", asArray(t, bad)},
		{"contributor", "POST", sys + "/decisions", "application/json", asArray(t, bad)},
		{"contributor", "POST", sys + "/decisions", "application/json", asArray(t, big)},
		{"contributor", "POST", sys + "/decisions", "text/plain", "hello"},
		{"viewer", "POST", sys + "/decisions", "application/json", "[]"},
		{"globex", "POST", sys + "/decisions", "application/json", "[]"},
		{"contributor", "POST", sys + "/outcomes", ndjson, `{"decision":"d-0","label":"repaid","time":"2026-06-01T00:00:00Z"}`},
		{"contributor", "POST", sys + "/outcomes", "application/json", `[{"decision":"d-9","label":"repaid","time":"2026-06-01T00:00:00Z"}]`},
		{"viewer", "GET", sys + "/decisions", "", ""},
		{"contributor", "GET", sys + "/decisions?review=reviewed&limit=1", "", ""},
		{"contributor", "GET", sys + "/decisions?limit=0&before=-1", "", ""},
		{"contributor", "GET", sys + "/decisions/d-0", "", ""},
		{"contributor", "GET", sys + "/decisions/99", "", ""},
		{"contributor", "GET", sys + "/decisions/1/receipt", "", ""},
		{"viewer", "GET", sys + "/decision-log", "", ""},
		{"manager", "PUT", sys + "/decision-log/retention", "application/json", `{"days":400}`},
		{"manager", "PUT", sys + "/decision-log/retention", "application/json", `{"days":1}`},
		{"manager", "POST", sys + "/decisions/erase", "application/json", `{"subject":"subj-0","reason":"DSAR 7"}`},
		{"viewer", "GET", sys + "/oversight", "", ""},
		{"globex", "GET", sys + "/oversight", "", ""},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, _ := http.NewRequest(c.method, w.URL+c.path, body)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		r := w.send(t, c.who, c.method, c.path, c.ctype, body)
		statuses[r.status] = true
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
	for _, s := range []int{200, 403, 404, 413, 415, 422} {
		if !statuses[s] {
			t.Errorf("no answer with status %d was checked", s)
		}
	}
	// Every decision operation is documented with a summary, a description and the Decisions tag.
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if !strings.Contains(strings.Join(op.Tags, ","), "Decisions") {
				continue
			}
			n++
			if op.Summary == "" || op.Description == "" || !strings.HasPrefix(path, "/api/v1/systems/{id}/") {
				t.Errorf("%s %s lacks a summary or a description", method, path)
			}
		}
	}
	if n != 9 {
		t.Errorf("%d decision operations documented, want 9", n)
	}
	rb := doc.Paths.Find("/api/v1/systems/{id}/decisions").Post.RequestBody.Value
	if s := rb.Content.Get("application/json").Schema.Value; s.Items == nil || s.Items.Ref != "#/components/schemas/DecisionRecord" ||
		rb.Content.Get(ndjson) == nil || !strings.Contains(rb.Description, "NDJSON") {
		t.Errorf("the ingest body is not described as an array of records or NDJSON: %+v", rb)
	}
}
