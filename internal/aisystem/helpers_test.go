package aisystem_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// t0 is when every test starts.
var t0 = servicetest.T0

// env is one database with the services under test and an organisation,
// Acme, with one member of each role.
type env struct {
	ctx   context.Context
	d     *db.DB
	clock *servicetest.Clock
	ids   *identity.Service
	svc   *aisystem.Service
	org   string
	// as holds Acme's members by role.
	as map[aims.Role]*aims.Actor
	// names holds each member's name by user id.
	names map[string]string
}

const password = "correct horse battery"

var system = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	key, err := tlog.LoadOrCreateKey(t.TempDir() + "/k")
	if err != nil {
		t.Fatal(err)
	}
	clock := servicetest.NewClock(t0)
	logs := tlog.New(d, key.Signer, clock.Now)
	ids := identity.New(d, logs, clock.Now)
	ids.Argon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, svc: aisystem.New(d, logs, clock.Now),
		as: map[aims.Role]*aims.Actor{}, names: map[string]string{}}
	for _, r := range aims.Roles {
		a := e.member(t, "Acme Ltd", string(r)+"@acme.example", "Acme "+string(r), r)
		e.as[r] = a
		e.org = a.OrgID
	}
	return e
}

// member adds a person with a role to an organisation, creating it if
// needed, and returns them as a signed-in actor.
func (e *env) member(t *testing.T, org, email, name string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.ids.CreateUser(e.ctx, system, identity.CreateUserRequest{Org: org, Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.ids.ActorFor(e.ctx, res.User.ID, res.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.names[a.UserID] = name
	return a
}

// create adds a system to Acme as its owner and fails the test on error.
func (e *env) create(t *testing.T, req aisystem.CreateRequest) *aisystem.System {
	t.Helper()
	s, err := e.svc.Create(e.ctx, e.as[aims.RoleOwner], req)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get reads a system of Acme.
func (e *env) get(t *testing.T, idOrRef string) *aisystem.System {
	t.Helper()
	s, err := e.svc.Get(e.ctx, e.as[aims.RoleViewer], idOrRef)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }
