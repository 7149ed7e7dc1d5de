package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/chromedp/chromedp"
)

// TestBrowserConcern reports a concern anonymously through the public
// link, has a manager answer it, and lets the reporter read the answer
// through the private link. With PostgreSQL it runs with JavaScript turned off.
func TestBrowserConcern(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		e.addUser("Acme Ltd", "max@example.org", "Max Manager", aims.RoleManager)

		// The owner turns public reporting on and reads the link, shown once.
		b.open("/concerns")
		b.do(chromedp.WaitVisible(css("#public-on")))
		b.wantStatus("public on", b.follow("#public-on"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#public-link-url")))
		public := strings.TrimPrefix(b.text("#public-link-url"), e.srv.URL)
		if !strings.HasPrefix(public, "/report/") {
			t.Fatalf("public link %q", public)
		}
		b.wantStatus("sign out", b.follow(".account button[type=submit]"), http.StatusOK)

		// Anyone reports through the public link, without an account.
		b.wantStatus("public page", b.open(public), http.StatusOK)
		b.wantText("h1", "Report a concern to Acme Ltd")
		if n := b.count("#anonymous"); n != 0 {
			t.Error("the public page offers a choice of anonymity it does not need")
		}
		b.shot("concern-1-public-form")
		b.wantStatus("empty report", b.follow("#send-concern"), http.StatusUnprocessableEntity)
		b.do(chromedp.WaitVisible(css(".error-summary")))
		b.do(chromedp.SetValue(css("#category"), "bias"),
			chromedp.SendKeys(css("#summary"), "Loan refusals by postcode"),
			chromedp.SendKeys(css("#description"), "Everyone in my street was refused."))
		b.wantStatus("report", b.follow("#send-concern"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#keep-link")))
		b.wantText("#keep-link", "Keep this link")
		receipt := strings.TrimPrefix(b.text("#receipt-link"), e.srv.URL)
		if !strings.HasPrefix(receipt, "/concerns/receipt/") || len(receipt) < len("/concerns/receipt/")+43 {
			t.Fatalf("private link %q", receipt)
		}
		b.wantText("#receipt-status", "Received")
		b.wantText("#no-answer", "no answer yet")
		b.shot("concern-2-receipt")

		// A manager answers it.
		b.open("/login")
		b.do(chromedp.WaitVisible(css("#email")), chromedp.SendKeys(css("#email"), "max@example.org"), chromedp.SendKeys(css("#password"), password))
		b.wantStatus("sign in", b.follow("main form button[type=submit]"), http.StatusOK)
		b.open("/concerns")
		b.do(chromedp.WaitVisible(css("#concerns")))
		b.wantText("#concerns", "Public link (anonymous)")
		b.wantStatus("concern", b.follow(`#concerns a[href="/concerns/CON-1"]`), http.StatusOK)
		b.wantText("#concern-description", "Everyone in my street was refused.")
		b.do(chromedp.SendKeys(css("#answer"), "We found a postcode proxy in the model and removed it."))
		b.wantStatus("answer", b.follow("#save-concern"), http.StatusOK)
		b.do(chromedp.WaitVisible(css(".notice-success")))
		b.wantText(".notice-success", "CON-1 is saved (answered)")
		b.wantStatus("sign out", b.follow(".account button[type=submit]"), http.StatusOK)

		// The reporter reads the answer through the private link.
		b.wantStatus("receipt", b.open(receipt), http.StatusOK)
		b.wantText("#receipt-status", "Answered")
		b.wantText("#answer-text", "We found a postcode proxy in the model and removed it.")
		if n := b.count("#keep-link"); n != 0 {
			t.Error("the private page repeats the keep-this-link notice")
		}
		b.shot("concern-3-answer")
	})
}
