package dataset_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

var t0 = servicetest.T0

// env is one database with the data set service, the AI system inventory it
// refers to and an organisation, Acme, with one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	svc     *dataset.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

const password = "correct horse battery"

var system = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// sources resolves AI systems for data sets, as app does.
type sources struct{ systems *aisystem.Service }

func (s sources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
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
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, systems: systems,
		svc: dataset.New(d, logs, clock.Now, sources{systems}), as: map[aims.Role]*aims.Actor{}}
	e.svc.SetUploadLimits(0, t.TempDir())
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
	return a
}

// system registers an AI system in Acme.
func (e *env) system(t *testing.T, name string) *aisystem.System {
	t.Helper()
	s, err := e.systems.Create(e.ctx, e.as[aims.RoleOwner], aisystem.CreateRequest{Name: name, IntendedPurpose: "Testing"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// create adds a data set to Acme as its contributor.
func (e *env) create(t *testing.T, req dataset.CreateRequest) *dataset.Dataset {
	t.Helper()
	d, err := e.svc.Create(e.ctx, e.as[aims.RoleContributor], req)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// addVersion records a version as Acme's contributor.
func (e *env) addVersion(t *testing.T, ref string, req dataset.VersionRequest) *dataset.Version {
	t.Helper()
	v, err := e.svc.AddVersion(e.ctx, e.as[aims.RoleContributor], ref, req)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// get reads a data set of Acme as its viewer.
func (e *env) get(t *testing.T, ref string) *dataset.Dataset {
	t.Helper()
	d, err := e.svc.Get(e.ctx, e.as[aims.RoleViewer], ref)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// public is a version of public data without personal data.
func public(label string, parents ...string) dataset.VersionRequest {
	acq := "public"
	if len(parents) > 0 {
		acq = "derived"
	}
	return dataset.VersionRequest{Label: label, Source: "https://archive.ics.uci.edu/dataset/2/adult", Acquisition: acq,
		Licence: "CC BY 4.0", ContainsPersonalData: ptr(false), DerivedFrom: parents}
}

// datasetTables are the tables this package writes, beside servicetest's.
var datasetTables = []string{"datasets", "dataset_systems", "dataset_versions", "dataset_version_parents"}

// unchanged runs f and fails the test if any state table changed, the data set tables included.
func unchanged(t *testing.T, d *db.DB, f func()) {
	t.Helper()
	snap := func() map[string][]string {
		m := servicetest.Snapshot(t, d)
		for _, table := range datasetTables {
			m[table] = servicetest.RowsOf(t, d, `SELECT * FROM `+table)
		}
		return m
	}
	before := snap()
	f()
	if diff := cmp.Diff(before, snap()); diff != "" {
		t.Errorf("a refused change altered the database (-before +after):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }
