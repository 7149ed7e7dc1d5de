package risk_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// TestDue: a risk is due for review when its review date has passed or
// when a system it concerns changed its purpose, class or stage after the
// risk was assessed; a rename is no reason.
func TestDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		hiringSys := e.system(t, "Hiring screening")
		chat := e.system(t, "Chat assistant")
		e.system(t, "Unrelated")
		r1 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}, OwnerID: e.manager().UserID}), 4, 4)
		r2 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Wrong advice", Systems: []string{"SYS-2", "SYS-1"}}), 1, 1)
		e.create(t, risk.CreateRequest{Title: "Not assessed", Systems: []string{"SYS-1"}})
		due, err := e.svc.Due(e.ctx, e.viewer())
		if err != nil || len(due.Risks) != 0 || len(due.Actions) != 0 {
			t.Fatalf("nothing due yet: %+v %v", due, err)
		}

		// A day later: the chat assistant is renamed (no reason), and the hiring
		// system's intended purpose changes (a reason for both its assessed risks).
		e.clock.Advance(24 * time.Hour)
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-2", aisystem.UpdateRequest{Version: chat.Version, Name: ptr("Chat helper")}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-1", aisystem.UpdateRequest{Version: hiringSys.Version,
			IntendedPurpose: ptr("Rank applicants and reject the lowest automatically")}); err != nil {
			t.Fatal(err)
		}
		changedAt := t0.Add(25 * time.Hour)
		want := []risk.DueRisk{
			{ID: r1.ID, Ref: "RISK-1", Title: "Unfair ranking", OwnerID: e.manager().UserID, OwnerName: "Max Manager", NextReview: "2026-04-01",
				Reasons: []risk.DueReason{{Kind: "system_changed", SystemRef: "SYS-1", Field: "intended_purpose", ChangedAt: &changedAt,
					Text: "the intended purpose of SYS-1 Hiring screening changed on 2026-03-03, after the risk was last assessed on 2026-03-02"}}},
			{ID: r2.ID, Ref: "RISK-2", Title: "Wrong advice", NextReview: "2027-03-02",
				Reasons: []risk.DueReason{{Kind: "system_changed", SystemRef: "SYS-1", Field: "intended_purpose", ChangedAt: &changedAt,
					Text: "the intended purpose of SYS-1 Hiring screening changed on 2026-03-03, after the risk was last assessed on 2026-03-02"}}},
		}
		due, err = e.svc.Due(e.ctx, e.viewer())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, due.Risks); diff != "" {
			t.Errorf("due after the purpose change (-want +got):\n%s", diff)
		}
		// Reassessing RISK-2 answers the change; the rename never was a reason.
		e.clock.Advance(time.Hour)
		e.assess(t, e.get(t, "RISK-2"), 1, 1)
		due, _ = e.svc.Due(e.ctx, e.viewer())
		if len(due.Risks) != 1 || due.Risks[0].Ref != "RISK-1" {
			t.Errorf("after reassessing RISK-2: %+v", due.Risks)
		}
		// A change of the class of SYS-2 after that is named; a move to another
		// stage, made through a gated stage-move request, is not a reason.
		e.clock.Advance(time.Hour)
		cur, _ := e.systems.Get(e.ctx, e.owner(), "SYS-2")
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-2", aisystem.UpdateRequest{Version: cur.Version, EUAIActClass: ptr("limited")}); err != nil {
			t.Fatal(err)
		}
		if err := d.WithTx(e.ctx, func(tx *db.Tx) error {
			return e.systems.SetStageTx(e.ctx, tx, e.manager(), chat.ID, "inception", "deployment", "MOVE-1: Ready")
		}); err != nil {
			t.Fatal(err)
		}
		due, _ = e.svc.Due(e.ctx, e.viewer())
		if len(due.Risks) != 2 || len(due.Risks[1].Reasons) != 1 || due.Risks[1].Reasons[0].Field != "eu_ai_act_class" {
			t.Errorf("after the class and stage change: %+v", due.Risks)
		}

		// A month on, RISK-1's review date (30 days, critical) has passed too,
		// and an open action is overdue; a done one is not.
		e.clock.Advance(31 * 24 * time.Hour)
		r1 = e.get(t, "RISK-1")
		r1, err = e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Audit", OwnerID: e.manager().UserID,
			DueDate: "2026-03-20", Version: r1.Version})
		if err != nil {
			t.Fatal(err)
		}
		r1, err = e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Done already", DueDate: "2026-03-10", Version: r1.Version})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateAction(e.ctx, e.contributor(), "RISK-1", 2, risk.UpdateActionRequest{Status: ptr("done"), Version: r1.Version}); err != nil {
			t.Fatal(err)
		}
		due, _ = e.svc.Due(e.ctx, e.viewer())
		if rs := due.Risks[0].Reasons; len(rs) != 2 || rs[0] != (risk.DueReason{Kind: "review_date", Text: "the next review was due on 2026-04-01"}) {
			t.Errorf("RISK-1 reasons: %+v", rs)
		}
		wantActions := []risk.DueAction{{RiskRef: "RISK-1", RiskTitle: "Unfair ranking", Number: 1, Description: "Audit",
			OwnerID: e.manager().UserID, OwnerName: "Max Manager", DueDate: "2026-03-20"}}
		if diff := cmp.Diff(wantActions, due.Actions); diff != "" {
			t.Errorf("overdue actions (-want +got):\n%s", diff)
		}
		// Closed risks are never due.
		if _, err := e.svc.Close(e.ctx, e.contributor(), "RISK-1", risk.CloseRequest{Reason: "Retired", Version: e.get(t, "RISK-1").Version}); err != nil {
			t.Fatal(err)
		}
		due, _ = e.svc.Due(e.ctx, e.viewer())
		if len(due.Risks) != 1 || due.Risks[0].Ref != "RISK-2" || len(due.Actions) != 0 {
			t.Errorf("after closing RISK-1: %+v", due)
		}
	})
}

// TestDueAfterSignificantChange: a significant change of a system,
// approved after a risk was assessed, makes the risk due with the change
// named, as the life cycle records it; assessing the risk again answers it.
func TestDueAfterSignificantChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		sys := e.system(t, "Hiring screening")
		e.system(t, "Chat assistant")
		e.assess(t, e.create(t, risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}}), 2, 2)
		e.assess(t, e.create(t, risk.CreateRequest{Title: "Wrong advice", Systems: []string{"SYS-2"}}), 2, 2)
		e.clock.Advance(26 * time.Hour)
		if err := d.WithTx(e.ctx, func(tx *db.Tx) error {
			return e.logs.Record(e.ctx, tx, e.org, e.manager(), "ai_system.significant_change",
				tlog.EventObject{Type: "ai_system", ID: sys.ID, Ref: sys.Ref},
				[]tlog.Change{{Field: "significant_change", Before: []byte(`""`), After: []byte(`"CR-3: New ranking model"`)}})
		}); err != nil {
			t.Fatal(err)
		}
		due, err := e.svc.Due(e.ctx, e.viewer())
		if err != nil {
			t.Fatal(err)
		}
		at := t0.Add(26 * time.Hour)
		want := []risk.DueReason{{Kind: "system_changed", SystemRef: "SYS-1", Field: "significant_change", ChangedAt: &at,
			Text: "a significant change was approved: CR-3 New ranking model (SYS-1 Hiring screening, on 2026-03-03, after the risk was last assessed on 2026-03-02)"}}
		if len(due.Risks) != 1 || due.Risks[0].Ref != "RISK-1" {
			t.Fatalf("due = %+v", due.Risks)
		}
		if diff := cmp.Diff(want, due.Risks[0].Reasons); diff != "" {
			t.Errorf("reasons (-want +got):\n%s", diff)
		}
		e.clock.Advance(time.Hour)
		e.assess(t, e.get(t, "RISK-1"), 2, 2)
		if due, _ = e.svc.Due(e.ctx, e.viewer()); len(due.Risks) != 0 {
			t.Errorf("still due after assessing again: %+v", due.Risks)
		}
	})
}

func TestSnapshotAndControls(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		s, err := e.svc.Snapshot(e.ctx, e.org)
		if err != nil || !cmp.Equal(s, &risk.Snapshot{}) {
			t.Fatalf("empty snapshot = %+v, %v", s, err)
		}
		e.setCriteria(t, fourByFour())
		e.system(t, "Hiring screening")
		// RISK-1: critical, untreated. RISK-2: critical, treated to high. RISK-3: high, accepted by the owner.
		// RISK-4: low. RISK-5: not assessed. RISK-6: closed.
		e.assess(t, e.create(t, risk.CreateRequest{Title: "One"}), 4, 4)
		r2 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Two"}), 4, 4)
		e.treat(t, r2, risk.TreatmentRequest{Option: "modify", Controls: []string{"A.9.3", "A.6.2.4"}, ResidualLikelihood: 3, ResidualImpact: 3})
		r3 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Three"}), 3, 3)
		r3 = e.treat(t, r3, risk.TreatmentRequest{Option: "retain", Controls: []string{"A.9.3"}, ResidualLikelihood: 3, ResidualImpact: 3})
		if _, err := e.svc.Accept(e.ctx, e.owner(), "RISK-3", risk.AcceptRequest{AboveAppetiteConfirmed: true, AboveAppetiteReason: "Known",
			Version: r3.Version}); err != nil {
			t.Fatal(err)
		}
		e.assess(t, e.create(t, risk.CreateRequest{Title: "Four"}), 1, 1)
		e.create(t, risk.CreateRequest{Title: "Five"})
		r6 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Six"}), 4, 4)
		r6 = e.treat(t, r6, risk.TreatmentRequest{Option: "avoid", Controls: []string{"A.5.2"}})
		if _, err := e.svc.Close(e.ctx, e.contributor(), "RISK-6", risk.CloseRequest{Reason: "Avoided", Version: r6.Version}); err != nil {
			t.Fatal(err)
		}
		s, err = e.svc.Snapshot(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		want := &risk.Snapshot{Criteria: &risk.CriteriaInfo{Version: 1, CreatedAt: t0}, Risks: 5, Assessed: 4, AboveAppetiteUntreated: 1,
			WithTreatment: 2}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("snapshot (-want +got):\n%s", diff)
		}
		// 31 days on, the critical risks' reviews are overdue.
		e.clock.Advance(31 * 24 * time.Hour)
		if s, _ = e.svc.Snapshot(e.ctx, e.org); s.OverdueReviews != 2 {
			t.Errorf("overdue reviews = %d, want 2", s.OverdueReviews)
		}

		// The SoA's link: the risks of each control, closed ones left out.
		m, err := e.svc.RisksForControls(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		wantM := map[string][]risk.RiskRef{"A.9.3": {{Ref: "RISK-2", Title: "Two"}, {Ref: "RISK-3", Title: "Three"}},
			"A.6.2.4": {{Ref: "RISK-2", Title: "Two"}}}
		if diff := cmp.Diff(wantM, m); diff != "" {
			t.Errorf("risks for controls (-want +got):\n%s", diff)
		}

		// The overview: heat maps of the current criteria and the gaps.
		o, err := e.svc.Overview(e.ctx, e.viewer())
		if err != nil {
			t.Fatal(err)
		}
		count := func(m *risk.HeatMap, l, i int) int { return m.Cells[l-1][i-1].Count }
		if count(o.Inherent, 4, 4) != 2 || count(o.Inherent, 3, 3) != 1 || count(o.Inherent, 1, 1) != 1 || o.Inherent.Total != 4 ||
			o.Inherent.Unrated != 1 || o.Residual.Total != 2 || count(o.Residual, 3, 3) != 2 || o.Residual.Unrated != 3 ||
			o.Inherent.Cells[3][3].Level != "critical" || o.Inherent.Cells[3][3].Colour != "#c62828" {
			t.Errorf("heat maps = %+v / %+v", o.Inherent, o.Residual)
		}
		if len(o.Systems) != 1 || o.Systems[0].Risks != 0 || o.WithoutSystem != 5 || o.Open != 5 ||
			!cmp.Equal(o.WithoutControls, []risk.RiskRef{{Ref: "RISK-1", Title: "One"}, {Ref: "RISK-4", Title: "Four"}, {Ref: "RISK-5", Title: "Five"}}) ||
			len(o.ControlsUnlinked) != 36 || o.ControlsUnlinked[0].ID != "A.2.2" {
			t.Errorf("overview = %+v", o)
		}
		// New criteria leave the old ratings off the maps.
		req := fourByFour()
		req.Version = 1
		req.Levels[0].Name, req.Matrix[0][0], req.Matrix[0][1], req.Matrix[1][0] = "minimal", "minimal", "minimal", "minimal"
		e.setCriteria(t, req)
		o, _ = e.svc.Overview(e.ctx, e.viewer())
		if o.Inherent.Total != 0 || o.Inherent.OlderCriteria != 4 || o.Inherent.Cells[0][0].Level != "minimal" {
			t.Errorf("after new criteria: %+v", o.Inherent)
		}
		_, err = e.svc.Overview(e.ctx, &aims.Actor{})
		if aims.CodeOf(err) != aims.CodeUnauthenticated {
			t.Errorf("anonymous overview: %v", err)
		}
	})
}
