package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserObjective is the path of a governance lead: set an objective
// with its plan, define an indicator with a target band, record three
// values and see them charted as three points against the target. With
// PostgreSQL it runs with JavaScript turned off.
func TestBrowserObjective(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()

		b.wantStatus("objectives", b.open("/objectives"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#no-objectives")))
		b.wantStatus("new objective", b.follow("#new-objective"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#objective-title")),
			chromedp.SendKeys(css("#objective-title"), "Explain every credit refusal"),
			chromedp.Click(css(`[id="objective-annex_c-C.2.11"]`)),
			chromedp.SendKeys(css("#objective-plan-actions"), "Send the main reasons with each refusal letter."),
			chromedp.SendKeys(css("#objective-plan-resources"), "Two engineers for a quarter."),
			chromedp.SendKeys(css("#objective-plan-responsible"), "Credit operations"),
			chromedp.SetValue(css("#objective-plan-due_on"), "2026-12-31"),
			chromedp.SendKeys(css("#objective-plan-evaluation"), "A monthly sample of 100 refusals."))
		b.shot("objective-1-new")
		b.wantStatus("set objective", b.follow("#save-objective"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#indicator-form")))
		if loc := b.location(); loc != "/objectives/OBJ-1" {
			t.Fatalf("setting the objective shows %s", loc)
		}
		b.wantText("h1", "OBJ-1 Explain every credit refusal")

		b.do(chromedp.SendKeys(css("#indicator-new-name"), "Refusals explained"),
			chromedp.SendKeys(css("#indicator-new-unit"), "%"),
			chromedp.SetValue(css("#indicator-new-target-kind"), "at_least"),
			chromedp.SendKeys(css("#indicator-new-target-min"), "95"),
			chromedp.SetValue(css("#indicator-new-cadence"), "monthly"),
			chromedp.SendKeys(css("#indicator-new-method"), "Share of refusal letters that state reasons."),
			chromedp.SetValue(css("#indicator-new-starts_on"), "2025-12-31"))
		b.wantStatus("define indicator", b.follow("#add-indicator"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#measure-1-form")))
		b.wantText("#indicator-1-title", "OBJ-1/I1 Refusals explained")

		for _, v := range [][2]string{{"91.5", "2026-01-31"}, {"94", "2026-02-28"}, {"96.2", "2026-03-31"}} {
			b.do(chromedp.WaitVisible(css("#measure-1-value")),
				chromedp.SendKeys(css("#measure-1-value"), v[0]),
				chromedp.SetValue(css("#measure-1-measured_on"), v[1]))
			b.wantStatus("record "+v[0], b.follow("#measure-1-save"), http.StatusOK)
			b.do(chromedp.WaitVisible(css(".notice-success")))
		}
		b.do(chromedp.WaitVisible(css("#indicator-chart-1 svg")))
		if n := b.count("#indicator-chart-1 svg circle.chart-dot"); n != 3 {
			t.Fatalf("the chart has %d points, want 3", n)
		}
		if n := b.count("#indicator-chart-1 svg rect.chart-target-band"); n != 1 {
			t.Errorf("the chart has %d target bands, want 1", n)
		}
		b.wantText("#indicator-1-values", "96.2")
		b.wantText("#indicator-1-standing", "On target")
		b.shot("objective-2-chart")
	})
}
