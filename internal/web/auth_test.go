package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/tlog"
)

func TestSetupRedirectsUntilDoneAndWorksOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.client()
		for _, p := range []string{"/", "/systems", "/login", "/audit", "/nowhere"} {
			wantRedirect(t, c.get(p), "/setup")
		}
		wantRedirect(t, c.post("/login", url.Values{"email": {"x@example.org"}}), "/setup")
		want(t, c.get("/setup"), http.StatusOK, "Set up aims", `name="organisation"`)

		// Invalid input is shown beside each field, keeping what was typed.
		r := c.post("/setup", url.Values{"organisation": {"Acme Ltd"}, "name": {""}, "email": {"not-an-email"}, "password": {"short"}})
		want(t, r, http.StatusUnprocessableEntity, `value="Acme Ltd"`, `value="not-an-email"`,
			`id="name-error"`, `id="email-error"`, `id="password-error"`, "Password must be at least 12 characters")
		wantNot(t, r, `value="short"`)

		r = c.post("/setup", url.Values{"organisation": {"Acme Ltd"}, "name": {"Olivia Owner"},
			"email": {"olivia@example.org"}, "password": {password}})
		wantRedirect(t, r, "/")
		want(t, c.get("/"), http.StatusOK, "Acme Ltd", "olivia@example.org", "Welcome to aims")

		// Once set up, the page is gone: signed in to the dashboard, otherwise to sign in.
		wantRedirect(t, c.get("/setup"), "/")
		other := e.client()
		wantRedirect(t, other.get("/setup"), "/login")
		wantRedirect(t, other.post("/setup", url.Values{"organisation": {"Evil"}, "name": {"Eve"},
			"email": {"eve@example.org"}, "password": {password}}), "/login")
		if _, _, err := e.app.Identity.Login(e.ctx, "eve@example.org", password, "test"); aims.CodeOf(err) != aims.CodeUnauthenticated {
			t.Fatalf("a second setup made an account: %v", err)
		}
	})
}

func TestLogin(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		want(t, c.get("/login"), http.StatusOK, "Sign in", `name="email"`, `name="password"`)

		// A page that needs a person sends them to sign in and back.
		r := c.get("/systems?q=credit")
		wantRedirect(t, r, "/login?next="+url.QueryEscape("/systems?q=credit"))
		want(t, c.get(r.Location()), http.StatusOK, `name="next" value="/systems?q=credit"`)

		r = c.post("/login", url.Values{"email": {"olivia@example.org"}, "password": {"wrong password!"}, "next": {"/systems"}})
		want(t, r, http.StatusUnauthorized, "The email or password is wrong", `value="olivia@example.org"`)
		wantNot(t, r, "wrong password!")

		r = c.post("/login", url.Values{"email": {"OLIVIA@example.org"}, "password": {password}, "next": {"/systems?q=credit"}})
		wantRedirect(t, r, "/systems?q=credit")
		want(t, c.get("/systems?q=credit"), http.StatusOK, "AI systems")
		// Signed in, the sign-in page moves on.
		wantRedirect(t, c.get("/login"), "/")

		// Only local paths are followed after signing in.
		for _, next := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`, "javascript:alert(1)"} {
			c2 := e.client()
			r := c2.post("/login", url.Values{"email": {"olivia@example.org"}, "password": {password}, "next": {next}})
			wantRedirect(t, r, "/")
		}
	})
}

func TestLoginRenewsTheSessionToken(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.get("/login")
		before := sessionCookie(t, c)
		// Plant a session value first, as an attacker fixing a session would.
		c.post("/login", url.Values{"email": {"olivia@example.org"}, "password": {"wrong password!"}})
		c.login("olivia@example.org")
		after := sessionCookie(t, c)
		if after == "" || after == before {
			t.Fatalf("the session token did not change on sign-in: %q → %q", before, after)
		}
	})
}

func sessionCookie(t testing.TB, c *client) string {
	t.Helper()
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "aims_session" {
			return ck.Value
		}
	}
	return ""
}

func TestLoginThrottled(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		bad := url.Values{"email": {"olivia@example.org"}, "password": {"not the password"}}
		var r response
		for i := 0; i < 12; i++ {
			if r = c.post("/login", bad); r.Status == http.StatusTooManyRequests {
				break
			}
			want(t, r, http.StatusUnauthorized)
		}
		want(t, r, http.StatusTooManyRequests, "Too many failed sign-ins", "before you try again", `value="olivia@example.org"`)
		secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || secs < 1 {
			t.Fatalf("Retry-After = %q, want a number of seconds", r.Header.Get("Retry-After"))
		}
		if !strings.Contains(r.Body, "wait "+plural(secs)) {
			t.Fatalf("the page does not give the wait of %d seconds\n%s", secs, clip(r.Body))
		}
	})
}

func plural(secs int) string {
	if secs == 1 {
		return "1 second"
	}
	return strconv.Itoa(secs) + " seconds"
}

func TestLogout(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		want(t, c.get("/"), http.StatusOK, "Sign out")
		wantRedirect(t, c.post("/logout", nil), "/login")
		wantRedirect(t, c.get("/settings"), "/login?next=%2Fsettings")
		wantRedirect(t, c.get("/"), "/login?next=%2F")
		evs, err := tlog.Events(e.ctx, e.app.DB, e.orgID, tlog.EventFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Action != "auth.logout" {
			t.Fatalf("latest audit event = %+v, want auth.logout", evs)
		}
	})
}

func TestStaleSessionAsksToChooseAnOrganisation(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		owner := e.owner()
		// Mia belongs to two organisations; she signs in to Acme, the first.
		mia := e.addUser(orgName, "mia@example.org", "Mia Member", aims.RoleContributor)
		other := e.join("Beta GmbH", "mia@example.org", aims.RoleViewer)
		c := e.client()
		c.login("mia@example.org")
		r := c.get("/")
		want(t, r, http.StatusOK, orgName, `action="/org"`, "Beta GmbH")

		// The owner removes her from Acme: her next page asks her to choose.
		if err := e.app.Identity.RemoveMember(e.ctx, owner, mia.User.ID); err != nil {
			t.Fatal(err)
		}
		r = c.get("/systems")
		want(t, r, http.StatusForbidden, "Choose an organisation", "Beta GmbH", `action="/logout"`)
		wantNot(t, r, ">"+orgName+"<")

		// She cannot pick the organisation she left.
		want(t, c.post("/org", url.Values{"org": {e.orgID}}), http.StatusForbidden)
		wantRedirect(t, c.post("/org", url.Values{"org": {other.Org.ID}}), "/")
		want(t, c.get("/"), http.StatusOK, "Beta GmbH", "You are now working in Beta GmbH")
	})
}

func TestSwitchOrganisation(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		e.join("Beta GmbH", "olivia@example.org", aims.RoleViewer)
		stranger := e.addUser("Gamma Inc", "gus@example.org", "Gus", aims.RoleOwner)
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/")
		want(t, r, http.StatusOK, `id="org-switch"`, "Beta GmbH")
		betaID := ""
		ms, err := e.app.Identity.Memberships(e.ctx, e.ownerID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.OrgName == "Beta GmbH" {
				betaID = m.OrgID
			}
		}
		wantRedirect(t, c.post("/org", url.Values{"org": {betaID}}), "/")
		r = c.get("/settings")
		want(t, r, http.StatusOK, "Beta GmbH", "Viewer")
		// Not a member of Gamma: refused, and the session stays in Beta.
		want(t, c.post("/org", url.Values{"org": {stranger.Org.ID}}), http.StatusForbidden)
		want(t, c.get("/settings"), http.StatusOK, "Beta GmbH")
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		form := url.Values{"name": {"Sneaky"}, "intended_purpose": {"Made by another site"}}
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/systems", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		want(t, c.do(req), http.StatusForbidden)
		// The same request from the site itself works.
		req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/systems", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		wantRedirect(t, c.do(req), "/systems/SYS-1")
		// Signing out from another site is refused too.
		req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/logout", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		want(t, c.do(req), http.StatusForbidden)
		want(t, c.get("/"), http.StatusOK, "Sign out")
	})
}

func TestBodyTooLarge(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		big := url.Values{"name": {"Big"}, "intended_purpose": {strings.Repeat("x", maxBody+1)}}
		r := c.post("/systems", big)
		want(t, r, http.StatusRequestEntityTooLarge, "too large")
		// Nothing was created.
		c2 := e.client()
		c2.login("olivia@example.org")
		want(t, c2.get("/systems"), http.StatusOK, "No AI systems match")
	})
}

func TestInvitation(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		owner := e.client()
		owner.login("olivia@example.org")
		r := owner.post("/members", url.Values{"email": {"nina@example.org"}, "name": {"Nina New"}, "role": {"contributor"}})
		want(t, r, http.StatusOK, "Invitation for Nina New", e.srv.URL+"/invite/inv_")
		link := regexpFind(t, r.Body, `value="(`+e.srv.URL+`/invite/inv_[A-Za-z0-9_-]+)"`)
		path := strings.TrimPrefix(link, e.srv.URL)
		// The link is not shown again.
		wantNot(t, owner.get("/members"), path)

		nina := e.client()
		r = nina.get(path)
		want(t, r, http.StatusOK, "Join Acme Ltd", "nina@example.org", `value="Nina New"`)
		r = nina.post(path, url.Values{"name": {"Nina N."}, "password": {"short"}})
		want(t, r, http.StatusUnprocessableEntity, `id="password-error"`, `value="Nina N."`, `aria-invalid="true"`)
		wantRedirect(t, nina.post(path, url.Values{"name": {"Nina N."}, "password": {password}}), "/")
		want(t, nina.get("/"), http.StatusOK, "nina@example.org", "Contributor", "Welcome to Acme Ltd")
		// An invitation works once.
		want(t, e.client().get(path), http.StatusNotFound, "unknown, used or expired")
		want(t, owner.get("/members"), http.StatusOK, "Nina N.")
	})
}

func TestSessionOfRemovedPasswordlessUserIsRefused(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		res := e.addUser(orgName, "ivan@example.org", "Ivan", aims.RoleViewer)
		c := e.client()
		c.login("ivan@example.org")
		if err := e.app.Identity.RemoveMember(e.ctx, e.owner(), res.User.ID); err != nil {
			t.Fatal(err)
		}
		r := c.get("/")
		want(t, r, http.StatusForbidden, "no longer belongs to any organisation", `action="/logout"`)
		wantRedirect(t, c.post("/logout", nil), "/login")
		// Signing in again is refused politely: he belongs nowhere.
		r = c.post("/login", url.Values{"email": {"ivan@example.org"}, "password": {password}})
		want(t, r, http.StatusForbidden, "does not belong to any organisation")
	})
}
