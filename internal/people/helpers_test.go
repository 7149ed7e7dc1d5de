package people_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

const password = "correct horse battery"

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is one database with the service under test, real identity, fake
// evidence, and an organisation, Acme, with one member of each role.
type env struct {
	ctx   context.Context
	d     *db.DB
	clock *servicetest.Clock
	ids   *identity.Service
	fakes *fakeSources
	svc   *people.Service
	org   string
	as    map[aims.Role]*aims.Actor
}

// fakeSources resolves members from identity and evidence from what the test registers.
type fakeSources struct {
	ids      *identity.Service
	mu       sync.Mutex
	evidence map[string]people.EvidenceInfo // by org and upper-case ref or id
}

func (f *fakeSources) Members(ctx context.Context, orgID string) ([]people.Member, error) {
	ms, err := f.ids.ListMembers(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID})
	if err != nil {
		return nil, err
	}
	out := make([]people.Member, len(ms))
	for i, m := range ms {
		out[i] = people.Member{UserID: m.UserID, Name: m.Name, Email: m.Email}
	}
	return out, nil
}

func (f *fakeSources) Evidence(_ context.Context, actor *aims.Actor, key string) (*people.EvidenceInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it, ok := f.evidence[actor.OrgID+" "+strings.ToUpper(strings.TrimSpace(key))]
	if !ok {
		return nil, aims.NotFound("evidence", key)
	}
	return &it, nil
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
	fakes := &fakeSources{ids: ids, evidence: map[string]people.EvidenceInfo{}}
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, fakes: fakes,
		svc: people.New(d, logs, clock.Now, fakes), as: map[aims.Role]*aims.Actor{}}
	for _, r := range aims.Roles {
		a := e.member(t, "Acme Ltd", string(r)+"@acme.example", "Acme "+string(r), r)
		e.as[r] = a
		e.org = a.OrgID
	}
	return e
}

// member adds a person with a role to an organisation, creating it if needed, and returns them as a signed-in actor.
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

// evidence registers a piece of evidence under a reference and an id.
func (e *env) evidence(orgID, ref, title string) people.EvidenceInfo {
	it := people.EvidenceInfo{ID: aims.NewID(), Ref: ref, Title: title, Status: "active"}
	e.fakes.mu.Lock()
	defer e.fakes.mu.Unlock()
	e.fakes.evidence[orgID+" "+ref] = it
	e.fakes.evidence[orgID+" "+strings.ToUpper(it.ID)] = it
	return it
}

func (e *env) competence(t *testing.T, name string) *people.Competence {
	t.Helper()
	c, err := e.svc.CreateCompetence(e.ctx, e.manager(), people.CompetenceRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) course(t *testing.T, req people.CourseRequest) *people.Course {
	t.Helper()
	c, err := e.svc.CreateCourse(e.ctx, e.manager(), req)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) role(t *testing.T, req people.RoleRequest) *people.Role {
	t.Helper()
	r, err := e.svc.CreateRole(e.ctx, e.manager(), req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) record(t *testing.T, req people.RecordRequest) *people.TrainingRecord {
	t.Helper()
	r, err := e.svc.RecordTraining(e.ctx, e.contributor(), req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr[T any](v T) *T { return &v }
