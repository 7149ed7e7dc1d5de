package impact_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

func TestImpacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		a := e.start(t, "SYS-1", "eu-fria")
		e.clock.Advance(time.Minute)
		at := e.clock.Now()
		i1 := e.addImpact(t, a.Ref, unfair())
		want := &impact.Impact{ID: i1.ID, Number: 1, Group: "Job applicants", Harm: "Qualified applicants are rejected unfairly",
			Severity: "high", Likelihood: "possible", Reversibility: "partly_reversible", Scale: "group",
			Mitigation: "A recruiter reviews every low rank.", Version: 1, Risks: []impact.RiskRef{}, CreatedAt: at, UpdatedAt: at}
		if diff := cmp.Diff(want, i1); diff != "" {
			t.Errorf("added (-want +got):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		wantCh := map[string][2]string{"impact": {"null", "1"}, "group": {"null", `"Job applicants"`},
			"harm": {"null", `"Qualified applicants are rejected unfairly"`}, "severity": {"null", `"high"`}, "likelihood": {"null", `"possible"`},
			"reversibility": {"null", `"partly_reversible"`}, "scale": {"null", `"group"`}, "mitigation": {"null", `"A recruiter reviews every low rank."`}}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "impact.impact_add" || ev.Object.Ref != "IA-1" {
			t.Errorf("%s changes (-want +got):\n%s", ev.Action, diff)
		}
		// Adding an impact does not change the assessment's own version.
		if got := e.get(t, a.Ref); got.Version != 1 || len(got.Impacts) != 1 || !cmp.Equal(got.Missing, []string{"process", "period",
			"frequency", "categories", "vulnerable", "oversight", "override", "measures", "governance", "complaints", "notified"}) {
			t.Errorf("assessment = %+v", got)
		}

		// Every bad field is named at once.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddImpact(e.ctx, e.contributor(), a.Ref, impact.ImpactRequest{Group: " ", Harm: strings.Repeat("h", 1001),
				Severity: "huge", Likelihood: "sometimes", Reversibility: "maybe", Scale: "world", Mitigation: strings.Repeat("m", 4001)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "group", "harm", "likelihood", "mitigation", "reversibility", "scale", "severity")
			req := unfair()
			_, err = e.svc.UpdateImpact(e.ctx, e.contributor(), a.Ref, "1", req)
			servicetest.WantFields(t, err, aims.CodeInvalid, "version")
			req.Version = 2
			_, err = e.svc.UpdateImpact(e.ctx, e.contributor(), a.Ref, "1", req)
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			req.Version = 1
			_, err = e.svc.UpdateImpact(e.ctx, e.contributor(), a.Ref, "7", req)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			servicetest.WantCode(t, e.svc.RemoveImpact(e.ctx, e.contributor(), a.Ref, "1", 5), aims.CodeConflict)
		})

		i2 := e.addImpact(t, a.Ref, impact.ImpactRequest{Group: "Society", Harm: "Labour market bias is entrenched", Severity: "medium",
			Likelihood: "unlikely", Reversibility: "irreversible", Scale: "society"})
		if i2.Number != 2 || i2.Mitigation != "" {
			t.Errorf("second impact = %+v", i2)
		}
		req := unfair()
		req.Version, req.Severity, req.Mitigation = 1, "critical", "A recruiter reviews every rejection."
		e.clock.Advance(time.Minute)
		up, err := e.svc.UpdateImpact(e.ctx, e.contributor(), a.Ref, "#1", req)
		if err != nil || up.Version != 2 || up.Severity != "critical" || !up.UpdatedAt.Equal(e.clock.Now()) || !up.CreatedAt.Equal(at) {
			t.Fatalf("updated = %+v, %v", up, err)
		}
		one := `1`
		wantCh = map[string][2]string{"impact": {one, one}, "severity": {`"high"`, `"critical"`},
			"mitigation": {`"A recruiter reviews every low rank."`, `"A recruiter reviews every rejection."`}}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))); diff != "" {
			t.Errorf("update changes (-want +got):\n%s", diff)
		}
		// The same again records nothing.
		n := len(servicetest.Actions(t, e.ctx, d, e.org))
		req.Version = 2
		if same, err := e.svc.UpdateImpact(e.ctx, e.contributor(), a.Ref, i1.ID, req); err != nil || same.Version != 2 ||
			len(servicetest.Actions(t, e.ctx, d, e.org)) != n {
			t.Errorf("no-op update = %+v, %v", same, err)
		}

		// Removing leaves the number unused.
		if err := e.svc.RemoveImpact(e.ctx, e.contributor(), a.Ref, "2", 1); err != nil {
			t.Fatal(err)
		}
		wantCh = map[string][2]string{"impact": {"2", "null"}, "group": {`"Society"`, "null"}, "harm": {`"Labour market bias is entrenched"`, "null"},
			"severity": {`"medium"`, "null"}, "likelihood": {`"unlikely"`, "null"}, "reversibility": {`"irreversible"`, "null"}, "scale": {`"society"`, "null"}}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))); diff != "" {
			t.Errorf("remove changes (-want +got):\n%s", diff)
		}
		if i3 := e.addImpact(t, a.Ref, unfair()); i3.Number != 3 {
			t.Errorf("third impact numbered %d", i3.Number)
		}
		if got := e.get(t, a.Ref); len(got.Impacts) != 2 || got.Impacts[0].Number != 1 || got.Impacts[1].Number != 3 {
			t.Errorf("impacts = %+v", got.Impacts)
		}
		servicetest.WantCode(t, e.svc.RemoveImpact(e.ctx, e.contributor(), a.Ref, "2", 0), aims.CodeNotFound)

		// A change of an impact reopens an approved assessment.
		e.answer(t, a.Ref, friaAnswers)
		e.submit(t, a.Ref, "")
		e.approve(t, a.Ref, "")
		before := e.get(t, a.Ref)
		if _, err := e.svc.AddImpact(e.ctx, e.contributor(), a.Ref, unfair()); err != nil {
			t.Fatal(err)
		}
		after := e.get(t, a.Ref)
		if after.Status != "draft" || after.Version != before.Version+1 || after.LatestVersion != 1 {
			t.Errorf("after adding to an approved assessment: %s v%d", after.Status, after.Version)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); got["status"] != [2]string{`"approved"`, `"draft"`} {
			t.Errorf("reopening add = %v", got)
		}
	})
}

// TestRisksFromImpacts raises a risk from an impact in one step, links an
// existing one, and lists the impacts of a risk for the register.
func TestRisksFromImpacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		a := e.readyFRIA(t, "SYS-1")
		i1 := a.Impacts[0]
		i2 := e.addImpact(t, a.Ref, impact.ImpactRequest{Group: "Society", Harm: "Labour market bias is entrenched", Severity: "medium",
			Likelihood: "unlikely", Reversibility: "irreversible", Scale: "society"})

		got, err := e.svc.CreateRisk(e.ctx, e.contributor(), a.Ref, "1", impact.RiskCreateRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(got.Risks, []impact.RiskRef{{ID: got.Risks[0].ID, Ref: "RISK-1", Title: "Qualified applicants are rejected unfairly (Job applicants)"}}) {
			t.Errorf("risks = %+v", got.Risks)
		}
		wantReq := impact.RiskRequest{Title: "Qualified applicants are rejected unfairly (Job applicants)",
			Description: "Raised from impact #1 of the impact assessment IA-1 (EU AI Act Art. 27 FRIA: Hiring screening) of SYS-1 Hiring screening.",
			SystemIDs:   []string{sys.ID},
			ConsequencesIndividuals: "Job applicants: Qualified applicants are rejected unfairly. Severity High, likelihood Possible, " +
				"partly reversible, scale group. Mitigation: A recruiter reviews every low rank."}
		if diff := cmp.Diff([]impact.RiskRequest{wantReq}, e.sources.got); diff != "" {
			t.Errorf("risk request (-want +got):\n%s", diff)
		}
		acts := servicetest.Actions(t, e.ctx, d, e.org)
		if !cmp.Equal(acts[len(acts)-2:], []string{"risk.create", "impact.risk_create"}) {
			t.Errorf("actions = %q", acts)
		}
		if ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); !cmp.Equal(ch, map[string][2]string{
			"impact": {"1", "1"}, "risk": {"null", `"RISK-1"`}}) {
			t.Errorf("risk_create changes = %v", ch)
		}

		// An impact on society fills in the consequences for society; a title can be given.
		if _, err := e.svc.CreateRisk(e.ctx, e.contributor(), a.Ref, i2.ID, impact.RiskCreateRequest{Title: "Entrenched bias"}); err != nil {
			t.Fatal(err)
		}
		if r := e.sources.got[1]; r.Title != "Entrenched bias" || r.ConsequencesIndividuals != "" ||
			r.ConsequencesSociety != "Society: Labour market bias is entrenched. Severity Medium, likelihood Unlikely, irreversible, scale society." {
			t.Errorf("society risk = %+v", r)
		}

		// Link the first impact to the second risk too.
		got, err = e.svc.LinkRisk(e.ctx, e.contributor(), a.Ref, i1.ID, impact.LinkRequest{Risk: "risk-2"})
		if err != nil || len(got.Risks) != 2 || got.Risks[1].Ref != "RISK-2" || got.Risks[1].Title != "Entrenched bias" {
			t.Fatalf("linked = %+v, %v", got, err)
		}
		if ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); servicetest.LastEvent(t, e.ctx, d, e.org).Action != "impact.risk_link" ||
			!cmp.Equal(ch, map[string][2]string{"impact": {"1", "1"}, "risk": {"null", `"RISK-2"`}}) {
			t.Errorf("risk_link changes = %v", ch)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.LinkRisk(e.ctx, e.contributor(), a.Ref, "1", impact.LinkRequest{Risk: "RISK-2"})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.LinkRisk(e.ctx, e.contributor(), a.Ref, "1", impact.LinkRequest{Risk: "RISK-9"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "risk")
			_, err = e.svc.LinkRisk(e.ctx, e.contributor(), a.Ref, "1", impact.LinkRequest{})
			servicetest.WantFields(t, err, aims.CodeInvalid, "risk")
			_, err = e.svc.LinkRisk(e.ctx, e.contributor(), a.Ref, "9", impact.LinkRequest{Risk: "RISK-1"})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.CreateRisk(e.ctx, e.contributor(), a.Ref, "9", impact.RiskCreateRequest{})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.CreateRisk(e.ctx, e.contributor(), a.Ref, "1", impact.RiskCreateRequest{Title: strings.Repeat("t", 201)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "title")
		})

		// The register sees which impacts raise each risk.
		riskID := func(ref string) string {
			id, _, _, err := e.sources.Risk(e.ctx, e.org, ref)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		links, err := e.svc.ImpactsOfRisk(e.ctx, e.org, riskID("RISK-2"))
		if diff := cmp.Diff([]impact.ImpactLink{
			{AssessmentRef: "IA-1", ImpactID: i1.ID, Summary: "#1 Job applicants: Qualified applicants are rejected unfairly", SystemRef: "SYS-1"},
			{AssessmentRef: "IA-1", ImpactID: i2.ID, Summary: "#2 Society: Labour market bias is entrenched", SystemRef: "SYS-1"},
		}, links); diff != "" || err != nil {
			t.Errorf("impacts of RISK-2 (-want +got):\n%s%v", diff, err)
		}
		if links, _ := e.svc.ImpactsOfRisk(e.ctx, e.org, "nothing"); links == nil || len(links) != 0 {
			t.Errorf("impacts of an unknown risk = %#v", links)
		}

		// Risks can be linked in review; removing an impact removes its links, not the risks.
		e.submit(t, a.Ref, "")
		if _, err := e.svc.LinkRisk(e.ctx, e.contributor(), a.Ref, i2.ID, impact.LinkRequest{Risk: "RISK-1"}); err != nil {
			t.Errorf("linking in review: %v", err)
		}
		if got := e.get(t, a.Ref); got.Status != "in_review" {
			t.Errorf("linking changed the status to %s", got.Status)
		}
		e.approve(t, a.Ref, "")
		if err := e.svc.RemoveImpact(e.ctx, e.contributor(), a.Ref, "2", 0); err != nil {
			t.Fatal(err)
		}
		if ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); ch["risks"] != [2]string{`["RISK-1","RISK-2"]`, "null"} || ch["status"] != [2]string{`"approved"`, `"draft"`} {
			t.Errorf("remove changes = %v", ch)
		}
		if links, _ := e.svc.ImpactsOfRisk(e.ctx, e.org, riskID("RISK-2")); len(links) != 1 || links[0].ImpactID != i1.ID {
			t.Errorf("after removal: %+v", links)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM test_risks`); n != 2 {
			t.Errorf("%d risks, want 2", n)
		}
		// The approved version keeps the links it had.
		v, _ := e.svc.Version(e.ctx, e.viewer(), a.Ref, 1)
		if len(v.Impacts) != 2 || len(v.Impacts[1].Risks) != 2 || v.Impacts[1].Risks[1].Title != "Entrenched bias" {
			t.Errorf("frozen impacts = %+v", v.Impacts)
		}
	})
}
