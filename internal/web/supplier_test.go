package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/supplier"
)

// TestSupplierPages records a supplier and a customer through the forms,
// keeps what was typed beside each problem, records supplies and an
// assessment, shows who is due, and checks each role sees only the forms
// it may use and every page is safe under the CSP.
func TestSupplierPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		manager, contributor, viewer := cs[aims.RoleManager], cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score loan applications."})

		r := viewer.get("/suppliers")
		want(t, r, http.StatusOK, "Suppliers and customers", "No third parties match")
		wantNot(t, r, `id="new-party"`)
		wantCSPSafe(t, r)
		want(t, viewer.get("/suppliers/new"), http.StatusForbidden)
		want(t, viewer.post("/suppliers", url.Values{"name": {"x"}, "kind": {"supplier"}}), http.StatusForbidden)

		r = contributor.get("/suppliers/new")
		want(t, r, http.StatusOK, "Record a supplier or customer", `name="contact.email"`)
		wantCSPSafe(t, r)
		r = contributor.post("/suppliers", url.Values{"name": {" "}, "kind": {"supplier"}, "contact.email": {"not-an-address"},
			"description": {"Typed description"}, "country": {"Germany"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#party-name"`, "Name is required",
			`href="#party-contact-email"`, "Contact email must be an email address", `value="not-an-address"`,
			">Typed description</textarea>", `value="Germany"`, `aria-invalid="true"`)
		wantCSPSafe(t, r)
		wantRedirect(t, contributor.post("/suppliers", url.Values{"name": {"DataCo"}, "kind": {"supplier"},
			"contact.email": {"sales@dataco.example"}, "contact.web": {"https://dataco.example"}, "country": {"de"}}), "/suppliers/TP-1")
		wantRedirect(t, contributor.post("/suppliers", url.Values{"name": {"Bank of Examples"}, "kind": {"customer"}}), "/suppliers/TP-2")
		r = contributor.post("/suppliers", url.Values{"name": {"dataco"}, "kind": {"customer"}})
		want(t, r, http.StatusConflict, "is already the name of another third party", `value="dataco"`)

		// The supplier's page: a supply form for editors, the assessment form only for leads.
		r = contributor.get("/suppliers/TP-1")
		want(t, r, http.StatusOK, "TP-1 DataCo", "DE", "sales@dataco.example", `id="supply-form"`, "Not assessed yet", "Recorded the third party")
		wantNot(t, r, `id="assess-form"`)
		wantCSPSafe(t, r)
		r = viewer.get("/suppliers/TP-1")
		wantNot(t, r, `id="supply-form"`, `id="edit"`, `id="archive"`)
		r = contributor.post("/suppliers/TP-1/supplies", url.Values{"kind": {"model"}, "model": {"MDL-9"}, "system": {"SYS-1"}, "description": {"Typed"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#supply-model"`, "Model names MDL-9", `value="MDL-9"`, ">Typed</textarea>",
			`<option value="SYS-1" selected>`)
		wantCSPSafe(t, r)
		wantRedirect(t, contributor.post("/suppliers/TP-1/supplies", url.Values{"kind": {"data_set"}, "system": {"SYS-1"},
			"description": {"Labelled applications"}}), "/suppliers/TP-1#supplies")
		wantRedirect(t, contributor.post("/suppliers/TP-2/supplies", url.Values{"kind": {"service"}, "system": {"SYS-1"},
			"description": {"Credit decisions"}}), "/suppliers/TP-2#supplies")
		r = viewer.get("/suppliers/TP-1")
		want(t, r, http.StatusOK, "TP-1/S1", "Supplies us", "Labelled applications", "Never assessed")

		// What is due is listed first.
		r = viewer.get("/suppliers")
		want(t, r, http.StatusOK, `id="due"`, "1 supplier is due for assessment", "supplies something and was never assessed")
		r = viewer.get("/suppliers?kind=customer")
		want(t, r, http.StatusOK, "Bank of Examples")
		wantNot(t, r, ">DataCo</a></td>")
		want(t, viewer.get("/suppliers?status=gone"), http.StatusUnprocessableEntity, "Status must be active, archived or all")

		// An assessment by a lead, with problems kept beside their fields.
		want(t, contributor.post("/suppliers/TP-1/assessments", url.Values{"result": {"satisfactory"}}), http.StatusForbidden)
		r = manager.get("/suppliers/TP-1")
		want(t, r, http.StatusOK, `id="assess-form"`)
		r = manager.post("/suppliers/TP-1/assessments", url.Values{"result": {"unsatisfactory"}, "assessed_on": {"2999-01-01"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#assess-findings"`, "Findings and conditions is required", `value="2999-01-01"`,
			`href="#assess-assessed_on"`)
		wantCSPSafe(t, r)
		wantRedirect(t, manager.post("/suppliers/TP-1/assessments", url.Values{"result": {"satisfactory_with_conditions"},
			"findings": {"Provide a data sheet"}, "next_assessment_on": {"2099-06-30"}}), "/suppliers/TP-1#assessments")
		r = viewer.get("/suppliers/TP-1")
		want(t, r, http.StatusOK, "TP-1/A1", "Satisfactory with conditions", "Provide a data sheet", "2099-06-30", "Assessed the supplier")
		wantNot(t, viewer.get("/suppliers"), `id="due"`)

		// Edit with the version; removing a supply; archive and restore.
		r = contributor.get("/suppliers/TP-1/edit")
		want(t, r, http.StatusOK, `name="version" value="1"`, `value="DataCo"`)
		r = contributor.post("/suppliers/TP-1", url.Values{"version": {"1"}, "name": {"DataCo GmbH"}, "kind": {"supplier"},
			"contact.web": {"ftp://dataco"}})
		want(t, r, http.StatusUnprocessableEntity, "Web site must be a web address", `value="ftp://dataco"`, `value="DataCo GmbH"`)
		wantRedirect(t, contributor.post("/suppliers/TP-1", url.Values{"version": {"1"}, "name": {"DataCo GmbH"}, "kind": {"supplier"}}), "/suppliers/TP-1")
		r = contributor.post("/suppliers/TP-1", url.Values{"version": {"1"}, "name": {"Stale"}, "kind": {"supplier"}})
		want(t, r, http.StatusConflict, "Someone changed TP-1", `value="Stale"`)
		wantRedirect(t, contributor.post("/suppliers/TP-2/supplies/1/remove", url.Values{"version": {"1"}}), "/suppliers/TP-2#supplies")
		wantRedirect(t, contributor.post("/suppliers/TP-2/archive", nil), "/suppliers/TP-2")
		want(t, viewer.get("/suppliers/TP-2"), http.StatusOK, "Archived", "Removed a supply")
		wantRedirect(t, contributor.post("/suppliers/TP-2/restore", nil), "/suppliers/TP-2")
		want(t, viewer.get("/suppliers/TP-99"), http.StatusNotFound)
	})
}

// TestResponsibilityPages edits the responsibility matrix of a system one
// stage at a time: a grid for everyone, a form for editors that keeps the
// choices when a stage is refused.
func TestResponsibilityPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		contributor, viewer := cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score loan applications."})
		if _, err := e.app.Suppliers.CreateParty(e.ctx, e.owner(), supplier.PartyRequest{Name: "ModelWorks", Kind: "supplier"}); err != nil {
			t.Fatal(err)
		}
		r := viewer.get("/systems/SYS-1/responsibilities")
		want(t, r, http.StatusOK, "Responsibilities for SYS-1 Credit scoring", "Design and development", "Accountable", "Retirement")
		wantNot(t, r, "/responsibilities/deployment")
		wantCSPSafe(t, r)
		want(t, viewer.get("/systems/SYS-1/responsibilities/deployment"), http.StatusForbidden)

		r = contributor.get("/systems/SYS-1/responsibilities")
		want(t, r, http.StatusOK, `href="/systems/SYS-1/responsibilities/deployment"`)
		r = contributor.get("/systems/SYS-1/responsibilities/deployment")
		want(t, r, http.StatusOK, "Responsibilities at Deployment", "ModelWorks", "Olivia Owner", `name="version" value="0"`,
			`type="radio" name="accountable" value=""`)
		wantCSPSafe(t, r)
		want(t, contributor.get("/systems/SYS-1/responsibilities/launch"), http.StatusNotFound)

		// Responsible without anyone accountable is refused, and the boxes stay ticked.
		r = contributor.post("/systems/SYS-1/responsibilities/deployment", url.Values{"version": {"0"}, "accountable": {""},
			"responsible": {"TP-1"}, "informed": {e.ownerID}})
		want(t, r, http.StatusUnprocessableEntity, "Accountable is required", `value="TP-1" id="responsible-`, `checked`)
		if !strings.Contains(r.Body, `name="responsible" value="TP-1"`) {
			t.Fatalf("form lost its rows:\n%s", clip(r.Body))
		}
		wantCSPSafe(t, r)
		wantRedirect(t, contributor.post("/systems/SYS-1/responsibilities/deployment", url.Values{"version": {"0"},
			"accountable": {e.ownerID}, "responsible": {"TP-1"}}), "/systems/SYS-1/responsibilities")
		r = viewer.get("/systems/SYS-1/responsibilities")
		want(t, r, http.StatusOK, `href="/suppliers/TP-1">ModelWorks</a>`, "Olivia Owner", "Set responsibilities", "No third party is recorded")
		if _, err := e.app.Suppliers.AddSupply(e.ctx, e.owner(), "TP-1", supplier.SupplyRequest{Kind: "tooling", System: "SYS-1", Description: "MLOps platform"}); err != nil {
			t.Fatal(err)
		}
		want(t, viewer.get("/systems/SYS-1/responsibilities"), http.StatusOK, "Supplies us: Tooling", "MLOps platform")
		// A stale form is refused.
		r = contributor.post("/systems/SYS-1/responsibilities/deployment", url.Values{"version": {"0"}, "accountable": {"TP-1"}})
		want(t, r, http.StatusConflict, "Someone changed the responsibilities of SYS-1")
	})
}

// TestResourcePages records people and computing through the forms and lists them by kind and system.
func TestResourcePages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		contributor, viewer := cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score loan applications."})
		if _, err := e.app.Suppliers.CreateParty(e.ctx, e.owner(), supplier.PartyRequest{Name: "Cloudy Compute", Kind: "supplier"}); err != nil {
			t.Fatal(err)
		}
		r := viewer.get("/resources")
		want(t, r, http.StatusOK, "Resources", "No resources match")
		wantNot(t, r, `id="new-resource"`)
		wantCSPSafe(t, r)
		want(t, viewer.get("/resources/new"), http.StatusForbidden)

		r = contributor.get("/resources/new?system=SYS-1")
		want(t, r, http.StatusOK, "Record a resource", `value="SYS-1" checked`, "Cloudy Compute")
		wantCSPSafe(t, r)
		r = contributor.post("/resources", url.Values{"kind": {"computing"}, "name": {"GPU cluster"}, "competences": {"CUDA"},
			"description": {"Typed"}, "systems": {"SYS-1"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#resource-competences"`, "Competences are recorded only for people",
			">CUDA</textarea>", ">Typed</textarea>", `value="SYS-1" checked`)
		wantCSPSafe(t, r)
		wantRedirect(t, contributor.post("/resources", url.Values{"kind": {"computing"}, "name": {"GPU cluster"}, "provider": {"TP-1"},
			"systems": {"SYS-1"}}), "/resources/RES-1")
		wantRedirect(t, contributor.post("/resources", url.Values{"kind": {"people"}, "name": {"Data scientists"},
			"competences": {"statistics\r\ncredit risk"}, "members": {e.ownerID}}), "/resources/RES-2")
		r = viewer.get("/resources/RES-2")
		want(t, r, http.StatusOK, "Data scientists", "statistics", "credit risk", "Olivia Owner", "Recorded the resource")
		wantCSPSafe(t, r)
		r = viewer.get("/resources?system=SYS-1")
		want(t, r, http.StatusOK, "GPU cluster", "Cloudy Compute")
		wantNot(t, r, "Data scientists")
		r = viewer.get("/resources?kind=people")
		want(t, r, http.StatusOK, "Data scientists")
		wantNot(t, r, "GPU cluster")

		r = contributor.get("/resources/RES-1/edit")
		want(t, r, http.StatusOK, `name="version" value="1"`, `<option value="TP-1" selected>`)
		wantRedirect(t, contributor.post("/resources/RES-1", url.Values{"version": {"1"}, "kind": {"computing"}, "name": {"GPU cluster"},
			"provider": {""}}), "/resources/RES-1")
		r = viewer.get("/resources/RES-1")
		want(t, r, http.StatusOK, "The organisation itself", "Version 2")
		wantRedirect(t, contributor.post("/resources/RES-1/archive", nil), "/resources/RES-1")
		want(t, viewer.get("/resources?status=archived"), http.StatusOK, "GPU cluster")
	})
}

// TestAIBOMPage downloads a system's AI bill of materials and imports it
// into another organisation's system through the form, first as a dry run.
func TestAIBOMPage(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		contributor, viewer := cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score loan applications."})
		train := e.modelDataset("Applications")
		m, err := e.app.Models.Create(e.ctx, e.owner(), model.CreateRequest{System: "SYS-1", Name: "Scorer"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Models.CreateVersion(e.ctx, e.owner(), m.Ref, model.VersionRequest{Label: "1.0", Digest: modelDigest,
			TrainedOn: []string{train}, Card: model.Card{IntendedUse: "Scoring"}}); err != nil {
			t.Fatal(err)
		}
		r := viewer.get("/systems/SYS-1/aibom")
		want(t, r, http.StatusOK, "AI bill of materials of SYS-1", "MDL-1@1.0", "DS-1@1", "trained on DS-1@1", `href="/systems/SYS-1/aibom/download"`)
		wantNot(t, r, `id="import-form"`)
		wantCSPSafe(t, r)
		file := viewer.get("/systems/SYS-1/aibom/download")
		if file.Status != http.StatusOK || file.Header.Get("Content-Type") != "application/vnd.cyclonedx+json" ||
			!strings.Contains(file.Header.Get("Content-Disposition"), "SYS-1.cdx.json") || !strings.Contains(file.Body, `"specVersion": "1.6"`) {
			t.Fatalf("download = %d %v\n%s", file.Status, file.Header, clip(file.Body))
		}

		// Another organisation's contributor imports it.
		other := e.addUser("Other Bank", "otto@other.example", "Otto Other", aims.RoleContributor)
		oc := e.client()
		oc.login("otto@other.example")
		e.createSystem(e.actor(other.User.ID, other.Org.ID), aisystem.CreateRequest{Name: "Imported", IntendedPurpose: "Score."})
		want(t, viewer.dsPostMultipart("/systems/SYS-1/aibom", [][2]string{{"dry_run", "1"}}, "bom.json", strings.NewReader(file.Body)), http.StatusForbidden)
		r = oc.dsPostMultipart("/systems/SYS-1/aibom", [][2]string{{"dry_run", "1"}}, "", nil)
		want(t, r, http.StatusUnprocessableEntity, "BOM file is required")
		wantCSPSafe(t, r)
		r = oc.dsPostMultipart("/systems/SYS-1/aibom", nil, "bom.json", strings.NewReader(`{"bomFormat":"SPDX"}`))
		want(t, r, http.StatusUnprocessableEntity, "is not a CycloneDX document")
		r = oc.dsPostMultipart("/systems/SYS-1/aibom", [][2]string{{"dry_run", "1"}}, "bom.json", strings.NewReader(file.Body))
		want(t, r, http.StatusOK, "Dry run: 4 records would be created", "would create", "Model version: Scorer 1.0")
		wantCSPSafe(t, r)
		r = oc.get("/systems/SYS-1/aibom")
		wantNot(t, r, "MDL-1@1.0")
		r = oc.dsPostMultipart("/systems/SYS-1/aibom", nil, "bom.json", strings.NewReader(file.Body))
		want(t, r, http.StatusOK, "4 records created", "(MDL-1@1.0)", "MDL-1@1.0", "trained on DS-1@1")
		_ = contributor
	})
}
