package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
)

// TestDocumentPages writes the AI policy through the forms, keeps what was
// typed beside each problem, edits the draft with a preview, approves it,
// has a viewer read and acknowledge it, starts and compares a second
// version, records a review and withdraws the document; each role sees only
// the forms it may use, raw HTML in the text never reaches the page, and
// every page is safe under the CSP.
func TestDocumentPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, manager, contributor, viewer := cs[aims.RoleOwner], cs[aims.RoleManager], cs[aims.RoleContributor], cs[aims.RoleViewer]

		r := viewer.get("/documents")
		want(t, r, http.StatusOK, "Documents", "No documents match")
		wantNot(t, r, `id="new-document"`, `id="new-policy"`)
		wantCSPSafe(t, r)
		want(t, viewer.get("/documents/new"), http.StatusForbidden)
		want(t, viewer.post("/documents", url.Values{"title": {"x"}, "kind": {"policy"}}), http.StatusForbidden)

		r = contributor.get("/documents/new?kind=ai_policy")
		want(t, r, http.StatusOK, "Write a document", `value="AI policy"`, `value="5.2"`, `value="A.2.2"`, `<option value="ai_policy" selected>`,
			`value="everyone" checked`)
		wantCSPSafe(t, r)
		r = contributor.post("/documents", url.Values{"title": {" "}, "kind": {"ai_policy"}, "clauses": {"5.2, 9.9"}, "controls": {"A.2.2"},
			"review_months": {"61"}, "text": {"Typed text"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#doc-title"`, "Title is required", `href="#doc-clauses"`,
			"Clauses addressed item 2 names 9.9", `href="#doc-distribution"`, "Distributed to must name everyone or at least one role",
			`href="#doc-review_months"`, ">Typed text</textarea>", `value="5.2, 9.9"`, `aria-invalid="true"`)
		wantCSPSafe(t, r)
		text := "# AI policy\n\nWe use AI responsibly.\n\n<script>alert('x')</script>\n\n[Click](javascript:alert(1)) and [ISO](https://www.iso.org)\n\n| Who | What |\n|:--|--:|\n| All | Read it |"
		wantRedirect(t, contributor.post("/documents", url.Values{"title": {"AI policy"}, "kind": {"ai_policy"}, "owner_id": {""},
			"review_months": {"12"}, "clauses": {"5.2"}, "controls": {"A.2.2 A.2.3"}, "distribution": {"everyone"}, "text": {text},
			"change_note": {"First issue"}}), "/documents/DOC-1")
		r = contributor.post("/documents", url.Values{"title": {"Second policy"}, "kind": {"ai_policy"}, "distribution": {"everyone"}})
		want(t, r, http.StatusConflict, "DOC-1 is the AI policy in force", `value="Second policy"`)

		// The document's page: the draft, but no approval for a contributor.
		r = contributor.get("/documents/DOC-1")
		want(t, r, http.StatusOK, "DOC-1 AI policy", "Not approved yet", "Draft: version 1", `id="edit-draft"`, "A.2.3", "Everyone",
			"Wrote the document")
		wantNot(t, r, `id="approve-form"`, `id="archive"`, `id="review-form"`)
		wantCSPSafe(t, r)
		r = viewer.get("/documents/DOC-1")
		wantNot(t, r, `id="edit"`, `id="edit-draft"`, `id="approve-form"`, `id="archive"`)

		// The draft: a preview shows the text rendered without saving; HTML and script links never come through.
		r = contributor.get("/documents/DOC-1/draft")
		want(t, r, http.StatusOK, "draft of version 1", `name="revision" value="1"`, "<h1>AI policy</h1>", "<!-- raw HTML omitted -->", "<p>Click and",
			`<a href="https://www.iso.org" rel="noopener noreferrer nofollow">ISO</a>`, `<th align="left">Who</th>`)
		// The editor holds the text as typed, escaped; the rendering leaves the script and the script link out.
		wantNot(t, r, "<script>alert", `href="javascript`, `<a href="">`, ">Click</a>")
		wantCSPSafe(t, r)
		r = contributor.post("/documents/DOC-1/draft", url.Values{"action": {"preview"}, "revision": {"1"}, "text": {"# Changed\n\n**bold**"}, "change_note": {"First issue"}})
		want(t, r, http.StatusOK, "Preview, not saved", "<h1>Changed</h1>", "<strong>bold</strong>")
		wantNot(t, r, `id="approve-form"`)
		wantRedirect(t, contributor.post("/documents/DOC-1/draft", url.Values{"action": {"save"}, "revision": {"1"},
			"text": {text + "\n\nEveryone reads it."}, "change_note": {"First issue"}}), "/documents/DOC-1/draft")
		r = contributor.post("/documents/DOC-1/draft", url.Values{"action": {"save"}, "revision": {"1"}, "text": {"Lost"}})
		want(t, r, http.StatusConflict, "omeone changed the draft of DOC-1", ">Lost</textarea>")

		// Approval by a manager, at the revision read.
		want(t, contributor.post("/documents/DOC-1/approve", url.Values{"number": {"1"}, "revision": {"2"}}), http.StatusForbidden)
		r = manager.get("/documents/DOC-1/draft")
		want(t, r, http.StatusOK, `id="approve-form"`, `name="revision" value="2"`)
		r = manager.post("/documents/DOC-1/approve", url.Values{"number": {"1"}, "revision": {"1"}, "note": {"Board"}})
		want(t, r, http.StatusConflict, "omeone changed the draft of DOC-1", `value="Board"`)
		wantRedirect(t, manager.post("/documents/DOC-1/approve", url.Values{"number": {"1"}, "revision": {"2"}, "note": {"Board, 2 March"}}), "/documents/DOC-1")
		r = manager.get("/documents/DOC-1")
		want(t, r, http.StatusOK, "Version 1 of DOC-1 is approved and in force", "Version 1 in force", "Acknowledgements of version 1",
			"0 of 5 people it is distributed to (Everyone) have acknowledged it", "Not yet", "Everyone reads it.", `id="review-form"`,
			`id="to-acknowledge"`, "Approved a version, which is now in force")
		wantNot(t, r, "<script>alert", "javascript:")
		wantCSPSafe(t, r)

		// A viewer has it to read, reads it and acknowledges it once.
		r = viewer.get("/documents/to-read")
		want(t, r, http.StatusOK, "DOC-1 AI policy, version 1")
		wantCSPSafe(t, r)
		want(t, viewer.get("/documents"), http.StatusOK, "You have 1 document to read", "To read")
		r = viewer.get("/documents/DOC-1/versions/1")
		want(t, r, http.StatusOK, "DOC-1 AI policy, version 1", "In force", `id="acknowledge"`, "I have read and understood", "Everyone reads it.")
		wantNot(t, r, "<script>alert")
		wantCSPSafe(t, r)
		wantRedirect(t, viewer.post("/documents/DOC-1/versions/1/acknowledge", nil), "/documents/DOC-1/versions/1")
		r = viewer.get("/documents/DOC-1/versions/1")
		want(t, r, http.StatusOK, "your acknowledgement of DOC-1, version 1, is recorded", `id="acknowledged"`)
		wantNot(t, r, `id="acknowledge"`)
		want(t, viewer.post("/documents/DOC-1/versions/1/acknowledge", nil), http.StatusConflict, "acknowledged DOC-1 v1 already")
		want(t, viewer.get("/documents/to-read"), http.StatusOK, "You have read and acknowledged everything")
		r = owner.get("/documents/DOC-1")
		want(t, r, http.StatusOK, "1 of 5 people", "Viewer Person", "Acknowledged")
		text2 := strings.Replace(text, "We use AI responsibly.", "We use AI responsibly and lawfully.", 1)
		r = owner.get("/documents/DOC-1/versions/1/text")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/markdown; charset=utf-8" || !strings.HasPrefix(r.Body, "# AI policy\n") {
			t.Fatalf("text download %d %s %q", r.Status, r.Header.Get("Content-Type"), clip(r.Body))
		}

		// A second version: started from the first, changed, compared and approved.
		wantRedirect(t, contributor.post("/documents/DOC-1/versions", nil), "/documents/DOC-1/draft")
		wantRedirect(t, contributor.post("/documents/DOC-1/draft", url.Values{"action": {"save"}, "revision": {"1"},
			"text": {text2 + "\n\nEveryone reads it."}, "change_note": {"Lawful use"}}), "/documents/DOC-1/draft")
		r = viewer.get("/documents/DOC-1/compare?from=1&to=2")
		want(t, r, http.StatusOK, "1 line added, 1 line removed from version 1 to version 2", "<del><code>We use AI responsibly.</code></del>",
			"<ins><code>We use AI responsibly and lawfully.</code></ins>")
		wantCSPSafe(t, r)
		wantRedirect(t, owner.post("/documents/DOC-1/approve", url.Values{"number": {"2"}, "revision": {"2"}}), "/documents/DOC-1")
		r = viewer.get("/documents/DOC-1/versions/1")
		want(t, r, http.StatusOK, "Superseded", "A later version is in force", `id="acknowledged"`)
		r = viewer.get("/documents/to-read")
		want(t, r, http.StatusOK, "DOC-1 AI policy, version 2", "you acknowledged version 1")
		r = owner.get("/documents/DOC-1")
		want(t, r, http.StatusOK, "Acknowledgements of version 2", "0 of 5 people", "acknowledged version 1", "Superseded", "Compare with version 1")

		// A review without change, by the document's owner.
		want(t, viewer.post("/documents/DOC-1/review", url.Values{"note": {"x"}}), http.StatusForbidden)
		wantRedirect(t, contributor.post("/documents/DOC-1/review", url.Values{"note": {"Still right."}}), "/documents/DOC-1#reviews")
		want(t, viewer.get("/documents/DOC-1"), http.StatusOK, "reviewed, no change", "Still right.", "Reviewed the version in force: no change")

		// Details and withdrawal.
		r = contributor.get("/documents/DOC-1/edit")
		want(t, r, http.StatusOK, "Edit the details of DOC-1", `value="A.2.2, A.2.3"`)
		wantCSPSafe(t, r)
		r = contributor.post("/documents/DOC-1", url.Values{"version": {"1"}, "title": {"Stale"}, "kind": {"ai_policy"}, "distribution": {"everyone"}})
		want(t, r, http.StatusConflict, "omeone changed DOC-1", `value="Stale"`)
		doc, err := e.app.Documents.Get(e.ctx, e.owner(), "DOC-1")
		if err != nil {
			t.Fatal(err)
		}
		wantRedirect(t, contributor.post("/documents/DOC-1", url.Values{"version": {strconv.Itoa(doc.Version)}, "title": {"Acme AI policy"},
			"kind": {"ai_policy"}, "owner_id": {doc.OwnerID}, "review_months": {"6"}, "clauses": {"5.2"}, "controls": {"A.2.2"},
			"distribution": {"manager", "viewer"}}), "/documents/DOC-1")
		want(t, viewer.get("/documents/DOC-1"), http.StatusOK, "Acme AI policy", "Managers, Viewers", "0 of 2 people")
		want(t, contributor.post("/documents/DOC-1/archive", url.Values{"reason": {"x"}}), http.StatusForbidden)
		wantRedirect(t, manager.post("/documents/DOC-1/archive", url.Values{"reason": {"Replaced by the group policy"}}), "/documents/DOC-1")
		r = viewer.get("/documents/DOC-1")
		want(t, r, http.StatusOK, "Withdrawn", "Replaced by the group policy")
		wantNot(t, r, "Acknowledgements of version")
		want(t, viewer.get("/documents?status=archived"), http.StatusOK, "Acme AI policy")
		want(t, viewer.get("/documents?status=gone"), http.StatusUnprocessableEntity, "must be active, archived or all")
		want(t, viewer.get("/documents/DOC-9"), http.StatusNotFound)
	})
}
