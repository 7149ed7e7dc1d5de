package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/chromedp/chromedp"
)

// TestBrowserStageGate is the gate path as a new owner takes it: ask to
// move a validated hiring system into deployment, see what is missing,
// satisfy the gate (a validation record added from the check's link, the
// impact assessment approved on its page, a model version approved through
// the model service) and approve the move. With PostgreSQL it runs with
// JavaScript turned off.
func TestBrowserStageGate(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Ranks job applicants for interviews.",
			EUAIActClass: "high", LifecycleStage: "verification_and_validation"})
		ia := lifecycleImpact(t, e) // completed and submitted, waiting for approval

		// From the system's page: what a move into deployment needs.
		b.wantStatus("system", b.open("/systems/SYS-1"), http.StatusOK)
		b.wantStatus("stage page", b.follow(`.page-actions a[href="/systems/SYS-1/stage"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#to")), chromedp.SetValue(css("#to"), "deployment"))
		b.wantStatus("show checks", b.follow("#show-checks"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#checks")))
		b.wantText("#checks-state", "3 missing")
		b.shot("gate-1-checks")

		// Request it: the request waits, naming what is missing.
		b.do(chromedp.SendKeys(css("#justification"), "Validated on the 2026 applications; recall 0.83."))
		b.wantStatus("request", b.follow("#request-move"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#checks-state")))
		if loc := b.location(); loc != "/lifecycle/requests/MOVE-1" {
			t.Fatalf("requesting shows %s", loc)
		}
		b.wantText("#checks-state", "Missing: An approved model version; A verification and validation record; An approved impact assessment")
		b.wantText("#approve-waits", "Approval waits")
		b.shot("gate-2-request")

		// The validation record, from the check's own link: the form comes linked to A.6.2.4 and SYS-1.
		b.wantStatus("fix V&V", b.follow(`[id="check-vv_recordA.6.2.4"] a.fix`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#title")))
		if n := b.count(`input[value="control:A.6.2.4"]:checked`) + b.count(`input[value="ai_system:SYS-1"]:checked`); n != 2 {
			t.Fatalf("the evidence form has %d of the two links checked", n)
		}
		b.do(chromedp.Click(css("#kind-note")),
			chromedp.SendKeys(css("#title"), "Validation report, ranking model 2.0"),
			chromedp.SendKeys(css("#note"), "Recall 0.83 on the 2026 hold-out; no group below 0.8."))
		b.wantStatus("add evidence", b.follow(`main form[action="/evidence"] button[type=submit]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css(".notice-success")))
		b.wantStatus("back", b.open("/lifecycle/requests/MOVE-1"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#checks")))
		b.wantText(`[id="check-vv_recordA.6.2.4"]`, "Met")
		b.wantText("#checks-state", "Missing: An approved model version; An approved impact assessment")

		// The impact assessment, approved on its page, reached from the check's link.
		b.wantStatus("fix impact", b.follow(`[id="check-approved_impact_assessment"] a.fix`), http.StatusOK)
		b.wantStatus("assessment", b.follow(`main a[href="/impact/assessments/`+ia+`"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#approve")))
		b.wantStatus("approve assessment", b.follow("#approve"), http.StatusOK)
		b.do(chromedp.WaitVisible(css(".notice-success")))

		// A model version approved through the model service.
		lifecycleModel(t, e)

		// Everything met: approve, and the system is in deployment.
		b.wantStatus("request again", b.open("/lifecycle/requests/MOVE-1"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#checks-state")))
		b.wantText("#checks-state", "Every requirement is met.")
		b.wantText(`[id="check-approved_model_version"]`, "MDL-1@2.0.0")
		b.shot("gate-3-met")
		b.do(chromedp.SendKeys(css("#approve-note"), "AI board, 2 March."))
		b.wantStatus("approve", b.follow("#approve"), http.StatusOK)
		b.do(chromedp.WaitVisible(css(".notice-success")))
		b.wantText(".notice-success", "MOVE-1 is approved: SYS-1 is now in Deployment.")
		b.wantText("#request-status", "Approved")
		b.wantText("#decision-note", "AI board, 2 March.")
		b.shot("gate-4-approved")
		b.wantStatus("the system", b.open("/systems/SYS-1"), http.StatusOK)
		b.wantText("main", "Deployment")
		if s, err := e.app.Systems.Get(e.ctx, e.owner(), "SYS-1"); err != nil || s.LifecycleStage != "deployment" {
			t.Fatalf("stored stage = %+v, %v", s, err)
		}

		// A significant change for a new model version: the reviews fall due and the next move waits.
		b.wantStatus("changes", b.follow(`#system-records-nav a[href="/changes?system=SYS-1"]`), http.StatusOK)
		b.wantStatus("new change", b.follow(`.page-actions a[href="/changes/new?system=SYS-1"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#title")),
			chromedp.SendKeys(css("#title"), "Ranking model 3.0"),
			chromedp.Click(css("#kinds-model_version")),
			chromedp.SendKeys(css("#justification"), "Better recall for part-time applicants."))
		b.shot("gate-5-change")
		b.wantStatus("raise", b.follow("#raise-change"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#rule")))
		b.wantText("#rule", "significant by rule: a new model version is always significant")
		b.wantStatus("approve change", b.follow("#approve"), http.StatusOK)
		b.do(chromedp.WaitVisible(css(".notice-success")))
		b.wantText("#change-status", "Approved")
		b.wantText("#significant-effect", "due for review")
		b.wantStatus("next move", b.open("/systems/SYS-1/stage?to=operation_and_monitoring"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#checks")))
		b.wantText("#check-no_review_due_for_change", "IA-1: a significant change was approved: CR-1 Ranking model 3.0")
		b.shot("gate-6-review-due")
		b.wantStatus("gates", b.open("/lifecycle/gates"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#gates")))
		b.shot("gate-7-gates")
	})
}
