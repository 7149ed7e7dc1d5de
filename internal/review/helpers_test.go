package review_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/review"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// t0 is when every test starts: Monday 2 March 2026, 09:00 UTC.
var t0 = servicetest.T0

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// fakeSources gives members from the real identity service and the other
// capabilities' summaries as plain values the test sets; since records the
// start of the period each summary was last asked for.
type fakeSources struct {
	ids        *identity.Service
	since      time.Time
	context    review.ContextState
	documents  review.DocumentState
	people     review.PeopleState
	concerns   review.ConcernState
	objectives review.ObjectiveState
	incidents  review.IncidentState
	ncs        review.NonconformityState
	audits     review.AuditState
	risks      review.RiskState
	readiness  review.ReadinessState
}

func (f *fakeSources) Members(ctx context.Context, actor *aims.Actor) ([]review.Member, error) {
	ms, err := f.ids.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]review.Member, len(ms))
	for i, m := range ms {
		out[i] = review.Member{UserID: m.UserID, Name: m.Name, Email: m.Email, Role: m.Role}
	}
	return out, nil
}

func (f *fakeSources) OrgName(context.Context, *aims.Actor) (string, error) { return "Acme Ltd", nil }

func (f *fakeSources) Context(_ context.Context, _ string, since time.Time) (*review.ContextState, error) {
	f.since = since
	c := f.context
	return &c, nil
}

func (f *fakeSources) Documents(context.Context, string) (*review.DocumentState, error) {
	d := f.documents
	return &d, nil
}

func (f *fakeSources) People(context.Context, string, time.Time) (*review.PeopleState, error) {
	p := f.people
	return &p, nil
}

func (f *fakeSources) Concerns(context.Context, string, time.Time) (*review.ConcernState, error) {
	c := f.concerns
	return &c, nil
}

func (f *fakeSources) Objectives(context.Context, string) (*review.ObjectiveState, error) {
	o := f.objectives
	return &o, nil
}

func (f *fakeSources) Incidents(context.Context, string, time.Time) (*review.IncidentState, error) {
	in := f.incidents
	return &in, nil
}

func (f *fakeSources) Nonconformities(context.Context, string, time.Time) (*review.NonconformityState, error) {
	n := f.ncs
	return &n, nil
}

func (f *fakeSources) Audits(context.Context, string, time.Time) (*review.AuditState, error) {
	a := f.audits
	return &a, nil
}

func (f *fakeSources) Risks(context.Context, string) (*review.RiskState, error) {
	r := f.risks
	return &r, nil
}

func (f *fakeSources) Readiness(context.Context, *aims.Actor) (*review.ReadinessState, error) {
	r := f.readiness
	return &r, nil
}

// env is one database with the review service, the real identity service,
// fake sources and an organisation, Acme, with one member of each role.
type env struct {
	ctx   context.Context
	d     *db.DB
	clock *servicetest.Clock
	ids   *identity.Service
	fakes *fakeSources
	svc   *review.Service
	org   string
	as    map[aims.Role]*aims.Actor
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
	fakes := &fakeSources{ids: ids}
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, fakes: fakes, svc: review.New(d, logs, clock.Now, fakes),
		as: map[aims.Role]*aims.Actor{}}
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
	res, err := e.ids.CreateUser(e.ctx, admin, identity.CreateUserRequest{Org: org, Email: email, Name: name, Role: role,
		Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.ids.ActorFor(e.ctx, res.User.ID, res.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) owner() *aims.Actor   { return e.as[aims.RoleOwner] }
func (e *env) manager() *aims.Actor { return e.as[aims.RoleManager] }
func (e *env) viewer() *aims.Actor  { return e.as[aims.RoleViewer] }

// draft plans a review chaired by the owner, prepared by the manager.
func (e *env) draft(t *testing.T, title, planned string) *review.Review {
	t.Helper()
	r, err := e.svc.Create(e.ctx, e.manager(), review.Request{Title: title, PlannedOn: planned, Chair: "owner@acme.example",
		Attendees: []string{"manager@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// section finds an input section by key.
func section(t *testing.T, in *review.Inputs, key string) review.Section {
	t.Helper()
	for _, s := range in.Sections {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("no section %s", key)
	return review.Section{}
}

func ptr[T any](v T) *T { return &v }
