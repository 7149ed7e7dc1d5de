package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/chromedp/chromedp"
)

// riskByID selects an element by an id that may hold dots, such as treat-controls-A.9.3.
func riskByID(id string) string { return `[id="` + id + `"]` }

// riskSignInAs signs the tab out and in again as another person.
func (b *tab) riskSignInAs(email string) {
	b.t.Helper()
	b.wantStatus("sign out", b.follow(".account button[type=submit]"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), password))
	b.wantStatus("sign in as "+email, b.follow("main form button[type=submit]"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("nav.main-nav")))
}

// TestBrowserRiskAcceptance is the path of a risk as a new owner takes it:
// set a 4×4 matrix in the criteria editor, record a risk of a hiring
// screening system, assess it, treat it with a control and an action, set
// its residual level and accept it; then, as a manager, try to accept
// another risk above the appetite and be refused. With PostgreSQL it runs
// with JavaScript turned off.
func TestBrowserRiskAcceptance(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Ranks job applicants for interviews.",
			EUAIActClass: "high"})
		e.addUser("Acme Ltd", "max@example.org", "Max Manager", aims.RoleManager)

		// The criteria: from the 5×5 default to a 4×4 matrix.
		b.wantStatus("risks", b.follow(`nav.main-nav a[href="/risks"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#no-criteria")))
		b.wantStatus("criteria", b.follow(`.risk-nav a[href="/risk-criteria"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#editor")))
		b.wantText("#editor-title", "Set the risk criteria")
		b.wantStatus("remove likelihood 5", b.follow(`button[value="remove-likelihood-5"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#edited")))
		b.wantStatus("remove impact 5", b.follow(`button[value="remove-impact-5"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#edited")))
		if n := b.count("table.matrix-editor select"); n != 16 {
			t.Fatalf("%d cells after removing a step of each scale, want 16", n)
		}
		labels := map[string]string{"likelihood-3-label": "Likely", "likelihood-4-label": "Almost certain",
			"impact-3-label": "Major", "impact-4-label": "Severe"}
		steps := []chromedp.Action[chromedp.Void]{}
		for id, v := range labels {
			steps = append(steps, chromedp.SetValue(css("#"+id), v))
		}
		matrix := riskFourByFour().Matrix
		pos := map[string]string{"low": "1", "medium": "2", "high": "3", "critical": "4"}
		for l := range matrix {
			for i, name := range matrix[l] {
				steps = append(steps, chromedp.SetValue(css("#cell-"+strconv.Itoa(l+1)+"-"+strconv.Itoa(i+1)), pos[name]))
			}
		}
		steps = append(steps, chromedp.SetValue(css("#appetite"), "2"), chromedp.SendKeys(css("#note"), "A 4×4 matrix agreed by the board."))
		b.do(steps...)
		b.shot("risk-1-criteria-editor")
		b.wantStatus("save criteria", b.follow("#save-criteria"), http.StatusOK)
		b.do(chromedp.WaitVisible(css(".notice-success")))
		b.wantText(".notice-success", "The risk criteria are saved as version 1.")
		b.wantText("#current-title", "Version 1, current")
		if n := b.count("svg.matrix-svg rect"); n != 16 {
			t.Fatalf("the matrix chart has %d cells, want 16", n)
		}
		b.shot("risk-2-criteria")
		c, err := e.app.Risks.Criteria(e.ctx, e.owner())
		if err != nil || c.Size() != "4×4" || c.Appetite != "medium" || c.Likelihood[3].Label != "Almost certain" || c.Matrix[3][3] != "critical" {
			t.Fatalf("saved criteria = %+v, %v", c, err)
		}

		// Record a risk of the hiring system.
		b.wantStatus("register", b.follow(`.risk-nav a[href="/risks"]`), http.StatusOK)
		b.wantStatus("new risk", b.follow(`.page-actions a[href="/risks/new"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#title")),
			chromedp.SendKeys(css("#title"), "Screening rejects qualified women"),
			chromedp.SendKeys(css("#description"), "The ranking model learnt from ten years of past hires."),
			chromedp.Click(css(riskByID("systems-SYS-1"))),
			chromedp.SetValue(css("#risk_source"), "C.3.4"),
			chromedp.Click(css(riskByID("objectives-C.2.5"))),
			chromedp.SendKeys(css("#consequences_individuals"), "Qualified applicants are not invited."),
			chromedp.SetValue(css("#owner_id"), e.ownerID))
		b.shot("risk-3-new")
		b.wantStatus("record", b.follow("#save-risk"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#assessment")))
		if loc := b.location(); loc != "/risks/RISK-1" {
			t.Fatalf("recording shows %s", loc)
		}
		b.wantText("h1", "RISK-1 Screening rejects qualified women")

		// Assess it: likely and severe is critical.
		b.do(chromedp.SetValue(css("#assess-likelihood"), "3"), chromedp.SetValue(css("#assess-impact"), "4"))
		b.wantStatus("assess", b.follow("#assess"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#inherent")))
		b.wantText("#inherent", "critical")
		b.wantText(".notice-success", "RISK-1 is assessed: critical.")

		// Treat it with A.9.3, a plan and a residual rating; add an action.
		b.do(chromedp.Click(css("#treat-option-modify")),
			chromedp.SendKeys(css("#treat-plan"), "Audit the ranking for bias before each release."),
			chromedp.Click(css(riskByID("treat-controls-A.9.3"))),
			chromedp.SetValue(css("#treat-residual_likelihood"), "2"),
			chromedp.SetValue(css("#treat-residual_impact"), "2"))
		b.wantStatus("treat", b.follow("#save-treatment"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#treatment-controls")))
		b.wantText("#treatment-controls", "A.9.3")
		b.wantText("#residual", "medium")
		b.wantText("#plan-version", "1")
		b.do(chromedp.SendKeys(css("#action-new-description"), "Run a bias audit of the ranking"),
			chromedp.SetValue(css("#action-new-due_date"), riskDaysAhead(90)))
		b.wantStatus("add action", b.follow("#action-new-save"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#action-1")))
		b.wantText("#action-1", "Run a bias audit of the ranking")
		b.wantText("#plan-version", "2")
		b.shot("risk-4-treated")

		// Accept the residual risk, within the appetite.
		b.do(chromedp.SendKeys(css("#accept-note"), "Accepted by the AI board on 2 March."))
		b.wantStatus("accept", b.follow("#accept"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#acceptance-state")))
		b.wantText("#acceptance-state", "Valid")
		b.wantText("#risk-status", "Accepted")
		b.wantText("#acceptance-record", "Olivia Owner")
		b.shot("risk-5-accepted")

		// A second risk, above the appetite, prepared through the service.
		owner := e.owner()
		x, err := e.app.Risks.Create(e.ctx, owner, risk.CreateRequest{Title: "Applicants cannot contest a rejection", Systems: []string{"SYS-1"}})
		if err != nil {
			t.Fatal(err)
		}
		x, _ = e.app.Risks.Assess(e.ctx, owner, x.Ref, risk.AssessRequest{Likelihood: 4, Impact: 4, Version: x.Version})
		if _, err := e.app.Risks.SetTreatment(e.ctx, owner, x.Ref, risk.TreatmentRequest{Option: "retain", ResidualLikelihood: 3,
			ResidualImpact: 3, Version: x.Version}); err != nil {
			t.Fatal(err)
		}

		// The manager is refused.
		b.riskSignInAs("max@example.org")
		b.wantStatus("RISK-2", b.open("/risks/RISK-2"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#above-appetite")))
		b.wantText("#above-appetite", "Only an owner can accept it")
		b.wantStatus("refused", b.follow("#accept"), http.StatusForbidden)
		b.do(chromedp.WaitVisible(css(".error-summary")))
		b.wantText(".error-summary", "is above the risk appetite (medium), so only an owner can accept it")
		b.wantText("#risk-status", "Treated")
		b.shot("risk-6-refused")
		if r, _ := e.app.Risks.Get(e.ctx, owner, "RISK-2"); r.Acceptance != nil {
			t.Fatalf("the refused acceptance was stored: %+v", r.Acceptance)
		}

		// The heat map shows both risks, and its cell leads to them.
		b.wantStatus("overview", b.open("/risks/overview"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#heatmap-inherent")))
		b.shot("risk-7-overview")
		b.wantStatus("cell", b.follow(`#heatmap-inherent a[href="/risks?inherent=4-4"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#cell-filter")))
		b.wantText("#result-count", "1–1 of 1")
		b.wantText("table.risks", "RISK-2")
		b.shot("risk-8-cell")
	})
}
