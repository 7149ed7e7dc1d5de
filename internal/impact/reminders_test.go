package impact_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/google/go-cmp/cmp"
)

// TestReminders turns each reason an approved assessment is due into a
// reminder: a change of its system, then its review date a year after approval.
func TestReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		a := e.readyFRIA(t, "SYS-1")
		e.submit(t, a.Ref, "")
		e.approve(t, a.Ref, "")
		if got, err := e.svc.Reminders(e.ctx, e.org); err != nil || len(got) != 0 {
			t.Fatalf("nothing due after approval: %+v %v", got, err)
		}
		e.clock.Advance(time.Hour)
		at := e.clock.Now()
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-1", aisystem.UpdateRequest{Version: sys.Version,
			IntendedPurpose: ptr("Rank applicants automatically")}); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		reason := e.get(t, a.Ref).DueReasons[0].Text
		want := []aims.Reminder{{Key: "impact:" + a.ID + ":system_change:intended_purpose:" + at.Format(time.RFC3339Nano), Kind: "review_due", Ref: a.Ref,
			Title: "Impact assessment " + a.Ref + " " + a.Title + " (SYS-1) is due for review: " + reason, Due: at, Link: "/impact/assessments/" + a.Ref}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after the change (-want +got):\n%s", diff)
		}
		// The review date is a year after approval: 2 March 2027, 365 days on (2026 is no leap year).
		e.clock.Advance(365 * 24 * time.Hour)
		got, err = e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Key != "impact:"+a.ID+":review_date:2027-03-02" || !got[0].Due.Equal(time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("a year on: %+v", got)
		}
	})
}
