package readiness_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/readiness"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestRiskAndImpactClauses walks 6.1.1, 6.1.2, 6.1.4 and 8.2–8.4 through
// the records that move them, one case at a time.
func TestRiskAndImpactClauses(t *testing.T) {
	t0 := servicetest.T0
	healthy := readiness.Risks{CriteriaVersion: 1, CriteriaSetAt: t0.AddDate(0, -3, 0), Open: 3, Assessed: 3, Treated: 3,
		LatestAssessment: "RA-2 (Annual 2026)", LatestAssessmentClosedAt: t0.AddDate(0, 0, -10)}
	two := []readiness.SystemInfo{{ID: "a", Ref: "SYS-1"}, {ID: "b", Ref: "SYS-2"}}
	approved := readiness.Impact{Approved: "IA-1 version 2", ApprovedAt: t0}
	type want struct {
		state  readiness.State
		fix    string
		reason string // a reason that must be among the item's
	}
	tests := []struct {
		name    string
		risks   readiness.Risks
		systems []readiness.SystemInfo
		impacts map[string]readiness.Impact
		want    map[string]want
	}{
		{name: "criteria but no risks", risks: readiness.Risks{CriteriaVersion: 1, CriteriaSetAt: t0},
			want: map[string]want{
				"6.1.1": {readiness.Partial, "/risks/new", "Version 1 of the AI risk criteria has been in force since 2 March 2026."},
				"6.1.2": {readiness.Gap, "/risks/new", "No AI risk is recorded yet."},
				"8.2":   {readiness.Gap, "/risks/new", "No AI risk is recorded and no risk assessment has been closed."},
				"8.3":   {readiness.Gap, "/risks", "No AI risk is assessed, so none can be treated."},
			}},
		{name: "everything in order", risks: healthy, systems: two, impacts: map[string]readiness.Impact{"a": approved, "b": approved},
			want: map[string]want{
				"6.1.1": {readiness.Met, "", "3 open risks are recorded; every one above the appetite is treated or accepted."},
				"6.1.2": {readiness.Met, "", "The latest closed risk assessment is RA-2 (Annual 2026), of 20 February 2026."},
				"6.1.4": {readiness.Met, "", "All 2 active AI systems have an approved impact assessment."},
				"8.2":   {readiness.Met, "", "The latest closed risk assessment is RA-2 (Annual 2026), of 20 February 2026; its results are kept."},
				"8.3":   {readiness.Met, "", "3 of 3 assessed risks have a treatment option chosen."},
				"8.4":   {readiness.Met, "", "All 2 active AI systems have an approved impact assessment."},
			}},
		{name: "unassessed, untreated and overdue", systems: two,
			risks: readiness.Risks{CriteriaVersion: 1, CriteriaSetAt: t0, Open: 4, Assessed: 3, Treated: 1, AboveAppetiteUntreated: 2,
				OverdueReviews: 2, OverdueActions: 1, LatestAssessment: "RA-1 (Annual 2024)", LatestAssessmentClosedAt: t0.AddDate(-1, 0, -1)},
			impacts: map[string]readiness.Impact{"a": {Approved: "IA-1 version 1", Due: true}},
			want: map[string]want{
				"6.1.1": {readiness.Partial, "/risks", "2 risks are above the appetite without a treatment or an acceptance."},
				"6.1.2": {readiness.Partial, "/risks?status=identified", "3 of 4 open risks are assessed."},
				"8.2":   {readiness.Partial, "/risks/overview", "It closed more than a year ago."},
				"8.3":   {readiness.Partial, "/risks/overview", "1 treatment action is past its due date."},
				"6.1.4": {readiness.Partial, "/impact/systems/SYS-2", "1 of 2 active AI systems have an approved impact assessment; 1 has not: SYS-2."},
				"8.4":   {readiness.Partial, "/impact/systems/SYS-1", "1 AI system has an impact assessment due for review: SYS-1."},
			}},
		{name: "no assessment closed", risks: readiness.Risks{CriteriaVersion: 1, Open: 2, Assessed: 2, Treated: 2},
			systems: two, impacts: map[string]readiness.Impact{"a": {}, "b": {}},
			want: map[string]want{
				"6.1.2": {readiness.Partial, "/risk-assessments", "No risk assessment has been closed, so no results are kept."},
				"8.2":   {readiness.Gap, "/risk-assessments", "No risk assessment has been closed, so no results are kept."},
				"6.1.4": {readiness.Gap, "/impact/new", "No active AI system has an approved impact assessment."},
				"8.4":   {readiness.Gap, "/impact/new", "No active AI system has an approved impact assessment."},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := dbtest.New(t, db.SQLite)
			rec := &records{soa: readiness.SoA{Entries: map[string]readiness.Entry{}}, risks: tc.risks, systems: tc.systems, impacts: tc.impacts}
			svc, _, viewer := newService(t, d, rec)
			r, err := svc.Compute(context.Background(), viewer)
			if err != nil {
				t.Fatal(err)
			}
			c := byID(r.Clauses)
			for id, w := range tc.want {
				it := c[id]
				if it.State != w.state || it.Fix != w.fix || !strings.Contains(strings.Join(it.Reasons, "\n"), w.reason) {
					t.Errorf("%s = %s, fix %q, reasons %q; want %s, fix %q, and %q", id, it.State, it.Fix, it.Reasons, w.state, w.fix, w.reason)
				}
			}
		})
	}
}

// TestOperationClause: 8.1 is met when every applicable control is
// implemented and no supplier assessment is due; open changes are reported.
func TestOperationClause(t *testing.T) {
	entries := map[string]readiness.Entry{}
	for _, c := range catalog.BuiltinControls() {
		entries[c.ID] = readiness.Entry{Applicable: true, Justification: "needed", Status: "implemented", OwnerID: "u"}
	}
	tests := []struct {
		name   string
		ops    readiness.Operations
		state  readiness.State
		fix    string
		reason string
	}{
		{"in order", readiness.Operations{}, readiness.Met, "", "No supplier assessment is due."},
		{"changes open", readiness.Operations{ChangesRequested: 2, ChangesApproved: 1}, readiness.Met, "",
			"Change control: 2 change requests await a decision; 1 approved change is not implemented yet."},
		{"suppliers due", readiness.Operations{SuppliersDue: []string{"TP-1", "TP-3"}}, readiness.Partial, "/suppliers",
			"2 suppliers are due for assessment: TP-1, TP-3."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := dbtest.New(t, db.SQLite)
			svc, _, viewer := newService(t, d, &records{soa: readiness.SoA{Entries: entries}, ops: tc.ops})
			r, err := svc.Compute(context.Background(), viewer)
			if err != nil {
				t.Fatal(err)
			}
			it := byID(r.Clauses)["8.1"]
			if it.State != tc.state || it.Fix != tc.fix || !strings.Contains(strings.Join(it.Reasons, "\n"), tc.reason) {
				t.Errorf("8.1 = %s, fix %q, reasons %q; want %s, %q and %q", it.State, it.Fix, it.Reasons, tc.state, tc.fix, tc.reason)
			}
		})
	}
}
