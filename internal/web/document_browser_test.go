package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/chromedp/chromedp"
)

// documentSignIn signs a fresh tab in as a member.
func (b *tab) documentSignIn(email string) {
	b.t.Helper()
	b.wantStatus("sign-in page", b.open("/login"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), password))
	b.wantStatus("sign in as "+email, b.follow("main form button[type=submit]"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("nav.main-nav")))
	b.wantText(".account-email", email)
}

// documentAcknowledge finds the AI policy among what the signed-in person
// has to read, reads it and acknowledges it.
func (b *tab) documentAcknowledge(who string) {
	b.t.Helper()
	b.wantStatus(who+" to read", b.open("/documents/to-read"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#to-read-list")))
	b.wantText("#to-read-list", "DOC-1 AI policy, version 1")
	b.wantStatus(who+" reads", b.follow(`#to-read-list a[href="/documents/DOC-1/versions/1"]`), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#document-text")))
	b.wantText("h1", "DOC-1 AI policy, version 1")
	b.wantText("#version-status", "In force")
	b.wantText("#document-text h2", "What we expect of everyone")
	if n := b.count("#document-text script"); n != 0 {
		b.t.Fatalf("the text holds %d script elements", n)
	}
	b.shot(who + "-reads")
	b.wantStatus(who+" acknowledges", b.follow("#acknowledge"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#acknowledged")))
	b.wantText(".notice-success", "your acknowledgement of DOC-1, version 1, is recorded")
	if n := b.count("#acknowledge"); n != 0 {
		b.t.Fatal("the acknowledgement can be given twice")
	}
	b.wantStatus(who+" has nothing to read", b.open("/documents/to-read"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#nothing-to-read")))
}

// TestBrowserAIPolicy is the path of the AI policy: the owner writes it
// and approves it; a contributor and a viewer sign in, find it among what
// they have to read, read it and acknowledge it; the document's page then
// shows who has acknowledged and who has not. A script written into the
// text never runs. With PostgreSQL the viewer has JavaScript turned off.
func TestBrowserAIPolicy(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		script := !strings.HasSuffix(t.Name(), "postgres")
		b := newTab(t, browser, e.srv.URL, true)
		b.setupAndSignIn()
		e.addUser(orgName, "carl@example.org", "Carl Contributor", aims.RoleContributor)
		e.addUser(orgName, "vera@example.org", "Vera Viewer", aims.RoleViewer)
		e.addUser(orgName, "mia@example.org", "Mia Manager", aims.RoleManager)

		// The owner writes the AI policy.
		b.wantStatus("documents", b.open("/documents"), http.StatusOK)
		b.wantStatus("new policy", b.follow("#new-policy"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#doc-text")))
		if got := b.value("#doc-title"); got != "AI policy" {
			t.Fatalf("the AI policy form starts with title %q", got)
		}
		text := "# Acme AI policy\n\nAcme uses AI to serve its customers fairly.\n\n## What we expect of everyone\n\n" +
			"- Register every AI system before use.\n- Report concerns at once.\n\n<script>document.title = 'pwned'</script>\n"
		b.do(chromedp.SendKeys(css("#doc-text"), text), chromedp.SendKeys(css("#doc-change_note"), "First issue"))
		b.shot("policy-1-new")
		b.wantStatus("save policy", b.follow("#save-document"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#document-status")))
		if loc := b.location(); loc != "/documents/DOC-1" {
			t.Fatalf("saving the policy shows %s", loc)
		}
		b.wantText("h1", "DOC-1 AI policy")
		b.wantText("#document-status", "Not approved yet")
		b.wantText("#draft-title", "Draft: version 1")

		// The owner approves it: it is in force and nobody has acknowledged it yet.
		b.wantStatus("approve", b.follow("#approve"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#readers")))
		b.wantText(".notice-success", "Version 1 of DOC-1 is approved and in force")
		b.wantText("#document-status", "Version 1 in force")
		b.wantText("#in-force h2", "Version 1, in force")
		b.wantText("#in-force .document-text h1", "Acme AI policy")
		b.wantText("#readers-count", "0 of 4 people")
		b.shot("policy-2-approved")

		// A contributor and a viewer sign in, read it and acknowledge it.
		carl := newTab(t, browser, e.srv.URL, true)
		carl.documentSignIn("carl@example.org")
		carl.documentAcknowledge("contributor")
		vera := newTab(t, browser, e.srv.URL, script)
		vera.documentSignIn("vera@example.org")
		// The list says what she has to read.
		vera.wantStatus("list", vera.open("/documents"), http.StatusOK)
		vera.do(chromedp.WaitVisible(css("#to-read")))
		vera.wantText("#to-read", "You have 1 document to read")
		vera.documentAcknowledge("viewer")

		// The document's page shows who has acknowledged and who has not.
		b.wantStatus("the policy", b.open("/documents/DOC-1"), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#readers")))
		b.wantText("#readers-count", "2 of 4 people")
		if n := b.count("#readers tbody tr"); n != 4 {
			t.Fatalf("%d people in the table, want 4", n)
		}
		rows := map[string]string{}
		for i := 1; i <= 4; i++ {
			row := b.text("#readers tbody tr:nth-child(" + strconv.Itoa(i) + ")")
			for _, name := range []string{"Carl Contributor", "Vera Viewer", "Mia Manager", "Olivia Owner"} {
				if strings.Contains(row, name) {
					rows[name] = row
				}
			}
		}
		for name, want := range map[string]string{"Carl Contributor": "Acknowledged", "Vera Viewer": "Acknowledged",
			"Mia Manager": "Not yet", "Olivia Owner": "Not yet"} {
			if !strings.Contains(rows[name], want) {
				t.Errorf("%s's row says %q, want %q", name, rows[name], want)
			}
		}
		// Those who have not acknowledged come first.
		if first := b.text("#readers tbody tr:first-child"); !strings.Contains(first, "Not yet") {
			t.Errorf("the first row is %q", first)
		}
		b.wantText(".history", "Approved a version, which is now in force")
		b.shot("policy-3-acknowledged")
		if title, err := chromedp.Run(b.ctx, chromedp.Title()); err != nil || title == "pwned" {
			t.Fatalf("the page title is %q (%v): the script in the text ran", title, err)
		}
	})
}
