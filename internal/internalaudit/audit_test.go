package internalaudit_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestPlanValidation names every bad field of a plan and stores nothing.
func TestPlanValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.programme(t)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Plan(e.ctx, e.manager(), internalaudit.AuditRequest{Programme: "IAP-9"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "auditor_id", "clauses", "criteria", "objectives", "planned_end", "planned_start", "programme", "title")
			req := e.request()
			req.Clauses, req.Controls, req.Systems = []string{"11.1"}, []string{"A.99"}, []string{"SYS-404"}
			req.PlannedStart, req.PlannedEnd = "2029-01-01", "2028-12-31"
			req.AuditeeIDs = []string{"someone"}
			_, err = e.svc.Plan(e.ctx, e.manager(), req)
			servicetest.WantFields(t, err, aims.CodeInvalid, "auditee_ids", "clauses", "controls", "planned_end", "planned_start", "systems")
			req = e.request()
			req.AuditorID = e.viewer().UserID
			_, err = e.svc.Plan(e.ctx, e.manager(), req)
			servicetest.WantFields(t, err, aims.CodeInvalid, "auditor_id")
		})
		req := e.request()
		req.Clauses, req.Controls = []string{" 9.2 ", "8", "9.2"}, []string{"a.6"}
		req.AuditorID = e.contributor().UserID
		req.AuditeeIDs = nil
		a := e.plan(t, req)
		if diff := cmp.Diff(internalaudit.Scope{Clauses: []string{"9.2", "8"}, Controls: []string{"A.6"}, Systems: []internalaudit.ScopeSystem{}}, a.Scope); diff != "" {
			t.Errorf("scope (-want +got):\n%s", diff)
		}
		if a.Ref != "IA-1" || a.Status != internalaudit.StatusPlanned || a.Auditor.Name != "Acme contributor" || a.ProgrammeRef != "IAP-1" {
			t.Errorf("got %+v", a)
		}
	})
}

// TestIndependence refuses an auditor who would audit their own work, for
// each reason, when planning, when the plan changes and when the audit starts.
func TestIndependence(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.programme(t)
		aud := e.auditor().UserID
		sys := e.system(t, "Credit scoring", aud)
		other := e.system(t, "Chatbot", e.owner().UserID)
		e.claim("A.2.2", true, "implemented", aud)
		e.claim("A.6.2.4", true, "planned", e.owner().UserID, internalaudit.Claim{SystemID: other.ID, Applicable: true, Justification: "x", OwnerID: aud})
		e.claim("A.6.2.5", false, "", aud)
		cases := []struct {
			name   string
			change func(*internalaudit.AuditRequest)
			reason string
		}{
			{"auditee", func(r *internalaudit.AuditRequest) { r.Controls = nil; r.AuditeeIDs = []string{aud} }, "they are also an auditee"},
			{"system owner", func(r *internalaudit.AuditRequest) { r.Controls = nil; r.Systems = []string{sys.Ref} }, "they own SYS-1 (Credit scoring), which is in scope"},
			{"control owner", func(r *internalaudit.AuditRequest) {}, "they own A.2.2 in the Statement of Applicability"},
			{"override owner", func(r *internalaudit.AuditRequest) { r.Controls = []string{"A.6"} }, "they own A.6.2.4 in the Statement of Applicability"},
			{"programme manager", func(r *internalaudit.AuditRequest) {
				r.Controls, r.Clauses, r.AuditorID = nil, []string{"9"}, e.manager().UserID
			}, "they manage the audit programme IAP-1, and clause 9.2.1 is in scope"},
		}
		for _, tc := range cases {
			req := e.request()
			tc.change(&req)
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.Plan(e.ctx, e.manager(), req)
				servicetest.WantFields(t, err, aims.CodeInvalid, "auditor_id")
				if !strings.Contains(err.Error(), tc.reason) {
					t.Errorf("%s: %v does not say %q", tc.name, err, tc.reason)
				}
			})
		}
		// A.6.2.5 is not applicable, and the override of A.6.2.4 is for a system outside the scope: the auditor is independent.
		req := e.request()
		req.Controls, req.Systems = []string{"A.6"}, []string{other.Ref}
		req.Controls = []string{"A.6.2.5"}
		a := e.plan(t, req)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.manager(), a.Ref, internalaudit.AuditUpdate{Version: 1, Controls: &[]string{"A.2"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "auditor_id")
		})
		// The system in scope changes hands to the auditor before the audit starts: starting is refused.
		if _, err := e.systems.Update(e.ctx, e.owner(), other.Ref, systemOwner(aud, other.Version)); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Start(e.ctx, e.auditor(), a.Ref)
			servicetest.WantFields(t, err, aims.CodeInvalid, "auditor_id")
		})
	})
}

// TestAuditToReport plans, starts, records and reports an audit, and checks
// the checklist, the findings and the nonconformities they became.
func TestAuditToReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.programme(t)
		e.claim("A.2.2", true, "implemented", e.owner().UserID)
		e.claim("A.2.3", false, "", "")
		e.addEvidence(e.org, "EV-1", "EV-2")
		req := e.request()
		req.Clauses, req.Controls = []string{"7.2", "7.3"}, []string{"A.2"}
		a := e.plan(t, req)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Start(e.ctx, e.manager(), a.Ref)
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Report(e.ctx, e.auditor(), a.Ref, internalaudit.ReportRequest{Version: 1, Summary: "s", Conclusion: "c"})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		a, err := e.svc.Start(e.ctx, e.auditor(), a.Ref)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range a.Items {
			got = append(got, it.Ref+" "+it.Requirement+" "+it.ClaimedStatus+" "+it.ClaimedJustification+" "+it.Result)
		}
		// A.2.3 is not applicable and A.2.4 undecided: only A.2.2 of category A.2 is on the checklist.
		want := []string{"IA-1/C1 7.2   not_assessed", "IA-1/C2 7.3   not_assessed", "IA-1/C3 A.2.2 implemented Why A.2.2 not_assessed"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("checklist (-want +got):\n%s", diff)
		}
		if a.Status != internalaudit.StatusInProgress || a.Items[0].Title != "Competence" || a.Items[0].Asks == "" {
			t.Errorf("got %s, first item %+v", a.Status, a.Items[0])
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Start(e.ctx, e.auditor(), a.Ref)
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.Record(e.ctx, e.owner(), a.Ref, 1, internalaudit.ItemUpdate{Version: 1, Result: ptr("conforming")})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Record(e.ctx, e.auditor(), a.Ref, 1, internalaudit.ItemUpdate{Version: 1, Result: ptr("major"), Evidence: &[]string{"EV-9"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "evidence", "notes")
			_, err = e.svc.Record(e.ctx, e.auditor(), a.Ref, 4, internalaudit.ItemUpdate{Version: 1, Result: ptr("conforming")})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Update(e.ctx, e.manager(), a.Ref, internalaudit.AuditUpdate{Version: 2, Clauses: &[]string{"8"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "clauses")
			_, err = e.svc.Report(e.ctx, e.auditor(), a.Ref, internalaudit.ReportRequest{Version: 2, Summary: "s", Conclusion: "c"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "items")
		})
		it, err := e.svc.Record(e.ctx, e.auditor(), a.Ref, 1, internalaudit.ItemUpdate{Version: 1, Result: ptr("major"),
			Notes: ptr("No competence records for the data scientists"), Evidence: &[]string{"ev-2", "EV-1", "EV-2"}})
		if err != nil {
			t.Fatal(err)
		}
		if it.Version != 2 || !cmp.Equal(it.Evidence, []string{"EV-2", "EV-1"}) {
			t.Errorf("item %+v", it)
		}
		for n, r := range map[int]string{2: "observation", 3: "minor"} {
			if _, err := e.svc.Record(e.ctx, e.auditor(), a.Ref, n, internalaudit.ItemUpdate{Version: 1, Result: ptr(r), Notes: ptr("Noted " + r)}); err != nil {
				t.Fatal(err)
			}
		}
		a, err = e.svc.Report(e.ctx, e.auditor(), a.Ref, internalaudit.ReportRequest{Version: 2, Summary: "Competence is weak", Conclusion: "Not yet effective"})
		if err != nil {
			t.Fatal(err)
		}
		var findings []string
		for _, f := range a.Findings {
			findings = append(findings, f.Ref+" "+f.ItemRef+" "+f.Result+" "+f.Requirement+" "+f.NonconformityRef)
		}
		if diff := cmp.Diff([]string{"IA-1/F1 IA-1/C1 major 7.2 NC-1", "IA-1/F2 IA-1/C2 observation 7.3 ", "IA-1/F3 IA-1/C3 minor A.2.2 NC-2"}, findings); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		if a.Status != internalaudit.StatusReported || a.ReportedOn != "2026-03-02" || a.Conclusion != "Not yet effective" {
			t.Errorf("report %s %s %q", a.Status, a.ReportedOn, a.Conclusion)
		}
		r := e.fakes.raised
		if len(r) != 2 || r[0].SourceRef != "IA-1/F1" || r[0].Severity != "major" || !cmp.Equal(r[0].Clauses, []string{"7.2"}) ||
			r[0].OwnerID != e.contributor().UserID || !strings.Contains(r[0].Description, "No competence records") ||
			!strings.Contains(r[0].Description, "EV-2, EV-1") || !cmp.Equal(r[1].Controls, []string{"A.2.2"}) || r[1].Severity != "minor" {
			t.Errorf("raised %+v", r)
		}
		wantEvents := []string{"internal_audit_programme.create IAP-1", "internal_audit.plan IA-1", "internal_audit.start IA-1",
			"internal_audit_item.record IA-1/C1", "internal_audit_item.record IA-1/C2", "internal_audit_item.record IA-1/C3", "internal_audit.report IA-1"}
		got = e.actions(t)
		got[4], got[5] = min(got[4], got[5]), max(got[4], got[5])
		if diff := cmp.Diff(wantEvents, got); diff != "" {
			t.Errorf("audit events (-want +got):\n%s", diff)
		}
		// Frozen: the service refuses, and so does the database.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.manager(), a.Ref, internalaudit.AuditUpdate{Version: a.Version, Title: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.Record(e.ctx, e.auditor(), a.Ref, 1, internalaudit.ItemUpdate{Version: 2, Result: ptr("conforming")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			for _, q := range []string{`UPDATE internal_audits SET title = 'x'`, `UPDATE internal_audit_items SET notes = 'x'`,
				`DELETE FROM internal_audit_scope`, `DELETE FROM internal_audit_auditees`, `UPDATE internal_audit_findings SET nonconformity_ref = ''`} {
				if _, err := d.ExecContext(e.ctx, q); err == nil {
					t.Errorf("%s: the database allowed it", q)
				}
			}
		})
	})
}

// TestReportFailsWhole proves that a nonconformity that cannot be raised
// refuses the whole report: no finding, no status change, no event.
func TestReportFailsWhole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.programme(t)
		req := e.request()
		req.Controls = nil
		a := e.plan(t, req)
		if _, err := e.svc.Start(e.ctx, e.auditor(), a.Ref); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Record(e.ctx, e.auditor(), a.Ref, 1, internalaudit.ItemUpdate{Version: 1, Result: ptr("minor"), Notes: ptr("gap")}); err != nil {
			t.Fatal(err)
		}
		e.fakes.failNC = true
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Report(e.ctx, e.auditor(), a.Ref, internalaudit.ReportRequest{Version: 2, Summary: "s", Conclusion: "c"})
			servicetest.WantCode(t, err, aims.CodeInternal)
		})
	})
}
