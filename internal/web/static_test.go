package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestStaticFilesAndHeaders(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		r := c.get("/login")
		want(t, r, http.StatusOK)
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Fatalf("CSP = %q", csp)
		}
		css := regexpFind(t, r.Body, `href="(/static/app\.css\?v=[0-9a-f]+)"`)
		r = c.get(css)
		want(t, r, http.StatusOK, "--accent")
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Fatalf("versioned CSS Cache-Control = %q", cc)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Fatalf("CSS Content-Type = %q", ct)
		}
		r = c.get("/static/app.css")
		if cc := r.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
			t.Fatalf("unversioned CSS Cache-Control = %q", cc)
		}
		js := regexpFind(t, r.Body+c.get("/login").Body, `src="(/static/app\.js\?v=[0-9a-f]+)"`)
		want(t, c.get(js), http.StatusOK, "data-confirm")
		want(t, c.get("/static/nothing.css"), http.StatusNotFound)
		// Unknown pages answer 404 without signing in.
		want(t, c.get("/no/such/page"), http.StatusNotFound, "Page not found")
		// Unknown API paths are not pages.
		r = c.get("/api/v1/no-such-thing")
		want(t, r, http.StatusNotFound)
		wantNot(t, r, "Page not found")
	})
}
