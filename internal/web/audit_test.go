package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/risk"
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

// TestAuditLogRiskAndImpactEvents: the audit log words the events of the
// risk register and of impact assessments, and links each to its object's page.
func TestAuditLogRiskAndImpactEvents(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		owner := e.owner()
		e.riskSetUp()
		rk, err := e.app.Risks.Create(e.ctx, owner, risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Risks.Assess(e.ctx, owner, rk.Ref, risk.AssessRequest{Likelihood: 2, Impact: 3, Version: rk.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Risks.OpenAssessment(e.ctx, owner, risk.OpenAssessmentRequest{Name: "Annual 2026"}); err != nil {
			t.Fatal(err)
		}
		e.readyFRIA(owner)
		if _, err := e.app.Impact.CopyTemplate(e.ctx, owner, "eu-fria", impact.CopyRequest{Name: "Our FRIA"}); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/audit")
		want(t, r, http.StatusOK,
			"Set a new version of the risk criteria", `<a href="/risk-criteria/versions/1">Risk criteria v1</a>`,
			"Recorded the risk", "Assessed the risk", `<a href="/risks/RISK-1">RISK-1</a>`,
			"Opened a risk assessment", `<a href="/risk-assessments/RA-1">RA-1</a>`,
			"Started the impact assessment", "Changed the impact assessment", "Added an impact to the assessment",
			`<a href="/impact/assessments/IA-1">IA-1</a>`,
			"Copied an impact assessment template", `<a href="/impact/templates/IAT-1">IAT-1</a>`)
		wantCSPSafe(t, r)
		// Every link leads to the object's page.
		for _, href := range []string{"/risk-criteria/versions/1", "/risks/RISK-1", "/risk-assessments/RA-1", "/impact/assessments/IA-1",
			"/impact/templates/IAT-1"} {
			want(t, c.get(href), http.StatusOK)
		}
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
