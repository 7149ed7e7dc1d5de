package nonconformity_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/nonconformity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is one database with the service under test, the real inventory and
// identity, and Acme with one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	svc     *nonconformity.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

// sources resolves clauses from the catalogue, systems and members from the
// real services, and knows two controls.
type sources struct {
	systems *aisystem.Service
	ids     *identity.Service
}

func (s sources) ClauseExists(id string) bool {
	_, ok := catalog.ClauseByID(id)
	return ok
}

func (s sources) ControlExists(_ context.Context, _, id string) (bool, error) {
	return id == "A.6.2.4" || id == "A.8.4", nil
}

func (s sources) System(ctx context.Context, orgID, idOrRef string) (*nonconformity.SystemInfo, error) {
	sys, err := s.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &nonconformity.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

func (s sources) IsMember(ctx context.Context, orgID, userID string) (bool, error) {
	_, err := s.ids.Member(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID}, userID)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return false, nil
	}
	return err == nil, err
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	key, err := tlog.LoadOrCreateKey(t.TempDir() + "/k")
	if err != nil {
		t.Fatal(err)
	}
	clock := servicetest.NewClock(servicetest.T0)
	logs := tlog.New(d, key.Signer, clock.Now)
	ids := identity.New(d, logs, clock.Now)
	ids.Argon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	systems := aisystem.New(d, logs, clock.Now)
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, systems: systems,
		svc: nonconformity.New(d, logs, clock.Now, sources{systems: systems, ids: ids}), as: map[aims.Role]*aims.Actor{}}
	for _, r := range aims.Roles {
		a := e.member(t, "Acme Ltd", string(r)+"@acme.example", r)
		e.as[r] = a
		e.org = a.OrgID
	}
	return e
}

// member adds a person with a role to an organisation and returns them as an actor.
func (e *env) member(t *testing.T, org, email string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.ids.CreateUser(e.ctx, admin, identity.CreateUserRequest{Org: org, Email: email, Name: strings.Split(email, "@")[0],
		Role: role, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.ids.ActorFor(e.ctx, res.User.ID, res.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) owner() *aims.Actor       { return e.as[aims.RoleOwner] }
func (e *env) manager() *aims.Actor     { return e.as[aims.RoleManager] }
func (e *env) contributor() *aims.Actor { return e.as[aims.RoleContributor] }
func (e *env) viewer() *aims.Actor      { return e.as[aims.RoleViewer] }

// raise raises a nonconformity as the contributor.
func (e *env) raise(t *testing.T, req nonconformity.CreateRequest) *nonconformity.Nonconformity {
	t.Helper()
	n, err := e.svc.Create(e.ctx, e.contributor(), req)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) get(t *testing.T, ref string) *nonconformity.Nonconformity {
	t.Helper()
	n, err := e.svc.Get(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ptr[T any](v T) *T { return &v }
