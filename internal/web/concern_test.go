package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
)

// TestConcernPages reports a concern anonymously as a viewer, refuses its
// contents to everyone but owners and managers, and answers it.
func TestConcernPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		viewer, owner := cs[aims.RoleViewer], cs[aims.RoleOwner]
		r := viewer.get("/concerns")
		want(t, r, http.StatusOK, "Report a concern")
		wantNot(t, r, "public-settings")
		wantCSPSafe(t, r)
		want(t, viewer.get("/concerns/new"), http.StatusOK, `id="anonymous"`)
		r = viewer.post("/concerns", url.Values{"category": {"bias"}, "summary": {""}, "description": {"Typed text stays"}})
		want(t, r, http.StatusUnprocessableEntity, "Summary is required", "Typed text stays")
		r = viewer.post("/concerns", url.Values{"category": {"bias"}, "summary": {"Postcodes"}, "description": {"Refusals"}, "anonymous": {"1"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/concerns/receipt/") {
			t.Fatalf("report answered %d to %q", r.Status, r.Location())
		}
		anon := e.client()
		want(t, anon.get(r.Location()), http.StatusOK, "Keep this link", "CON-1", "Postcodes")
		receipt := strings.TrimSuffix(r.Location(), "?new=1")
		want(t, anon.get("/concerns/receipt/nonsense"), http.StatusNotFound)
		for _, role := range []aims.Role{aims.RoleAuditor, aims.RoleContributor, aims.RoleViewer} {
			want(t, cs[role].get("/concerns/CON-1"), http.StatusForbidden)
			wantNot(t, cs[role].get("/concerns"), "Postcodes")
		}
		want(t, owner.get("/concerns"), http.StatusOK, "CON-1", "Postcodes", "A member, anonymously")
		r = owner.get("/concerns/CON-1")
		want(t, r, http.StatusOK, "Refusals")
		wantCSPSafe(t, r)
		want(t, owner.post("/concerns/CON-1", url.Values{"version": {"1"}, "status": {"answered"}, "category": {"bias"}, "answer": {""}}),
			http.StatusUnprocessableEntity, "Answer is required")
		wantRedirect(t, owner.post("/concerns/CON-1", url.Values{"version": {"1"}, "status": {"received"}, "current_status": {"received"}, "category": {"bias"}, "answer": {"Fixed it"}}), "/concerns/CON-1")
		wantRedirect(t, owner.post("/concerns/CON-1/notes", url.Values{"body": {"Secret note"}}), "/concerns/CON-1#messages")
		r = anon.get(receipt)
		want(t, r, http.StatusOK, "Fixed it", "Answered")
		wantNot(t, r, "Secret note", "Keep this link")
		wantRedirect(t, anon.post(receipt+"/follow-up", url.Values{"body": {"Thanks, but"}}), receipt+"#follow-ups")
		want(t, anon.get(receipt), http.StatusOK, "Thanks, but", "Under review")
		// The public page is off until a handler turns it on; oversize posts are refused.
		want(t, anon.get("/report/nonsense"), http.StatusNotFound)
		big := url.Values{"body": {strings.Repeat("x", 70<<10)}}
		want(t, anon.post(receipt+"/follow-up", big), http.StatusRequestEntityTooLarge)
	})
}

// TestContextPages edits the draft context in the form, approves it and compares versions.
func TestContextPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, viewer := cs[aims.RoleOwner], cs[aims.RoleViewer]
		r := viewer.get("/context")
		want(t, r, http.StatusOK, "Nothing has been drafted yet", "No version has been approved yet")
		wantNot(t, r, `href="/context/edit"`)
		want(t, viewer.get("/context/edit"), http.StatusForbidden)
		r = owner.get("/context/edit")
		want(t, r, http.StatusOK, `name="internal_issues[0].issue"`, `name="interested_parties[2].name"`)
		wantCSPSafe(t, r)
		form := url.Values{"version": {"0"}, "external_issues[0].issue": {"EU AI Act"}, "external_issues[0].effect": {""},
			"scope.statement": {"Lending"}, "climate.decision": {"relevant"}, "climate.justification": {""}}
		want(t, owner.post("/context", form), http.StatusUnprocessableEntity, "External issue 1 effect is required", "EU AI Act",
			`id="external_issues-0-effect"`)
		form.Set("external_issues[0].effect", "High-risk duties")
		form.Set("climate.justification", "Energy use of training")
		form.Set("scope.sites", "Berlin\nParis")
		wantRedirect(t, owner.post("/context", form), "/context")
		r = owner.get("/context")
		want(t, r, http.StatusOK, "Version 1 of the draft", "Approve as version 1")
		wantRedirect(t, owner.post("/context/approve", url.Values{"version": {"1"}, "review_months": {"6"}}), "/context")
		r = viewer.get("/context")
		want(t, r, http.StatusOK, "In force: Context v1", "EU AI Act", "Berlin; Paris", "Climate change is a relevant issue", "2026-")
		want(t, viewer.get("/context/versions/1"), http.StatusOK, "In force")
		want(t, viewer.get("/context/versions/9"), http.StatusNotFound)
		want(t, viewer.get("/context/compare?from=0&to=1"), http.StatusOK, "Added the external issue “EU AI Act”")
	})
}
