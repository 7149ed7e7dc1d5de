package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/soa"
)

func TestReadinessPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		clients := e.signedIn()
		viewer := clients[aims.RoleViewer]

		r := viewer.get("/readiness")
		want(t, r, http.StatusOK, "Readiness for certification", `<p class="stat" id="readiness-score">0%</p>`,
			"No version of the Statement of Applicability is approved.", "Not measurable yet: aims does not hold planned changes to the AIMS.", "No AI policy is approved.", `href="/documents">Fix</a>`,
			`href="/systems/new">Fix</a>`, `href="/soa/controls/A.2.2">Fix</a>`, "Readiness per day")
		wantCSPSafe(t, r)

		// Record a decision, an implemented control with evidence and a system with roles.
		owner := e.owner()
		yes := true
		if _, err := e.app.SoA.SetEntry(e.ctx, owner, "A.2.2", "", soa.EntryRequest{Applicable: &yes, Justification: "We need a policy.",
			Status: "implemented", OwnerID: owner.UserID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Evidence.Add(e.ctx, owner, evidence.AddRequest{Kind: "note", Title: "Approved AI policy v1",
			Note: "Approved by the board on 1 March.", Links: []string{"control:A.2.2"}}); err != nil {
			t.Fatal(err)
		}
		e.createSystem(owner, aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Scores loans.", AIRoles: []string{"provider"}})

		r = viewer.get("/readiness")
		// A.2.2 and 8.1 are met (1 point each); 4.1 and 6.1.3 are partly met (half each): 3 of 70, which rounds to 4%.
		want(t, r, http.StatusOK, `<p class="stat" id="readiness-score">4%</p>`, "1 of 1 applicable controls are implemented.",
			"No supplier assessment is due.", "No change request of an AI system is open.",
			"Implemented, and 1 current piece of evidence shows it.",
			"The organisation&#39;s AI roles are recorded for all 1 active AI systems.")
		if strings.Contains(r.Body, `href="/soa/controls/A.2.2">Fix</a>`) {
			t.Error("a met control still offers a fix")
		}

		want(t, viewer.get("/"), http.StatusOK, "Readiness", `<a href="/readiness">4%</a>`)

		// Risk criteria and one assessed risk above the appetite: 6.1.1 is partly met and 6.1.2 met but for
		// a closed assessment; the web pages read them through the app's sources.
		if _, err := e.app.Risks.SetCriteria(e.ctx, owner, riskFourByFour()); err != nil {
			t.Fatal(err)
		}
		rk, err := e.app.Risks.Create(e.ctx, owner, risk.CreateRequest{Title: "Scores are biased", Systems: []string{"SYS-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Risks.Assess(e.ctx, owner, rk.Ref, risk.AssessRequest{Likelihood: 4, Impact: 4, Version: rk.Version}); err != nil {
			t.Fatal(err)
		}
		r = viewer.get("/readiness")
		want(t, r, http.StatusOK, "Version 1 of the AI risk criteria has been in force since ",
			"1 risk is above the appetite without a treatment or an acceptance.", "1 of 1 open risks are assessed.",
			"No risk assessment has been closed, so no results are kept.", `href="/risk-assessments">Fix</a>`,
			"No active AI system has an approved impact assessment.", `href="/impact/new">Fix</a>`)

		// An approved impact assessment of the one system meets 6.1.4 and 8.4.
		ia := e.readyFRIA(owner)
		if ia, err = e.app.Impact.Submit(e.ctx, owner, ia.Ref, impact.ReviewRequest{Version: ia.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Impact.Approve(e.ctx, owner, ia.Ref, impact.ApproveRequest{Version: ia.Version}); err != nil {
			t.Fatal(err)
		}
		r = viewer.get("/readiness")
		want(t, r, http.StatusOK, "The one active AI system has an approved impact assessment.")
		wantNot(t, r, "No active AI system has an approved impact assessment.")
		want(t, viewer.get("/catalog/controls/A.2.2"), http.StatusOK, "Approved AI policy v1")
		want(t, viewer.get("/systems/SYS-1"), http.StatusOK, `href="/soa/systems/SYS-1"`, `href="/evidence?target=ai_system:SYS-1"`)
		want(t, viewer.get("/evidence?target=ai_system:SYS-1"), http.StatusOK)
		want(t, clients[aims.RoleOwner].get("/audit"), http.StatusOK, "Decided a control in the SoA", `href="/soa/controls/A.2.2"`,
			"Added the evidence", `href="/evidence/EV-1"`)

		r = viewer.get("/readiness/frameworks/nist-ai-rmf")
		want(t, r, http.StatusOK, "Coverage of NIST AI Risk Management Framework 1.0", "Official crosswalk", "GOVERN 1.1", "covered")
		want(t, viewer.get("/readiness/frameworks/sox"), http.StatusNotFound)
	})
}
