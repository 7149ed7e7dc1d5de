package incident_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/incident"
	"github.com/aims-dev/aims/internal/nonconformity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// env is one database with the incident service, the real inventory,
// identity and nonconformity services, a fake model version, and Acme with
// one member of each role.
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	svc     *incident.Service
	org     string
	as      map[aims.Role]*aims.Actor
	src     *sources
}

// sources resolves systems and members from the real services, model
// versions from versions, and raises nonconformities with the real service.
type sources struct {
	systems  *aisystem.Service
	ids      *identity.Service
	ncs      *nonconformity.Service
	versions map[string]incident.VersionInfo // by org and key
}

func (s *sources) System(ctx context.Context, orgID, idOrRef string) (*incident.SystemInfo, error) {
	sys, err := s.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &incident.SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}, nil
}

func (s *sources) ModelVersion(_ context.Context, orgID, key string) (*incident.VersionInfo, error) {
	v, ok := s.versions[orgID+" "+strings.ToUpper(key)]
	if !ok {
		return nil, aims.NotFound("model version", key)
	}
	return &v, nil
}

func (s *sources) IsMember(ctx context.Context, orgID, userID string) (bool, error) {
	_, err := s.ids.Member(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID}, userID)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return false, nil
	}
	return err == nil, err
}

func (s *sources) Leads(ctx context.Context, orgID string) ([]string, error) {
	ms, err := s.ids.ListMembers(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if m.Role == aims.RoleOwner || m.Role == aims.RoleManager {
			out = append(out, m.UserID)
		}
	}
	return out, nil
}

func (s *sources) RaiseNonconformity(ctx context.Context, tx *db.Tx, actor *aims.Actor, req incident.NCRequest) (string, error) {
	nc, err := s.ncs.CreateTx(ctx, tx, actor, nonconformity.CreateRequest{Title: req.Title, Description: req.Description,
		Source: nonconformity.SourceIncident, SourceRef: req.SourceRef, Severity: req.Severity, Systems: req.Systems})
	if err != nil {
		return "", err
	}
	return nc.Ref, nil
}

// ncSources lets the nonconformity service resolve systems; it knows no clauses or controls.
type ncSources struct{ *sources }

func (ncSources) ClauseExists(string) bool { return false }

func (ncSources) ControlExists(context.Context, string, string) (bool, error) { return false, nil }

func (n ncSources) System(ctx context.Context, orgID, idOrRef string) (*nonconformity.SystemInfo, error) {
	sys, err := n.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return &nonconformity.SystemInfo{ID: sys.ID, Ref: sys.Ref}, nil
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
	src := &sources{systems: systems, ids: ids, versions: map[string]incident.VersionInfo{}}
	src.ncs = nonconformity.New(d, logs, clock.Now, ncSources{src})
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, systems: systems, src: src,
		svc: incident.New(d, logs, clock.Now, src), as: map[aims.Role]*aims.Actor{}}
	for _, r := range aims.Roles {
		a := e.member(t, "Acme Ltd", string(r)+"@acme.example", r)
		e.as[r] = a
		e.org = a.OrgID
	}
	return e
}

func (e *env) member(t *testing.T, org, email string, role aims.Role) *aims.Actor {
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
func (e *env) viewer() *aims.Actor      { return e.as[aims.RoleViewer] }

func ptr[T any](v T) *T { return &v }
