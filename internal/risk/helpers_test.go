package risk_test

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// riskTables are the tables of the risk register, whose rows a refused
// change must leave alone too.
var riskTables = []string{"risk_criteria", "risks", "risk_systems", "risk_controls", "risk_actions", "risk_acceptances",
	"risk_assessments", "risk_assessment_results"}

// TestMain keeps service warnings out of the test output and adds the
// register's tables to those refused changes must leave alone.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	servicetest.StateTables = append(servicetest.StateTables, riskTables...)
	os.Exit(m.Run())
}

// t0 is when every test starts: Monday 2 March 2026, 09:00 UTC.
var t0 = servicetest.T0

// orgName has letters and a dash outside ASCII, which exports must keep.
const orgName = "Zoë Analytics – Europe"

const password = "correct horse battery"

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is one database with the services under test and an organisation
// with one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	key     *tlog.Key
	logs    *tlog.Logs
	ids     *identity.Service
	systems *aisystem.Service
	catalog *catalog.Service
	sources *sources
	svc     *risk.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

// sources reads controls, AI systems and Annex C from the real catalogue
// and inventory, as app does; the impacts are whatever the test sets.
type sources struct {
	catalog *catalog.Service
	systems *aisystem.Service
	mu      sync.Mutex
	impacts map[string][]risk.ImpactRef
}

func (s *sources) ControlExists(ctx context.Context, orgID, id string) (bool, error) {
	return s.catalog.ControlExists(ctx, orgID, id)
}

func (s *sources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
}

func (s *sources) ImpactsOfRisk(_ context.Context, _, riskID string) ([]risk.ImpactRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]risk.ImpactRef(nil), s.impacts[riskID]...), nil
}

func (s *sources) Controls(ctx context.Context, orgID string) ([]risk.ControlInfo, error) {
	cs, err := s.catalog.ActiveControlIDs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]risk.ControlInfo, len(cs))
	for i, c := range cs {
		out[i] = risk.ControlInfo{ID: c.ID, Title: c.Title}
	}
	return out, nil
}

func (s *sources) Systems(ctx context.Context, orgID string) ([]risk.SystemInfo, error) {
	list, err := s.systems.ActiveSummaries(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]risk.SystemInfo, len(list))
	for i, sys := range list {
		out[i] = risk.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}
	}
	return out, nil
}

func (s *sources) AnnexC() []risk.AnnexCItem {
	var out []risk.AnnexCItem
	for _, it := range catalog.AnnexC() {
		out = append(out, risk.AnnexCItem{ID: it.ID, Kind: it.Kind, Title: it.Title})
	}
	return out
}

// setImpacts sets the impacts linked to a risk.
func (s *sources) setImpacts(riskID string, refs ...risk.ImpactRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.impacts == nil {
		s.impacts = map[string][]risk.ImpactRef{}
	}
	s.impacts[riskID] = refs
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	key, err := tlog.LoadOrCreateKey(t.TempDir() + "/k")
	if err != nil {
		t.Fatal(err)
	}
	clock := servicetest.NewClock(t0)
	logs := tlog.New(d, key.Signer, clock.Now)
	if err := logs.RegisterKey(context.Background(), key.VerifierKey); err != nil {
		t.Fatal(err)
	}
	ids := identity.New(d, logs, clock.Now)
	ids.Argon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	systems := aisystem.New(d, logs, clock.Now)
	cat := catalog.New(d, logs, clock.Now)
	src := &sources{catalog: cat, systems: systems}
	e := &env{ctx: context.Background(), d: d, clock: clock, key: key, logs: logs, ids: ids, systems: systems, catalog: cat,
		sources: src, svc: risk.New(d, logs, clock.Now, src), as: map[aims.Role]*aims.Actor{}}
	names := map[aims.Role]string{aims.RoleOwner: "Zoë Owner", aims.RoleManager: "Max Manager",
		aims.RoleContributor: "Carla Contributor", aims.RoleAuditor: "Aude Auditor", aims.RoleViewer: "Vic Viewer"}
	for _, r := range aims.Roles {
		a := e.member(t, orgName, string(r)+"@zoe.example", names[r], r)
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

// system registers an AI system in the organisation.
func (e *env) system(t *testing.T, name string) *aisystem.System {
	t.Helper()
	s, err := e.systems.Create(e.ctx, e.owner(), aisystem.CreateRequest{Name: name, IntendedPurpose: "Purpose of " + name})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// fourByFour is the 4×4 criteria of the tests: four levels, appetite medium.
func fourByFour() risk.CriteriaRequest {
	return risk.CriteriaRequest{
		Likelihood: []risk.ScaleLevel{{Label: "Rare"}, {Label: "Unlikely"}, {Label: "Likely", Description: "About once a year."}, {Label: "Almost certain"}},
		Impact:     []risk.ScaleLevel{{Label: "Minor"}, {Label: "Moderate"}, {Label: "Major"}, {Label: "Severe", Description: "Irreversible harm."}},
		Levels: []risk.Level{
			{Name: "low", Colour: "#2e7d32", ReviewDays: 365},
			{Name: "medium", Colour: "#F9A825", ReviewDays: 180},
			{Name: "high", Colour: "#ef6c00", ReviewDays: 90},
			{Name: "critical", Colour: "#c62828", ReviewDays: 30},
		},
		Matrix: [][]string{
			{"low", "low", "medium", "medium"},
			{"low", "medium", "medium", "high"},
			{"medium", "medium", "high", "critical"},
			{"medium", "high", "critical", "critical"},
		},
		Appetite: "medium",
	}
}

// setCriteria stores criteria as the owner.
func (e *env) setCriteria(t *testing.T, req risk.CriteriaRequest) *risk.Criteria {
	t.Helper()
	c, err := e.svc.SetCriteria(e.ctx, e.owner(), req)
	if err != nil {
		t.Fatalf("SetCriteria: %v", err)
	}
	return c
}

// create records a risk as the contributor.
func (e *env) create(t *testing.T, req risk.CreateRequest) *risk.Risk {
	t.Helper()
	r, err := e.svc.Create(e.ctx, e.contributor(), req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return r
}

// assess rates a risk as the contributor.
func (e *env) assess(t *testing.T, r *risk.Risk, likelihood, impact int) *risk.Risk {
	t.Helper()
	out, err := e.svc.Assess(e.ctx, e.contributor(), r.Ref, risk.AssessRequest{Likelihood: likelihood, Impact: impact, Version: r.Version})
	if err != nil {
		t.Fatalf("Assess %s: %v", r.Ref, err)
	}
	return out
}

// treat sets a risk's treatment as the contributor.
func (e *env) treat(t *testing.T, r *risk.Risk, req risk.TreatmentRequest) *risk.Risk {
	t.Helper()
	req.Version = r.Version
	out, err := e.svc.SetTreatment(e.ctx, e.contributor(), r.Ref, req)
	if err != nil {
		t.Fatalf("SetTreatment %s: %v", r.Ref, err)
	}
	return out
}

// get reads a risk as the viewer.
func (e *env) get(t *testing.T, ref string) *risk.Risk {
	t.Helper()
	r, err := e.svc.Get(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatalf("Get %s: %v", ref, err)
	}
	return r
}

// lastEvent is the organisation's newest audit event.
func (e *env) lastEvent(t *testing.T) tlog.Event {
	t.Helper()
	return servicetest.LastEvent(t, e.ctx, e.d, e.org)
}

// day is the date n days after the test's start.
func day(n int) string { return t0.AddDate(0, 0, n).Format(time.DateOnly) }

// js is a value as ChangeMap shows it.
func js(s string) string { return servicetest.JSONString(s) }
