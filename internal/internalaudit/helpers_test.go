package internalaudit_test

import (
	"context"
	"fmt"
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
	"github.com/aims-dev/aims/internal/internalaudit"
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

// env is one database with the service under test, the real identity and
// AI system inventory, the real catalogue, a Statement of Applicability and
// evidence the test sets, a nonconformity register that records what is
// raised, and an organisation, Acme, with one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	fakes   *fakeSources
	svc     *internalaudit.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

// fakeSources resolves members and systems from the real services, clauses
// and Annex A controls from the catalogue, and keeps the rest in memory.
type fakeSources struct {
	systems  *aisystem.Service
	ids      *identity.Service
	mu       sync.Mutex
	soa      map[string]internalaudit.SoAEntry // by control id
	evidence map[string]bool                   // references of the evidence of Acme
	raised   []internalaudit.Raise
	failNC   bool
}

func (f *fakeSources) Members(ctx context.Context, actor *aims.Actor) ([]internalaudit.Member, error) {
	ms, err := f.ids.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]internalaudit.Member, len(ms))
	for i, m := range ms {
		out[i] = internalaudit.Member{UserID: m.UserID, Name: m.Name, Email: m.Email, Role: m.Role}
	}
	return out, nil
}

func (f *fakeSources) Clauses(context.Context) ([]internalaudit.Requirement, error) {
	var out []internalaudit.Requirement
	for _, c := range catalog.Clauses() {
		out = append(out, internalaudit.Requirement{ID: c.ID, Title: c.Title, Group: c.Group, Heading: c.Heading, Asks: c.Asks})
	}
	return out, nil
}

func (f *fakeSources) Controls(context.Context, *aims.Actor) ([]internalaudit.Control, error) {
	var out []internalaudit.Control
	for _, c := range catalog.BuiltinControls() {
		out = append(out, internalaudit.Control{ID: c.ID, CategoryID: c.CategoryID, Title: c.Title, Asks: c.Asks})
	}
	return out, nil
}

func (f *fakeSources) SoA(context.Context, *aims.Actor) ([]internalaudit.SoAEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []internalaudit.SoAEntry
	for _, e := range f.soa {
		out = append(out, e)
	}
	return out, nil
}

func (f *fakeSources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*internalaudit.SystemInfo, error) {
	sys, err := f.systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &internalaudit.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name, OwnerID: sys.OwnerID}, nil
}

func (f *fakeSources) Evidence(_ context.Context, actor *aims.Actor, ref string) (*internalaudit.EvidenceInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.evidence[actor.OrgID+" "+ref] {
		return nil, aims.NotFound("evidence", ref)
	}
	return &internalaudit.EvidenceInfo{ID: ref, Ref: ref, Title: "Evidence " + ref}, nil
}

// RaiseNonconformity records the request and numbers it NC-1, NC-2 …; it
// fails when failNC is set, as a refused nonconformity would.
func (f *fakeSources) RaiseNonconformity(_ context.Context, _ *db.Tx, _ *aims.Actor, r internalaudit.Raise) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNC {
		return "", aims.Errorf(aims.CodeInternal, "nonconformity register refused")
	}
	f.raised = append(f.raised, r)
	return fmt.Sprintf("NC-%d", len(f.raised)), nil
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
	fakes := &fakeSources{systems: systems, ids: ids, soa: map[string]internalaudit.SoAEntry{}, evidence: map[string]bool{}}
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, systems: systems, fakes: fakes,
		svc: internalaudit.New(d, logs, clock.Now, fakes), as: map[aims.Role]*aims.Actor{}}
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
func (e *env) auditor() *aims.Actor     { return e.as[aims.RoleAuditor] }
func (e *env) viewer() *aims.Actor      { return e.as[aims.RoleViewer] }

// system registers an AI system in Acme owned by ownerID.
func (e *env) system(t *testing.T, name, ownerID string) *aisystem.System {
	t.Helper()
	s, err := e.systems.Create(e.ctx, e.owner(), aisystem.CreateRequest{Name: name, IntendedPurpose: "Purpose of " + name, OwnerID: ownerID})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// claim sets the Statement of Applicability's organisation-level decision on a control.
func (e *env) claim(controlID string, applicable bool, status, ownerID string, overrides ...internalaudit.Claim) {
	e.fakes.mu.Lock()
	defer e.fakes.mu.Unlock()
	e.fakes.soa[controlID] = internalaudit.SoAEntry{ControlID: controlID, Overrides: overrides,
		Organisation: &internalaudit.Claim{Applicable: applicable, Justification: "Why " + controlID, Status: status, OwnerID: ownerID}}
}

// addEvidence makes a reference resolve as evidence of an organisation.
func (e *env) addEvidence(orgID string, refs ...string) {
	e.fakes.mu.Lock()
	defer e.fakes.mu.Unlock()
	for _, r := range refs {
		e.fakes.evidence[orgID+" "+strings.ToUpper(r)] = true
	}
}

// programme records the programme of the cycle starting 1 January 2026, managed by the manager.
func (e *env) programme(t *testing.T) *internalaudit.Programme {
	t.Helper()
	g, err := e.svc.CreateProgramme(e.ctx, e.owner(), internalaudit.ProgrammeRequest{CycleStart: "2026-01-01",
		Objectives: "Show the AIMS conforms before certification", ManagerID: e.manager().UserID})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// request is a valid audit plan in IAP-1: clause 7.2 and control A.2.2, audited by the auditor, with the contributor audited.
func (e *env) request() internalaudit.AuditRequest {
	return internalaudit.AuditRequest{Programme: "IAP-1", Title: "Competence and policy", Objectives: "Check competence records",
		Criteria: "ISO/IEC 42001:2023 and the AI policy", Clauses: []string{"7.2"}, Controls: []string{"A.2.2"},
		PlannedStart: "2026-03-10", PlannedEnd: "2026-03-12", AuditorID: e.auditor().UserID, AuditeeIDs: []string{e.contributor().UserID}}
}

// plan plans the audit of request as the manager.
func (e *env) plan(t *testing.T, req internalaudit.AuditRequest) *internalaudit.Audit {
	t.Helper()
	a, err := e.svc.Plan(e.ctx, e.manager(), req)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// actions lists the audit actions recorded in Acme's log, oldest first.
func (e *env) actions(t *testing.T) []string {
	t.Helper()
	evs, err := tlog.Events(e.ctx, e.d, e.org, tlog.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(evs) - 1; i >= 0; i-- {
		if strings.HasPrefix(evs[i].Action, "internal_audit") {
			out = append(out, evs[i].Action+" "+evs[i].Object.Ref)
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// systemOwner is the change that gives an AI system a new owner.
func systemOwner(userID string, version int) aisystem.UpdateRequest {
	return aisystem.UpdateRequest{Version: version, OwnerID: &userID}
}
