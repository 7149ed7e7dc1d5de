package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/soa"
)

// decideAll decides, through the service, every control not yet decided.
func (e *env) decideAll(a *aims.Actor) {
	e.t.Helper()
	d, err := e.app.SoA.Draft(e.ctx, a)
	if err != nil {
		e.t.Fatal(err)
	}
	yes := true
	for _, en := range d.Entries {
		if en.Decision != nil {
			continue
		}
		if _, err := e.app.SoA.SetEntry(e.ctx, a, en.ControlID, "", soa.EntryRequest{Applicable: &yes,
			Justification: "Needed for " + en.ControlID + ".", Status: soa.StatusPlanned}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// decisionForm is a valid form deciding that a control applies.
func decisionForm() url.Values {
	return url.Values{"applicable": {"yes"}, "justification": {"We build and test our own models."}, "status": {"planned"},
		"owner_id": {""}, "target_date": {"2026-09-30"}, "version": {"0"}}
}

func TestSoAScope(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/soa")
		want(t, r, http.StatusOK, "Statement of Applicability", `<strong id="progress">0 of 38 decided</strong>`, "No version approved yet",
			"Approval waits for:", "the scope, above;", "38 controls without a decision", `<a href="/soa/controls/A.2.2">A.2.2</a>`,
			"and 28 more", `action="/soa/scope"`, `name="version" value="0"`, `action="/soa/approve"`, "Approve version 1",
			`href="/soa/export?format=pdf"`, `href="/soa/export?format=xlsx"`, `<h2 id="cat-A.2">A.2 Policies related to AI</h2>`,
			`<h2 id="cat-A.10">A.10 Third-party and customer relationships</h2>`, `<tr id="row-A.6.2.4">`,
			`href="/catalog/controls/A.6.2.4"`, `href="/soa/controls/A.6.2.4"`, "Undecided")
		wantCSPSafe(t, r)

		long := strings.Repeat("é", 4001)
		r = c.post("/soa/scope", url.Values{"scope": {long}, "version": {"0"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#scope"`, `id="scope-error"`, "Scope must be at most 4000 characters",
			">"+long+"</textarea>", `aria-invalid="true"`)
		wantCSPSafe(t, r)

		wantRedirect(t, c.post("/soa/scope", url.Values{"scope": {"All AI systems we build, in the EU."}, "version": {"0"}}), "/soa")
		r = c.get("/soa")
		want(t, r, http.StatusOK, "The scope is saved.", ">All AI systems we build, in the EU.</textarea>", `name="version" value="1"`)
		wantNot(t, r, "the scope, above;")

		// A form based on the old version is refused, keeping what was typed.
		r = c.post("/soa/scope", url.Values{"scope": {"Overwritten"}, "version": {"0"}})
		want(t, r, http.StatusConflict, "The scope was set by someone else since you loaded it", ">Overwritten</textarea>", "Version is 1, not 0")
		if d, _ := e.app.SoA.Draft(e.ctx, e.owner()); d.Scope != "All AI systems we build, in the EU." {
			t.Errorf("a stale form changed the scope to %q", d.Scope)
		}
	})
}

func TestSoAControlForms(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Scores loans."})
		r := c.get("/soa/controls/a.6.2.4")
		want(t, r, http.StatusOK, "A.6.2.4 AI system verification and validation", `action="/soa/controls/A.6.2.4"`,
			`id="applicable-yes" name="applicable" value="yes"`, `id="applicable-no"`, `name="justification"`, `name="status"`,
			"Partially implemented", "Olivia Owner (olivia@example.org)", `type="date" id="target_date" name="target_date"`,
			`name="version" value="0"`, "Risks it treats", "No open risk names this control", "No current evidence",
			`href="/catalog/controls/A.6.2.4"`, `rel="prev">← A.6.2.3`, `rel="next">A.6.2.5 →`,
			"No AI system decides differently.", `id="new-system"`, "SYS-1 Credit scoring")
		wantCSPSafe(t, r)

		// Current evidence linked to the control is listed with its link.
		if _, err := e.app.Evidence.Add(e.ctx, e.owner(), evidence.AddRequest{Kind: "note", Title: "V&V plan 2026",
			Note: "Approved plan.", Links: []string{"control:A.6.2.4"}}); err != nil {
			t.Fatal(err)
		}
		r = c.get("/soa/controls/A.6.2.4")
		want(t, r, http.StatusOK, `<a href="/evidence/EV-1"><span class="catalog-id">EV-1</span> V&amp;V plan 2026</a>`)
		wantNot(t, r, "No current evidence")

		// Every problem beside its field, with what was typed kept.
		form := decisionForm()
		form.Set("status", "")
		form.Set("target_date", "2026-02-30")
		form.Set("owner_id", aims.NewID())
		form.Set("justification", "Typed by hand")
		r = c.post("/soa/controls/A.6.2.4", form)
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#status"`, `href="#target_date"`, `href="#owner_id"`,
			`id="status-error"`, "Implementation status is required when the control applies",
			`id="target_date-error"`, "Target date must be a date written YYYY-MM-DD",
			`id="owner_id-error"`, "Owner is not a member of this organisation",
			`value="yes" checked`, ">Typed by hand</textarea>", `value="2026-02-30"`)
		wantCSPSafe(t, r)
		form = decisionForm()
		form.Del("applicable")
		form.Set("justification", " ")
		r = c.post("/soa/controls/A.6.2.4", form)
		want(t, r, http.StatusUnprocessableEntity, `href="#applicable"`, `id="applicable-error"`, "Applicable is required",
			`id="justification-error"`, "Justification is required", `value="planned" selected`)

		wantRedirect(t, c.post("/soa/controls/A.6.2.4", decisionForm()), "/soa/controls/A.6.2.4")
		r = c.get("/soa/controls/A.6.2.4")
		want(t, r, http.StatusOK, "The decision on A.6.2.4 is saved.", `value="yes" checked`, ">We build and test our own models.</textarea>",
			`value="planned" selected`, `value="2026-09-30"`, `name="version" value="1"`, "Version 1, changed by Olivia Owner")
		r = c.get("/soa")
		want(t, r, http.StatusOK, `<strong id="progress">1 of 38 decided</strong>`, "Applies", "We build and test our own models.", "2026-09-30")

		// Excluding it clears a status chosen before.
		form = decisionForm()
		form.Set("applicable", "no")
		form.Set("justification", "We buy every model.")
		form.Set("version", "1")
		wantRedirect(t, c.post("/soa/controls/A.6.2.4", form), "/soa/controls/A.6.2.4")
		en, err := e.app.SoA.Entry(e.ctx, e.owner(), "A.6.2.4")
		if err != nil || en.Decision.Applicable || en.Decision.Status != "" || en.Decision.Version != 2 {
			t.Fatalf("after excluding: %+v, %v", en, err)
		}

		// A stale form is refused, keeping what was typed.
		form.Set("justification", "Stale edit")
		r = c.post("/soa/controls/A.6.2.4", form)
		want(t, r, http.StatusConflict, "Someone changed this decision since you loaded it", ">Stale edit</textarea>", `name="version" value="1"`)

		// An override for one AI system, then its removal.
		r = c.post("/soa/controls/A.6.2.4", url.Values{"new": {"1"}, "system": {""}, "applicable": {"yes"}, "justification": {"x"}, "status": {"planned"}, "version": {"0"}})
		want(t, r, http.StatusUnprocessableEntity, `id="new-system-error"`, "AI system is required")
		override := url.Values{"new": {"1"}, "system": {"SYS-1"}, "applicable": {"yes"}, "justification": {"Scoring is verified in-house."},
			"status": {"implemented"}, "version": {"0"}}
		wantRedirect(t, c.post("/soa/controls/A.6.2.4", override), "/soa/controls/A.6.2.4")
		r = c.get("/soa/controls/A.6.2.4")
		want(t, r, http.StatusOK, "The decision on A.6.2.4 for SYS-1 is saved.", `id="override-SYS-1"`, `href="/soa/systems/SYS-1"`,
			"SYS-1 Credit scoring", `id="sys-1-applicable-yes" name="applicable" value="yes" checked`, `name="system" value="SYS-1"`,
			`action="/soa/controls/A.6.2.4/overrides/SYS-1/remove"`, "Every active AI system already has its own decision")
		wantCSPSafe(t, r)
		r = c.get("/soa")
		want(t, r, http.StatusOK, `<tr class="override-row" id="row-A.6.2.4-SYS-1">`, `for <a href="/soa/systems/SYS-1">SYS-1 Credit scoring</a>`,
			"Scoring is verified in-house.")
		r = c.get("/soa/systems/SYS-1")
		want(t, r, http.StatusOK, "Applicability for SYS-1 Credit scoring", "1 control is decided for this system alone", "This system",
			"Scoring is verified in-house.", `href="/systems/SYS-1"`)
		wantCSPSafe(t, r)

		// A stale override edit names the override's form.
		override.Del("new")
		override.Set("justification", "Stale override")
		r = c.post("/soa/controls/A.6.2.4", override)
		want(t, r, http.StatusConflict, "was set by someone else", ">Stale override</textarea>")
		r = c.post("/soa/controls/A.6.2.4/overrides/SYS-1/remove", url.Values{"version": {"4"}})
		want(t, r, http.StatusConflict, "Someone changed this override", ">Scoring is verified in-house.</textarea>")
		wantRedirect(t, c.post("/soa/controls/A.6.2.4/overrides/SYS-1/remove", url.Values{"version": {"1"}}), "/soa/controls/A.6.2.4")
		r = c.get("/soa/controls/A.6.2.4")
		want(t, r, http.StatusOK, "The override for SYS-1 is removed", "No AI system decides differently.")
		want(t, c.get("/soa/controls/A.99"), http.StatusNotFound, "Page not found")
		want(t, c.get("/soa/systems/SYS-9"), http.StatusNotFound)

		got := e.app.SoA
		if list, _ := got.Versions(e.ctx, e.owner()); len(list) != 0 {
			t.Errorf("versions = %v", list)
		}
	})
}

func TestSoAApprovalVersionsAndExports(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		clients := e.signedIn()
		owner, manager := clients[aims.RoleOwner], clients[aims.RoleManager]
		r := owner.post("/soa/approve", url.Values{"note": {"Too early"}})
		want(t, r, http.StatusConflict, "There is a problem", "The draft cannot be approved yet: the scope is empty; 38 of 38 controls",
			">Too early</textarea>")
		wantCSPSafe(t, r)
		if _, err := e.app.SoA.SetScope(e.ctx, e.owner(), soa.ScopeRequest{Scope: "Everything we do with AI.", Version: 0}); err != nil {
			t.Fatal(err)
		}
		e.decideAll(e.owner())
		r = owner.get("/soa")
		want(t, r, http.StatusOK, "Every control is decided.", "38 of 38 decided")
		wantNot(t, r, "Approval waits for")

		r = manager.post("/soa/approve", url.Values{"note": {"First version, reviewed by the board."}})
		wantRedirect(t, r, "/soa/versions/1")
		r = manager.get("/soa/versions/1")
		want(t, r, http.StatusOK, "Version 1 is approved.", "Statement of Applicability, version 1", "Manager Person",
			"First version, reviewed by the board.", "Everything we do with AI.", `<pre class="note" id="checkpoint-note">aims/audit/`+e.orgID,
			"the approval is entry", `href="/soa/versions/1/export?format=pdf"`, `href="/soa/versions/1/export?format=xlsx"`,
			`href="/soa/versions/1/export?format=csv"`, `href="/soa/versions/1/export?format=md"`, "Needed for A.2.2.")
		wantNot(t, r, `action="/soa/controls/`)
		wantCSPSafe(t, r)

		// Two rows change; version 2; compare.
		yes, no := true, false
		for _, c := range []struct {
			id  string
			req soa.EntryRequest
		}{
			{"A.2.2", soa.EntryRequest{Applicable: &yes, Justification: "Needed for A.2.2.", Status: soa.StatusImplemented, Version: 1}},
			{"A.10.4", soa.EntryRequest{Applicable: &no, Justification: "We have no customers.", Version: 1}},
		} {
			if _, err := e.app.SoA.SetEntry(e.ctx, e.owner(), c.id, "", c.req); err != nil {
				t.Fatal(err)
			}
		}
		r = owner.get("/soa/compare")
		want(t, r, http.StatusOK, "From v1 to draft", "2 decisions differ", `<option value="1" selected>`, `<option value="draft" selected>`,
			"A.2.2", "Planned", "Implemented", "A.10.4", "We have no customers.")
		wantCSPSafe(t, r)
		wantRedirect(t, owner.post("/soa/approve", url.Values{"note": {""}}), "/soa/versions/2")
		r = owner.get("/soa/versions")
		want(t, r, http.StatusOK, `href="/soa/versions/2">Version 2</a>`, `href="/soa/versions/1">Version 1</a>`, "Olivia Owner", "Manager Person",
			`href="/soa/compare?from=1&amp;to=2"`, "with the draft")
		wantCSPSafe(t, r)
		r = owner.get("/soa/compare?from=1&to=2")
		want(t, r, http.StatusOK, "From v1 to v2", "2 decisions differ", `<option value="2" selected>`)
		r = owner.get("/soa/compare?from=2&to=draft")
		want(t, r, http.StatusOK, "From v2 to draft", "0 decisions differ")
		r = owner.get("/soa/compare?from=x&to=9")
		want(t, r, http.StatusUnprocessableEntity, `id="from-error"`, "From must be a version number or the draft")
		r = owner.get("/soa/compare?from=9&to=draft")
		want(t, r, http.StatusNotFound, "version 9 not found")

		// Downloads.
		viewer := clients[aims.RoleViewer]
		for _, c := range []struct{ path, ctype, name, starts string }{
			{"/soa/versions/1/export?format=pdf", "application/pdf", "soa-v1.pdf", "%PDF-"},
			{"/soa/versions/2/export?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "soa-v2.xlsx", "PK"},
			{"/soa/versions/2/export?format=csv", "text/csv; charset=utf-8", "soa-v2.csv", "control_id,"},
			{"/soa/versions/2/export?format=md", "text/markdown; charset=utf-8", "soa-v2.md", "# Statement of Applicability: Acme Ltd, version 2"},
			{"/soa/export?format=pdf", "application/pdf", "soa-draft.pdf", "%PDF-"},
		} {
			r := viewer.get(c.path)
			if r.Status != 200 || r.Header.Get("Content-Type") != c.ctype || r.Header.Get("Content-Disposition") != "attachment; filename="+c.name ||
				!strings.HasPrefix(r.Body, c.starts) {
				t.Errorf("GET %s = %d %s %q %.30q", c.path, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"), r.Body)
			}
		}
		want(t, viewer.get("/soa/versions/1/export?format=doc"), http.StatusUnprocessableEntity, "Format must be one of pdf, xlsx, csv, md")
		want(t, viewer.get("/soa/versions/3/export?format=pdf"), http.StatusNotFound)
		want(t, viewer.get("/soa/versions/x"), http.StatusNotFound)

		// Another organisation sees none of it.
		e.addUser("Globex", "gina@globex.example", "Gina", aims.RoleOwner)
		g := e.client()
		g.login("gina@globex.example")
		want(t, g.get("/soa/versions/1"), http.StatusNotFound)
		want(t, g.get("/soa/versions/1/export?format=pdf"), http.StatusNotFound)
		want(t, g.get("/soa"), http.StatusOK, "0 of 38 decided", "No version approved yet")
		want(t, g.get("/soa/compare?from=1&to=draft"), http.StatusNotFound, "version 1 not found", "There is nothing to compare yet")
	})
}

// TestSoAForEachRole shows each role the forms it may use, and refuses the rest.
func TestSoAForEachRole(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		clients := e.signedIn()
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Scores loans."})
		for _, role := range everyone {
			c := clients[role]
			r := c.get("/soa")
			want(t, r, http.StatusOK, "Statement of Applicability", "0 of 38 decided")
			wantCSPSafe(t, r)
			r2 := c.get("/soa/controls/A.2.2")
			want(t, r2, http.StatusOK, "A.2.2 AI policy")
			if allowed(editors, role) {
				want(t, r, http.StatusOK, `action="/soa/scope"`)
				want(t, r2, http.StatusOK, `action="/soa/controls/A.2.2"`)
			} else {
				wantNot(t, r, `action="/soa/scope"`)
				wantNot(t, r2, `action="/soa/controls/A.2.2"`)
				want(t, r2, http.StatusOK, "Not decided yet.")
				want(t, c.post("/soa/scope", url.Values{"scope": {"x"}, "version": {"0"}}), http.StatusForbidden, "You cannot do this")
				want(t, c.post("/soa/controls/A.2.2", decisionForm()), http.StatusForbidden, "You cannot do this")
			}
			if allowed(leads, role) {
				want(t, r, http.StatusOK, `action="/soa/approve"`)
			} else {
				wantNot(t, r, `action="/soa/approve"`)
				want(t, r, http.StatusOK, "Owners and managers approve versions.")
				want(t, c.post("/soa/approve", url.Values{}), http.StatusForbidden, "You cannot do this")
			}
			for _, p := range []string{"/soa/versions", "/soa/compare", "/soa/systems/SYS-1"} {
				want(t, c.get(p), http.StatusOK)
			}
		}
		// The refused posts changed nothing.
		var n int
		if err := e.app.DB.QueryRowContext(e.ctx, `SELECT count(*) FROM audit_events WHERE action LIKE 'soa.%'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d SoA events after refused changes (%v)", n, err)
		}
	})
}
