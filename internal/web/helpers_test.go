package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/app"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
)

// TestMain keeps the test output to errors, which a failing page logs.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	os.Exit(m.Run())
}

// maxBody is the request body limit of the test servers.
const maxBody = 64 << 10

// password is every test person's password.
const password = "correct horse battery"

// orgName is the organisation that setup creates.
const orgName = "Acme Ltd"

// system is the administrative actor that makes test members.
var system = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is a real aims app served over HTTP on one database.
type env struct {
	t   testing.TB
	ctx context.Context
	app *app.App
	srv *httptest.Server
	// ownerID and orgID are set by setup.
	ownerID, orgID string
}

// eachDialect runs f once per available database dialect, each with a fresh app.
func eachDialect(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range dbtest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { f(t, newEnv(t, d)) })
	}
}

// newEnv opens the app on a fresh database of the dialect and serves it.
func newEnv(t testing.TB, dialect db.Dialect) *env {
	t.Helper()
	ae := apptest.Serve(t, apptest.Config(t, dialect, map[string]string{"AIMS_MAX_BODY_BYTES": strconv.Itoa(maxBody)}))
	return &env{t: t, ctx: context.Background(), app: ae.App, srv: ae.Server}
}

// setup runs the one-time setup through the service and returns the owner's user and organisation.
func (e *env) setup() (*identity.User, *identity.Org) {
	e.t.Helper()
	u, o, err := e.app.Identity.Setup(e.ctx, identity.SetupRequest{
		Organisation: orgName, Name: "Olivia Owner", Email: "olivia@example.org", Password: password})
	if err != nil {
		e.t.Fatal(err)
	}
	e.ownerID, e.orgID = u.ID, o.ID
	return u, o
}

// addUser makes an active person with a role in an organisation, creating it if needed.
func (e *env) addUser(org, email, name string, role aims.Role) *identity.CreateUserResult {
	e.t.Helper()
	res, err := e.app.Identity.CreateUser(e.ctx, system, identity.CreateUserRequest{
		Org: org, Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// join gives an existing person a role in another organisation, creating it if needed.
func (e *env) join(org, email string, role aims.Role) *identity.CreateUserResult {
	e.t.Helper()
	res, err := e.app.Identity.CreateUser(e.ctx, system, identity.CreateUserRequest{Org: org, Email: email, Role: role})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// actor returns a person as an actor in an organisation, for calling services directly.
func (e *env) actor(userID, orgID string) *aims.Actor {
	e.t.Helper()
	a, err := e.app.Identity.ActorFor(e.ctx, userID, orgID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// createSystem registers a system through the service.
func (e *env) createSystem(a *aims.Actor, req aisystem.CreateRequest) *aisystem.System {
	e.t.Helper()
	s, err := e.app.Systems.Create(e.ctx, a, req)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// client is a browser-like HTTP client with cookies that does not follow redirects.
type client struct {
	t  testing.TB
	e  *env
	hc *http.Client
}

func (e *env) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &client{t: e.t, e: e, hc: hc}
}

// response is what a request answered.
type response struct {
	Status int
	Header http.Header
	Body   string
}

// Location is where a redirect points.
func (r response) Location() string { return r.Header.Get("Location") }

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login signs the client in and fails the test unless it works.
func (c *client) login(email string) {
	c.t.Helper()
	r := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther || r.Location() != "/" {
		c.t.Fatalf("login %s: got %d to %q, want 303 to /\n%s", email, r.Status, r.Location(), r.Body)
	}
}

// want fails unless the response has the status and every text.
func want(t testing.TB, r response, status int, texts ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got status %d, want %d (Location %q)\n%s", r.Status, status, r.Location(), clip(r.Body))
	}
	for _, s := range texts {
		if !strings.Contains(r.Body, s) {
			t.Fatalf("the page does not contain %q\n%s", s, clip(r.Body))
		}
	}
}

// wantRedirect fails unless the response is a 303 to the location.
func wantRedirect(t testing.TB, r response, location string) {
	t.Helper()
	if r.Status != http.StatusSeeOther || r.Location() != location {
		t.Fatalf("got %d to %q, want 303 to %q\n%s", r.Status, r.Location(), location, clip(r.Body))
	}
}

// wantNot fails if the body contains any of the texts.
func wantNot(t testing.TB, r response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(r.Body, s) {
			t.Fatalf("the page contains %q but should not\n%s", s, clip(r.Body))
		}
	}
}

// inlineCode finds what the content security policy would block: inline
// styles, inline scripts and event handler attributes.
var inlineCode = regexp.MustCompile(`(?i)\sstyle=|<style|<script>|<script\s+(?:[^>]*\s)?(?:type=)|\son[a-z]+=`)

// wantCSPSafe fails if an HTML page holds anything the strict CSP blocks.
func wantCSPSafe(t testing.TB, r response) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		return
	}
	if m := inlineCode.FindString(r.Body); m != "" {
		t.Fatalf("the page holds inline code %q that the CSP blocks", m)
	}
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// signedIn sets up aims with an owner, adds one member per other role and
// returns a signed-in client for each role.
func (e *env) signedIn() map[aims.Role]*client {
	e.t.Helper()
	e.setup()
	out := map[aims.Role]*client{}
	owner := e.client()
	owner.login("olivia@example.org")
	out[aims.RoleOwner] = owner
	for _, r := range aims.Roles[1:] {
		email := string(r) + "@example.org"
		e.addUser(orgName, email, sentenceCase(string(r))+" Person", r)
		c := e.client()
		c.login(email)
		out[r] = c
	}
	return out
}

func sentenceCase(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// owner returns the setup owner as an actor.
func (e *env) owner() *aims.Actor { return e.actor(e.ownerID, e.orgID) }

// regexpFind returns the first group of the pattern's first match, failing when there is none.
func regexpFind(t testing.TB, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("nothing matches %s\n%s", pattern, clip(s))
	}
	return m[1]
}
