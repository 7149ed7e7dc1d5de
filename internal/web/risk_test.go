package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/risk"
)

// riskCriteriaValues is the criteria editor's form for a request: cells and
// the appetite by level position.
func riskCriteriaValues(req risk.CriteriaRequest) url.Values {
	v := url.Values{"version": {strconv.Itoa(req.Version)}, "note": {req.Note}, "op": {"save"}}
	pos := map[string]string{}
	for i, l := range req.Levels {
		n := strconv.Itoa(i + 1)
		pos[l.Name] = n
		v.Set("level-"+n+"-name", l.Name)
		v.Set("level-"+n+"-colour", l.Colour)
		v.Set("level-"+n+"-review_days", strconv.Itoa(l.ReviewDays))
	}
	for name, steps := range map[string][]risk.ScaleLevel{"likelihood": req.Likelihood, "impact": req.Impact} {
		for i, s := range steps {
			v.Set(name+"-"+strconv.Itoa(i+1)+"-label", s.Label)
			v.Set(name+"-"+strconv.Itoa(i+1)+"-description", s.Description)
		}
	}
	for l, row := range req.Matrix {
		for i, name := range row {
			v.Set("cell-"+strconv.Itoa(l+1)+"-"+strconv.Itoa(i+1), pos[name])
		}
	}
	v.Set("appetite", pos[req.Appetite])
	return v
}

// riskDaysAhead is the date n days from today: the test servers run on the real clock.
func riskDaysAhead(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }

// riskFourByFour is a 4×4 matrix with four levels, the appetite medium.
func riskFourByFour() risk.CriteriaRequest {
	return risk.CriteriaRequest{
		Likelihood: []risk.ScaleLevel{{Label: "Rare"}, {Label: "Unlikely"}, {Label: "Likely"}, {Label: "Almost certain"}},
		Impact:     []risk.ScaleLevel{{Label: "Minor"}, {Label: "Moderate"}, {Label: "Major"}, {Label: "Severe"}},
		Levels: []risk.Level{{Name: "low", Colour: "#2e7d32", ReviewDays: 365}, {Name: "medium", Colour: "#f9a825", ReviewDays: 180},
			{Name: "high", Colour: "#ef6c00", ReviewDays: 90}, {Name: "critical", Colour: "#c62828", ReviewDays: 30}},
		Matrix: [][]string{{"low", "low", "medium", "medium"}, {"low", "medium", "medium", "high"},
			{"medium", "medium", "high", "critical"}, {"medium", "high", "critical", "critical"}},
		Appetite: "medium",
	}
}

func TestRiskCriteriaPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, contributor := cs[aims.RoleOwner], cs[aims.RoleContributor]
		r := contributor.get("/risk-criteria")
		want(t, r, http.StatusOK, "Risk criteria", "The organisation has no risk criteria yet", "Owners and managers set the risk criteria.")
		wantNot(t, r, `action="/risk-criteria"`)
		wantCSPSafe(t, r)
		want(t, contributor.post("/risk-criteria", riskCriteriaValues(riskFourByFour())), http.StatusForbidden)

		// The owner sees the default in the editor.
		r = owner.get("/risk-criteria")
		want(t, r, http.StatusOK, `action="/risk-criteria"`, "Set the risk criteria", `id="likelihood-5-label" name="likelihood-5-label" value="Almost certain"`,
			`id="level-4-colour" name="level-4-colour" value="#c62828"`, `<select id="cell-5-5" name="cell-5-5">`,
			`<option value="4" selected>critical</option>`, "Save as version 1")
		wantCSPSafe(t, r)

		// Editing steps change the form, keep what was typed, and save nothing.
		v := riskCriteriaValues(risk.DefaultCriteria())
		v.Set("likelihood-1-label", "Very rare")
		v.Set("op", "remove-likelihood-5")
		r = owner.post("/risk-criteria", v)
		want(t, r, http.StatusOK, "Not saved yet", `value="Very rare"`, `id="likelihood-4-label"`)
		wantNot(t, r, `id="likelihood-5-label"`, `id="cell-5-1"`)
		v.Set("op", "add-level")
		r = owner.post("/risk-criteria", v)
		want(t, r, http.StatusOK, `id="level-5-name" name="level-5-name" value=""`, "Level 5 (no name yet)")
		v.Set("op", "remove-level-2")
		r = owner.post("/risk-criteria", v)
		// Cells of medium (2) fall to low (1); those above move down one. The
		// form sent is the default's, so the 8 low and 7 medium cells of the
		// 5×5 matrix and the appetite are low now.
		want(t, r, http.StatusOK, `id="level-3-name" name="level-3-name" value="critical"`)
		wantNot(t, r, `value="medium"`)
		if n := strings.Count(r.Body, `<option value="1" selected>low</option>`); n != 16 {
			t.Errorf("%d cells and the appetite are low after removing medium, want 16", n)
		}
		if n, _ := e.app.Risks.CriteriaVersions(e.ctx, e.owner()); len(n) != 0 {
			t.Errorf("an editing step saved %d versions", len(n))
		}

		// Every problem beside its field, with what was typed kept.
		bad := riskCriteriaValues(riskFourByFour())
		bad.Set("level-2-colour", "amber")
		bad.Set("likelihood-3-label", "")
		bad.Set("cell-4-4", "3")
		bad.Set("appetite", "")
		r = owner.post("/risk-criteria", bad)
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#level-2-colour"`, `href="#likelihood-3-label"`,
			`href="#cell-4-4"`, `href="#appetite"`, `id="level-2-colour-error"`, "Colour of level 2 must be a colour written #rrggbb",
			`id="cell-4-4-error"`, "must not be lower than the level of likelihood 3 and impact 4 (critical)", `value="amber"`)
		wantCSPSafe(t, r)

		wantRedirect(t, owner.post("/risk-criteria", riskCriteriaValues(riskFourByFour())), "/risk-criteria")
		r = owner.get("/risk-criteria")
		want(t, r, http.StatusOK, "The risk criteria are saved as version 1.", "Version 1, current", `<svg class="matrix-svg"`,
			`fill="#c62828"`, "Save as version 2", `href="/risk-criteria/versions/1"`, "The matrix as a table")
		wantCSPSafe(t, r)
		// A form based on the old version is refused.
		r = owner.post("/risk-criteria", riskCriteriaValues(riskFourByFour()))
		want(t, r, http.StatusConflict, "The risk criteria was set by someone else since you loaded it")
		r = contributor.get("/risk-criteria/versions/1")
		want(t, r, http.StatusOK, "Risk criteria, version 1", "Current", `<svg class="matrix-svg"`)
		want(t, contributor.get("/risk-criteria/versions/9"), http.StatusNotFound)
	})
}

// riskSetUp sets the 4×4 criteria and registers the hiring system through the services.
func (e *env) riskSetUp() {
	e.t.Helper()
	if _, err := e.app.Risks.SetCriteria(e.ctx, e.owner(), riskFourByFour()); err != nil {
		e.t.Fatal(err)
	}
	e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Ranks job applicants."})
}

func TestRiskForms(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		e.riskSetUp()
		c := cs[aims.RoleContributor]
		r := c.get("/risks/new")
		want(t, r, http.StatusOK, "Record a risk", `id="systems-SYS-1"`, `<option value="C.3.4">C.3.4 Risk sources related to machine learning</option>`,
			`id="objectives-C.2.5"`, "Olivia Owner (olivia@example.org)")
		wantCSPSafe(t, r)
		// Every problem beside its field, with what was typed kept.
		r = c.post("/risks", url.Values{"title": {""}, "description": {"Typed by hand"}, "systems": {"SYS-1"}, "risk_source": {"other"},
			"risk_source_text": {strings.Repeat("s", 501)}, "objectives": {"C.2.5"}, "owner_id": {aims.NewID()}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#title"`, `href="#risk_source"`, `href="#owner_id"`,
			`id="title-error"`, "Title is required", "Risk source must be at most 500 characters", "Owner is not a member of this organisation",
			">Typed by hand</textarea>", `id="systems-SYS-1" name="systems" value="SYS-1" checked`, `value="C.2.5" checked`)
		wantCSPSafe(t, r)
		wantRedirect(t, c.post("/risks", url.Values{"title": {"Screening rejects qualified women"}, "systems": {"SYS-1"},
			"risk_source": {"C.3.4"}, "objectives": {"C.2.5"}, "objectives_own": {"Hire the best people"},
			"consequences_individuals": {"Applicants are rejected unfairly."}, "owner_id": {e.ownerID}}), "/risks/RISK-1")
		r = c.get("/risks/RISK-1")
		want(t, r, http.StatusOK, "RISK-1 Screening rejects qualified women", "RISK-1 is recorded.", "C.3.4 Risk sources related to machine learning",
			"C.2.5 Fairness", "Hire the best people", "Applicants are rejected unfairly.", `href="/systems/SYS-1"`, "Not assessed yet.",
			`action="/risks/RISK-1/assess"`, "Assess the risk before planning its treatment.", "Recorded the risk")
		wantCSPSafe(t, r)

		// Edit: a stale form is refused with the typed values kept.
		r = c.get("/risks/RISK-1/edit")
		want(t, r, http.StatusOK, `name="version" value="1"`, `<option value="C.3.4" selected>`, ">Hire the best people</textarea>")
		form := url.Values{"version": {"1"}, "title": {"Screening rejects qualified applicants"}, "systems": {"SYS-1"}, "risk_source": {"C.3.4"}}
		wantRedirect(t, c.post("/risks/RISK-1", form), "/risks/RISK-1")
		form.Set("title", "Overwritten")
		r = c.post("/risks/RISK-1", form)
		want(t, r, http.StatusConflict, "Someone changed RISK-1 since you loaded it", `value="Overwritten"`)

		// Assess: out of the scale, then critical.
		r = c.post("/risks/RISK-1/assess", url.Values{"likelihood": {"9"}, "impact": {""}, "version": {"2"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#assess-likelihood"`, `href="#assess-impact"`, "Likelihood must be a step of the scale, 1 to 4")
		wantRedirect(t, c.post("/risks/RISK-1/assess", url.Values{"likelihood": {"3"}, "impact": {"4"}, "version": {"2"}}), "/risks/RISK-1")
		r = c.get("/risks/RISK-1")
		want(t, r, http.StatusOK, "RISK-1 is assessed: critical. Next review on ", `<option value="3" selected>3 Likely</option>`,
			`fill="#c62828"`, "Above the appetite", `action="/risks/RISK-1/treatment"`, `id="treat-controls-A.9.3"`)

		// Treat with a control and an own one that does not exist; then right.
		r = c.post("/risks/RISK-1/treatment", url.Values{"option": {"modify"}, "controls": {"A.9.3"}, "controls_other": {"CTL-9"},
			"residual_likelihood": {"2"}, "residual_impact": {"2"}, "version": {"3"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#treat-controls"`, "CTL-9 is not one", `id="treat-controls-A.9.3" name="controls" value="A.9.3" checked`,
			`value="CTL-9"`, `value="modify" checked`)
		wantRedirect(t, c.post("/risks/RISK-1/treatment", url.Values{"option": {"modify"}, "plan": {"Audit before each release."},
			"controls": {"A.9.3"}, "residual_likelihood": {"3"}, "residual_impact": {"3"}, "version": {"3"}}), "/risks/RISK-1")
		// An action, and it done.
		r = c.post("/risks/RISK-1/actions", url.Values{"description": {""}, "due_date": {"soon"}, "version": {"4"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#action-new-description"`, `href="#action-new-due_date"`, `value="soon"`)
		wantRedirect(t, c.post("/risks/RISK-1/actions", url.Values{"description": {"Run a bias audit"}, "owner_id": {e.ownerID},
			"due_date": {riskDaysAhead(90)}, "version": {"4"}}), "/risks/RISK-1")
		wantRedirect(t, c.post("/risks/RISK-1/actions/1", url.Values{"status": {"done"}, "version": {"5"}}), "/risks/RISK-1")
		r = c.get("/risks/RISK-1")
		want(t, r, http.StatusOK, "Action 1 of RISK-1 is saved.", "Run a bias audit", "Done", `id="reopen-1"`, `id="plan-version">2<`,
			`href="/catalog/controls/A.9.3"`, "Added a treatment action")
		// The SoA row of the control shows the risk it treats.
		want(t, c.get("/soa/controls/A.9.3"), http.StatusOK, "Risks it treats", `href="/risks/RISK-1"`, "Screening rejects qualified applicants")
		// The contributor cannot accept.
		wantNot(t, r, `action="/risks/RISK-1/accept"`)
		want(t, c.post("/risks/RISK-1/accept", url.Values{"version": {"6"}}), http.StatusForbidden)
	})
}

// TestRiskAcceptanceAboveAppetite: a manager is refused, beside the form;
// an owner must confirm and give a reason; then it is accepted.
func TestRiskAcceptanceAboveAppetite(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		e.riskSetUp()
		owner := e.owner()
		x, err := e.app.Risks.Create(e.ctx, owner, risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}})
		if err != nil {
			t.Fatal(err)
		}
		x, _ = e.app.Risks.Assess(e.ctx, owner, x.Ref, risk.AssessRequest{Likelihood: 4, Impact: 4, Version: x.Version})
		x, err = e.app.Risks.SetTreatment(e.ctx, owner, x.Ref, risk.TreatmentRequest{Option: "retain", ResidualLikelihood: 3, ResidualImpact: 3, Version: x.Version})
		if err != nil {
			t.Fatal(err)
		}
		v := strconv.Itoa(x.Version)
		m := cs[aims.RoleManager]
		r := m.get("/risks/RISK-1")
		want(t, r, http.StatusOK, "The residual level, high, is above the risk appetite (medium).", "Only an owner can accept it",
			`action="/risks/RISK-1/accept"`)
		wantNot(t, r, `name="above_appetite_confirmed"`)
		r = m.post("/risks/RISK-1/accept", url.Values{"note": {"Fine by me"}, "version": {v}})
		want(t, r, http.StatusForbidden, "There is a problem", "is above the risk appetite (medium), so only an owner can accept it",
			"Residual level is high, above the appetite medium", ">Fine by me</textarea>")
		wantCSPSafe(t, r)

		o := cs[aims.RoleOwner]
		r = o.get("/risks/RISK-1")
		want(t, r, http.StatusOK, "As an owner you may accept it", `name="above_appetite_confirmed"`, `id="accept-above_appetite_reason"`)
		r = o.post("/risks/RISK-1/accept", url.Values{"above_appetite_reason": {"No alternative this quarter."}, "version": {v}})
		want(t, r, http.StatusConflict, `href="#accept-above_appetite_confirmed"`, "Confirmation must be confirmed", ">No alternative this quarter.</textarea>")
		wantRedirect(t, o.post("/risks/RISK-1/accept", url.Values{"above_appetite_confirmed": {"1"},
			"above_appetite_reason": {"No alternative this quarter."}, "valid_until": {riskDaysAhead(365)}, "version": {v}}), "/risks/RISK-1")
		r = o.get("/risks/RISK-1")
		want(t, r, http.StatusOK, "is accepted until "+riskDaysAhead(365)+". It is above the appetite; your reason is recorded.",
			`id="acceptance-state">Valid`, "Accepted by an owner&#39;s decision: No alternative this quarter.", "Accepted the residual risk",
			`id="risk-status">Accepted`)
		if got := e.app.Risks; got == nil {
			t.Fatal("no risk service")
		}
		ev, err := e.app.Risks.History(e.ctx, owner, "RISK-1")
		if err != nil || ev[0].Action != "risk.accept" {
			t.Fatalf("history: %v", err)
		}
	})
}

func TestRiskOverviewAndList(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		e.riskSetUp()
		owner := e.owner()
		for _, tc := range []struct {
			title string
			l, i  int
		}{{"Unfair ranking", 3, 2}, {"Data leak", 3, 2}, {"Wrong advice", 4, 4}} {
			x, err := e.app.Risks.Create(e.ctx, owner, risk.CreateRequest{Title: tc.title, Systems: []string{"SYS-1"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.Risks.Assess(e.ctx, owner, x.Ref, risk.AssessRequest{Likelihood: tc.l, Impact: tc.i, Version: x.Version}); err != nil {
				t.Fatal(err)
			}
		}
		v := cs[aims.RoleViewer]
		r := v.get("/risks/overview")
		want(t, r, http.StatusOK, "Inherent risk", "Residual risk", `<svg class="matrix-svg"`, `href="/risks?inherent=3-2"`,
			`aria-label="Inherent likelihood 3 Likely, impact 2 Moderate: medium, 2 risks"`, `href="/risks?residual=4-4"`,
			"Inherent risk as a table", `<table class="data-table heat-table" id="heat-table-inherent">`, "SYS-1 Hiring screening",
			`href="/risks?system=SYS-1">3</a>`, "Risks without controls", `href="/risks?no_controls=1"`, "Controls without risks",
			`href="/catalog/controls/A.2.2"`, "No risk is due for review.")
		wantCSPSafe(t, r)
		if strings.Contains(r.Body, " style=") {
			t.Fatal("the overview has a style attribute")
		}
		// The heat map's cell links to the register filtered to it.
		r = v.get("/risks?inherent=3-2")
		want(t, r, http.StatusOK, "Inherent rating: likelihood 3 × impact 2", `id="row-RISK-1"`, `id="row-RISK-2"`, "1–2 of 2")
		wantNot(t, r, `id="row-RISK-3"`, `action="/risks/new"`, "Record a risk</a>")
		wantCSPSafe(t, r)
		r = v.get("/risks?sort=-inherent&level=critical")
		want(t, r, http.StatusOK, `id="row-RISK-3"`, "1–1 of 1")
		r = v.get("/risks?inherent=x&limit=soon")
		want(t, r, http.StatusUnprocessableEntity, "Page size must be a whole number")
		r = v.get("/risks?q=leak")
		want(t, r, http.StatusOK, `id="row-RISK-2"`, "1–1 of 1", `href="/risks/export?format=pdf"`)
		res := v.get("/risks/export?format=xlsx")
		if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; filename=risk-register-") || !strings.HasPrefix(res.Body, "PK") {
			t.Errorf("export = %d %s", res.Status, res.Header.Get("Content-Disposition"))
		}
		want(t, v.get("/risks/export?format=doc"), http.StatusUnprocessableEntity)
		// Another organisation sees none of it.
		e.addUser("Globex", "g@globex.example", "Gil Globex", aims.RoleOwner)
		g := e.client()
		g.login("g@globex.example")
		want(t, g.get("/risks/RISK-1"), http.StatusNotFound)
		want(t, g.post("/risks/RISK-1/assess", url.Values{"likelihood": {"1"}, "impact": {"1"}, "version": {"2"}}), http.StatusNotFound)
		want(t, g.post("/risks/RISK-1/treatment", url.Values{"option": {"avoid"}, "version": {"2"}}), http.StatusNotFound)
		r = g.get("/risks?status=all")
		want(t, r, http.StatusOK, "No risks match")
	})
}

func TestRiskAssessmentPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		e.riskSetUp()
		if _, err := e.app.Risks.Create(e.ctx, e.owner(), risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}}); err != nil {
			t.Fatal(err)
		}
		c, m := cs[aims.RoleContributor], cs[aims.RoleManager]
		r := c.get("/risk-assessments")
		want(t, r, http.StatusOK, "No risk assessment has been made yet.", `action="/risk-assessments"`, `id="open-scope-systems"`)
		wantCSPSafe(t, r)
		r = c.post("/risk-assessments", url.Values{"name": {" "}, "scope": {"systems"}, "note": {"Typed"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#open-name"`, `href="#open-systems"`, ">Typed</textarea>", `value="systems" checked`)
		wantRedirect(t, c.post("/risk-assessments", url.Values{"name": {"Annual 2026"}, "scope": {"all"}}), "/risk-assessments/RA-1")
		r = c.get("/risk-assessments/RA-1")
		want(t, r, http.StatusOK, "RA-1 Annual 2026", "is open", "The risks in scope, as they are now: 1 risk", `id="state-RISK-1"`,
			"Owners and managers close risk assessments.")
		want(t, c.post("/risk-assessments/RA-1/close", url.Values{}), http.StatusForbidden)
		r = m.get("/risk-assessments/RA-1")
		want(t, r, http.StatusOK, `action="/risk-assessments/RA-1/close"`)
		wantRedirect(t, m.post("/risk-assessments/RA-1/close", url.Values{"note": {"Reviewed."}}), "/risk-assessments/RA-1")
		r = m.get("/risk-assessments/RA-1")
		want(t, r, http.StatusOK, "RA-1 is closed: the state of 1 risk is recorded", `id="closed-by">Manager Person<`, `id="checkpoint-note">aims/audit/`,
			"The risks as they were: 1 risk", `href="/risk-assessments/RA-1/export?format=pdf"`)
		wantNot(t, r, `action="/risk-assessments/RA-1/close"`)
		wantCSPSafe(t, r)
		want(t, m.post("/risk-assessments/RA-1/close", url.Values{}), http.StatusConflict, "RA-1 is already closed")
		res := c.get("/risk-assessments/RA-1/export?format=pdf")
		if res.Status != http.StatusOK || res.Header.Get("Content-Disposition") != "attachment; filename=risk-assessment-RA-1.pdf" ||
			!strings.HasPrefix(res.Body, "%PDF-") {
			t.Errorf("export = %d %q", res.Status, res.Header.Get("Content-Disposition"))
		}
		// A second one, compared with the first.
		wantRedirect(t, c.post("/risk-assessments", url.Values{"name": {"Model change"}, "scope": {"systems"}, "systems": {"SYS-1"}}), "/risk-assessments/RA-2")
		r = c.get("/risk-assessments/compare")
		want(t, r, http.StatusOK, "Compare risk assessments")
		wantRedirect(t, m.post("/risk-assessments/RA-2/close", url.Values{}), "/risk-assessments/RA-2")
		r = c.get("/risk-assessments/compare")
		want(t, r, http.StatusOK, "From RA-1 Annual 2026 to RA-2 Model change", "0 risks added, 0 removed, 0 changed")
		r = c.get("/risk-assessments/compare?from=RA-1&to=RA-9")
		want(t, r, http.StatusNotFound, "Risk assessment RA-9 not found")
		want(t, c.get("/risk-assessments/RA-9"), http.StatusNotFound)
	})
}

// TestRiskPagesForEachRole opens every risk page as every role: each sees
// the records, and only the roles that may change something see its form.
func TestRiskPagesForEachRole(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		clients := e.signedIn()
		e.riskSetUp()
		owner := e.owner()
		x, err := e.app.Risks.Create(e.ctx, owner, risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}})
		if err != nil {
			t.Fatal(err)
		}
		x, _ = e.app.Risks.Assess(e.ctx, owner, x.Ref, risk.AssessRequest{Likelihood: 4, Impact: 4, Version: x.Version})
		if _, err := e.app.Risks.SetTreatment(e.ctx, owner, x.Ref, risk.TreatmentRequest{Option: "retain", ResidualLikelihood: 3,
			ResidualImpact: 3, Version: x.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Risks.OpenAssessment(e.ctx, owner, risk.OpenAssessmentRequest{Name: "Annual"}); err != nil {
			t.Fatal(err)
		}
		pages := []struct {
			path  string
			texts []string
			// forms appear for the roles of each.
			forms map[string][]aims.Role
		}{
			{"/risks", []string{"Unfair ranking", "1–1 of 1"}, map[string][]aims.Role{`href="/risks/new"`: editors}},
			{"/risks/RISK-1", []string{"RISK-1 Unfair ranking", "History", "Recorded the risk"}, map[string][]aims.Role{
				`action="/risks/RISK-1/assess"`: editors, `action="/risks/RISK-1/treatment"`: editors, `action="/risks/RISK-1/actions"`: editors,
				`action="/risks/RISK-1/close"`: editors, `action="/risks/RISK-1/accept"`: leads, `name="above_appetite_confirmed"`: owners}},
			{"/risks/overview", []string{"Inherent risk", `href="/risks?inherent=4-4"`}, nil},
			{"/risk-criteria", []string{"Version 1, current"}, map[string][]aims.Role{`action="/risk-criteria"`: leads}},
			{"/risk-criteria/versions/1", []string{"Risk criteria, version 1"}, nil},
			{"/risk-assessments", []string{"RA-1 Annual"}, map[string][]aims.Role{`action="/risk-assessments"`: editors}},
			{"/risk-assessments/RA-1", []string{"RA-1 Annual", `id="state-RISK-1"`}, map[string][]aims.Role{`action="/risk-assessments/RA-1/close"`: leads}},
			{"/risk-assessments/compare", []string{"Compare risk assessments"}, nil},
		}
		for _, role := range everyone {
			c := clients[role]
			for _, p := range pages {
				r := c.get(p.path)
				want(t, r, http.StatusOK, p.texts...)
				wantCSPSafe(t, r)
				for form, roles := range p.forms {
					if got := strings.Contains(r.Body, form); got != allowed(roles, role) {
						t.Errorf("%s as %s: shows %s = %v", p.path, role, form, got)
					}
				}
			}
			status := http.StatusForbidden
			if allowed(editors, role) {
				status = http.StatusOK
			}
			want(t, c.get("/risks/new"), status)
			want(t, c.get("/risks/RISK-1/edit"), status)
		}
	})
}
