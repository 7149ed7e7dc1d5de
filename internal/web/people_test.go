package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// TestPeoplePages sets up a competence, a course and an AIMS role through
// the forms, records and withdraws training, and reads the matrix and a
// person's page, checking each role sees only what it may use and that
// problems are shown by their fields with what was typed kept.
func TestPeoplePages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		manager, contributor, viewer := cs[aims.RoleManager], cs[aims.RoleContributor], cs[aims.RoleViewer]

		r := viewer.get("/people")
		want(t, r, http.StatusOK, "People and competence", "Nobody holds an AIMS role yet")
		wantNot(t, r, `id="record-training"`)
		wantCSPSafe(t, r)
		want(t, contributor.get("/people/competences/new"), http.StatusForbidden)
		want(t, contributor.post("/people/competences", url.Values{"name": {"Statistics"}}), http.StatusForbidden)

		r = manager.post("/people/competences", url.Values{"name": {" "}, "description": {"Typed description"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#f-name"`, "Name is required", ">Typed description</textarea>")
		wantCSPSafe(t, r)
		wantRedirect(t, manager.post("/people/competences", url.Values{"name": {"Statistics"}}), "/people/competences/COMP-1")
		r = manager.get("/people/courses/new")
		want(t, r, http.StatusOK, "Record a training course", `value="COMP-1"`)
		wantCSPSafe(t, r)
		r = manager.post("/people/courses", url.Values{"title": {"Stats 101"}, "validity_months": {"700"}, "competences": {"COMP-1"}})
		want(t, r, http.StatusUnprocessableEntity, "Valid for (months) must be between 0", `value="Stats 101"`, `value="COMP-1" checked`)
		wantRedirect(t, manager.post("/people/courses", url.Values{"title": {"Stats 101"}, "validity_months": {"12"}, "competences": {"COMP-1"}}),
			"/people/courses/CRS-1")
		ms, err := e.app.Identity.ListMembers(e.ctx, e.owner())
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for _, m := range ms {
			ids[m.Email] = m.UserID
		}
		wantRedirect(t, manager.post("/people/roles", url.Values{"name": {"Model validator"}, "responsibilities": {"Validates models"},
			"reports_to_top_management": {"yes"}, "members": {ids["contributor@example.org"], ids["viewer@example.org"]}, "competences": {"COMP-1"}}),
			"/people/roles/ROLE-1")
		r = viewer.get("/people/roles/ROLE-1")
		want(t, r, http.StatusOK, "ROLE-1 Model validator", "Contributor Person", "COMP-1 Statistics", "Yes: reports", "Created the AIMS role")
		wantNot(t, r, `id="edit"`, `id="archive"`)
		wantCSPSafe(t, r)
		r = manager.get("/people/roles/ROLE-1/edit")
		want(t, r, http.StatusOK, `name="version" value="1"`, `value="Model validator"`)
		r = manager.post("/people/roles/ROLE-1", url.Values{"version": {"1"}, "name": {"Model validator"}, "responsibilities": {" "}})
		want(t, r, http.StatusUnprocessableEntity, "Responsibilities is required")
		wantRedirect(t, manager.post("/people/roles/ROLE-1", url.Values{"version": {"1"}, "name": {"Model validator"}, "responsibilities": {"Validates"},
			"members": {ids["contributor@example.org"], ids["viewer@example.org"]}, "competences": {"COMP-1"}}), "/people/roles/ROLE-1")
		want(t, manager.post("/people/roles/ROLE-1", url.Values{"version": {"1"}, "name": {"Stale"}, "responsibilities": {"x"}}), http.StatusConflict, "Someone changed ROLE-1")

		// Both holders lack Statistics.
		r = viewer.get("/people")
		want(t, r, http.StatusOK, "2 required competences are not held", "Contributor Person", "missing")
		r = contributor.get("/people/training/new")
		want(t, r, http.StatusOK, "Record training", `value="CRS-1"`)
		wantCSPSafe(t, r)
		r = contributor.post("/people/training", url.Values{"person": {ids["viewer@example.org"]}, "completed_on": {"2999-01-01"}, "evidence": {"EV-7"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#f-course"`, "Completed on must not be in the future", `value="2999-01-01"`, `value="EV-7"`)
		wantCSPSafe(t, r)
		// The pages run on today's clock: completed on the 15th of last month, a course valid 12 months
		// expires on the same day a year later.
		n := time.Now().UTC()
		done := time.Date(n.Year(), n.Month()-1, 15, 0, 0, 0, 0, time.UTC)
		expires := done.AddDate(1, 0, 0).Format("2006-01-02")
		wantRedirect(t, contributor.post("/people/training", url.Values{"person": {ids["viewer@example.org"]}, "course": {"CRS-1"},
			"completed_on": {done.Format("2006-01-02")}}), "/people/training/TR-1")
		r = viewer.get("/people/training/TR-1")
		want(t, r, http.StatusOK, "TR-1 Stats 101", expires, "Recorded the training")
		wantNot(t, r, `id="withdraw-form"`)
		r = viewer.get("/people/me")
		if r.Status != http.StatusSeeOther {
			t.Fatalf("me = %d", r.Status)
		}
		r = viewer.get(r.Location())
		want(t, r, http.StatusOK, "My training", "held, expires "+expires, "TR-1")
		r = viewer.get("/people")
		want(t, r, http.StatusOK, "1 required competences are not held")

		// Withdraw with a reason; a blank reason is refused by the field.
		r = contributor.post("/people/training/TR-1/withdraw", url.Values{"reason": {" "}})
		want(t, r, http.StatusUnprocessableEntity, "Reason is required")
		want(t, viewer.post("/people/training/TR-1/withdraw", url.Values{"reason": {"x"}}), http.StatusForbidden)
		wantRedirect(t, contributor.post("/people/training/TR-1/withdraw", url.Values{"reason": {"Wrong person"}}), "/people/training/TR-1")
		want(t, viewer.get("/people/training/TR-1"), http.StatusOK, "withdrawn", "Wrong person", "Withdrew the training record")
		want(t, viewer.get("/people/training?state=withdrawn"), http.StatusOK, "1 records")
		want(t, viewer.get("/people/training?state=old"), http.StatusUnprocessableEntity)
		wantRedirect(t, manager.post("/people/courses/CRS-1/archive", nil), "/people/courses/CRS-1")
		want(t, viewer.get("/people/courses?status=archived"), http.StatusOK, "Stats 101")
		want(t, viewer.get("/people/roles/ROLE-9"), http.StatusNotFound)
	})
}
