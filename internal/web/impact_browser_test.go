package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/chromedp/chromedp"
)

// TestBrowserImpactFRIA runs the EU AI Act Art. 27 FRIA for a hiring
// screening system in the pages as an owner does: start it, answer its
// questions, be told what is missing, add an impact, submit, approve, raise
// a risk from the impact and download the PDF. With PostgreSQL it runs with
// JavaScript turned off.
func TestBrowserImpactFRIA(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Ranks job applications for recruiters.",
			EUAIActClass: "high"})

		// Start the FRIA for the system.
		b.wantStatus("impact", b.follow(`nav.main-nav a[href="/impact"]`), http.StatusOK)
		b.wantStatus("start", b.follow("#start-assessment"), http.StatusOK)
		b.do(
			chromedp.WaitVisible(css("#system")),
			chromedp.SetValue(css("#system"), "SYS-1"),
			chromedp.Click(css("#template-eu-fria")),
		)
		b.shot("impact-1-start")
		b.wantStatus("started", b.follow("#start"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#save-answers")))
		if loc := b.location(); loc != "/impact/assessments/IA-1" {
			t.Fatalf("starting shows %s", loc)
		}
		b.wantText("h1", "IA-1 EU AI Act Art. 27 FRIA: Hiring screening")
		b.wantText("#missing", "Submission waits for 12 required answers")

		// Answer the questions: texts typed, choices and scales clicked.
		texts := map[string]string{
			"process":    "Recruiters screen applications for engineering roles; the system ranks the CVs first.",
			"period":     "From April 2026 until the review in April 2027.",
			"categories": "Job applicants, including people returning from a career break.",
			"oversight":  "A trained recruiter reads every CV ranked low before any rejection.",
			"measures":   "Stop the ranking, re-screen by hand, tell the applicants concerned.",
			"governance": "The head of HR decides; the AI board hears of it within a day.",
		}
		var steps []chromedp.Action[chromedp.Void]
		for id, text := range texts {
			steps = append(steps, chromedp.SendKeys(css("#q-"+id), text))
		}
		steps = append(steps, chromedp.Click(css("#q-frequency-daily")), chromedp.Click(css("#q-vulnerable-yes")),
			chromedp.Click(css("#q-override-always")), chromedp.Click(css("#q-oversight_strength-3")),
			chromedp.Click(css("#q-notified-pending")))
		b.do(steps...)
		b.wantStatus("save", b.follow("#save-answers"), http.StatusOK)
		b.do(chromedp.WaitVisible(css(".notice-success")))
		b.wantText(".notice-success", "Your answers are saved.")
		b.wantText("#missing", "Submission waits for 2 required answers")
		if _, ok := b.attrs("#q-oversight_strength-3")["checked"]; !ok {
			t.Fatal("the scale answer was not kept")
		}
		b.shot("impact-2-answered")

		// Submitting now names what is missing.
		b.wantStatus("early submit", b.follow("#submit"), http.StatusUnprocessableEntity)
		b.do(chromedp.WaitVisible(css(".error-summary")))
		b.wantText(".error-summary", "must list at least one impact")
		b.wantText(".error-summary", "How can affected people complain")

		// The last answer, and an impact.
		b.do(chromedp.SendKeys(css("#q-complaints"), "Applicants write to hiring-review@acme.example; answered within 14 days."))
		b.wantStatus("save 2", b.follow("#save-answers"), http.StatusOK)
		b.do(
			chromedp.WaitVisible(css("#add-group")),
			chromedp.SendKeys(css("#add-group"), "Job applicants"),
			chromedp.SendKeys(css("#add-harm"), "Qualified applicants with career breaks are ranked low and rejected"),
			chromedp.SetValue(css("#add-severity"), "high"),
			chromedp.SetValue(css("#add-likelihood"), "likely"),
			chromedp.SetValue(css("#add-reversibility"), "partly_reversible"),
			chromedp.SetValue(css("#add-scale"), "group"),
			chromedp.SendKeys(css("#add-mitigation"), "A recruiter reviews every low rank."),
		)
		b.wantStatus("add impact", b.follow("#add-impact"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#impact-1")))
		b.wantText("#impact-1", "Qualified applicants with career breaks")
		b.wantText("#impact-1", "Likely · Partly reversible · Group")
		b.shot("impact-3-impact")

		// Submit and approve.
		b.wantStatus("submit", b.follow("#submit"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#approve")))
		b.wantText("#status", "In review")
		b.do(chromedp.SendKeys(css("#approve-note"), "Approved by the AI board."))
		b.wantStatus("approve", b.follow("#approve"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#checkpoint-note")))
		if loc := b.location(); loc != "/impact/assessments/IA-1/versions/1" {
			t.Fatalf("approving shows %s", loc)
		}
		b.wantText(".notice-success", "Version 1 of IA-1 is approved")
		b.wantText("#checkpoint-note", "aims/audit/"+e.orgID)
		b.shot("impact-4-approved")

		// Raise a risk from the impact, in one step.
		b.wantStatus("assessment", b.open("/impact/assessments/IA-1"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#create-risk-1")))
		b.wantStatus("create risk", b.follow("#create-risk-1"), http.StatusOK)
		b.do(chromedp.WaitVisible(css(".notice-success")))
		b.wantText(".notice-success", "RISK-1 Qualified applicants with career breaks are ranked low and rejected (Job applicants) is recorded in the risk register")
		b.wantText("#impact-1", "RISK-1")
		b.wantText("#status", "Approved")
		b.shot("impact-5-risk")
		if rk, err := e.app.Risks.Lookup(e.ctx, e.orgID, "RISK-1"); err != nil || !strings.HasPrefix(rk.Title, "Qualified applicants") {
			t.Fatalf("RISK-1 = %+v, %v", rk, err)
		}

		// The PDF of version 1.
		resp, body := b.download("#export")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
			resp.Header.Get("Content-Disposition") != "attachment; filename=IA-1-v1.pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
			t.Fatalf("PDF: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
	})
}
