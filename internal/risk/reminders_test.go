package risk_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/google/go-cmp/cmp"
)

// TestReminders turns what Due finds into reminders for the owners of
// risks and actions, with keys and dates worked out by hand.
func TestReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		sys := e.system(t, "Hiring screening")
		r1 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}, OwnerID: e.manager().UserID}), 4, 4)
		r2 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Wrong advice", Systems: []string{"SYS-1"}}), 1, 1)
		if got, err := e.svc.Reminders(e.ctx, e.org); err != nil || len(got) != 0 {
			t.Fatalf("nothing due yet: %+v %v", got, err)
		}
		e.clock.Advance(24 * time.Hour)
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-1", aisystem.UpdateRequest{Version: sys.Version,
			IntendedPurpose: ptr("Rank applicants automatically")}); err != nil {
			t.Fatal(err)
		}
		changed := t0.Add(24 * time.Hour)
		text := "the intended purpose of SYS-1 Hiring screening changed on 2026-03-03, after the risk was last assessed on 2026-03-02"
		key := ":system_changed:SYS-1:intended_purpose:2026-03-03T09:00:00Z"
		want := []aims.Reminder{
			{Key: "risk:" + r1.ID + key, Kind: "review_due", Ref: "RISK-1", Title: "RISK-1 Unfair ranking is due for review: " + text,
				Due: changed, Link: "/risks/RISK-1", UserIDs: []string{e.manager().UserID}},
			{Key: "risk:" + r2.ID + key, Kind: "review_due", Ref: "RISK-2", Title: "RISK-2 Wrong advice is due for review: " + text,
				Due: changed, Link: "/risks/RISK-2"},
		}
		got, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("after the purpose change (-want +got):\n%s", diff)
		}
		// A month on, RISK-1's review date (30 days after 2 March: 1 April) has passed, and its action is overdue.
		e.clock.Advance(31 * 24 * time.Hour)
		if _, err := e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Audit", OwnerID: e.as[aims.RoleContributor].UserID,
			DueDate: "2026-03-20", Version: e.get(t, "RISK-1").Version}); err != nil {
			t.Fatal(err)
		}
		got, err = e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]aims.Reminder{}
		for _, r := range got {
			byKey[r.Key] = r
		}
		review := byKey["risk:"+r1.ID+":review_date:2026-04-01"]
		if review.Title != "RISK-1 Unfair ranking is due for review: the next review was due on 2026-04-01" ||
			!review.Due.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) || !cmp.Equal(review.UserIDs, []string{e.manager().UserID}) {
			t.Errorf("review date reminder %+v", review)
		}
		action := byKey["risk-action:RISK-1:1:2026-03-20"]
		if action.Kind != "action_overdue" || action.Title != "Treatment action 1 of RISK-1 was due on 2026-03-20: Audit" ||
			!cmp.Equal(action.UserIDs, []string{e.as[aims.RoleContributor].UserID}) || action.Link != "/risks/RISK-1" {
			t.Errorf("action reminder %+v", action)
		}
		if len(got) != 4 {
			t.Errorf("%d reminders, want 2 changes, 1 review date and 1 action: %+v", len(got), got)
		}
	})
}
