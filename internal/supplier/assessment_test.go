package supplier_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/google/go-cmp/cmp"
)

// TestAssessmentsAndDue records supplier assessments and follows which
// suppliers fall due as the days pass.
func TestAssessmentsAndDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.manager()
		e.system(t, "Credit scoring")
		e.party(t, supplier.PartyRequest{Name: "DataCo", Kind: "supplier"})
		e.party(t, supplier.PartyRequest{Name: "Idle Supplier", Kind: "supplier"})
		e.party(t, supplier.PartyRequest{Name: "Bank of Examples", Kind: "customer"})
		e.party(t, supplier.PartyRequest{Name: "Hosting Ltd", Kind: "both"})
		for _, ref := range []string{"TP-1", "TP-4"} {
			if _, err := e.svc.AddSupply(e.ctx, e.contributor(), ref, supplier.SupplyRequest{Kind: "service", System: "SYS-1", Description: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		due := func() map[string]string {
			t.Helper()
			items, err := e.svc.Due(e.ctx, e.viewer())
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, it := range items {
				out[it.Party.Ref] = it.Reason
				if !it.Party.AssessmentDue {
					t.Errorf("%s listed as due but not marked", it.Party.Ref)
				}
			}
			return out
		}
		// Suppliers that supply something and were never assessed are due; the idle one and the customer are not.
		if got := due(); !cmp.Equal(got, map[string]string{"TP-1": "never_assessed", "TP-4": "never_assessed"}) {
			t.Errorf("due at first = %v", got)
		}
		if !e.getParty(t, "TP-1").AssessmentDue || e.getParty(t, "TP-2").AssessmentDue {
			t.Error("assessment_due flags wrong")
		}

		// Validation.
		bad := []struct {
			party  string
			req    supplier.AssessRequest
			fields []string
		}{
			{"TP-1", supplier.AssessRequest{Result: "fine"}, []string{"result"}},
			{"TP-1", supplier.AssessRequest{Result: "unsatisfactory"}, []string{"findings"}},
			{"TP-1", supplier.AssessRequest{Result: "satisfactory", AssessedOn: "2026-03-03"}, []string{"assessed_on"}},
			{"TP-1", supplier.AssessRequest{Result: "satisfactory", AssessedOn: "3/2/2026", NextAssessmentOn: "soon"}, []string{"assessed_on", "next_assessment_on"}},
			{"TP-1", supplier.AssessRequest{Result: "satisfactory", AssessedOn: "2026-03-01", NextAssessmentOn: "2026-03-01"}, []string{"next_assessment_on"}},
			{"TP-1", supplier.AssessRequest{Result: "satisfactory", Assessor: "nobody@acme.example"}, []string{"assessor"}},
			{"TP-3", supplier.AssessRequest{Result: "satisfactory"}, []string{"result"}},
		}
		for _, b := range bad {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.Assess(e.ctx, m, b.party, b.req)
				servicetest.WantFields(t, err, aims.CodeInvalid, b.fields...)
			})
		}

		// By default: today, by the person recording it, next in a year.
		a, err := e.svc.Assess(e.ctx, m, "tp-1", supplier.AssessRequest{Result: "satisfactory_with_conditions", Findings: "Provide a data sheet for each delivery."})
		if err != nil {
			t.Fatal(err)
		}
		if a.Ref != "TP-1/A1" || a.AssessedOn != "2026-03-02" || a.NextAssessmentOn != "2027-03-02" || a.AssessorID != m.UserID || a.AssessorName != "Acme manager" {
			t.Errorf("assessment %+v", a)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != supplier.ActionAssess || ev.Object.Ref != "TP-1/A1" || servicetest.ChangeMap(t, ev)["result"][1] != `"satisfactory_with_conditions"` {
			t.Errorf("event %+v", ev)
		}
		p := e.getParty(t, "TP-1")
		if p.LastAssessedOn != "2026-03-02" || p.LastResult != "satisfactory_with_conditions" || p.NextAssessmentOn != "2027-03-02" || p.AssessmentDue || p.Version != 1 {
			t.Errorf("party after assessment %+v", p)
		}
		// An older assessment recorded later does not move the dates; another assessor may be named by email.
		if _, err := e.svc.Assess(e.ctx, e.owner(), "TP-4", supplier.AssessRequest{Result: "satisfactory", AssessedOn: "2025-06-30",
			NextAssessmentOn: "2026-03-02", Assessor: "contributor@acme.example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Assess(e.ctx, m, "TP-1", supplier.AssessRequest{Result: "unsatisfactory", AssessedOn: "2025-01-15", Findings: "No data sheets"}); err != nil {
			t.Fatal(err)
		}
		if p := e.getParty(t, "TP-1"); p.LastResult != "satisfactory_with_conditions" || p.NextAssessmentOn != "2027-03-02" {
			t.Errorf("an older assessment moved the dates: %+v", p)
		}
		as, err := e.svc.Assessments(e.ctx, e.viewer(), "TP-1")
		if err != nil || len(as) != 2 || as[0].Number != 1 || as[1].Number != 2 || as[1].AssessorName != "Acme manager" {
			t.Errorf("assessments %+v, %v", as, err)
		}
		if got := due(); !cmp.Equal(got, map[string]string{"TP-4": "due_today"}) {
			t.Errorf("due today = %v", got)
		}
		e.clock.Advance(10 * 24 * time.Hour)
		items, err := e.svc.Due(e.ctx, e.viewer())
		if err != nil || len(items) != 1 || items[0].Reason != "overdue" || items[0].DaysOverdue != 10 {
			t.Errorf("ten days on: %+v, %v", items, err)
		}
		page, err := e.svc.ListParties(e.ctx, e.viewer(), supplier.PartyQuery{Due: true})
		if err != nil || page.Total != 1 || page.Items[0].Ref != "TP-4" {
			t.Errorf("due filter %+v, %v", page, err)
		}
		// Archived suppliers are not due, and cannot be assessed.
		if _, err := e.svc.ArchiveParty(e.ctx, e.contributor(), "TP-4"); err != nil {
			t.Fatal(err)
		}
		if got := due(); len(got) != 0 {
			t.Errorf("due after archiving %v", got)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Assess(e.ctx, m, "TP-4", supplier.AssessRequest{Result: "satisfactory"})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		// Assessments never change once recorded.
		if _, err := d.ExecContext(e.ctx, `UPDATE supplier_assessments SET result = 'satisfactory'`); err == nil {
			t.Error("an assessment was changed in place")
		}
	})
}
