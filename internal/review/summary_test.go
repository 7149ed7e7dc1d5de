package review_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/review"
	"github.com/google/go-cmp/cmp"
)

// TestSummaryAndReminders checks what readiness and the notification
// centre read: a review is due when none was held and eleven months after
// the last sign-off; agreed actions past their due date go to their owners.
func TestSummaryAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sum, err := e.svc.Summary(e.ctx, e.org)
		if err != nil || sum.Held != 0 || sum.LastRef != "" || len(sum.OpenActions) != 0 {
			t.Fatalf("empty summary %+v, %v", sum, err)
		}
		rs, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil || len(rs) != 1 || rs[0].Kind != aims.ReminderReviewDue || rs[0].Key != "review_due:never" || len(rs[0].UserIDs) != 0 ||
			!rs[0].Due.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("reminders with no review %+v, %v", rs, err)
		}

		r := e.draft(t, "Review 2026", "2026-03-02")
		if _, err := e.svc.AddDecision(e.ctx, e.manager(), "MR-1", review.DecisionRequest{Kind: "improvement", Text: "Adopt the audit's opportunities."}); err != nil {
			t.Fatal(err)
		}
		contributor := e.as[aims.RoleContributor]
		for _, due := range []string{"2026-04-30", "2026-06-30"} {
			if _, err := e.svc.AddAction(e.ctx, e.manager(), "MR-1", review.ActionRequest{Description: "Act by " + due, Owner: contributor.UserID, DueOn: due}); err != nil {
				t.Fatal(err)
			}
		}
		// Actions of a draft are proposals: not counted yet.
		if sum, _ := e.svc.Summary(e.ctx, e.org); len(sum.OpenActions) != 0 || !cmp.Equal(sum.Drafts, []string{"MR-1"}) {
			t.Errorf("draft summary %+v", sum)
		}
		if _, err := e.svc.SignOff(e.ctx, e.owner(), "MR-1", review.SignOffRequest{Version: r.Version, HeldOn: "2026-03-02"}); err != nil {
			t.Fatal(err)
		}

		// On 1 May 2026 the first action is a day overdue.
		e.clock.Advance(60 * 24 * time.Hour)
		sum, err = e.svc.Summary(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Held != 1 || sum.LastRef != "MR-1" || !sum.LastSignedOff.Equal(t0) || !cmp.Equal(sum.OpenActions, []string{"MR-1/A1", "MR-1/A2"}) ||
			!cmp.Equal(sum.OverdueActions, []string{"MR-1/A1"}) || len(sum.Drafts) != 0 {
			t.Errorf("summary %+v", sum)
		}
		rs, err = e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		want := []aims.Reminder{{Key: "review_action_overdue:MR-1/A1:2026-04-30", Kind: aims.ReminderActionOverdue, Ref: "MR-1/A1",
			Title: "Management review action MR-1/A1 is overdue: Act by 2026-04-30", Due: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC),
			Link: "/reviews/MR-1#actions", UserIDs: []string{contributor.UserID}}}
		if diff := cmp.Diff(want, rs); diff != "" {
			t.Errorf("reminders on 1 May (-want +got):\n%s", diff)
		}
		a, err := e.svc.GetAction(e.ctx, e.viewer(), "MR-1", 1)
		if err != nil || !a.Overdue {
			t.Fatalf("action %+v, %v", a, err)
		}
		if _, err := e.svc.UpdateAction(e.ctx, e.manager(), "MR-1", 1, review.ActionChange{Version: a.Version, Status: ptr("done"), DoneOn: ptr("2026-04-29")}); err != nil {
			t.Fatal(err)
		}
		a, _ = e.svc.GetAction(e.ctx, e.viewer(), "MR-1", 2)
		if _, err := e.svc.UpdateAction(e.ctx, e.manager(), "MR-1", 2, review.ActionChange{Version: a.Version, Status: ptr("done")}); err != nil {
			t.Fatal(err)
		}

		// Eleven months after the sign-off of 2 March 2026, 09:00, the next review is due: not on 2 February 2027 at 08:00, but at 10:00.
		e.clock.Advance(time.Date(2027, 2, 2, 8, 0, 0, 0, time.UTC).Sub(e.clock.Now()))
		if rs, _ := e.svc.Reminders(e.ctx, e.org); len(rs) != 0 {
			t.Errorf("reminders before due %+v", rs)
		}
		e.clock.Advance(2 * time.Hour)
		rs, _ = e.svc.Reminders(e.ctx, e.org)
		if len(rs) != 1 || rs[0].Key != "review_due:MR-1" || rs[0].Kind != aims.ReminderReviewDue || rs[0].Ref != "MR-1" ||
			!rs[0].Due.Equal(time.Date(2027, 2, 2, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("reminders when due %+v", rs)
		}
	})
}
