package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/risk"
)

// systemForm is a complete, valid form for a new system.
func systemForm() url.Values {
	return url.Values{
		"name":                  {"Credit scoring"},
		"intended_purpose":      {"Scores loan applications for the credit team."},
		"description":           {"Gradient-boosted trees on bureau data."},
		"owner_id":              {""},
		"ai_roles":              {"producer", "customer"},
		"lifecycle_stage":       {"deployment"},
		"eu_ai_act_class":       {"high"},
		"deployment_context":    {"Branch offices, EU only."},
		"affected_stakeholders": {"Loan applicants\r\nCredit officers\r\n"},
		"automation_level":      {"human_in_the_loop"},
		"human_oversight":       {"An officer approves every decline."},
	}
}

func TestCreateSystemFormKeepsInputOnError(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/systems/new")
		want(t, r, http.StatusOK, "Register an AI system", `name="intended_purpose"`, `name="ai_roles"`,
			`name="owner_id"`, "Olivia Owner (olivia@example.org)", "Human in the loop", "High risk", "Deployment")
		wantCSPSafe(t, r)

		form := systemForm()
		form.Set("intended_purpose", "  ")
		r = c.post("/systems", form)
		want(t, r, http.StatusUnprocessableEntity,
			"There is a problem", `href="#intended_purpose"`,
			`id="intended_purpose-error"`, "Intended purpose is required",
			`aria-describedby="intended_purpose-hint intended_purpose-error"`,
			`value="Credit scoring"`,
			"Gradient-boosted trees on bureau data.",
			`value="producer" checked`, `value="customer" checked`,
			`value="deployment" selected`, `value="high" selected`, `value="human_in_the_loop" selected`,
			">Loan applicants\r\nCredit officers\r\n</textarea>",
			"Branch offices, EU only.", "An officer approves every decline.")
		// Only the field at fault is marked invalid.
		if n := strings.Count(r.Body, `aria-invalid="true"`); n != 1 {
			t.Fatalf("%d fields are marked invalid, want 1", n)
		}
		wantNot(t, r, `value="provider" checked`)

		// A bad enumeration value and a stranger as owner are named too.
		form = systemForm()
		form.Set("lifecycle_stage", "testing")
		form.Set("owner_id", aims.NewID())
		r = c.post("/systems", form)
		want(t, r, http.StatusUnprocessableEntity, `id="lifecycle_stage-error"`)

		form = systemForm()
		form.Set("owner_id", aims.NewID())
		r = c.post("/systems", form)
		want(t, r, http.StatusUnprocessableEntity, `id="owner_id-error"`, "Owner is not a member of this organisation")

		form = systemForm()
		form.Set("owner_id", e.ownerID)
		r = c.post("/systems", form)
		wantRedirect(t, r, "/systems/SYS-1")
		r = c.get("/systems/SYS-1")
		want(t, r, http.StatusOK, "SYS-1 Credit scoring", "is now in the inventory", "Olivia Owner",
			"AI producer", "AI customer", "Deployment", "High risk", "Human in the loop",
			"Loan applicants", "Credit officers", "Branch offices, EU only.", "An officer approves every decline.",
			"Scores loan applications for the credit team.", "Gradient-boosted trees on bureau data.",
			"Version 1", "Registered the AI system", "ai_system.create")
		wantCSPSafe(t, r)

		// The same name again is a conflict, shown beside the name.
		r = c.post("/systems", systemForm())
		want(t, r, http.StatusConflict, `id="name-error"`, "Name is already the name of another AI system", `value="Credit scoring"`)
	})
}

func TestEditSystemAndHistory(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		wantRedirect(t, c.post("/systems", systemForm()), "/systems/SYS-1")

		r := c.get("/systems/SYS-1/edit")
		want(t, r, http.StatusOK, "Edit SYS-1", `name="version" value="1"`, `value="Credit scoring"`,
			`value="producer" checked`, "Loan applicants\nCredit officers", `action="/systems/SYS-1"`,
			"Life-cycle stage: Deployment.", `href="/systems/SYS-1/stage"`)
		wantCSPSafe(t, r)
		if strings.Contains(r.Body, `name="lifecycle_stage"`) {
			t.Fatal("the edit form offers the stage, which moves only through a stage-move request")
		}

		form := systemForm()
		form.Set("version", "1")
		form.Set("name", "Credit scoring v2")
		form.Set("lifecycle_stage", "operation_and_monitoring") // not read: nothing skips a stage gate
		form["ai_roles"] = []string{"customer", "subject"}
		form.Set("affected_stakeholders", "Loan applicants\nRegulators")
		wantRedirect(t, c.post("/systems/SYS-1", form), "/systems/SYS-1")

		r = c.get("/systems/SYS-1")
		want(t, r, http.StatusOK, "SYS-1 Credit scoring v2", "Version 2", "ai_system.update", "ai_system.create",
			"Changed the AI system", "Registered the AI system", "<dd>Deployment</dd>")
		// The update's changes read before → after, lists item by item.
		update := r.Body[strings.Index(r.Body, "ai_system.update"):strings.Index(r.Body, "ai_system.create")]
		for _, s := range []string{"Name", ">Credit scoring<", ">Credit scoring v2<", "Our AI roles", "<li>AI producer</li><li>AI customer</li>",
			"<li>AI customer</li><li>AI subject</li>", "Affected stakeholders", "<li>Regulators</li>", "→"} {
			if !strings.Contains(update, s) {
				t.Fatalf("the update's history does not show %q\n%s", s, update)
			}
		}
		if strings.Contains(update, "Intended purpose") || strings.Contains(update, "Lifecycle stage") {
			t.Fatalf("the update's history shows a field that did not change\n%s", update)
		}

		// Saving a form based on version 1 again is refused, keeping what was typed.
		form.Set("name", "Credit scoring v3")
		r = c.post("/systems/SYS-1", form)
		want(t, r, http.StatusConflict, "Someone changed this system since you loaded it", `value="Credit scoring v3"`,
			`name="version" value="1"`, "Version is 2, not 1")
		s, err := e.app.Systems.Get(e.ctx, e.owner(), "SYS-1")
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != "Credit scoring v2" || s.Version != 2 {
			t.Fatalf("a stale edit changed the system: %+v", s)
		}

		// An invalid edit answers 422 with the field's message.
		form.Set("version", "2")
		form.Set("name", "")
		r = c.post("/systems/SYS-1", form)
		want(t, r, http.StatusUnprocessableEntity, `id="name-error"`, "Name is required")

		// Unchecking every role clears them.
		form.Set("name", "Credit scoring v2")
		delete(form, "ai_roles")
		wantRedirect(t, c.post("/systems/SYS-1", form), "/systems/SYS-1")
		if s, _ = e.app.Systems.Get(e.ctx, e.owner(), "SYS-1"); len(s.AIRoles) != 0 {
			t.Fatalf("roles = %v, want none", s.AIRoles)
		}
	})
}

func TestArchiveAndRestore(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Chat assistant", IntendedPurpose: "Answers staff questions."})
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/systems/SYS-1")
		want(t, r, http.StatusOK, `action="/systems/SYS-1/archive"`, `href="/systems/SYS-1/edit"`)
		wantNot(t, r, `action="/systems/SYS-1/restore"`)

		wantRedirect(t, c.post("/systems/SYS-1/archive", nil), "/systems/SYS-1")
		r = c.get("/systems/SYS-1")
		want(t, r, http.StatusOK, "is archived", "Archived", `action="/systems/SYS-1/restore"`, "ai_system.archive")
		wantNot(t, r, `action="/systems/SYS-1/archive"`, `href="/systems/SYS-1/edit"`)
		want(t, c.get("/systems"), http.StatusOK, "No AI systems match")
		want(t, c.get("/systems?status=archived"), http.StatusOK, "Chat assistant", "1–1 of 1")

		// Editing an archived system is refused with the service's reason.
		form := systemForm()
		form.Set("version", "2")
		want(t, c.post("/systems/SYS-1", form), http.StatusConflict, "is archived: restore it before changing it")

		wantRedirect(t, c.post("/systems/SYS-1/restore", nil), "/systems/SYS-1")
		want(t, c.get("/systems"), http.StatusOK, "Chat assistant", "1–1 of 1")
		want(t, c.get("/systems/SYS-9"), http.StatusNotFound, "AI system SYS-9 not found")
		want(t, c.post("/systems/SYS-9/archive", nil), http.StatusNotFound)
	})
}

// TestSystemPageRisksAndImpact: a system's page links to its risks and
// impact assessments, for every role, and sums them up in a line.
func TestSystemPageRisksAndImpact(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner := e.owner()
		e.riskSetUp()
		e.createSystem(owner, aisystem.CreateRequest{Name: "Chat assistant", IntendedPurpose: "Answers staff questions."})
		for role, c := range cs {
			r := c.get("/systems/SYS-1")
			want(t, r, http.StatusOK, `<a href="/risks?system=SYS-1">Risks</a>`,
				`<a href="/impact/systems/SYS-1">Impact assessments</a>`, `<a href="/systems/SYS-1/aibom">AI-BOM</a>`,
				`<a href="/models?system=SYS-1">Models</a>`, `<a href="/systems/SYS-1/responsibilities">Responsibilities</a>`,
				`<a href="/risks?system=SYS-1">0 open risks</a>`, `<a href="/impact/systems/SYS-1">0 impact assessments</a>`)
			wantNot(t, r, "due for review", "latest approved")
			wantCSPSafe(t, r)
			if role == aims.RoleViewer {
				wantNot(t, r, `href="/systems/SYS-1/edit"`)
			}
		}

		// Three risks of the system, one closed, and one of another system;
		// an EU FRIA approved, then the system's purpose changes.
		for i, sys := range []string{"SYS-1", "SYS-1", "SYS-1", "SYS-2"} {
			x, err := e.app.Risks.Create(e.ctx, owner, risk.CreateRequest{Title: "Risk " + sys, Systems: []string{sys}})
			if err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				if _, err := e.app.Risks.Close(e.ctx, owner, x.Ref, risk.CloseRequest{Reason: "Out of scope", Version: x.Version}); err != nil {
					t.Fatal(err)
				}
			}
		}
		ia := e.readyFRIA(owner)
		ia, err := e.app.Impact.Submit(e.ctx, owner, ia.Ref, impact.ReviewRequest{Version: ia.Version})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Impact.Approve(e.ctx, owner, ia.Ref, impact.ApproveRequest{Version: ia.Version, NextReviewDate: "2099-01-31"}); err != nil {
			t.Fatal(err)
		}
		v := cs[aims.RoleViewer]
		want(t, v.get("/systems/SYS-1"), http.StatusOK, `<a href="/risks?system=SYS-1">2 open risks</a>`,
			`<a href="/impact/systems/SYS-1">1 impact assessment</a>; latest approved: IA-1 version 1, next review 2099-01-31`)
		want(t, v.get("/systems/SYS-2"), http.StatusOK, `<a href="/risks?system=SYS-2">1 open risk</a>`,
			`<a href="/impact/systems/SYS-2">0 impact assessments</a>`)

		if _, err := e.app.Systems.Update(e.ctx, owner, "SYS-1", aisystem.UpdateRequest{Version: 1, IntendedPurpose: ptrTo("Ranks and rejects.")}); err != nil {
			t.Fatal(err)
		}
		e.readyFRIA(owner)
		r := v.get("/systems/SYS-1")
		want(t, r, http.StatusOK, `<a href="/impact/systems/SYS-1">2 impact assessments</a>, 1 due for review; latest approved: IA-1 version 1`)
		// The links lead to the system's risks and assessments.
		want(t, v.get("/risks?system=SYS-1"), http.StatusOK, `id="row-RISK-1"`, `id="row-RISK-2"`, "1–2 of 2")
		want(t, v.get("/impact/systems/SYS-1"), http.StatusOK, `<tr id="row-IA-1">`, `<tr id="row-IA-2">`)

		// An archived system's page still sums them up.
		if _, err := e.app.Systems.Archive(e.ctx, owner, "SYS-1"); err != nil {
			t.Fatal(err)
		}
		want(t, v.get("/systems/SYS-1"), http.StatusOK, "Archived", `<a href="/risks?system=SYS-1">2 open risks</a>`)
	})
}

func TestSystemListSearchFilterSortPage(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		owner := e.owner()
		kim := e.addUser(orgName, "kim@example.org", "Kim Keeper", aims.RoleContributor)
		e.createSystem(owner, aisystem.CreateRequest{Name: "Beta chatbot", IntendedPurpose: "Answers customers.",
			EUAIActClass: "limited", LifecycleStage: "operation_and_monitoring", AIRoles: []string{"provider"}})
		e.createSystem(owner, aisystem.CreateRequest{Name: "Alpha scoring", IntendedPurpose: "Scores credit risk.",
			EUAIActClass: "high", OwnerID: kim.User.ID})
		e.createSystem(owner, aisystem.CreateRequest{Name: "Gamma vision", IntendedPurpose: "Reads invoices.",
			EUAIActClass: "minimal", AIRoles: []string{"customer"}})
		c := e.client()
		c.login("kim@example.org")

		r := c.get("/systems")
		want(t, r, http.StatusOK, "1–3 of 3", `href="/systems/SYS-1"`, `href="/systems/SYS-2"`, `href="/systems/SYS-3"`,
			`aria-sort="ascending"`, "Kim Keeper")
		wantCSPSafe(t, r)
		if a, b := strings.Index(r.Body, "Alpha scoring"), strings.Index(r.Body, "Beta chatbot"); a > b {
			t.Fatal("the list is not sorted by name")
		}
		r = c.get("/systems?sort=-name")
		want(t, r, http.StatusOK, `aria-sort="descending"`, `<a href="/systems">Name`)
		if a, g := strings.Index(r.Body, "Alpha scoring"), strings.Index(r.Body, "Gamma vision"); g > a {
			t.Fatal("the list is not sorted by name, descending")
		}

		want(t, c.get("/systems?q=credit"), http.StatusOK, "Alpha scoring", "1–1 of 1")
		wantNot(t, c.get("/systems?q=credit"), "Beta chatbot")
		want(t, c.get("/systems?eu_ai_act_class=limited"), http.StatusOK, "Beta chatbot", "1–1 of 1", `value="limited" selected`)
		want(t, c.get("/systems?lifecycle_stage=operation_and_monitoring"), http.StatusOK, "Beta chatbot", "1–1 of 1")
		want(t, c.get("/systems?ai_role=customer"), http.StatusOK, "Gamma vision", "1–1 of 1")
		want(t, c.get("/systems?owner="+kim.User.ID), http.StatusOK, "Alpha scoring", "1–1 of 1")

		r = c.get("/systems?limit=2")
		want(t, r, http.StatusOK, "1–2 of 3", `href="/systems?limit=2&amp;offset=2"`)
		wantNot(t, r, "Gamma vision", "← Previous")
		r = c.get("/systems?limit=2&offset=2")
		want(t, r, http.StatusOK, "3–3 of 3", "Gamma vision", `href="/systems?limit=2"`)
		wantNot(t, r, "Next →")

		want(t, c.get("/systems?sort=colour"), http.StatusUnprocessableEntity, "Sort must be one of")
		want(t, c.get("/systems?limit=many"), http.StatusUnprocessableEntity, "Page size must be a whole number")
		want(t, c.get("/systems?eu_ai_act_class=huge"), http.StatusUnprocessableEntity, `id="eu_ai_act_class-error"`)
	})
}

func TestOtherOrganisationSeesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Secret model", IntendedPurpose: "Internal only."})
		e.addUser("Rival plc", "rita@example.org", "Rita Rival", aims.RoleOwner)
		c := e.client()
		c.login("rita@example.org")
		for _, p := range []string{"/systems/SYS-1", "/systems/SYS-1/edit"} {
			r := c.get(p)
			want(t, r, http.StatusNotFound)
			wantNot(t, r, "Secret model")
		}
		want(t, c.post("/systems/SYS-1/archive", nil), http.StatusNotFound)
		form := systemForm()
		form.Set("version", "1")
		want(t, c.post("/systems/SYS-1", form), http.StatusNotFound)
		wantNot(t, c.get("/systems"), "Secret model")
		r := c.get("/audit")
		want(t, r, http.StatusOK)
		wantNot(t, r, "Secret model", "olivia@example.org")
	})
}
