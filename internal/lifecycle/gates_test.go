package lifecycle_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestStagesMatchTheInventory keeps the life cycle's stages those of the AI system inventory.
func TestStagesMatchTheInventory(t *testing.T) {
	if len(lifecycle.Stages) != len(aisystem.LifecycleStages) {
		t.Fatalf("%d stages, the inventory has %d", len(lifecycle.Stages), len(aisystem.LifecycleStages))
	}
	for i, o := range aisystem.LifecycleStages {
		if s := lifecycle.Stages[i]; s.Value != o.Value || s.Label != o.Label {
			t.Errorf("stage %d is %+v, the inventory's %+v", i, s, o)
		}
	}
}

// TestGates: the defaults apply until a lead sets the gates; every bad
// requirement is named; a stale version is refused; each change is one
// audit event naming the stages changed, and setting what is set records nothing.
func TestGates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		g, err := e.svc.Gates(e.ctx, e.viewer())
		if err != nil {
			t.Fatal(err)
		}
		if !g.Default || g.Version != 0 || len(g.Gates) != 7 {
			t.Fatalf("defaults = %+v", g)
		}
		if diff := cmp.Diff([]lifecycle.Requirement{{Kind: "approved_model_version"}, {Kind: "vv_record"}, {Kind: "approved_impact_assessment"}},
			g.Gate("deployment")); diff != "" {
			t.Errorf("default gate into deployment (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]lifecycle.Requirement{{Kind: "retirement_plan"}}, g.Gate("retirement")); diff != "" {
			t.Errorf("default gate into retirement (-want +got):\n%s", diff)
		}
		if len(g.Gate("inception")) != 0 || g.Gate("operation_and_monitoring") == nil {
			t.Errorf("other stages: %+v", g.Gates)
		}
		own, err := e.catalog.CreateControl(e.ctx, e.owner(), catalog.ControlRequest{Title: "Red team", Asks: "Red-team the model"})
		if err != nil {
			t.Fatal(err)
		}

		req := lifecycle.GatesRequest{Gates: []lifecycle.Gate{
			{Stage: "deployment", Requirements: []lifecycle.Requirement{{Kind: "approved_model_version"}, {Kind: "risks_assessed"},
				{Kind: "evidence", Control: "a.6.2.6"}, {Kind: "risks_assessed"}, {Kind: "evidence", Control: own.ID}}},
			{Stage: "retirement", Requirements: []lifecycle.Requirement{{Kind: "retirement_plan"}}},
		}}
		servicetest.Unchanged(t, d, func() {
			for _, who := range []*aims.Actor{e.contributor(), e.viewer(), e.as[aims.RoleAuditor]} {
				servicetest.WantCode(t, second(e.svc.SetGates(e.ctx, who, req)), aims.CodeForbidden)
			}
			bad := lifecycle.GatesRequest{Gates: []lifecycle.Gate{
				{Stage: "launch"},
				{Stage: "deployment", Requirements: []lifecycle.Requirement{{Kind: "a_signature"}, {Kind: "evidence"},
					{Kind: "evidence", Control: "A.99"}, {Kind: "vv_record", Control: "A.6.2.4"}, {Kind: "retirement_plan"}}},
				{Stage: "deployment"},
			}}
			servicetest.WantFields(t, second(e.svc.SetGates(e.ctx, e.manager(), bad)), aims.CodeInvalid,
				"gates.0.stage", "gates.1.requirements.0.kind", "gates.1.requirements.1.control", "gates.1.requirements.2.control",
				"gates.1.requirements.3.control", "gates.1.requirements.4.kind", "gates.2.stage")
			stale := req
			stale.Version = 3
			servicetest.WantFields(t, second(e.svc.SetGates(e.ctx, e.manager(), stale)), aims.CodeConflict, "version")
		})

		g, err = e.svc.SetGates(e.ctx, e.manager(), req)
		if err != nil {
			t.Fatal(err)
		}
		want := []lifecycle.Requirement{{Kind: "approved_model_version"}, {Kind: "risks_assessed"}, {Kind: "evidence", Control: "A.6.2.6"},
			{Kind: "evidence", Control: own.ID}}
		if diff := cmp.Diff(want, g.Gate("deployment")); diff != "" || g.Default || g.Version != 1 || g.UpdatedByName != "Max Manager" {
			t.Errorf("set gates %+v (-want +got):\n%s", g, diff)
		}
		ev := e.lastEvent(t)
		wantCh := map[string][2]string{
			"deployment": {`["approved_model_version","vv_record","approved_impact_assessment"]`,
				`["approved_model_version","risks_assessed","evidence:A.6.2.6","evidence:` + own.ID + `"]`},
			"version": {"0", "1"},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "lifecycle_gates.set" || ev.Object.Ref != "Stage gates" {
			t.Errorf("event %s %+v (-want +got):\n%s", ev.Action, ev.Object, diff)
		}

		// The same again changes nothing; an owner changes them on the current version.
		before := len(servicetest.Events(t, e.ctx, d, e.org))
		req.Version = 1
		if g, err = e.svc.SetGates(e.ctx, e.owner(), req); err != nil || g.Version != 1 {
			t.Fatalf("same gates again: %+v, %v", g, err)
		}
		if n := len(servicetest.Events(t, e.ctx, d, e.org)); n != before {
			t.Errorf("setting the same gates recorded %d events", n-before)
		}
		req.Gates = []lifecycle.Gate{{Stage: "verification_and_validation", Requirements: []lifecycle.Requirement{{Kind: "vv_record"}}}}
		if g, err = e.svc.SetGates(e.ctx, e.owner(), req); err != nil || g.Version != 2 || len(g.Gate("deployment")) != 0 ||
			len(g.Gate("retirement")) != 0 || g.UpdatedByName != "Zoë Owner" {
			t.Fatalf("second set: %+v, %v", g, err)
		}
		if got := servicetest.ChangeMap(t, e.lastEvent(t)); len(got) != 4 || got["retirement"] != [2]string{`["retirement_plan"]`, `[]`} {
			t.Errorf("second set changes = %v", got)
		}
		servicetest.WantCode(t, second(e.svc.Gates(e.ctx, &aims.Actor{})), aims.CodeUnauthenticated)
	})
}
