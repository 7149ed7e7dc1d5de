package web_test

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/supplier"
)

func TestDashboard(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		owner := e.owner()
		// Enough events that the dashboard shows only the latest ten.
		for i := 0; i < 8; i++ {
			e.addUser(orgName, fmt.Sprintf("extra%d@example.org", i), "Extra", aims.RoleViewer)
		}
		e.createSystem(owner, aisystem.CreateRequest{Name: "One", IntendedPurpose: "p", EUAIActClass: "high", LifecycleStage: "deployment"})
		e.createSystem(owner, aisystem.CreateRequest{Name: "Two", IntendedPurpose: "p", EUAIActClass: "high"})
		s := e.createSystem(owner, aisystem.CreateRequest{Name: "Three", IntendedPurpose: "p"})
		if _, err := e.app.Systems.Archive(e.ctx, owner, s.ID); err != nil {
			t.Fatal(err)
		}
		roles := map[aims.Role]bool{aims.RoleOwner: true, aims.RoleAuditor: true, aims.RoleViewer: false}
		for role, audit := range roles {
			email := string(role) + "@example.org"
			if role == aims.RoleOwner {
				email = "olivia@example.org"
			} else {
				e.addUser(orgName, email, "Person", role)
			}
			c := e.client()
			c.login(email)
			r := c.get("/")
			want(t, r, http.StatusOK, "Active AI systems", `<a href="/systems">2</a>`,
				`href="/systems?eu_ai_act_class=high">High risk</a></th><td class="num">2</td>`,
				`href="/systems?lifecycle_stage=deployment">Deployment</a></th><td class="num">1</td>`,
				`href="/systems?lifecycle_stage=inception">Inception</a></th><td class="num">1</td>`,
				`href="/systems?lifecycle_stage=retirement">Retirement</a></th><td class="num zero">0</td>`)
			wantCSPSafe(t, r)
			if audit {
				want(t, r, http.StatusOK, "Latest audit events", "Audit log status", "ai_system.archive", `href="/systems/SYS-3"`)
				if n := countRows(r.Body[strings.Index(r.Body, "latest-events"):]); n != 10 {
					t.Fatalf("the dashboard shows %d events, want at most 10", n)
				}
			} else {
				wantNot(t, r, "Latest audit events", "Audit log status", `href="/audit"`)
			}
		}
	})
}

// TestDashboardDueForReview: the dashboard lists, for every role, the risks
// and impact assessments due for review with why, and the overdue
// treatment actions; the first ten of each, with a link to the rest.
func TestDashboardDueForReview(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		r := cs[aims.RoleViewer].get("/")
		want(t, r, http.StatusOK, `id="due-for-review"`, "Due for review", `href="/risks/overview#due"`, `href="/impact?due=true"`,
			"Nothing is due: no risk, impact assessment or supplier needs a review and no treatment action is overdue.",
			`href="/suppliers"`)
		wantNot(t, r, `id="due-risks"`, `id="due-impact"`, `id="due-actions"`)

		// Eleven assessed risks of the hiring system, the first owned by
		// Olivia with an action past its due date, and an approved FRIA.
		owner := e.owner()
		e.riskSetUp()
		for i := 1; i <= 11; i++ {
			req := risk.CreateRequest{Title: fmt.Sprintf("Hiring risk %d", i), Systems: []string{"SYS-1"}}
			if i == 1 {
				req.Title, req.OwnerID = "Unfair ranking", e.ownerID
			}
			x, err := e.app.Risks.Create(e.ctx, owner, req)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.Risks.Assess(e.ctx, owner, x.Ref, risk.AssessRequest{Likelihood: 2, Impact: 2, Version: x.Version}); err != nil {
				t.Fatal(err)
			}
		}
		rk, err := e.app.Risks.Get(e.ctx, owner, "RISK-1")
		if err != nil {
			t.Fatal(err)
		}
		overdue := riskDaysAhead(-3)
		if _, err := e.app.Risks.AddAction(e.ctx, owner, "RISK-1", risk.AddActionRequest{Description: "Retrain the reviewers",
			DueDate: overdue, Version: rk.Version}); err != nil {
			t.Fatal(err)
		}
		ia := e.readyFRIA(owner)
		if ia, err = e.app.Impact.Submit(e.ctx, owner, ia.Ref, impact.ReviewRequest{Version: ia.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Impact.Approve(e.ctx, owner, ia.Ref, impact.ApproveRequest{Version: ia.Version}); err != nil {
			t.Fatal(err)
		}
		r = cs[aims.RoleViewer].get("/")
		want(t, r, http.StatusOK, `id="due-actions"`, "Overdue treatment actions (1)", `href="/risks/RISK-1#actions"`,
			"1. Retrain the reviewers", "<td class=\"nowrap\">"+overdue+"</td>", `<span class="muted">No owner</span>`)
		wantNot(t, r, "Nothing is due", `id="due-risks"`, `id="due-impact"`)

		// The system's intended purpose changes: every risk and the FRIA are due.
		if _, err := e.app.Systems.Update(e.ctx, owner, "SYS-1", aisystem.UpdateRequest{Version: 1,
			IntendedPurpose: ptrTo("Ranks and rejects job applicants.")}); err != nil {
			t.Fatal(err)
		}
		due, err := e.app.Risks.Due(e.ctx, owner)
		if err != nil || len(due.Risks) != 11 {
			t.Fatalf("due = %+v, %v", due, err)
		}
		riskReason := html.EscapeString(sentenceCase(due.Risks[0].Reasons[0].Text)) + "."
		if !strings.HasPrefix(riskReason, "The intended purpose of SYS-1 Hiring screening changed on ") {
			t.Fatalf("reason %q", riskReason)
		}
		for role, c := range cs {
			r = c.get("/")
			want(t, r, http.StatusOK, `id="due-for-review"`,
				"Risks (11)", `<li id="due-RISK-1"><a href="/risks/RISK-1">RISK-1</a> Unfair ranking`, "owner: Olivia Owner", riskReason,
				`<a href="/risks/RISK-2">RISK-2</a> Hiring risk 2`, "no owner",
				`<a href="/risks/overview#due">and 1 more risk</a>`,
				"Impact assessments (1)", `<a href="/impact/assessments/IA-1">IA-1</a>`, `<a href="/systems/SYS-1">SYS-1 Hiring screening</a>`,
				"version 1 approved", "The AI system&#39;s intended purpose changed after version 1 was approved, by olivia@example.org.",
				"Overdue treatment actions (1)", `href="/risks/RISK-1#actions"`)
			wantNot(t, r, "Nothing is due", "and 1 more impact", "more overdue")
			wantCSPSafe(t, r)
			list := r.Body[strings.Index(r.Body, `id="due-risks"`):]
			list = list[:strings.Index(list, `id="due-impact"`)]
			if n := strings.Count(list, `<li id="due-RISK-`); n != 10 {
				t.Errorf("%s: the dashboard lists %d due risks, want 10", role, n)
			}
		}

		// A supplier that supplies something and was never assessed is due.
		tp, err := e.app.Suppliers.CreateParty(e.ctx, owner, supplier.PartyRequest{Name: "Acme Hosting", Kind: "supplier"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Suppliers.AddSupply(e.ctx, owner, tp.Ref, supplier.SupplyRequest{Kind: "computing", System: "SYS-1"}); err != nil {
			t.Fatal(err)
		}
		r = cs[aims.RoleViewer].get("/")
		want(t, r, http.StatusOK, `id="due-suppliers"`, "Supplier assessments (1)", `href="/suppliers/TP-1"`, "Acme Hosting",
			"supplies something and was never assessed")

		// Another organisation sees none of it.
		e.addUser("Globex", "g@globex.example", "Gus", aims.RoleOwner)
		g := e.client()
		g.login("g@globex.example")
		r = g.get("/")
		want(t, r, http.StatusOK, "Nothing is due")
		wantNot(t, r, "RISK-1", "IA-1", "TP-1")
	})
}

// countRows counts the body rows of the first table of a page.
func countRows(body string) int {
	i := strings.Index(body, "<tbody>")
	j := strings.Index(body, "</tbody>")
	if i < 0 || j < i {
		return 0
	}
	return strings.Count(body[i:j], "<tr>")
}
