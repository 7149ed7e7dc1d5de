package notify_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/aims-dev/aims/internal/servicetest"
)

func TestSweepTellsEachPersonOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		contributor := e.as[aims.RoleContributor]
		other := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		forContributor := aims.Reminder{Key: "risk-action:RISK-1:1:2026-03-01", Kind: aims.ReminderActionOverdue, Ref: "RISK-1",
			Title: "Treatment action 1 of RISK-1 was due on 2026-03-01", Due: t0.AddDate(0, 0, -1), Link: "/risks/RISK-1",
			UserIDs: []string{contributor.UserID, other.UserID, "nobody"}}
		e.remind(e.org, evidenceDue("EV-1", "2026-03-20"), forContributor)

		// Owners and managers hear of EV-1; only the contributor, a member, of the action.
		if r := e.sweep(t); r.Notifications != 3 {
			t.Errorf("first sweep made %d notifications, want 3", r.Notifications)
		}
		for i := 0; i < 2; i++ {
			if r := e.sweep(t); r.Notifications != 0 {
				t.Errorf("sweep %d again made %d notifications", i+2, r.Notifications)
			}
		}
		want := map[aims.Role][]string{aims.RoleOwner: {"EV-1"}, aims.RoleManager: {"EV-1"}, aims.RoleContributor: {"RISK-1"},
			aims.RoleAuditor: nil, aims.RoleViewer: nil}
		for role, refs := range want {
			in := e.inbox(t, e.as[role])
			var got []string
			for _, n := range in.Items {
				got = append(got, n.Ref)
			}
			if len(got) != len(refs) || (len(refs) > 0 && got[0] != refs[0]) || in.Unread != len(refs) {
				t.Errorf("%s has %v (%d unread), want %v", role, got, in.Unread, refs)
			}
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM notifications WHERE org_id <> ?`, e.org); n != 0 {
			t.Errorf("another organisation's member got %d notifications", n)
		}

		// A new validity date is a new key: one more notification each.
		e.clock.Advance(24 * time.Hour)
		e.remind(e.org, evidenceDue("EV-1", "2026-03-20"), evidenceDue("EV-1", "2026-03-27"), forContributor)
		if r := e.sweep(t); r.Notifications != 2 {
			t.Errorf("a changed due date made %d notifications, want 2", r.Notifications)
		}
		in := e.inbox(t, e.owner())
		if len(in.Items) != 2 || in.Items[0].Due.Format(time.DateOnly) != "2026-03-20" || in.Items[1].Due.Format(time.DateOnly) != "2026-03-27" {
			t.Errorf("owner's inbox after the change: %+v", in.Items)
		}
	})
}

func TestSweepIgnoresMalformedReminders(t *testing.T) {
	e := newEnv(t, dbtest.New(t, db.SQLite))
	e.remind(e.org,
		aims.Reminder{Kind: aims.ReminderReviewDue, Title: "no key"},
		aims.Reminder{Key: "k1", Kind: "birthday", Title: "unknown kind"},
		aims.Reminder{Key: "k2", Kind: aims.ReminderReviewDue, Title: "  "},
		aims.Reminder{Key: "k3", Kind: aims.ReminderReviewDue, Title: "Two\r\nlines", Link: "https://evil.example/"},
		aims.Reminder{Key: "k3", Kind: aims.ReminderReviewDue, Title: "the same key again"})
	if r := e.sweep(t); r.Notifications != 2 {
		t.Fatalf("made %d notifications, want 2 (k3 for the owner and the manager)", r.Notifications)
	}
	n := e.inbox(t, e.owner()).Items[0]
	if n.Title != "Two lines" || n.Link != "" {
		t.Errorf("title %q and link %q: want one line and no link off the site", n.Title, n.Link)
	}
}

// TestConcurrentSweeps runs two sweeps at once, as two replicas would:
// each person hears of each reminder once, and gets one e-mail.
func TestConcurrentSweeps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.fakes.smtp = notify.SMTP{Host: "mail.invalid", Port: 25, From: "aims@acme.example", TLS: "none"}
		var rs []aims.Reminder
		for i := 1; i <= 30; i++ {
			rs = append(rs, evidenceDue(fmt.Sprintf("EV-%d", i), "2026-03-20"))
		}
		e.remind(e.org, rs...)
		var wg sync.WaitGroup
		results := make([]notify.SweepResult, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.svc.Sweep(e.ctx)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := results[0].Notifications + results[1].Notifications; got != 60 {
			t.Errorf("the two sweeps made %d notifications together, want 30 × 2 people = 60", got)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM notifications`); n != 60 {
			t.Errorf("%d notifications stored, want 60", n)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM notification_emails`); n != 2 {
			t.Errorf("%d e-mails queued, want one digest each for the owner and the manager", n)
		}
	})
}
