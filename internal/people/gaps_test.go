package people_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestAddMonths checks expiry days worked out by hand, including months
// shorter than the day of completion.
func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-03-02", 12, "2027-03-02"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2026-08-31", 6, "2027-02-28"},
		{"2026-12-15", 3, "2027-03-15"},
		{"2026-05-31", 24, "2028-05-31"},
	} {
		from, _ := time.Parse(people.DateLayout, tc.from)
		if got := people.AddMonths(from, tc.months).Format(people.DateLayout); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}

// cell is a matrix cell as the test writes it: state, until, record; "-" when not required.
type cell struct {
	Required           bool
	State, Until, From string
}

func cells(row people.MatrixRow) []cell {
	var out []cell
	for _, c := range row.Cells {
		out = append(out, cell{c.Required, c.State, c.Until, c.Record})
	}
	return out
}

// gapWorld sets up three competences, two courses, three roles and four
// records; see TestGapsAndReminders for the worked-out expectations.
func gapWorld(t *testing.T, e *env) {
	t.Helper()
	e.competence(t, "AI risk assessment")    // COMP-1
	e.competence(t, "EU AI Act obligations") // COMP-2
	e.competence(t, "Internal auditing")     // COMP-3
	e.course(t, people.CourseRequest{Title: "AI governance essentials", Provider: "internal", ValidityMonths: 12,
		Competences: []string{"COMP-1", "eu ai act obligations"}}) // CRS-1
	e.course(t, people.CourseRequest{Title: "ISO/IEC 42001 lead auditor", Provider: "External Academy", Competences: []string{"COMP-3"}}) // CRS-2
	e.role(t, people.RoleRequest{Name: "AI governance lead", Responsibilities: "Keeps the AIMS conformant.", ReportsToTopManagement: true,
		Members: []string{"owner@acme.example", "manager@acme.example"}, Competences: []string{"COMP-1", "COMP-2"}}) // ROLE-1
	e.role(t, people.RoleRequest{Name: "Internal auditor", Responsibilities: "Audits the AIMS.",
		Members: []string{"manager@acme.example", e.contributor().UserID}, Competences: []string{"COMP-3"}}) // ROLE-2
	e.role(t, people.RoleRequest{Name: "Concern handler", Responsibilities: "Answers reported concerns."})        // ROLE-3
	e.record(t, people.RecordRequest{Person: "owner@acme.example", Course: "CRS-1", CompletedOn: "2026-03-02"})   // TR-1, until 2027-03-02
	e.record(t, people.RecordRequest{Person: "manager@acme.example", Course: "CRS-1", CompletedOn: "2025-04-01"}) // TR-2, until 2026-04-01
	e.record(t, people.RecordRequest{Person: "contributor@acme.example", Activity: "experience",
		ActivityTitle: "Ten years of quality audits", Competences: []string{"Internal auditing"}, CompletedOn: "2026-02-15"}) // TR-3, no expiry
	e.record(t, people.RecordRequest{Person: "manager@acme.example", Course: "CRS-1", CompletedOn: "2025-01-10"}) // TR-4, until 2026-01-10
}

// TestGapsAndReminders works out the competence matrix, a person's page,
// the summary and the reminders by hand on three days: T0 (2026-03-02),
// the last day TR-2 counts (2026-03-31) and the day it expires (2026-04-01).
func TestGapsAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		gapWorld(t, e)
		v := e.viewer()
		matrix := func() *people.Matrix {
			t.Helper()
			m, err := e.svc.CompetenceMatrix(e.ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		m := matrix()
		if got := refsOfLinks(m.Competences); !cmp.Equal(got, []string{"COMP-1", "COMP-2", "COMP-3"}) {
			t.Fatalf("columns %v", got)
		}
		var names []string
		for _, r := range m.Rows {
			names = append(names, r.Person.Name)
		}
		if !cmp.Equal(names, []string{"Acme contributor", "Acme manager", "Acme owner"}) {
			t.Fatalf("rows %v", names)
		}
		want := [][]cell{
			{{false, people.Missing, "", ""}, {false, people.Missing, "", ""}, {true, people.Held, "", "TR-3"}},
			{{true, people.Held, "2026-04-01", "TR-2"}, {true, people.Held, "2026-04-01", "TR-2"}, {true, people.Missing, "", ""}},
			{{true, people.Held, "2027-03-02", "TR-1"}, {true, people.Held, "2027-03-02", "TR-1"}, {false, people.Missing, "", ""}},
		}
		for i, r := range m.Rows {
			if diff := cmp.Diff(want[i], cells(r)); diff != "" {
				t.Errorf("row %s (-want +got):\n%s", r.Person.Name, diff)
			}
		}
		if m.Gaps != 1 || m.Rows[1].Gaps != 1 {
			t.Errorf("gaps %d (manager %d), want 1", m.Gaps, m.Rows[1].Gaps)
		}

		sum, err := e.svc.Summary(e.ctx, e.org, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		wantSum := &people.Summary{Roles: 3, Unassigned: []string{"Concern handler"}, People: 3, Gaps: 1, TrainingSince: 4, ReportsToTopManagement: true}
		if diff := cmp.Diff(wantSum, sum); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		if sum, err = e.svc.Summary(e.ctx, e.org, time.Date(2026, 2, 15, 23, 0, 0, 0, time.UTC)); err != nil || sum.TrainingSince != 2 {
			t.Errorf("training since 2026-02-15: %+v %v, want 2 (TR-1, TR-3)", sum, err)
		}

		rem, err := e.svc.Reminders(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		tr2, err := e.svc.GetRecord(e.ctx, v, "TR-2")
		if err != nil {
			t.Fatal(err)
		}
		role3, err := e.svc.GetRole(e.ctx, v, "ROLE-3")
		if err != nil {
			t.Fatal(err)
		}
		wantRem := []aims.Reminder{
			{Key: "training_expiring:" + tr2.ID + ":2026-04-01", Kind: aims.ReminderReviewDue, Ref: "TR-2",
				Title: "Training TR-2 (AI governance essentials) of Acme manager expires on 2026-04-01", Due: date("2026-04-01"),
				Link: "/people/training/TR-2", UserIDs: []string{e.manager().UserID}},
			{Key: "aims_role_unassigned:" + role3.ID + ":1", Kind: aims.ReminderReviewDue, Ref: "ROLE-3",
				Title: "Nobody holds the AIMS role ROLE-3 Concern handler", Due: servicetest.T0, Link: "/people/roles/ROLE-3"},
		}
		if diff := cmp.Diff(wantRem, rem); diff != "" {
			t.Errorf("reminders (-want +got):\n%s", diff)
		}

		// 2026-03-31 is the last day TR-2 counts.
		e.clock.Advance(29 * 24 * time.Hour)
		if c := matrix().Rows[1].Cells[0]; c.State != people.Held {
			t.Errorf("on 2026-03-31 the manager's COMP-1 is %+v, want held", c)
		}
		// From 2026-04-01 it no longer counts: TR-2 expired, its expiry is later than TR-4's.
		e.clock.Advance(24 * time.Hour)
		m = matrix()
		wantManager := []cell{{true, people.Expired, "2026-04-01", "TR-2"}, {true, people.Expired, "2026-04-01", "TR-2"}, {true, people.Missing, "", ""}}
		if diff := cmp.Diff(wantManager, cells(m.Rows[1])); diff != "" {
			t.Errorf("manager on 2026-04-01 (-want +got):\n%s", diff)
		}
		if m.Gaps != 3 {
			t.Errorf("gaps on 2026-04-01 = %d, want 3", m.Gaps)
		}
		if rem, err = e.svc.Reminders(e.ctx, e.org); err != nil || len(rem) != 2 ||
			rem[0].Key != "training_expired:"+tr2.ID+":2026-04-01" || rem[0].Title != "Training TR-2 (AI governance essentials) of Acme manager expired on 2026-04-01" {
			t.Errorf("reminders on 2026-04-01: %+v %v", rem, err)
		}

		// A correction of TR-2 counts instead of it; withdrawing the correction brings back the older expiry.
		tr5, err := e.svc.RecordTraining(e.ctx, e.contributor(), people.RecordRequest{Replaces: "TR-2", Course: "CRS-1", CompletedOn: "2026-03-20"})
		if err != nil {
			t.Fatal(err)
		}
		if tr5.Ref != "TR-5" || tr5.Replaces != "TR-2" || tr5.ExpiresOn != "2027-03-20" || tr5.Person.Email != "manager@acme.example" {
			t.Errorf("correction %+v", tr5)
		}
		if c := matrix().Rows[1].Cells[0]; c.State != people.Held || c.Until != "2027-03-20" || c.Record != "TR-5" {
			t.Errorf("after the correction COMP-1 is %+v", c)
		}
		if _, err := e.svc.WithdrawRecord(e.ctx, e.contributor(), "TR-5", people.WithdrawRequest{Reason: "Entered for the wrong person"}); err != nil {
			t.Fatal(err)
		}
		if c := matrix().Rows[1].Cells[0]; c.State != people.Expired || c.Until != "2026-01-10" || c.Record != "TR-4" {
			t.Errorf("after withdrawing TR-5 COMP-1 is %+v, want expired 2026-01-10 TR-4", c)
		}

		// The manager's own page lists what they lack.
		pc, err := e.svc.Person(e.ctx, e.manager(), e.manager().UserID)
		if err != nil {
			t.Fatal(err)
		}
		if pc.Gaps != 3 || len(pc.Competences) != 3 || len(pc.Records) != 3 || refsOfLinks(pc.Roles)[0] != "ROLE-1" ||
			!cmp.Equal(pc.Competences[2].RequiredBy, []string{"ROLE-2"}) {
			t.Errorf("manager's page %+v", pc)
		}
		pc, err = e.svc.Person(e.ctx, v, "contributor@acme.example")
		if err != nil || pc.Gaps != 0 || len(pc.Competences) != 1 || pc.Competences[0].State != people.Held {
			t.Errorf("contributor's page %+v %v", pc, err)
		}
		_, err = e.svc.Person(e.ctx, v, "nobody@acme.example")
		servicetest.WantCode(t, err, aims.CodeNotFound)

		// Archiving a competence removes it from what roles require.
		if _, err := e.svc.ArchiveCompetence(e.ctx, e.manager(), "COMP-3"); err != nil {
			t.Fatal(err)
		}
		if m = matrix(); len(m.Competences) != 2 || m.Gaps != 2 {
			t.Errorf("after archiving COMP-3: %d columns, %d gaps; want 2 and 2", len(m.Competences), m.Gaps)
		}
	})
}

func date(s string) time.Time {
	t, err := time.Parse(people.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func refsOfLinks(ls []people.Named) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Ref)
	}
	return out
}
