package identity_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps the service's warnings about failed sign-ins out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// t0 is when every test starts.
var t0 = servicetest.T0

// env is one database with the services under test.
type env struct {
	ctx   context.Context
	d     *db.DB
	clock *servicetest.Clock
	logs  *tlog.Logs
	svc   *identity.Service
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	key, err := tlog.LoadOrCreateKey(t.TempDir() + "/k")
	if err != nil {
		t.Fatal(err)
	}
	clock := servicetest.NewClock(t0)
	logs := tlog.New(d, key.Signer, clock.Now)
	svc := identity.New(d, logs, clock.Now)
	svc.Argon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	return &env{ctx: context.Background(), d: d, clock: clock, logs: logs, svc: svc}
}

// The password every test user gets.
const password = "correct horse battery"

var system = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// setup runs the one-time setup and returns the owner as a signed-in actor.
func (e *env) setup(t *testing.T) (*identity.User, *identity.Org, *aims.Actor) {
	t.Helper()
	u, o, err := e.svc.Setup(e.ctx, identity.SetupRequest{
		Organisation: "Acme Ltd", Name: "Olivia Owner", Email: "olivia@example.org", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return u, o, e.actor(t, u.ID, o.ID)
}

// addUser makes an active user with a role in an organisation through the
// administrative path, creating the organisation if needed, and returns them
// as a signed-in actor.
func (e *env) addUser(t *testing.T, org, email, name string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.svc.CreateUser(e.ctx, system, identity.CreateUserRequest{
		Org: org, Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return e.actor(t, res.User.ID, res.Org.ID)
}

// addExisting gives an existing user a role in an organisation, creating the
// organisation if needed, and returns them as a signed-in actor there.
func (e *env) addExisting(t *testing.T, org, email string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.svc.CreateUser(e.ctx, system, identity.CreateUserRequest{Org: org, Email: email, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return e.actor(t, res.User.ID, res.Org.ID)
}

func (e *env) actor(t *testing.T, userID, orgID string) *aims.Actor {
	t.Helper()
	a, err := e.svc.ActorFor(e.ctx, userID, orgID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
