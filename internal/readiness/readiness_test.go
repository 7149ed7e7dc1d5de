package readiness_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/readiness"
	"github.com/aims-dev/aims/internal/servicetest"
)

// records stands in for the other capabilities: readiness only reads what
// they hand over, so the test sets it directly and checks the arithmetic.
type records struct {
	soa      readiness.SoA
	systems  []readiness.SystemInfo
	evidence map[string]int
	risks    readiness.Risks
	impacts  map[string]readiness.Impact
	ops      readiness.Operations
	mgmt     readiness.Management
}

func (r *records) Clauses() []readiness.ClauseInfo {
	var out []readiness.ClauseInfo
	for _, c := range catalog.Clauses() {
		out = append(out, readiness.ClauseInfo{ID: c.ID, Title: c.Title})
	}
	return out
}

func (r *records) Controls(context.Context, string) ([]readiness.ControlInfo, error) {
	var out []readiness.ControlInfo
	for _, c := range catalog.BuiltinControls() {
		out = append(out, readiness.ControlInfo{ID: c.ID, Title: c.Title})
	}
	return out, nil
}

func (r *records) SoA(context.Context, string) (*readiness.SoA, error) { return &r.soa, nil }

func (r *records) Systems(context.Context, string) ([]readiness.SystemInfo, error) {
	return r.systems, nil
}

func (r *records) CurrentEvidence(context.Context, string) (map[string]int, error) {
	return r.evidence, nil
}

func (r *records) Risks(context.Context, string) (*readiness.Risks, error) { return &r.risks, nil }

func (r *records) Operations(context.Context, string) (*readiness.Operations, error) {
	return &r.ops, nil
}

func (r *records) Impacts(context.Context, string) (map[string]readiness.Impact, error) {
	return r.impacts, nil
}

func (r *records) Management(context.Context, string) (*readiness.Management, error) {
	return &r.mgmt, nil
}

func (r *records) Framework(id string) (*readiness.FrameworkInfo, bool) {
	f, ok := catalog.FrameworkByID(id)
	if !ok {
		return nil, false
	}
	out := &readiness.FrameworkInfo{ID: f.ID, Title: f.Title, Authority: f.Authority}
	for _, it := range f.Items {
		out.Items = append(out.Items, readiness.FrameworkItem{ID: it.ID, Title: it.Title, Refs: it.Refs})
	}
	return out, true
}

func newService(t *testing.T, d *db.DB, rec *records) (*readiness.Service, *servicetest.Clock, *aims.Actor) {
	t.Helper()
	ctx := context.Background()
	if _, err := d.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, created_at) VALUES ('org', 'Acme', 'acme', ?)`, servicetest.T0); err != nil {
		t.Fatal(err)
	}
	clock := servicetest.NewClock(servicetest.T0)
	return readiness.New(d, clock.Now, rec), clock, &aims.Actor{Kind: aims.ActorUser, UserID: "u", OrgID: "org", Role: aims.RoleViewer}
}

func byID(items []readiness.Requirement) map[string]readiness.Requirement {
	out := map[string]readiness.Requirement{}
	for _, it := range items {
		out[it.ID] = it
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestNothingRecordedIsNothingMet(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	svc, _, viewer := newService(t, d, &records{soa: readiness.SoA{Entries: map[string]readiness.Entry{}}})
	r, err := svc.Compute(context.Background(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	// 38 undecided controls and all sub-clauses but 6.3 are gaps (31 of 32); 6.3 cannot be measured.
	want := readiness.Counts{Gaps: 69, NotMeasurable: 1}
	if r.Counts != want || r.Score != 0 || r.MeasurableScore != 0 {
		t.Errorf("counts %+v score %v/%v, want %+v and 0", r.Counts, r.Score, r.MeasurableScore, want)
	}
	c := byID(r.Clauses)
	if c["6.3"].State != readiness.NotMeasurable || !strings.Contains(c["6.3"].Reasons[0], "planned changes to the AIMS") {
		t.Errorf("6.3 = %+v", c["6.3"])
	}
	if c["5.2"].State != readiness.Gap || c["5.2"].Fix != "/documents" || c["5.2"].Reasons[0] != "No AI policy is approved." {
		t.Errorf("5.2 = %+v", c["5.2"])
	}
	if c["4.1"].Fix != "/systems/new" || c["6.1.3"].Fix != "/soa" || c["6.1.1"].Fix != "/risk-criteria" || c["8.4"].Fix != "/systems/new" {
		t.Errorf("fixes: 4.1 %q, 6.1.3 %q, 6.1.1 %q, 8.4 %q", c["4.1"].Fix, c["6.1.3"].Fix, c["6.1.1"].Fix, c["8.4"].Fix)
	}
	if got := len(r.Gaps()); got != 69 {
		t.Errorf("%d gaps listed, want 69", got)
	}
}

// TestFiguresFollowTheRecords builds a Statement of Applicability whose
// figures are worked out by hand below.
func TestFiguresFollowTheRecords(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	rec := &records{soa: readiness.SoA{Approved: 1, ApprovedAt: servicetest.T0, Entries: map[string]readiness.Entry{}}, evidence: map[string]int{},
		systems: []readiness.SystemInfo{{ID: "s1", Ref: "SYS-1", HasRoles: true}, {ID: "s2", Ref: "SYS-2", HasRoles: true}},
		// Criteria set, three risks assessed and treated, one due for review: 6.1.1, 6.1.2 and 8.3 met, 8.2 partial.
		risks: readiness.Risks{CriteriaVersion: 2, CriteriaSetAt: servicetest.T0.AddDate(0, -2, 0), Open: 3, Assessed: 3, Treated: 3,
			OverdueReviews: 1, LatestAssessment: "RA-1 (Annual 2026)", LatestAssessmentClosedAt: servicetest.T0.AddDate(0, -1, 0)},
		// One of two systems has an approved impact assessment: 6.1.4 and 8.4 partial.
		impacts: map[string]readiness.Impact{"s1": {Approved: "IA-1 version 1", ApprovedAt: servicetest.T0}, "s2": {}}}
	controls := catalog.BuiltinControls()
	for i, c := range controls {
		switch {
		case i < 30: // implemented, owned and evidenced
			rec.soa.Entries[c.ID] = readiness.Entry{Applicable: true, Justification: "needed", Status: "implemented", OwnerID: "u1"}
			rec.evidence[c.ID] = 1
		case i < 35: // excluded with a reason
			rec.soa.Entries[c.ID] = readiness.Entry{Applicable: false, Justification: "no such activity"}
		default: // planned
			rec.soa.Entries[c.ID] = readiness.Entry{Applicable: true, Justification: "needed", Status: "planned", OwnerID: "u1"}
		}
	}
	rec.evidence["5.2"] = 2
	svc, _, viewer := newService(t, d, rec)
	r, err := svc.Compute(context.Background(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	// Controls: 35 met, 3 gaps. Clauses: 6.1.1, 6.1.2, 6.1.3 and 8.3 met; 4.1, 6.1.4, 8.1, 8.2 and 8.4 partial;
	// the 22 sub-clauses the management system's records show are gaps, since none is recorded; 6.3 is not
	// measurable. Points: 35 + 4 + 5 × 0.5 = 41.5 of 70 requirements, 69 of them measurable.
	want := readiness.Counts{Met: 39, Partial: 5, Gaps: 25, NotMeasurable: 1}
	if r.Counts != want {
		t.Errorf("counts %+v, want %+v", r.Counts, want)
	}
	if !near(r.Score, 41.5/70) || !near(r.MeasurableScore, 41.5/69) {
		t.Errorf("score %v and %v, want %v and %v", r.Score, r.MeasurableScore, 41.5/70, 41.5/69)
	}
	c := byID(r.Clauses)
	if c["6.1.3"].State != readiness.Met || !strings.Contains(c["6.1.3"].Reasons[0], "Version 1") {
		t.Errorf("6.1.3 = %+v", c["6.1.3"])
	}
	if c["8.1"].State != readiness.Partial || c["8.1"].Reasons[0] != "30 of 33 applicable controls are implemented." {
		t.Errorf("8.1 = %+v", c["8.1"])
	}
	if c["5.2"].Evidence != 2 || c["5.2"].State != readiness.Gap || len(c["5.2"].Reasons) != 1 {
		t.Errorf("5.2 with evidence = %+v", c["5.2"])
	}

	// Taking away an owner and a piece of evidence makes controls partial, and says why.
	e := rec.soa.Entries[controls[0].ID]
	e.OwnerID = ""
	rec.soa.Entries[controls[0].ID] = e
	delete(rec.evidence, controls[1].ID)
	rec.soa.Entries[controls[2].ID] = readiness.Entry{Applicable: true, Justification: " ", Status: "implemented", OwnerID: "u1"}
	r, err = svc.Compute(context.Background(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	ctl := byID(r.Controls)
	if it := ctl[controls[0].ID]; it.State != readiness.Partial || it.Reasons[len(it.Reasons)-1] != "It has no owner." {
		t.Errorf("ownerless control = %+v", it)
	}
	if it := ctl[controls[1].ID]; it.State != readiness.Partial || it.Fix != "/evidence/new?link=control:"+controls[1].ID {
		t.Errorf("control without evidence = %+v", it)
	}
	if it := ctl[controls[2].ID]; it.State != readiness.Gap {
		t.Errorf("control without justification = %+v", it)
	}
	if c := byID(r.Clauses)["6.1.3"]; c.State != readiness.Partial || len(c.Reasons) != 3 {
		t.Errorf("6.1.3 with an ownerless and an unjustified control = %+v", c)
	}
}

func TestTrend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		rec := &records{soa: readiness.SoA{Entries: map[string]readiness.Entry{}}, evidence: map[string]int{}}
		svc, clock, viewer := newService(t, d, rec)
		ctx := context.Background()
		for day := 0; day < 3; day++ {
			// Decide one more control each day; compute twice to show the day keeps its last figure.
			c := catalog.BuiltinControls()[day]
			rec.soa.Entries[c.ID] = readiness.Entry{Applicable: false, Justification: "not used"}
			for i := 0; i < 2; i++ {
				if _, err := svc.Compute(ctx, viewer); err != nil {
					t.Fatal(err)
				}
				clock.Advance(time.Hour)
			}
			clock.Advance(22 * time.Hour)
		}
		pts, err := svc.Trend(ctx, viewer, 30)
		if err != nil {
			t.Fatal(err)
		}
		if len(pts) != 3 || pts[0].Day != "2026-03-02" || pts[2].Day != "2026-03-04" {
			t.Fatalf("trend %+v", pts)
		}
		// Each day one more control is met, and 6.1.3 is partly met: decisions exist but none is approved.
		for i, p := range pts {
			if p.Counts.Met != i+1 || p.Counts.Partial != 1 || !near(p.Score, (float64(i+1)+0.5)/70) {
				t.Errorf("day %s: %+v", p.Day, p)
			}
		}
		// It is now the morning of 5 March: the last three days hold the 3rd and 4th.
		if pts, _ := svc.Trend(ctx, viewer, 3); len(pts) != 2 || pts[0].Day != "2026-03-03" {
			t.Errorf("the last three days: %+v", pts)
		}
		_, err = svc.Trend(ctx, viewer, 0)
		servicetest.WantFields(t, err, aims.CodeInvalid, "days")
		_, err = svc.Trend(ctx, nil, 7)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		if err := svc.RecordAll(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCoverage(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	rec := &records{soa: readiness.SoA{Entries: map[string]readiness.Entry{
		"A.6.2.8": {Applicable: true, Justification: "logs", Status: "implemented", OwnerID: "u"},
		"A.6.2.6": {Applicable: true, Justification: "ops", Status: "partially_implemented", OwnerID: "u"},
		"A.8.4":   {Applicable: false, Justification: "none"},
	}}, evidence: map[string]int{"A.6.2.8": 1}}
	svc, _, viewer := newService(t, d, rec)
	cov, err := svc.Coverage(context.Background(), viewer, "eu-ai-act")
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]readiness.CoverageItem{}
	for _, it := range cov.Items {
		items[it.ID] = it
	}
	// Art. 12 is served by A.6.2.8 (implemented and evidenced) and A.6.2.6 (partial).
	if it := items["Art. 12"]; it.State != readiness.Covered || len(it.By) != 1 || it.By[0] != "A.6.2.8" {
		t.Errorf("Art. 12 = %+v", it)
	}
	// Art. 73 is served by A.8.4, which is excluded, and by clauses aims cannot measure.
	if it := items["Art. 73"]; it.State != readiness.Uncovered {
		t.Errorf("Art. 73 = %+v", it)
	}
	if cov.Covered+cov.Partial+cov.Uncovered != 12 || cov.Authority != "analyst" {
		t.Errorf("coverage totals %+v", cov)
	}
	if _, err := svc.Coverage(context.Background(), viewer, "sox"); aims.CodeOf(err) != aims.CodeNotFound {
		t.Errorf("unknown framework: %v", err)
	}
}
