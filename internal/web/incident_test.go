package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
)

// TestIncidentPages records an incident through the form, keeps what was
// typed beside each problem, shows the Art. 73 duty's countdown, records
// the notification, raises a nonconformity and handles it to closure,
// showing each role only the forms it may use.
func TestIncidentPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, contributor, viewer := cs[aims.RoleOwner], cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Triage", IntendedPurpose: "Triage patients."})

		r := viewer.get("/incidents")
		want(t, r, http.StatusOK, "Incidents", "0 incidents")
		wantNot(t, r, `id="new-incident"`)
		wantCSPSafe(t, r)
		want(t, viewer.get("/incidents/new"), http.StatusForbidden)
		want(t, contributor.get("/incidents/new"), http.StatusOK, `name="aware_at"`)

		aware := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
		form := url.Values{"title": {"Patient sent home"}, "occurred_at": {aware.Add(-time.Hour).Format("2006-01-02T15:04")},
			"aware_at": {aware.Format("2006-01-02T15:04")}, "severity": {"critical"}, "harms": {"health_safety"},
			"systems": {"SYS-9"}, "serious": {"yes"}, "affected_count": {"one"}}
		r = contributor.post("/incidents", form)
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#incident-affected-count"`, `value="SYS-9"`, `value="Patient sent home"`)
		wantCSPSafe(t, r)
		form.Set("affected_count", "1")
		r = contributor.post("/incidents", form)
		want(t, r, http.StatusUnprocessableEntity, "names SYS-9", "is required for a serious incident", `aria-invalid="true"`)
		form.Set("systems", "SYS-1")
		form.Set("serious_category", "death")
		wantRedirect(t, contributor.post("/incidents", form), "/incidents/INC-1")

		r = contributor.get("/incidents/INC-1")
		due := aware.AddDate(0, 0, 10)
		want(t, r, http.StatusOK, "INC-1 Patient sent home", "Serious: Death of a person", `datetime="`+due.Format(time.RFC3339)+`"`,
			"9 days 22 hours left", `id="record-notified-1"`, `id="raise-nc"`)
		wantNot(t, r, `id="status-closed"`)
		wantCSPSafe(t, r)
		r = viewer.get("/incidents/INC-1")
		wantNot(t, r, `id="record-notified-1"`, `id="raise-nc"`, `id="add-notice"`)
		want(t, viewer.get("/incidents"), http.StatusOK, "Market surveillance authority: 9 days 22 hours left")

		r = contributor.post("/incidents/INC-1/notifications", url.Values{"recipient": {"customers"}})
		want(t, r, http.StatusUnprocessableEntity, "the law sets no deadline", `href="#notice-due-at"`)
		r = contributor.post("/incidents/INC-1/notifications/1/notified", url.Values{"version": {"1"}, "method": {""}})
		want(t, r, http.StatusUnprocessableEntity, `href="#notified-1-method"`)
		wantRedirect(t, contributor.post("/incidents/INC-1/notifications/1/notified", url.Values{"version": {"1"}, "method": {"Web form"},
			"reference": {"MSA-1"}}), "/incidents/INC-1")
		want(t, contributor.get("/incidents/INC-1"), http.StatusOK, `id="notified-1"`, "Web form MSA-1")

		wantRedirect(t, contributor.post("/incidents/INC-1/nonconformity", url.Values{"version": {"1"}, "severity": {"major"}}), "/nonconformities/NC-1")
		r = contributor.get("/nonconformities/NC-1")
		want(t, r, http.StatusOK, "NC-1 Patient sent home", "Incident INC-1", `id="add-action"`)
		wantNot(t, r, `id="add-check"`, `id="close-nc"`)
		wantCSPSafe(t, r)
		r = contributor.post("/nonconformities/NC-1/actions", url.Values{"description": {"Typed action"}, "owner_id": {e.ownerID}, "due_on": {"soon"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#action-due-on"`, ">Typed action</textarea>")
		wantRedirect(t, contributor.post("/nonconformities/NC-1/actions", url.Values{"description": {"Nurse checks discharge"},
			"owner_id": {e.ownerID}, "due_on": {"2099-01-31"}}), "/nonconformities/NC-1")
		wantRedirect(t, contributor.post("/nonconformities/NC-1/actions/1/done", url.Values{"version": {"1"}}), "/nonconformities/NC-1")
		want(t, contributor.get("/nonconformities/NC-1"), http.StatusOK, "Verifying")
		want(t, contributor.post("/nonconformities/NC-1/checks", url.Values{"effective": {"yes"}}), http.StatusForbidden)
		r = owner.post("/nonconformities/NC-1/checks", url.Values{"effective": {"no"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#check-notes"`)
		wantRedirect(t, owner.post("/nonconformities/NC-1/checks", url.Values{"effective": {"yes"}, "evidence": {"EV-1"}}), "/nonconformities/NC-1")
		r = owner.get("/nonconformities/NC-1")
		want(t, r, http.StatusOK, `id="close-nc"`, "Effective")
		version := regexpFind(t, r.Body, `name="version" value="(\d+)"`)
		wantRedirect(t, owner.post("/nonconformities/NC-1/close", url.Values{"version": {version}, "aims_change_needed": {"no"}}), "/nonconformities/NC-1")
		want(t, viewer.get("/nonconformities"), http.StatusOK, "1 nonconformity", "Closed")
		want(t, viewer.get("/nonconformities/NC-1"), http.StatusOK, "No change to the AIMS is needed", "closed nonconformity")
	})
}
