package orgcontext_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestApproveCompareAndSummarise approves two versions, checks that they are
// frozen, compares them, and checks the summary and the review reminder
// against dates worked out by hand.
func TestApproveCompareAndSummarise(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.manager()
		incomplete := complete()
		incomplete.Scope.Statement = ""
		dr := e.save(t, incomplete)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Approve(e.ctx, m, orgcontext.ApproveRequest{Version: dr.Version})
			if ae := servicetest.WantCode(t, err, aims.CodeConflict); !strings.Contains(ae.Message, "the scope statement") {
				t.Errorf("refusal says %q", ae.Message)
			}
			_, err = e.svc.Approve(e.ctx, m, orgcontext.ApproveRequest{Version: dr.Version, ReviewMonths: 40})
			servicetest.WantFields(t, err, aims.CodeInvalid, "review_months")
		})
		dr = e.save(t, complete())
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Approve(e.ctx, m, orgcontext.ApproveRequest{Version: dr.Version - 1})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		// Approved on 2 March 2026 with the default 12 months: next review 2 March 2027.
		v1, err := e.svc.Approve(e.ctx, m, orgcontext.ApproveRequest{Version: dr.Version, Note: "First"})
		if err != nil {
			t.Fatal(err)
		}
		if v1.Number != 1 || v1.Ref != "Context v1" || v1.NextReviewOn != "2027-03-02" || v1.ReviewMonths != 12 ||
			v1.ApprovedBy != "Acme manager" || !v1.InForce || !v1.ApprovedAt.Equal(servicetest.T0) {
			t.Errorf("v1 %+v", v1.VersionInfo)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		ch := servicetest.ChangeMap(t, ev)
		if ev.Action != orgcontext.ActionApprove || ev.Object.Ref != "Context v1" || ch["next_review_on"][1] != `"2027-03-02"` ||
			ch["number"][1] != "1" || len(ch["content_sha256"][1]) != 66 {
			t.Errorf("approval event %+v %v", ev, ch)
		}
		if dr, _ := e.svc.Draft(e.ctx, e.viewer()); dr.Changed || dr.InForce != 1 {
			t.Errorf("draft after approval %+v", dr)
		}
		// Approved versions are frozen in the database.
		for _, q := range []string{`UPDATE context_versions SET note = 'x'`, `DELETE FROM context_versions`} {
			if _, err := d.ExecContext(e.ctx, q); err == nil {
				t.Errorf("%s was allowed", q)
			}
		}

		// Version 2, on 31 March 2026, every 11 months: the 28 February 2027.
		e.clock.Advance(29 * 24 * time.Hour)
		next := complete()
		next.ExternalIssues = append(next.ExternalIssues, orgcontext.Issue{Issue: "Energy prices", Effect: "Training costs rise"})
		next.Parties = []orgcontext.Party{{Name: "Customers", Needs: "Fair and explained decisions", Addressed: "Fairness monitoring"}}
		next.Climate = orgcontext.Climate{Decision: orgcontext.ClimateRelevant, Justification: "Energy prices matter"}
		dr = e.save(t, next)
		v2, err := e.svc.Approve(e.ctx, m, orgcontext.ApproveRequest{Version: dr.Version, ReviewMonths: 11})
		if err != nil || v2.Number != 2 || v2.NextReviewOn != "2027-02-28" {
			t.Fatalf("v2 %+v, %v", v2, err)
		}
		if v1, _ := e.svc.Version(e.ctx, e.viewer(), 1); v1.InForce || len(v1.Content.Parties) != 2 {
			t.Errorf("v1 after v2 %+v", v1)
		}
		cmpr, err := e.svc.Compare(e.ctx, e.viewer(), 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, df := range cmpr.Differences {
			texts = append(texts, df.Text)
		}
		want := []string{
			"added the external issue “Energy prices”",
			"changed the interested party “Customers” (needs)",
			"removed the interested party “Regulator”",
			"decided that climate change is a relevant issue",
		}
		if diff := cmp.Diff(want, texts); diff != "" {
			t.Errorf("comparison (-want +got):\n%s", diff)
		}
		if _, err := e.svc.Compare(e.ctx, e.viewer(), 1, 7); aims.CodeOf(err) != aims.CodeNotFound {
			t.Errorf("compare with a missing version: %v", err)
		}

		sum, err := e.svc.Summary(e.ctx, e.org, servicetest.T0)
		if err != nil {
			t.Fatal(err)
		}
		wantSum := &orgcontext.Summary{Version: 2, ApprovedAt: servicetest.T0.Add(29 * 24 * time.Hour), InternalIssues: 1,
			ExternalIssues: 2, Parties: 1, Scope: true, ClimateDecided: true, NextReviewOn: "2027-02-28",
			Changes: []string{"Version 2 (approved 31 March 2026) added the external issue “Energy prices”; " +
				"changed the interested party “Customers” (needs); removed the interested party “Regulator”; " +
				"decided that climate change is a relevant issue."},
			IssueChanges: []string{"Version 2 (approved 31 March 2026) added the external issue “Energy prices”; " +
				"decided that climate change is a relevant issue."},
			PartyChanges: []string{"Version 2 (approved 31 March 2026) changed the interested party “Customers” (needs); " +
				"removed the interested party “Regulator”."}}
		if diff := cmp.Diff(wantSum, sum); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		all, err := e.svc.Summary(e.ctx, e.org, time.Time{})
		if err != nil || len(all.Changes) != 2 ||
			all.Changes[0] != "Version 1 (approved 2 March 2026) was the first approved context: 1 internal issue, 1 external issue and 2 interested parties." {
			t.Errorf("all changes %q, %v", all.Changes, err)
		}

		// The review is due from 29 January 2027, 30 days before 28 February 2027.
		if rs, err := e.svc.Reminders(e.ctx, e.org); err != nil || len(rs) != 0 {
			t.Errorf("reminders now %+v, %v", rs, err)
		}
		e.clock.Advance(time.Date(2027, 1, 28, 12, 0, 0, 0, time.UTC).Sub(e.clock.Now()))
		if rs, _ := e.svc.Reminders(e.ctx, e.org); len(rs) != 0 {
			t.Errorf("reminders on 28 January 2027 %+v", rs)
		}
		e.clock.Advance(24 * time.Hour)
		rs, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil || len(rs) != 1 {
			t.Fatalf("reminders on 29 January 2027 %+v, %v", rs, err)
		}
		r := rs[0]
		if r.Kind != aims.ReminderReviewDue || r.Ref != "Context v2" || r.Link != "/context" || len(r.UserIDs) != 0 ||
			!r.Due.Equal(time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)) || !strings.Contains(r.Title, "is due for review on 28 February 2027") {
			t.Errorf("reminder %+v", r)
		}
		e.clock.Advance(60 * 24 * time.Hour)
		if rs, _ := e.svc.Reminders(e.ctx, e.org); len(rs) != 1 || rs[0].Key != r.Key || !strings.Contains(rs[0].Title, "was due") {
			t.Errorf("overdue reminder %+v", rs)
		}
		if s, _ := e.svc.Summary(e.ctx, e.org, time.Time{}); !s.ReviewDue {
			t.Error("summary does not say the review is due")
		}
	})
}

// TestAddMonths checks calendar arithmetic against dates worked out by hand.
func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-03-02", 12, "2027-03-02"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-03-31", 11, "2027-02-28"},
		{"2026-11-15", 3, "2027-02-15"},
	} {
		from, _ := time.Parse(orgcontext.DateLayout, tc.from)
		if got := orgcontext.AddMonths(from.Add(15*time.Hour), tc.months).Format(orgcontext.DateLayout); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}
