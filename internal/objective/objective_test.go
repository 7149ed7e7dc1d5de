package objective_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/objective"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestObjectiveLifecycle records an objective with its plan, refuses bad
// values naming each field, updates it with its version, and marks it
// achieved and active again, checking the audit events each change writes.
func TestObjectiveLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Credit scoring")
		m := e.manager()

		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Create(e.ctx, m, objective.ObjectiveRequest{Title: " ", AnnexC: []string{"C.2.5", "C.3.1"},
				Owner: "nobody@acme.example", Systems: []string{"SYS-9"}, Plan: objective.ObjectivePlan{DueOn: "31/12/2026"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "annex_c", "owner", "plan.actions", "plan.due_on", "plan.evaluation",
				"plan.resources", "plan.responsible", "systems", "title")
		})

		req := validObjective("Fair credit decisions")
		req.AnnexC = []string{"c.2.11", "C.2.5", "C.2.5"}
		req.Systems = []string{"sys-1", sys.ID}
		o, err := e.svc.Create(e.ctx, m, req)
		if err != nil {
			t.Fatal(err)
		}
		if o.Ref != "OBJ-1" || o.Status != objective.StatusActive || o.Version != 1 || o.Owner.Email != "manager@acme.example" ||
			len(o.Systems) != 1 || o.Systems[0].Ref != "SYS-1" || len(o.Indicators) != 0 {
			t.Fatalf("created %+v", o)
		}
		// Annex C objectives are kept once each, in Annex C's order, with their titles.
		if diff := cmp.Diff([]objective.ObjectiveAnnexC{{ID: "C.2.5", Title: "Fairness"}, {ID: "C.2.11", Title: "Transparency and explainability"}}, o.AnnexC); diff != "" {
			t.Errorf("Annex C (-want +got):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != objective.ActionCreate || ev.Object.Ref != "OBJ-1" {
			t.Errorf("event %+v", ev)
		}
		ch := servicetest.ChangeMap(t, ev)
		if ch["annex_c"][1] != `["C.2.5","C.2.11"]` || ch["owner"][1] != `"manager@acme.example"` || ch["plan.due_on"][1] != `"2026-12-31"` ||
			ch["systems"][1] != `["SYS-1"]` {
			t.Errorf("create changes %v", ch)
		}

		// Update: stale versions are refused, nothing-changed writes nothing.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, m, "OBJ-1", objective.ObjectiveUpdate{Version: 2, Title: ptr("x")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.Update(e.ctx, m, "OBJ-1", objective.ObjectiveUpdate{Version: 1, AnnexC: &[]string{"C.9"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "annex_c")
			same, err := e.svc.Update(e.ctx, m, "obj-1", objective.ObjectiveUpdate{Version: 1, Title: ptr(" Fair credit decisions ")})
			if err != nil || same.Version != 1 {
				t.Errorf("no-op update %+v, %v", same, err)
			}
		})
		plan := o.Plan
		plan.DueOn = "2027-06-30"
		u, err := e.svc.Update(e.ctx, m, "OBJ-1", objective.ObjectiveUpdate{Version: 1, Owner: ptr("owner@acme.example"), Systems: &[]string{}, Plan: &plan})
		if err != nil {
			t.Fatal(err)
		}
		if u.Version != 2 || u.Owner.Email != "owner@acme.example" || len(u.Systems) != 0 || u.Plan.DueOn != "2027-06-30" {
			t.Errorf("updated %+v", u)
		}
		ch = servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		want := map[string][2]string{"owner": {`"manager@acme.example"`, `"owner@acme.example"`}, "plan.due_on": {`"2026-12-31"`, `"2027-06-30"`},
			"systems": {`["SYS-1"]`, `[]`}}
		if diff := cmp.Diff(want, ch); diff != "" {
			t.Errorf("update changes (-want +got):\n%s", diff)
		}

		// Status: a note is required; an achieved objective cannot be edited until active again.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetStatus(e.ctx, m, "OBJ-1", objective.ObjectiveStatusRequest{Version: 2, Status: "done"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "note", "status")
			_, err = e.svc.SetStatus(e.ctx, m, "OBJ-1", objective.ObjectiveStatusRequest{Version: 2, Status: "active", Note: "x"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "status")
		})
		a, err := e.svc.SetStatus(e.ctx, m, "OBJ-1", objective.ObjectiveStatusRequest{Version: 2, Status: "achieved", Note: "Rates within 2 points for a year"})
		if err != nil || a.Status != objective.StatusAchieved || a.StatusNote != "Rates within 2 points for a year" || a.Version != 3 {
			t.Fatalf("achieved %+v, %v", a, err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, m, "OBJ-1", objective.ObjectiveUpdate{Version: 3, Title: ptr("Other")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.AddIndicator(e.ctx, m, "OBJ-1", objective.IndicatorRequest{Name: "x", Target: atLeast(1), Cadence: "monthly", Method: "m"})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		if _, err := e.svc.SetStatus(e.ctx, m, "OBJ-1", objective.ObjectiveStatusRequest{Version: 3, Status: "active", Note: "Scope widened"}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{objective.ActionCreate, objective.ActionUpdate, objective.ActionStatus, objective.ActionStatus},
			objectiveActions(t, e)); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
		hist, err := e.svc.History(e.ctx, e.viewer(), "OBJ-1")
		if err != nil || len(hist) != 4 || hist[0].Action != objective.ActionStatus {
			t.Errorf("history %+v, %v", hist, err)
		}

		// Listing and searching.
		e.objective(t, "Explain every refusal")
		page, err := e.svc.List(e.ctx, e.viewer(), objective.ObjectiveQuery{Q: "refusal"})
		if err != nil || page.Total != 1 || page.Items[0].Ref != "OBJ-2" {
			t.Errorf("search %+v, %v", page, err)
		}
		if _, err := e.svc.List(e.ctx, e.viewer(), objective.ObjectiveQuery{Status: "gone"}); err == nil {
			t.Error("a bad status filter is accepted")
		}
		_, err = e.svc.List(e.ctx, e.viewer(), objective.ObjectiveQuery{System: "SYS-9"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "system")
	})
}

// objectiveActions lists the audit actions about objectives, their indicators and values, oldest first.
func objectiveActions(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	for _, ev := range servicetest.Events(t, e.ctx, e.d, e.org) {
		switch ev.Object.Type {
		case objective.ObjectObjective, objective.ObjectIndicator, objective.ObjectMeasurement:
			out = append(out, ev.Action)
		}
	}
	return out
}

// TestIndicators defines indicators with each kind of target, refuses bad
// targets field by field, and changes and retires one with its version.
func TestIndicators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.objective(t, "Fast and fair")
		m := e.manager()
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddIndicator(e.ctx, m, "OBJ-1", objective.IndicatorRequest{Name: "", Cadence: "weekly", Source: "robot",
				Target: objective.IndicatorTarget{Kind: "between", Min: ptr(5.0), Max: ptr(5.0)}, StartsOn: "tomorrow"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "cadence", "method", "name", "source", "starts_on", "target.max")
			_, err = e.svc.AddIndicator(e.ctx, m, "OBJ-1", objective.IndicatorRequest{Name: "x", Cadence: "monthly", Method: "m",
				Target: objective.IndicatorTarget{Kind: "at_least", Max: ptr(5.0)}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "target.max", "target.min")
			_, err = e.svc.AddIndicator(e.ctx, m, "OBJ-1", objective.IndicatorRequest{Name: "x", Cadence: "monthly", Method: "m",
				Target: objective.IndicatorTarget{Kind: "roughly"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "target.kind")
		})
		in := e.indicator(t, "OBJ-1", objective.IndicatorRequest{Name: "Approval rate ratio", Target: objective.IndicatorTarget{Kind: "between",
			Min: ptr(0.8), Max: ptr(1.25)}, Cadence: "quarterly", Method: "Ratio of approval rates, women to men"})
		// Defined today, 2026-03-02, quarterly: the first value is due on 2026-06-02.
		if in.Ref != "OBJ-1/I1" || in.Source != "manual" || in.StartsOn != "2026-03-02" || in.NextDueOn != "2026-06-02" || in.Due ||
			in.Latest != nil || in.OnTarget != nil || in.TargetText != "between 0.8 and 1.25" {
			t.Fatalf("indicator %+v", in)
		}
		lat := e.indicator(t, "OBJ-1", objective.IndicatorRequest{Name: "Latency p95", Unit: "ms", Target: objective.IndicatorTarget{Kind: "at_most",
			Max: ptr(300.0)}, Cadence: "monthly", Method: "From the gateway's logs", Source: "api", StartsOn: "2026-01-31"})
		// Started on 2026-01-31, monthly: due on 2026-02-28, which is past.
		if lat.Ref != "OBJ-1/I2" || lat.NextDueOn != "2026-02-28" || !lat.Due || lat.TargetText != "at most 300 ms" {
			t.Fatalf("second indicator %+v", lat)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateIndicator(e.ctx, m, "OBJ-1", 2, objective.IndicatorUpdate{Version: 9, Name: ptr("x")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.UpdateIndicator(e.ctx, m, "OBJ-1", 2, objective.IndicatorUpdate{Version: 1, Target: &objective.IndicatorTarget{Kind: "at_most"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "target.max")
			_, err = e.svc.UpdateIndicator(e.ctx, m, "OBJ-1", 7, objective.IndicatorUpdate{Version: 1})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		up, err := e.svc.UpdateIndicator(e.ctx, m, "OBJ-1", 2, objective.IndicatorUpdate{Version: 1, Target: &objective.IndicatorTarget{Kind: "at_most", Max: ptr(250.0)},
			Status: ptr("retired")})
		if err != nil || up.Version != 2 || up.TargetText != "at most 250 ms" || up.Due {
			t.Fatalf("updated %+v, %v", up, err)
		}
		ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if diff := cmp.Diff(map[string][2]string{"target.max": {"300", "250"}, "status": {`"active"`, `"retired"`}}, ch); diff != "" {
			t.Errorf("indicator changes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{objective.ActionCreate, objective.ActionIndicatorCreate, objective.ActionIndicatorCreate, objective.ActionIndicatorUpdate},
			objectiveActions(t, e)); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
	})
}
