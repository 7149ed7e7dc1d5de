package evidence_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/google/go-cmp/cmp"
)

// TestReminders checks the reminders of expiring evidence against dates
// worked out by hand: today is 2 March 2026, so "expiring" means a last
// valid day up to 1 April 2026.
func TestReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		soon := e.note(t, "Bias review", "", "2026-03-20")
		edge := e.note(t, "Pen test", "", "2026-04-01")
		e.note(t, "Far away", "", "2026-04-02")
		e.note(t, "Forever", "", "")
		other := e.member(t, "Globex", "o@globex.example", "Globex owner", aims.RoleOwner)
		if _, err := e.svc.Add(e.ctx, other, evidence.AddRequest{Kind: "note", Title: "Globex card", Note: "N", ValidUntil: "2026-03-05"}); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		want := []aims.Reminder{
			{Key: "evidence:" + soon.ID + ":2026-03-20", Kind: "evidence_expiring", Ref: soon.Ref, Title: soon.Ref + " Bias review is valid until 2026-03-20",
				Due: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), Link: "/evidence/" + soon.Ref},
			{Key: "evidence:" + edge.ID + ":2026-04-01", Kind: "evidence_expiring", Ref: edge.Ref, Title: edge.Ref + " Pen test is valid until 2026-04-01",
				Due: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Link: "/evidence/" + edge.Ref},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("reminders (-want +got):\n%s", diff)
		}
		// Three weeks on, the first has expired: same key, so it is not told again; the title says so.
		e.advanceDays(21)
		got, err = e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Key != want[0].Key || got[0].Title != soon.Ref+" Bias review stopped being valid after 2026-03-20" {
			t.Errorf("after three weeks: %+v", got)
		}
	})
}
