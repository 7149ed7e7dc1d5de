package soa_test

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
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// t0 is when every test starts.
var t0 = servicetest.T0

// orgName has letters and a dash outside ASCII, which exports must keep.
const orgName = "Zoë Analytics – Europe"

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
	svc     *soa.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

const password = "correct horse battery"

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// sources reads controls and AI systems from the real catalogue and
// inventory, as app does; the current evidence is whatever the test sets,
// since the evidence service is not part of these tests.
type sources struct {
	catalog  *catalog.Service
	systems  *aisystem.Service
	mu       sync.Mutex
	evidence map[string][]soa.EvidenceRef
	risks    map[string][]soa.RiskRef
}

func (s *sources) Controls(ctx context.Context, orgID string) ([]soa.ControlInfo, error) {
	cs, err := s.catalog.ActiveControlIDs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]soa.ControlInfo, len(cs))
	for i, c := range cs {
		out[i] = soa.ControlInfo{ID: c.ID, CategoryID: c.CategoryID, Title: c.Title, Custom: c.Custom}
		if cat, ok := catalog.CategoryByID(c.CategoryID); ok {
			out[i].CategoryTitle = cat.Title
		}
	}
	return out, nil
}

func (s *sources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
}

func (s *sources) CurrentEvidence(ctx context.Context, orgID string) (map[string][]soa.EvidenceRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]soa.EvidenceRef{}
	for k, v := range s.evidence {
		out[k] = append([]soa.EvidenceRef(nil), v...)
	}
	return out, nil
}

func (s *sources) RisksForControls(ctx context.Context, orgID string) (map[string][]soa.RiskRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]soa.RiskRef{}
	for k, v := range s.risks {
		out[k] = append([]soa.RiskRef(nil), v...)
	}
	return out, nil
}

// setRisks replaces the risks that a control treats.
func (s *sources) setRisks(control string, refs ...soa.RiskRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.risks == nil {
		s.risks = map[string][]soa.RiskRef{}
	}
	s.risks[control] = refs
}

// setEvidence replaces the current evidence of a control.
func (s *sources) setEvidence(control string, refs ...soa.EvidenceRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.evidence == nil {
		s.evidence = map[string][]soa.EvidenceRef{}
	}
	s.evidence[control] = refs
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
		sources: src, svc: soa.New(d, logs, clock.Now, src), as: map[aims.Role]*aims.Actor{}}
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

func (e *env) owner() *aims.Actor { return e.as[aims.RoleOwner] }

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

// applies is a valid request deciding that a control applies.
func applies(justification, status string) soa.EntryRequest {
	return soa.EntryRequest{Applicable: ptr(true), Justification: justification, Status: status}
}

// excluded is a valid request deciding that a control does not apply.
func excluded(justification string) soa.EntryRequest {
	return soa.EntryRequest{Applicable: ptr(false), Justification: justification}
}

// set decides on a control as the owner and fails the test on error.
func (e *env) set(t *testing.T, control, system string, req soa.EntryRequest) *soa.Entry {
	t.Helper()
	en, err := e.svc.SetEntry(e.ctx, e.owner(), control, system, req)
	if err != nil {
		t.Fatalf("SetEntry %s %s: %v", control, system, err)
	}
	return en
}

// decideAll decides every control not yet decided, except those named.
func (e *env) decideAll(t *testing.T, except ...string) {
	t.Helper()
	d, err := e.svc.Draft(e.ctx, e.owner())
	if err != nil {
		t.Fatal(err)
	}
	skip := map[string]bool{}
	for _, id := range except {
		skip[id] = true
	}
	for _, en := range d.Entries {
		if en.Decision != nil || skip[en.ControlID] {
			continue
		}
		e.set(t, en.ControlID, "", applies("We need "+en.ControlID+".", soa.StatusPlanned))
	}
}

// scope sets the draft's scope as the owner.
func (e *env) scope(t *testing.T, text string) {
	t.Helper()
	d, err := e.svc.Draft(e.ctx, e.owner())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetScope(e.ctx, e.owner(), soa.ScopeRequest{Scope: text, Version: d.ScopeVersion}); err != nil {
		t.Fatal(err)
	}
}

// draft reads the draft as the viewer.
func (e *env) draft(t *testing.T) *soa.Draft {
	t.Helper()
	d, err := e.svc.Draft(e.ctx, e.as[aims.RoleViewer])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// entry finds a control in a list of entries.
func entry(t *testing.T, entries []soa.Entry, id string) soa.Entry {
	t.Helper()
	for _, en := range entries {
		if en.ControlID == id {
			return en
		}
	}
	t.Fatalf("no entry %s", id)
	return soa.Entry{}
}

// approve approves the draft as the owner after moving the clock on.
func (e *env) approve(t *testing.T, note string) *soa.Version {
	t.Helper()
	e.clock.Advance(time.Minute)
	v, err := e.svc.Approve(e.ctx, e.owner(), soa.ApproveRequest{Note: note})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
