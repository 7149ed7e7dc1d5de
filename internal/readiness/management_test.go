package readiness_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/readiness"
	"github.com/aims-dev/aims/internal/servicetest"
)

// running is a management system whose every record is in place on T0.
func running() readiness.Management {
	t0 := servicetest.T0
	return readiness.Management{
		ContextVersion: 2, ContextApprovedAt: t0.AddDate(0, -1, 0), InternalIssues: 3, ExternalIssues: 2, Parties: 4,
		Scope: true, ClimateDecided: true,
		Documents: 3, DocumentsApproved: 3, Policy: "DOC-1 version 2", PolicyApprovedAt: t0.AddDate(0, -2, 0),
		AcknowledgementsRequired: 10, Acknowledged: 10, DocumentsFor: map[string][]string{"7.4": {"DOC-3"}},
		Roles: 2, RoleHolders: 3, TrainingLastYear: 4, Resources: 5,
		Objectives: 1, Indicators: 2, IndicatorsMeasured: 2, IndicatorsOnTarget: 1,
		NCRaised: 2, NCClosed: 1, NCOpen: 1,
		AuditProgramme: true, AuditsPlanned: 1, AuditsLastYear: 1, LastAuditReportOn: "2026-01-15",
		ReviewsHeld: 1, LastReview: "MR-1", LastReviewSignedOff: t0.AddDate(0, -3, 0), ReviewActionsOpen: []string{"MR-1/A1"},
	}
}

// managementClauses are the sub-clauses the management system's records measure.
var managementClauses = []string{"4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.2", "7.1", "7.2", "7.3", "7.4",
	"7.5.1", "7.5.2", "7.5.3", "9.1", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2"}

func TestManagementClauses(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	rec := &records{soa: readiness.SoA{Entries: map[string]readiness.Entry{}}, mgmt: running(),
		systems: []readiness.SystemInfo{{ID: "s1", Ref: "SYS-1", HasRoles: true}}}
	svc, clock, viewer := newService(t, d, rec)
	compute := func() map[string]readiness.Requirement {
		t.Helper()
		r, err := svc.Compute(context.Background(), viewer)
		if err != nil {
			t.Fatal(err)
		}
		return byID(r.Clauses)
	}

	c := compute()
	for _, id := range append([]string{"4.1"}, managementClauses...) {
		if c[id].State != readiness.Met {
			t.Errorf("%s = %s %v, want met", id, c[id].State, c[id].Reasons)
		}
	}
	if got := c["4.1"].Reasons[1]; got != "Version 2 of the context lists 3 internal issues and 2 external issues and decides whether climate change is relevant." {
		t.Errorf("4.1 issues: %q", got)
	}
	if got := c["5.2"].Reasons[0]; got != "The AI policy DOC-1 version 2 was approved on 2 January 2026." {
		t.Errorf("5.2: %q", got)
	}

	// What goes missing or falls due shows as partly met, with the reason and where to fix it.
	m := running()
	m.ClimateDecided = false
	m.RolesUnassigned = []string{"Internal auditor"}
	m.CompetenceGaps = 2
	m.Acknowledged = 7
	m.IndicatorsDue = []string{"OBJ-1 Accuracy"}
	m.DocumentReviewsOverdue = []string{"DOC-2"}
	m.AuditsOverdue = []string{"IA-3"}
	m.NCActionsOverdue = []string{"NC-2/A1"}
	m.ReviewActionsOverdue = []string{"MR-1/A1"}
	rec.mgmt = m
	c = compute()
	want := map[string]string{
		"4.1":   "/context",
		"5.3":   "/people",
		"7.2":   "/people",
		"7.3":   "/documents",
		"7.5.2": "/documents",
		"9.1":   "/objectives",
		"9.2.2": "/internal-audits",
		"9.3.3": "/reviews",
		"10.1":  "/nonconformities",
		"10.2":  "/nonconformities",
	}
	for id, fix := range want {
		if c[id].State != readiness.Partial || c[id].Fix != fix {
			t.Errorf("%s = %s %q %v, want partly met at %s", id, c[id].State, c[id].Fix, c[id].Reasons, fix)
		}
	}
	if got := c["7.3"].Reasons[0]; got != "7 of 10 acknowledgements of the documents in force are recorded." {
		t.Errorf("7.3: %q", got)
	}
	if got := c["10.2"].Reasons[0]; got != "1 corrective action is past due: NC-2/A1." {
		t.Errorf("10.2: %q", got)
	}

	// On 4 December 2026 the review signed off on 2 December 2025 is 367 days old.
	clock.Advance(servicetest.T0.AddDate(0, 9, 2).Sub(servicetest.T0))
	rec.mgmt = running()
	rec.mgmt.AuditsLastYear = 0
	c = compute()
	if c["9.3.1"].State != readiness.Partial || !strings.Contains(c["9.3.1"].Reasons[0], "more than twelve months ago") {
		t.Errorf("9.3.1 after a year: %+v", c["9.3.1"])
	}
	if c["5.1"].State != readiness.Partial {
		t.Errorf("5.1 after a year: %+v", c["5.1"])
	}
	if c["9.2.1"].State != readiness.Partial || c["9.2.1"].Reasons[0] != "The latest internal audit report, of 2026-01-15, is more than twelve months old." {
		t.Errorf("9.2.1 without a recent audit: %+v", c["9.2.1"])
	}
}
