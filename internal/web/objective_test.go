package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
)

// TestObjectivePages sets an objective and an indicator through the forms,
// keeps what was typed beside each problem, records and corrects values,
// shows the chart with the values as a table, and checks each role sees
// only the forms it may use.
func TestObjectivePages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		manager, contributor, viewer := cs[aims.RoleManager], cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score loan applications."})

		r := viewer.get("/objectives")
		want(t, r, http.StatusOK, "AI objectives", "No objectives match")
		wantNot(t, r, `id="new-objective"`)
		wantCSPSafe(t, r)
		want(t, viewer.get("/objectives/new"), http.StatusForbidden)
		want(t, contributor.get("/objectives/new"), http.StatusForbidden)

		r = manager.get("/objectives/new")
		want(t, r, http.StatusOK, "Set an AI objective", `value="C.2.5"`, `value="SYS-1"`, `name="plan.due_on"`)
		wantCSPSafe(t, r)
		r = manager.post("/objectives", url.Values{"title": {"Fair credit"}, "annex_c": {"C.2.5"}, "plan.due_on": {"soon"},
			"plan.actions": {"Typed actions"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#objective-plan-due_on"`, "Due by must be a date",
			`value="Fair credit"`, ">Typed actions</textarea>", `value="C.2.5" checked`, "Resources is required")
		wantCSPSafe(t, r)
		plan := url.Values{"title": {"Fair credit"}, "annex_c": {"C.2.5"}, "systems": {"SYS-1"}, "owner": {e.ownerID},
			"plan.actions": {"Audit approvals monthly"}, "plan.resources": {"An analyst"}, "plan.responsible": {"Risk team"},
			"plan.due_on": {"2026-12-31"}, "plan.evaluation": {"Compare approval rates"}}
		wantRedirect(t, manager.post("/objectives", plan), "/objectives/OBJ-1")

		r = manager.get("/objectives/OBJ-1")
		want(t, r, http.StatusOK, "OBJ-1 Fair credit", "C.2.5 Fairness", "SYS-1 Credit scoring", "Audit approvals monthly", `id="indicator-form"`,
			`id="status-form"`, "Set the objective")
		wantCSPSafe(t, r)
		r = viewer.get("/objectives/OBJ-1")
		wantNot(t, r, `id="indicator-form"`, `id="status-form"`, `id="edit"`)
		r = contributor.get("/objectives/OBJ-1")
		wantNot(t, r, `id="indicator-form"`)

		// An indicator; a bound that does not read is named.
		want(t, contributor.post("/objectives/OBJ-1/indicators", url.Values{"name": {"x"}}), http.StatusForbidden)
		r = manager.post("/objectives/OBJ-1/indicators", url.Values{"name": {"Approval ratio"}, "target.kind": {"between"}, "target.min": {"zero"},
			"target.max": {"1.25"}, "cadence": {"quarterly"}, "method": {"Typed method"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#indicator-new-target-min"`, "Lowest value on target must be a number", `value="zero"`)
		wantCSPSafe(t, r)
		r = manager.post("/objectives/OBJ-1/indicators", url.Values{"name": {"Approval ratio"}, "target.kind": {"between"}, "target.min": {"0.8"},
			"cadence": {"quarterly"}, "method": {"Typed method"}})
		want(t, r, http.StatusUnprocessableEntity, "Highest value on target is required when the target is between", ">Typed method</textarea>")
		wantRedirect(t, manager.post("/objectives/OBJ-1/indicators", url.Values{"name": {"Approval ratio"}, "target.kind": {"between"},
			"target.min": {"0.8"}, "target.max": {"1,25"}, "cadence": {"quarterly"}, "method": {"Women to men"}, "starts_on": {"2024-12-31"}}),
			"/objectives/OBJ-1#indicator-1")

		// Values from the page: a problem keeps what was typed; a correction replaces a value in the chart.
		want(t, viewer.post("/objectives/OBJ-1/indicators/1/measurements", url.Values{"value": {"1"}}), http.StatusForbidden)
		r = contributor.post("/objectives/OBJ-1/indicators/1/measurements", url.Values{"value": {"0.9"}, "measured_on": {"2999-01-01"}, "note": {"Typed note"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#measure-1-measured_on"`, "Measured for must not be after today", `value="Typed note"`)
		for _, v := range []url.Values{{"value": {"0.78"}, "measured_on": {"2025-03-31"}}, {"value": {"0.85"}, "measured_on": {"2025-06-30"}},
			{"value": {"0.9"}, "measured_on": {"2025-09-30"}}} {
			wantRedirect(t, contributor.post("/objectives/OBJ-1/indicators/1/measurements", v), "/objectives/OBJ-1#indicator-1")
		}
		wantRedirect(t, contributor.post("/objectives/OBJ-1/indicators/1/measurements", url.Values{"value": {"0.95"}, "corrects": {"3"},
			"note": {"Wrong quarter's data"}}), "/objectives/OBJ-1#indicator-1")
		r = viewer.get("/objectives/OBJ-1")
		want(t, r, http.StatusOK, `id="indicator-chart-1"`, "<svg", "<title id=\"indicator-chart-1-title\">Approval ratio over time</title>",
			"3 values from 2025-03-31 to 2025-09-30; the target is between 0.8 and 1.25", "<del>0.9</del>", "corrected by M4", "corrects M3",
			"On target", "Corrected a value")
		wantCSPSafe(t, r)
		if n := strings.Count(r.Body, `class="chart-dot"`); n != 3 {
			t.Errorf("the chart has %d points, want 3 (the corrected value is replaced)", n)
		}

		// Editing with the version; a stale form is refused and keeps what was typed.
		want(t, contributor.get("/objectives/OBJ-1/edit"), http.StatusForbidden)
		r = manager.get("/objectives/OBJ-1/edit")
		want(t, r, http.StatusOK, `name="version" value="1"`, `value="Fair credit"`, `value="SYS-1" checked`)
		plan.Set("version", "1")
		plan.Set("title", "Fair credit for all")
		wantRedirect(t, manager.post("/objectives/OBJ-1", plan), "/objectives/OBJ-1")
		plan.Set("title", "Stale title")
		want(t, manager.post("/objectives/OBJ-1", plan), http.StatusConflict, "Someone changed OBJ-1", `value="Stale title"`)

		// Status and the list.
		r = manager.post("/objectives/OBJ-1/status", url.Values{"version": {"2"}, "status": {"achieved"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#status-note"`, "Note is required")
		wantRedirect(t, manager.post("/objectives/OBJ-1/status", url.Values{"version": {"2"}, "status": {"achieved"}, "note": {"Within range all year"}}),
			"/objectives/OBJ-1")
		want(t, viewer.get("/objectives?status=achieved"), http.StatusOK, "Fair credit for all", "Achieved")
		want(t, viewer.get("/objectives?status=gone"), http.StatusUnprocessableEntity, "Status must be active, achieved, withdrawn or all")
		want(t, viewer.get("/objectives/OBJ-9"), http.StatusNotFound)
	})
}
