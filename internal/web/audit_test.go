package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

func TestAuditLogPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		wantRedirect(t, c.post("/systems", systemForm()), "/systems/SYS-1")
		r := c.get("/audit")
		want(t, r, http.StatusOK, "Audit log", "No checkpoint has been signed yet", e.app.Audit.VerifierKey,
			"ai_system.create", `href="/systems/SYS-1"`, "installation.setup", "auth.login", "Credit scoring")
		wantCSPSafe(t, r)

		wantRedirect(t, c.post("/audit/checkpoint", nil), "/audit")
		r = c.get("/audit")
		want(t, r, http.StatusOK, "The latest checkpoint covers 3 entries", "signature is valid and matches the stored tree",
			"Signed checkpoint note", "<pre class=\"note\">")

		r = c.post("/audit/verify", nil)
		want(t, r, http.StatusOK, "The audit log verifies", "Entries checked", "Checkpoints verified")
		wantCSPSafe(t, r)

		// Paging by ?before= walks back through the log.
		for i := 0; i < 60; i++ {
			e.addUser(orgName, "p"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.org", "P", aims.RoleViewer)
		}
		r = c.get("/audit")
		want(t, r, http.StatusOK, "Older entries →")
		pages := 1
		for strings.Contains(r.Body, `rel="next"`) {
			older := regexpFind(t, r.Body, `href="(/audit\?before=\d+)" rel="next"`)
			r = c.get(older)
			want(t, r, http.StatusOK, "← Newer entries")
			pages++
		}
		want(t, r, http.StatusOK, "installation.setup")
		if pages != 3 {
			t.Fatalf("the audit log has %d pages, want 3", pages)
		}
		newer := regexpFind(t, r.Body, `href="(/audit[^"]*)" rel="prev"`)
		want(t, c.get(newer), http.StatusOK, "Older entries →", "← Newer entries")
		want(t, c.get("/audit?before=x"), http.StatusUnprocessableEntity, "Before must be an entry number")

		// Tampering is reported, naming the entry.
		tamper(t, e)
		r = c.post("/audit/verify", nil)
		want(t, r, http.StatusOK, "The audit log does not verify", "<strong>Entry 0:</strong>", "payload was altered")
	})
}

// tamper rewrites the first audit event's payload behind aims' back, as
func tamper(t *testing.T, e *env) {
	t.Helper()
	d := e.app.DB
	if d.Dialect() == db.Postgres {
		if _, err := d.ExecContext(e.ctx, `ALTER TABLE log_payloads DISABLE TRIGGER USER`); err != nil {
			t.Fatal(err)
		}
	} else if _, err := d.ExecContext(e.ctx, `DROP TRIGGER log_payloads_erase_only`); err != nil {
		t.Fatal(err)
	}
	var logID string
	var payload []byte
	if err := d.QueryRowContext(e.ctx, `SELECT p.log_id, p.payload FROM log_payloads p JOIN logs l ON l.id = p.log_id
		WHERE l.org_id = ? AND l.kind = 'audit' AND p.idx = 0`, e.orgID).Scan(&logID, &payload); err != nil {
		t.Fatal(err)
	}
	forged := []byte(strings.Replace(string(payload), "Olivia Owner", "Mallory Owner", 1))
	if _, err := d.ExecContext(e.ctx, `UPDATE log_payloads SET payload = ? WHERE log_id = ? AND idx = 0`, forged, logID); err != nil {
		t.Fatal(err)
	}
}
