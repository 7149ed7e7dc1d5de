package aisystem_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestStageChangesOnlyThroughTheLifeCycle: an update refuses another
// stage, naming the field and the way to move; SetStageTx, which the
// life-cycle service calls when it approves a move, changes it with its
// audit event, for leads only, and only from the stage the system is in.
func TestStageChangesOnlyThroughTheLifeCycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		s := e.create(t, aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score applications", LifecycleStage: "verification_and_validation"})
		err := second(e.svc.Update(e.ctx, e.as[aims.RoleOwner], "SYS-1", aisystem.UpdateRequest{Version: 1, LifecycleStage: ptr("deployment")}))
		servicetest.WantFields(t, err, aims.CodeInvalid, "lifecycle_stage")
		if !strings.Contains(err.Error(), "lifecycle_stage changes only through a stage-move request, which checks the stage gate: "+
			"request the move on the system's page (Move to another stage) or with aims lifecycle move SYS-1 --to deployment") {
			t.Errorf("refusal says %v", err)
		}

		move := func(a *aims.Actor, from, to, reason string) error {
			return d.WithTx(e.ctx, func(tx *db.Tx) error { return e.svc.SetStageTx(e.ctx, tx, a, s.ID, from, to, reason) })
		}
		servicetest.Unchanged(t, d, func() {
			servicetest.WantCode(t, move(e.as[aims.RoleContributor], "verification_and_validation", "deployment", ""), aims.CodeForbidden)
			servicetest.WantCode(t, move(e.as[aims.RoleManager], "inception", "deployment", ""), aims.CodeConflict)
			servicetest.WantCode(t, move(e.as[aims.RoleManager], "verification_and_validation", "verification_and_validation", ""), aims.CodeConflict)
			servicetest.WantFields(t, move(e.as[aims.RoleManager], "verification_and_validation", "live", ""), aims.CodeInvalid, "lifecycle_stage")
		})
		e.clock.Advance(time.Hour)
		if err := move(e.as[aims.RoleManager], "verification_and_validation", "deployment", "MOVE-1: Validated"); err != nil {
			t.Fatal(err)
		}
		got := e.get(t, "SYS-1")
		if got.LifecycleStage != "deployment" || got.Version != 2 || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("moved = %+v", got)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != "ai_system.stage_change" || ev.Object.Ref != "SYS-1" || !cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{
			"lifecycle_stage": {`"verification_and_validation"`, `"deployment"`}, "reason": {"null", `"MOVE-1: Validated"`}}) {
			t.Errorf("event %s %v", ev.Action, servicetest.ChangeMap(t, ev))
		}
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "SYS-1"); err != nil {
			t.Fatal(err)
		}
		servicetest.WantCode(t, move(e.as[aims.RoleOwner], "deployment", "retirement", ""), aims.CodeConflict)
	})
}

func second[T any](_ T, err error) error { return err }
