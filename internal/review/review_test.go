package review_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/review"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestReviewStory plans a review, checks its inputs fill themselves in from
// the sources, records a decision and actions, signs it off as the chair and
// checks the record is frozen, in the service and in the database.
func TestReviewStory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.manager()

		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Create(e.ctx, m, review.Request{Title: " ", PlannedOn: "2026-13-01", Chair: "contributor@acme.example",
				Attendees: []string{"nobody@acme.example"}, HeldOn: "2099-01-01"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "attendees", "chair", "held_on", "planned_on", "title")
		})
		r, err := e.svc.Create(e.ctx, m, review.Request{Title: " Management review 2026 ", PlannedOn: "2026-03-20", Chair: "OWNER@acme.example",
			Attendees: []string{"manager@acme.example", e.manager().UserID, " "}, Guests: []string{" Jane   Roe (consultant) ", ""}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Ref != "MR-1" || r.Title != "Management review 2026" || r.Status != review.StatusDraft || r.Version != 1 ||
			r.Chair.Email != "owner@acme.example" || len(r.Attendees) != 1 || r.Attendees[0].Email != "manager@acme.example" ||
			!cmp.Equal(r.Guests, []string{"Jane Roe (consultant)"}) || r.PeriodFrom != "" {
			t.Errorf("created %+v", r)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != review.ActionCreate || ev.Object.Ref != "MR-1" || ev.Actor.Label != "manager@acme.example" {
			t.Errorf("event %+v", ev)
		}

		// The inputs are compiled live: with no context approved, 9.3.2 b) and c) are missing and say why.
		in := r.Inputs
		if got := in.MissingRequired(); !cmp.Equal(got, []string{"Changes in external and internal issues",
			"Changes in the needs and expectations of interested parties", "Monitoring and measurement results", "Audit results"}) {
			t.Errorf("missing %v", got)
		}
		if s := section(t, in, "issues"); s.Present || !strings.Contains(s.Missing, "context") || s.Clause != "9.3.2 b)" {
			t.Errorf("issues %+v", s)
		}
		if s := section(t, in, "previous_actions"); !s.Present || s.Facts[0] != "No earlier signed-off management review has actions to follow up." {
			t.Errorf("previous actions %+v", s)
		}
		e.fakes.context = review.ContextState{Version: 2, ApprovedAt: t0.AddDate(0, -1, 0), InternalIssues: 3, ExternalIssues: 1, Parties: 4,
			IssueChanges: []string{"Added external issue: EU AI Act obligations"}, PartyChanges: []string{"Added interested party: national regulator"}}
		e.fakes.objectives = review.ObjectiveState{Objectives: 1, Indicators: []review.Indicator{
			{ObjectiveRef: "OBJ-1", Objective: "Fair lending", Name: "Approval rate gap", Target: "at most 0.05", Measured: true, Latest: 0.03, MeasuredOn: "2026-02-28", OnTarget: true},
			{ObjectiveRef: "OBJ-1", Objective: "Fair lending", Name: "Complaints", Target: "at most 2", Measured: true, Latest: 5, MeasuredOn: "2026-02-28", Due: true}}}
		e.fakes.ncs = review.NonconformityState{Raised: 3, Closed: 1, Open: 4, ActionsOverdue: []string{"NC-2/A1"}}
		e.fakes.audits = review.AuditState{Programme: true, Planned: 1, Completed: 2, LastReportedOn: "2026-02-10",
			Findings: map[string]int{"minor": 2, "opportunity": 3}}
		e.fakes.concerns = review.ConcernState{Reported: 2, Open: 1, OldestOpen: t0.AddDate(0, 0, -10)}
		e.fakes.risks = review.RiskState{CriteriaVersion: 1, Open: 5, Assessed: 4, Treated: 3, AboveAppetiteUntreated: 1}
		r, err = e.svc.Get(e.ctx, e.viewer(), "mr-1")
		if err != nil {
			t.Fatal(err)
		}
		in = r.Inputs
		if got := in.MissingRequired(); got != nil {
			t.Errorf("still missing %v", got)
		}
		wantFacts := map[string][]string{
			"issues": {"Context version 2, approved on 2026-02-02, lists 3 internal issues and 1 external issue.",
				"Added external issue: EU AI Act obligations"},
			"parties": {"Context version 2 lists 4 interested parties.", "Added interested party: national regulator"},
			"nonconformities": {"3 nonconformities raised and 1 closed since the start; 4 open now.",
				"Trend: more were raised than closed in the period; the open number grows.", "1 corrective action is overdue: NC-2/A1."},
			"monitoring": {"1 objective with 2 indicators: 1 on target, 1 off target, 0 not measured yet; 1 due for measurement.",
				"OBJ-1 Fair lending, Approval rate gap (target at most 0.05): 0.03 on 2026-02-28, on target.",
				"OBJ-1 Fair lending, Complaints (target at most 2): 5 on 2026-02-28, off target."},
			"audits": {"2 audits reported since the start (latest report on 2026-02-10); 1 planned.",
				"Findings: 0 major, 2 minor, 0 observation, 3 opportunity."},
			"improvement": {"3 opportunities for improvement raised by internal audits since the start.", "1 reported concern is not answered yet.",
				"0 incidents are open, 0 of them serious."},
			"risks": {"5 risks not closed: 4 assessed, 3 with a treatment chosen.",
				"1 above the appetite without treatment or acceptance; 0 due for review; 0 treatment actions overdue."},
			"concerns": {"2 concerns reported and 0 answered since the start; 1 open.", "The oldest open concern was reported on 2026-02-20."},
		}
		for key, want := range wantFacts {
			if diff := cmp.Diff(want, section(t, in, key).Facts); diff != "" {
				t.Errorf("%s facts (-want +got):\n%s", key, diff)
			}
		}
		if s := section(t, in, "documents"); s.Present || s.Missing != "No approved AI policy (5.2) is in force." {
			t.Errorf("documents %+v", s)
		}

		// Decisions and actions.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddDecision(e.ctx, m, "MR-1", review.DecisionRequest{Kind: "wish", Text: " "})
			servicetest.WantFields(t, err, aims.CodeInvalid, "kind", "text")
			_, err = e.svc.AddAction(e.ctx, m, "MR-1", review.ActionRequest{Description: "x", Owner: "ghost@acme.example", DueOn: "soon"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "due_on", "owner")
		})
		dec, err := e.svc.AddDecision(e.ctx, m, "MR-1", review.DecisionRequest{Kind: "resources", Text: "Fund a second fairness reviewer."})
		if err != nil || dec.Ref != "MR-1/D1" {
			t.Fatalf("decision = %+v, %v", dec, err)
		}
		act, err := e.svc.AddAction(e.ctx, m, "MR-1", review.ActionRequest{Description: "Hire a fairness reviewer", Owner: "contributor@acme.example", DueOn: "2026-04-30"})
		if err != nil || act.Ref != "MR-1/A1" || act.Owner.Email != "contributor@acme.example" || act.Overdue || act.Status != review.ActionOpen {
			t.Fatalf("action = %+v, %v", act, err)
		}
		late, err := e.svc.AddAction(e.ctx, m, "MR-1", review.ActionRequest{Description: "Temporary", Owner: "manager@acme.example", DueOn: "2026-03-01"})
		if err != nil || late.Ref != "MR-1/A2" || !late.Overdue {
			t.Fatalf("late action = %+v, %v", late, err)
		}
		if err := e.svc.RemoveAction(e.ctx, m, "MR-1", 2, 1); err != nil {
			t.Fatal(err)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-4:], []string{"review_decision.create", "review_action.create",
			"review_action.create", "review_action.remove"}) {
			t.Errorf("actions %v", got)
		}

		// Only the chair signs off, once the meeting date and a decision are recorded.
		r, _ = e.svc.Get(e.ctx, m, "MR-1")
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SignOff(e.ctx, m, "MR-1", review.SignOffRequest{Version: r.Version, HeldOn: "2026-03-02"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.SignOff(e.ctx, e.viewer(), "MR-1", review.SignOffRequest{Version: r.Version})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.SignOff(e.ctx, e.owner(), "MR-1", review.SignOffRequest{Version: r.Version})
			servicetest.WantFields(t, err, aims.CodeInvalid, "held_on")
			_, err = e.svc.SignOff(e.ctx, e.owner(), "MR-1", review.SignOffRequest{Version: r.Version + 3, HeldOn: "2026-03-02"})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		r, err = e.svc.SignOff(e.ctx, e.owner(), "MR-1", review.SignOffRequest{Version: r.Version, HeldOn: "2026-03-02"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != review.StatusSignedOff || r.HeldOn != "2026-03-02" || r.SignedOffBy == nil || r.SignedOffBy.Email != "owner@acme.example" ||
			r.SignedOffAt == nil || !r.SignedOffAt.Equal(t0) || r.Version != 2 {
			t.Errorf("signed off %+v", r)
		}
		ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if ch["status"] != [2]string{`"draft"`, `"signed_off"`} || len(ch["inputs_sha256"][1]) != 66 || ch["decisions"][1] != "1" {
			t.Errorf("sign-off changes %v", ch)
		}

		// The record shows what management saw, whatever changes later.
		e.fakes.context.Version, e.fakes.ncs.Raised = 3, 9
		r, _ = e.svc.Get(e.ctx, e.viewer(), "MR-1")
		if got := section(t, r.Inputs, "issues").Facts[0]; !strings.HasPrefix(got, "Context version 2,") {
			t.Errorf("frozen issues say %q", got)
		}
		if !r.Inputs.CompiledAt.Equal(t0) {
			t.Errorf("compiled at %v", r.Inputs.CompiledAt)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, m, "MR-1", review.Update{Version: 2, Title: ptr("Changed")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.AddDecision(e.ctx, m, "MR-1", review.DecisionRequest{Kind: "change", Text: "Late"})
			servicetest.WantCode(t, err, aims.CodeConflict)
			servicetest.WantCode(t, e.svc.RemoveDecision(e.ctx, m, "MR-1", 1), aims.CodeConflict)
			_, err = e.svc.AddAction(e.ctx, m, "MR-1", review.ActionRequest{Description: "Late", Owner: "manager@acme.example", DueOn: "2026-05-01"})
			servicetest.WantCode(t, err, aims.CodeConflict)
			servicetest.WantCode(t, e.svc.RemoveAction(e.ctx, m, "MR-1", 1, 1), aims.CodeConflict)
			_, err = e.svc.UpdateAction(e.ctx, m, "MR-1", 1, review.ActionChange{Version: 1, Description: ptr("Hire two"), DueOn: ptr("2026-06-30")})
			servicetest.WantFields(t, err, aims.CodeConflict, "description", "due_on")
			_, err = e.svc.SignOff(e.ctx, e.owner(), "MR-1", review.SignOffRequest{Version: 2})
			servicetest.WantCode(t, err, aims.CodeConflict)
			// The database refuses too, whatever the service does.
			for _, stmt := range []string{`UPDATE management_reviews SET title = 'x'`, `DELETE FROM management_reviews`,
				`UPDATE review_decisions SET text = 'x'`, `DELETE FROM review_decisions`,
				`UPDATE review_actions SET description = 'x'`, `UPDATE review_actions SET due_on = '2030-01-01'`, `DELETE FROM review_actions`} {
				if _, err := d.ExecContext(e.ctx, stmt); err == nil {
					t.Errorf("%s was allowed on a signed-off review", stmt)
				}
			}
		})
		// The follow-up of an action goes on.
		a, err := e.svc.UpdateAction(e.ctx, m, "MR-1", 1, review.ActionChange{Version: 1, Status: ptr(review.ActionDone),
			Description: ptr("Hire a fairness reviewer")})
		if err != nil || a.Status != review.ActionDone || a.DoneOn != "2026-03-02" || a.Version != 2 {
			t.Fatalf("done = %+v, %v", a, err)
		}
		if ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); !cmp.Equal(ch, map[string][2]string{
			"status": {`"open"`, `"done"`}, "done_on": {`""`, `"2026-03-02"`}}) {
			t.Errorf("follow-up changes %v", ch)
		}

		// The next review covers the period since this sign-off and follows up its actions.
		e.clock.Advance(24 * time.Hour)
		next := e.draft(t, "Management review 2027", "2027-02-15")
		if next.Ref != "MR-2" || next.PeriodFrom != "2026-03-02" || next.Inputs.PeriodFrom != "2026-03-02" || !e.fakes.since.Equal(t0) {
			t.Errorf("next review %s from %q (inputs %q), sources asked since %v", next.Ref, next.PeriodFrom, next.Inputs.PeriodFrom, e.fakes.since)
		}
		if diff := cmp.Diff([]string{"1 action from earlier reviews: 1 done, 0 open, 0 of them overdue.",
			"MR-1/A1 Hire a fairness reviewer (owner Acme contributor, due 2026-04-30): done on 2026-03-02."},
			section(t, next.Inputs, "previous_actions").Facts); diff != "" {
			t.Errorf("previous actions (-want +got):\n%s", diff)
		}
		hist, err := e.svc.History(e.ctx, e.viewer(), "MR-1")
		if err != nil || len(hist) != 7 || hist[0].Action != review.ActionActionUpdate || hist[len(hist)-1].Action != review.ActionCreate {
			t.Errorf("history %d events, %v", len(hist), err)
		}
		list, err := e.svc.List(e.ctx, e.viewer())
		if err != nil || len(list) != 2 || list[0].Ref != "MR-2" || list[1].Inputs != nil {
			t.Errorf("list %+v, %v", list, err)
		}

		// Another organisation sees none of it.
		globex := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		_, err = e.svc.Get(e.ctx, globex, "MR-1")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		servicetest.Unchanged(t, d, func() {
			_, err = e.svc.AddDecision(e.ctx, globex, "MR-2", review.DecisionRequest{Kind: "change", Text: "x"})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.UpdateAction(e.ctx, globex, "MR-1", 1, review.ActionChange{Version: 2, Status: ptr("open")})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		if list, _ := e.svc.List(e.ctx, globex); len(list) != 0 {
			t.Errorf("Globex lists %d reviews", len(list))
		}
	})
}
