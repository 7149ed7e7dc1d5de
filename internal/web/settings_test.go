package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
)

func TestTokenSecretShownOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		want(t, c.get("/settings"), http.StatusOK, "You have no API tokens", `<option value="90d" selected>`)

		r := c.post("/settings/tokens", url.Values{"name": {""}, "expires": {"30d"}})
		want(t, r, http.StatusUnprocessableEntity, `id="token_name-error"`, "Name is required", `<option value="30d" selected>`)

		r = c.post("/settings/tokens", url.Values{"name": {"CI pipeline"}, "expires": {"365d"}})
		want(t, r, http.StatusOK, "Your new token “CI pipeline”", "It will not be shown again", "CI pipeline")
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("the page with the secret has Cache-Control %q, want no-store", cc)
		}
		secret := regexpFind(t, r.Body, `id="new-token-secret" class="secret" readonly value="(aims_[A-Za-z0-9_-]+)"`)
		if strings.Count(r.Body, secret) != 1 {
			t.Fatal("the secret appears more than once on the page")
		}
		// The token works for the API.
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		want(t, e.client().do(req), http.StatusOK, "olivia@example.org")

		// Afterwards the list shows the token, never its secret.
		r = c.get("/settings")
		want(t, r, http.StatusOK, "CI pipeline", "Active", "/revoke")
		wantNot(t, r, secret, "It will not be shown again")
		id := regexpFind(t, r.Body, `action="/settings/tokens/([0-9a-f-]{36})/revoke"`)

		wantRedirect(t, c.post("/settings/tokens/"+id+"/revoke", nil), "/settings")
		r = c.get("/settings")
		want(t, r, http.StatusOK, "The token CI pipeline is revoked", "Revoked")
		wantNot(t, r, "/revoke\"")
		want(t, e.client().do(req), http.StatusUnauthorized)
		want(t, c.post("/settings/tokens/"+aims.NewID()+"/revoke", nil), http.StatusNotFound)
	})
}

func TestChangePassword(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		r := c.post("/settings/password", url.Values{"current_password": {"not it"}, "new_password": {"short"}})
		want(t, r, http.StatusUnprocessableEntity, `id="current_password-error"`, "Current password is not your current password",
			`id="new_password-error"`, "New password must be at least 12 characters")
		wantNot(t, r, `value="not it"`, `value="short"`)

		wantRedirect(t, c.post("/settings/password", url.Values{"current_password": {password}, "new_password": {"a brand new passphrase"}}), "/settings")
		want(t, c.get("/settings"), http.StatusOK, "Your password is changed")
		wantRedirect(t, c.post("/logout", nil), "/login")
		want(t, c.post("/login", url.Values{"email": {"olivia@example.org"}, "password": {password}}), http.StatusUnauthorized)
		wantRedirect(t, c.post("/login", url.Values{"email": {"olivia@example.org"}, "password": {"a brand new passphrase"}}), "/")
	})
}

func TestSystemTokenForm(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		ada := e.addUser(orgName, "ada@example.org", "Ada", aims.RoleContributor)
		e.addUser(orgName, "vic@example.org", "Vic", aims.RoleViewer)
		c := e.client()
		c.login("ada@example.org")
		want(t, c.get("/settings"), http.StatusOK, "Create a token for an AI system's decisions",
			"There is no active AI system to make one for", `href="/systems/new"`)

		scoring := e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score applications"})
		old := e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Old scorer", IntendedPurpose: "Retired"})
		if _, err := e.app.Systems.Archive(e.ctx, e.owner(), old.ID); err != nil {
			t.Fatal(err)
		}
		r := c.get("/settings")
		want(t, r, http.StatusOK, `<input type="hidden" name="kind" value="system">`, `<option value="SYS-1">SYS-1 Credit scoring</option>`,
			`id="system_token_system"`, "Create system token")
		wantNot(t, r, "SYS-2", "There is no active AI system")

		// Problems are shown by this form's fields, and what was typed stays.
		r = c.post("/settings/tokens", url.Values{"kind": {"system"}, "system": {""}, "name": {"scorer"}, "expires": {"soon"}})
		want(t, r, http.StatusUnprocessableEntity, `id="system_token_system-error"`, `id="system_token_expires-error"`,
			`href="#system_token_system"`)
		regexpFind(t, r.Body, `<input[^>]*id="system_token_name"[^>]*value="(scorer)"`)
		wantNot(t, r, `id="token_name-error"`, `id="token_expires-error"`, "It will not be shown again")
		r = c.post("/settings/tokens", url.Values{"kind": {"system"}, "system": {"SYS-2"}, "name": {"scorer"}, "expires": {"30d"}})
		want(t, r, http.StatusUnprocessableEntity, `id="system_token_system-error"`, "SYS-2 is archived", `<option value="30d" selected>`)
		r = c.post("/settings/tokens", url.Values{"kind": {"system"}, "system": {"SYS-99"}, "name": {"scorer"}})
		want(t, r, http.StatusUnprocessableEntity, `id="system_token_system-error"`)
		if n := len(tokensOf(t, e, ada.User.ID)); n != 0 {
			t.Fatalf("%d tokens stored after refusals", n)
		}

		r = c.post("/settings/tokens", url.Values{"kind": {"system"}, "system": {"SYS-1"}, "name": {"scoring service"}, "expires": {"365d"}})
		want(t, r, http.StatusOK, "Your new token “scoring service”",
			"It may only write the decisions and outcomes of SYS-1 Credit scoring", "It will not be shown again")
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("the page with the secret has Cache-Control %q, want no-store", cc)
		}
		secret := regexpFind(t, r.Body, `id="new-token-secret" class="secret" readonly value="(aims_[A-Za-z0-9_-]+)"`)
		if strings.Count(r.Body, secret) != 1 {
			t.Fatal("the secret appears more than once on the page")
		}
		toks := tokensOf(t, e, ada.User.ID)
		if len(toks) != 1 || toks[0].SystemID != scoring.ID || toks[0].Name != "scoring service" {
			t.Fatalf("stored tokens = %+v", toks)
		}
		// The token reads nothing through the API, not even who it is.
		for _, path := range []string{"/api/v1/me", "/api/v1/systems", "/api/v1/systems/SYS-1"} {
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			want(t, e.client().do(req), http.StatusForbidden, "only write decisions")
		}

		// The list says what each token may do; an archived system is still named.
		wantOK := c.post("/settings/tokens", url.Values{"name": {"laptop"}, "expires": {"30d"}})
		want(t, wantOK, http.StatusOK, "Your new token “laptop”")
		wantNot(t, wantOK, "It may only write the decisions")
		if _, err := e.app.Systems.Archive(e.ctx, e.owner(), scoring.ID); err != nil {
			t.Fatal(err)
		}
		r = c.get("/settings")
		want(t, r, http.StatusOK, `Write decisions of <a href="/systems/SYS-1">SYS-1 Credit scoring</a>`, "All your role allows",
			"There is no active AI system to make one for")
		wantNot(t, r, secret)

		// A viewer sees no such form and is refused one.
		v := e.client()
		v.login("vic@example.org")
		wantNot(t, v.get("/settings"), "Create a token for an AI system", `name="kind"`)
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Chat", IntendedPurpose: "Answer"})
		want(t, v.post("/settings/tokens", url.Values{"kind": {"system"}, "system": {"SYS-3"}, "name": {"x"}}), http.StatusForbidden)
	})
}

// tokensOf lists a person's tokens through the service.
func tokensOf(t *testing.T, e *env, userID string) []identity.Token {
	t.Helper()
	toks, err := e.app.Identity.ListTokens(e.ctx, e.actor(userID, e.orgID))
	if err != nil {
		t.Fatal(err)
	}
	return toks
}
