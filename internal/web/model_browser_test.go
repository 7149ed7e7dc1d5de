package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/model"
	"github.com/chromedp/chromedp"
)

// TestBrowserModelDeployment is the path of a model as an ML engineer and a
// lead take it: register a model of a credit-scoring system, register its
// first version (after a mistyped digest that the form keeps), record two
// evaluation results and see their chart, be told what approval needs,
// complete the model card, approve the version and deploy it to
// production. With PostgreSQL it runs with JavaScript turned off.
func TestBrowserModelDeployment(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score consumer credit applications.",
			EUAIActClass: "high"})
		train, test := e.modelDataset("Applications 2025"), e.modelDataset("Hold-out 2025")

		// Register the model.
		b.wantStatus("models", b.open("/models"), http.StatusOK)
		b.wantStatus("new model", b.follow("#new-model"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#model-name")),
			chromedp.SetValue(css("#model-system"), "SYS-1"),
			chromedp.SendKeys(css("#model-name"), "Credit scorer"),
			chromedp.SendKeys(css("#model-description"), "Gradient-boosted trees on bureau data."),
			chromedp.SetValue(css("#model-owner_id"), e.ownerID))
		b.shot("model-1-new")
		b.wantStatus("register model", b.follow("#save-model"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#no-versions")))
		if loc := b.location(); loc != "/models/MDL-1" {
			t.Fatalf("registering shows %s", loc)
		}
		b.wantText("h1", "MDL-1 Credit scorer")

		// Register a version: a mistyped digest is named and what was typed stays.
		b.wantStatus("new version", b.follow("#new-version"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#version-label")),
			chromedp.SendKeys(css("#version-label"), "1.4.0"),
			chromedp.SendKeys(css("#version-digest"), "sha256:123"),
			chromedp.SendKeys(css("#version-framework"), "scikit-learn 1.5"),
			chromedp.SendKeys(css("#version-trained_on"), train),
			chromedp.SendKeys(css("#version-evaluated_on"), test),
			chromedp.SendKeys(css("#version-card-intended_use"), "Score consumer credit applications in the EU."))
		b.wantStatus("invalid version", b.follow("#save-version"), http.StatusUnprocessableEntity)
		b.do(chromedp.WaitVisible(css("#version-digest-error")))
		b.shot("model-2-invalid-version")
		b.wantText("#version-digest-error", "Artefact SHA-256 must be a SHA-256 digest")
		if got := b.value("#version-framework"); got != "scikit-learn 1.5" {
			t.Fatalf("framework after the error = %q", got)
		}
		if got := b.value("#version-card-intended_use"); got != "Score consumer credit applications in the EU." {
			t.Fatalf("intended use after the error = %q", got)
		}
		b.do(chromedp.SetValue(css("#version-digest"), "sha256:"+modelDigest))
		b.wantStatus("register version", b.follow("#save-version"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#evaluations")))
		if loc := b.location(); loc != "/models/MDL-1/versions/1.4.0" {
			t.Fatalf("registering the version shows %s", loc)
		}
		b.wantText("#version-status", "Candidate")
		b.wantText("#trained-on", train)
		if href := b.attrs("#lineage")["href"]; href != "/datasets/lineage?version=DS-1%401&version=DS-2%401" {
			t.Fatalf("lineage link = %q", href)
		}

		// Two results; the second draws the chart.
		b.do(chromedp.SendKeys(css("#evaluate-metric"), "accuracy"), chromedp.SendKeys(css("#evaluate-value"), "0.89"),
			chromedp.SendKeys(css("#evaluate-dataset"), test), chromedp.SetValue(css("#evaluate-measured_on"), "2026-01-10"))
		b.wantStatus("first result", b.follow("#evaluate"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#evaluation-table")))
		b.do(chromedp.SendKeys(css("#evaluate-metric"), "accuracy"), chromedp.SendKeys(css("#evaluate-value"), "0.91"),
			chromedp.SendKeys(css("#evaluate-dataset"), test))
		b.wantStatus("second result", b.follow("#evaluate"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#metric-chart-1")))
		if n := b.count("#metric-chart-1 circle.chart-dot"); n != 2 {
			t.Fatalf("the chart has %d points, want 2", n)
		}
		b.shot("model-3-results")

		// Approval needs the limitations; the card is completed; approved.
		b.wantText("#approval-gaps", "Limitations is empty")
		b.wantStatus("approve too early", b.follow("#approve"), http.StatusConflict)
		b.do(chromedp.WaitVisible(css("#approval .error-summary")))
		b.wantText("#approval .error-summary", "cannot be approved yet")
		b.wantStatus("edit", b.follow("#edit-version"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#version-card-limitations")),
			chromedp.SendKeys(css("#version-card-limitations"), "Not validated for business loans."))
		b.wantStatus("save card", b.follow("#save-version"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#approval-ready")))
		b.do(chromedp.SendKeys(css("#approve-note"), "AI board, minute 12."))
		b.wantStatus("approve", b.follow("#approve"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#approval-record")))
		b.wantText("#version-status", "Approved")
		b.wantText("#approval-record", "Olivia Owner")
		b.wantText("#card-frozen", "Frozen since approval")
		if b.count("#edit-version") != 0 {
			t.Fatal("an approved version can still be edited")
		}

		// Deploy to production.
		b.wantStatus("deploy", b.follow("#deploy"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#deployments")))
		b.wantText("#version-status", "Deployed")
		b.wantText("#environments", "production")
		b.wantText(".notice-success", "MDL-1@1.4.0 is deployed in production.")
		b.shot("model-4-deployed")
		b.wantStatus("model", b.open("/models/MDL-1"), http.StatusOK)
		b.wantText("#model-deployed", "1.4.0 in production")

		v, err := e.app.Models.GetVersion(e.ctx, e.owner(), "MDL-1@1.4.0")
		if err != nil || v.Status != model.VersionDeployed || len(v.Evaluations) != 2 || v.Approval == nil || v.Card.Limitations == "" {
			t.Fatalf("stored version = %+v, %v", v, err)
		}
	})
}
