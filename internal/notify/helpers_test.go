package notify_test

import (
	"bufio"
	"context"
	"log/slog"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
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

// fakeSources lists the real organisations and members and the reminders a test sets.
type fakeSources struct {
	d         *db.DB
	ids       *identity.Service
	mu        sync.Mutex
	reminders map[string][]aims.Reminder
	smtp      notify.SMTP
}

func (f *fakeSources) Organisations(ctx context.Context) ([]notify.Org, error) {
	rows, err := f.d.QueryContext(ctx, `SELECT id, name FROM organisations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.Org
	for rows.Next() {
		var o notify.Org
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (f *fakeSources) Members(ctx context.Context, orgID string) ([]notify.Member, error) {
	ms, err := f.ids.ListMembers(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID, Name: "test"})
	if err != nil {
		return nil, err
	}
	out := make([]notify.Member, len(ms))
	for i, m := range ms {
		out[i] = notify.Member{UserID: m.UserID, Name: m.Name, Email: m.Email, Role: m.Role}
	}
	return out, nil
}

func (f *fakeSources) Reminders(_ context.Context, orgID string) ([]aims.Reminder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]aims.Reminder(nil), f.reminders[orgID]...), nil
}

func (f *fakeSources) SMTP() notify.SMTP { return f.smtp }

func (f *fakeSources) PublicURL() string { return "https://aims.example.org" }

// env is one database with the service under test and an organisation,
// Acme, with one member of each role.
type env struct {
	ctx   context.Context
	d     *db.DB
	clock *servicetest.Clock
	ids   *identity.Service
	fakes *fakeSources
	svc   *notify.Service
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
	fakes := &fakeSources{d: d, ids: ids, reminders: map[string][]aims.Reminder{}}
	e := &env{ctx: context.Background(), d: d, clock: clock, ids: ids, fakes: fakes,
		svc: notify.New(d, logs, clock.Now, fakes), as: map[aims.Role]*aims.Actor{}}
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

func (e *env) owner() *aims.Actor   { return e.as[aims.RoleOwner] }
func (e *env) manager() *aims.Actor { return e.as[aims.RoleManager] }

// remind sets what the organisation's capabilities list as due.
func (e *env) remind(orgID string, rs ...aims.Reminder) {
	e.fakes.mu.Lock()
	defer e.fakes.mu.Unlock()
	e.fakes.reminders[orgID] = rs
}

// sweep sweeps every organisation, failing the test on an error.
func (e *env) sweep(t *testing.T) notify.SweepResult {
	t.Helper()
	r, err := e.svc.Sweep(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// inbox lists everything in an actor's notification centre.
func (e *env) inbox(t *testing.T, a *aims.Actor) *notify.Inbox {
	t.Helper()
	in, err := e.svc.List(e.ctx, a, notify.InboxQuery{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// evidenceDue is a reminder of expiring evidence for the owners and managers.
func evidenceDue(ref, until string) aims.Reminder {
	due, _ := time.Parse(time.DateOnly, until)
	return aims.Reminder{Key: "evidence:" + ref + ":" + until, Kind: aims.ReminderEvidenceExpiring, Ref: ref,
		Title: ref + " Model card is valid until " + until, Due: due, Link: "/evidence/" + ref}
}

// parseMail splits a received message into its headers and its body.
func parseMail(t *testing.T, data string) (textproto.MIMEHeader, string) {
	t.Helper()
	r := textproto.NewReader(bufio.NewReader(strings.NewReader(data)))
	h, err := r.ReadMIMEHeader()
	if err != nil {
		t.Fatalf("cannot read the headers of %q: %v", data, err)
	}
	rest, _ := r.R.Peek(r.R.Buffered())
	return h, string(rest)
}
