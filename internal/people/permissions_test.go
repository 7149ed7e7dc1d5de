package people_test

import (
	"fmt"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions tries every change as every role: owners and managers
// set up roles, competences and courses; editors record and withdraw
// training; everyone reads. A refused change changes nothing.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role           aims.Role
		manage, record aims.Code
	}{
		{aims.RoleOwner, ok, ok},
		{aims.RoleManager, ok, ok},
		{aims.RoleContributor, forbidden, ok},
		{aims.RoleAuditor, forbidden, forbidden},
		{aims.RoleViewer, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.competence(t, "Base")
		e.course(t, people.CourseRequest{Title: "Base"})
		e.role(t, people.RoleRequest{Name: "Base", Responsibilities: "x"})
		for i, tc := range tests {
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
				name := fmt.Sprintf("Thing %d", i)
				version := func(get func() (int, error)) int {
					v, err := get()
					if err != nil {
						t.Fatal(err)
					}
					return v
				}
				check("CreateCompetence", tc.manage, func() error {
					_, err := e.svc.CreateCompetence(e.ctx, a, people.CompetenceRequest{Name: name})
					return err
				})
				cv := version(func() (int, error) { c, err := e.svc.GetCompetence(e.ctx, a, "COMP-1"); return c.Version, err })
				check("UpdateCompetence", tc.manage, func() error {
					_, err := e.svc.UpdateCompetence(e.ctx, a, "COMP-1", people.CompetenceUpdate{Version: cv, Description: ptr(name)})
					return err
				})
				check("ArchiveCompetence", tc.manage, func() error { _, err := e.svc.ArchiveCompetence(e.ctx, a, "COMP-1"); return err })
				check("RestoreCompetence", tc.manage, func() error { _, err := e.svc.RestoreCompetence(e.ctx, a, "COMP-1"); return err })
				check("CreateCourse", tc.manage, func() error {
					_, err := e.svc.CreateCourse(e.ctx, a, people.CourseRequest{Title: name})
					return err
				})
				kv := version(func() (int, error) { c, err := e.svc.GetCourse(e.ctx, a, "CRS-1"); return c.Version, err })
				check("UpdateCourse", tc.manage, func() error {
					_, err := e.svc.UpdateCourse(e.ctx, a, "CRS-1", people.CourseUpdate{Version: kv, Description: ptr(name)})
					return err
				})
				check("ArchiveCourse", tc.manage, func() error { _, err := e.svc.ArchiveCourse(e.ctx, a, "CRS-1"); return err })
				check("RestoreCourse", tc.manage, func() error { _, err := e.svc.RestoreCourse(e.ctx, a, "CRS-1"); return err })
				check("CreateRole", tc.manage, func() error {
					_, err := e.svc.CreateRole(e.ctx, a, people.RoleRequest{Name: name, Responsibilities: "x"})
					return err
				})
				rv := version(func() (int, error) { r, err := e.svc.GetRole(e.ctx, a, "ROLE-1"); return r.Version, err })
				check("UpdateRole", tc.manage, func() error {
					_, err := e.svc.UpdateRole(e.ctx, a, "ROLE-1", people.RoleUpdate{Version: rv, Authorities: ptr(name)})
					return err
				})
				check("ArchiveRole", tc.manage, func() error { _, err := e.svc.ArchiveRole(e.ctx, a, "ROLE-1"); return err })
				check("RestoreRole", tc.manage, func() error { _, err := e.svc.RestoreRole(e.ctx, a, "ROLE-1"); return err })
				var recorded *people.TrainingRecord
				check("RecordTraining", tc.record, func() error {
					var err error
					recorded, err = e.svc.RecordTraining(e.ctx, a, people.RecordRequest{Person: "viewer@acme.example", Course: "CRS-1"})
					return err
				})
				if recorded == nil {
					// Withdraw one recorded by the owner.
					var err error
					if recorded, err = e.svc.RecordTraining(e.ctx, e.owner(), people.RecordRequest{Person: "viewer@acme.example", Course: "CRS-1"}); err != nil {
						t.Fatal(err)
					}
				}
				check("WithdrawRecord", tc.record, func() error {
					_, err := e.svc.WithdrawRecord(e.ctx, a, recorded.Ref, people.WithdrawRequest{Reason: "test"})
					return err
				})
				for method, call := range map[string]func() error{
					"ListRoles":        func() error { _, err := e.svc.ListRoles(e.ctx, a, people.RoleQuery{}); return err },
					"ListCompetences":  func() error { _, err := e.svc.ListCompetences(e.ctx, a, people.CompetenceQuery{}); return err },
					"ListCourses":      func() error { _, err := e.svc.ListCourses(e.ctx, a, people.CourseQuery{}); return err },
					"ListRecords":      func() error { _, err := e.svc.ListRecords(e.ctx, a, people.RecordQuery{}); return err },
					"CompetenceMatrix": func() error { _, err := e.svc.CompetenceMatrix(e.ctx, a); return err },
					"Person":           func() error { _, err := e.svc.Person(e.ctx, a, a.UserID); return err },
					"RoleHistory":      func() error { _, err := e.svc.RoleHistory(e.ctx, a, "ROLE-1"); return err },
					"RecordHistory":    func() error { _, err := e.svc.RecordHistory(e.ctx, a, recorded.Ref); return err },
				} {
					if err := call(); err != nil {
						t.Errorf("%s: %v", method, err)
					}
				}
			})
		}
		_, err := e.svc.ListRoles(e.ctx, nil, people.RoleQuery{})
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}

// TestFailClosed proves a change whose audit event cannot be written is refused whole.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.manager()
		e.competence(t, "Base")
		e.course(t, people.CourseRequest{Title: "Base", Competences: []string{"COMP-1"}})
		e.role(t, people.RoleRequest{Name: "Base", Responsibilities: "x"})
		e.record(t, people.RecordRequest{Person: "owner@acme.example", Course: "CRS-1"})
		servicetest.FailAuditAppends(t, d)
		for name, do := range map[string]func() error{
			"CreateCompetence": func() error {
				_, err := e.svc.CreateCompetence(e.ctx, m, people.CompetenceRequest{Name: "New"})
				return err
			},
			"UpdateCompetence": func() error {
				_, err := e.svc.UpdateCompetence(e.ctx, m, "COMP-1", people.CompetenceUpdate{Version: 1, Name: ptr("Renamed")})
				return err
			},
			"ArchiveCompetence": func() error { _, err := e.svc.ArchiveCompetence(e.ctx, m, "COMP-1"); return err },
			"CreateCourse":      func() error { _, err := e.svc.CreateCourse(e.ctx, m, people.CourseRequest{Title: "New"}); return err },
			"UpdateCourse": func() error {
				_, err := e.svc.UpdateCourse(e.ctx, m, "CRS-1", people.CourseUpdate{Version: 1, Competences: &[]string{}})
				return err
			},
			"ArchiveCourse": func() error { _, err := e.svc.ArchiveCourse(e.ctx, m, "CRS-1"); return err },
			"CreateRole": func() error {
				_, err := e.svc.CreateRole(e.ctx, m, people.RoleRequest{Name: "New", Responsibilities: "x", Members: []string{"owner@acme.example"}})
				return err
			},
			"UpdateRole": func() error {
				_, err := e.svc.UpdateRole(e.ctx, m, "ROLE-1", people.RoleUpdate{Version: 1, Members: &[]string{"owner@acme.example"}})
				return err
			},
			"ArchiveRole": func() error { _, err := e.svc.ArchiveRole(e.ctx, m, "ROLE-1"); return err },
			"RecordTraining": func() error {
				_, err := e.svc.RecordTraining(e.ctx, m, people.RecordRequest{Replaces: "TR-1", Course: "CRS-1"})
				return err
			},
			"WithdrawRecord": func() error {
				_, err := e.svc.WithdrawRecord(e.ctx, m, "TR-1", people.WithdrawRequest{Reason: "x"})
				return err
			},
		} {
			servicetest.Unchanged(t, d, func() {
				if err := do(); err == nil {
					t.Errorf("%s succeeded without its audit event", name)
				}
			})
		}
	})
}
