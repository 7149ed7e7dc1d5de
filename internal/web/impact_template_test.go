package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
)

// editorForm is the template editor as the browser sends it: one section
// with two questions, of the kinds given.
func editorForm() url.Values {
	return url.Values{"version": {"1"}, "sections": {"1"}, "name": {"Hiring FRIA"}, "description": {""},
		"s0.id": {"use"}, "s0.title": {"Use"}, "s0.ref": {""}, "s0.help": {""}, "s0.questions": {"2"},
		"s0.q0.id": {"where"}, "s0.q0.text": {"Where is it used?"}, "s0.q0.type": {"text"}, "s0.q0.required": {"1"},
		"s0.q0.options": {""}, "s0.q0.scale": {""},
		"s0.q1.id": {"team"}, "s0.q1.text": {"Which team uses it?"}, "s0.q1.type": {"choice"},
		"s0.q1.options": {"hr: Human resources\nfinance: Finance\nLegal\nSales\nOps: Operations\nit: IT\nrnd: Research"}, "s0.q1.scale": {""},
	}
}

// TestImpactTemplatePages lists, shows and copies templates, and edits an
// own template without JavaScript: buttons add, move and remove sections
// and questions, problems show beside their fields, and save makes a version.
func TestImpactTemplatePages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		m := cs[aims.RoleManager]
		r := m.get("/impact/templates")
		want(t, r, http.StatusOK, "Impact assessment templates", `<tr id="template-iso-42005">`, `<tr id="template-eu-fria">`, "Built in")
		wantCSPSafe(t, r)
		r = m.get("/impact/templates/eu-fria")
		want(t, r, http.StatusOK, "EU AI Act Art. 27 FRIA", "Version 1 of 1", `<span class="catalog-id">Art. 27(1)(d)</span>`,
			`<li id="tq-harms">`, "List of impacts", "Every day", `<ol class="scale-points"><li>Nominal</li>`, `id="copy-template"`)
		wantNot(t, r, `id="edit-template"`)
		wantCSPSafe(t, r)
		want(t, cs[aims.RoleContributor].get("/impact/templates/eu-fria"), http.StatusOK, `href="/impact/new?template=eu-fria"`)
		wantNot(t, cs[aims.RoleContributor].get("/impact/templates/eu-fria"), `id="copy-template"`)
		want(t, cs[aims.RoleContributor].post("/impact/templates/eu-fria/copy", url.Values{"version": {"1"}}), http.StatusForbidden)

		r = m.post("/impact/templates/eu-fria/copy", url.Values{"version": {"1"}, "name": {strings.Repeat("n", 201)}})
		want(t, r, http.StatusUnprocessableEntity, `href="#copy-name"`, `id="copy-name-error"`)
		wantRedirect(t, m.post("/impact/templates/eu-fria/copy", url.Values{"version": {"1"}, "name": {"Hiring FRIA"}}), "/impact/templates/IAT-1/edit")
		r = m.get("/impact/templates/IAT-1/edit")
		want(t, r, http.StatusOK, "IAT-1 Hiring FRIA is your own copy of eu-fria v1.", "Edit IAT-1", `name="sections" value="7"`,
			`id="s0-title" name="s0.title"`, `name="s3.q0.type"`, `<option value="impacts" selected>List of impacts</option>`,
			">continuous: Continuously\n", `value="add-question:0"`, `value="remove-question:0:1"`, `id="add-section"`, "Save as version 2")
		wantCSPSafe(t, r)
		want(t, cs[aims.RoleContributor].get("/impact/templates/IAT-1/edit"), http.StatusForbidden)
		want(t, m.get("/impact/templates/eu-fria/edit"), http.StatusConflict)

		// Buttons change the structure and show it again, unsaved, keeping what was typed.
		form := editorForm()
		form.Set("op", "add-question:0")
		r = m.post("/impact/templates/IAT-1/edit", form)
		want(t, r, http.StatusOK, "A question is added to section 1. Nothing is saved until you save the template.",
			`name="s0.questions" value="3"`, `id="s0-q2-id" name="s0.q2.id" value="question_1"`, ">Where is it used?</textarea>",
			">hr: Human resources\nfinance: Finance\nlegal: Legal\nsales: Sales\nops: Operations\nit: IT\nrnd: Research</textarea>")
		form.Set("op", "down-question:0:0")
		r = m.post("/impact/templates/IAT-1/edit", form)
		want(t, r, http.StatusOK, "A question of section 1 is moved.")
		if strings.Index(r.Body, "Which team uses it?") > strings.Index(r.Body, "Where is it used?") {
			t.Error("the question did not move down")
		}
		form.Set("op", "add-section")
		want(t, m.post("/impact/templates/IAT-1/edit", form), http.StatusOK, `name="sections" value="2"`, `id="s1-title"`,
			`name="s1.q0.id" value="question_1"`)
		form.Set("op", "remove-question:0:1")
		r = m.post("/impact/templates/IAT-1/edit", form)
		want(t, r, http.StatusOK, `name="s0.questions" value="1"`)
		wantNot(t, r, "Which team uses it?")
		if tpl, _ := e.app.Impact.Template(e.ctx, e.owner(), "IAT-1", 0); tpl.Version != 1 || len(tpl.Sections) != 7 {
			t.Errorf("a button saved the template: v%d", tpl.Version)
		}

		// Saving with problems names them beside their fields.
		bad := editorForm()
		bad.Set("op", "save")
		bad.Set("s0.q0.text", "")
		bad.Set("s0.q1.options", "only: One")
		bad.Set("s0.id", "Use It")
		r = m.post("/impact/templates/IAT-1/edit", bad)
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#s0-q0-text"`, `id="s0-q0-text-error"`,
			"Section 1, question 1: text is required", `href="#s0-q1-options"`, "must hold at least 2 options", `href="#s0-id"`,
			`value="Use It"`)
		wantCSPSafe(t, r)
		form = editorForm()
		form.Set("op", "save")
		wantRedirect(t, m.post("/impact/templates/IAT-1/edit", form), "/impact/templates/IAT-1")
		r = m.get("/impact/templates/IAT-1")
		want(t, r, http.StatusOK, "IAT-1 is saved as version 2.", "Version 2 of 2", "Copied from eu-fria v1", `href="/impact/templates/IAT-1?version=1"`,
			"Which team uses it?", `id="edit-template"`, `id="archive-template"`)
		want(t, m.get("/impact/templates/IAT-1?version=1"), http.StatusOK, "Version 1 of 2", "Specific risks of harm")
		want(t, m.post("/impact/templates/IAT-1/edit", form), http.StatusConflict, "Someone changed the template IAT-1")

		// An assessment from it shows the seven-option choice as a select.
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Ranks applications."})
		c := cs[aims.RoleContributor]
		wantRedirect(t, c.post("/impact", url.Values{"system": {"SYS-1"}, "template": {"IAT-1"}}), "/impact/assessments/IA-1")
		r = c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, `<select id="q-team" name="a.team"`, `<option value="" selected>Not answered</option>`, `<option value="rnd">Research</option>`,
			"Hiring FRIA v2")

		// Archived: no longer offered, no longer edited.
		wantRedirect(t, m.post("/impact/templates/IAT-1/archive", nil), "/impact/templates/IAT-1")
		r = m.get("/impact/templates/IAT-1")
		want(t, r, http.StatusOK, "IAT-1 is archived", `<span class="badge badge-muted">Archived</span>`)
		wantNot(t, r, `id="edit-template"`)
		wantNot(t, c.get("/impact/new"), `value="IAT-1"`)
		want(t, m.get("/impact/templates/IAT-1/edit"), http.StatusConflict)
		want(t, m.get("/impact/templates/IAT-9"), http.StatusNotFound)
	})
}
