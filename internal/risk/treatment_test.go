package risk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

func TestAssess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		r := e.create(t, hiring(""))
		// Without criteria nothing can be assessed.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Assess(e.ctx, e.contributor(), "RISK-1", risk.AssessRequest{Likelihood: 1, Impact: 1, Version: 1})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		e.setCriteria(t, fourByFour())
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Assess(e.ctx, e.contributor(), "RISK-1", risk.AssessRequest{Likelihood: 5, Impact: 0, NextReview: day(-1), Version: 1})
			servicetest.WantFields(t, err, aims.CodeInvalid, "impact", "likelihood", "next_review")
			_, err = e.svc.Assess(e.ctx, e.contributor(), "RISK-1", risk.AssessRequest{Likelihood: 1, Impact: 1, NextReview: "1 April", Version: 1})
			servicetest.WantFields(t, err, aims.CodeInvalid, "next_review")
			_, err = e.svc.Assess(e.ctx, e.viewer(), "RISK-1", risk.AssessRequest{Likelihood: 1, Impact: 1, Version: 1})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Assess(e.ctx, e.contributor(), "RISK-1", risk.AssessRequest{Likelihood: 1, Impact: 1, Version: 7})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		a := e.assess(t, r, 3, 4)
		want := &risk.Rating{Likelihood: 3, Impact: 4, LikelihoodLabel: "Likely", ImpactLabel: "Severe", Level: "critical", Colour: "#c62828", Rank: 4}
		if diff := cmp.Diff(want, a.Inherent); diff != "" {
			t.Errorf("inherent (-want +got):\n%s", diff)
		}
		// Critical is reviewed every 30 days.
		if a.Status != "assessed" || a.CriteriaVersion != 1 || a.CurrentCriteriaVersion != 1 || a.OlderCriteria || !a.AboveAppetite ||
			a.Appetite != "medium" || a.NextReview != "2026-04-01" || !a.AssessedAt.Equal(t0) || a.AssessedByName != "Carla Contributor" ||
			a.Version != 2 {
			t.Errorf("assessed = %+v", a)
		}
		wantCh := map[string][2]string{
			"criteria_version": {"0", "1"}, "likelihood": {"0", "3"}, "impact": {"0", "4"}, "inherent_level": {`""`, `"critical"`},
			"next_review": {`""`, `"2026-04-01"`}, "assessed_at": {"null", servicetest.JSONTime(t0)}, "status": {`"identified"`, `"assessed"`},
		}
		ev := e.lastEvent(t)
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "risk.assess" {
			t.Errorf("%s changes (-want +got):\n%s", ev.Action, diff)
		}
		// A chosen review date; a low level's default of a year.
		e.clock.Advance(24 * time.Hour)
		a, err := e.svc.Assess(e.ctx, e.contributor(), "RISK-1", risk.AssessRequest{Likelihood: 3, Impact: 4, NextReview: "2026-03-10", Version: 2})
		if err != nil || a.NextReview != "2026-03-10" || !a.AssessedAt.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("reassessed = %+v, %v", a, err)
		}
		low := e.assess(t, e.create(t, risk.CreateRequest{Title: "Minor"}), 1, 1)
		if low.Inherent.Level != "low" || low.NextReview != "2027-03-03" || low.AboveAppetite {
			t.Errorf("low = %+v", low)
		}

		// New criteria: the risk shows it was assessed under the older ones; a
		// new assessment uses the new ones and clears the residual rating.
		a = e.treat(t, a, risk.TreatmentRequest{Option: "modify", ResidualLikelihood: 2, ResidualImpact: 2})
		req := fourByFour()
		req.Version, req.Appetite = 1, "high"
		e.setCriteria(t, req)
		a = e.get(t, "RISK-1")
		if !a.OlderCriteria || a.CriteriaVersion != 1 || a.CurrentCriteriaVersion != 2 || a.Appetite != "medium" || a.Treatment.Residual == nil {
			t.Errorf("under older criteria = %+v", a)
		}
		a = e.assess(t, a, 3, 3)
		if a.OlderCriteria || a.CriteriaVersion != 2 || a.Inherent.Level != "high" || a.AboveAppetite || a.Treatment.Residual != nil ||
			a.Treatment.Option != "modify" || a.Status != "treated" {
			t.Errorf("under new criteria = %+v", a)
		}
		wantCh = map[string][2]string{
			"criteria_version": {"1", "2"}, "impact": {"4", "3"}, "inherent_level": {`"critical"`, `"high"`},
			"next_review": {`"2026-03-10"`, `"2026-06-01"`}, "assessed_at": {"null", servicetest.JSONTime(t0.Add(24 * time.Hour))},
			"residual_likelihood": {"2", "0"}, "residual_impact": {"2", "0"}, "residual_level": {`"medium"`, `""`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, e.lastEvent(t))); diff != "" {
			t.Errorf("reassessment changes (-want +got):\n%s", diff)
		}
	})
}

func TestTreatmentAndActions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		e.system(t, "Hiring screening")
		r := e.create(t, hiring(""))
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetTreatment(e.ctx, e.contributor(), "RISK-1", risk.TreatmentRequest{Option: "modify", Version: 1})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.SetTreatment(e.ctx, e.contributor(), "RISK-1", risk.TreatmentRequest{Option: "modify", ResidualLikelihood: 1, Version: 1})
			servicetest.WantFields(t, err, aims.CodeInvalid, "residual_likelihood")
		})
		r = e.assess(t, r, 3, 4)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetTreatment(e.ctx, e.contributor(), "RISK-1", risk.TreatmentRequest{Option: "ignore", Plan: strings.Repeat("p", 10001),
				Controls: []string{"A.9.3", "A.99", "ctl-9"}, ResidualLikelihood: 5, ResidualImpact: 0, Version: 2})
			servicetest.WantFields(t, err, aims.CodeInvalid, "controls", "option", "plan", "residual_impact", "residual_likelihood")
			if ae := aims.AsError(err); ae.Fields[0].Message != "must name Annex A controls or the organisation's own: A.99, CTL-9 is not one" {
				t.Errorf("controls message %q", ae.Fields[0].Message)
			}
		})
		r = e.treat(t, r, risk.TreatmentRequest{Option: "modify", Plan: "Audit the ranking for bias before each release.",
			Controls: []string{"a.9.3", "A.6.2.4", "A.9.3"}, ResidualLikelihood: 2, ResidualImpact: 2})
		tr := r.Treatment
		if tr.Option != "modify" || tr.PlanVersion != 1 || r.Status != "treated" || r.AboveAppetite ||
			!cmp.Equal(tr.Controls, []risk.ControlInfo{{ID: "A.6.2.4", Title: "AI system verification and validation"},
				{ID: "A.9.3", Title: "Objectives for responsible use of AI system"}}) ||
			tr.Residual.Level != "medium" || tr.Residual.Rank != 2 {
			t.Errorf("treated = %+v", r)
		}
		wantCh := map[string][2]string{
			"option": {`""`, `"modify"`}, "plan": {`""`, js("Audit the ranking for bias before each release.")},
			"controls": {`[]`, `["A.6.2.4","A.9.3"]`}, "residual_likelihood": {"0", "2"}, "residual_impact": {"0", "2"},
			"residual_level": {`""`, `"medium"`}, "plan_version": {"0", "1"}, "status": {`"assessed"`, `"treated"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, e.lastEvent(t))); diff != "" {
			t.Errorf("treatment changes (-want +got):\n%s", diff)
		}
		// The same treatment again changes nothing; the residual rating alone
		// does not change the plan; the controls do.
		servicetest.Unchanged(t, d, func() {
			again := e.treat(t, r, risk.TreatmentRequest{Option: "modify", Plan: "Audit the ranking for bias before each release.",
				Controls: []string{"A.9.3", "A.6.2.4"}, ResidualLikelihood: 2, ResidualImpact: 2})
			if again.Version != r.Version {
				t.Errorf("a no-op treatment made version %d", again.Version)
			}
		})
		r = e.treat(t, r, risk.TreatmentRequest{Option: "modify", Plan: "Audit the ranking for bias before each release.",
			Controls: []string{"A.9.3", "A.6.2.4"}, ResidualLikelihood: 1, ResidualImpact: 2})
		if r.Treatment.PlanVersion != 1 || r.Treatment.Residual.Level != "low" {
			t.Errorf("residual only: plan v%d, %+v", r.Treatment.PlanVersion, r.Treatment.Residual)
		}
		r = e.treat(t, r, risk.TreatmentRequest{Option: "modify", Plan: "Audit the ranking for bias before each release.",
			Controls: []string{"A.9.3"}, ResidualLikelihood: 1, ResidualImpact: 2})
		if r.Treatment.PlanVersion != 2 || len(r.Treatment.Controls) != 1 {
			t.Errorf("controls: plan v%d", r.Treatment.PlanVersion)
		}

		// Actions: adding one changes the plan.
		manager := e.manager()
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: " ", OwnerID: aims.NewID(),
				DueDate: "2026-02-30", Version: r.Version})
			servicetest.WantFields(t, err, aims.CodeInvalid, "description", "due_date", "owner_id")
		})
		r, err := e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Run a bias audit",
			OwnerID: manager.UserID, DueDate: day(30), Version: r.Version})
		if err != nil {
			t.Fatal(err)
		}
		wantAction := risk.Action{Number: 1, Description: "Run a bias audit", OwnerID: manager.UserID, OwnerName: "Max Manager",
			DueDate: "2026-04-01", Status: "open", CreatedAt: t0, UpdatedAt: t0}
		if r.Treatment.PlanVersion != 3 || !cmp.Equal(r.Treatment.Actions, []risk.Action{wantAction}) {
			t.Errorf("after adding: plan v%d, %+v", r.Treatment.PlanVersion, r.Treatment.Actions)
		}
		wantCh = map[string][2]string{"action": {"null", "1"}, "description": {"null", js("Run a bias audit")},
			"owner_id": {"null", js(manager.UserID)}, "due_date": {"null", `"2026-04-01"`}, "action_status": {"null", `"open"`},
			"plan_version": {"2", "3"}}
		ev := e.lastEvent(t)
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "risk.action_add" {
			t.Errorf("%s changes (-want +got):\n%s", ev.Action, diff)
		}
		r, err = e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Retrain on balanced data", Version: r.Version})
		if err != nil || r.Treatment.PlanVersion != 4 || r.Treatment.Actions[1].Number != 2 {
			t.Fatalf("second action: %v %+v", err, r.Treatment)
		}
		// Recording progress does not change the plan; changing what is done does.
		e.clock.Advance(48 * time.Hour)
		r, err = e.svc.UpdateAction(e.ctx, e.contributor(), "RISK-1", 1, risk.UpdateActionRequest{Status: ptr("done"), Version: r.Version})
		if err != nil {
			t.Fatal(err)
		}
		if a := r.Treatment.Actions[0]; a.Status != "done" || a.CompletedDate != "2026-03-04" || r.Treatment.PlanVersion != 4 {
			t.Errorf("done: %+v, plan v%d", a, r.Treatment.PlanVersion)
		}
		wantCh = map[string][2]string{"action": {"1", "1"}, "action_status": {`"open"`, `"done"`}, "completed_date": {`""`, `"2026-03-04"`}}
		ev = e.lastEvent(t)
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "risk.action_update" {
			t.Errorf("%s changes (-want +got):\n%s", ev.Action, diff)
		}
		r, err = e.svc.UpdateAction(e.ctx, e.contributor(), "RISK-1", 2, risk.UpdateActionRequest{Description: ptr("Retrain on balanced data, then re-test"),
			DueDate: ptr(day(10)), Version: r.Version})
		if err != nil || r.Treatment.PlanVersion != 5 {
			t.Fatalf("changed action: %v plan v%d", err, r.Treatment.PlanVersion)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateAction(e.ctx, e.contributor(), "RISK-1", 2, risk.UpdateActionRequest{Status: ptr("later"),
				CompletedDate: ptr(day(9)), Description: ptr(""), Version: r.Version})
			servicetest.WantFields(t, err, aims.CodeInvalid, "completed_date", "description", "status")
			_, err = e.svc.UpdateAction(e.ctx, e.contributor(), "RISK-1", 2, risk.UpdateActionRequest{Status: ptr("open"),
				CompletedDate: ptr(day(1)), Version: r.Version})
			servicetest.WantFields(t, err, aims.CodeInvalid, "completed_date")
			_, err = e.svc.UpdateAction(e.ctx, e.contributor(), "RISK-1", 3, risk.UpdateActionRequest{Status: ptr("done"), Version: r.Version})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.UpdateAction(e.ctx, e.contributor(), "RISK-1", 1, risk.UpdateActionRequest{Status: ptr("open"), Version: r.Version - 1})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		// Reopening an action clears the day it was done.
		r, err = e.svc.UpdateAction(e.ctx, e.contributor(), "RISK-1", 1, risk.UpdateActionRequest{Status: ptr("open"), Version: r.Version})
		if err != nil || r.Treatment.Actions[0].CompletedDate != "" || r.Treatment.Actions[0].Status != "open" {
			t.Fatalf("reopened action: %v %+v", err, r.Treatment.Actions[0])
		}
	})
}

func TestAccept(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		e.system(t, "Hiring screening")
		owner, manager := e.owner(), e.manager()
		// Within the appetite: residual medium.
		a := e.assess(t, e.create(t, hiring("")), 3, 4)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Accept(e.ctx, manager, "RISK-1", risk.AcceptRequest{Version: a.Version})
			if ae := servicetest.WantCode(t, err, aims.CodeConflict); len(ae.Fields) != 1 || ae.Fields[0].Field != "residual" {
				t.Errorf("accept untreated: %v", err)
			}
		})
		a = e.treat(t, a, risk.TreatmentRequest{Option: "modify", Controls: []string{"A.9.3"}, ResidualLikelihood: 2, ResidualImpact: 2})
		servicetest.Unchanged(t, d, func() {
			for _, role := range []aims.Role{aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer} {
				_, err := e.svc.Accept(e.ctx, e.as[role], "RISK-1", risk.AcceptRequest{Version: a.Version})
				servicetest.WantCode(t, err, aims.CodeForbidden)
			}
			_, err := e.svc.Accept(e.ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "cli:root@host", OrgID: e.org}, "RISK-1",
				risk.AcceptRequest{Version: a.Version})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Accept(e.ctx, manager, "RISK-1", risk.AcceptRequest{ValidUntil: day(0), Note: strings.Repeat("n", 4001), Version: a.Version})
			servicetest.WantFields(t, err, aims.CodeInvalid, "note", "valid_until")
			_, err = e.svc.Accept(e.ctx, manager, "RISK-1", risk.AcceptRequest{ValidUntil: day(5 * 367), Version: a.Version})
			servicetest.WantFields(t, err, aims.CodeInvalid, "valid_until")
		})
		a, err := e.svc.Accept(e.ctx, manager, "RISK-1", risk.AcceptRequest{Note: "Accepted by the AI board.", Version: a.Version})
		if err != nil {
			t.Fatal(err)
		}
		// Medium is reviewed every 180 days, and the acceptance holds as long.
		want := &risk.Acceptance{AcceptedBy: manager.UserID, AcceptedByName: "Max Manager", AcceptedAt: t0, PlanVersion: 1, ResidualLevel: "medium",
			Appetite: "medium", ValidUntil: "2026-08-29", Note: "Accepted by the AI board.", State: "valid"}
		if diff := cmp.Diff(want, a.Acceptance); diff != "" || a.Status != "accepted" || !a.AcceptanceHolds() {
			t.Errorf("acceptance (-want +got):\n%s\nstatus %s", diff, a.Status)
		}
		wantCh := map[string][2]string{"accepted_by": {"null", js(manager.UserID)}, "plan_version": {"null", "1"},
			"residual_level": {"null", `"medium"`}, "appetite": {"null", `"medium"`}, "valid_until": {"null", `"2026-08-29"`},
			"note": {"null", js("Accepted by the AI board.")}, "above_appetite": {"null", "false"}, "status": {`"treated"`, `"accepted"`}}
		ev := e.lastEvent(t)
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "risk.accept" || ev.Actor.ID != manager.UserID {
			t.Errorf("%s changes (-want +got):\n%s", ev.Action, diff)
		}
		// A changed plan makes the acceptance stale.
		a, err = e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Bias audit", Version: a.Version})
		if err != nil {
			t.Fatal(err)
		}
		if ac := a.Acceptance; ac.State != "stale" || ac.StateReason != "the treatment plan changed since: it is at version 2, the acceptance was for version 1" ||
			a.Status != "treated" || a.AcceptanceHolds() {
			t.Errorf("after a plan change: %+v, status %s", ac, a.Status)
		}
		if ev := e.lastEvent(t); servicetest.ChangeMap(t, ev)["status"] != [2]string{`"accepted"`, `"treated"`} {
			t.Errorf("the plan change does not record the status: %+v", ev.Changes)
		}
		a, err = e.svc.Accept(e.ctx, owner, "RISK-1", risk.AcceptRequest{ValidUntil: day(10), Version: a.Version})
		if err != nil || a.Acceptance.PlanVersion != 2 || a.Acceptance.State != "valid" || a.Acceptance.AcceptedByName != "Zoë Owner" {
			t.Fatalf("second acceptance: %v %+v", err, a.Acceptance)
		}
		// So does a changed residual rating.
		a = e.treat(t, a, risk.TreatmentRequest{Option: "modify", Controls: []string{"A.9.3"}, ResidualLikelihood: 1, ResidualImpact: 2})
		if a.Acceptance.State != "stale" || a.Acceptance.StateReason != "the residual risk changed since it was accepted" || a.Status != "treated" {
			t.Errorf("after a residual change: %+v, %s", a.Acceptance, a.Status)
		}
		// And one past its last valid day has expired, though the status stays.
		a, err = e.svc.Accept(e.ctx, owner, "RISK-1", risk.AcceptRequest{ValidUntil: day(10), Version: a.Version})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(11 * 24 * time.Hour)
		a = e.get(t, "RISK-1")
		if a.Acceptance.State != "expired" || a.Acceptance.StateReason != "it expired after 2026-03-12" || a.Status != "accepted" {
			t.Errorf("expired: %+v, %s", a.Acceptance, a.Status)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM risk_acceptances`); n != 3 {
			t.Errorf("%d acceptances kept, want 3", n)
		}
		if _, err := d.ExecContext(e.ctx, `UPDATE risk_acceptances SET note = 'forged'`); err == nil {
			t.Error("risk_acceptances accepted an UPDATE")
		}
		if _, err := d.ExecContext(e.ctx, `DELETE FROM risk_acceptances`); err == nil {
			t.Error("risk_acceptances accepted a DELETE")
		}
	})
}

// TestAcceptAboveAppetite: a residual level above the appetite is refused
// to a manager, and accepted by an owner only with a confirmation and a
// reason, both recorded.
func TestAcceptAboveAppetite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		e.system(t, "Hiring screening")
		b := e.assess(t, e.create(t, hiring("")), 4, 4)
		b = e.treat(t, b, risk.TreatmentRequest{Option: "retain", ResidualLikelihood: 3, ResidualImpact: 3})
		if b.Treatment.Residual.Level != "high" || !b.AboveAppetite {
			t.Fatalf("residual = %+v", b.Treatment.Residual)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Accept(e.ctx, e.manager(), "RISK-1", risk.AcceptRequest{AboveAppetiteConfirmed: true,
				AboveAppetiteReason: "The business needs it.", Version: b.Version})
			servicetest.WantFields(t, err, aims.CodeForbidden, "residual_level")
			if ae := aims.AsError(err); ae.Message != "the residual level of RISK-1, high, is above the risk appetite (medium), so only an owner can accept it, with a recorded reason" {
				t.Errorf("manager refused with %q", ae.Message)
			}
			_, err = e.svc.Accept(e.ctx, e.owner(), "RISK-1", risk.AcceptRequest{Version: b.Version})
			servicetest.WantFields(t, err, aims.CodeConflict, "above_appetite_confirmed", "above_appetite_reason")
			_, err = e.svc.Accept(e.ctx, e.owner(), "RISK-1", risk.AcceptRequest{AboveAppetiteConfirmed: true, Version: b.Version})
			servicetest.WantFields(t, err, aims.CodeConflict, "above_appetite_reason")
			_, err = e.svc.Accept(e.ctx, e.owner(), "RISK-1", risk.AcceptRequest{AboveAppetiteReason: "Needed", Version: b.Version})
			servicetest.WantFields(t, err, aims.CodeConflict, "above_appetite_confirmed")
		})
		b, err := e.svc.Accept(e.ctx, e.owner(), "RISK-1", risk.AcceptRequest{AboveAppetiteConfirmed: true,
			AboveAppetiteReason: "No other screening is possible before the hiring round; reviewed monthly.", Version: b.Version})
		if err != nil {
			t.Fatal(err)
		}
		ac := b.Acceptance
		if !ac.AboveAppetite || ac.Reason != "No other screening is possible before the hiring round; reviewed monthly." || ac.ResidualLevel != "high" ||
			ac.ValidUntil != "2026-05-31" || ac.State != "valid" || b.Status != "accepted" {
			t.Errorf("accepted above the appetite: %+v", ac)
		}
		ch := servicetest.ChangeMap(t, e.lastEvent(t))
		if ch["above_appetite"] != [2]string{"null", "true"} || ch["above_appetite_confirmed"] != [2]string{"null", "true"} ||
			ch["above_appetite_reason"] != [2]string{"null", js("No other screening is possible before the hiring round; reviewed monthly.")} {
			t.Errorf("the event lacks the owner's decision: %v", ch)
		}
	})
}
