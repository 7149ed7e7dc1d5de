package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Chromium: AIMS_CHROMIUM or Debian's /usr/bin/chromium.
// Without it the browser tests skip, unless AIMS_TEST_REQUIRE_ALL=1.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("AIMS_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("AIMS_TEST_REQUIRE_ALL") == "1" {
			t.Fatalf("AIMS_TEST_REQUIRE_ALL=1 but Chromium is not at %s (set AIMS_CHROMIUM): %v", p, err)
		}
		t.Skipf("Chromium is not at %s (set AIMS_CHROMIUM to run the browser tests)", p)
	}
	return p
}

// startBrowser starts one headless Chromium for the test, with a fresh profile.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("cannot start Chromium: %v", err)
	}
	return ctx
}

// tab is one browser tab with its own cookies, driving one app.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	// shots names the folder that receives a screenshot of each step, when set.
	shots string
	name  string
}

// newTab opens a tab in a fresh browser context; with script off, the page's
// JavaScript is disabled, as a browser with JavaScript turned off would be.
func newTab(t *testing.T, browser context.Context, base string, script bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	if !script {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	// Each scenario must finish well within a minute; the deadline only
	// guards against a hang.
	ctx, cancelRun := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelRun)
	return &tab{t: t, ctx: ctx, base: base, shots: os.Getenv("AIMS_TEST_SCREENSHOTS"),
		name: strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())}
}

// do runs steps and fails the test on error.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// follow clicks a link or a button that sends a form, waits for the page it
// leads to and returns its status.
func (b *tab) follow(sel string) int64 {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("submit %s: %v", sel, err)
	}
	return res.Status
}

// open goes to a path of the app and returns the status of the page.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	res, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return res.Status
}

// text returns the visible text of the first element that matches sel.
func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// value returns the current value of a form control.
func (b *tab) value(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

// attrs returns the attributes of the first element that matches sel.
func (b *tab) attrs(sel string) map[string]string {
	b.t.Helper()
	m, err := chromedp.Run(b.ctx, chromedp.Attributes(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("attributes of %s: %v", sel, err)
	}
	return m
}

// count returns how many elements match sel.
func (b *tab) count(sel string) int {
	b.t.Helper()
	ids, err := chromedp.Run(b.ctx, chromedp.QueryNodeIDs(chromedp.CSSAll(sel), chromedp.AtLeast(0)))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return len(ids)
}

// location is the path of the current page.
func (b *tab) location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(u, b.base)
}

// shot saves a screenshot of the page when AIMS_TEST_SCREENSHOTS names a folder.
func (b *tab) shot(step string) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, b.name+"-"+step+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// wantStatus fails unless a page answered with the status.
func (b *tab) wantStatus(step string, got int64, want int) {
	b.t.Helper()
	if got != int64(want) {
		b.shot(step + "-unexpected")
		b.t.Fatalf("%s: status %d, want %d", step, got, want)
	}
}

// wantText fails unless the element's text contains s.
func (b *tab) wantText(sel, s string) {
	b.t.Helper()
	if got := b.text(sel); !strings.Contains(got, s) {
		b.t.Fatalf("%s says %q, want it to contain %q", sel, got, s)
	}
}

// css selects by CSS.
func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// setupAndSignIn completes first-run setup, signs out and signs in again.
func (b *tab) setupAndSignIn() {
	b.t.Helper()
	b.open("/")
	b.do(chromedp.WaitVisible(css("#organisation")))
	if loc := b.location(); loc != "/setup" {
		b.t.Fatalf("a fresh aims shows %s, want /setup", loc)
	}
	b.shot("1-setup")
	b.do(
		chromedp.SendKeys(css("#organisation"), "Acme Ltd"),
		chromedp.SendKeys(css("#name"), "Olivia Owner"),
		chromedp.SendKeys(css("#email"), "olivia@example.org"),
		chromedp.SendKeys(css("#password"), password),
	)
	b.wantStatus("setup", b.follow("main form button[type=submit]"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("nav.main-nav")))
	b.wantText(".org-name", "Acme Ltd")
	b.shot("2-dashboard")

	b.wantStatus("sign out", b.follow(".account button[type=submit]"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#email")))
	if loc := b.location(); loc != "/login" {
		b.t.Fatalf("signing out shows %s, want /login", loc)
	}
	b.do(
		chromedp.SendKeys(css("#email"), "olivia@example.org"),
		chromedp.SendKeys(css("#password"), password),
	)
	b.wantStatus("sign in", b.follow("main form button[type=submit]"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("nav.main-nav")))
	b.wantText(".account-email", "olivia@example.org")
}

// registerSystem registers an AI system, first with an empty intended
// purpose, then fixed, and returns at the system's page.
func (b *tab) registerSystem() {
	b.t.Helper()
	b.wantStatus("new system", b.follow(`.page-actions a[href="/systems/new"]`), http.StatusOK)
	b.do(
		chromedp.WaitVisible(css("#name")),
		chromedp.SendKeys(css("#name"), "Credit scoring"),
		chromedp.SendKeys(css("#description"), "Gradient-boosted trees on bureau data."),
		chromedp.Click(css("#ai_roles-producer")),
		chromedp.SendKeys(css("#affected_stakeholders"), "Loan applicants\nCredit officers"),
		chromedp.SendKeys(css("#eu_ai_act_class"), "High"),
	)
	b.shot("3-new-system")
	b.wantStatus("invalid system", b.follow("main form button[type=submit]"), http.StatusUnprocessableEntity)
	b.do(chromedp.WaitVisible(css("#intended_purpose-error")))
	b.shot("4-invalid-system")
	b.wantText("#intended_purpose-error", "Intended purpose is required")
	if got := b.attrs("#intended_purpose")["aria-invalid"]; got != "true" {
		b.t.Fatalf("intended purpose aria-invalid = %q", got)
	}
	if got := b.value("#name"); got != "Credit scoring" {
		b.t.Fatalf("the name was not kept: %q", got)
	}
	if got := b.value("#description"); got != "Gradient-boosted trees on bureau data." {
		b.t.Fatalf("the description was not kept: %q", got)
	}
	if got := b.value("#eu_ai_act_class"); got != "high" {
		b.t.Fatalf("the EU AI Act class was not kept: %q", got)
	}
	if got := b.value("#affected_stakeholders"); !strings.Contains(got, "Loan applicants\nCredit officers") {
		b.t.Fatalf("the stakeholders were not kept: %q", got)
	}
	if _, ok := b.attrs("#ai_roles-producer")["checked"]; !ok {
		b.t.Fatal("the AI producer role was not kept")
	}
	b.do(chromedp.SendKeys(css("#intended_purpose"), "Scores loan applications for the credit team."))
	b.wantStatus("create system", b.follow("main form button[type=submit]"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#history-title")))
	if loc := b.location(); loc != "/systems/SYS-1" {
		b.t.Fatalf("creating a system shows %s, want /systems/SYS-1", loc)
	}
	b.wantText("h1", "SYS-1 Credit scoring")
	b.wantText(".history", "ai_system.create")
	b.shot("5-system")
}

func TestBrowser(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, true)
		b.setupAndSignIn()
		b.registerSystem()

		// Find it in the list by searching.
		b.wantStatus("list", b.follow(`nav.main-nav a[href="/systems"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#q")), chromedp.SendKeys(css("#q"), "credit"))
		b.wantStatus("search", b.follow(".filter-actions button[type=submit]"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("table.systems")))
		if loc := b.location(); !strings.Contains(loc, "q=credit") {
			b.t.Fatalf("the search shows %s", loc)
		}
		b.wantText("#result-count", "1–1 of 1")
		b.shot("6-search")

		// Open it: one history entry; edit once: two.
		b.wantStatus("open", b.follow(`table.systems a[href="/systems/SYS-1"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#history-title")))
		if n := b.count(".history-entry"); n != 1 {
			t.Fatalf("%d history entries, want 1", n)
		}
		b.wantStatus("edit", b.follow(`.page-actions a[href="/systems/SYS-1/edit"]`), http.StatusOK)
		b.do(
			chromedp.WaitVisible(css("#name")),
			chromedp.Clear(css("#name")),
			chromedp.SendKeys(css("#name"), "Credit scoring v2"),
		)
		b.wantStatus("save", b.follow("main form button[type=submit]"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#history-title")))
		b.wantText("h1", "SYS-1 Credit scoring v2")
		if n := b.count(".history-entry"); n != 2 {
			t.Fatalf("%d history entries after an edit, want 2", n)
		}
		b.wantText(".history-entry:first-child", "ai_system.update")
		b.wantText(".history-entry:first-child .changes", "Credit scoring v2")
		b.shot("7-edited")

		b.wantStatus("sign out", b.follow(".account button[type=submit]"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#email")))
		b.wantText("h1", "Sign in")
		if loc := b.location(); loc != "/login" {
			t.Fatalf("signing out shows %s, want /login", loc)
		}
		// The page's script ran in this tab.
		if !strings.Contains(b.attrs("html")["class"], "js") {
			t.Fatal("the page's script did not run with JavaScript enabled")
		}
	})
}

func TestBrowserWithoutJavaScript(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, false)
		b.setupAndSignIn()
		// The page's script did not run, so everything so far worked without it.
		if strings.Contains(b.attrs("html")["class"], "js") {
			t.Fatal("the page's script ran although JavaScript is disabled")
		}
		b.registerSystem()
		if strings.Contains(b.attrs("html")["class"], "js") {
			t.Fatal("the page's script ran although JavaScript is disabled")
		}
	})
}
