package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
)

// userIDOf returns the id of the user with the email.
func (e *env) userIDOf(email string) string {
	e.t.Helper()
	var id string
	if err := e.app.DB.QueryRowContext(e.ctx, `SELECT id FROM users WHERE email = ?`, email).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// TestInternalAuditPages runs an audit through the forms: a programme, a
// plan refused for an auditor who is an auditee (keeping what was typed), the
// auditor starting it, a finding refused without notes, the report, and the
// nonconformity the finding became; each role sees only what it may do.
func TestInternalAuditPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		manager, auditor, viewer := cs[aims.RoleManager], cs[aims.RoleAuditor], cs[aims.RoleViewer]
		auditorID, contributorID := e.userIDOf("auditor@example.org"), e.userIDOf("contributor@example.org")

		r := viewer.get("/internal-audits")
		want(t, r, http.StatusOK, "Internal audits", "No audit programme is recorded yet")
		wantNot(t, r, `id="new-programme"`)
		wantCSPSafe(t, r)
		want(t, viewer.get("/internal-audit-programmes/new"), http.StatusForbidden)

		r = manager.post("/internal-audit-programmes", url.Values{"cycle_start": {"2026-02-30"}, "objectives": {"Typed objectives"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#programme-cycle-start"`, "must be a date", ">Typed objectives</textarea>")
		wantCSPSafe(t, r)
		wantRedirect(t, manager.post("/internal-audit-programmes", url.Values{"cycle_start": {"2026-01-01"}, "objectives": {"Certify"}}), "/internal-audits")
		want(t, manager.get("/internal-audits"), http.StatusOK, "IAP-1", "2026-12-31", "Initial certification", "2029-01-01", `id="new-audit"`)

		r = manager.get("/internal-audits/new")
		want(t, r, http.StatusOK, "Plan an internal audit", `name="auditee_ids"`, "ISO/IEC 42001:2023")
		wantCSPSafe(t, r)
		plan := url.Values{"programme": {"IAP-1"}, "title": {"Competence"}, "objectives": {"Check competence"}, "criteria": {"ISO/IEC 42001"},
			"clauses": {"7.2"}, "planned_start": {"2026-03-10"}, "planned_end": {"2026-03-12"}, "auditor_id": {auditorID}, "auditee_ids": {auditorID}}
		r = manager.post("/internal-audits", plan)
		want(t, r, http.StatusUnprocessableEntity, `href="#audit-auditor-id"`, "may not audit their own work", "they are also an auditee", `value="Competence"`)
		wantCSPSafe(t, r)
		plan.Set("auditee_ids", contributorID)
		wantRedirect(t, manager.post("/internal-audits", plan), "/internal-audits/IA-1")

		r = manager.get("/internal-audits/IA-1")
		want(t, r, http.StatusOK, "IA-1 Competence", "Planned")
		wantNot(t, r, `id="start-audit"`)
		r = auditor.get("/internal-audits/IA-1")
		want(t, r, http.StatusOK, `id="start-audit"`)
		wantNot(t, r, "Edit the plan")
		want(t, manager.post("/internal-audits/IA-1/start", nil), http.StatusForbidden)
		wantRedirect(t, auditor.post("/internal-audits/IA-1/start", nil), "/internal-audits/IA-1#checklist")

		r = auditor.get("/internal-audits/IA-1")
		want(t, r, http.StatusOK, "IA-1/C1", "7.2 Competence", `id="issue-report"`)
		wantCSPSafe(t, r)
		r = auditor.post("/internal-audits/IA-1/items/1", url.Values{"version": {"1"}, "result": {"major"}, "evidence": {"EV-77"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#item-1-notes"`, "must describe the finding", `value="EV-77"`, `<option value="major" selected>`)
		wantRedirect(t, auditor.post("/internal-audits/IA-1/items/1", url.Values{"version": {"1"}, "result": {"major"},
			"notes": {"No competence records for the data team"}}), "/internal-audits/IA-1#item-1")
		r = auditor.post("/internal-audits/IA-1/report", url.Values{"version": {"2"}, "summary": {"Typed summary"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#report-conclusion"`, ">Typed summary</textarea>")
		wantRedirect(t, auditor.post("/internal-audits/IA-1/report", url.Values{"version": {"2"}, "summary": {"Competence is not evidenced"},
			"conclusion": {"Not yet effective"}}), "/internal-audits/IA-1#findings")

		r = viewer.get("/internal-audits/IA-1")
		want(t, r, http.StatusOK, "Reported", "IA-1/F1", "Major nonconformity", `href="/nonconformities/NC-1"`, "No competence records for the data team")
		wantNot(t, r, `id="issue-report"`, "Edit the plan")
		wantCSPSafe(t, r)
	})
}
