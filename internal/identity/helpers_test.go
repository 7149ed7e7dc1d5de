package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// TestMain keeps the service's warnings about failed sign-ins out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// t0 is when every test starts.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one database with the services under test.
type env struct {
	ctx   context.Context
	d     *db.DB
	clock *testClock
	logs  *tlog.Logs
	svc   *identity.Service
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	key, err := tlog.LoadOrCreateKey(t.TempDir() + "/k")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: t0}
	logs := tlog.New(d, key.Signer, clock.Now)
	svc := identity.New(d, logs, clock.Now)
	svc.Argon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	return &env{ctx: context.Background(), d: d, clock: clock, logs: logs, svc: svc}
}

// The password every test user gets.
const password = "correct horse battery"

var system = &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host"}

// setup runs the one-time setup and returns the owner as a signed-in actor.
func (e *env) setup(t *testing.T) (*identity.User, *identity.Org, *aims.Actor) {
	t.Helper()
	u, o, err := e.svc.Setup(e.ctx, identity.SetupRequest{
		Organisation: "Acme Ltd", Name: "Olivia Owner", Email: "olivia@example.org", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return u, o, e.actor(t, u.ID, o.ID)
}

// addUser makes an active user with a role in an organisation through the
// administrative path, creating the organisation if needed, and returns them
// as a signed-in actor.
func (e *env) addUser(t *testing.T, org, email, name string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.svc.CreateUser(e.ctx, system, identity.CreateUserRequest{
		Org: org, Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return e.actor(t, res.User.ID, res.Org.ID)
}

// addExisting gives an existing user a role in an organisation, creating the
// organisation if needed, and returns them as a signed-in actor there.
func (e *env) addExisting(t *testing.T, org, email string, role aims.Role) *aims.Actor {
	t.Helper()
	res, err := e.svc.CreateUser(e.ctx, system, identity.CreateUserRequest{Org: org, Email: email, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return e.actor(t, res.User.ID, res.Org.ID)
}

func (e *env) actor(t *testing.T, userID, orgID string) *aims.Actor {
	t.Helper()
	a, err := e.svc.ActorFor(e.ctx, userID, orgID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// events returns an organisation's audit events, oldest first.
func (e *env) events(t *testing.T, orgID string) []tlog.Event {
	t.Helper()
	evs, err := tlog.Events(e.ctx, e.d, orgID, tlog.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(evs)
	return evs
}

// actions lists the actions of an organisation's audit events, oldest first.
func (e *env) actions(t *testing.T, orgID string) []string {
	t.Helper()
	var out []string
	for _, ev := range e.events(t, orgID) {
		out = append(out, ev.Action)
	}
	return out
}

// lastEvent returns an organisation's newest audit event.
func (e *env) lastEvent(t *testing.T, orgID string) tlog.Event {
	t.Helper()
	evs := e.events(t, orgID)
	if len(evs) == 0 {
		t.Fatal("no audit events")
	}
	return evs[len(evs)-1]
}

// changeMap shows an event's changes as field → [before, after] in compact JSON.
func changeMap(t *testing.T, ev tlog.Event) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, c := range ev.Changes {
		out[c.Field] = [2]string{compact(t, c.Before), compact(t, c.After)}
	}
	return out
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	if len(raw) == 0 {
		return "null"
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("change value %s: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsonTime(tm time.Time) string {
	b, _ := json.Marshal(tm)
	return string(b)
}

// wantCode fails unless err carries the code.
func wantCode(t *testing.T, err error, code aims.Code) *aims.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var ae *aims.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got %v (no aims.Error), want %s", err, code)
	}
	if ae.Code != code {
		t.Fatalf("got code %s (%v), want %s", ae.Code, err, code)
	}
	return ae
}

// wantFields fails unless err is of the code and names exactly the fields.
func wantFields(t *testing.T, err error, code aims.Code, fields ...string) {
	t.Helper()
	ae := wantCode(t, err, code)
	var got []string
	for _, f := range ae.Fields {
		got = append(got, f.Field)
	}
	if diff := cmp.Diff(fields, got); diff != "" {
		t.Fatalf("fields at fault (-want +got):\n%s\n(error: %v)", diff, err)
	}
}

// stateTables are the tables whose rows a refused change must leave alone.
var stateTables = []string{"installation", "organisations", "users", "memberships", "api_tokens",
	"invitations", "refs", "ai_systems", "logs", "log_entries", "log_payloads", "log_hashes", "audit_events"}

// snapshot renders every row of the state tables, in a stable order.
func snapshot(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range stateTables {
		out[table] = rowsOf(t, d, `SELECT * FROM `+table)
	}
	return out
}

// rowsOf renders the rows of a query as sorted strings.
func rowsOf(t *testing.T, d *db.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				parts[i] = fmt.Sprintf("%s=%x", cols[i], x)
			case time.Time:
				parts[i] = cols[i] + "=" + x.UTC().Format(time.RFC3339Nano)
			default:
				parts[i] = fmt.Sprintf("%s=%v", cols[i], x)
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// unchanged runs f and fails if any state table changed.
func unchanged(t *testing.T, e *env, f func()) {
	t.Helper()
	before := snapshot(t, e.d)
	f()
	if diff := cmp.Diff(before, snapshot(t, e.d)); diff != "" {
		t.Errorf("a refused change altered the database (-before +after):\n%s", diff)
	}
}

// count returns the number of rows a query counts.
func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// payloadsContain reports whether any stored audit payload contains s.
func payloadsContain(t *testing.T, d *db.DB, s string) bool {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT payload FROM log_payloads`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	found := false
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		n++
		if strings.Contains(string(b), s) {
			found = true
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no audit payloads stored at all")
	}
	return found
}

// failAuditAppends makes every insert into log_entries fail, as a broken
// audit log would.
func failAuditAppends(t *testing.T, d *db.DB) {
	t.Helper()
	var stmts []string
	if d.Dialect() == db.Postgres {
		stmts = []string{
			`CREATE FUNCTION test_injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'injected'; END; $$`,
			`CREATE TRIGGER test_injected_failure BEFORE INSERT ON log_entries
			FOR EACH ROW EXECUTE FUNCTION test_injected_failure()`,
		}
	} else {
		stmts = []string{`CREATE TRIGGER test_injected_failure BEFORE INSERT ON log_entries
			BEGIN SELECT RAISE(ABORT, 'injected'); END`}
	}
	for _, s := range stmts {
		if _, err := d.SQL.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}
