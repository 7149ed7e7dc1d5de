package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
)

func TestCatalogPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		clients := e.signedIn()
		viewer, manager, contributor := clients[aims.RoleViewer], clients[aims.RoleManager], clients[aims.RoleContributor]

		r := viewer.get("/catalog")
		want(t, r, http.StatusOK, "Clauses 4–10", "6.1 Actions to address risks and opportunities", "6.1.3</span> AI risk treatment",
			"A.10 Third-party and customer relationships", "A.10.4</span> Customers", "Documented information")
		wantNot(t, r, "Add an own control")
		wantCSPSafe(t, r)
		want(t, manager.get("/catalog"), http.StatusOK, "Add an own control")

		r = viewer.get("/catalog?q=whistleblowing+anonymous")
		want(t, r, http.StatusOK, "A.3.3</span> Reporting of concerns")
		wantNot(t, r, "A.2.2</span>")

		r = viewer.get("/catalog/clauses/7.1")
		want(t, r, http.StatusOK, "7.1 Resources", "What it asks", "What an auditor will sample",
			`href="/catalog/controls/A.4.2"`, "NIST AI Risk Management Framework 1.0")
		want(t, viewer.get("/catalog/clauses/12.1"), http.StatusNotFound)

		r = viewer.get("/catalog/controls/A.6.2.8")
		want(t, r, http.StatusOK, "A.6.2.8 AI system recording of event logs", "8.15", "Art. 12", "Annex A",
			`href="/soa/controls/A.6.2.8"`)
		wantNot(t, r, ">Edit<", "Add evidence")
		want(t, r, http.StatusOK, "No evidence is linked yet.")
		want(t, contributor.get("/catalog/controls/A.6.2.8"), http.StatusOK, `href="/evidence/new?link=control:A.6.2.8">Add evidence`)
		want(t, viewer.get("/catalog/controls/A.3.2"), http.StatusOK, `href="/catalog/clauses/5.3"`)

		// Own controls: leads add and change them; a form error keeps what was typed.
		want(t, contributor.get("/catalog/controls/new"), http.StatusOK) // the form shows; sending it is refused
		want(t, contributor.post("/catalog/controls", url.Values{"title": {"X"}, "asks": {"Y"}}), http.StatusForbidden)
		r = manager.post("/catalog/controls", url.Values{"title": {"Model cards"}, "asks": {""}, "evidence": {"Cards in the registry"}, "category_id": {"A.6"}})
		want(t, r, http.StatusUnprocessableEntity, "What it asks is required", "Cards in the registry", `value="Model cards"`)
		r = manager.post("/catalog/controls", url.Values{"title": {"Model cards"}, "asks": {"Publish a model card per release."}, "category_id": {"A.6"}})
		wantRedirect(t, r, "/catalog/controls/CTL-1")
		r = viewer.get("/catalog/controls/CTL-1")
		want(t, r, http.StatusOK, "CTL-1 Model cards", "Your own control", "Publish a model card per release.", "History", "control.create")
		want(t, viewer.get("/catalog?q=model+cards"), http.StatusOK, "Your own controls", "CTL-1</span> Model cards")

		r = manager.get("/catalog/controls/CTL-1/edit")
		want(t, r, http.StatusOK, "Edit CTL-1", `name="version" value="1"`)
		r = manager.post("/catalog/controls/CTL-1", url.Values{"version": {"1"}, "title": {"Model cards"}, "asks": {"Publish a model card per release, reviewed."}, "category_id": {"A.6"}})
		wantRedirect(t, r, "/catalog/controls/CTL-1")
		r = manager.post("/catalog/controls/CTL-1", url.Values{"version": {"1"}, "title": {"Stale"}, "asks": {"Stale."}})
		want(t, r, http.StatusConflict, "Someone changed CTL-1", `value="Stale"`)
		want(t, manager.get("/catalog/controls/A.2.2/edit"), http.StatusForbidden)

		wantRedirect(t, manager.post("/catalog/controls/CTL-1/archive", nil), "/catalog/controls/CTL-1")
		want(t, viewer.get("/catalog/controls/CTL-1"), http.StatusOK, "Archived")
		wantRedirect(t, manager.post("/catalog/controls/CTL-1/restore", nil), "/catalog/controls/CTL-1")

		// Another organisation does not see it.
		other := e.addUser("Globex", "otto@globex.example", "Otto", aims.RoleOwner)
		c := e.client()
		c.login(other.User.Email)
		want(t, c.get("/catalog/controls/CTL-1"), http.StatusNotFound)

		want(t, viewer.get("/catalog/annex-c"), http.StatusOK, "C.2.5 Fairness", "C.3.3 Level of automation")
		r = viewer.get("/catalog/frameworks/nist-ai-rmf")
		want(t, r, http.StatusOK, "Official crosswalk", `id="item-GOVERN-1-1"`, `href="/catalog/controls/A.2.2"`)
		want(t, viewer.get("/catalog/frameworks/eu-ai-act"), http.StatusOK, "Art. 14", "Human oversight", "Analyst judgement")
		want(t, viewer.get("/catalog/frameworks/iso27001"), http.StatusOK, "Indicative only", "8.15")
		want(t, viewer.get("/catalog/frameworks/sox"), http.StatusNotFound)
	})
}
