package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/decision"
	"github.com/chromedp/chromedp"
)

// TestBrowserDecisionWhy is how someone answers "why was this person
// refused?": from the system's page to its decision records, a search by
// the subject's pseudonym, one of their decisions, its attribution chart
// with the largest effect first, and the receipt to hand over. With
// PostgreSQL it runs with JavaScript turned off.
func TestBrowserDecisionWhy(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		recs := decisionRecords(30)
		e.decisionSystem(recs)
		about := countRecords(recs, func(x decision.Record) bool { return x.Subject == "subj-2" })

		b.wantStatus("system", b.open("/systems/SYS-1"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#oversight-table")))
		b.wantText("#decision-records", "Decision records ("+strconv.Itoa(len(recs))+")")
		b.shot("decision-1-oversight")
		b.wantStatus("decisions", b.follow("#decision-records"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#decision-table")))
		if n := b.count("#decision-table tbody tr"); n != len(recs) {
			t.Fatalf("the decisions page lists %d decisions, want %d", n, len(recs))
		}

		b.do(chromedp.SendKeys(css("#search-subject"), "subj-2"))
		b.wantStatus("search", b.follow("#search-decisions"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#decision-table")))
		if loc := b.location(); !strings.Contains(loc, "subject=subj-2") {
			t.Fatalf("the search shows %s", loc)
		}
		if n := b.count("#decision-table tbody tr"); n != about {
			t.Fatalf("the search lists %d decisions about subj-2, want %d", n, about)
		}
		b.shot("decision-2-search")

		// The newest decision about subj-2 is d-29.
		b.wantStatus("decision", b.follow("#decision-table tbody tr:first-child a"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#attribution-chart")))
		b.wantText("h1", "Decision 29 of SYS-1")
		if n := b.count("#attribution-chart rect.attribution-bar"); n != 3 {
			t.Fatalf("the chart has %d bars, want 3", n)
		}
		if f := b.attrs("#attribution-chart rect.attribution-bar")["data-feature"]; f != "age" {
			t.Fatalf("the first bar is %q, want age, the largest attribution", f)
		}
		if n := b.count("#attribution-chart rect.attribution-negative"); n != 1 {
			t.Fatalf("%d negative bars, want 1", n)
		}
		// SVG text has no innerText; its text content says the sign.
		if v, err := chromedp.Run(b.ctx, chromedp.TextContent(css("#attribution-chart .attribution-value"))); err != nil || v != "−0.7" {
			t.Fatalf("the first bar's value is %q (%v), want −0.7", v, err)
		}
		b.wantText("#decision-output", "deny")
		b.wantText("#trained-on", "DS-1@1")
		a := b.attrs("#download-receipt")
		if a["href"] != "/systems/SYS-1/decisions/29/receipt" || a["download"] != "SYS-1-decision-29-receipt.json" {
			t.Fatalf("the receipt link is %v", a)
		}
		b.shot("decision-3-why")
	})
}
