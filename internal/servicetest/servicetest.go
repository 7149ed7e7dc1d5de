// Package servicetest holds helpers for service tests of domain packages
// against real databases: a hand-moved clock, checks of error codes, of the
// rows a refused change must leave alone and of the audit events a change
// writes, and a way to make the audit log fail.
package servicetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// T0 is when every test's clock starts.
var T0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Clock is a clock the test moves by hand; it is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that stands at start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time; pass the method value wherever a service takes func() time.Time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// WantCode fails the test unless err carries the code, and returns the error.
func WantCode(t testing.TB, err error, code aims.Code) *aims.Error {
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

// WantFields fails the test unless err carries the code and names exactly the fields, in order.
func WantFields(t testing.TB, err error, code aims.Code, fields ...string) {
	t.Helper()
	ae := WantCode(t, err, code)
	var got []string
	for _, f := range ae.Fields {
		got = append(got, f.Field)
	}
	if diff := cmp.Diff(fields, got); diff != "" {
		t.Fatalf("fields at fault (-want +got):\n%s\n(error: %v)", diff, err)
	}
}

// StateTables are the tables whose rows a refused change must leave alone;
// every test database has every table, so a migration that adds state adds
// its tables here and every package's refusal tests then cover them.
var StateTables = []string{"installation", "organisations", "users", "memberships", "api_tokens",
	"invitations", "refs", "ai_systems", "logs", "log_entries", "log_payloads", "log_hashes", "audit_events",
	"custom_controls", "evidence", "evidence_links", "soa_drafts", "soa_entries", "soa_versions", "log_checkpoints",
	"risk_criteria", "risks", "risk_systems", "risk_controls", "risk_actions", "risk_acceptances", "risk_assessments",
	"risk_assessment_results", "impact_templates", "impact_template_versions", "impact_assessments", "impact_impacts",
	"impact_risk_links", "impact_assessment_versions", "datasets", "dataset_systems", "dataset_versions",
	"dataset_version_parents", "models", "model_versions", "model_version_datasets", "model_evaluations", "model_deployments",
	"lifecycle_gates", "stage_requests", "change_requests", "third_parties", "supplies", "supplier_assessments",
	"raci_matrices", "raci_entries", "resources", "resource_systems", "resource_members",
	"documents", "document_addresses", "document_versions", "document_reviews", "document_acknowledgements",
	"context_drafts", "context_versions", "concerns", "concern_messages", "concern_settings",
	"aims_roles", "competences", "aims_role_members", "aims_role_competences", "training_courses", "course_competences",
	"training_records", "training_record_competences", "training_record_evidence", "training_withdrawals",
	"objectives", "objective_systems", "objective_indicators", "objective_measurements",
	"incidents", "incident_notifications", "nonconformities", "nc_actions", "nc_checks",
	"internal_audit_programmes", "internal_audits", "internal_audit_auditees", "internal_audit_scope", "internal_audit_items",
	"internal_audit_findings", "management_reviews", "review_decisions", "review_actions",
	"notifications", "notification_preferences", "notification_emails", "webhooks", "webhook_deliveries",
	"decision_logs", "decisions", "decision_tallies", "decision_attributes", "decision_outcomes",
	"decision_counts", "decision_scores", "decision_inputs",
	"monitor_settings", "monitors", "monitor_results", "monitor_alerts"}

// Snapshot renders every row of the StateTables, by table, in a stable order.
func Snapshot(t testing.TB, d *db.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range StateTables {
		out[table] = RowsOf(t, d, `SELECT * FROM `+table)
	}
	return out
}

// RowsOf renders the rows of a query as sorted strings of column=value
// pairs, with bytes in hex and times in UTC.
func RowsOf(t testing.TB, d *db.DB, q string, args ...any) []string {
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

// Unchanged runs f and fails the test if any of the StateTables changed.
func Unchanged(t testing.TB, d *db.DB, f func()) {
	t.Helper()
	before := Snapshot(t, d)
	f()
	if diff := cmp.Diff(before, Snapshot(t, d)); diff != "" {
		t.Errorf("a refused change altered the database (-before +after):\n%s", diff)
	}
}

// Count returns the number that a counting query answers.
func Count(t testing.TB, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// PayloadsContain reports whether any stored audit payload contains s, and
// fails the test if no payload is stored at all.
func PayloadsContain(t testing.TB, d *db.DB, s string) bool {
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

// FailAuditAppends makes every later insert into log_entries fail in the
// database with the message "injected", as a broken audit log would.
func FailAuditAppends(t testing.TB, d *db.DB) {
	t.Helper()
	FailInserts(t, d, "log_entries")
}

// FailInserts makes every later insert into table fail in the database
// with the message "injected", as a full disk or a broken table would.
func FailInserts(t testing.TB, d *db.DB, table string) {
	t.Helper()
	name := "test_injected_failure_" + table
	var stmts []string
	if d.Dialect() == db.Postgres {
		stmts = []string{
			`CREATE FUNCTION ` + name + `() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'injected'; END; $$`,
			`CREATE TRIGGER ` + name + ` BEFORE INSERT ON ` + table + `
			FOR EACH ROW EXECUTE FUNCTION ` + name + `()`,
		}
	} else {
		stmts = []string{`CREATE TRIGGER ` + name + ` BEFORE INSERT ON ` + table + `
			BEGIN SELECT RAISE(ABORT, 'injected'); END`}
	}
	for _, s := range stmts {
		if _, err := d.SQL.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}

// Events returns an organisation's audit events (up to 1000), oldest first.
func Events(t testing.TB, ctx context.Context, d *db.DB, orgID string) []tlog.Event {
	t.Helper()
	evs, err := tlog.Events(ctx, d, orgID, tlog.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(evs)
	return evs
}

// Actions lists the actions of an organisation's audit events, oldest first.
func Actions(t testing.TB, ctx context.Context, d *db.DB, orgID string) []string {
	t.Helper()
	var out []string
	for _, ev := range Events(t, ctx, d, orgID) {
		out = append(out, ev.Action)
	}
	return out
}

// LastEvent returns an organisation's newest audit event, failing the test if it has none.
func LastEvent(t testing.TB, ctx context.Context, d *db.DB, orgID string) tlog.Event {
	t.Helper()
	evs := Events(t, ctx, d, orgID)
	if len(evs) == 0 {
		t.Fatal("no audit events")
	}
	return evs[len(evs)-1]
}

// ChangeMap shows an event's changes as field → [before, after] in compact
// JSON, with "null" for a missing value.
func ChangeMap(t testing.TB, ev tlog.Event) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, c := range ev.Changes {
		out[c.Field] = [2]string{compact(t, c.Before), compact(t, c.After)}
	}
	return out
}

// compact re-encodes a JSON value without spaces, or returns "null" for none.
func compact(t testing.TB, raw json.RawMessage) string {
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

// JSONString returns s as a JSON string, as ChangeMap shows it.
func JSONString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// JSONTime returns tm as a JSON time, as ChangeMap shows it.
func JSONTime(tm time.Time) string {
	b, _ := json.Marshal(tm)
	return string(b)
}
