package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/impact"
)

// friaAnswers answer every required question of the EU FRIA template.
var friaAnswers = map[string]string{
	"process": "Recruiters screen applications; the system ranks CVs.", "period": "April 2026 to April 2027", "frequency": "daily",
	"categories": "Job applicants", "vulnerable": "unknown", "oversight": "A recruiter reads every low-ranked CV.", "override": "always",
	"measures": "Stop ranking and re-screen by hand.", "governance": "The head of HR decides.",
	"complaints": "hiring-review@acme.example, answered within 14 days.", "notified": "pending",
}

func impactFormValues() url.Values {
	return url.Values{"group": {"Job applicants"}, "harm": {"Qualified applicants are rejected unfairly"}, "severity": {"high"},
		"likelihood": {"possible"}, "reversibility": {"partly_reversible"}, "scale": {"group"}, "mitigation": {"A recruiter reviews every low rank."}}
}

// readyFRIA starts an EU FRIA of SYS-1 through the service, answers it and adds one impact.
func (e *env) readyFRIA(a *aims.Actor) *impact.Assessment {
	e.t.Helper()
	as, err := e.app.Impact.Start(e.ctx, a, impact.StartRequest{System: "SYS-1", Template: "eu-fria"})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.app.Impact.Update(e.ctx, a, as.Ref, impact.UpdateRequest{Version: 1, Answers: friaAnswers}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.app.Impact.AddImpact(e.ctx, a, as.Ref, impact.ImpactRequest{Group: "Job applicants", Harm: "Unfair rejection",
		Severity: "high", Likelihood: "possible", Reversibility: "partly_reversible", Scale: "group"}); err != nil {
		e.t.Fatal(err)
	}
	as, err = e.app.Impact.Get(e.ctx, a, as.Ref)
	if err != nil {
		e.t.Fatal(err)
	}
	return as
}

// TestImpactQuestionnaire starts an ISO/IEC 42005 assessment in the pages,
// renders each type of question, refuses bad answers beside their fields
// keeping what was typed, saves answers and adds an impact.
func TestImpactQuestionnaire(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		c := cs[aims.RoleContributor]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Ranks applications."})
		r := c.get("/impact")
		want(t, r, http.StatusOK, "Impact assessments", `href="/impact/new"`, `href="/impact/templates"`, "No impact assessments match",
			`<option value="SYS-1">SYS-1 Hiring screening</option>`, `name="due" value="true"`)
		wantCSPSafe(t, r)
		r = c.get("/impact/new?system=SYS-1")
		want(t, r, http.StatusOK, "Start an impact assessment", `<option value="SYS-1" selected>SYS-1 Hiring screening</option>`,
			`id="template-iso-42005" name="template" value="iso-42005"`, `id="template-eu-fria"`, "ISO/IEC 42005 elements (iso-42005, version 1)")
		wantCSPSafe(t, r)
		r = c.post("/impact", url.Values{"system": {""}, "template": {""}, "title": {"Typed title"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#system"`, `href="#template"`, `id="system-error"`,
			"AI system is required", `id="template-error"`, "Template is required", `value="Typed title"`)
		wantCSPSafe(t, r)
		wantRedirect(t, c.post("/impact", url.Values{"system": {"SYS-1"}, "template": {"iso-42005"}}), "/impact/assessments/IA-1")

		r = c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, "IA-1 is started.", "IA-1 ISO/IEC 42005 elements: Hiring screening", `<span class="badge badge-muted" id="status">Draft</span>`,
			"Submission waits for 15 required answers", `href="#q-scope"`, `href="#impacts"`,
			// A text question is a text area; a choice, radios with "Not answered"; a scale, radios with labelled points.
			`<textarea id="q-scope" name="a.scope"`, `id="q-trigger-none" name="a.trigger" value="" checked`,
			`id="q-trigger-significant_change" name="a.trigger" value="significant_change"`, "A significant change to the system or its use",
			`id="q-automation-1" name="a.automation" value="1"`, "1 · It only informs a person", "4 · It decides without routine human involvement",
			// The list of impacts is asked for where the template asks for it, and listed below.
			`<div class="field field-wide question-impacts" id="q-impacts">`, "No impacts are listed yet", `id="add-impact"`,
			`<span class="catalog-id">6.3</span>`, `id="save-answers"`, `id="submit"`, `href="/impact/assessments/IA-1/export"`, "PDF (draft)")
		wantCSPSafe(t, r)

		form := url.Values{"version": {"1"}, "title": {""}, "a.scope": {"Typed scope"}, "a.trigger": {"bogus"}, "a.automation": {"9"},
			"a.purpose": {"Rank applicants"}, "residual_concerns": {"Kept"}}
		r = c.post("/impact/assessments/IA-1", form)
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#q-trigger"`, `href="#q-automation"`, `href="#title"`,
			`id="q-trigger-error"`, "The answer to “Why is the assessment done now?” must be one of new_system, planned, significant_change, concern",
			`id="q-automation-error"`, "must be a whole number from 1 to 4", `id="title-error"`, "Title is required",
			">Typed scope</textarea>", ">Kept</textarea>")
		wantCSPSafe(t, r)
		form.Set("title", "Hiring screening, 2026")
		form.Set("a.trigger", "new_system")
		form.Set("a.automation", "2")
		wantRedirect(t, c.post("/impact/assessments/IA-1", form), "/impact/assessments/IA-1")
		r = c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, "Your answers are saved.", "IA-1 Hiring screening, 2026", `value="new_system" checked`, `value="2" checked`,
			">Typed scope</textarea>", `name="version" value="2"`)
		// A stale form is refused, keeping what was typed.
		form.Set("a.scope", "Stale scope")
		want(t, c.post("/impact/assessments/IA-1", form), http.StatusConflict, "Someone changed the assessment IA-1", ">Stale scope</textarea>")

		// An impact: refused beside each field, then added.
		r = c.post("/impact/assessments/IA-1/impacts", url.Values{"group": {""}, "harm": {"Kept harm"}, "severity": {"huge"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#add-group"`, `id="add-group-error"`, "Who is affected is required",
			`id="add-severity-error"`, "Severity must be one of low, medium, high, critical", `id="add-likelihood-error"`, ">Kept harm</textarea>")
		wantCSPSafe(t, r)
		wantRedirect(t, c.post("/impact/assessments/IA-1/impacts", impactFormValues()), "/impact/assessments/IA-1#impacts")
		r = c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, "Impact #1 is added.", `<tr id="impact-1">`, "Qualified applicants are rejected unfairly",
			`<span class="badge badge-class-high">High</span>`, "Possible · Partly reversible · Group", "1 impact is listed in the table",
			`href="/impact/assessments/IA-1/impacts/1"`, `action="/impact/assessments/IA-1/impacts/1/risk"`, `id="remove-impact-1"`)
		wantNot(t, r, `href="#impacts">Impacts</a>`)

		// Its page edits it; a stale edit is refused.
		r = c.get("/impact/assessments/IA-1/impacts/1")
		want(t, r, http.StatusOK, "Impact #1 of IA-1", `value="Job applicants"`, `<option value="high" selected>High</option>`, `id="link-risk"`,
			`id="create-risk"`, "No risk is linked yet.")
		wantCSPSafe(t, r)
		edit := impactFormValues()
		edit.Set("severity", "critical")
		edit.Set("version", "1")
		wantRedirect(t, c.post("/impact/assessments/IA-1/impacts/1", edit), "/impact/assessments/IA-1#impacts")
		want(t, c.get("/impact/assessments/IA-1"), http.StatusOK, "Impact #1 is saved.", `<span class="badge badge-bad">Critical</span>`)
		want(t, c.post("/impact/assessments/IA-1/impacts/1", edit), http.StatusConflict, "Someone changed impact #1")
		r = c.post("/impact/assessments/IA-1/impacts/1/link", url.Values{"risk": {"RISK-9"}})
		want(t, r, http.StatusUnprocessableEntity, `id="risk-error"`, "Risk is not a risk of this organisation", `value="RISK-9"`)

		// Removing it, and an unknown one.
		wantRedirect(t, c.post("/impact/assessments/IA-1/impacts/1/remove", url.Values{"version": {"2"}}), "/impact/assessments/IA-1#impacts")
		want(t, c.get("/impact/assessments/IA-1"), http.StatusOK, "Impact #1 is removed", "No impacts listed yet.")
		want(t, c.post("/impact/assessments/IA-1/impacts/1/remove", nil), http.StatusNotFound)
		want(t, c.get("/impact/assessments/IA-9"), http.StatusNotFound, "Impact assessment IA-9 not found")

		// A viewer reads, without forms, and cannot post.
		v := cs[aims.RoleViewer]
		r = v.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, "Typed scope", "Not answered", "A new AI system, before it is deployed", "2 of 4: It recommends; a person decides")
		wantNot(t, r, `id="save-answers"`, `id="add-impact"`, `id="submit"`)
		want(t, v.post("/impact/assessments/IA-1", form), http.StatusForbidden)
		want(t, v.get("/impact/new"), http.StatusForbidden)
	})
}

// TestImpactReviewPages submits, sends back and approves an EU FRIA in the
// pages, raises a risk from its impact, and shows the review-due banner when
// the system's purpose changes.
func TestImpactReviewPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		c, m := cs[aims.RoleContributor], cs[aims.RoleManager]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Ranks applications."})
		as := e.readyFRIA(e.owner())
		r := c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, `id="submit"`, `name="version" value="2"`)
		wantNot(t, r, "Submission waits for")

		wantRedirect(t, c.post("/impact/assessments/IA-1/submit", url.Values{"version": {"2"}, "note": {"Ready for the board"}}), "/impact/assessments/IA-1")
		r = c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, "IA-1 is submitted for review.", `id="status">In review</span>`, "Submitted for review</strong>",
			"Ready for the board", "nothing changes until an owner or manager approves it", "Owners and managers approve assessments.",
			"Recruiters screen applications; the system ranks CVs.")
		wantNot(t, r, `id="save-answers"`, `id="add-impact"`, `id="approve"`)

		// Submitting twice is refused, saying why, on the page as it is now.
		want(t, c.post("/impact/assessments/IA-1/submit", url.Values{"version": {"3"}}), http.StatusConflict,
			"IA-1 is in review: only an assessment in draft can be submitted for review.")
		r = m.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, `id="approve"`, "Approve as version 1", `id="return"`, `id="next_review_date"`)
		wantCSPSafe(t, r)
		r = m.post("/impact/assessments/IA-1/return", url.Values{"version": {"3"}, "note": {" "}})
		want(t, r, http.StatusUnprocessableEntity, `href="#return-note"`, `id="return-note-error"`, "What needs to change is required")
		wantRedirect(t, m.post("/impact/assessments/IA-1/return", url.Values{"version": {"3"}, "note": {"Name the deadline."}}), "/impact/assessments/IA-1")
		want(t, c.get("/impact/assessments/IA-1"), http.StatusOK, "Sent back</strong>", "Name the deadline.", `id="save-answers"`)
		wantRedirect(t, c.post("/impact/assessments/IA-1/submit", url.Values{"version": {"4"}}), "/impact/assessments/IA-1")

		r = m.post("/impact/assessments/IA-1/approve", url.Values{"version": {"5"}, "next_review_date": {"2020-01-01"}, "note": {"Board"}})
		want(t, r, http.StatusUnprocessableEntity, `id="next_review_date-error"`, "Next review date must be after today", `value="2020-01-01"`)
		wantRedirect(t, m.post("/impact/assessments/IA-1/approve", url.Values{"version": {"5"}, "next_review_date": {"2099-01-31"}, "note": {"Board"}}),
			"/impact/assessments/IA-1/versions/1")
		r = m.get("/impact/assessments/IA-1/versions/1")
		want(t, r, http.StatusOK, "Version 1 of IA-1 is approved; its next review is due on 2099-01-31.", "IA-1, version 1", "Manager Person",
			`<pre class="note" id="checkpoint-note">aims/audit/`+e.orgID, "2099-01-31", "EU AI Act Art. 27 FRIA (eu-fria, version 1)",
			"Every day", "Unfair rejection", `href="/impact/assessments/IA-1/versions/1/export"`)
		wantCSPSafe(t, r)
		r = c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, `id="status">Approved</span>`, "and unchanged since", "PDF of version 1", `href="/impact/assessments/IA-1/versions/1"`)

		// A risk from the impact, in one step.
		wantRedirect(t, c.post("/impact/assessments/IA-1/impacts/1/risk", nil), "/impact/assessments/IA-1#impact-1")
		r = c.get("/impact/assessments/IA-1")
		want(t, r, http.StatusOK, "RISK-1 Unfair rejection (Job applicants) is recorded in the risk register and linked to impact #1.",
			`<a href="/risks/RISK-1" class="risk-link">RISK-1</a>`)
		if rk, err := e.app.Risks.Lookup(e.ctx, e.orgID, "RISK-1"); err != nil || rk.Title != "Unfair rejection (Job applicants)" {
			t.Errorf("RISK-1 = %+v, %v", rk, err)
		}

		// The PDF downloads.
		r = c.get("/impact/assessments/IA-1/export")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || r.Header.Get("Content-Disposition") != "attachment; filename=IA-1-v1.pdf" ||
			!strings.HasPrefix(r.Body, "%PDF-") {
			t.Errorf("export = %d %s %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
		}
		want(t, c.get("/impact/assessments/IA-1/versions/9/export"), http.StatusNotFound)

		// The system's purpose changes: review due, everywhere, with the reason.
		if _, err := e.app.Systems.Update(e.ctx, e.owner(), "SYS-1", aisystem.UpdateRequest{Version: 1, IntendedPurpose: ptrTo("Ranks and rejects.")}); err != nil {
			t.Fatal(err)
		}
		reason := "the AI system&#39;s intended purpose changed after version 1 was approved, by olivia@example.org"
		r = c.get("/impact")
		want(t, r, http.StatusOK, `id="due-banner"`, "1 impact assessment is due for review", reason, `<span class="badge badge-warn">Review due</span>`)
		wantCSPSafe(t, r)
		want(t, c.get("/impact?due=true"), http.StatusOK, "1–1 of 1", `name="due" value="true" checked`)
		e.readyFRIA(e.owner())
		r = c.get("/impact?limit=1&system=SYS-1")
		want(t, r, http.StatusOK, "1–1 of 2", `<tr id="row-IA-2">`, `href="/impact?limit=1&amp;offset=1&amp;system=SYS-1" rel="next"`)
		wantNot(t, r, "← Previous")
		want(t, c.get("/impact?limit=1&offset=1&system=SYS-1"), http.StatusOK, "2–2 of 2", `<tr id="row-IA-1">`, `rel="prev"`)
		want(t, c.get("/impact?limit=500&status=done"), http.StatusUnprocessableEntity, "Status must be one of draft, in_review, approved")
		want(t, c.get("/impact/assessments/IA-1"), http.StatusOK, "<strong>Review due.</strong>", reason)
		r = c.get("/impact/systems/SYS-1")
		want(t, r, http.StatusOK, "Impact assessments of SYS-1 Hiring screening", `id="due-banner"`, reason, `href="/impact/new?system=SYS-1"`,
			`<tr id="row-IA-1">`)
		wantCSPSafe(t, r)
		want(t, c.get("/impact/systems/SYS-9"), http.StatusNotFound)

		// Another organisation sees none of it.
		e.addUser("Globex", "g@globex.example", "Gus", aims.RoleOwner)
		g := e.client()
		g.login("g@globex.example")
		want(t, g.get("/impact/assessments/IA-1"), http.StatusNotFound)
		want(t, g.get("/impact/systems/SYS-1"), http.StatusNotFound)
		want(t, g.post("/impact/assessments/"+as.ID+"/submit", url.Values{"version": {"6"}}), http.StatusNotFound)
		want(t, g.get("/impact"), http.StatusOK, "No impact assessments match")
		_ = time.Now
	})
}

func ptrTo[T any](v T) *T { return &v }
