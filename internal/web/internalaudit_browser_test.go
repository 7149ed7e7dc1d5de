package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/chromedp/chromedp"
)

// TestBrowserInternalAuditFinding is the path of an audit finding: the owner
// records a programme and plans an audit of clause 7.2 with an independent
// auditor; the auditor starts it, records a major nonconformity with notes
// on the checklist item and issues the report, and sees the nonconformity
// it became. With PostgreSQL it runs with JavaScript turned off.
func TestBrowserInternalAuditFinding(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		auditor := e.addUser("Acme Ltd", "ian@example.org", "Ian Auditor", aims.RoleAuditor)
		auditee := e.addUser("Acme Ltd", "carl@example.org", "Carl Contributor", aims.RoleContributor)

		b.wantStatus("internal audits", b.open("/internal-audits"), http.StatusOK)
		b.wantStatus("new programme", b.follow("#new-programme"), http.StatusOK)
		b.do(chromedp.SetValue(css("#programme-cycle-start"), "2026-01-01"),
			chromedp.SendKeys(css("#programme-objectives"), "Show the AIMS conforms before certification"))
		b.wantStatus("save programme", b.follow("main form button[type=submit]"), http.StatusOK)
		b.wantText(".notice-success", "IAP-1 is recorded")

		b.wantStatus("plan", b.follow("#new-audit"), http.StatusOK)
		b.do(chromedp.SendKeys(css("#audit-title"), "Competence of the data team"),
			chromedp.SendKeys(css("#audit-objectives"), "Check that competence is evidenced"),
			chromedp.SendKeys(css("#audit-clauses"), "7.2"),
			chromedp.SetValue(css("#audit-planned-start"), "2026-03-10"),
			chromedp.SetValue(css("#audit-planned-end"), "2026-03-12"),
			chromedp.SetValue(css("#audit-auditor-id"), auditor.User.ID),
			chromedp.Click(css(`input[name="auditee_ids"][value="`+auditee.User.ID+`"]`)))
		b.shot("internal-audit-1-plan")
		b.wantStatus("save plan", b.follow("main form button[type=submit]"), http.StatusOK)
		b.wantText(".notice-success", "IA-1 is planned")

		b.riskSignInAs("ian@example.org")
		b.wantStatus("audit", b.open("/internal-audits/IA-1"), http.StatusOK)
		b.wantStatus("start", b.follow("#start-audit"), http.StatusOK)
		b.wantText(".notice-success", "IA-1 has started: its checklist has 1 items.")
		b.do(chromedp.SetValue(css("#item-1-result"), "major"),
			chromedp.SendKeys(css("#item-1-notes"), "No competence records for two of the data scientists"))
		b.wantStatus("record", b.follow("#item-1 button[type=submit]"), http.StatusOK)
		b.wantText(".notice-success", "IA-1/C1 is recorded: Major nonconformity.")
		b.do(chromedp.SendKeys(css("#report-summary"), "Competence of the data team was sampled."),
			chromedp.SendKeys(css("#report-conclusion"), "Not yet effective for clause 7.2."))
		b.shot("internal-audit-2-report")
		b.wantStatus("issue report", b.follow("#issue-report"), http.StatusOK)
		b.wantText(".notice-success", "with 1 findings")
		b.wantText("#finding-1", "IA-1/F1")
		b.wantText("#finding-1 .nc-link", "NC-1")
		b.shot("internal-audit-3-finding")
		b.wantStatus("nonconformity", b.follow("#finding-1 .nc-link"), http.StatusOK)
		if !strings.HasSuffix(b.location(), "/nonconformities/NC-1") {
			t.Errorf("the finding links to %s", b.location())
		}
	})
}
