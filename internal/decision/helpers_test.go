package decision_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"golang.org/x/mod/sumdb/note"
)

// TestMain keeps service warnings out of the test output. When started by
// the crash or two-process tests as their child, the binary ingests instead
// of running tests.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	if os.Getenv(childEnv) != "" {
		os.Exit(ingestChild())
	}
	os.Exit(m.Run())
}

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is one database with the decision service, the real inventory and
// identity services, two model versions of SYS-1 (and one of SYS-2), and
// Acme with one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	key     *tlog.Key
	logs    *tlog.Logs
	ids     *identity.Service
	systems *aisystem.Service
	svc     *decision.Service
	org     string
	as      map[aims.Role]*aims.Actor
	sys     *aisystem.System // SYS-1
	other   *aisystem.System // SYS-2
	models  *models
}

// systems resolves systems with the real inventory.
type systems struct{ s *aisystem.Service }

func (s systems) Lookup(ctx context.Context, orgID, idOrRef string) (*decision.System, error) {
	sys, err := s.s.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &decision.System{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

// models knows model versions by system: id, key and label.
type models struct {
	bySystem map[string][]version
}

type version struct{ id, key, label string }

func (m *models) Resolve(_ context.Context, _, systemID, ref string) (*decision.ModelVersion, error) {
	var found *decision.ModelVersion
	for _, v := range m.bySystem[systemID] {
		if v.id == ref || strings.EqualFold(v.key, ref) {
			return &decision.ModelVersion{ID: v.id, Key: v.key}, nil
		}
		if v.label == ref {
			found = &decision.ModelVersion{ID: v.id, Key: v.key}
		}
	}
	if found == nil {
		return nil, aims.NotFound("model version", ref)
	}
	return found, nil
}

func (m *models) Keys(_ context.Context, _ string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, vs := range m.bySystem {
		for _, v := range vs {
			out[v.id] = v.key
		}
	}
	return out, nil
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	key, err := tlog.LoadOrCreateKey(t.TempDir() + "/k")
	if err != nil {
		t.Fatal(err)
	}
	clock := servicetest.NewClock(servicetest.T0)
	logs := tlog.New(d, key.Signer, clock.Now)
	ids := identity.New(d, logs, clock.Now)
	ids.Argon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	sys := aisystem.New(d, logs, clock.Now)
	e := &env{ctx: context.Background(), d: d, clock: clock, key: key, logs: logs, ids: ids, systems: sys,
		as: map[aims.Role]*aims.Actor{}, models: &models{bySystem: map[string][]version{}}}
	for _, r := range aims.Roles {
		a := e.member(t, "Acme Ltd", string(r)+"@acme.example", r)
		e.as[r] = a
		e.org = a.OrgID
	}
	e.svc = decision.New(d, logs, clock.Now, systems{sys}, e.models, decision.Limits{})
	e.sys = e.system(t, "Credit scoring")
	e.other = e.system(t, "Chat assistant")
	e.models.bySystem[e.sys.ID] = []version{{"mv-1", "MDL-1@1.0.0", "1.0.0"}, {"mv-2", "MDL-1@1.1.0", "1.1.0"}}
	e.models.bySystem[e.other.ID] = []version{{"mv-9", "MDL-2@2.0.0", "2.0.0"}}
	return e
}

func (e *env) system(t testing.TB, name string) *aisystem.System {
	t.Helper()
	s, err := e.systems.Create(e.ctx, e.owner(), aisystem.CreateRequest{Name: name, IntendedPurpose: "Decide"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) member(t testing.TB, org, email string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.ids.CreateUser(e.ctx, admin, identity.CreateUserRequest{Org: org, Email: email, Name: strings.Split(email, "@")[0],
		Role: role, Password: "correct horse battery"})
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

func ptr[T any](v T) *T { return &v }

// sample returns n decision records with ids prefix-0 … prefix-(n-1): every
// third about subject s-<i%10>, every fifth reviewed and every tenth overridden.
func sample(prefix string, n int) []decision.Record {
	out := make([]decision.Record, n)
	for i := range out {
		r := decision.Record{
			ID: fmt.Sprintf("%s-%d", prefix, i), Time: servicetest.T0.Add(time.Duration(i) * time.Second), Model: "1.0.0",
			Inputs:     []byte(fmt.Sprintf(`{"income": %d, "age": %d, "purpose": "car"}`, 20000+i, 20+i%50)),
			Output:     decision.Output{Label: []string{"approve", "deny"}[i%2], Score: ptr(float64(i%100) / 100)},
			Confidence: ptr(0.5 + float64(i%50)/100),
			Explanation: &decision.Explanation{Method: "SHAP", Attributions: []decision.Attribution{
				{Feature: "income", Value: 0.4}, {Feature: "age", Value: -0.1}}, ReasonCodes: []string{"R01"}},
			Subject: fmt.Sprintf("s-%d", i%10),
		}
		if i%2 == 0 {
			r.Sensitive = map[string]string{"sex": []string{"female", "male"}[i/2%2], "age_band": "25-34"}
		}
		if i%5 == 0 {
			r.Review = &decision.Review{Reviewer: "analyst-7", Result: decision.ReviewAgreed}
			if i%10 == 0 {
				r.Review = &decision.Review{Reviewer: "analyst-7", Result: decision.ReviewOverridden, Final: "approve", Reason: "documented income"}
			}
		}
		out[i] = r
	}
	return out
}

// verifiers returns the env's trusted checkpoint key.
func (e *env) verifiers(t testing.TB) note.Verifiers {
	t.Helper()
	vs, err := tlog.Verifiers(e.key.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// verifyAll signs a checkpoint of every log that grew and fails the test
// unless every log of Acme verifies; it returns the reports by kind.
func (e *env) verifyAll(t testing.TB) map[string]*tlog.LogReport {
	t.Helper()
	return verifyAll(t, e.ctx, e.d, e.logs, e.org, e.verifiers(t))
}

// verifyAll signs checkpoints with logs and verifies every log of org.
func verifyAll(t testing.TB, ctx context.Context, d *db.DB, logs *tlog.Logs, org string, vs note.Verifiers) map[string]*tlog.LogReport {
	t.Helper()
	if _, err := logs.SignAll(ctx); err != nil {
		t.Fatal(err)
	}
	reps, err := tlog.VerifyAll(ctx, d, org, tlog.VerifyOptions{Verifiers: vs})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*tlog.LogReport{}
	for _, r := range reps {
		if !r.OK() {
			t.Fatalf("log %s does not verify: %v", r.Origin, r.Problems)
		}
		if r.Verified == 0 && r.Size > 0 {
			t.Fatalf("log %s: no checkpoint verified", r.Origin)
		}
		out[r.Kind+"/"+r.Subject] = r
	}
	return out
}

// logOf returns a system's decision log as the owner sees it.
func (e *env) logOf(t testing.TB, sys *aisystem.System) *decision.Log {
	t.Helper()
	l, err := e.svc.Log(e.ctx, e.owner(), sys.Ref)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// record records a batch as the contributor and fails the test on error.
func (e *env) record(t testing.TB, sys *aisystem.System, recs []decision.Record) *decision.BatchResult {
	t.Helper()
	res, err := e.svc.Record(e.ctx, e.contributor(), sys.Ref, recs, decision.RecordOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// scoped returns the actor of a real API token of the contributor confined to sys.
func (e *env) scoped(t testing.TB, sys *aisystem.System) *aims.Actor {
	t.Helper()
	secret, _, err := e.ids.CreateSystemToken(e.ctx, e.contributor(), sys.ID, sys.Ref, identity.CreateTokenRequest{Name: "scorer " + sys.Ref})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.ids.AuthenticateToken(e.ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if a.ScopeSystemID != sys.ID || a.Kind != aims.ActorToken {
		t.Fatalf("token actor %+v is not scoped to %s", a, sys.ID)
	}
	return a
}

// count runs a counting query.
func (e *env) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	return servicetest.Count(t, e.d, q, args...)
}

// logNo returns the row number of a system's decision log, which its decision rows carry.
func (e *env) logNo(t testing.TB, sys *aisystem.System) int64 {
	t.Helper()
	var n int64
	if err := e.d.QueryRowContext(e.ctx, `SELECT no FROM decision_logs WHERE system_id = ?`, sys.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// indexes returns each result's index, -1 for a record without one.
func indexes(res *decision.BatchResult) []int64 {
	out := make([]int64, len(res.Results))
	for i, r := range res.Results {
		out[i] = -1
		if r.Index != nil {
			out[i] = *r.Index
		}
	}
	return out
}

// raw turns tree hashes into the byte slices transparency-dev/merkle takes.
func raw(p []tlog.Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = append([]byte(nil), p[i][:]...)
	}
	return out
}
