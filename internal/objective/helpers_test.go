package objective_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/objective"
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

// env is one database with the service under test, the real AI system
// inventory and identity, fake evidence, and an organisation, Acme, with
// one member of each role. Its clock starts at servicetest.T0, Monday 2
// March 2026.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	fakes   *fakeSources
	svc     *objective.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

// fakeSources resolves systems and members from the real services, Annex C
// from the catalogue, and evidence from what the test registers.
type fakeSources struct {
	systems  *aisystem.Service
	ids      *identity.Service
	mu       sync.Mutex
	evidence map[string]objective.EvidenceInfo // by org and upper-case ref or id
}

func (f *fakeSources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*objective.SystemInfo, error) {
	sys, err := f.systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &objective.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

func (f *fakeSources) Members(ctx context.Context, actor *aims.Actor) ([]objective.Member, error) {
	ms, err := f.ids.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]objective.Member, len(ms))
	for i, m := range ms {
		out[i] = objective.Member{UserID: m.UserID, Name: m.Name, Email: m.Email}
	}
	return out, nil
}

func (f *fakeSources) AnnexCObjectives() []objective.ObjectiveAnnexC {
	var out []objective.ObjectiveAnnexC
	for _, it := range catalog.AnnexC() {
		if it.Kind == "objective" {
			out = append(out, objective.ObjectiveAnnexC{ID: it.ID, Title: it.Title})
		}
	}
	return out
}

func (f *fakeSources) Evidence(_ context.Context, actor *aims.Actor, key string) (*objective.EvidenceInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ev, ok := f.evidence[actor.OrgID+" "+strings.ToUpper(strings.TrimSpace(key))]
	if !ok {
		return nil, aims.NotFound("evidence", key)
	}
	return &ev, nil
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
	fakes := &fakeSources{systems: systems, ids: ids, evidence: map[string]objective.EvidenceInfo{}}
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, systems: systems, fakes: fakes,
		svc: objective.New(d, logs, clock.Now, fakes), as: map[aims.Role]*aims.Actor{}}
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

// fakeEvidence registers an item of evidence under a reference and an id.
func (e *env) fakeEvidence(orgID, ref, title string) objective.EvidenceInfo {
	ev := objective.EvidenceInfo{ID: aims.NewID(), Ref: ref, Title: title}
	e.fakes.mu.Lock()
	defer e.fakes.mu.Unlock()
	e.fakes.evidence[orgID+" "+ref] = ev
	e.fakes.evidence[orgID+" "+strings.ToUpper(ev.ID)] = ev
	return ev
}

// validObjective is a complete request for an objective owned by Acme's manager.
func validObjective(title string) objective.ObjectiveRequest {
	return objective.ObjectiveRequest{Title: title, Description: "Why " + title, AnnexC: []string{"C.2.5"},
		Owner: "manager@acme.example", Plan: objective.ObjectivePlan{Actions: "Audit decisions every month", Resources: "Two analysts",
			Responsible: "Data science team", DueOn: "2026-12-31", Evaluation: "Compare rates between groups"}}
}

// objective records an objective in Acme as its manager.
func (e *env) objective(t *testing.T, title string) *objective.Objective {
	t.Helper()
	o, err := e.svc.Create(e.ctx, e.manager(), validObjective(title))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// indicator adds an indicator to an objective of Acme as its manager.
func (e *env) indicator(t *testing.T, objectiveRef string, req objective.IndicatorRequest) *objective.Indicator {
	t.Helper()
	in, err := e.svc.AddIndicator(e.ctx, e.manager(), objectiveRef, req)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// measure records a value as Acme's contributor.
func (e *env) measure(t *testing.T, objectiveRef string, number int, value float64, on string) *objective.Measurement {
	t.Helper()
	m, err := e.svc.Measure(e.ctx, e.contributor(), objectiveRef, number, objective.MeasureRequest{Value: &value, MeasuredOn: on})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// atLeast is a target of at least v.
func atLeast(v float64) objective.IndicatorTarget {
	return objective.IndicatorTarget{Kind: "at_least", Min: &v}
}

func ptr[T any](v T) *T { return &v }
