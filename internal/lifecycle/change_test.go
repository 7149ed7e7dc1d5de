package lifecycle_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestClassify checks the rules of significance.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		kinds  []string
		marked bool
		class  string
		rule   string
	}{
		{[]string{"model_version"}, false, "significant", "significant by rule: a new model version is always significant"},
		{[]string{"training_data", "supplier"}, false, "significant", "significant by rule: new training data is always significant"},
		{[]string{"model_version", "intended_purpose", "affected_population"}, false, "significant",
			"significant by rule: a new model version, a changed intended purpose and a changed affected population are always significant"},
		{[]string{"supplier"}, false, "minor", "minor by rule: a change of supplier or other is minor unless marked significant"},
		{[]string{"other", "supplier"}, true, "significant",
			"significant: marked so by the requester (a change of supplier or other is minor unless marked)"},
		{[]string{"intended_purpose"}, true, "significant", "significant by rule: a changed intended purpose is always significant"},
	} {
		class, rule := lifecycle.Classify(c.kinds, c.marked)
		if class != c.class || rule != c.rule {
			t.Errorf("Classify(%v, %v) = %s, %q; want %s, %q", c.kinds, c.marked, class, rule, c.class, c.rule)
		}
	}
}

// TestChangeRequests raises, reclassifies, approves, refuses, implements
// and withdraws change requests, each by the roles allowed.
func TestChangeRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening", "operation_and_monitoring")
		servicetest.Unchanged(t, d, func() {
			err := second(e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-9", Kinds: []string{"upgrade"}}))
			servicetest.WantFields(t, err, aims.CodeInvalid, "justification", "kinds", "system", "title")
			err = second(e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "x", Justification: "y"}))
			servicetest.WantFields(t, err, aims.CodeInvalid, "kinds")
			err = second(e.svc.CreateChange(e.ctx, e.viewer(), lifecycle.ChangeCreate{System: "SYS-1", Title: "x", Justification: "y",
				Kinds: []string{"other"}}))
			servicetest.WantCode(t, err, aims.CodeForbidden)
		})

		c, err := e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "sys-1", Title: " Move hosting to a new cloud ",
			Kinds: []string{"supplier", "supplier"}, Justification: "Cheaper", ExpectedImpact: "None for applicants"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Ref != "CR-1" || c.Title != "Move hosting to a new cloud" || !cmp.Equal(c.Kinds, []string{"supplier"}) || c.Classification != "minor" ||
			c.Status != "requested" || c.RequestedByName != "Carla Contributor" || c.SystemRef != "SYS-1" || c.Version != 1 {
			t.Fatalf("created = %+v", c)
		}
		if ch := servicetest.ChangeMap(t, e.lastEvent(t)); ch["classification"] != [2]string{"null", `"minor"`} || ch["kinds"][1] != `["supplier"]` {
			t.Errorf("create changes %v", ch)
		}

		// A lead raises it to significant with a reason; never lowers it.
		servicetest.Unchanged(t, d, func() {
			servicetest.WantCode(t, second(e.svc.ReclassifyChange(e.ctx, e.contributor(), "CR-1", lifecycle.ReclassifyRequest{Version: 1,
				Classification: "significant", Reason: "x"})), aims.CodeForbidden)
			servicetest.WantFields(t, second(e.svc.ReclassifyChange(e.ctx, e.manager(), "CR-1", lifecycle.ReclassifyRequest{Version: 1,
				Classification: "huge"})), aims.CodeInvalid, "classification", "reason")
		})
		c, err = e.svc.ReclassifyChange(e.ctx, e.manager(), "CR-1", lifecycle.ReclassifyRequest{Version: 1, Classification: "significant",
			Reason: "The new cloud is outside the EU"})
		if err != nil || c.Classification != "significant" || c.RaisedByName != "Max Manager" || c.RaisedReason != "The new cloud is outside the EU" ||
			c.ClassificationRule != "significant: raised from minor by manager@zoe.example: The new cloud is outside the EU" || c.Version != 2 {
			t.Fatalf("raised = %+v, %v", c, err)
		}
		servicetest.WantFields(t, second(e.svc.ReclassifyChange(e.ctx, e.owner(), "CR-1", lifecycle.ReclassifyRequest{Version: 2,
			Classification: "minor", Reason: "Not really"})), aims.CodeConflict, "classification")

		rule, err := e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "Ranking model 2",
			Kinds: []string{"model_version"}, Justification: "Better recall"})
		if err != nil || rule.Classification != "significant" || rule.ClassificationRule != "significant by rule: a new model version is always significant" {
			t.Fatalf("rule-made = %+v, %v", rule, err)
		}
		err = second(e.svc.ReclassifyChange(e.ctx, e.owner(), rule.Ref, lifecycle.ReclassifyRequest{Version: 1, Classification: "minor", Reason: "Small"}))
		if servicetest.WantFields(t, err, aims.CodeConflict, "classification"); !strings.Contains(err.Error(), "significant by rule") {
			t.Errorf("lowering a rule-made significance: %v", err)
		}

		// Refused with a reason; withdrawn by its requester only; implemented after approval, with a note.
		servicetest.WantFields(t, second(e.svc.RefuseChange(e.ctx, e.manager(), rule.Ref, lifecycle.ChangeDecision{Version: 1})),
			aims.CodeInvalid, "note")
		if c, err = e.svc.RefuseChange(e.ctx, e.manager(), rule.Ref, lifecycle.ChangeDecision{Version: 1, Note: "Not validated"}); err != nil ||
			c.Status != "refused" || c.DecisionNote != "Not validated" || c.DecidedByName != "Max Manager" {
			t.Fatalf("refused = %+v, %v", c, err)
		}
		other, _ := e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "Logo", Kinds: []string{"other"},
			Justification: "Brand"})
		servicetest.WantCode(t, second(e.svc.WithdrawChange(e.ctx, e.manager(), other.Ref, lifecycle.ChangeDecision{Version: 1})), aims.CodeForbidden)
		if c, err = e.svc.WithdrawChange(e.ctx, e.contributor(), other.Ref, lifecycle.ChangeDecision{Version: 1}); err != nil || c.Status != "withdrawn" {
			t.Fatalf("withdrawn = %+v, %v", c, err)
		}
		minor, _ := e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "New support desk",
			Kinds: []string{"supplier"}, Justification: "Contract ended"})
		before := len(servicetest.Events(t, e.ctx, d, e.org))
		servicetest.WantCode(t, second(e.svc.ImplementChange(e.ctx, e.manager(), minor.Ref, lifecycle.ChangeDecision{Version: 1, Note: "Done"})),
			aims.CodeConflict)
		servicetest.WantCode(t, second(e.svc.ApproveChange(e.ctx, e.contributor(), minor.Ref, lifecycle.ChangeDecision{Version: 1})), aims.CodeForbidden)
		if c, err = e.svc.ApproveChange(e.ctx, e.manager(), minor.Ref, lifecycle.ChangeDecision{Version: 1}); err != nil || c.Status != "approved" {
			t.Fatalf("approved = %+v, %v", c, err)
		}
		if acts := servicetest.Actions(t, e.ctx, d, e.org)[before:]; !cmp.Equal(acts, []string{"change_request.approve"}) {
			t.Errorf("a minor approval recorded %v", acts)
		}
		servicetest.WantFields(t, second(e.svc.ImplementChange(e.ctx, e.manager(), minor.Ref, lifecycle.ChangeDecision{Version: 2})),
			aims.CodeInvalid, "note")
		if c, err = e.svc.ImplementChange(e.ctx, e.owner(), minor.Ref, lifecycle.ChangeDecision{Version: 2, Note: "Switched on 3 March"}); err != nil ||
			c.Status != "implemented" || c.ImplementationNote != "Switched on 3 March" || c.ImplementedByName != "Zoë Owner" || c.ImplementedAt == nil {
			t.Fatalf("implemented = %+v, %v", c, err)
		}

		// Lists filter by status, classification, kind and words.
		for _, q := range []struct {
			q    lifecycle.ChangeQuery
			want []string
		}{
			{lifecycle.ChangeQuery{}, []string{"CR-4", "CR-3", "CR-2", "CR-1"}},
			{lifecycle.ChangeQuery{Status: "open"}, []string{"CR-1"}},
			{lifecycle.ChangeQuery{Classification: "significant"}, []string{"CR-2", "CR-1"}},
			{lifecycle.ChangeQuery{Kind: "supplier", System: "SYS-1"}, []string{"CR-4", "CR-1"}},
			{lifecycle.ChangeQuery{Q: "model"}, []string{"CR-2"}},
			{lifecycle.ChangeQuery{Q: "cr-3"}, []string{"CR-3"}},
		} {
			page, err := e.svc.Changes(e.ctx, e.viewer(), q.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range page.Items {
				got = append(got, it.Ref)
			}
			if !cmp.Equal(got, q.want) || page.Total != len(q.want) {
				t.Errorf("Changes(%+v) = %v (%d), want %v", q.q, got, page.Total, q.want)
			}
		}
		servicetest.WantFields(t, second(e.svc.Changes(e.ctx, e.viewer(), lifecycle.ChangeQuery{Status: "x", Kind: "y", Classification: "z"})),
			aims.CodeInvalid, "classification", "kind", "status")
	})
}

// TestSignificantChangeReopensReviews: approving a significant change
// makes the system's assessed risks and approved impact assessments due
// for review, which blocks its next stage move until the risk is assessed
// again and the assessment approved again.
func TestSignificantChangeReopensReviews(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if _, err := e.risks.SetCriteria(e.ctx, e.owner(), fourByFour()); err != nil {
			t.Fatal(err)
		}
		sys := e.system(t, "Hiring screening", "deployment")
		e.system(t, "Chat assistant", "deployment")
		e.riskOf(t, "Unfair ranking", "SYS-1", true)
		e.riskOf(t, "Wrong answers", "SYS-2", true)
		e.approvedImpact(t, "SYS-1")
		e.clock.Advance(time.Hour)

		c, err := e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "New ranking model",
			Kinds: []string{"model_version", "training_data"}, Justification: "Better recall on 2026 data"})
		if err != nil {
			t.Fatal(err)
		}
		due, _ := e.risks.Due(e.ctx, e.viewer())
		if len(due.Risks) != 0 {
			t.Fatalf("due before approval: %+v", due.Risks)
		}
		e.clock.Advance(time.Hour)
		approvedAt := e.clock.Now()
		if _, err := e.svc.ApproveChange(e.ctx, e.manager(), c.Ref, lifecycle.ChangeDecision{Version: 1, Note: "Go"}); err != nil {
			t.Fatal(err)
		}
		evs := servicetest.Events(t, e.ctx, d, e.org)
		sig := evs[len(evs)-1]
		if sig.Action != "ai_system.significant_change" || sig.Object.Type != "ai_system" || sig.Object.ID != sys.ID || sig.Object.Ref != "SYS-1" ||
			!cmp.Equal(servicetest.ChangeMap(t, sig), map[string][2]string{"significant_change": {`""`, `"CR-1: New ranking model"`}}) ||
			evs[len(evs)-2].Action != "change_request.approve" {
			t.Fatalf("significant change event %s %+v %v", sig.Action, sig.Object, servicetest.ChangeMap(t, sig))
		}

		// The risk register and impact assessments see it; the other system's risk does not.
		due, err = e.risks.Due(e.ctx, e.viewer())
		if err != nil {
			t.Fatal(err)
		}
		if len(due.Risks) != 1 || due.Risks[0].Ref != "RISK-1" || len(due.Risks[0].Reasons) != 1 {
			t.Fatalf("risks due = %+v", due.Risks)
		}
		reason := due.Risks[0].Reasons[0]
		if reason.Kind != "system_changed" || reason.Field != "significant_change" || reason.SystemRef != "SYS-1" || !reason.ChangedAt.Equal(approvedAt) ||
			reason.Text != "a significant change was approved: CR-1 New ranking model (SYS-1 Hiring screening, on 2026-03-02, after the risk was last assessed on 2026-03-02)" {
			t.Errorf("risk reason = %+v", reason)
		}
		ia, _ := e.impact.Get(e.ctx, e.viewer(), "IA-1")
		if !ia.Due || len(ia.DueReasons) != 1 || ia.DueReasons[0].Field != "significant_change" ||
			ia.DueReasons[0].Text != "a significant change was approved: CR-1 New ranking model after version 1 was approved, by manager@zoe.example" {
			t.Errorf("impact due = %v %+v", ia.Due, ia.DueReasons)
		}

		// The next move waits for both reviews, whatever the gates say.
		checks, err := e.svc.Preview(e.ctx, e.viewer(), "SYS-1", lifecycle.CheckQuery{To: "operation_and_monitoring"})
		if err != nil {
			t.Fatal(err)
		}
		x := checkOf(t, checks, "no_review_due_for_change")
		if checks.Met || x.Met || !cmp.Equal(x.Refs, []string{"RISK-1", "IA-1"}) || !strings.HasPrefix(x.Detail,
			"review first: RISK-1: a significant change was approved: CR-1 New ranking model (SYS-1") ||
			!strings.Contains(x.Detail, "; IA-1: a significant change was approved: CR-1 New ranking model after version 1") {
			t.Fatalf("always check = %+v", x)
		}
		r := e.request(t, "SYS-1", "operation_and_monitoring", "")
		servicetest.WantCode(t, second(e.svc.ApproveRequest(e.ctx, e.manager(), r.Ref, lifecycle.DecisionRequest{Version: 1})), aims.CodeConflict)
		if x := checkOf(t, mustPreview(t, e, "SYS-2"), "no_review_due_for_change"); !x.Met {
			t.Errorf("the other system is blocked: %+v", x)
		}

		// Assessing the risk again answers it; the assessment still waits.
		e.clock.Advance(time.Hour)
		e.assess(t, "RISK-1")
		x = checkOf(t, mustPreview(t, e, "SYS-1"), "no_review_due_for_change")
		if x.Met || !cmp.Equal(x.Refs, []string{"IA-1"}) {
			t.Fatalf("after the risk review: %+v", x)
		}
		// A new approval of the assessment clears it, and the move is approved.
		e.reapprove(t, "IA-1")
		if ia, _ = e.impact.Get(e.ctx, e.viewer(), "IA-1"); ia.Due {
			t.Errorf("still due after a new approval: %+v", ia.DueReasons)
		}
		if x = checkOf(t, mustPreview(t, e, "SYS-1"), "no_review_due_for_change"); !x.Met {
			t.Fatalf("after both reviews: %+v", x)
		}
		if _, err := e.svc.ApproveRequest(e.ctx, e.manager(), r.Ref, lifecycle.DecisionRequest{Version: 1}); err != nil {
			t.Fatal(err)
		}
		if e.stageOf(t, "SYS-1") != "operation_and_monitoring" {
			t.Error("the system did not move")
		}
		// The overview lists each system's stage, open requests and open changes.
		o, err := e.svc.Overview(e.ctx, e.viewer())
		if err != nil || len(o.Systems) != 2 || o.Systems[0].Stage != "operation_and_monitoring" || o.Systems[0].OpenRequest != nil ||
			o.Systems[0].Approved != 1 || o.Systems[0].Requested != 0 {
			t.Fatalf("overview = %+v, %v", o, err)
		}
		e.request(t, "SYS-2", "re_evaluation", "")
		if o, _ = e.svc.Overview(e.ctx, e.viewer()); o.Systems[1].OpenRequest == nil || o.Systems[1].OpenRequest.Ref != "MOVE-2" {
			t.Errorf("open request on the overview: %+v", o.Systems[1])
		}
	})
}

// mustPreview evaluates a move of a system into re-evaluation.
func mustPreview(t *testing.T, e *env, system string) *lifecycle.Checks {
	t.Helper()
	c, err := e.svc.Preview(e.ctx, e.viewer(), system, lifecycle.CheckQuery{To: "re_evaluation"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
