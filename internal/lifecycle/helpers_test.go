package lifecycle_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// t0 is when every test starts.
var t0 = servicetest.T0

const password = "correct horse battery"

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is one database with the life-cycle service wired to the real
// inventory, catalogue, evidence, risk register and impact assessments, as
// app wires it; only the approved model versions are the test's own.
type env struct {
	ctx      context.Context
	d        *db.DB
	clock    *servicetest.Clock
	ids      *identity.Service
	systems  *aisystem.Service
	catalog  *catalog.Service
	evidence *evidence.Service
	risks    *risk.Service
	impact   *impact.Service
	sources  *sources
	svc      *lifecycle.Service
	org      string
	as       map[aims.Role]*aims.Actor
}

// sources is lifecycle.Sources over the real services, as app's; model
// versions are whatever the test sets.
type sources struct {
	systems  *aisystem.Service
	catalog  *catalog.Service
	evidence *evidence.Service
	impact   *impact.Service
	risks    *risk.Service
	mu       sync.Mutex
	models   map[string][]lifecycle.ModelVersion
}

func info(s *aisystem.System) *lifecycle.SystemInfo {
	return &lifecycle.SystemInfo{ID: s.ID, Ref: s.Ref, Name: s.Name, Stage: s.LifecycleStage, Status: s.Status}
}

func (s *sources) System(ctx context.Context, actor *aims.Actor, idOrRef string) (*lifecycle.SystemInfo, error) {
	sys, err := s.systems.Lookup(ctx, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return info(sys), nil
}

func (s *sources) Systems(ctx context.Context, actor *aims.Actor) ([]lifecycle.SystemInfo, error) {
	list, err := s.systems.ActiveSummaries(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	var out []lifecycle.SystemInfo
	for i := range list {
		out = append(out, *info(&list[i]))
	}
	return out, nil
}

func (s *sources) Control(ctx context.Context, actor *aims.Actor, id string) (*lifecycle.ControlInfo, error) {
	c, err := s.catalog.Control(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return &lifecycle.ControlInfo{ID: c.ID, Title: c.Title}, nil
}

func (s *sources) ModelVersions(_ context.Context, _ *aims.Actor, systemID string) ([]lifecycle.ModelVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]lifecycle.ModelVersion(nil), s.models[systemID]...), nil
}

// setModels sets the approved model versions of a system.
func (s *sources) setModels(systemID string, vs ...lifecycle.ModelVersion) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models[systemID] = vs
}

func (s *sources) Evidence(ctx context.Context, actor *aims.Actor, systemID, controlID string) ([]lifecycle.EvidenceRef, error) {
	items, err := s.evidence.ForTarget(ctx, actor, evidence.TargetAISystem, systemID)
	if err != nil {
		return nil, err
	}
	var out []lifecycle.EvidenceRef
	for _, it := range items {
		if it.Validity != evidence.ValidityCurrent && it.Validity != evidence.ValidityExpiring {
			continue
		}
		for _, l := range it.Links {
			if l.Type == evidence.TargetControl && strings.EqualFold(l.Ref, controlID) {
				out = append(out, lifecycle.EvidenceRef{Ref: it.Ref, Title: it.Title})
			}
		}
	}
	return out, nil
}

func (s *sources) Impact(ctx context.Context, actor *aims.Actor, systemID string) (*lifecycle.ImpactState, error) {
	page, err := s.impact.List(ctx, actor, impact.ListQuery{System: systemID, Limit: 200})
	if err != nil {
		return nil, err
	}
	out := &lifecycle.ImpactState{}
	var latest *impact.Summary
	for i := range page.Items {
		it := &page.Items[i]
		if it.LatestVersion == 0 {
			continue
		}
		if latest == nil || it.ApprovedAt.After(*latest.ApprovedAt) {
			latest = it
		}
		for _, d := range it.DueReasons {
			out.Due = true
			out.Reasons = append(out.Reasons, lifecycle.DueReason{Ref: it.Ref, Field: d.Field, Text: it.Ref + ": " + d.Text})
		}
	}
	if latest != nil {
		out.Latest = latest.Ref + " version " + strconv.Itoa(latest.LatestVersion)
	}
	return out, nil
}

func (s *sources) Risks(ctx context.Context, actor *aims.Actor, systemID string) ([]lifecycle.RiskState, error) {
	sys, err := s.systems.Lookup(ctx, actor.OrgID, systemID)
	if err != nil {
		return nil, err
	}
	page, err := s.risks.List(ctx, actor, risk.ListQuery{System: sys.ID, Status: "open", Limit: 200})
	if err != nil {
		return nil, err
	}
	due, err := s.risks.Due(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []lifecycle.RiskState
	for _, r := range page.Items {
		st := lifecycle.RiskState{Ref: r.Ref, Title: r.Title, Assessed: r.Status != risk.StatusIdentified}
		for _, d := range due.Risks {
			for _, reason := range d.Reasons {
				if d.Ref == r.Ref && (reason.SystemRef == "" || reason.SystemRef == sys.Ref) {
					st.Reasons = append(st.Reasons, lifecycle.DueReason{Ref: d.Ref, Field: reason.Field, Text: reason.Text})
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *sources) SetStage(ctx context.Context, tx *db.Tx, actor *aims.Actor, systemID, from, to, reason string) error {
	return s.systems.SetStageTx(ctx, tx, actor, systemID, from, to, reason)
}

// riskSources gives the risk register the catalogue and the inventory.
type riskSources struct {
	catalog *catalog.Service
	systems *aisystem.Service
}

func (s riskSources) ControlExists(ctx context.Context, orgID, id string) (bool, error) {
	return s.catalog.ControlExists(ctx, orgID, id)
}

func (s riskSources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
}

func (s riskSources) ImpactsOfRisk(context.Context, string, string) ([]risk.ImpactRef, error) {
	return nil, nil
}

func (s riskSources) Controls(ctx context.Context, orgID string) ([]risk.ControlInfo, error) {
	return nil, nil
}

func (s riskSources) Systems(ctx context.Context, orgID string) ([]risk.SystemInfo, error) {
	return nil, nil
}

func (s riskSources) AnnexC() []risk.AnnexCItem { return nil }

// impactSources gives impact assessments the inventory; they raise no risks here.
type impactSources struct{ systems *aisystem.Service }

func (s impactSources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	return riskSources{systems: s.systems}.System(ctx, orgID, idOrRef)
}

func (s impactSources) CreateRisk(context.Context, *db.Tx, *aims.Actor, impact.RiskRequest) (string, string, error) {
	return "", "", aims.Errorf(aims.CodeConflict, "not in these tests")
}

func (s impactSources) Risk(_ context.Context, _, idOrRef string) (string, string, string, error) {
	return "", "", "", aims.NotFound("risk", idOrRef)
}

func (s impactSources) ModelVersion(_ context.Context, _, idOrKey string) (string, string, string, error) {
	return "", "", "", aims.NotFound("model version", idOrKey)
}

// evidenceTargets lets evidence link to the catalogue and the inventory.
type evidenceTargets struct{ riskSources }

func (t evidenceTargets) ClauseExists(id string) bool {
	_, ok := catalog.ClauseByID(id)
	return ok
}

func (t evidenceTargets) System(ctx context.Context, orgID, idOrRef string) (string, string, error) {
	id, ref, _, err := t.riskSources.System(ctx, orgID, idOrRef)
	return id, ref, err
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
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, as: map[aims.Role]*aims.Actor{}}
	e.systems = aisystem.New(d, logs, clock.Now)
	e.catalog = catalog.New(d, logs, clock.Now)
	rs := riskSources{catalog: e.catalog, systems: e.systems}
	e.evidence = evidence.New(d, logs, clock.Now, filepath.Join(t.TempDir(), "evidence"), 1<<20, evidenceTargets{rs})
	e.risks = risk.New(d, logs, clock.Now, rs)
	e.impact = impact.New(d, logs, clock.Now, impactSources{e.systems})
	e.sources = &sources{systems: e.systems, catalog: e.catalog, evidence: e.evidence, impact: e.impact, risks: e.risks,
		models: map[string][]lifecycle.ModelVersion{}}
	e.svc = lifecycle.New(d, logs, clock.Now, e.sources)
	names := map[aims.Role]string{aims.RoleOwner: "Zoë Owner", aims.RoleManager: "Max Manager",
		aims.RoleContributor: "Carla Contributor", aims.RoleAuditor: "Aude Auditor", aims.RoleViewer: "Vic Viewer"}
	for _, r := range aims.Roles {
		res, err := ids.CreateUser(e.ctx, admin, identity.CreateUserRequest{Org: "Zoë Analytics", Email: string(r) + "@zoe.example",
			Name: names[r], Role: r, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		a, err := ids.ActorFor(e.ctx, res.User.ID, res.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.as[r], e.org = a, a.OrgID
	}
	return e
}

func (e *env) owner() *aims.Actor       { return e.as[aims.RoleOwner] }
func (e *env) manager() *aims.Actor     { return e.as[aims.RoleManager] }
func (e *env) contributor() *aims.Actor { return e.as[aims.RoleContributor] }
func (e *env) viewer() *aims.Actor      { return e.as[aims.RoleViewer] }

// system registers an AI system at a stage as the owner.
func (e *env) system(t *testing.T, name, stage string) *aisystem.System {
	t.Helper()
	s, err := e.systems.Create(e.ctx, e.owner(), aisystem.CreateRequest{Name: name, IntendedPurpose: "Purpose of " + name,
		LifecycleStage: stage, EUAIActClass: "high"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stageOf reads a system's current stage.
func (e *env) stageOf(t *testing.T, ref string) string {
	t.Helper()
	s, err := e.systems.Get(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return s.LifecycleStage
}

// note adds current evidence linked to targets as the contributor.
func (e *env) note(t *testing.T, title, until string, links ...string) *evidence.Evidence {
	t.Helper()
	it, err := e.evidence.Add(e.ctx, e.contributor(), evidence.AddRequest{Kind: "note", Title: title, Note: "Observed: " + title,
		ValidUntil: until, Links: links})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// fourByFour is a small risk matrix: four levels, appetite medium.
func fourByFour() risk.CriteriaRequest {
	return risk.CriteriaRequest{
		Likelihood: []risk.ScaleLevel{{Label: "Rare"}, {Label: "Unlikely"}, {Label: "Likely"}, {Label: "Almost certain"}},
		Impact:     []risk.ScaleLevel{{Label: "Minor"}, {Label: "Moderate"}, {Label: "Major"}, {Label: "Severe"}},
		Levels: []risk.Level{{Name: "low", Colour: "#2e7d32", ReviewDays: 365}, {Name: "medium", Colour: "#f9a825", ReviewDays: 180},
			{Name: "high", Colour: "#ef6c00", ReviewDays: 90}, {Name: "critical", Colour: "#c62828", ReviewDays: 30}},
		Matrix: [][]string{{"low", "low", "medium", "medium"}, {"low", "medium", "medium", "high"},
			{"medium", "medium", "high", "critical"}, {"medium", "high", "critical", "critical"}},
		Appetite: "medium",
	}
}

// riskOf records a risk of a system as the contributor, assessed when asked.
func (e *env) riskOf(t *testing.T, title, system string, assessed bool) *risk.Risk {
	t.Helper()
	r, err := e.risks.Create(e.ctx, e.contributor(), risk.CreateRequest{Title: title, Systems: []string{system}})
	if err != nil {
		t.Fatal(err)
	}
	if assessed {
		r = e.assess(t, r.Ref)
	}
	return r
}

// assess rates a risk again as the contributor.
func (e *env) assess(t *testing.T, ref string) *risk.Risk {
	t.Helper()
	r, err := e.risks.Get(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	r, err = e.risks.Assess(e.ctx, e.contributor(), ref, risk.AssessRequest{Likelihood: 2, Impact: 2, Version: r.Version})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// friaAnswers answer every required question of the EU FRIA template.
var friaAnswers = map[string]string{
	"process": "Recruiters screen applications.", "period": "From April 2026.", "frequency": "daily",
	"categories": "Job applicants.", "vulnerable": "yes", "oversight": "A recruiter reads every low rank.", "override": "always",
	"measures": "Suspend the ranking.", "governance": "The head of HR decides.", "complaints": "Write to hr@zoe.example.",
	"notified": "pending",
}

// approvedImpact starts, completes and approves an EU FRIA of a system.
func (e *env) approvedImpact(t *testing.T, system string) *impact.Assessment {
	t.Helper()
	a, err := e.impact.Start(e.ctx, e.contributor(), impact.StartRequest{System: system, Template: "eu-fria"})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = e.impact.Update(e.ctx, e.contributor(), a.Ref, impact.UpdateRequest{Version: a.Version, Answers: friaAnswers}); err != nil {
		t.Fatal(err)
	}
	if _, err = e.impact.AddImpact(e.ctx, e.contributor(), a.Ref, impact.ImpactRequest{Group: "Applicants", Harm: "Unfair rejection",
		Severity: "high", Likelihood: "possible", Reversibility: "partly_reversible", Scale: "group"}); err != nil {
		t.Fatal(err)
	}
	return e.reapprove(t, a.Ref)
}

// reapprove submits and approves an assessment again, a minute later.
func (e *env) reapprove(t *testing.T, ref string) *impact.Assessment {
	t.Helper()
	a, err := e.impact.Get(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status == impact.StatusApproved {
		// A new approval needs a change: reopen it with one.
		if a, err = e.impact.Update(e.ctx, e.contributor(), ref, impact.UpdateRequest{Version: a.Version,
			Answers: map[string]string{"measures": "Suspend the ranking and re-screen by hand."}}); err != nil {
			t.Fatal(err)
		}
	}
	if a, err = e.impact.Submit(e.ctx, e.contributor(), ref, impact.ReviewRequest{Version: a.Version}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.impact.Approve(e.ctx, e.manager(), ref, impact.ApproveRequest{Version: a.Version}); err != nil {
		t.Fatal(err)
	}
	a, err = e.impact.Get(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// request asks, as the contributor, to move a system.
func (e *env) request(t *testing.T, system, to, plan string) *lifecycle.StageRequest {
	t.Helper()
	r, err := e.svc.CreateRequest(e.ctx, e.contributor(), lifecycle.StageRequestCreate{System: system, To: to,
		Justification: "Ready for " + to, Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// getRequest reads a stage-move request as the viewer.
func (e *env) getRequest(t *testing.T, ref string) *lifecycle.StageRequest {
	t.Helper()
	r, err := e.svc.GetRequest(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkOf finds the check of a kind, failing the test when it is absent.
func checkOf(t *testing.T, c *lifecycle.Checks, kind string) lifecycle.Check {
	t.Helper()
	for _, x := range c.Checks {
		if x.Kind == kind {
			return x
		}
	}
	t.Fatalf("no %s check in %+v", kind, c.Checks)
	return lifecycle.Check{}
}

// lastEvent is the organisation's newest audit event.
func (e *env) lastEvent(t *testing.T) tlog.Event {
	t.Helper()
	return servicetest.LastEvent(t, e.ctx, e.d, e.org)
}

func second[T any](_ T, err error) error { return err }
