package internalaudit_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestSummaryAndReminders checks the counts, dates and reminders against
// values worked out by hand. The clock stands at Monday 2 March 2026.
func TestSummaryAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sum, err := e.svc.Summary(e.ctx, e.org, time.Time{})
		if err != nil || sum.Programme || sum.Planned != 0 || len(sum.Overdue) != 0 {
			t.Fatalf("empty summary %+v, %v", sum, err)
		}
		e.programme(t)
		plan := func(title, start, end string) *internalaudit.Audit {
			req := e.request()
			req.Title, req.Controls, req.PlannedStart, req.PlannedEnd = title, nil, start, end
			return e.plan(t, req)
		}
		plan("Ended last week", "2026-02-16", "2026-02-23")        // IA-1: overdue since 24 February
		plan("Starts in 14 days", "2026-03-16", "2026-03-18")      // IA-2: 2 March + 14 days = 16 March, reminded
		plan("Starts in 15 days", "2026-03-17", "2026-03-18")      // IA-3: not yet
		done := plan("Reported today", "2026-03-02", "2026-03-02") // IA-4: reported below
		if _, err := e.svc.Start(e.ctx, e.auditor(), done.Ref); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Record(e.ctx, e.auditor(), done.Ref, 1, internalaudit.ItemUpdate{Version: 1, Result: ptr("major"), Notes: ptr("gap")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Report(e.ctx, e.auditor(), done.Ref, internalaudit.ReportRequest{Version: 2, Summary: "s", Conclusion: "c"}); err != nil {
			t.Fatal(err)
		}
		rs, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		want := []aims.Reminder{
			{Key: "internal_audit:IA-1:report:2026-02-23", Kind: aims.ReminderActionOverdue, Ref: "IA-1",
				Title: "Internal audit IA-1 (Ended last week) was planned to end on 2026-02-23 and has no report",
				Due:   time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC), Link: "/internal-audits/IA-1"},
			{Key: "internal_audit:IA-2:start:2026-03-16", Kind: aims.ReminderReviewDue, Ref: "IA-2",
				Title: "Internal audit IA-2 (Starts in 14 days) is planned to start on 2026-03-16",
				Due:   time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC), Link: "/internal-audits/IA-2", UserIDs: []string{e.auditor().UserID}},
		}
		if diff := cmp.Diff(want, rs); diff != "" {
			t.Errorf("reminders (-want +got):\n%s", diff)
		}
		sum, err = e.svc.Summary(e.ctx, e.org, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		wantSum := &internalaudit.Summary{Programme: true, Planned: 3, Completed: 1, LastReportedOn: "2026-03-02",
			Findings: map[string]int{"major": 1}, Overdue: []string{"IA-1"}}
		if diff := cmp.Diff(wantSum, sum); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		sum, err = e.svc.Summary(e.ctx, e.org, servicetest.T0.Add(time.Hour))
		if err != nil || sum.Completed != 0 || len(sum.Findings) != 0 || sum.LastReportedOn != "2026-03-02" {
			t.Errorf("summary since an hour later: %+v, %v", sum, err)
		}
		page, err := e.svc.List(e.ctx, e.viewer(), internalaudit.AuditQuery{Overdue: true})
		if err != nil || page.Total != 1 || page.Items[0].Ref != "IA-1" || !page.Items[0].Overdue {
			t.Errorf("overdue list %+v, %v", page, err)
		}
	})
}

// TestPermissions tries every change as every role and from another
// organisation: leads plan; only the audit's own auditor conducts, whatever
// their role; everyone reads; another organisation finds nothing.
func TestPermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.programme(t)
		a := e.plan(t, e.request())
		for _, r := range aims.Roles {
			actor := e.as[r]
			lead := r == aims.RoleOwner || r == aims.RoleManager
			t.Run(string(r), func(t *testing.T) {
				if _, err := e.svc.Get(e.ctx, actor, a.Ref); err != nil {
					t.Errorf("Get: %v", err)
				}
				if !lead {
					servicetest.Unchanged(t, d, func() {
						_, err := e.svc.CreateProgramme(e.ctx, actor, internalaudit.ProgrammeRequest{CycleStart: "2030-01-01", Objectives: "x"})
						servicetest.WantCode(t, err, aims.CodeForbidden)
						_, err = e.svc.UpdateProgramme(e.ctx, actor, "IAP-1", internalaudit.ProgrammeUpdate{Version: 1, Methods: ptr("x")})
						servicetest.WantCode(t, err, aims.CodeForbidden)
						_, err = e.svc.Plan(e.ctx, actor, e.request())
						servicetest.WantCode(t, err, aims.CodeForbidden)
						_, err = e.svc.Update(e.ctx, actor, a.Ref, internalaudit.AuditUpdate{Version: 1, Title: ptr("x")})
						servicetest.WantCode(t, err, aims.CodeForbidden)
					})
				}
				if r != aims.RoleAuditor {
					servicetest.Unchanged(t, d, func() {
						_, err := e.svc.Start(e.ctx, actor, a.Ref)
						servicetest.WantCode(t, err, aims.CodeForbidden)
					})
				}
			})
		}
		stranger := e.member(t, "Other Ltd", "owner@other.example", "Other owner", aims.RoleOwner)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Get(e.ctx, stranger, a.Ref)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.GetProgramme(e.ctx, stranger, "IAP-1")
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Update(e.ctx, stranger, a.Ref, internalaudit.AuditUpdate{Version: 1, Title: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Start(e.ctx, stranger, a.Ref)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Plan(e.ctx, stranger, e.request())
			servicetest.WantFields(t, err, aims.CodeInvalid, "auditee_ids", "auditor_id", "programme")
		})
		page, err := e.svc.List(e.ctx, stranger, internalaudit.AuditQuery{})
		if err != nil || page.Total != 0 {
			t.Errorf("another organisation lists %+v, %v", page, err)
		}
		// A contributor assigned as auditor conducts; the auditor role plans nothing but conducts its own audits.
		req := e.request()
		req.AuditorID, req.AuditeeIDs = e.contributor().UserID, nil
		b := e.plan(t, req)
		if _, err := e.svc.Start(e.ctx, e.contributor(), b.Ref); err != nil {
			t.Errorf("contributor as auditor: %v", err)
		}
	})
}

// TestFailClosed proves that a change whose audit event cannot be written is refused whole.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.programme(t)
		req := e.request()
		req.Controls = nil
		a := e.plan(t, req)
		b := e.plan(t, req)
		if _, err := e.svc.Start(e.ctx, e.auditor(), b.Ref); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Record(e.ctx, e.auditor(), b.Ref, 1, internalaudit.ItemUpdate{Version: 1, Result: ptr("conforming")}); err != nil {
			t.Fatal(err)
		}
		servicetest.FailAuditAppends(t, d)
		servicetest.Unchanged(t, d, func() {
			for name, call := range map[string]func() error{
				"CreateProgramme": func() error {
					_, err := e.svc.CreateProgramme(e.ctx, e.owner(), internalaudit.ProgrammeRequest{CycleStart: "2030-01-01", Objectives: "x"})
					return err
				},
				"UpdateProgramme": func() error {
					_, err := e.svc.UpdateProgramme(e.ctx, e.owner(), "IAP-1", internalaudit.ProgrammeUpdate{Version: 1, Methods: ptr("x")})
					return err
				},
				"Plan": func() error { _, err := e.svc.Plan(e.ctx, e.manager(), req); return err },
				"Update": func() error {
					_, err := e.svc.Update(e.ctx, e.manager(), a.Ref, internalaudit.AuditUpdate{Version: 1, Title: ptr("x")})
					return err
				},
				"Start": func() error { _, err := e.svc.Start(e.ctx, e.auditor(), a.Ref); return err },
				"Record": func() error {
					_, err := e.svc.Record(e.ctx, e.auditor(), b.Ref, 1, internalaudit.ItemUpdate{Version: 2, Notes: ptr("x")})
					return err
				},
				"Report": func() error {
					_, err := e.svc.Report(e.ctx, e.auditor(), b.Ref, internalaudit.ReportRequest{Version: 2, Summary: "s", Conclusion: "c"})
					return err
				},
			} {
				if err := call(); err == nil {
					t.Errorf("%s succeeded with a failing audit log", name)
				}
			}
		})
	})
}
