package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// lifecycleSystem is a credit scoring system registered in verification and validation.
const lifecycleSystem = `{"name":"Credit scoring","intended_purpose":"Score consumer credit applications","eu_ai_act_class":"high",
"lifecycle_stage":"verification_and_validation"}`

// lifecycleActor is a member of Acme as an actor, for preparing records through the services.
func lifecycleActor(t *testing.T, w *world, email string) *aims.Actor {
	t.Helper()
	a, err := w.App.Identity.ActorFor(context.Background(), w.userID(t, email), w.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// lifecycleApprovedImpact completes and approves an EU FRIA of SYS-1 through the service.
func lifecycleApprovedImpact(t *testing.T, w *world) {
	t.Helper()
	ctx := context.Background()
	editor, lead := lifecycleActor(t, w, "contributor@acme.example"), lifecycleActor(t, w, "manager@acme.example")
	a, err := w.App.Impact.Start(ctx, editor, impact.StartRequest{System: "SYS-1", Template: "eu-fria"})
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{"process": "Loan officers read the score.", "period": "2026", "frequency": "daily",
		"categories": "Applicants.", "vulnerable": "yes", "oversight": "An officer decides.", "override": "always",
		"measures": "Stop scoring.", "governance": "The credit committee.", "complaints": "Write to us.", "notified": "pending"}
	if a, err = w.App.Impact.Update(ctx, editor, a.Ref, impact.UpdateRequest{Version: a.Version, Answers: answers}); err != nil {
		t.Fatal(err)
	}
	if _, err = w.App.Impact.AddImpact(ctx, editor, a.Ref, impact.ImpactRequest{Group: "Applicants", Harm: "Unfair refusal",
		Severity: "high", Likelihood: "possible", Reversibility: "partly_reversible", Scale: "group"}); err != nil {
		t.Fatal(err)
	}
	if a, err = w.App.Impact.Get(ctx, editor, a.Ref); err != nil {
		t.Fatal(err)
	}
	if a, err = w.App.Impact.Submit(ctx, editor, a.Ref, impact.ReviewRequest{Version: a.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err = w.App.Impact.Approve(ctx, lead, a.Ref, impact.ApproveRequest{Version: a.Version}); err != nil {
		t.Fatal(err)
	}
}

// versionOf reads the version of a record the API answers at path.
func versionOf(t *testing.T, w *world, path string) string {
	t.Helper()
	r := w.call(t, "viewer", "GET", path, "")
	var v struct{ Version int }
	if err := json.Unmarshal(r.body, &v); err != nil || v.Version == 0 {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return strconv.Itoa(v.Version)
}

// TestLifecycleEndpoints walks the gate path and change control through
// the API as each kind of caller, with the real model, evidence and impact
// services behind the gate, checking status, answer and audit events.
func TestLifecycleEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{
			{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: lifecycleSystem, status: 201,
				has: []string{`"lifecycle_stage":"verification_and_validation"`}, actions: []string{"ai_system.create"}},

			// Gates.
			{name: "defaults", who: "viewer", method: "GET", path: "/api/v1/lifecycle/gates", status: 200,
				has: []string{`"default":true`, `"version":0`, `{"stage":"deployment","requirements":[{"kind":"approved_model_version"},{"kind":"vv_record"},{"kind":"approved_impact_assessment"}]}`}},
			{name: "contributor sets gates", who: "contributor", method: "PUT", path: "/api/v1/lifecycle/gates", status: 403,
				body: `{"version":0,"gates":[]}`},
			{name: "schema problem", who: "manager", method: "PUT", path: "/api/v1/lifecycle/gates", status: 422,
				body:   `{"version":0,"gates":[{"stage":"launch","requirements":[{"kind":"signature"}]}]}`,
				fields: []string{"body.gates[0].requirements[0].kind", "body.gates[0].stage"}},
			{name: "service problems", who: "manager", method: "PUT", path: "/api/v1/lifecycle/gates", status: 422,
				body:   `{"version":0,"gates":[{"stage":"deployment","requirements":[{"kind":"evidence"},{"kind":"evidence","control":"A.99"},{"kind":"retirement_plan"}]}]}`,
				fields: []string{"body.gates.0.requirements.0.control", "body.gates.0.requirements.1.control", "body.gates.0.requirements.2.kind"}},
			{name: "manager sets gates", who: "manager", method: "PUT", path: "/api/v1/lifecycle/gates", status: 200,
				body: `{"version":0,"gates":[{"stage":"deployment","requirements":[{"kind":"approved_model_version"},{"kind":"vv_record"},{"kind":"approved_impact_assessment"}]},
					{"stage":"retirement","requirements":[{"kind":"retirement_plan"},{"kind":"evidence","control":"a.6.2.6"}]}]}`,
				has: []string{`"default":false`, `"version":1`, `{"kind":"evidence","control":"A.6.2.6"}`}, actions: []string{"lifecycle_gates.set"}},
			{name: "stale gates", who: "owner", method: "PUT", path: "/api/v1/lifecycle/gates", body: `{"version":0,"gates":[]}`, status: 409,
				fields: []string{"body.version"}},

			// Checks and the request.
			{name: "checks", who: "viewer", method: "GET", path: "/api/v1/systems/sys-1/stage-checks?to=deployment", status: 200,
				has: []string{`"met":false`, `"missing":["An approved model version","A verification and validation record","An approved impact assessment"]`,
					`"kind":"no_review_due_for_change"`, `"always":true`}},
			{name: "bad checks", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1/stage-checks?to=launch", status: 422, fields: []string{"query.to"}},
			{name: "same stage", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1/stage-checks?to=verification_and_validation", status: 422,
				fields: []string{"query.to"}},
			{name: "foreign checks", who: "globex", method: "GET", path: "/api/v1/systems/SYS-1/stage-checks?to=deployment", status: 404},
			{name: "viewer requests", who: "viewer", method: "POST", path: "/api/v1/systems/SYS-1/stage-requests", status: 403,
				body: `{"to":"deployment","justification":"Validated"}`},
			{name: "request without reason", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-1/stage-requests", status: 422,
				body: `{"to":"deployment","justification":" "}`, fields: []string{"body.justification"}},
			{name: "request", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-1/stage-requests", status: 201,
				body:    `{"from":"verification_and_validation","to":"deployment","justification":"Validated on the 2026 book"}`,
				has:     []string{`"ref":"MOVE-1"`, `"status":"open"`, `"checks_live":true`, `"met":false`},
				actions: []string{"stage_request.create"}},
			{name: "a second request", who: "manager", method: "POST", path: "/api/v1/systems/SYS-1/stage-requests", status: 409,
				body: `{"to":"inception","justification":"Start again"}`},
			{name: "blocked approval", who: "manager", method: "POST", path: "/api/v1/stage-requests/MOVE-1/approve", body: `{"version":1}`,
				status: 409, has: []string{"not met: An approved model version"}},
			{name: "contributor approves", who: "contributor", method: "POST", path: "/api/v1/stage-requests/MOVE-1/approve", body: `{"version":1}`, status: 403},
			{name: "manager overrides", who: "manager", method: "POST", path: "/api/v1/stage-requests/MOVE-1/override",
				body: `{"version":1,"reason":"Urgent"}`, status: 403},
			{name: "override without reason", who: "owner", method: "POST", path: "/api/v1/stage-requests/MOVE-1/override", body: `{"version":1,"reason":""}`,
				status: 422, fields: []string{"body.reason"}},
			{name: "foreign request", who: "globex", method: "GET", path: "/api/v1/stage-requests/MOVE-1", status: 404},
			{name: "list", who: "auditor", method: "GET", path: "/api/v1/stage-requests?status=open&system=SYS-1", status: 200,
				has: []string{`"total":1`, `"ref":"MOVE-1"`, `"system_ref":"SYS-1"`}},

			// Satisfy the gate: an approved model version through the model API.
			{name: "a model", who: "contributor", method: "POST", path: "/api/v1/models", body: `{"system":"SYS-1","name":"Scorer"}`, status: 201,
				actions: []string{"model.create"}},
			{name: "a version", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions", status: 201,
				body:    `{"label":"1.0.0","digest":"` + modelDigest + `","card":{"intended_use":"Score applications.","limitations":"Thin credit files."}}`,
				actions: []string{"model_version.create"}},
			{name: "its results", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.0.0/evaluations", status: 201,
				body: `{"metrics":{"auc":0.81}}`, actions: []string{"model_version.evaluate"}},
		})
		w.run(t, []step{{name: "approve the version", who: "manager", method: "POST", path: "/api/v1/models/MDL-1/versions/1.0.0/approve",
			body: `{"version":` + versionOf(t, w, "/api/v1/models/MDL-1/versions/1.0.0") + `}`, status: 200, actions: []string{"model_version.approve"}}})
		if _, err := w.App.Evidence.Add(context.Background(), lifecycleActor(t, w, "contributor@acme.example"), evidence.AddRequest{Kind: "note",
			Title: "Validation report", Note: "AUC 0.81 on the hold-out set.", Links: []string{"control:A.6.2.4", "ai_system:SYS-1"}}); err != nil {
			t.Fatal(err)
		}
		lifecycleApprovedImpact(t, w)
		w.run(t, []step{
			{name: "checks met", who: "viewer", method: "GET", path: "/api/v1/stage-requests/MOVE-1", status: 200,
				has: []string{`"met":true`, `"refs":["MDL-1@1.0.0"]`, `"detail":"EV-1 Validation report"`}},
			{name: "approve", who: "manager", method: "POST", path: "/api/v1/stage-requests/MOVE-1/approve", body: `{"version":1,"note":"Committee"}`,
				status: 200, has: []string{`"status":"approved"`, `"checks_live":false`, `"decision_note":"Committee"`},
				actions: []string{"ai_system.stage_change", "stage_request.approve"}},
			{name: "the system moved", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1", status: 200,
				has: []string{`"lifecycle_stage":"deployment"`}},
		})
		w.run(t, []step{
			{name: "no stage edit", who: "owner", method: "PATCH", path: "/api/v1/systems/SYS-1", status: 422,
				body: `{"version":` + versionOf(t, w, "/api/v1/systems/SYS-1") + `,"lifecycle_stage":"retirement"}`, fields: []string{"body.lifecycle_stage"},
				has: []string{"changes only through a stage-move request"}},
			{name: "withdraw", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-1/stage-requests", status: 201,
				body: `{"to":"operation_and_monitoring","justification":"Live"}`, actions: []string{"stage_request.create"}},
			{name: "not the requester", who: "owner", method: "POST", path: "/api/v1/stage-requests/MOVE-2/withdraw", body: `{"version":1}`, status: 403},
			{name: "the requester", who: "contributor", method: "POST", path: "/api/v1/stage-requests/MOVE-2/withdraw", body: `{"version":1}`,
				status: 200, has: []string{`"status":"withdrawn"`}, actions: []string{"stage_request.withdraw"}},
			{name: "refuse", who: "contributor", method: "POST", path: "/api/v1/systems/SYS-1/stage-requests", status: 201,
				body:    `{"to":"retirement","justification":"Replaced","plan":"Delete the data in 30 days; archive the model; tell the officers."}`,
				actions: []string{"stage_request.create"}},
			{name: "refuse without reason", who: "manager", method: "POST", path: "/api/v1/stage-requests/MOVE-3/refuse", body: `{"version":1}`,
				status: 422, fields: []string{"body.note"}},
			{name: "refused", who: "manager", method: "POST", path: "/api/v1/stage-requests/MOVE-3/refuse", body: `{"version":1,"note":"Not yet"}`,
				status: 200, has: []string{`"status":"refused"`, `"plan":"Delete the data`}, actions: []string{"stage_request.refuse"}},

			// Change control.
			{name: "viewer raises", who: "viewer", method: "POST", path: "/api/v1/changes", status: 403,
				body: `{"system":"SYS-1","title":"x","kinds":["other"],"justification":"x"}`},
			{name: "bad change", who: "contributor", method: "POST", path: "/api/v1/changes", status: 422,
				body: `{"system":"SYS-9","title":"","kinds":["upgrade"],"justification":""}`, fields: []string{"body.justification", "body.kinds", "body.system", "body.title"}},
			{name: "raise", who: "contributor", method: "POST", path: "/api/v1/changes", status: 201,
				body:    `{"system":"SYS-1","title":"Scorer 2","kinds":["model_version"],"justification":"Better AUC","expected_impact":"Fewer refusals"}`,
				has:     []string{`"ref":"CR-1"`, `"classification":"significant"`, `"classification_rule":"significant by rule: a new model version is always significant"`},
				actions: []string{"change_request.create"}},
			{name: "lower it", who: "owner", method: "POST", path: "/api/v1/changes/CR-1/reclassify", status: 409,
				body: `{"version":1,"classification":"minor","reason":"Small"}`, fields: []string{"body.classification"}},
			{name: "a minor one", who: "contributor", method: "POST", path: "/api/v1/changes", status: 201,
				body: `{"system":"SYS-1","title":"New hosting","kinds":["supplier"],"justification":"Cost"}`, has: []string{`"classification":"minor"`},
				actions: []string{"change_request.create"}},
			{name: "raise it", who: "manager", method: "POST", path: "/api/v1/changes/CR-2/reclassify", status: 200,
				body: `{"version":1,"classification":"significant","reason":"Outside the EU"}`, has: []string{`"raised_reason":"Outside the EU"`},
				actions: []string{"change_request.reclassify"}},
			{name: "contributor approves", who: "contributor", method: "POST", path: "/api/v1/changes/CR-1/approve", body: `{"version":1}`, status: 403},
			{name: "approve", who: "manager", method: "POST", path: "/api/v1/changes/CR-1/approve", body: `{"version":1}`, status: 200,
				has: []string{`"status":"approved"`}, actions: []string{"change_request.approve", "ai_system.significant_change"}},
			{name: "the assessment is due", who: "viewer", method: "GET", path: "/api/v1/impact/assessments?due=true", status: 200,
				has: []string{`"field":"significant_change"`, "a significant change was approved: CR-1 Scorer 2"}},
			{name: "the next move waits", who: "viewer", method: "GET", path: "/api/v1/systems/SYS-1/stage-checks?to=operation_and_monitoring", status: 200,
				has: []string{`"met":false`, `"missing":["No review due after a significant change"]`, `"refs":["IA-1"]`}},
			{name: "history of the system", who: "auditor", method: "GET", path: "/api/v1/systems/SYS-1/history", status: 200,
				has: []string{`"action":"ai_system.significant_change"`, `"after":"CR-1: Scorer 2"`, `"action":"ai_system.stage_change"`}},
			{name: "implement without a note", who: "manager", method: "POST", path: "/api/v1/changes/CR-1/implement", body: `{"version":2}`,
				status: 422, fields: []string{"body.note"}},
			{name: "implement", who: "owner", method: "POST", path: "/api/v1/changes/CR-1/implement", body: `{"version":2,"note":"Deployed 1.1.0"}`,
				status: 200, has: []string{`"status":"implemented"`, `"implementation_note":"Deployed 1.1.0"`}, actions: []string{"change_request.implement"}},
			{name: "withdraw another's", who: "manager", method: "POST", path: "/api/v1/changes/CR-2/withdraw", body: `{"version":2}`, status: 403},
			{name: "refuse", who: "owner", method: "POST", path: "/api/v1/changes/CR-2/refuse", body: `{"version":2,"note":"Stay in the EU"}`,
				status: 200, actions: []string{"change_request.refuse"}},
			{name: "list", who: "viewer", method: "GET", path: "/api/v1/changes?system=SYS-1&classification=significant&kind=model_version", status: 200,
				has: []string{`"total":1`, `"ref":"CR-1"`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/changes?status=done&kind=x", status: 422,
				fields: []string{"query.kind", "query.status"}},
			{name: "foreign change", who: "globex", method: "GET", path: "/api/v1/changes/CR-1", status: 404},
			{name: "foreign list", who: "globex", method: "GET", path: "/api/v1/changes", status: 200, has: []string{`"total":0`}},
			{name: "overview", who: "viewer", method: "GET", path: "/api/v1/lifecycle", status: 200,
				has: []string{`"system_ref":"SYS-1"`, `"stage":"deployment"`, `"changes_approved":0`}},
		})
	})
}

// TestLifecycleResponsesMatchTheDocument validates the life cycle's real
// requests and answers, errors included, against the OpenAPI document.
func TestLifecycleResponsesMatchTheDocument(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ who, method, path, body string }{
		{"owner", "POST", "/api/v1/systems", lifecycleSystem},
		{"viewer", "GET", "/api/v1/lifecycle", ""},
		{"viewer", "GET", "/api/v1/lifecycle/gates", ""},
		{"owner", "PUT", "/api/v1/lifecycle/gates", `{"version":0,"gates":[{"stage":"retirement","requirements":[{"kind":"retirement_plan"}]}]}`},
		{"owner", "PUT", "/api/v1/lifecycle/gates", `{"version":0,"gates":[]}`},
		{"viewer", "GET", "/api/v1/systems/SYS-1/stage-checks?to=retirement", ""},
		{"viewer", "GET", "/api/v1/systems/SYS-1/stage-checks?to=x", ""},
		{"contributor", "POST", "/api/v1/systems/SYS-1/stage-requests", `{"to":"retirement","justification":"Done","plan":"Delete"}`},
		{"contributor", "POST", "/api/v1/systems/SYS-1/stage-requests", `{"to":"retirement","justification":""}`},
		{"viewer", "GET", "/api/v1/stage-requests", ""},
		{"viewer", "GET", "/api/v1/stage-requests/MOVE-1", ""},
		{"manager", "POST", "/api/v1/stage-requests/MOVE-1/override", `{"version":1,"reason":"x"}`},
		{"manager", "POST", "/api/v1/stage-requests/MOVE-1/approve", `{"version":1}`},
		{"manager", "POST", "/api/v1/stage-requests/MOVE-1/refuse", `{"version":1}`},
		{"contributor", "POST", "/api/v1/stage-requests/MOVE-1/withdraw", `{"version":2}`},
		{"contributor", "POST", "/api/v1/changes", `{"system":"SYS-1","title":"Scorer 2","kinds":["model_version"],"justification":"x"}`},
		{"contributor", "POST", "/api/v1/changes", `{"system":"SYS-1","kinds":[]}`},
		{"viewer", "GET", "/api/v1/changes?status=open", ""},
		{"viewer", "GET", "/api/v1/changes/CR-1", ""},
		{"owner", "POST", "/api/v1/changes/CR-1/reclassify", `{"version":1,"classification":"minor","reason":"x"}`},
		{"owner", "POST", "/api/v1/changes/CR-1/approve", `{"version":1}`},
		{"owner", "POST", "/api/v1/changes/CR-1/implement", `{"version":2,"note":"Done"}`},
		{"owner", "POST", "/api/v1/changes/CR-1/refuse", `{"version":3,"note":"x"}`},
		{"contributor", "POST", "/api/v1/changes/CR-1/withdraw", `{"version":3}`},
		{"globex", "GET", "/api/v1/changes/CR-1", ""},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, _ := http.NewRequest(c.method, w.URL+c.path, body)
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		r := w.call(t, c.who, c.method, c.path, c.body)
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s as %s → %d does not match the document: %v\n%s", c.method, c.path, c.who, r.status, err, r.body)
		}
	}
}
