package impact_test

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output and makes every
// refusal test cover the impact assessment tables.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	servicetest.StateTables = append(servicetest.StateTables, "impact_templates", "impact_template_versions",
		"impact_assessments", "impact_impacts", "impact_risk_links", "impact_assessment_versions")
	os.Exit(m.Run())
}

// t0 is when every test starts.
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
	sources *sources
	svc     *impact.Service
	org     string
	as      map[aims.Role]*aims.Actor
}

// sources reads AI systems from the real inventory, as app does. Risks
// are kept in a table of the test's own, written in the caller's
// transaction with a risk.create audit event, as the risk register does.
type sources struct {
	systems *aisystem.Service
	logs    *tlog.Logs
	d       *db.DB
	// fail, when set, makes CreateRisk fail with it after writing its risk.
	fail error
	// got records the requests CreateRisk received.
	got []impact.RiskRequest
	// models are the model versions ModelVersion knows, by key.
	models map[string]modelVersion
}

// modelVersion is a model version known to the test's sources.
type modelVersion struct{ id, systemID string }

func (s *sources) ModelVersion(_ context.Context, _, idOrKey string) (string, string, string, error) {
	for k, v := range s.models {
		if strings.EqualFold(k, idOrKey) || v.id == idOrKey {
			return v.id, k, v.systemID, nil
		}
	}
	return "", "", "", aims.NotFound("model version", idOrKey)
}

func (s *sources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
}

func (s *sources) CreateRisk(ctx context.Context, tx *db.Tx, actor *aims.Actor, req impact.RiskRequest) (string, string, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return "", "", err
	}
	s.got = append(s.got, req)
	ref, err := db.NextRef(ctx, tx, actor.OrgID, "RISK")
	if err != nil {
		return "", "", err
	}
	id := aims.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO test_risks (id, org_id, ref, title) VALUES (?, ?, ?, ?)`, id, actor.OrgID, ref, req.Title); err != nil {
		return "", "", err
	}
	if err := s.logs.Record(ctx, tx, actor.OrgID, actor, "risk.create", tlog.EventObject{Type: "risk", ID: id, Ref: ref},
		[]tlog.Change{{Field: "title", After: []byte(strconv.Quote(req.Title))}}); err != nil {
		return "", "", err
	}
	if s.fail != nil {
		return "", "", s.fail
	}
	return id, ref, nil
}

func (s *sources) Risk(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	var id, ref, title string
	err := s.d.QueryRowContext(ctx, `SELECT id, ref, title FROM test_risks WHERE org_id = ? AND (id = ? OR ref = ?)`,
		orgID, idOrRef, strings.ToUpper(idOrRef)).Scan(&id, &ref, &title)
	if db.IsNoRows(err) {
		return "", "", "", aims.NotFound("risk", idOrRef)
	}
	return id, ref, title, err
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	if _, err := d.ExecContext(context.Background(), `CREATE TABLE test_risks (id TEXT PRIMARY KEY, org_id TEXT NOT NULL,
		ref TEXT NOT NULL, title TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
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
	src := &sources{systems: systems, logs: logs, d: d, models: map[string]modelVersion{}}
	e := &env{ctx: context.Background(), d: d, clock: clock, key: key, logs: logs, ids: ids, systems: systems,
		sources: src, svc: impact.New(d, logs, clock.Now, src), as: map[aims.Role]*aims.Actor{}}
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
	s, err := e.systems.Create(e.ctx, e.owner(), aisystem.CreateRequest{Name: name, IntendedPurpose: "Purpose of " + name,
		EUAIActClass: "high", LifecycleStage: "deployment"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// start starts an assessment of a system from a template as the contributor.
func (e *env) start(t *testing.T, system, template string) *impact.Assessment {
	t.Helper()
	a, err := e.svc.Start(e.ctx, e.contributor(), impact.StartRequest{System: system, Template: template})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// get reads an assessment as the viewer.
func (e *env) get(t *testing.T, ref string) *impact.Assessment {
	t.Helper()
	a, err := e.svc.Get(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// friaAnswers answer every required question of the EU FRIA template.
var friaAnswers = map[string]string{
	"process":    "Recruiters screen applications for engineering roles; the system ranks CVs before a recruiter reads them.",
	"period":     "From April 2026 until the review in April 2027.",
	"frequency":  "daily",
	"categories": "Job applicants; recruiters.",
	"vulnerable": "yes",
	"oversight":  "A trained recruiter reads every CV the system ranks low before any rejection.",
	"override":   "always",
	"measures":   "Suspend ranking, re-screen affected applications by hand, inform applicants.",
	"governance": "The head of HR decides; the AI governance board is told within a day.",
	"complaints": "Applicants write to hiring-review@zoe.example; answered within 14 days.",
	"notified":   "pending",
}

// answer sets answers as the contributor, based on the current version.
func (e *env) answer(t *testing.T, ref string, answers map[string]string) *impact.Assessment {
	t.Helper()
	a, err := e.svc.Update(e.ctx, e.contributor(), ref, impact.UpdateRequest{Version: e.get(t, ref).Version, Answers: answers})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// unfair is a valid impact.
func unfair() impact.ImpactRequest {
	return impact.ImpactRequest{Group: "Job applicants", Harm: "Qualified applicants are rejected unfairly", Severity: "high",
		Likelihood: "possible", Reversibility: "partly_reversible", Scale: "group", Mitigation: "A recruiter reviews every low rank."}
}

// addImpact adds an impact as the contributor.
func (e *env) addImpact(t *testing.T, ref string, req impact.ImpactRequest) *impact.Impact {
	t.Helper()
	i, err := e.svc.AddImpact(e.ctx, e.contributor(), ref, req)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// submit submits an assessment as the contributor.
func (e *env) submit(t *testing.T, ref, note string) *impact.Assessment {
	t.Helper()
	a, err := e.svc.Submit(e.ctx, e.contributor(), ref, impact.ReviewRequest{Version: e.get(t, ref).Version, Note: note})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// approve approves an assessment as the manager after moving the clock on.
func (e *env) approve(t *testing.T, ref, note string) *impact.Version {
	t.Helper()
	e.clock.Advance(time.Minute)
	v, err := e.svc.Approve(e.ctx, e.manager(), ref, impact.ApproveRequest{Version: e.get(t, ref).Version, Note: note})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// readyFRIA starts an EU FRIA for the system, answers it and adds one impact.
func (e *env) readyFRIA(t *testing.T, system string) *impact.Assessment {
	t.Helper()
	a := e.start(t, system, "eu-fria")
	e.answer(t, a.Ref, friaAnswers)
	e.addImpact(t, a.Ref, unfair())
	return e.get(t, a.Ref)
}

func ptr[T any](v T) *T { return &v }

// systemUpdate changes one field of an AI system.
func systemUpdate(version int, field, value string) aisystem.UpdateRequest {
	r := aisystem.UpdateRequest{Version: version}
	switch field {
	case "name":
		r.Name = &value
	case "intended_purpose":
		r.IntendedPurpose = &value
	case "eu_ai_act_class":
		r.EUAIActClass = &value
	case "lifecycle_stage":
		r.LifecycleStage = &value
	case "description":
		r.Description = &value
	}
	return r
}

func second[T any](_ T, err error) error { return err }

func itoa(n int) string { return strconv.Itoa(n) }
