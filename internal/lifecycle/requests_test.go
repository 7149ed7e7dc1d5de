package lifecycle_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestMoveThroughTheGate: a contributor asks to move a system into
// deployment and sees what is missing; approval is refused while anything
// is; once everything is met a manager approves and the system is in
// deployment, with the request and the system's stage change recorded.
func TestMoveThroughTheGate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening", "verification_and_validation")

		// Bad requests name their fields and store nothing.
		servicetest.Unchanged(t, d, func() {
			err := second(e.svc.CreateRequest(e.ctx, e.contributor(), lifecycle.StageRequestCreate{System: "SYS-1", To: "verification_and_validation"}))
			servicetest.WantFields(t, err, aims.CodeInvalid, "justification", "to")
			err = second(e.svc.CreateRequest(e.ctx, e.contributor(), lifecycle.StageRequestCreate{System: "SYS-1", To: "retirement", Justification: "Done"}))
			servicetest.WantFields(t, err, aims.CodeInvalid, "plan")
			err = second(e.svc.CreateRequest(e.ctx, e.contributor(), lifecycle.StageRequestCreate{System: "SYS-1", From: "inception",
				To: "deployment", Justification: "Go"}))
			servicetest.WantFields(t, err, aims.CodeConflict, "from")
			err = second(e.svc.CreateRequest(e.ctx, e.viewer(), lifecycle.StageRequestCreate{System: "SYS-1", To: "deployment", Justification: "Go"}))
			servicetest.WantCode(t, err, aims.CodeForbidden)
			err = second(e.svc.CreateRequest(e.ctx, e.contributor(), lifecycle.StageRequestCreate{System: "SYS-7", To: "deployment", Justification: "Go"}))
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})

		e.clock.Advance(time.Minute)
		r, err := e.svc.CreateRequest(e.ctx, e.contributor(), lifecycle.StageRequestCreate{System: "sys-1", From: "verification_and_validation",
			To: "deployment", Justification: "  Validation passed on the 2026 hiring data.  "})
		if err != nil {
			t.Fatal(err)
		}
		if r.Ref != "MOVE-1" || r.Status != "open" || r.From != "verification_and_validation" || r.To != "deployment" ||
			r.Justification != "Validation passed on the 2026 hiring data." || r.RequestedByName != "Carla Contributor" ||
			r.SystemRef != "SYS-1" || r.Version != 1 || !r.ChecksLive || r.Checks == nil || r.Checks.Met {
			t.Fatalf("request = %+v", r)
		}
		if diff := cmp.Diff([]string{"An approved model version", "A verification and validation record", "An approved impact assessment"},
			r.Checks.Missing); diff != "" {
			t.Errorf("missing (-want +got):\n%s", diff)
		}
		ev := e.lastEvent(t)
		if ev.Action != "stage_request.create" || ev.Object.Ref != "MOVE-1" || !cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{
			"system": {"null", `"SYS-1"`}, "from": {"null", `"verification_and_validation"`}, "to": {"null", `"deployment"`},
			"justification": {"null", `"Validation passed on the 2026 hiring data."`}, "status": {"null", `"open"`}}) {
			t.Errorf("create event %s %v", ev.Action, servicetest.ChangeMap(t, ev))
		}

		// One open request per system.
		err = second(e.svc.CreateRequest(e.ctx, e.manager(), lifecycle.StageRequestCreate{System: "SYS-1", To: "retirement",
			Justification: "Stop", Plan: "Delete all"}))
		if servicetest.WantCode(t, err, aims.CodeConflict); !strings.Contains(err.Error(), "open stage-move request already, MOVE-1") {
			t.Errorf("second open request: %v", err)
		}

		// Approval waits for every requirement, and changes nothing meanwhile.
		servicetest.Unchanged(t, d, func() {
			err := second(e.svc.ApproveRequest(e.ctx, e.manager(), "MOVE-1", lifecycle.DecisionRequest{Version: 1}))
			servicetest.WantCode(t, err, aims.CodeConflict)
			if !strings.Contains(err.Error(), "not met: An approved model version; A verification and validation record; An approved impact assessment") {
				t.Errorf("blocked approval says %v", err)
			}
			servicetest.WantCode(t, second(e.svc.ApproveRequest(e.ctx, e.contributor(), "MOVE-1", lifecycle.DecisionRequest{Version: 1})),
				aims.CodeForbidden)
		})
		if e.stageOf(t, "SYS-1") != "verification_and_validation" {
			t.Fatal("the stage moved")
		}

		// Satisfy the gate; approval needs the current version.
		e.sources.setModels(sys.ID, lifecycle.ModelVersion{Key: "MDL-1@2.0.0", Status: "approved"})
		e.note(t, "Validation report", "", "control:A.6.2.4", "ai_system:SYS-1")
		e.approvedImpact(t, "SYS-1")
		if r = e.getRequest(t, "MOVE-1"); !r.Checks.Met {
			t.Fatalf("still missing %v", r.Checks.Missing)
		}
		servicetest.WantFields(t, second(e.svc.ApproveRequest(e.ctx, e.manager(), "MOVE-1", lifecycle.DecisionRequest{Version: 2})),
			aims.CodeConflict, "version")
		e.clock.Advance(time.Hour)
		r, err = e.svc.ApproveRequest(e.ctx, e.manager(), "move-1", lifecycle.DecisionRequest{Version: 1, Note: "Board minute 12."})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != "approved" || r.DecidedByName != "Max Manager" || r.DecisionNote != "Board minute 12." || r.Overridden ||
			r.ChecksLive || r.Checks == nil || !r.Checks.Met || r.DecidedAt == nil || !r.DecidedAt.Equal(e.clock.Now()) || r.Version != 2 {
			t.Fatalf("approved = %+v", r)
		}
		if got, _ := e.systems.Get(e.ctx, e.viewer(), "SYS-1"); got.LifecycleStage != "deployment" || got.Version != sys.Version+1 {
			t.Fatalf("system after approval = %+v", got)
		}
		evs := servicetest.Events(t, e.ctx, d, e.org)
		stage, approve := evs[len(evs)-2], evs[len(evs)-1]
		if stage.Action != "ai_system.stage_change" || stage.Object.Ref != "SYS-1" || !cmp.Equal(servicetest.ChangeMap(t, stage), map[string][2]string{
			"lifecycle_stage": {`"verification_and_validation"`, `"deployment"`},
			"reason":          {"null", `"MOVE-1: Validation passed on the 2026 hiring data."`}}) {
			t.Errorf("stage event %s %v", stage.Action, servicetest.ChangeMap(t, stage))
		}
		if approve.Action != "stage_request.approve" || !cmp.Equal(servicetest.ChangeMap(t, approve), map[string][2]string{
			"status": {`"open"`, `"approved"`}, "checks_met": {"null", "true"}, "decision_note": {`""`, `"Board minute 12."`}}) {
			t.Errorf("approve event %s %v", approve.Action, servicetest.ChangeMap(t, approve))
		}
		// Decided requests stay decided.
		servicetest.WantCode(t, second(e.svc.RefuseRequest(e.ctx, e.manager(), "MOVE-1", lifecycle.DecisionRequest{Version: 2, Note: "x"})),
			aims.CodeConflict)

		// The stage never changes by editing the system; the same stage is still accepted.
		cur, _ := e.systems.Get(e.ctx, e.viewer(), "SYS-1")
		servicetest.Unchanged(t, d, func() {
			err := second(e.systems.Update(e.ctx, e.owner(), "SYS-1", aisystem.UpdateRequest{Version: cur.Version,
				LifecycleStage: ptr("operation_and_monitoring"), Description: ptr("x")}))
			servicetest.WantFields(t, err, aims.CodeInvalid, "lifecycle_stage")
			if !strings.Contains(err.Error(), "changes only through a stage-move request") {
				t.Errorf("stage edit: %v", err)
			}
		})
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-1", aisystem.UpdateRequest{Version: cur.Version,
			LifecycleStage: ptr("deployment"), Description: ptr("Ranks applicants")}); err != nil {
			t.Errorf("the same stage with another change: %v", err)
		}
		// Nor by calling the inventory directly without the right.
		servicetest.WantCode(t, d.WithTx(e.ctx, func(tx *db.Tx) error {
			return e.systems.SetStageTx(e.ctx, tx, e.contributor(), sys.ID, "deployment", "retirement", "")
		}), aims.CodeForbidden)
	})
}

// TestRefuseWithdrawOverride: a lead refuses with a reason; only the
// requester withdraws; only an owner overrides unmet requirements, with a
// reason shown on the request and recorded in the event.
func TestRefuseWithdrawOverride(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening", "verification_and_validation")

		// Refused, with a reason, and the checks as they stood.
		r := e.request(t, "SYS-1", "deployment", "")
		servicetest.WantFields(t, second(e.svc.RefuseRequest(e.ctx, e.manager(), r.Ref, lifecycle.DecisionRequest{Version: 1})),
			aims.CodeInvalid, "note")
		r, err := e.svc.RefuseRequest(e.ctx, e.owner(), r.Ref, lifecycle.DecisionRequest{Version: 1, Note: "Validate on 2026 data first."})
		if err != nil || r.Status != "refused" || r.DecisionNote != "Validate on 2026 data first." || r.Checks == nil || r.Checks.Met ||
			r.ChecksLive || len(r.Checks.Missing) != 3 {
			t.Fatalf("refused = %+v, %v", r, err)
		}
		if ev := e.lastEvent(t); ev.Action != "stage_request.refuse" || servicetest.ChangeMap(t, ev)["status"] != [2]string{`"open"`, `"refused"`} {
			t.Errorf("refuse event %+v", ev)
		}

		// Withdrawn by the requester only.
		r = e.request(t, "SYS-1", "design_and_development", "")
		servicetest.WantCode(t, second(e.svc.WithdrawRequest(e.ctx, e.owner(), r.Ref, lifecycle.DecisionRequest{Version: 1})), aims.CodeForbidden)
		servicetest.WantCode(t, second(e.svc.WithdrawRequest(e.ctx, e.viewer(), r.Ref, lifecycle.DecisionRequest{Version: 1})), aims.CodeForbidden)
		if r, err = e.svc.WithdrawRequest(e.ctx, e.contributor(), r.Ref, lifecycle.DecisionRequest{Version: 1}); err != nil ||
			r.Status != "withdrawn" || r.Checks != nil {
			t.Fatalf("withdrawn = %+v, %v", r, err)
		}
		if e.lastEvent(t).Action != "stage_request.withdraw" {
			t.Errorf("withdraw event %+v", e.lastEvent(t))
		}

		// An override: not by a manager, not without a reason, not when nothing is missing.
		r = e.request(t, "SYS-1", "deployment", "")
		servicetest.Unchanged(t, d, func() {
			err := second(e.svc.OverrideRequest(e.ctx, e.manager(), r.Ref, lifecycle.OverrideRequest{Version: 1, Reason: "Urgent"}))
			if servicetest.WantCode(t, err, aims.CodeForbidden); !strings.Contains(err.Error(), "only an owner") {
				t.Errorf("manager override: %v", err)
			}
			servicetest.WantFields(t, second(e.svc.OverrideRequest(e.ctx, e.owner(), r.Ref, lifecycle.OverrideRequest{Version: 1, Reason: " "})),
				aims.CodeInvalid, "reason")
		})
		r, err = e.svc.OverrideRequest(e.ctx, e.owner(), r.Ref, lifecycle.OverrideRequest{Version: 1,
			Reason: "The regulator's pilot starts Monday; the V&V report follows within a week."})
		if err != nil || r.Status != "approved" || !r.Overridden || r.DecisionNote != "The regulator's pilot starts Monday; the V&V report follows within a week." ||
			r.Checks.Met || len(r.Checks.Missing) != 3 {
			t.Fatalf("overridden = %+v, %v", r, err)
		}
		if e.stageOf(t, "SYS-1") != "deployment" {
			t.Error("the override did not move the system")
		}
		ev := e.lastEvent(t)
		if ch := servicetest.ChangeMap(t, ev); ev.Action != "stage_request.override" || ch["overridden"] != [2]string{"false", "true"} ||
			ch["unmet"][1] != `["An approved model version","A verification and validation record","An approved impact assessment"]` ||
			ch["decision_note"][1] != servicetest.JSONString("The regulator's pilot starts Monday; the V&V report follows within a week.") {
			t.Errorf("override event %s %v", ev.Action, ch)
		}
		if ev := servicetest.Events(t, e.ctx, d, e.org); !strings.HasPrefix(servicetest.ChangeMap(t, ev[len(ev)-2])["reason"][1],
			`"MOVE-3, approved by an owner's override: The regulator`) {
			t.Errorf("the system's event does not give the override: %v", servicetest.ChangeMap(t, ev[len(ev)-2]))
		}

		// Into a stage with nothing missing, an override is refused: approve instead.
		r = e.request(t, "SYS-1", "operation_and_monitoring", "")
		servicetest.WantCode(t, second(e.svc.OverrideRequest(e.ctx, e.owner(), r.Ref, lifecycle.OverrideRequest{Version: 1, Reason: "x"})),
			aims.CodeConflict)
		if r, err = e.svc.ApproveRequest(e.ctx, e.manager(), r.Ref, lifecycle.DecisionRequest{Version: 1}); err != nil || r.Status != "approved" {
			t.Fatalf("approve = %+v, %v", r, err)
		}

		// Archived systems do not move; lists filter by system and status.
		cur, _ := e.systems.Get(e.ctx, e.viewer(), "SYS-1")
		if _, err := e.systems.Archive(e.ctx, e.owner(), cur.Ref); err != nil {
			t.Fatal(err)
		}
		servicetest.WantCode(t, second(e.svc.CreateRequest(e.ctx, e.contributor(), lifecycle.StageRequestCreate{System: "SYS-1",
			To: "retirement", Justification: "x", Plan: "y"})), aims.CodeConflict)
		page, err := e.svc.Requests(e.ctx, e.viewer(), lifecycle.RequestQuery{System: "SYS-1", Status: "approved"})
		if err != nil || page.Total != 2 || page.Items[0].Ref != "MOVE-4" || page.Items[1].Ref != "MOVE-3" || page.Items[0].SystemRef != "SYS-1" {
			t.Fatalf("approved requests = %+v, %v", page, err)
		}
		if page, _ = e.svc.Requests(e.ctx, e.viewer(), lifecycle.RequestQuery{Limit: 2, Offset: 2}); page.Total != 4 || len(page.Items) != 2 ||
			page.Items[0].Ref != "MOVE-2" {
			t.Errorf("second page = %+v", page)
		}
		servicetest.WantFields(t, second(e.svc.Requests(e.ctx, e.viewer(), lifecycle.RequestQuery{Status: "done", Limit: 500, System: "SYS-9"})),
			aims.CodeInvalid, "limit", "status")
		servicetest.WantCode(t, second(e.svc.GetRequest(e.ctx, e.viewer(), "MOVE-9")), aims.CodeNotFound)
	})
}

func ptr[T any](v T) *T { return &v }
