package supplier_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// t0 is when every test starts: Monday 2 March 2026, 09:00 UTC.
var t0 = servicetest.T0

const password = "correct horse battery"

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is one database with the service under test, the real AI system
// inventory and identity, fake models and data sets, and an organisation,
// Acme, with one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	fakes   *fakeSources
	svc     *supplier.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

// fakeSources resolves systems and members from the real services and
// models and data sets from what the test registers.
type fakeSources struct {
	systems  *aisystem.Service
	ids      *identity.Service
	mu       sync.Mutex
	models   map[string]supplier.ItemInfo // by org and upper-case ref or id
	datasets map[string]supplier.ItemInfo
}

func (f *fakeSources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*supplier.SystemInfo, error) {
	sys, err := f.systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &supplier.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name, Purpose: sys.IntendedPurpose, Status: sys.Status}, nil
}

func (f *fakeSources) Members(ctx context.Context, actor *aims.Actor) ([]supplier.Member, error) {
	ms, err := f.ids.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]supplier.Member, len(ms))
	for i, m := range ms {
		out[i] = supplier.Member{UserID: m.UserID, Name: m.Name, Email: m.Email}
	}
	return out, nil
}

func (f *fakeSources) item(items map[string]supplier.ItemInfo, kind string, actor *aims.Actor, key string) (*supplier.ItemInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it, ok := items[actor.OrgID+" "+strings.ToUpper(strings.TrimSpace(key))]
	if !ok {
		return nil, aims.NotFound(kind, key)
	}
	return &it, nil
}

func (f *fakeSources) Model(_ context.Context, actor *aims.Actor, key string) (*supplier.ItemInfo, error) {
	return f.item(f.models, "model", actor, key)
}

func (f *fakeSources) Dataset(_ context.Context, actor *aims.Actor, key string) (*supplier.ItemInfo, error) {
	return f.item(f.datasets, "data set", actor, key)
}

// The AI bill of materials is tested against the real model and data set services in package aibom.
func (f *fakeSources) SystemModels(context.Context, *aims.Actor, string, bool) ([]aibom.Model, error) {
	return nil, nil
}

func (f *fakeSources) SystemDatasets(context.Context, *aims.Actor, string, []string) ([]aibom.DatasetVersion, error) {
	return nil, nil
}

func (f *fakeSources) FindDataset(context.Context, *aims.Actor, string) (string, []aibom.DatasetVersion, error) {
	return "", nil, nil
}

func (f *fakeSources) CreateModel(context.Context, *db.Tx, *aims.Actor, string, aibom.Model) (*supplier.ItemInfo, error) {
	return nil, aims.Errorf(aims.CodeInternal, "not faked")
}

func (f *fakeSources) CreateModelVersion(context.Context, *db.Tx, *aims.Actor, string, aibom.ModelVersion) (string, error) {
	return "", aims.Errorf(aims.CodeInternal, "not faked")
}

func (f *fakeSources) CreateDataset(context.Context, *db.Tx, *aims.Actor, string, aibom.DatasetVersion) (*supplier.ItemInfo, error) {
	return nil, aims.Errorf(aims.CodeInternal, "not faked")
}

func (f *fakeSources) AddDatasetVersion(context.Context, *db.Tx, *aims.Actor, string, aibom.DatasetVersion) (string, error) {
	return "", aims.Errorf(aims.CodeInternal, "not faked")
}

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
	systems := aisystem.New(d, logs, clock.Now)
	fakes := &fakeSources{systems: systems, ids: ids, models: map[string]supplier.ItemInfo{}, datasets: map[string]supplier.ItemInfo{}}
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, systems: systems, fakes: fakes,
		svc: supplier.New(d, logs, clock.Now, fakes), as: map[aims.Role]*aims.Actor{}}
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
	res, err := e.ids.CreateUser(e.ctx, admin, identity.CreateUserRequest{Org: org, Email: email, Name: name, Role: role, Password: password})
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

// system registers an AI system in Acme.
func (e *env) system(t *testing.T, name string) *aisystem.System {
	t.Helper()
	s, err := e.systems.Create(e.ctx, e.owner(), aisystem.CreateRequest{Name: name, IntendedPurpose: "Purpose of " + name})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeModel registers a model of a system under a reference and an id, as the model service would.
func (e *env) fakeModel(orgID, ref, name, systemID string) supplier.ItemInfo {
	it := supplier.ItemInfo{ID: aims.NewID(), Ref: ref, Name: name, SystemID: systemID, Status: "active"}
	e.fakes.mu.Lock()
	defer e.fakes.mu.Unlock()
	e.fakes.models[orgID+" "+ref] = it
	e.fakes.models[orgID+" "+strings.ToUpper(it.ID)] = it
	return it
}

// fakeDataset registers a data set under a reference and an id.
func (e *env) fakeDataset(orgID, ref, name string) supplier.ItemInfo {
	it := supplier.ItemInfo{ID: aims.NewID(), Ref: ref, Name: name, Status: "active"}
	e.fakes.mu.Lock()
	defer e.fakes.mu.Unlock()
	e.fakes.datasets[orgID+" "+ref] = it
	e.fakes.datasets[orgID+" "+strings.ToUpper(it.ID)] = it
	return it
}

// party records a third party in Acme as its contributor.
func (e *env) party(t *testing.T, req supplier.PartyRequest) *supplier.Party {
	t.Helper()
	p, err := e.svc.CreateParty(e.ctx, e.contributor(), req)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// getParty reads a party of Acme.
func (e *env) getParty(t *testing.T, ref string) *supplier.Party {
	t.Helper()
	p, err := e.svc.GetParty(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// TestStagesMatchTheInventory keeps the matrix's stages those of the AI system inventory.
func TestStagesMatchTheInventory(t *testing.T) {
	if len(supplier.Stages) != len(aisystem.LifecycleStages) {
		t.Fatalf("%d stages, the inventory has %d", len(supplier.Stages), len(aisystem.LifecycleStages))
	}
	for i, o := range aisystem.LifecycleStages {
		if s := supplier.Stages[i]; s.Value != o.Value || s.Label != o.Label {
			t.Errorf("stage %d is %+v, the inventory's is %+v", i, s, o)
		}
	}
}
