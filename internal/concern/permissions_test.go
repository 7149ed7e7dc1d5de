package concern_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/concern"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestPermissions tries every method as every role: everyone reports;
// only owners and managers read, answer and configure; auditors, though
// they read everything else, are refused concerns' contents.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role   aims.Role
		handle aims.Code
	}{
		{aims.RoleOwner, ok}, {aims.RoleManager, ok}, {aims.RoleContributor, forbidden}, {aims.RoleAuditor, forbidden}, {aims.RoleViewer, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.report(t, aims.RoleViewer, concern.ReportRequest{Category: "other", Summary: "S", Description: "D"})
		for _, tc := range tests {
			a := e.as[tc.role]
			t.Run(string(tc.role), func(t *testing.T) {
				check := func(method string, want aims.Code, call func() error) {
					t.Helper()
					if want == ok {
						if err := call(); err != nil {
							t.Errorf("%s: %v", method, err)
						}
						return
					}
					servicetest.Unchanged(t, d, func() { servicetest.WantCode(t, call(), want) })
				}
				check("Report", ok, func() error {
					_, err := e.svc.Report(e.ctx, a, concern.ReportRequest{Category: "other", Summary: "S", Description: "D", Anonymous: true})
					return err
				})
				check("Get", tc.handle, func() error { _, err := e.svc.Get(e.ctx, a, "CON-1"); return err })
				check("List", tc.handle, func() error { _, err := e.svc.List(e.ctx, a, concern.Query{}); return err })
				check("History", tc.handle, func() error { _, err := e.svc.History(e.ctx, a, "CON-1"); return err })
				check("Settings", tc.handle, func() error { _, err := e.svc.Settings(e.ctx, a); return err })
				check("AddNote", tc.handle, func() error {
					_, err := e.svc.AddNote(e.ctx, a, "CON-1", concern.NoteRequest{Body: "n"})
					return err
				})
				v := servicetest.Count(t, d, `SELECT version FROM concerns WHERE ref = 'CON-1' AND org_id = ?`, e.org)
				check("Update", tc.handle, func() error {
					_, err := e.svc.Update(e.ctx, a, "CON-1", concern.UpdateRequest{Version: v, Status: ptr(map[bool]string{true: "under_review", false: "received"}[v%2 == 1])})
					return err
				})
				sv := servicetest.Count(t, d, `SELECT COALESCE(max(version), 0) FROM concern_settings WHERE org_id = ?`, e.org)
				check("SetPublic", tc.handle, func() error {
					_, _, err := e.svc.SetPublic(e.ctx, a, concern.SettingsRequest{Version: sv, PublicEnabled: sv%2 == 0})
					return err
				})
			})
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Report(e.ctx, nil, concern.ReportRequest{Category: "other", Summary: "S", Description: "D"})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.List(e.ctx, nil, concern.Query{})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		})
	})
}

// TestOrganisationsAreIsolated proves another organisation can neither read nor change Acme's concerns.
func TestOrganisationsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.report(t, aims.RoleViewer, concern.ReportRequest{Category: "other", Summary: "S", Description: "D"})
		id := servicetest.RowsOf(t, d, `SELECT id FROM concerns`)[0][len("id="):]
		out := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		for _, key := range []string{id, "CON-1"} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.Get(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Update(e.ctx, out, key, concern.UpdateRequest{Version: 1, Status: ptr("closed")})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.AddNote(e.ctx, out, key, concern.NoteRequest{Body: "x"})
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		if l, err := e.svc.List(e.ctx, out, concern.Query{Status: "all"}); err != nil || len(l) != 0 {
			t.Errorf("outsider's list %+v, %v", l, err)
		}
		if rs, _ := e.svc.Reminders(e.ctx, out.OrgID); len(rs) != 0 {
			t.Errorf("outsider's reminders %+v", rs)
		}
	})
}

// TestSummaryAndReminders checks counts and the 7-day reminder against dates worked out by hand.
func TestSummaryAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		req := concern.ReportRequest{Category: "privacy", Summary: "S", Description: "D"}
		// CON-1 on Monday 2 March 2026 09:00, CON-2 on Wednesday 4 March 09:00, CON-3 on Friday 6 March 09:00.
		e.report(t, aims.RoleViewer, req)
		e.clock.Advance(48 * time.Hour)
		e.report(t, aims.RoleViewer, req)
		e.clock.Advance(48 * time.Hour)
		e.report(t, aims.RoleViewer, req)
		// CON-2 is answered on 6 March.
		if _, err := e.svc.Update(e.ctx, e.manager(), "CON-2", concern.UpdateRequest{Version: 1, Answer: ptr("Done")}); err != nil {
			t.Fatal(err)
		}
		// On Monday 9 March 09:00:01, CON-1 has waited 7 days and a second.
		e.clock.Advance(72*time.Hour + time.Second)
		rs, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"CON-1"}
		var got []string
		for _, r := range rs {
			got = append(got, r.Ref)
			if r.Kind != aims.ReminderActionOverdue || r.Link != "/concerns/CON-1" || !r.Due.Equal(time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)) ||
				r.Title != "CON-1, reported on 2 March 2026, has had no answer for more than 7 days" {
				t.Errorf("reminder %+v", r)
			}
		}
		if !cmp.Equal(want, got) {
			t.Errorf("reminders %v, want %v", got, want)
		}
		s, err := e.svc.Summary(e.ctx, e.org, time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		wantSum := &concern.Summary{Reported: 2, Open: 2, Answered: 1, Overdue: 1, OldestOpen: servicetest.T0}
		if diff := cmp.Diff(wantSum, s); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		// By Friday 13 March 09:00:01, CON-3 is overdue too; CON-2, answered, never is.
		e.clock.Advance(4 * 24 * time.Hour)
		if rs, _ := e.svc.Reminders(e.ctx, e.org); len(rs) != 2 || rs[1].Ref != "CON-3" {
			t.Errorf("reminders on 13 March %+v", rs)
		}
		if s, _ := e.svc.Summary(e.ctx, e.org, time.Time{}); s.Reported != 3 || s.Overdue != 2 {
			t.Errorf("summary of all %+v", s)
		}
	})
}

// TestFailClosed proves that a change whose audit event cannot be written changes nothing.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		rc := e.report(t, aims.RoleViewer, concern.ReportRequest{Category: "other", Summary: "S", Description: "D"})
		secret := e.publicLink(t)
		servicetest.FailAuditAppends(t, d)
		req := concern.ReportRequest{Category: "other", Summary: "S", Description: "D"}
		for name, do := range map[string]func() error{
			"Report": func() error { _, err := e.svc.Report(e.ctx, e.as[aims.RoleViewer], req); return err },
			"ReportAnonymous": func() error {
				r := req
				r.Anonymous = true
				_, err := e.svc.Report(e.ctx, e.as[aims.RoleViewer], r)
				return err
			},
			"ReportPublic": func() error { _, err := e.svc.ReportPublic(e.ctx, secret, req); return err },
			"FollowUp":     func() error { return e.svc.FollowUp(e.ctx, rc.Secret, concern.FollowUpRequest{Body: "x"}) },
			"AddNote": func() error {
				_, err := e.svc.AddNote(e.ctx, e.manager(), "CON-1", concern.NoteRequest{Body: "x"})
				return err
			},
			"Update": func() error {
				_, err := e.svc.Update(e.ctx, e.manager(), "CON-1", concern.UpdateRequest{Version: 1, Answer: ptr("x")})
				return err
			},
			"RotateLink": func() error { _, _, err := e.svc.RotateLink(e.ctx, e.manager(), 1); return err },
		} {
			t.Run(name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					if err := do(); err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
	})
}
