package nonconformity_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/nonconformity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestRaise raises a nonconformity with its requirements and systems, within
// a caller's transaction too, and refuses bad fields naming each.
func TestRaise(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys, err := e.systems.Create(e.ctx, e.owner(), aisystem.CreateRequest{Name: "Scorer", IntendedPurpose: "Score"})
		if err != nil {
			t.Fatal(err)
		}
		n := e.raise(t, nonconformity.CreateRequest{Title: " Training records missing ", Source: "audit", SourceRef: "IA-1/F2",
			Severity: "major", Clauses: []string{"7.2", "7.2"}, Controls: []string{"A.6.2.4"}, Systems: []string{"sys-1"}})
		if n.Ref != "NC-1" || n.Title != "Training records missing" || n.Status != nonconformity.StatusOpen || n.Version != 1 ||
			n.OwnerID != e.contributor().UserID || !cmp.Equal(n.Clauses, []string{"7.2"}) ||
			!cmp.Equal(n.Systems, []nonconformity.SystemInfo{{ID: sys.ID, Ref: "SYS-1"}}) {
			t.Fatalf("raised %+v", n)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); got[len(got)-1] != "nonconformity.create" {
			t.Errorf("last action %v", got)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ch := servicetest.ChangeMap(t, ev); ch["source_ref"][1] != `"IA-1/F2"` || ch["severity"][1] != `"major"` {
			t.Errorf("audit changes %v", ch)
		}

		// CreateTx stores with the caller's other rows, or not at all.
		servicetest.Unchanged(t, d, func() {
			err := d.WithTx(e.ctx, func(tx *db.Tx) error {
				if _, err := e.svc.CreateTx(e.ctx, tx, e.contributor(), nonconformity.CreateRequest{Title: "x", Source: "incident", Severity: "minor"}); err != nil {
					return err
				}
				return aims.Errorf(aims.CodeConflict, "the caller gives up")
			})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		var in *nonconformity.Nonconformity
		if err := d.WithTx(e.ctx, func(tx *db.Tx) error {
			in, err = e.svc.CreateTx(e.ctx, tx, e.contributor(), nonconformity.CreateRequest{Title: "Late notice", Source: "incident", SourceRef: "INC-1", Severity: "minor"})
			return err
		}); err != nil || in.Ref != "NC-2" {
			t.Fatalf("CreateTx = %+v, %v", in, err)
		}

		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Create(e.ctx, e.contributor(), nonconformity.CreateRequest{Title: "", Source: "gossip", Severity: "huge",
				Clauses: []string{"99.9"}, Controls: []string{"A.99"}, Systems: []string{"SYS-9"}, OwnerID: "nobody"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "clauses", "controls", "owner_id", "severity", "source", "systems", "title")
		})
	})
}

// TestPermissions lets editors raise and handle, only leads check and close, and no one see another organisation's.
func TestPermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		req := nonconformity.CreateRequest{Title: "Gap", Source: "other", Severity: "minor"}
		for role, want := range map[aims.Role]aims.Code{aims.RoleAuditor: aims.CodeForbidden, aims.RoleViewer: aims.CodeForbidden} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.Create(e.ctx, e.as[role], req)
				servicetest.WantCode(t, err, want)
			})
		}
		for _, role := range []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor} {
			if _, err := e.svc.Create(e.ctx, e.as[role], req); err != nil {
				t.Errorf("%s: %v", role, err)
			}
		}
		_, err := e.svc.Create(e.ctx, nil, req)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)

		a, err := e.svc.AddAction(e.ctx, e.contributor(), "NC-1", nonconformity.ActionRequest{Description: "Fix", OwnerID: e.contributor().UserID, DueOn: "2026-03-10"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateAction(e.ctx, e.contributor(), "NC-1", a.Number, nonconformity.ActionUpdate{Version: 1, Status: ptr("done")}); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddCheck(e.ctx, e.contributor(), "NC-1", nonconformity.CheckRequest{Effective: true})
			servicetest.WantCode(t, err, aims.CodeForbidden)
		})

		globex := e.member(t, "Globex", "owner@globex.example", aims.RoleOwner)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Get(e.ctx, globex, "NC-1")
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Update(e.ctx, globex, "NC-1", nonconformity.UpdateRequest{Version: 3, Title: ptr("Mine")})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.AddAction(e.ctx, globex, "NC-1", nonconformity.ActionRequest{Description: "x", OwnerID: globex.UserID, DueOn: "2026-03-10"})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Close(e.ctx, globex, "NC-1", nonconformity.CloseRequest{Version: 3})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		if p, err := e.svc.List(e.ctx, globex, nonconformity.Query{}); err != nil || p.Total != 0 {
			t.Errorf("Globex lists %+v, %v", p, err)
		}
	})
}

// TestHandling takes a nonconformity from open through planned and
// verifying, back to planned after an ineffective check, and to closed.
func TestHandling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n := e.raise(t, nonconformity.CreateRequest{Title: "Model shipped without evaluation", Source: "monitoring", Severity: "major"})
		c := e.contributor()
		if _, err := e.svc.Update(e.ctx, c, n.Ref, nonconformity.UpdateRequest{Version: 1, Correction: ptr("Rolled back to 1.2"),
			RootCause: ptr("The release checklist has no evaluation step"), RCAMethod: ptr("five whys"), Similar: ptr("The chat model uses the same checklist")}); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, c, n.Ref, nonconformity.UpdateRequest{Version: 1, Title: ptr("Stale")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.Close(e.ctx, e.manager(), n.Ref, nonconformity.CloseRequest{Version: 2})
			servicetest.WantFields(t, err, aims.CodeInvalid, "status")
			_, err = e.svc.AddAction(e.ctx, c, n.Ref, nonconformity.ActionRequest{Description: " ", OwnerID: "x", DueOn: "10/03/2026"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "description", "due_on", "owner_id")
		})
		a1, err := e.svc.AddAction(e.ctx, c, n.Ref, nonconformity.ActionRequest{Description: "Add an evaluation step", OwnerID: e.manager().UserID, DueOn: "2026-03-09"})
		if err != nil || a1.Ref != "NC-1/A1" {
			t.Fatalf("action %+v, %v", a1, err)
		}
		if _, err := e.svc.AddAction(e.ctx, c, n.Ref, nonconformity.ActionRequest{Description: "Check the chat model", OwnerID: c.UserID, DueOn: "2026-03-20"}); err != nil {
			t.Fatal(err)
		}
		if got := e.get(t, n.Ref); got.Status != nonconformity.StatusPlanned || got.Version != 4 || len(got.Actions) != 2 {
			t.Fatalf("after planning %+v", got)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddCheck(e.ctx, e.manager(), n.Ref, nonconformity.CheckRequest{Effective: true})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		// A week later (2026-03-09 09:00) A1 is due today, not overdue; a day later it is.
		e.clock.Advance(7 * 24 * time.Hour)
		if rs, _ := e.svc.Reminders(e.ctx, e.org); len(rs) != 0 {
			t.Errorf("reminders on the due day: %+v", rs)
		}
		e.clock.Advance(24 * time.Hour)
		rs, err := e.svc.Reminders(e.ctx, e.org)
		want := []aims.Reminder{{Key: "nc-action:" + a1.ID + ":2026-03-09", Kind: aims.ReminderActionOverdue, Ref: "NC-1/A1",
			Title: "Corrective action NC-1/A1 was due on 2026-03-09: Add an evaluation step", Due: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC),
			Link: "/nonconformities/NC-1", UserIDs: []string{e.manager().UserID}}}
		if err != nil || !cmp.Equal(want, rs) {
			t.Errorf("reminders: %v\n%s", err, cmp.Diff(want, rs))
		}
		if sum, err := e.svc.Summary(e.ctx, e.org, time.Time{}); err != nil || sum.Open != 1 || sum.Major != 1 || sum.Raised != 1 ||
			!cmp.Equal(sum.ActionsOverdue, []string{"NC-1/A1"}) {
			t.Errorf("summary %+v, %v", sum, err)
		}

		for i := 1; i <= 2; i++ {
			if _, err := e.svc.UpdateAction(e.ctx, c, n.Ref, i, nonconformity.ActionUpdate{Version: 1, Status: ptr("done"), Note: ptr("Done")}); err != nil {
				t.Fatal(err)
			}
		}
		got := e.get(t, n.Ref)
		if got.Status != nonconformity.StatusVerifying || got.Actions[0].DoneOn != "2026-03-10" || got.Actions[0].Overdue {
			t.Fatalf("after doing the actions %+v", got)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddCheck(e.ctx, e.manager(), n.Ref, nonconformity.CheckRequest{Effective: false})
			servicetest.WantFields(t, err, aims.CodeInvalid, "notes")
		})
		if _, err := e.svc.AddCheck(e.ctx, e.manager(), n.Ref, nonconformity.CheckRequest{Effective: false, Notes: "The chat model still ships unevaluated"}); err != nil {
			t.Fatal(err)
		}
		got = e.get(t, n.Ref)
		if got.Status != nonconformity.StatusPlanned || got.ReplanReason != "The chat model still ships unevaluated" {
			t.Fatalf("after the ineffective check %+v", got)
		}
		a3, err := e.svc.AddAction(e.ctx, c, n.Ref, nonconformity.ActionRequest{Description: "Gate the chat release", OwnerID: c.UserID, DueOn: "2026-03-31"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateAction(e.ctx, c, n.Ref, a3.Number, nonconformity.ActionUpdate{Version: 1, Status: ptr("done"), DoneOn: ptr("2026-03-10")}); err != nil {
			t.Fatal(err)
		}
		chk, err := e.svc.AddCheck(e.ctx, e.owner(), n.Ref, nonconformity.CheckRequest{Effective: true, Evidence: []string{"EV-3"}, CheckedOn: "2026-03-10"})
		if err != nil || chk.Ref != "NC-1/E2" || chk.ActionsChecked != 3 {
			t.Fatalf("check %+v, %v", chk, err)
		}
		got = e.get(t, n.Ref)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Close(e.ctx, c, n.Ref, nonconformity.CloseRequest{Version: got.Version})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Close(e.ctx, e.manager(), n.Ref, nonconformity.CloseRequest{Version: got.Version, AIMSChangeNeeded: true})
			servicetest.WantFields(t, err, aims.CodeInvalid, "aims_change")
		})
		closed, err := e.svc.Close(e.ctx, e.manager(), n.Ref, nonconformity.CloseRequest{Version: got.Version, AIMSChangeNeeded: true, AIMSChange: "Add evaluation to the release procedure"})
		if err != nil || closed.Status != nonconformity.StatusClosed || closed.ClosedAt == nil || !closed.ClosedAt.Equal(servicetest.T0.Add(8*24*time.Hour)) {
			t.Fatalf("closed %+v, %v", closed, err)
		}
		wantActions := []string{"nonconformity.create", "nonconformity.update", "corrective_action.create", "corrective_action.create",
			"corrective_action.update", "corrective_action.update", "effectiveness_check.create", "corrective_action.create",
			"corrective_action.update", "effectiveness_check.create", "nonconformity.close"}
		all := servicetest.Actions(t, e.ctx, d, e.org)
		if diff := cmp.Diff(wantActions, all[len(all)-len(wantActions):]); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
		if rs, _ := e.svc.Reminders(e.ctx, e.org); len(rs) != 0 {
			t.Errorf("reminders after closing: %+v", rs)
		}
		if sum, _ := e.svc.Summary(e.ctx, e.org, servicetest.T0.Add(time.Hour)); sum.Raised != 0 || sum.Closed != 1 || sum.Open != 0 {
			t.Errorf("summary since %+v", sum)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddAction(e.ctx, c, n.Ref, nonconformity.ActionRequest{Description: "More", OwnerID: c.UserID, DueOn: "2026-04-01"})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		if h, err := e.svc.History(e.ctx, e.viewer(), n.Ref); err != nil || len(h) != len(wantActions) {
			t.Errorf("history has %d events, %v", len(h), err)
		}
	})
}
