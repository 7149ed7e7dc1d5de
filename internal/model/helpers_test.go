package model_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// modelTables are the tables of models, whose rows a refused change must leave alone too.
var modelTables = []string{"models", "model_versions", "model_version_datasets", "model_evaluations", "model_deployments"}

// TestMain keeps service warnings out of the test output and adds the
// model tables to those refused changes must leave alone.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	servicetest.StateTables = append(servicetest.StateTables, modelTables...)
	os.Exit(m.Run())
}

// t0 is when every test starts: Monday 2 March 2026, 09:00 UTC.
var t0 = servicetest.T0

const password = "correct horse battery"

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// sources reads AI systems from the real inventory, as app does; the data
// set versions are whatever the test registers, since the data set service
// is not part of these tests.
type sources struct {
	systems  *aisystem.Service
	db       *db.DB // the transaction of a kept report
	mu       sync.Mutex
	datasets map[string]map[string]model.DatasetVersionRef // by organisation, then by upper-case key and by id
}

func (s *sources) System(ctx context.Context, orgID, idOrRef string) (string, string, string, error) {
	sys, err := s.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", "", err
	}
	return sys.ID, sys.Ref, sys.Name, nil
}

func (s *sources) DatasetVersion(_ context.Context, _ db.Queryer, orgID, idOrKey string) (model.DatasetVersionRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.datasets[orgID][strings.ToUpper(strings.TrimSpace(idOrKey))]; ok {
		return d, nil
	}
	return model.DatasetVersionRef{}, aims.NotFound("data set version", idOrKey)
}

// addDataset registers a data set version that the fake data set service knows.
func (s *sources) addDataset(orgID, key, name string) model.DatasetVersionRef {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.datasets == nil {
		s.datasets = map[string]map[string]model.DatasetVersionRef{}
	}
	if s.datasets[orgID] == nil {
		s.datasets[orgID] = map[string]model.DatasetVersionRef{}
	}
	d := model.DatasetVersionRef{ID: aims.NewID(), Key: key, Name: name}
	s.datasets[orgID][strings.ToUpper(key)] = d
	s.datasets[orgID][strings.ToUpper(d.ID)] = d
	return d
}

// env is one database with the services under test and an organisation
// with one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	sources *sources
	svc     *model.Service
	org     string
	as      map[aims.Role]*aims.Actor
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
	src := &sources{systems: systems, db: d}
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, systems: systems, sources: src,
		svc: model.New(d, logs, clock.Now, src), as: map[aims.Role]*aims.Actor{}}
	names := map[aims.Role]string{aims.RoleOwner: "Zoë Owner", aims.RoleManager: "Max Manager",
		aims.RoleContributor: "Carla Contributor", aims.RoleAuditor: "Aude Auditor", aims.RoleViewer: "Vic Viewer"}
	for _, r := range aims.Roles {
		a := e.member(t, "Acme Ltd", string(r)+"@acme.example", names[r], r)
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

// model registers a model of a system as the contributor.
func (e *env) model(t *testing.T, system, name string) *model.Model {
	t.Helper()
	m, err := e.svc.Create(e.ctx, e.contributor(), model.CreateRequest{System: system, Name: name})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return m
}

// digest is a valid SHA-256 digest made of one repeated hex digit.
func digest(c string) string { return strings.Repeat(c, 64) }

// card is a model card with everything approval needs.
var card = model.Card{IntendedUse: "Score consumer credit applications.", Limitations: "Not validated for business loans."}

// version registers a candidate version as the contributor.
func (e *env) version(t *testing.T, modelRef, label string, req model.VersionRequest) *model.Version {
	t.Helper()
	req.Label = label
	if req.Digest == "" {
		req.Digest = digest("a")
	}
	v, err := e.svc.CreateVersion(e.ctx, e.contributor(), modelRef, req)
	if err != nil {
		t.Fatalf("CreateVersion %s@%s: %v", modelRef, label, err)
	}
	return v
}

// evaluate records one result as the contributor.
func (e *env) evaluate(t *testing.T, key, metric string, value float64) {
	t.Helper()
	if _, err := e.svc.Evaluate(e.ctx, e.contributor(), key, model.EvaluateRequest{Results: []model.EvaluationInput{{Metric: metric, Value: value}}}); err != nil {
		t.Fatalf("Evaluate %s: %v", key, err)
	}
}

// approved registers a version with a card and a result, and approves it as the manager.
func (e *env) approved(t *testing.T, modelRef, label string) *model.Version {
	t.Helper()
	v := e.version(t, modelRef, label, model.VersionRequest{Card: card})
	e.evaluate(t, v.Key, "accuracy", 0.9)
	out, err := e.svc.Approve(e.ctx, e.manager(), v.Key, model.DecisionRequest{Version: v.Version, Note: "Board minute 12"})
	if err != nil {
		t.Fatalf("Approve %s: %v", v.Key, err)
	}
	return out
}

// get reads a version as the viewer.
func (e *env) get(t *testing.T, key string) *model.Version {
	t.Helper()
	v, err := e.svc.GetVersion(e.ctx, e.viewer(), key)
	if err != nil {
		t.Fatalf("GetVersion %s: %v", key, err)
	}
	return v
}

// deploy deploys a version as the manager.
func (e *env) deploy(t *testing.T, key, environment string) *model.Version {
	t.Helper()
	v, err := e.svc.Deploy(e.ctx, e.manager(), key, model.DeployRequest{Version: e.get(t, key).Version, Environment: environment})
	if err != nil {
		t.Fatalf("Deploy %s to %s: %v", key, environment, err)
	}
	return v
}

// lastEvent is the organisation's newest audit event.
func (e *env) lastEvent(t *testing.T) tlog.Event {
	t.Helper()
	return servicetest.LastEvent(t, e.ctx, e.d, e.org)
}

func ptr[T any](v T) *T { return &v }

// js is a value as ChangeMap shows it.
func js(s string) string { return servicetest.JSONString(s) }

// aisystemRequest describes an AI system with only what is required.
func aisystemRequest(name string) aisystem.CreateRequest {
	return aisystem.CreateRequest{Name: name, IntendedPurpose: "Purpose of " + name}
}
