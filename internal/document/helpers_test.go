package document_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// TestMain keeps service warnings out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// t0 is when every test starts: Monday 2 March 2026, 09:00 UTC.
var t0 = servicetest.T0

const password = "correct horse battery"

var admin = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// sources resolves clauses from the catalogue and controls from Annex A
// plus one own control, CTL-1, in every organisation.
type sources struct{}

func (sources) Clause(id string) (string, bool) {
	c, ok := catalog.ClauseByID(id)
	return c.Title, ok
}

func (sources) Control(_ context.Context, _ string, id string) (string, bool, error) {
	if id == "CTL-1" {
		return "Our own control", true, nil
	}
	c, ok := catalog.BuiltinControl(id)
	return c.Title, ok, nil
}

// env is one database with the service under test and an organisation,
// Acme, with one member of each role.
type env struct {
	ctx   context.Context
	d     *db.DB
	clock *servicetest.Clock
	ids   *identity.Service
	svc   *document.Service
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
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, svc: document.New(d, logs, clock.Now, sources{}),
		as: map[aims.Role]*aims.Actor{}}
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
func (e *env) auditor() *aims.Actor     { return e.as[aims.RoleAuditor] }
func (e *env) viewer() *aims.Actor      { return e.as[aims.RoleViewer] }

// create records a document in Acme as its contributor.
func (e *env) create(t *testing.T, req document.CreateRequest) *document.Document {
	t.Helper()
	d, err := e.svc.Create(e.ctx, e.contributor(), req)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// get reads a document of Acme as the actor.
func (e *env) get(t *testing.T, a *aims.Actor, ref string) *document.Document {
	t.Helper()
	d, err := e.svc.Get(e.ctx, a, ref)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// approve approves a document's draft as it stands, as the manager.
func (e *env) approve(t *testing.T, ref string) *document.Document {
	t.Helper()
	d := e.get(t, e.manager(), ref)
	if d.Draft == nil {
		t.Fatalf("%s has no draft", ref)
	}
	out, err := e.svc.Approve(e.ctx, e.manager(), ref, document.ApproveRequest{Number: d.Draft.Number, Revision: d.Draft.Revision})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// policy records Acme's AI policy with a text, and approves it when asked.
func (e *env) policy(t *testing.T, approve bool) *document.Document {
	t.Helper()
	d := e.create(t, document.CreateRequest{Title: "AI policy", Kind: "ai_policy", Text: "# AI policy\n\nWe use AI responsibly.",
		ChangeNote: "First issue"})
	if approve {
		d = e.approve(t, d.Ref)
	}
	return d
}

// tables are the document tables, besides servicetest.StateTables.
var tables = []string{"documents", "document_addresses", "document_versions", "document_reviews", "document_acknowledgements"}

// unchanged runs f and fails the test if any table changed, the document tables included.
func (e *env) unchanged(t *testing.T, f func()) {
	t.Helper()
	snap := func() map[string][]string {
		out := servicetest.Snapshot(t, e.d)
		for _, tb := range tables {
			out[tb] = servicetest.RowsOf(t, e.d, `SELECT * FROM `+tb)
		}
		return out
	}
	before := snap()
	f()
	if diff := cmp.Diff(before, snap()); diff != "" {
		t.Errorf("a refused change altered the database (-before +after):\n%s", diff)
	}
}

// actionsSince returns the audit actions recorded after the first n.
func (e *env) actionsSince(t *testing.T, n int) []string {
	t.Helper()
	return servicetest.Actions(t, e.ctx, e.d, e.org)[n:]
}

func (e *env) actionCount(t *testing.T) int {
	t.Helper()
	return len(servicetest.Actions(t, e.ctx, e.d, e.org))
}

func ptr[T any](v T) *T { return &v }

// refsOf lists the references of documents.
func refsOf(ds []document.Document) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Ref)
	}
	return strings.Join(out, " ")
}

// identityRole is a request to give a member a role.
func identityRole(r aims.Role) identity.ChangeRoleRequest { return identity.ChangeRoleRequest{Role: r} }
