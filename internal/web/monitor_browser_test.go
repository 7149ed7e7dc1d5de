package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/decision"
	"github.com/chromedp/chromedp"
)

// TestBrowserMonitoring is how a system owner watches a credit model for
// unequal approvals: from the system's page to its monitoring, where they
// set which decision is favourable, read the report, add a monitor of the
// demographic parity ratio through the form (first with a mistake), and
// evaluate it to see the days that breached the threshold on its chart.
// With PostgreSQL it runs with JavaScript turned off.
func TestBrowserMonitoring(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		d := monitorDecisions()
		e.monitorSystem(d)

		b.wantStatus("system", b.open("/systems/SYS-1"), http.StatusOK)
		b.wantStatus("monitoring", b.follow("#system-monitoring"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#settings-missing")))
		b.shot("monitoring-1-unset")

		b.do(chromedp.SendKeys(css("#settings-positive"), "approve"), chromedp.SendKeys(css("#settings-positive_outcome"), "repaid"))
		b.wantStatus("settings", b.follow("#save-settings"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#performance-table")))
		b.wantText("#settings-positive-value", "approve")
		b.wantText("#settings-outcome-value", "repaid")
		all := d.count(func(decision.Record) bool { return true })
		b.wantText("#performance-table tbody tr:first-child", strconv.Itoa(all.n))
		b.wantText("#performance-table tbody tr:first-child", f3(all.selected, all.n))
		if n := b.count("#series-chart polyline"); n != 4 {
			t.Fatalf("the rates chart draws %d lines, want 4 (one per rate, none broken within the seven days)", n)
		}
		if v, err := chromedp.Run(b.ctx, chromedp.TextContent(css("#series-chart title"))); err != nil || v != "Rates per day" {
			t.Fatalf("the rates chart's title is %q (%v)", v, err)
		}
		b.shot("monitoring-2-report")

		// A monitor with a threshold that is not a number: the form says so and keeps the rest.
		b.do(
			chromedp.SendKeys(css("#new-name"), "Approval parity by sex"),
			chromedp.SetValue(css("#new-metric"), "demographic_parity_ratio"),
			chromedp.SendKeys(css("#new-feature"), "sex"),
			chromedp.SendKeys(css("#new-threshold"), "eighty percent"),
			chromedp.SetValue(css("#new-direction"), "below"),
			chromedp.Clear(css("#new-min_samples")),
			chromedp.SendKeys(css("#new-min_samples"), "10"),
			chromedp.SetValue(css("#new-severity"), "medium"),
		)
		b.wantStatus("invalid monitor", b.follow("#add-monitor-submit"), http.StatusUnprocessableEntity)
		b.do(chromedp.WaitVisible(css("#new-threshold-error")))
		b.wantText("#new-threshold-error", "Threshold must be a number")
		if got := b.attrs("#new-threshold")["aria-invalid"]; got != "true" {
			t.Fatalf("the threshold's aria-invalid is %q", got)
		}
		if got := b.value("#new-name"); got != "Approval parity by sex" {
			t.Fatalf("the name was not kept: %q", got)
		}
		if got := b.value("#new-severity"); got != "medium" {
			t.Fatalf("the severity was not kept: %q", got)
		}
		b.shot("monitoring-3-invalid")
		b.do(chromedp.Clear(css("#new-threshold")), chromedp.SendKeys(css("#new-threshold"), "0.8"))
		b.wantStatus("add monitor", b.follow("#add-monitor-submit"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#no-results")))
		if loc := b.location(); loc != "/monitors/MON-1" {
			t.Fatalf("adding a monitor shows %s, want /monitors/MON-1", loc)
		}
		b.wantText("#monitor-threshold", "below 0.800")

		// Evaluating judges the seven days: two breaches on the chart, below its threshold line.
		b.wantStatus("evaluate", b.follow("#evaluate-now"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#monitor-chart")))
		b.wantText(".notice-success", "Judged 7 windows: 2 breaches.")
		b.wantText("#monitor-state", "Alert")
		line := b.attrs("#monitor-chart-threshold")
		if line["y1"] == "" || line["y1"] != line["y2"] {
			t.Fatalf("the threshold is not a horizontal line: %v", line)
		}
		if v, err := chromedp.Run(b.ctx, chromedp.TextContent(css("#monitor-chart-threshold title"))); err != nil || v != "Threshold 0.800" {
			t.Fatalf("the threshold line's title is %q (%v)", v, err)
		}
		if n := b.count("#monitor-chart rect.result-breach"); n != 2 {
			t.Fatalf("%d breaches on the chart, want 2", n)
		}
		// SVG's y grows downwards: a value below the threshold sits lower, at a larger y.
		ty, _ := strconv.ParseFloat(line["y1"], 64)
		if y, _ := strconv.ParseFloat(b.attrs("#monitor-chart rect.result-breach")["y"], 64); y <= ty {
			t.Fatalf("a breach of a below-threshold monitor is drawn at y %v, above the threshold at %v", y, ty)
		}
		if n := b.count("#monitor-chart .result-insufficient"); n != 1 {
			t.Fatalf("%d windows marked as not judged, want 1", n)
		}
		if n := b.count("#result-table tbody tr"); n != 7 {
			t.Fatalf("the results table lists %d windows, want 7", n)
		}
		b.wantText("#monitor-alerts", "INC-1")
		b.shot("monitoring-4-evaluated")
	})
}
