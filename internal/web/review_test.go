package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/risk"
)

// TestReviewPages holds a management review through the pages: its inputs
// show the real risk register, a decision and an action are recorded with
// problems kept beside their fields, the chair alone signs it off, and the
// record then shows frozen inputs while its action is followed up. Each role
// sees only the forms it may use; another organisation sees nothing.
func TestReviewPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, manager, contributor, viewer := cs[aims.RoleOwner], cs[aims.RoleManager], cs[aims.RoleContributor], cs[aims.RoleViewer]
		today := time.Now().UTC().Format(time.DateOnly)
		e.riskSetUp()
		if _, err := e.app.Risks.Create(e.ctx, e.owner(), risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}}); err != nil {
			t.Fatal(err)
		}

		r := viewer.get("/reviews")
		want(t, r, http.StatusOK, "Management reviews", `id="never-held"`, `id="no-reviews"`)
		wantNot(t, r, `id="new-review"`)
		wantCSPSafe(t, r)
		want(t, contributor.get("/reviews/new"), http.StatusForbidden)
		want(t, contributor.post("/reviews", url.Values{"title": {"x"}}), http.StatusForbidden)

		r = manager.get("/reviews/new")
		want(t, r, http.StatusOK, "Plan a management review", `name="chair"`, `name="attendees"`)
		wantCSPSafe(t, r)
		r = manager.post("/reviews", url.Values{"title": {" "}, "planned_on": {"next week"}, "chair": {""}, "guests": {"Jane Roe"},
			"notes": {"Typed notes"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#review-title"`, "Title is required", `href="#review-planned_on"`,
			"Planned date must be a date", `href="#review-chair"`, "Chair is required", `value="next week"`, ">Typed notes</textarea>", ">Jane Roe</textarea>")
		wantCSPSafe(t, r)
		wantRedirect(t, manager.post("/reviews", url.Values{"title": {"Management review 2026"}, "planned_on": {today}, "chair": {e.ownerID},
			"guests": {"Jane Roe (consultant)"}}), "/reviews/MR-1")

		// The inputs fill themselves in from the records.
		r = viewer.get("/reviews/MR-1")
		want(t, r, http.StatusOK, "MR-1 Management review 2026", "Olivia Owner", "Jane Roe (consultant)", "From the start",
			"9.3.2 a)", "Status of actions from previous management reviews", "9.3.2 b)", "Missing", "1 risk not closed: 0 assessed",
			`id="input-risks"`)
		wantNot(t, r, `id="decision-form"`, `id="action-form"`, `id="sign-off-form"`, `id="edit"`)
		wantCSPSafe(t, r)
		r = manager.get("/reviews/MR-1")
		want(t, r, http.StatusOK, `id="decision-form"`, `id="action-form"`, `id="edit"`)
		wantNot(t, r, `id="sign-off-form"`)

		r = manager.post("/reviews/MR-1/decisions", url.Values{"kind": {"improvement"}, "text": {" "}})
		want(t, r, http.StatusUnprocessableEntity, `href="#decision-text"`, "Decision is required", `<option value="improvement" selected>`)
		wantCSPSafe(t, r)
		wantRedirect(t, manager.post("/reviews/MR-1/decisions", url.Values{"kind": {"resources"}, "text": {"Fund a second fairness reviewer."}}),
			"/reviews/MR-1#decisions")
		r = manager.post("/reviews/MR-1/actions", url.Values{"description": {"Typed action"}, "owner": {""}, "due_on": {"soon"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#action-owner"`, "Owner is required", `href="#action-due_on"`, `value="soon"`, ">Typed action</textarea>")
		wantRedirect(t, manager.post("/reviews/MR-1/actions", url.Values{"description": {"Hire a fairness reviewer"}, "owner": {e.ownerID},
			"due_on": {time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)}}), "/reviews/MR-1#actions")

		// Only the chair signs off, once the meeting date is given.
		r = owner.get("/reviews/MR-1")
		want(t, r, http.StatusOK, `id="sign-off-form"`, "MR-1/D1", "Fund a second fairness reviewer.", "MR-1/A1", "Hire a fairness reviewer")
		want(t, manager.post("/reviews/MR-1/sign-off", url.Values{"version": {"1"}, "held_on": {today}}), http.StatusForbidden)
		r = owner.post("/reviews/MR-1/sign-off", url.Values{"version": {"1"}, "held_on": {""}})
		want(t, r, http.StatusUnprocessableEntity, `href="#signoff-held_on"`, "Held on must be recorded before the review is signed off")
		wantCSPSafe(t, r)
		wantRedirect(t, owner.post("/reviews/MR-1/sign-off", url.Values{"version": {"1"}, "held_on": {today}}), "/reviews/MR-1")

		// Frozen: later records do not change what it shows, and its outputs cannot change; the follow-up goes on.
		if _, err := e.app.Risks.Create(e.ctx, e.owner(), risk.CreateRequest{Title: "Drift", Systems: []string{"SYS-1"}}); err != nil {
			t.Fatal(err)
		}
		r = owner.get("/reviews/MR-1")
		want(t, r, http.StatusOK, "Signed off", `id="inputs-frozen"`, `id="signed-off"`, "1 risk not closed", `id="done-1"`, "Signed off the management review")
		wantNot(t, r, `id="decision-form"`, `id="action-form"`, `id="sign-off-form"`, `id="edit"`, "2 risks not closed")
		want(t, manager.post("/reviews/MR-1/decisions", url.Values{"kind": {"change"}, "text": {"Late"}}), http.StatusConflict)
		wantRedirect(t, manager.post("/reviews/MR-1/actions/1", url.Values{"version": {"1"}, "status": {"done"}}), "/reviews/MR-1#actions")
		want(t, viewer.get("/reviews/MR-1"), http.StatusOK, "Done "+today)
		want(t, viewer.get("/reviews"), http.StatusOK, `href="/reviews/MR-1"`, "the next is due by")

		r = viewer.get("/reviews/MR-1/minutes.pdf")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") {
			t.Errorf("minutes = %d %s", r.Status, r.Header.Get("Content-Type"))
		}

		// Another organisation sees none of it.
		e.addUser("Globex", "owner@globex.example", "Globex Owner", aims.RoleOwner)
		globex := e.client()
		globex.login("owner@globex.example")
		want(t, globex.get("/reviews/MR-1"), http.StatusNotFound)
		want(t, globex.post("/reviews/MR-1/actions/1", url.Values{"version": {"2"}, "status": {"open"}}), http.StatusNotFound)
	})
}
