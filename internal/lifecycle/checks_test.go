package lifecycle_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestChecksOfEachKind evaluates every kind of requirement missing and
// then met, with its reason, through the preview of a move.
func TestChecksOfEachKind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if _, err := e.risks.SetCriteria(e.ctx, e.owner(), fourByFour()); err != nil {
			t.Fatal(err)
		}
		sys := e.system(t, "Hiring screening", "verification_and_validation")
		other := e.system(t, "Chat assistant", "inception")
		if _, err := e.svc.SetGates(e.ctx, e.owner(), lifecycle.GatesRequest{Gates: []lifecycle.Gate{
			{Stage: "deployment", Requirements: []lifecycle.Requirement{{Kind: "approved_model_version"}, {Kind: "vv_record"},
				{Kind: "approved_impact_assessment"}, {Kind: "risks_assessed"}, {Kind: "evidence", Control: "A.6.2.6"}}},
			{Stage: "retirement", Requirements: []lifecycle.Requirement{{Kind: "retirement_plan"}}},
		}}); err != nil {
			t.Fatal(err)
		}
		preview := func(to, plan string) *lifecycle.Checks {
			t.Helper()
			c, err := e.svc.Preview(e.ctx, e.viewer(), "sys-1", lifecycle.CheckQuery{To: to, Plan: plan})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}

		// Nothing yet, but no risk either: that requirement holds.
		c := preview("deployment", "")
		if c.Met || c.SystemRef != "SYS-1" || c.From != "verification_and_validation" || c.To != "deployment" || len(c.Checks) != 6 {
			t.Fatalf("checks = %+v", c)
		}
		wantMissing := []string{"An approved model version", "A verification and validation record", "An approved impact assessment",
			"Evidence for A.6.2.6"}
		if diff := cmp.Diff(wantMissing, c.Missing); diff != "" {
			t.Errorf("missing (-want +got):\n%s", diff)
		}
		wantDetail := map[string]string{
			"approved_model_version":     "no version of a model of SYS-1 is approved or deployed",
			"vv_record":                  "no evidence current today is linked to both SYS-1 and A.6.2.4",
			"approved_impact_assessment": "no impact assessment of SYS-1 is approved",
			"risks_assessed":             "no open risk concerns SYS-1",
			"evidence":                   "no evidence current today is linked to both SYS-1 and A.6.2.6",
			"no_review_due_for_change":   "no risk or impact assessment of SYS-1 awaits review after an approved significant change",
		}
		for _, x := range c.Checks {
			if x.Detail != wantDetail[x.Kind] {
				t.Errorf("%s: detail %q, want %q", x.Kind, x.Detail, wantDetail[x.Kind])
			}
			if x.Always != (x.Kind == "no_review_due_for_change") {
				t.Errorf("%s: always = %v", x.Kind, x.Always)
			}
		}

		// A risk not assessed stands in the way; assessed, it does not.
		e.riskOf(t, "Unfair ranking", sys.Ref, false)
		if x := checkOf(t, preview("deployment", ""), "risks_assessed"); x.Met || x.Detail != "not assessed yet: RISK-1 Unfair ranking" ||
			!cmp.Equal(x.Refs, []string{"RISK-1"}) {
			t.Errorf("unassessed risk: %+v", x)
		}
		e.assess(t, "RISK-1")
		if x := checkOf(t, preview("deployment", ""), "risks_assessed"); !x.Met || x.Detail != "the one open risk of SYS-1 is assessed" {
			t.Errorf("assessed risk: %+v", x)
		}

		// Evidence must be current and linked to both the system and the control.
		e.note(t, "Test report of the chat assistant", "", "control:A.6.2.4", "ai_system:"+other.Ref)
		e.note(t, "Hiring screening test plan", "", "ai_system:SYS-1")
		e.note(t, "Old test report", "2026-01-31", "control:A.6.2.4", "ai_system:SYS-1")
		if x := checkOf(t, preview("deployment", ""), "vv_record"); x.Met {
			t.Errorf("V&V met by evidence linked to one of them, or expired: %+v", x)
		}
		e.note(t, "Validation report 2026", "", "control:A.6.2.4", "ai_system:SYS-1")
		if x := checkOf(t, preview("deployment", ""), "vv_record"); !x.Met || x.Detail != "EV-4 Validation report 2026" ||
			!cmp.Equal(x.Refs, []string{"EV-4"}) || x.Control != "A.6.2.4" {
			t.Errorf("V&V: %+v", x)
		}
		if x := checkOf(t, preview("deployment", ""), "evidence"); x.Met {
			t.Errorf("A.6.2.6 met by V&V evidence: %+v", x)
		}
		e.note(t, "Monitoring plan", "", "control:A.6.2.6", "ai_system:SYS-1")
		if x := checkOf(t, preview("deployment", ""), "evidence"); !x.Met || x.Detail != "EV-5 Monitoring plan" || x.Label != "Evidence for A.6.2.6" {
			t.Errorf("evidence for A.6.2.6: %+v", x)
		}

		// A model version approved or deployed, from the model service.
		e.sources.setModels(sys.ID, lifecycle.ModelVersion{Key: "MDL-1@1.0.0", Status: "approved"},
			lifecycle.ModelVersion{Key: "MDL-1@0.9.0", Status: "deployed"})
		if x := checkOf(t, preview("deployment", ""), "approved_model_version"); !x.Met ||
			x.Detail != "MDL-1@1.0.0 (approved), MDL-1@0.9.0 (deployed)" || len(x.Refs) != 2 {
			t.Errorf("model: %+v", x)
		}

		// An approved impact assessment.
		e.approvedImpact(t, sys.Ref)
		c = preview("deployment", "")
		if x := checkOf(t, c, "approved_impact_assessment"); !x.Met || x.Detail != "IA-1 version 1 is approved and not due for review" {
			t.Errorf("impact: %+v", x)
		}
		if !c.Met || len(c.Missing) != 0 {
			t.Errorf("everything met, yet %+v", c)
		}

		// Into retirement: the plan the request carries.
		if x := checkOf(t, preview("retirement", ""), "retirement_plan"); x.Met || x.Detail != "the request carries no retirement plan" {
			t.Errorf("no plan: %+v", x)
		}
		if c := preview("retirement", "Delete the data after 30 days; archive the models; tell the recruiters."); !c.Met {
			t.Errorf("with a plan: %+v", c)
		}
		// Into a stage without requirements: only the check every move has.
		if c := preview("inception", ""); !c.Met || len(c.Checks) != 1 || !c.Checks[0].Always {
			t.Errorf("into inception: %+v", c)
		}

		// Bad previews.
		servicetest.WantFields(t, second(e.svc.Preview(e.ctx, e.viewer(), "SYS-1", lifecycle.CheckQuery{To: "launch"})), aims.CodeInvalid, "to")
		err := second(e.svc.Preview(e.ctx, e.viewer(), "SYS-1", lifecycle.CheckQuery{To: "verification_and_validation"}))
		servicetest.WantFields(t, err, aims.CodeInvalid, "to")
		if !strings.Contains(err.Error(), "is the stage SYS-1 is in already") {
			t.Errorf("same stage: %v", err)
		}
		servicetest.WantCode(t, second(e.svc.Preview(e.ctx, e.viewer(), "SYS-9", lifecycle.CheckQuery{To: "deployment"})), aims.CodeNotFound)
		servicetest.WantCode(t, second(e.svc.Preview(e.ctx, nil, "SYS-1", lifecycle.CheckQuery{To: "deployment"})), aims.CodeUnauthenticated)
	})
}
