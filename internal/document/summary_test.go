package document_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/document"
	"github.com/google/go-cmp/cmp"
)

// reminderLines words reminders as "kind ref user-email due key-suffix", sorted.
func reminderLines(t *testing.T, e *env, rs []aims.Reminder) []string {
	t.Helper()
	emails := map[string]string{}
	for _, a := range e.as {
		emails[a.UserID] = a.Email
	}
	var out []string
	for _, r := range rs {
		if len(r.UserIDs) != 1 {
			t.Errorf("reminder %+v is not for one person", r)
			continue
		}
		out = append(out, r.Kind+" "+r.Ref+" "+emails[r.UserIDs[0]]+" "+r.Due.Format("2006-01-02")+" "+r.Link)
	}
	sort.Strings(out)
	return out
}

// TestSummaryAndReminders sums up the documents and lists the reviews due
// and the acknowledgements people owe, again for a new version.
func TestSummaryAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		s, err := e.svc.Summary(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&document.Summary{ReviewsOverdue: []string{}, Addresses: map[string][]string{}}, s); diff != "" {
			t.Errorf("empty summary (-want +got):\n%s", diff)
		}
		e.policy(t, true)
		e.create(t, document.CreateRequest{Title: "Procedure", Kind: "procedure", OwnerID: e.manager().UserID, ReviewMonths: 1,
			Distribution: []string{"manager", "contributor"}, Text: "Do it.", Clauses: []string{"7.4"}})
		e.approve(t, "DOC-2")
		e.create(t, document.CreateRequest{Title: "Draft only", Kind: "other"})
		e.create(t, document.CreateRequest{Title: "Withdrawn", Kind: "record", Text: "x"})
		e.approve(t, "DOC-4")
		if _, err := e.svc.Archive(e.ctx, e.owner(), "DOC-4", document.ArchiveRequest{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Acknowledge(e.ctx, e.viewer(), "DOC-1", document.AcknowledgeRequest{Number: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Acknowledge(e.ctx, e.manager(), "DOC-2", document.AcknowledgeRequest{Number: 1}); err != nil {
			t.Fatal(err)
		}
		s, err = e.svc.Summary(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		want := &document.Summary{Documents: 3, Approved: 2, Policy: &document.PolicyInfo{Ref: "DOC-1", Title: "AI policy", Version: 1, ApprovedAt: t0},
			ReviewsOverdue: []string{}, AcknowledgementsRequired: 7, Acknowledged: 2,
			Addresses: map[string][]string{"5.2": {"DOC-1"}, "A.2.2": {"DOC-1"}, "7.4": {"DOC-2"}}}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}

		rs, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		ack := "acknowledgement_pending "
		wantLines := []string{
			ack + "DOC-1 auditor@acme.example 2026-03-02 /documents/DOC-1/versions/1",
			ack + "DOC-1 contributor@acme.example 2026-03-02 /documents/DOC-1/versions/1",
			ack + "DOC-1 manager@acme.example 2026-03-02 /documents/DOC-1/versions/1",
			ack + "DOC-1 owner@acme.example 2026-03-02 /documents/DOC-1/versions/1",
			ack + "DOC-2 contributor@acme.example 2026-03-02 /documents/DOC-2/versions/1",
		}
		if diff := cmp.Diff(wantLines, reminderLines(t, e, rs)); diff != "" {
			t.Errorf("reminders (-want +got):\n%s", diff)
		}
		keys := map[string]bool{}
		for _, r := range rs {
			if keys[r.Key] || !strings.Contains(r.Key, ":v1:") {
				t.Errorf("key %q repeated or without the version", r.Key)
			}
			keys[r.Key] = true
		}

		// A few days on, DOC-2's review (2 April) is within 30 days; its owner hears of it.
		e.clock.Advance(5 * 24 * time.Hour)
		rs, err = e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		var review []aims.Reminder
		for _, r := range rs {
			if r.Kind == aims.ReminderReviewDue {
				review = append(review, r)
			}
		}
		if len(review) != 1 || review[0].Ref != "DOC-2" || review[0].UserIDs[0] != e.manager().UserID ||
			review[0].Due.Format("2006-01-02") != "2026-04-02" || !strings.Contains(review[0].Key, "2026-04-02") ||
			review[0].Title != "Review DOC-2 Procedure by 2026-04-02" {
			t.Errorf("review reminders %+v", review)
		}
		// Past the date it is overdue; reviewed without change, it falls due a month later, with a new key.
		e.clock.Advance(30 * 24 * time.Hour)
		if s, _ := e.svc.Summary(e.ctx, e.org); !cmp.Equal(s.ReviewsOverdue, []string{"DOC-2"}) {
			t.Errorf("overdue %v", s.ReviewsOverdue)
		}
		rs, _ = e.svc.Reminders(e.ctx, e.org)
		for _, r := range rs {
			if r.Kind == aims.ReminderReviewDue && !strings.HasPrefix(r.Title, "The review of DOC-2 Procedure is overdue since 2026-04-02") {
				t.Errorf("overdue reminder %q", r.Title)
			}
		}
		if _, err := e.svc.Review(e.ctx, e.manager(), "DOC-2", document.ReviewRequest{}); err != nil {
			t.Fatal(err)
		}
		// A new version of the AI policy reminds everyone again, with a new key.
		if _, err := e.svc.StartDraft(e.ctx, e.contributor(), "DOC-1", document.DraftRequest{Text: ptr("Version two")}); err != nil {
			t.Fatal(err)
		}
		e.approve(t, "DOC-1")
		rs, err = e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rs {
			if r.Kind == aims.ReminderReviewDue && (r.Ref != "DOC-2" || !strings.HasSuffix(r.Key, ":2026-05-06") || r.Title != "Review DOC-2 Procedure by 2026-05-06") {
				t.Errorf("review reminder %+v", r)
			}
			if r.Ref == "DOC-1" {
				n++
				if keys[r.Key] || !strings.Contains(r.Key, ":v2:") {
					t.Errorf("version 2 reminds with key %q", r.Key)
				}
			}
		}
		if n != 5 {
			t.Errorf("%d people are reminded of version 2, want all 5", n)
		}
	})
}
