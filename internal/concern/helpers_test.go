package concern_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/concern"
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

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is one database with the service under test, the real AI system
// inventory and identity, and an organisation, Acme, with one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	svc     *concern.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

// sources resolves systems and organisation names from the real services.
type sources struct {
	systems *aisystem.Service
	ids     *identity.Service
}

func (f sources) System(ctx context.Context, orgID, idOrRef string) (*concern.SystemInfo, error) {
	sys, err := f.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &concern.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

func (f sources) OrgName(ctx context.Context, orgID string) (string, error) {
	o, err := f.ids.Org(ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "test", OrgID: orgID})
	if err != nil {
		return "", err
	}
	return o.Name, nil
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
		svc: concern.New(d, logs, clock.Now, sources{systems, ids}), as: map[aims.Role]*aims.Actor{}}
	for _, r := range aims.Roles {
		a := e.member(t, "Acme Ltd", string(r)+"@acme.example", "Acme "+string(r), r)
		e.as[r] = a
		e.org = a.OrgID
	}
	return e
}

// member adds a person with a role to an organisation, creating it if needed.
func (e *env) member(t *testing.T, org, email, name string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.ids.CreateUser(e.ctx, admin, identity.CreateUserRequest{Org: org, Email: email, Name: name, Role: role, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.ids.ActorFor(e.ctx, res.User.ID, res.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) manager() *aims.Actor { return e.as[aims.RoleManager] }

// report records a concern as a member of a role.
func (e *env) report(t *testing.T, role aims.Role, req concern.ReportRequest) *concern.Receipt {
	t.Helper()
	rc, err := e.svc.Report(e.ctx, e.as[role], req)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// publicLink turns public reporting on and returns the link's secret.
func (e *env) publicLink(t *testing.T) string {
	t.Helper()
	st, err := e.svc.Settings(e.ctx, e.manager())
	if err != nil {
		t.Fatal(err)
	}
	_, link, err := e.svc.SetPublic(e.ctx, e.manager(), concern.SettingsRequest{Version: st.Version, PublicEnabled: true})
	if err != nil || link == nil {
		t.Fatalf("public link %+v, %v", link, err)
	}
	return link.Secret
}

func ptr[T any](v T) *T { return &v }
