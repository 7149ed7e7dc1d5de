package evidence_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
)

// TestMain keeps service warnings and the damaged-file errors out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// t0 is when every test starts: 2 March 2026, 09:00 UTC.
var t0 = servicetest.T0

// maxBytes is the file limit of the services under test.
const maxBytes = 4096

// env is one database with the services under test and an organisation,
// Acme, with one member of each role, two AI systems (SYS-1, SYS-2) and an
// own control (CTL-1).
type env struct {
	ctx     context.Context
	d       *db.DB
	clock   *servicetest.Clock
	ids     *identity.Service
	systems *aisystem.Service
	cat     *catalog.Service
	svc     *evidence.Service
	dir     string
	org     string
	as      map[aims.Role]*aims.Actor
}

const password = "correct horse battery"

var system = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// targets is what app gives the service: the catalogue and the inventory.
type targets struct {
	cat     *catalog.Service
	systems *aisystem.Service
}

func (t targets) ControlExists(ctx context.Context, orgID, id string) (bool, error) {
	return t.cat.ControlExists(ctx, orgID, id)
}

func (t targets) ClauseExists(id string) bool {
	_, ok := catalog.ClauseByID(id)
	return ok
}

func (t targets) System(ctx context.Context, orgID, idOrRef string) (string, string, error) {
	s, err := t.systems.Lookup(ctx, orgID, idOrRef)
	if err != nil {
		return "", "", err
	}
	return s.ID, s.Ref, nil
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
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, systems: aisystem.New(d, logs, clock.Now),
		cat: catalog.New(d, logs, clock.Now), dir: filepath.Join(t.TempDir(), "evidence"), as: map[aims.Role]*aims.Actor{}}
	e.svc = evidence.New(d, logs, clock.Now, e.dir, maxBytes, targets{e.cat, e.systems})
	for _, r := range aims.Roles {
		a := e.member(t, "Acme Ltd", string(r)+"@acme.example", "Acme "+string(r), r)
		e.as[r] = a
		e.org = a.OrgID
	}
	owner := e.as[aims.RoleOwner]
	for _, name := range []string{"Credit scoring", "Chat assistant"} {
		if _, err := e.systems.Create(e.ctx, owner, aisystem.CreateRequest{Name: name, IntendedPurpose: "P"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.cat.CreateControl(e.ctx, owner, catalog.ControlRequest{Title: "Model cards", Asks: "Publish a model card"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// member adds a person with a role to an organisation, creating it if
// needed, and returns them as a signed-in actor.
func (e *env) member(t *testing.T, org, email, name string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.ids.CreateUser(e.ctx, system, identity.CreateUserRequest{Org: org, Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.ids.ActorFor(e.ctx, res.User.ID, res.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// add records evidence in Acme as its contributor and fails the test on error.
func (e *env) add(t *testing.T, req evidence.AddRequest) *evidence.Evidence {
	t.Helper()
	it, err := e.svc.Add(e.ctx, e.as[aims.RoleContributor], req)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// note records a note with validity dates and links.
func (e *env) note(t *testing.T, title, from, until string, links ...string) *evidence.Evidence {
	t.Helper()
	return e.add(t, evidence.AddRequest{Kind: "note", Title: title, Note: "Observed: " + title, ValidFrom: from, ValidUntil: until, Links: links})
}

// get reads evidence of Acme.
func (e *env) get(t *testing.T, idOrRef string) *evidence.Evidence {
	t.Helper()
	it, err := e.svc.Get(e.ctx, e.as[aims.RoleViewer], idOrRef)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// fileReq is a request to add a file with the given name and content.
func fileReq(title, name string, content []byte, links ...string) evidence.AddRequest {
	return evidence.AddRequest{Kind: "file", Title: title, File: bytes.NewReader(content), FileName: name, Links: links}
}

// pdf is a small file that the type check takes for a PDF.
var pdf = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// files lists the files under the evidence folder, relative to it.
func (e *env) files(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(e.dir, func(p string, d os.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return filepath.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(e.dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// day is the date n days from the test's start.
func day(n int) string { return t0.AddDate(0, 0, n).Format(evidence.DateLayout) }

// advanceDays moves the clock on by whole days.
func (e *env) advanceDays(n int) { e.clock.Advance(time.Duration(n) * 24 * time.Hour) }

func refsOf(items []evidence.Evidence) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Ref)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func contains(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
