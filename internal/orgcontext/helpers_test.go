package orgcontext_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/orgcontext"
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
	svc     *orgcontext.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

// sources resolves systems from the real inventory.
type sources struct{ systems *aisystem.Service }

func (f sources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*orgcontext.SystemInfo, error) {
	sys, err := f.systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &orgcontext.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
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
		svc: orgcontext.New(d, logs, clock.Now, sources{systems}), as: map[aims.Role]*aims.Actor{}}
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

func (e *env) manager() *aims.Actor     { return e.as[aims.RoleManager] }
func (e *env) contributor() *aims.Actor { return e.as[aims.RoleContributor] }
func (e *env) viewer() *aims.Actor      { return e.as[aims.RoleViewer] }

// system registers an AI system in Acme.
func (e *env) system(t *testing.T, name string) *aisystem.System {
	t.Helper()
	s, err := e.systems.Create(e.ctx, e.as[aims.RoleOwner], aisystem.CreateRequest{Name: name, IntendedPurpose: "Purpose of " + name})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// complete is a draft that can be approved.
func complete() orgcontext.Content {
	return orgcontext.Content{
		InternalIssues: []orgcontext.Issue{{Issue: "Few staff trained in ML", Effect: "Models may be misused"}},
		ExternalIssues: []orgcontext.Issue{{Issue: "EU AI Act", Effect: "Credit scoring is high-risk"}},
		Parties: []orgcontext.Party{{Name: "Customers", Needs: "Fair decisions", Addressed: "Fairness monitoring"},
			{Name: "Regulator", Needs: "Reports"}},
		Scope:   orgcontext.Scope{Statement: "All AI systems of the lending business", Sites: []string{"Berlin"}},
		Climate: orgcontext.Climate{Decision: orgcontext.ClimateNotRelevant, Justification: "Compute use is small"},
	}
}

// save saves the draft as the contributor, based on its current version.
func (e *env) save(t *testing.T, c orgcontext.Content) *orgcontext.Draft {
	t.Helper()
	d, err := e.svc.Draft(e.ctx, e.viewer())
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.svc.SaveDraft(e.ctx, e.contributor(), orgcontext.DraftRequest{Version: d.Version, Content: c})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
