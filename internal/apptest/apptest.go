// Package apptest starts a real aims server on a fresh database for tests
// of the API, the pages and the command line, and makes organisations,
// members and tokens for them.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/app"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
)

// Env is a running aims server with an organisation and its owner.
type Env struct {
	App    *app.App
	Server *httptest.Server
	URL    string
	// Org and OwnerEmail name the organisation made by first-run setup.
	Org        *identity.Org
	OwnerEmail string
	// Password is the password of every user made here.
	Password string
	t        testing.TB
}

func init() {
	// Tests read failures, not the servers' routine information.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// Password is the password of every user apptest makes.
const Password = "correct horse battery staple"

// Config returns a configuration for a fresh database of the dialect, with
// extra settings given as AIMS_* names.
func Config(t testing.TB, dialect db.Dialect, extra map[string]string) *config.Config {
	t.Helper()
	u := dbtest.URL(t, dialect)
	if dialect == db.SQLite {
		u = "sqlite:" + u
	}
	vars := map[string]string{"AIMS_DATA_DIR": t.TempDir(), "AIMS_DATABASE_URL": u, "AIMS_LOG_LEVEL": "warn"}
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := config.Load(nil, func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// New starts a server on a fresh database of the dialect and sets it up
// with the organisation "Acme" and its owner.
func New(t testing.TB, dialect db.Dialect) *Env {
	t.Helper()
	return NewWithConfig(t, Config(t, dialect, nil))
}

// NewWithConfig starts a server with the given configuration and sets it
// up with the organisation "Acme" and its owner.
func NewWithConfig(t testing.TB, cfg *config.Config) *Env {
	t.Helper()
	e := Serve(t, cfg)
	_, org, err := e.App.Identity.Setup(context.Background(), identity.SetupRequest{Organisation: "Acme", Name: "Olive Owner",
		Email: e.OwnerEmail, Password: Password})
	if err != nil {
		t.Fatal(err)
	}
	e.Org = org
	return e
}

// Serve starts a server with the given configuration, as it is.
func Serve(t testing.TB, cfg *config.Config) *Env {
	t.Helper()
	a, err := app.Open(context.Background(), cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	a.Identity.Argon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	srv := httptest.NewServer(app.NewServer(a).Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Env{App: a, Server: srv, URL: srv.URL, OwnerEmail: "owner@acme.example", Password: Password, t: t}
}

// Get fetches a URL and returns its body, failing the test unless it answers 200.
func Get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// Member makes a user with a role in the organisation (creating it if
// needed) and returns an API token acting as them.
func (e *Env) Member(org, email string, role aims.Role) string {
	e.t.Helper()
	ctx := context.Background()
	admin := &aims.Actor{Kind: aims.ActorSystem, Name: "apptest"}
	if _, err := e.App.Identity.CreateUser(ctx, admin, identity.CreateUserRequest{
		Org: org, Email: email, Role: role, Password: Password}); err != nil {
		e.t.Fatal(err)
	}
	return e.Token(org, email)
}

// Token returns a new API token for an existing member.
func (e *Env) Token(org, email string) string {
	e.t.Helper()
	admin := &aims.Actor{Kind: aims.ActorSystem, Name: "apptest"}
	secret, _, err := e.App.Identity.CreateTokenFor(context.Background(), admin, email, org,
		identity.CreateTokenRequest{Name: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// Actions returns the actions of the organisation's audit events, oldest first.
func (e *Env) Actions(orgID string) []string {
	e.t.Helper()
	rows, err := e.App.DB.QueryContext(context.Background(), `SELECT action FROM audit_events WHERE org_id = ? ORDER BY idx`, orgID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}
