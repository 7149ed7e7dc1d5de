package internalaudit_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestProgrammeCycle checks the years of a cycle against dates worked out
// by hand, that cycles may not overlap, and that a programme's cycle cannot
// move away from the audits planned in it.
func TestProgrammeCycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		g, err := e.svc.CreateProgramme(e.ctx, e.owner(), internalaudit.ProgrammeRequest{CycleStart: "2024-02-29",
			Objectives: "Certify", ManagerID: e.manager().UserID})
		if err != nil {
			t.Fatal(err)
		}
		// 29 February 2024 plus one year is 1 March 2025 in Go's date arithmetic, so year 1 ends on 28 February 2025.
		want := []internalaudit.Year{
			{Number: 1, From: "2024-02-29", To: "2025-02-28", Purpose: "initial_certification"},
			{Number: 2, From: "2025-03-01", To: "2026-02-28", Purpose: "surveillance"},
			{Number: 3, From: "2026-03-01", To: "2027-02-28", Purpose: "surveillance"},
		}
		if diff := cmp.Diff(want, g.Years); diff != "" {
			t.Errorf("years (-want +got):\n%s", diff)
		}
		if g.Ref != "IAP-1" || g.RecertificationDue != "2027-03-01" || g.ManagerName != "Acme manager" || g.Version != 1 {
			t.Errorf("got %s due %s managed by %q v%d", g.Ref, g.RecertificationDue, g.ManagerName, g.Version)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateProgramme(e.ctx, e.owner(), internalaudit.ProgrammeRequest{CycleStart: "2027-02-28", Objectives: "x"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "cycle_start")
			_, err = e.svc.CreateProgramme(e.ctx, e.owner(), internalaudit.ProgrammeRequest{CycleStart: "2026-13-01", ManagerID: "nobody"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "cycle_start", "manager_id", "objectives")
		})
		if _, err := e.svc.CreateProgramme(e.ctx, e.owner(), internalaudit.ProgrammeRequest{CycleStart: "2027-03-01", Objectives: "Recertify"}); err != nil {
			t.Fatalf("the next cycle: %v", err)
		}
		req := e.request()
		req.PlannedStart, req.PlannedEnd = "2026-03-10", "2026-03-12"
		e.plan(t, req)
		g = e.getProgramme(t, "IAP-1")
		if got := []int{g.Years[0].Audits, g.Years[1].Audits, g.Years[2].Audits}; !cmp.Equal(got, []int{0, 0, 1}) {
			t.Errorf("audits per year %v, want [0 0 1]", got)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateProgramme(e.ctx, e.owner(), "IAP-1", internalaudit.ProgrammeUpdate{Version: 1, CycleStart: ptr("2023-01-01")})
			servicetest.WantFields(t, err, aims.CodeInvalid, "cycle_start")
			_, err = e.svc.UpdateProgramme(e.ctx, e.owner(), "IAP-1", internalaudit.ProgrammeUpdate{Version: 2, Methods: ptr("Sampling")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		g, err = e.svc.UpdateProgramme(e.ctx, e.owner(), "IAP-1", internalaudit.ProgrammeUpdate{Version: 1, Methods: ptr("Sampling"),
			FrequencyBasis: ptr("Risk treatment twice a year; others yearly")})
		if err != nil || g.Version != 2 || g.Methods != "Sampling" {
			t.Fatalf("update: %+v, %v", g, err)
		}
		want2 := []string{"internal_audit_programme.create IAP-1", "internal_audit_programme.create IAP-2", "internal_audit.plan IA-1",
			"internal_audit_programme.update IAP-1"}
		if diff := cmp.Diff(want2, e.actions(t)); diff != "" {
			t.Errorf("audit events (-want +got):\n%s", diff)
		}
		list, err := e.svc.ListProgrammes(e.ctx, e.viewer())
		if err != nil || len(list) != 2 || list[0].Ref != "IAP-2" {
			t.Fatalf("list: %v, %v", list, err)
		}
	})
}

func (e *env) getProgramme(t *testing.T, ref string) *internalaudit.Programme {
	t.Helper()
	g, err := e.svc.GetProgramme(e.ctx, e.viewer(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
