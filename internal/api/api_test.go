package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// world is a server with one member of each role in Acme, and an owner of
// another organisation, Globex.
type world struct {
	*apptest.Env
	tokens map[string]string // by role, plus "globex" and "none"
	globex string            // Globex's organisation id
}

func newWorld(t *testing.T, dialect db.Dialect) *world {
	e := apptest.New(t, dialect)
	w := &world{Env: e, tokens: map[string]string{"none": ""}}
	w.tokens["owner"] = e.Token("Acme", e.OwnerEmail)
	for _, r := range []aims.Role{aims.RoleManager, aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer} {
		w.tokens[string(r)] = e.Member("Acme", string(r)+"@acme.example", r)
	}
	w.tokens["globex"] = e.Member("Globex", "owner@globex.example", aims.RoleOwner)
	if err := e.App.DB.QueryRowContext(context.Background(), `SELECT id FROM organisations WHERE name = 'Globex'`).Scan(&w.globex); err != nil {
		t.Fatal(err)
	}
	return w
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func (w *world) call(t *testing.T, who, method, path, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if tok := w.tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// locations lists the error locations of a problem answer.
func locations(t *testing.T, r response) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Location string }
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("not a problem: %s", r.body)
	}
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Location)
	}
	return out
}

const validSystem = `{"name":"Credit scoring","intended_purpose":"Score consumer credit applications","ai_roles":["provider"],"eu_ai_act_class":"high"}`

// step is one request by one caller and what it must answer and record.
type step struct {
	name                    string
	who, method, path, body string
	status                  int
	has                     []string // substrings of the answer
	fields                  []string // exact problem locations, when set
	actions                 []string // audit actions it adds to Acme's log
}

func (w *world) run(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		before := len(w.Actions(w.Org.ID))
		r := w.call(t, s.who, s.method, s.path, s.body)
		if r.status != s.status {
			t.Errorf("%s: %s %s as %s = %d, want %d\n%s", s.name, s.method, s.path, s.who, r.status, s.status, r.body)
			continue
		}
		for _, h := range s.has {
			if !bytes.Contains(r.body, []byte(h)) {
				t.Errorf("%s: answer lacks %q:\n%s", s.name, h, r.body)
			}
		}
		if s.fields != nil {
			if diff := cmp.Diff(s.fields, locations(t, r), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("%s: error locations (-want +got):\n%s", s.name, diff)
			}
		}
		if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: error answered with %s, want application/problem+json", s.name, r.header.Get("Content-Type"))
		}
		got := w.Actions(w.Org.ID)[before:]
		if diff := cmp.Diff(s.actions, got, cmpEmpty); diff != "" {
			t.Errorf("%s: audit actions (-want +got):\n%s", s.name, diff)
		}
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return cmp.Equal([]string(a), []string(b))
})

func eachDialect(t *testing.T, f func(t *testing.T, w *world)) {
	for _, d := range dbtest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { f(t, newWorld(t, d)) })
	}
}

// TestSystemsEndpoints runs requests as each kind of caller and checks the
// status, the answer and the audit events written.
func TestSystemsEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		create := []string{"ai_system.create"}
		w.run(t, []step{
			{name: "anonymous create", who: "none", method: "POST", path: "/api/v1/systems", body: validSystem, status: 401},
			{name: "viewer create", who: "viewer", method: "POST", path: "/api/v1/systems", body: validSystem, status: 403},
			{name: "auditor create", who: "auditor", method: "POST", path: "/api/v1/systems", body: validSystem, status: 403},
			{name: "owner create", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201,
				has: []string{`"ref":"SYS-1"`, `"lifecycle_stage":"inception"`, `"version":1`}, actions: create},
			{name: "manager create", who: "manager", method: "POST", path: "/api/v1/systems", status: 201,
				body: `{"name":"Chat assistant","intended_purpose":"Answer customer questions"}`, has: []string{`"ref":"SYS-2"`}, actions: create},
			{name: "contributor create", who: "contributor", method: "POST", path: "/api/v1/systems", status: 201,
				body: `{"name":"Fraud detection","intended_purpose":"Flag suspicious payments","lifecycle_stage":"deployment"}`, has: []string{`"ref":"SYS-3"`}, actions: create},
			{name: "duplicate name", who: "owner", method: "POST", path: "/api/v1/systems", status: 409,
				body: `{"name":"credit  SCORING","intended_purpose":"x"}`, fields: []string{"body.name"}},
			{name: "every bad field named", who: "owner", method: "POST", path: "/api/v1/systems", status: 422,
				body:   `{"name":"","lifecycle_stage":"someday","eu_ai_act_class":"huge","ai_roles":["boss"],"colour":"red"}`,
				fields: []string{"body.intended_purpose", "body.ai_roles[0]", "body.colour", "body.eu_ai_act_class", "body.lifecycle_stage", "body.name"}},
			{name: "service rules", who: "owner", method: "POST", path: "/api/v1/systems", status: 422,
				body: `{"name":"  ","intended_purpose":"x","owner_id":"not-a-user"}`, fields: []string{"body.name", "body.owner_id"}},
			{name: "malformed JSON", who: "owner", method: "POST", path: "/api/v1/systems", body: `{"name": `, status: 422},
			{name: "wrong type", who: "owner", method: "POST", path: "/api/v1/systems", body: `{"name": 3, "intended_purpose": "x"}`, status: 422,
				fields: []string{"body.name"}},
			{name: "wrong method", who: "owner", method: "PUT", path: "/api/v1/systems", body: validSystem, status: 405,
				has: []string{`"status":405`, `allowed: GET, HEAD, POST`}},
			{name: "unknown operation", who: "owner", method: "GET", path: "/api/v1/nothing", status: 404, has: []string{`"status":404`}},

			{name: "list as viewer", who: "viewer", method: "GET", path: "/api/v1/systems?sort=-name", status: 200,
				has: []string{`"total":3`, `"ref":"SYS-3"`}},
			{name: "search", who: "auditor", method: "GET", path: "/api/v1/systems?q=payments", status: 200, has: []string{`"total":1`, `"Fraud detection"`}},
			{name: "filter", who: "viewer", method: "GET", path: "/api/v1/systems?eu_ai_act_class=high", status: 200, has: []string{`"total":1`, `"SYS-1"`}},
			{name: "bad filter", who: "viewer", method: "GET", path: "/api/v1/systems?lifecycle_stage=soon&limit=500", status: 422,
				fields: []string{"query.lifecycle_stage", "query.limit"}},
			{name: "other organisation sees none", who: "globex", method: "GET", path: "/api/v1/systems", status: 200, has: []string{`"total":0`}},
			{name: "get by ref", who: "viewer", method: "GET", path: "/api/v1/systems/sys-1", status: 200, has: []string{`"name":"Credit scoring"`}},
			{name: "other organisation gets 404", who: "globex", method: "GET", path: "/api/v1/systems/SYS-1", status: 404},
			{name: "unknown gets 404", who: "owner", method: "GET", path: "/api/v1/systems/SYS-99", status: 404},
			{name: "no token", who: "none", method: "GET", path: "/api/v1/systems/SYS-1", status: 401},

			{name: "stage edit", who: "contributor", method: "PATCH", path: "/api/v1/systems/SYS-1", status: 422,
				body: `{"version":1,"lifecycle_stage":"deployment","description":"Scores applications"}`, fields: []string{"body.lifecycle_stage"}},
			{name: "update", who: "contributor", method: "PATCH", path: "/api/v1/systems/SYS-1", status: 200,
				body: `{"version":1,"lifecycle_stage":"inception","description":"Scores applications"}`,
				has:  []string{`"version":2`, `"lifecycle_stage":"inception"`}, actions: []string{"ai_system.update"}},
			{name: "stale version", who: "owner", method: "PATCH", path: "/api/v1/systems/SYS-1", status: 409,
				body: `{"version":1,"name":"Overwritten"}`, fields: []string{"body.version"}},
			{name: "viewer update", who: "viewer", method: "PATCH", path: "/api/v1/systems/SYS-1", body: `{"version":2,"name":"X"}`, status: 403},
			{name: "foreign update", who: "globex", method: "PATCH", path: "/api/v1/systems/SYS-1", body: `{"version":2,"name":"X"}`, status: 404},
			{name: "update missing version", who: "owner", method: "PATCH", path: "/api/v1/systems/SYS-1", body: `{"name":"X"}`, status: 422,
				fields: []string{"body.version"}},

			{name: "contributor archive", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-2/archive", status: 403},
			{name: "foreign archive", who: "globex", method: "POST", path: "/api/v1/systems/SYS-2/archive", status: 404},
			{name: "manager archive", who: "manager", method: "POST", path: "/api/v1/systems/SYS-2/archive", status: 200,
				has: []string{`"status":"archived"`}, actions: []string{"ai_system.archive"}},
			{name: "archived hidden by default", who: "viewer", method: "GET", path: "/api/v1/systems", status: 200, has: []string{`"total":2`}},
			{name: "archived listed on request", who: "viewer", method: "GET", path: "/api/v1/systems?status=archived", status: 200, has: []string{`"total":1`, `"SYS-2"`}},
			{name: "restore", who: "owner", method: "POST", path: "/api/v1/systems/SYS-2/restore", status: 200,
				has: []string{`"status":"active"`}, actions: []string{"ai_system.restore"}},

			{name: "history", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1/history", status: 200,
				has: []string{`"action":"ai_system.update"`, `"action":"ai_system.create"`, `"field":"description","before":"","after":"Scores applications"`,
					`"label":"contributor@acme.example"`}},
			{name: "foreign history", who: "globex", method: "GET", path: "/api/v1/systems/SYS-1/history", status: 404},
		})
	})
}

func TestBodyLimit(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		big := `{"name":"Big","intended_purpose":"` + strings.Repeat("x", 2<<20) + `"}`
		w.run(t, []step{{name: "over the limit", who: "owner", method: "POST", path: "/api/v1/systems", body: big, status: 413}})
		var n int
		if err := w.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM ai_systems`).Scan(&n); err != nil || n != 0 {
			t.Errorf("systems stored after a refused body: %d (%v)", n, err)
		}
	})
}

func TestTokensAndMembersEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		r := w.call(t, "viewer", "POST", "/api/v1/tokens", `{"name":"ci","expires":"30d"}`)
		if r.status != 201 {
			t.Fatalf("create token = %d %s", r.status, r.body)
		}
		secret, _ := r.json(t)["secret"].(string)
		id, _ := r.json(t)["id"].(string)
		if !strings.HasPrefix(secret, "aims_") {
			t.Fatalf("secret %q", secret)
		}
		w.tokens["ci"] = secret
		list := w.call(t, "ci", "GET", "/api/v1/tokens", "")
		if list.status != 200 || bytes.Contains(list.body, []byte(secret)) || !bytes.Contains(list.body, []byte(`"name":"ci"`)) {
			t.Errorf("token list = %d %s", list.status, list.body)
		}
		w.run(t, []step{
			{name: "bad expiry", who: "viewer", method: "POST", path: "/api/v1/tokens", body: `{"name":"x","expires":"soon"}`, status: 422, fields: []string{"body.expires"}},
			{name: "me", who: "ci", method: "GET", path: "/api/v1/me", status: 200, has: []string{`"role":"viewer"`, `"via":"token"`, `"name":"Acme"`}},
			{name: "another's token", who: "owner", method: "DELETE", path: "/api/v1/tokens/" + id, status: 404},
			{name: "revoke", who: "viewer", method: "DELETE", path: "/api/v1/tokens/" + id, status: 200, has: []string{`"revoked_at":"`},
				actions: []string{"api_token.revoke"}},
			{name: "revoked token refused", who: "ci", method: "GET", path: "/api/v1/me", status: 401},

			{name: "manager adds member", who: "manager", method: "POST", path: "/api/v1/members", body: `{"email":"new@acme.example","name":"New","role":"viewer"}`, status: 403},
			{name: "owner invites", who: "owner", method: "POST", path: "/api/v1/members", status: 201,
				body: `{"email":"new@acme.example","name":"Nia New","role":"contributor"}`, has: []string{`"invitation_path":"/invite/inv_`, `"active":false`},
				actions: []string{"member.add"}},
			{name: "invite twice", who: "owner", method: "POST", path: "/api/v1/members", status: 409,
				body: `{"email":"NEW@acme.example","role":"viewer"}`, fields: []string{"body.email"}},
			{name: "bad member", who: "owner", method: "POST", path: "/api/v1/members", status: 422, body: `{"email":"nope","role":"king"}`,
				fields: []string{"body.role"}},
			{name: "list members", who: "viewer", method: "GET", path: "/api/v1/members", status: 200, has: []string{`"email":"new@acme.example"`}},
		})
		var viewerID string
		if err := w.App.DB.QueryRowContext(context.Background(), `SELECT id FROM users WHERE email = 'viewer@acme.example'`).Scan(&viewerID); err != nil {
			t.Fatal(err)
		}
		var ownerID string
		if err := w.App.DB.QueryRowContext(context.Background(), `SELECT id FROM users WHERE email = ?`, w.OwnerEmail).Scan(&ownerID); err != nil {
			t.Fatal(err)
		}
		w.run(t, []step{
			{name: "promote", who: "owner", method: "PATCH", path: "/api/v1/members/" + viewerID, body: `{"role":"manager"}`, status: 200,
				has: []string{`"role":"manager"`}, actions: []string{"member.role_change"}},
			{name: "the role applies at once", who: "viewer", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201,
				actions: []string{"ai_system.create"}},
			{name: "last owner stays", who: "owner", method: "PATCH", path: "/api/v1/members/" + ownerID, body: `{"role":"viewer"}`, status: 409},
			{name: "foreign member", who: "globex", method: "PATCH", path: "/api/v1/members/" + viewerID, body: `{"role":"viewer"}`, status: 404},
			{name: "remove", who: "owner", method: "DELETE", path: "/api/v1/members/" + viewerID, status: 204, actions: []string{"member.remove"}},
			{name: "removed member's token refused", who: "viewer", method: "GET", path: "/api/v1/me", status: 401},
		})
	})
}
