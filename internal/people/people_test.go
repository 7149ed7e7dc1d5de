package people_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestRoles records, changes, archives and restores AIMS roles, checking
// validation, the audit events and another organisation's view.
func TestRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.manager()
		globex := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		e.competence(t, "Statistics")
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateRole(e.ctx, m, people.RoleRequest{Name: " ", Members: []string{"owner@globex.example"},
				Competences: []string{"COMP-9"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "competences", "members", "name", "responsibilities")
		})
		r := e.role(t, people.RoleRequest{Name: "AI system owner", Responsibilities: "Answers for a system.", Authorities: "Approves releases.",
			Members: []string{"viewer@acme.example", e.owner().UserID, "VIEWER@acme.example"}, Competences: []string{"statistics"}})
		if r.Ref != "ROLE-1" || r.Version != 1 || len(r.Members) != 2 || r.Members[0].Email != "owner@acme.example" ||
			len(r.Competences) != 1 || r.Competences[0].Ref != "COMP-1" {
			t.Fatalf("role %+v", r)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != people.ActionRoleCreate || ev.Object.Ref != "ROLE-1" {
			t.Errorf("event %+v", ev)
		}
		if got := servicetest.ChangeMap(t, ev)["members"]; got[1] != `["owner@acme.example","viewer@acme.example"]` {
			t.Errorf("members change %v", got)
		}
		_, err := e.svc.CreateRole(e.ctx, m, people.RoleRequest{Name: "ai SYSTEM owner", Responsibilities: "x"})
		servicetest.WantFields(t, err, aims.CodeConflict, "name")

		r, err = e.svc.UpdateRole(e.ctx, m, "role-1", people.RoleUpdate{Version: 1, ReportsToTopManagement: ptr(true), Members: &[]string{}})
		if err != nil || r.Version != 2 || !r.ReportsToTopManagement || len(r.Members) != 0 {
			t.Fatalf("update %+v %v", r, err)
		}
		ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if diff := cmp.Diff(map[string][2]string{"reports_to_top_management": {"false", "true"},
			"members": {`["owner@acme.example","viewer@acme.example"]`, "[]"}}, ch); diff != "" {
			t.Errorf("update changes (-want +got):\n%s", diff)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateRole(e.ctx, m, "ROLE-1", people.RoleUpdate{Version: 1, Name: ptr("Stale")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		if same, err := e.svc.UpdateRole(e.ctx, m, "ROLE-1", people.RoleUpdate{Version: 2, Name: ptr(" AI system owner ")}); err != nil || same.Version != 2 {
			t.Errorf("no-op update %+v %v", same, err)
		}
		if r, err = e.svc.ArchiveRole(e.ctx, m, "ROLE-1"); err != nil || r.Status != people.StatusArchived {
			t.Fatalf("archive %+v %v", r, err)
		}
		_, err = e.svc.UpdateRole(e.ctx, m, "ROLE-1", people.RoleUpdate{Version: r.Version, Name: ptr("x")})
		servicetest.WantCode(t, err, aims.CodeConflict)
		if list, err := e.svc.ListRoles(e.ctx, e.viewer(), people.RoleQuery{}); err != nil || len(list) != 0 {
			t.Errorf("active roles %+v %v", list, err)
		}
		if r, err = e.svc.RestoreRole(e.ctx, m, "ROLE-1"); err != nil || r.Status != people.StatusActive {
			t.Fatalf("restore %+v %v", r, err)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-4:], []string{people.ActionRoleCreate, people.ActionRoleUpdate,
			people.ActionRoleArchive, people.ActionRoleRestore}) {
			t.Errorf("actions %v", got)
		}
		hist, err := e.svc.RoleHistory(e.ctx, e.viewer(), "ROLE-1")
		if err != nil || len(hist) != 4 {
			t.Errorf("history %d %v", len(hist), err)
		}
		// Another organisation sees none of it.
		_, err = e.svc.GetRole(e.ctx, globex, "ROLE-1")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		_, err = e.svc.UpdateRole(e.ctx, globex, r.ID, people.RoleUpdate{Version: r.Version, Name: ptr("x")})
		servicetest.WantCode(t, err, aims.CodeNotFound)
		if list, err := e.svc.ListRoles(e.ctx, globex, people.RoleQuery{Status: "all"}); err != nil || len(list) != 0 {
			t.Errorf("globex roles %+v %v", list, err)
		}
	})
}

// TestCompetencesAndCourses records competences and courses, with their validation and cross-references.
func TestCompetencesAndCourses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.manager()
		e.competence(t, "Statistics")
		_, err := e.svc.CreateCompetence(e.ctx, m, people.CompetenceRequest{Name: "STATISTICS"})
		servicetest.WantFields(t, err, aims.CodeConflict, "name")
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateCourse(e.ctx, m, people.CourseRequest{Title: "", ValidityMonths: 601, Competences: []string{"Nope"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "competences", "title", "validity_months")
		})
		c := e.course(t, people.CourseRequest{Title: "Statistics for model validation", Provider: "internal", ValidityMonths: 24, Competences: []string{"COMP-1"}})
		if c.Ref != "CRS-1" || c.ValidityMonths != 24 || len(c.Competences) != 1 {
			t.Fatalf("course %+v", c)
		}
		e.role(t, people.RoleRequest{Name: "Model validator", Responsibilities: "Validates models.", Competences: []string{"COMP-1"}})
		comp, err := e.svc.GetCompetence(e.ctx, e.viewer(), "COMP-1")
		if err != nil || refsOfLinks(comp.RequiredBy)[0] != "ROLE-1" || refsOfLinks(comp.ConferredBy)[0] != "CRS-1" {
			t.Errorf("competence %+v %v", comp, err)
		}
		if c, err = e.svc.UpdateCourse(e.ctx, m, "CRS-1", people.CourseUpdate{Version: 1, ValidityMonths: ptr(0)}); err != nil || c.Version != 2 || c.ValidityMonths != 0 {
			t.Errorf("course update %+v %v", c, err)
		}
		if _, err := e.svc.ArchiveCompetence(e.ctx, m, "COMP-1"); err != nil {
			t.Fatal(err)
		}
		// An archived competence cannot be newly required, but one already listed may stay.
		_, err = e.svc.CreateCourse(e.ctx, m, people.CourseRequest{Title: "Other", Competences: []string{"COMP-1"}})
		servicetest.WantFields(t, err, aims.CodeInvalid, "competences")
		if _, err := e.svc.UpdateCourse(e.ctx, m, "CRS-1", people.CourseUpdate{Version: 2, Provider: ptr("Stats Ltd"), Competences: &[]string{"COMP-1"}}); err != nil {
			t.Errorf("keeping an archived competence: %v", err)
		}
		if list, err := e.svc.ListCompetences(e.ctx, e.viewer(), people.CompetenceQuery{Status: "archived", Q: "stat"}); err != nil || len(list) != 1 {
			t.Errorf("archived competences %+v %v", list, err)
		}
		if list, err := e.svc.ListCourses(e.ctx, e.viewer(), people.CourseQuery{Q: "stats ltd"}); err != nil || len(list) != 1 {
			t.Errorf("courses %+v %v", list, err)
		}
		_, err = e.svc.ListCourses(e.ctx, e.viewer(), people.CourseQuery{Status: "gone"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "status")
	})
}

// TestRecords records training by course and by activity, with computed
// and entered expiry, evidence, corrections and withdrawals, and proves
// the records cannot be changed in the database.
func TestRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		globex := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		e.competence(t, "Statistics")
		e.course(t, people.CourseRequest{Title: "Monthly refresher", ValidityMonths: 1, Competences: []string{"COMP-1"}})
		e.course(t, people.CourseRequest{Title: "Induction"})
		ev := e.evidence(e.org, "EV-1", "Certificate")
		e.evidence(globex.OrgID, "EV-2", "Globex certificate")
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.RecordTraining(e.ctx, c, people.RecordRequest{Person: "owner@globex.example", Course: "CRS-1", Activity: "education",
				CompletedOn: "2026-03-03", Evidence: []string{"EV-2"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "activity", "completed_on", "evidence", "person")
			_, err = e.svc.RecordTraining(e.ctx, c, people.RecordRequest{Person: "owner@acme.example", Activity: "hobby", CompletedOn: "2026-13-01"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "activity", "activity_title", "competences", "completed_on")
			_, err = e.svc.RecordTraining(e.ctx, c, people.RecordRequest{Person: "owner@acme.example", Course: "CRS-1", ExpiresOn: "2026-12-31",
				Competences: []string{"COMP-1"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "competences", "expires_on")
			_, err = e.svc.RecordTraining(e.ctx, c, people.RecordRequest{Person: "owner@acme.example"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "course")
			_, err = e.svc.RecordTraining(e.ctx, c, people.RecordRequest{Person: "owner@acme.example", Course: "CRS-2", CompletedOn: "2026-03-01", ExpiresOn: "2026-03-01"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "expires_on")
		})
		// A one-month course completed on 31 January expires on 28 February.
		r := e.record(t, people.RecordRequest{Person: "owner@acme.example", Course: "crs-1", CompletedOn: "2026-01-31", Evidence: []string{"ev-1", ev.ID}})
		if r.Ref != "TR-1" || r.ExpiresOn != "2026-02-28" || r.State != people.RecordExpired || len(r.Evidence) != 1 ||
			r.Evidence[0].Title != "Certificate" || r.Competences[0].Ref != "COMP-1" || r.RecordedBy != c.UserID {
			t.Fatalf("record %+v", r)
		}
		ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if ch["expires_on"][1] != `"2026-02-28"` || ch["evidence"][1] != `["EV-1"]` || ch["course"][1] != `"CRS-1"` {
			t.Errorf("record event %v", ch)
		}
		// A course without validity takes an entered expiry; completed today by default.
		r = e.record(t, people.RecordRequest{Person: e.owner().UserID, Course: "CRS-2", ExpiresOn: "2027-01-01"})
		if r.CompletedOn != "2026-03-02" || r.ExpiresOn != "2027-01-01" || r.State != people.RecordCurrent || len(r.Competences) != 0 {
			t.Errorf("induction %+v", r)
		}
		// Corrections: a record replaced once cannot be replaced or withdrawn again.
		r = e.record(t, people.RecordRequest{Replaces: "TR-1", Course: "CRS-1", CompletedOn: "2026-02-20"})
		if r.Ref != "TR-3" || r.ExpiresOn != "2026-03-20" || r.Person.Email != "owner@acme.example" {
			t.Errorf("correction %+v", r)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-2:], []string{people.ActionRecordCreate, people.ActionRecordReplace}) {
			t.Errorf("correction actions %v", got)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.RecordTraining(e.ctx, c, people.RecordRequest{Replaces: "TR-1", Course: "CRS-1"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "replaces")
			_, err = e.svc.RecordTraining(e.ctx, c, people.RecordRequest{Replaces: "TR-3", Person: "manager@acme.example", Course: "CRS-1"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "person")
			_, err = e.svc.WithdrawRecord(e.ctx, c, "TR-1", people.WithdrawRequest{Reason: "x"})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.WithdrawRecord(e.ctx, c, "TR-3", people.WithdrawRequest{Reason: " "})
			servicetest.WantFields(t, err, aims.CodeInvalid, "reason")
		})
		old, err := e.svc.GetRecord(e.ctx, e.viewer(), "TR-1")
		if err != nil || old.State != people.RecordReplaced || old.ReplacedBy != "TR-3" {
			t.Errorf("replaced %+v %v", old, err)
		}
		w, err := e.svc.WithdrawRecord(e.ctx, c, "TR-3", people.WithdrawRequest{Reason: "Duplicate"})
		if err != nil || w.State != people.RecordWithdrawn || w.Withdrawal.Reason != "Duplicate" || w.Withdrawal.By != c.UserID {
			t.Fatalf("withdraw %+v %v", w, err)
		}
		_, err = e.svc.WithdrawRecord(e.ctx, c, "TR-3", people.WithdrawRequest{Reason: "again"})
		servicetest.WantCode(t, err, aims.CodeConflict)
		page, err := e.svc.ListRecords(e.ctx, e.viewer(), people.RecordQuery{Person: "owner@acme.example", State: people.RecordCurrent})
		if err != nil || page.Total != 1 || page.Items[0].Ref != "TR-2" {
			t.Errorf("current records %+v %v", page, err)
		}
		for state, want := range map[string]int{"all": 3, people.RecordReplaced: 1, people.RecordWithdrawn: 1, people.RecordExpired: 0} {
			if page, err := e.svc.ListRecords(e.ctx, e.viewer(), people.RecordQuery{State: state}); err != nil || page.Total != want {
				t.Errorf("%s records: %+v %v, want %d", state, page, err, want)
			}
		}
		if page, err := e.svc.ListRecords(e.ctx, e.viewer(), people.RecordQuery{Competence: "COMP-1", Course: "CRS-1"}); err != nil || page.Total != 2 {
			t.Errorf("records of COMP-1 %+v %v", page, err)
		}
		_, err = e.svc.ListRecords(e.ctx, e.viewer(), people.RecordQuery{Person: "nobody@acme.example", State: "old"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "state")
		_, err = e.svc.GetRecord(e.ctx, globex, "TR-1")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		if hist, err := e.svc.RecordHistory(e.ctx, e.viewer(), "TR-1"); err != nil || len(hist) != 2 {
			t.Errorf("TR-1 history %d %v", len(hist), err)
		}
		// The database refuses to change or delete what was recorded.
		for _, stmt := range []string{`UPDATE training_records SET notes = 'x'`, `DELETE FROM training_record_evidence`,
			`DELETE FROM training_withdrawals`, `UPDATE training_record_competences SET competence_id = competence_id`} {
			if _, err := d.ExecContext(e.ctx, stmt); err == nil {
				t.Errorf("%s was allowed", stmt)
			}
		}
	})
}
