package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/model"
)

// lifecycleModel registers, evaluates and approves a model version of SYS-1 through the model service.
func lifecycleModel(t *testing.T, e *env) {
	t.Helper()
	a := e.owner()
	m, err := e.app.Models.Create(e.ctx, a, model.CreateRequest{System: "SYS-1", Name: "Ranker"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.app.Models.CreateVersion(e.ctx, a, m.Ref, model.VersionRequest{Label: "2.0.0", Digest: strings.Repeat("c4", 32),
		Card: model.Card{IntendedUse: "Rank applicants for interviews.", Limitations: "Not for senior roles."}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Models.Evaluate(e.ctx, a, v.Key, model.EvaluateRequest{Metrics: map[string]float64{"recall": 0.83}}); err != nil {
		t.Fatal(err)
	}
	if v, err = e.app.Models.GetVersion(e.ctx, a, v.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Models.Approve(e.ctx, a, v.Key, model.DecisionRequest{Version: v.Version, Note: "Recall above 0.8"}); err != nil {
		t.Fatal(err)
	}
}

// lifecycleImpact completes an EU FRIA of SYS-1 and submits it for review,
// returning its reference; approve it on its page or with lifecycleApproveImpact.
func lifecycleImpact(t *testing.T, e *env) string {
	t.Helper()
	a := e.owner()
	ia, err := e.app.Impact.Start(e.ctx, a, impact.StartRequest{System: "SYS-1", Template: "eu-fria"})
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{"process": "Recruiters screen applications.", "period": "From April 2026.", "frequency": "daily",
		"categories": "Job applicants.", "vulnerable": "yes", "oversight": "A recruiter reads every low rank.", "override": "always",
		"measures": "Suspend the ranking.", "governance": "The head of HR decides.", "complaints": "Write to hr@acme.example.",
		"notified": "pending"}
	if _, err = e.app.Impact.Update(e.ctx, a, ia.Ref, impact.UpdateRequest{Version: ia.Version, Answers: answers}); err != nil {
		t.Fatal(err)
	}
	if _, err = e.app.Impact.AddImpact(e.ctx, a, ia.Ref, impact.ImpactRequest{Group: "Applicants", Harm: "Unfair rejection",
		Severity: "high", Likelihood: "possible", Reversibility: "partly_reversible", Scale: "group"}); err != nil {
		t.Fatal(err)
	}
	if ia, err = e.app.Impact.Get(e.ctx, a, ia.Ref); err != nil {
		t.Fatal(err)
	}
	if _, err = e.app.Impact.Submit(e.ctx, a, ia.Ref, impact.ReviewRequest{Version: ia.Version}); err != nil {
		t.Fatal(err)
	}
	return ia.Ref
}

// lifecycleApproveImpact approves a submitted assessment through the service.
func lifecycleApproveImpact(t *testing.T, e *env, ref string) {
	t.Helper()
	ia, err := e.app.Impact.Get(e.ctx, e.owner(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Impact.Approve(e.ctx, e.owner(), ref, impact.ApproveRequest{Version: ia.Version}); err != nil {
		t.Fatal(err)
	}
}

// TestStageGatePages walks the gate through the pages: set the gates,
// request a move and see what is missing with the links that fix it, be
// refused approval, satisfy the gate and approve; then raise a significant
// change and see the next move wait for the reviews.
func TestStageGatePages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, manager, contributor, viewer := cs[aims.RoleOwner], cs[aims.RoleManager], cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Hiring screening", IntendedPurpose: "Rank applicants",
			LifecycleStage: "verification_and_validation", EUAIActClass: "high"})

		// The overview and the gates; only leads get the form.
		r := viewer.get("/lifecycle")
		want(t, r, http.StatusOK, `id="row-SYS-1"`, "Verification and validation", `href="/systems/SYS-1/stage"`)
		wantCSPSafe(t, r)
		r = viewer.get("/lifecycle/gates")
		want(t, r, http.StatusOK, "Defaults", `id="gate-deployment"`, "An approved model version", "A retirement plan")
		wantNot(t, r, `action="/lifecycle/gates"`)
		r = owner.get("/lifecycle/gates")
		want(t, r, http.StatusOK, `action="/lifecycle/gates"`, `id="kinds-deployment-vv_record" name="kinds-deployment" value="vv_record" checked`)
		wantCSPSafe(t, r)
		form := url.Values{"version": {"0"}, "kinds-deployment": {"approved_model_version", "vv_record", "approved_impact_assessment"},
			"kinds-retirement": {"retirement_plan"}, "controls-retirement": {"A.6.2.6, A.99"}}
		r = owner.post("/lifecycle/gates", form)
		want(t, r, http.StatusUnprocessableEntity, `id="controls-retirement-error"`, "A.99: is not an Annex A control", `value="A.6.2.6, A.99"`,
			`href="#controls-retirement"`)
		form.Set("controls-retirement", "a.6.2.6")
		wantRedirect(t, owner.post("/lifecycle/gates", form), "/lifecycle/gates")
		want(t, owner.get("/lifecycle/gates"), http.StatusOK, "The stage gates are saved as version 1.", "Evidence for A.6.2.6", "Set the stage gates")
		want(t, viewer.post("/lifecycle/gates", form), http.StatusForbidden)

		// What a move into deployment needs, with the way to each fix.
		r = contributor.get("/systems/SYS-1/stage?to=deployment")
		want(t, r, http.StatusOK, "3 missing", "no version of a model of SYS-1 is approved or deployed",
			`href="/models?system=SYS-1"`, `href="/evidence/new?link=control%3AA.6.2.4&amp;link=ai_system%3ASYS-1"`,
			`href="/impact/systems/SYS-1"`, `id="request-move"`)
		wantCSPSafe(t, r)
		want(t, viewer.get("/systems/SYS-1/stage?to=deployment"), http.StatusOK, "3 missing")
		wantNot(t, viewer.get("/systems/SYS-1/stage?to=deployment"), `id="request-move"`)
		want(t, contributor.get("/systems/SYS-1/stage?to=someday"), http.StatusUnprocessableEntity, `id="to-error"`)
		r = contributor.post("/systems/SYS-1/stage", url.Values{"to": {"retirement"}, "justification": {" "}})
		want(t, r, http.StatusUnprocessableEntity, `id="justification-error"`, `id="plan-error"`, "Retirement plan is required")
		want(t, viewer.post("/systems/SYS-1/stage", url.Values{"to": {"deployment"}, "justification": {"x"}}), http.StatusForbidden)
		wantRedirect(t, contributor.post("/systems/SYS-1/stage", url.Values{"to": {"deployment"}, "justification": {"Validated on 2026 data"}}),
			"/lifecycle/requests/MOVE-1")
		r = contributor.get("/lifecycle/requests/MOVE-1")
		want(t, r, http.StatusOK, "MOVE-1 asks to move SYS-1 into Deployment. It waits until every requirement below is met.",
			"Missing: An approved model version; A verification and validation record; An approved impact assessment",
			`id="withdraw"`, "Requested a move to another stage")
		wantNot(t, r, `id="approve"`, `id="refuse"`, `id="override"`)
		wantCSPSafe(t, r)
		r = manager.get("/lifecycle/requests/MOVE-1")
		want(t, r, http.StatusOK, `id="approve-waits"`, `id="refuse"`)
		wantNot(t, r, `id="override"`, `id="withdraw"`)
		want(t, owner.get("/lifecycle/requests/MOVE-1"), http.StatusOK, `id="override"`)
		want(t, owner.get("/systems/SYS-1/stage"), http.StatusOK, `id="open-request"`, `href="/lifecycle/requests/MOVE-1"`)

		// Refused decisions say why on the page.
		want(t, manager.post("/lifecycle/requests/MOVE-1/approve", url.Values{"version": {"1"}}), http.StatusConflict,
			"MOVE-1 cannot be approved: not met: An approved model version")
		want(t, manager.post("/lifecycle/requests/MOVE-1/override", url.Values{"version": {"1"}, "reason": {"Urgent"}}), http.StatusForbidden,
			"Only an owner can move a system past a gate")
		want(t, owner.post("/lifecycle/requests/MOVE-1/override", url.Values{"version": {"1"}, "reason": {" "}}), http.StatusUnprocessableEntity,
			`id="override-reason-error"`)
		want(t, owner.post("/lifecycle/requests/MOVE-1/withdraw", url.Values{"version": {"1"}}), http.StatusForbidden,
			"who requested MOVE-1, can withdraw it")
		want(t, manager.post("/lifecycle/requests/MOVE-1/refuse", url.Values{"version": {"1"}, "note": {""}}), http.StatusUnprocessableEntity,
			`id="refuse-note-error"`)
		want(t, contributor.post("/lifecycle/requests/MOVE-1/approve", url.Values{"version": {"1"}}), http.StatusForbidden)

		// Satisfied, approved: the system is in deployment.
		lifecycleModel(t, e)
		if _, err := e.app.Evidence.Add(e.ctx, e.owner(), evidence.AddRequest{Kind: "note", Title: "Validation report",
			Note: "Recall 0.83", Links: []string{"control:A.6.2.4", "ai_system:SYS-1"}}); err != nil {
			t.Fatal(err)
		}
		lifecycleApproveImpact(t, e, lifecycleImpact(t, e))
		r = manager.get("/lifecycle/requests/MOVE-1")
		want(t, r, http.StatusOK, "Every requirement is met.", `href="/models/MDL-1/versions/2.0.0"`, `href="/evidence/EV-1"`, `id="approve"`)
		wantRedirect(t, manager.post("/lifecycle/requests/MOVE-1/approve", url.Values{"version": {"1"}, "note": {"Board minute 7"}}),
			"/lifecycle/requests/MOVE-1")
		want(t, manager.get("/lifecycle/requests/MOVE-1"), http.StatusOK, "MOVE-1 is approved: SYS-1 is now in Deployment.",
			"The checks as they stood at the decision", "Board minute 7", "Approved the stage move")
		want(t, viewer.get("/systems/SYS-1"), http.StatusOK, "<dd>Deployment</dd>", "Moved the AI system to another stage")
		want(t, viewer.get("/lifecycle/requests?status=approved"), http.StatusOK, `id="row-MOVE-1"`)

		// A significant change: raised with every problem beside its field, approved, and the next move waits.
		r = contributor.get("/changes/new?system=SYS-1")
		want(t, r, http.StatusOK, `<option value="SYS-1" selected>`, `id="kinds-model_version"`)
		wantCSPSafe(t, r)
		r = contributor.post("/changes", url.Values{"system": {"SYS-1"}, "title": {"Ranker 3"}, "justification": {""}})
		want(t, r, http.StatusUnprocessableEntity, `id="kinds-error"`, `id="justification-error"`, `value="Ranker 3"`)
		wantRedirect(t, contributor.post("/changes", url.Values{"system": {"SYS-1"}, "title": {"Ranker 3"}, "kinds": {"model_version"},
			"justification": {"Better recall"}}), "/changes/CR-1")
		want(t, contributor.get("/changes/CR-1"), http.StatusOK, "CR-1 is raised: significant by rule: a new model version is always significant.")
		r = manager.get("/changes/CR-1")
		want(t, r, http.StatusOK, "significant by rule: a new model version is always significant", `id="approve"`,
			"Once approved, this significant change makes the risks and impact assessments of SYS-1 due for review")
		wantNot(t, r, `id="reclassify"`)
		wantCSPSafe(t, r)
		wantRedirect(t, manager.post("/changes/CR-1/approve", url.Values{"version": {"1"}}), "/changes/CR-1")
		want(t, manager.get("/changes/CR-1"), http.StatusOK, "Its risks and impact assessments are due for review", `id="implement"`)
		r = contributor.get("/systems/SYS-1/stage?to=operation_and_monitoring")
		want(t, r, http.StatusOK, "No review due after a significant change", "IA-1: a significant change was approved: CR-1 Ranker 3",
			`href="/impact/assessments/IA-1"`)
		want(t, viewer.get("/changes?status=open&system=SYS-1"), http.StatusOK, `id="row-CR-1"`)
		want(t, viewer.get("/changes?kind=x"), http.StatusUnprocessableEntity)
		want(t, viewer.post("/changes/CR-1/implement", url.Values{"version": {"2"}, "note": {"x"}}), http.StatusForbidden)
		want(t, manager.post("/changes/CR-1/implement", url.Values{"version": {"2"}}), http.StatusUnprocessableEntity, `id="implement-note-error"`)

		// A minor change raised to significant, and one withdrawn by its requester.
		wantRedirect(t, contributor.post("/changes", url.Values{"system": {"SYS-1"}, "title": {"New hosting"}, "kinds": {"supplier"},
			"justification": {"Cost"}}), "/changes/CR-2")
		want(t, owner.get("/changes/CR-2"), http.StatusOK, `id="reclassify"`, "minor by rule")
		wantRedirect(t, owner.post("/changes/CR-2/reclassify", url.Values{"version": {"1"}, "reason": {"Outside the EU"}}), "/changes/CR-2")
		want(t, owner.get("/changes/CR-2"), http.StatusOK, "CR-2 is now significant.", "raised from minor by olivia@example.org: Outside the EU")
		want(t, owner.post("/changes/CR-2/withdraw", url.Values{"version": {"2"}}), http.StatusForbidden, "who raised CR-2, can withdraw it")
		wantRedirect(t, contributor.post("/changes/CR-2/withdraw", url.Values{"version": {"2"}}), "/changes/CR-2")

		// The audit log names and links the life cycle's events.
		r = owner.get("/audit")
		want(t, r, http.StatusOK, `href="/lifecycle/requests/MOVE-1"`, `href="/changes/CR-1"`, `href="/lifecycle/gates"`,
			"Approved a significant change of the AI system")
		want(t, owner.get("/lifecycle"), http.StatusOK, `href="/changes?status=approved&amp;system=SYS-1">1</a>`)
	})
}
