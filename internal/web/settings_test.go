package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
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
