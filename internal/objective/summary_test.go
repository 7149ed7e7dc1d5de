package objective_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/objective"
	"github.com/google/go-cmp/cmp"
)

// TestSummaryAndReminders checks where each indicator stands and what is
// due on Monday 2 March 2026, against dates worked out by hand; the
// reminder horizon is seven days on, 9 March.
func TestSummaryAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.objective(t, "Explain decisions")
		ind := func(name, cadence, starts string, target objective.IndicatorTarget) *objective.Indicator {
			return e.indicator(t, "OBJ-1", objective.IndicatorRequest{Name: name, Target: target, Cadence: cadence, Method: "m", StartsOn: starts})
		}
		// I1: monthly, last value 96 for 2026-01-31: due 2026-02-28, overdue, on target.
		i1 := ind("Explained", "monthly", "2025-12-31", atLeast(95))
		e.measure(t, "OBJ-1", 1, 96, "2026-01-31")
		// I2: quarterly from 2025-12-05, never measured: due 2026-03-05, within the week.
		i2 := ind("Complaints", "quarterly", "2025-12-05", objective.IndicatorTarget{Kind: "at_most", Max: ptr(2.0)})
		// I3: yearly, 1.3 for 2025-06-30: due 2026-06-30, off target.
		ind("Ratio", "yearly", "2025-01-01", objective.IndicatorTarget{Kind: "between", Min: ptr(0.8), Max: ptr(1.25)})
		e.measure(t, "OBJ-1", 3, 1.3, "2025-06-30")
		// I4: retired, long overdue: left out.
		ind("Old", "monthly", "2020-01-01", atLeast(1))
		if _, err := e.svc.UpdateIndicator(e.ctx, e.manager(), "OBJ-1", 4, objective.IndicatorUpdate{Version: 1, Status: ptr("retired")}); err != nil {
			t.Fatal(err)
		}
		// I5: monthly, 2026-02-09: due 2026-03-09, the last day of the horizon.
		i5 := ind("Edge", "monthly", "2026-01-01", atLeast(1))
		e.measure(t, "OBJ-1", 5, 1, "2026-02-09")
		// I6: monthly, 2026-02-10: due 2026-03-10, a day beyond it.
		ind("Beyond", "monthly", "2026-01-01", atLeast(1))
		e.measure(t, "OBJ-1", 6, 1, "2026-02-10")
		// OBJ-2 is withdrawn, with an overdue indicator: left out.
		e.objective(t, "Dropped")
		e.indicator(t, "OBJ-2", objective.IndicatorRequest{Name: "x", Target: atLeast(1), Cadence: "monthly", Method: "m", StartsOn: "2020-01-01"})
		if _, err := e.svc.SetStatus(e.ctx, e.manager(), "OBJ-2", objective.ObjectiveStatusRequest{Version: 1, Status: "withdrawn", Note: "n"}); err != nil {
			t.Fatal(err)
		}
		// Another organisation's objective is not Acme's.
		out := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		req := validObjective("Theirs")
		req.Owner = "otto@other.example"
		if _, err := e.svc.Create(e.ctx, out, req); err != nil {
			t.Fatal(err)
		}

		sum, err := e.svc.Summary(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		st := func(ref, name, target string, measured bool, latest float64, on string, onTarget, due bool, next string) objective.IndicatorStatus {
			return objective.IndicatorStatus{ObjectiveRef: "OBJ-1", Objective: "Explain decisions", Ref: ref, Name: name, Target: target,
				Measured: measured, Latest: latest, MeasuredOn: on, OnTarget: onTarget, Due: due, NextDueOn: next}
		}
		want := &objective.Summary{Objectives: 1, Indicators: []objective.IndicatorStatus{
			st("OBJ-1/I1", "Explained", "at least 95", true, 96, "2026-01-31", true, true, "2026-02-28"),
			st("OBJ-1/I2", "Complaints", "at most 2", false, 0, "", false, false, "2026-03-05"),
			st("OBJ-1/I3", "Ratio", "between 0.8 and 1.25", true, 1.3, "2025-06-30", false, false, "2026-06-30"),
			st("OBJ-1/I5", "Edge", "at least 1", true, 1, "2026-02-09", true, false, "2026-03-09"),
			st("OBJ-1/I6", "Beyond", "at least 1", true, 1, "2026-02-10", true, false, "2026-03-10"),
		}}
		if diff := cmp.Diff(want, sum); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}

		rs, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		day := func(s string) time.Time { tm, _ := time.Parse(time.DateOnly, s); return tm }
		owner := []string{e.manager().UserID}
		wantR := []aims.Reminder{
			{Key: "objective_indicator:" + i1.ID + ":2026-02-28", Kind: aims.ReminderReviewDue, Ref: "OBJ-1/I1", Due: day("2026-02-28"),
				Title: "Record a value of OBJ-1/I1 Explained (Explain decisions), due 2026-02-28", Link: "/objectives/OBJ-1#indicator-1", UserIDs: owner},
			{Key: "objective_indicator:" + i2.ID + ":2026-03-05", Kind: aims.ReminderReviewDue, Ref: "OBJ-1/I2", Due: day("2026-03-05"),
				Title: "Record a value of OBJ-1/I2 Complaints (Explain decisions), due 2026-03-05", Link: "/objectives/OBJ-1#indicator-2", UserIDs: owner},
			{Key: "objective_indicator:" + i5.ID + ":2026-03-09", Kind: aims.ReminderReviewDue, Ref: "OBJ-1/I5", Due: day("2026-03-09"),
				Title: "Record a value of OBJ-1/I5 Edge (Explain decisions), due 2026-03-09", Link: "/objectives/OBJ-1#indicator-5", UserIDs: owner},
		}
		if diff := cmp.Diff(wantR, rs); diff != "" {
			t.Errorf("reminders (-want +got):\n%s", diff)
		}

		// Recording March's value for I1 moves its due date to 2026-03-31
		// (the end of March, as the value was for the end of February) and
		// gives its reminder a new key.
		e.measure(t, "OBJ-1", 1, 97, "2026-02-28")
		rs, _ = e.svc.Reminders(e.ctx, e.org)
		if len(rs) != 2 || rs[0].Ref != "OBJ-1/I2" {
			t.Errorf("after measuring I1: %+v", rs)
		}
		e.clock.Advance(29 * 24 * time.Hour) // 2026-03-31
		rs, _ = e.svc.Reminders(e.ctx, e.org)
		var keys []string
		for _, r := range rs {
			keys = append(keys, r.Ref+" "+r.Due.Format(time.DateOnly))
		}
		if diff := cmp.Diff([]string{"OBJ-1/I1 2026-03-31", "OBJ-1/I2 2026-03-05", "OBJ-1/I5 2026-03-09", "OBJ-1/I6 2026-03-10"}, keys); diff != "" {
			t.Errorf("reminders on 2026-03-31 (-want +got):\n%s", diff)
		}
		if other, err := e.svc.Summary(e.ctx, out.OrgID); err != nil || other.Objectives != 1 || len(other.Indicators) != 0 {
			t.Errorf("the other organisation's summary %+v, %v", other, err)
		}
	})
}
