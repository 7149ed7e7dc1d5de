package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// TestSystemTokenEndpoints creates tokens scoped to one AI system and checks
// that such a token can do nothing but write that system's decisions.
func TestSystemTokenEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		for _, b := range []string{validSystem, `{"name":"Chat assistant","intended_purpose":"Answer customer questions"}`,
			`{"name":"Old scorer","intended_purpose":"Retired"}`} {
			if r := w.call(t, "owner", "POST", "/api/v1/systems", b); r.status != 201 {
				t.Fatalf("create system = %d %s", r.status, r.body)
			}
		}
		if r := w.call(t, "owner", "POST", "/api/v1/systems/SYS-3/archive", ""); r.status != 200 {
			t.Fatalf("archive = %d %s", r.status, r.body)
		}
		if r := w.call(t, "globex", "POST", "/api/v1/systems", `{"name":"Globex bot","intended_purpose":"x"}`); r.status != 201 {
			t.Fatalf("create Globex system = %d %s", r.status, r.body)
		}
		sys1 := w.call(t, "owner", "GET", "/api/v1/systems/SYS-1", "").json(t)["id"].(string)

		before := len(w.Actions(w.Org.ID))
		r := w.call(t, "contributor", "POST", "/api/v1/systems/sys-1/tokens", `{"name":"scorer","expires":"30d"}`)
		if r.status != 201 {
			t.Fatalf("create system token = %d %s", r.status, r.body)
		}
		got := r.json(t)
		secret, _ := got["secret"].(string)
		id, _ := got["id"].(string)
		if !strings.HasPrefix(secret, "aims_") || got["system_id"] != sys1 || got["name"] != "scorer" || got["expires_at"] == nil {
			t.Fatalf("created %s", r.body)
		}
		if acts := w.Actions(w.Org.ID)[before:]; len(acts) != 1 || acts[0] != "api_token.create" {
			t.Errorf("audit actions = %q", acts)
		}
		w.tokens["scoped"] = secret
		// An ordinary token's answer has no system.
		plain := w.call(t, "contributor", "POST", "/api/v1/tokens", `{"name":"plain"}`)
		if plain.status != 201 || bytes.Contains(plain.body, []byte("system_id")) {
			t.Errorf("ordinary token = %d %s", plain.status, plain.body)
		}
		w.tokens["plain"], _ = plain.json(t)["secret"].(string)

		only := "only write decisions"
		w.run(t, []step{
			{name: "listing shows the system", who: "contributor", method: "GET", path: "/api/v1/tokens", status: 200,
				has: []string{`"id":"` + id + `"`, `"system_id":"` + sys1 + `"`, `"name":"plain"`}},
			{name: "by id", who: "manager", method: "POST", path: "/api/v1/systems/" + sys1 + "/tokens", body: `{"name":"by id"}`, status: 201,
				has: []string{`"system_id":"` + sys1 + `"`, `"secret":"aims_`}, actions: []string{"api_token.create"}},
			{name: "owner", who: "owner", method: "POST", path: "/api/v1/systems/SYS-2/tokens", body: `{"name":"chat","expires":"never"}`, status: 201,
				has: []string{`"expires_at":null`}, actions: []string{"api_token.create"}},
			{name: "viewer", who: "viewer", method: "POST", path: "/api/v1/systems/SYS-1/tokens", body: `{"name":"x"}`, status: 403},
			{name: "auditor", who: "auditor", method: "POST", path: "/api/v1/systems/SYS-1/tokens", body: `{"name":"x"}`, status: 403},
			{name: "anonymous", who: "none", method: "POST", path: "/api/v1/systems/SYS-1/tokens", body: `{"name":"x"}`, status: 401},
			{name: "unknown system", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-99/tokens", body: `{"name":"x"}`, status: 404},
			{name: "another organisation's system", who: "globex", method: "POST", path: "/api/v1/systems/" + sys1 + "/tokens", body: `{"name":"x"}`, status: 404},
			{name: "archived system", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-3/tokens", body: `{"name":"x"}`, status: 422,
				fields: []string{"path.id"}, has: []string{"archived"}},
			{name: "bad body", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-1/tokens", body: `{"name":" ","expires":"soon"}`, status: 422,
				fields: []string{"body.expires", "body.name"}},

			{name: "scoped token lists systems", who: "scoped", method: "GET", path: "/api/v1/systems", status: 403, has: []string{only}},
			{name: "scoped token reads its system", who: "scoped", method: "GET", path: "/api/v1/systems/SYS-1", status: 403, has: []string{only}},
			{name: "scoped token changes its system", who: "scoped", method: "PATCH", path: "/api/v1/systems/SYS-1", body: `{"version":1,"name":"X"}`, status: 403},
			{name: "scoped token creates a system", who: "scoped", method: "POST", path: "/api/v1/systems", body: validSystem, status: 403},
			{name: "scoped token lists tokens", who: "scoped", method: "GET", path: "/api/v1/tokens", status: 403},
			{name: "scoped token makes a token", who: "scoped", method: "POST", path: "/api/v1/tokens", body: `{"name":"escape"}`, status: 403},
			{name: "scoped token makes a system token", who: "scoped", method: "POST", path: "/api/v1/systems/SYS-1/tokens", body: `{"name":"escape"}`, status: 403},
			{name: "scoped token revokes itself", who: "scoped", method: "DELETE", path: "/api/v1/tokens/" + id, status: 403},
			{name: "scoped token asks who it is", who: "scoped", method: "GET", path: "/api/v1/me", status: 403},
			{name: "scoped token reads the audit log", who: "scoped", method: "GET", path: "/api/v1/audit/entries", status: 403},
			{name: "ordinary token still works", who: "plain", method: "GET", path: "/api/v1/systems", status: 200, has: []string{`"total":2`}},
			{name: "ordinary token reads a system", who: "plain", method: "GET", path: "/api/v1/systems/SYS-1", status: 200},

			{name: "revoke the scoped token", who: "contributor", method: "DELETE", path: "/api/v1/tokens/" + id, status: 200,
				has: []string{`"system_id":"` + sys1 + `"`, `"revoked_at":"`}, actions: []string{"api_token.revoke"}},
			{name: "revoked scoped token", who: "scoped", method: "GET", path: "/api/v1/systems", status: 401},
		})
	})
}

// TestSystemTokenRefusedEverywhere calls every read operation of the API
// with a system-scoped token: none may answer it with data.
func TestSystemTokenRefusedEverywhere(t *testing.T) {
	w := newWorld(t, db.SQLite)
	if r := w.call(t, "owner", "POST", "/api/v1/systems", validSystem); r.status != 201 {
		t.Fatalf("create system = %d %s", r.status, r.body)
	}
	r := w.call(t, "owner", "POST", "/api/v1/systems/SYS-1/tokens", `{"name":"scorer"}`)
	if r.status != 201 {
		t.Fatalf("create system token = %d %s", r.status, r.body)
	}
	w.tokens["scoped"], _ = r.json(t)["secret"].(string)
	doc := loadDocument(t, w, "/api/openapi.json")
	param := regexp.MustCompile(`\{[^}]+\}`)
	gets := 0
	for path, item := range doc.Paths.Map() {
		if strings.Contains(path, "/decisions") || strings.Contains(path, "/outcomes") {
			continue // the decision log's own operations, tested with it
		}
		concrete := param.ReplaceAllString(path, "SYS-1")
		for method := range item.Operations() {
			body := ""
			if method != http.MethodGet && method != http.MethodDelete {
				body = "{}"
			}
			r := w.call(t, "scoped", method, concrete, body)
			public := w.call(t, "none", method, concrete, body).status
			switch {
			case r.status >= 500 || public >= 500:
				t.Errorf("%s %s = %d with a scoped token, %d anonymously: a server error\n%s", method, concrete, r.status, public, r.body)
			case method == http.MethodGet && public != 401:
				// open to anyone, such as the audit log's public key
			case method == http.MethodGet:
				gets++
				if r.status != 403 {
					t.Errorf("GET %s with a scoped token = %d, want 403\n%s", concrete, r.status, r.body)
				}
			case r.status < 300:
				t.Errorf("%s %s with a scoped token = %d\n%s", method, concrete, r.status, r.body)
			}
		}
	}
	if gets < 50 {
		t.Errorf("only %d read operations checked", gets)
	}
}

// TestSystemTokenMatchesTheDocument validates the new operation's answers,
// errors included, against the OpenAPI document.
func TestSystemTokenMatchesTheDocument(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	if r := w.call(t, "owner", "POST", "/api/v1/systems", validSystem); r.status != 201 {
		t.Fatalf("create system = %d %s", r.status, r.body)
	}
	statuses := map[int]bool{}
	for _, c := range []struct{ who, method, path, body string }{
		{"contributor", "POST", "/api/v1/systems/SYS-1/tokens", `{"name":"scorer","expires":"7d"}`},
		{"viewer", "POST", "/api/v1/systems/SYS-1/tokens", `{"name":"x"}`},
		{"none", "POST", "/api/v1/systems/SYS-1/tokens", `{"name":"x"}`},
		{"owner", "POST", "/api/v1/systems/SYS-9/tokens", `{"name":"x"}`},
		{"owner", "POST", "/api/v1/systems/SYS-1/tokens", `{"name":"","expires":"soon"}`},
		{"contributor", "GET", "/api/v1/tokens", ""},
	} {
		req, _ := http.NewRequest(c.method, w.URL+c.path, strings.NewReader(c.body))
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		r := w.call(t, c.who, c.method, c.path, c.body)
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
	for _, s := range []int{200, 201, 401, 403, 404, 422} {
		if !statuses[s] {
			t.Errorf("no answer with status %d was checked", s)
		}
	}
}
