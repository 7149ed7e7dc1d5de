package web_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// decide fills in and saves a control's decision for the organisation on its page.
func (b *tab) decide(control, applicable, justification, status, ownerID, target string) {
	b.t.Helper()
	b.wantStatus("open "+control, b.open("/soa/controls/"+control), http.StatusOK)
	// The justification is typed after a blank, as the field may hold a
	// stored text; the service trims it.
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(css("#justification")),
		chromedp.Click(css("#applicable-" + applicable)),
		chromedp.SetValue(css("#justification"), " "),
		chromedp.SendKeys(css("#justification"), justification),
	}
	// Empty choices stay as the form has them.
	for id, v := range map[string]string{"#status": status, "#owner_id": ownerID, "#target_date": target} {
		if v != "" {
			steps = append(steps, chromedp.SetValue(css(id), v))
		}
	}
	b.do(steps...)
	b.wantStatus("save "+control, b.follow("#save"), http.StatusOK)
	b.do(chromedp.WaitVisible(css(".notice-success")))
	b.wantText(".notice-success", "The decision on "+control+" is saved.")
}

// approve sends the approval form with a note and returns the page's status.
func (b *tab) approve(note string) int64 {
	b.t.Helper()
	b.wantStatus("the Statement", b.open("/soa"), http.StatusOK)
	b.do(chromedp.WaitVisible(css("#note")), chromedp.SendKeys(css("#note"), note))
	return b.follow("#approve")
}

// download fetches a link of the page with the browser's cookies and
// returns the answer.
func (b *tab) download(sel string) (*http.Response, []byte) {
	b.t.Helper()
	href := b.attrs(sel)["href"]
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base}})
	if err != nil {
		b.t.Fatal(err)
	}
	cookies := res.Cookies
	req, err := http.NewRequest(http.MethodGet, b.base+href, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, body
}

// TestBrowserSoAApproval is the approval path as a new owner takes it:
// decide controls, be refused while some are undecided, approve version 1,
// change two rows, approve version 2, compare, and download both versions
// as PDF and XLSX. With PostgreSQL it runs with JavaScript turned off.
func TestBrowserSoAApproval(t *testing.T) {
	browser := startBrowser(t)
	eachDialect(t, func(t *testing.T, e *env) {
		b := newTab(t, browser, e.srv.URL, !strings.HasSuffix(t.Name(), "postgres"))
		b.setupAndSignIn()
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = 'olivia@example.org'`).Scan(&e.ownerID, &e.orgID); err != nil {
			t.Fatal(err)
		}
		owner := e.owner()
		e.createSystem(owner, aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Scores loan applications."})
		if _, err := e.app.Evidence.Add(e.ctx, owner, evidence.AddRequest{Kind: "note", Title: "AI policy approved by the board",
			Note: "Minutes of the board meeting.", Links: []string{"control:A.2.2"}}); err != nil {
			t.Fatal(err)
		}

		b.wantStatus("SoA", b.follow(`nav.main-nav a[href="/soa"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#progress")))
		b.wantText("#progress", "0 of 38 decided")
		b.do(chromedp.SendKeys(css("#scope"), "All AI systems that Acme Ltd develops or uses in the EU."))
		b.wantStatus("scope", b.follow("#save-scope"), http.StatusOK)
		b.wantText(".notice-success", "The scope is saved.")
		b.shot("soa-1-scope")

		// Decide a few controls in the page, one of them with its evidence.
		b.decide("A.2.2", "yes", "The AI policy directs the whole AIMS.", "planned", e.ownerID, "2026-06-30")
		b.wantText("#evidence-list", "AI policy approved by the board")
		b.decide("A.3.2", "yes", "Roles are assigned in the RACI.", "implemented", "", "")
		b.decide("A.10.4", "no", "We have no customers of our AI systems.", "", "", "")
		b.shot("soa-2-decided")

		// Approval is refused while controls are undecided.
		b.wantStatus("refused", b.approve("Too early"), http.StatusConflict)
		b.wantText(".error-summary", "The draft cannot be approved yet")
		b.wantText(".error-summary", "35 of 38 controls have no decision")
		b.wantText("#progress", "3 of 38 decided")
		if got := b.value("#note"); got != "Too early" {
			t.Fatalf("the note was not kept: %q", got)
		}
		b.shot("soa-3-refused")

		// The rest is decided through the service, to keep the test short.
		e.decideAll(owner)
		b.wantStatus("approve v1", b.approve("First version."), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#checkpoint-note")))
		if loc := b.location(); loc != "/soa/versions/1" {
			t.Fatalf("approving shows %s", loc)
		}
		b.wantText("h1", "Statement of Applicability, version 1")
		b.wantText(".notice-success", "Version 1 is approved.")
		b.wantText("#checkpoint-note", "aims/audit/"+e.orgID)
		b.shot("soa-4-v1")

		// Change two rows and approve version 2.
		b.decide("A.2.2", "yes", "The AI policy directs the whole AIMS.", "implemented", e.ownerID, "2026-06-30")
		b.decide("A.3.2", "no", "One person holds every AI role.", "", "", "")
		b.wantStatus("approve v2", b.approve("Second version."), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#checkpoint-note")))
		b.wantText("h1", "Statement of Applicability, version 2")

		// Compare the two versions: exactly the two changes.
		b.wantStatus("versions", b.open("/soa/versions"), http.StatusOK)
		b.wantStatus("compare", b.follow(`a[href="/soa/compare?from=1&to=2"]`), http.StatusOK)
		b.do(chromedp.WaitVisible(css("#result-count")))
		b.wantText("#result-count", "2 decisions differ")
		if n := b.count("table.soa-compare tbody tr"); n != 2 {
			t.Fatalf("%d changed rows, want 2", n)
		}
		b.wantText("table.soa-compare tbody tr:nth-child(1)", "A.2.2")
		b.wantText("table.soa-compare tbody tr:nth-child(1)", "Implemented")
		b.wantText("table.soa-compare tbody tr:nth-child(2)", "A.3.2")
		b.wantText("table.soa-compare tbody tr:nth-child(2)", "One person holds every AI role.")
		b.shot("soa-5-compare")

		// Download both versions as PDF and XLSX, and open them.
		for _, n := range []string{"1", "2"} {
			b.wantStatus("version "+n, b.open("/soa/versions/"+n), http.StatusOK)
			b.do(chromedp.WaitVisible(css("#exports")))
			resp, body := b.download(`#exports a[href$="format=pdf"]`)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
				resp.Header.Get("Content-Disposition") != "attachment; filename=soa-v"+n+".pdf" ||
				!bytes.HasPrefix(body, []byte("%PDF-")) || !bytes.Contains(body[len(body)-8:], []byte("%%EOF")) {
				t.Fatalf("PDF of v%s: %d %s %s", n, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
			}
			resp, body = b.download(`#exports a[href$="format=xlsx"]`)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
				resp.Header.Get("Content-Disposition") != "attachment; filename=soa-v"+n+".xlsx" {
				t.Fatalf("XLSX of v%s: %d %s", n, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			x, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("XLSX of v%s does not open: %v", n, err)
			}
			version, _ := x.GetCellValue("Version", "B3")
			status, _ := x.GetCellValue("Statement of Applicability", "G2")
			x.Close()
			wantStatus := map[string]string{"1": "Planned", "2": "Implemented"}[n]
			if version != n || status != wantStatus {
				t.Fatalf("XLSX of v%s says version %q, A.2.2 %q", n, version, status)
			}
		}
	})
}
