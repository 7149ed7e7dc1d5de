package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/chromedp/chromedp"
)

// TestBrowserSeriousIncident raises a serious incident with a death through
// the form, sees its 10-day Art. 73 deadline and countdown, and records the
// notification. With PostgreSQL it runs with JavaScript turned off.
func TestBrowserSeriousIncident(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Triage", IntendedPurpose: "Triage patients."})

		// Aware an hour ago, to the minute: the report is due ten days after.
		aware := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
		due := aware.AddDate(0, 0, 10)
		b.open("/incidents")
		b.wantStatus("new incident", b.follow("#new-incident"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#incident-title")),
			chromedp.SendKeys(css("#incident-title"), "Patient sent home"),
			chromedp.SetValue(css("#incident-occurred-at"), aware.Add(-2*time.Hour).Format("2006-01-02T15:04")),
			chromedp.SetValue(css("#incident-aware-at"), aware.Format("2006-01-02T15:04")),
			chromedp.SetValue(css("#incident-severity"), "critical"),
			chromedp.Click(css("#incident-harms-health_safety")),
			chromedp.SendKeys(css("#incident-systems"), "SYS-1"),
			chromedp.Click(css("#incident-serious")),
			chromedp.SetValue(css("#incident-serious-category"), "death"))
		b.shot("incident-1-form")
		b.wantStatus("record", b.follow("#save-incident"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#art73-due")))
		b.wantText("h1", "INC-1 Patient sent home")
		b.wantText("#serious", "Death of a person")
		if got := b.attrs("#art73-due time")["datetime"]; got != due.Format(time.RFC3339) {
			t.Errorf("Art. 73 deadline %s, want %s", got, due.Format(time.RFC3339))
		}
		b.wantText("#countdown-1", "9 days 22 hours left")
		b.shot("incident-2-countdown")

		b.open("/incidents")
		b.wantText("#countdown-1", "Market surveillance authority: 9 days 22 hours left")
		b.open("/incidents/INC-1")
		b.do(chromedp.WaitVisible(css("#notified-1-method")),
			chromedp.SendKeys(css("#notified-1-method"), "Authority web form"),
			chromedp.SendKeys(css("#notified-1-reference"), "MSA-2026-77"))
		b.wantStatus("notified", b.follow("#record-notified-1"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#notified-1")))
		b.wantText("#notified-1", "Authority web form MSA-2026-77")
		if n := b.count("#countdown-1"); n != 0 {
			t.Errorf("a countdown is still shown after notifying")
		}
		b.shot("incident-3-notified")
	})
}
