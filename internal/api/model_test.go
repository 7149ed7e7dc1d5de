package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// modelDigest is the artefact digest of the tests' versions.
const modelDigest = "sha256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

// modelDataset records a data set with one version through the data set
// service, as the owner, and returns the version's key.
func modelDataset(t *testing.T, w *world, name string) string {
	t.Helper()
	ctx := context.Background()
	a, err := w.App.Identity.ActorFor(ctx, w.userID(t, w.OwnerEmail), w.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.App.Datasets.Create(ctx, a, dataset.CreateRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	no := false
	v, err := w.App.Datasets.AddVersion(ctx, a, d.Ref, dataset.VersionRequest{Source: "Loan book extract", Acquisition: "collected",
		Licence: "Own data", ContainsPersonalData: &no})
	if err != nil {
		t.Fatal(err)
	}
	return v.Key
}

// TestModelEndpoints registers a model, a version with its data and card,
// posts results as a pipeline would, approves and deploys two versions and
// retires one, as each kind of caller, checking status, answer and audit.
func TestModelEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		w.run(t, []step{{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201,
			actions: []string{"ai_system.create"}}})
		train, test := modelDataset(t, w, "Applications"), modelDataset(t, w, "Hold-out")
		today := time.Now().UTC().Format(time.DateOnly)
		version1 := `{"label":"1.4.0","digest":"` + modelDigest + `","framework":"scikit-learn 1.5","trained_on":["` + train + `"],"evaluated_on":["` + test + `"],
			"card":{"intended_use":"Score consumer credit applications."}}`
		w.run(t, []step{
			// Models.
			{name: "anonymous create", who: "none", method: "POST", path: "/api/v1/models", body: `{"system":"SYS-1","name":"Scorer"}`, status: 401},
			{name: "viewer create", who: "viewer", method: "POST", path: "/api/v1/models", body: `{"system":"SYS-1","name":"Scorer"}`, status: 403},
			{name: "contributor create", who: "contributor", method: "POST", path: "/api/v1/models", body: `{"system":"sys-1","name":"Scorer"}`,
				status: 201, has: []string{`"ref":"MDL-1"`, `"system_ref":"SYS-1"`, `"system_name":"Credit scoring"`, `"version":1`, `"deployed":[]`},
				actions: []string{"model.create"}},
			{name: "same name", who: "owner", method: "POST", path: "/api/v1/models", body: `{"system":"SYS-1","name":"SCORER"}`, status: 409,
				fields: []string{"body.name"}},
			{name: "schema problems", who: "owner", method: "POST", path: "/api/v1/models", body: `{"name":"","colour":"red"}`, status: 422,
				fields: []string{"body.colour", "body.name", "body.system"}},
			{name: "service problems", who: "owner", method: "POST", path: "/api/v1/models", body: `{"system":"SYS-9","name":"x","owner_id":"nobody"}`,
				status: 422, fields: []string{"body.owner_id", "body.system"}},
			{name: "list", who: "auditor", method: "GET", path: "/api/v1/models?system=SYS-1", status: 200, has: []string{`"total":1`, `"ref":"MDL-1"`}},
			{name: "bad list", who: "viewer", method: "GET", path: "/api/v1/models?system=SYS-9&status=gone", status: 422,
				fields: []string{"query.status"}},
			{name: "unknown system in list", who: "viewer", method: "GET", path: "/api/v1/models?system=SYS-9", status: 422, fields: []string{"query.system"}},
			{name: "foreign list", who: "globex", method: "GET", path: "/api/v1/models", status: 200, has: []string{`"total":0`}},
			{name: "get", who: "viewer", method: "GET", path: "/api/v1/models/mdl-1", status: 200, has: []string{`"name":"Scorer"`}},
			{name: "foreign get", who: "globex", method: "GET", path: "/api/v1/models/MDL-1", status: 404},
			{name: "update", who: "contributor", method: "PATCH", path: "/api/v1/models/MDL-1", body: `{"version":1,"description":"Gradient boosting"}`,
				status: 200, has: []string{`"version":2`, `"description":"Gradient boosting"`}, actions: []string{"model.update"}},
			{name: "stale update", who: "owner", method: "PATCH", path: "/api/v1/models/MDL-1", body: `{"version":1,"name":"x"}`, status: 409,
				fields: []string{"body.version"}},
			{name: "contributor archives", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/archive", status: 403},
			{name: "history", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1/history", status: 200,
				has: []string{`"action":"model.update"`, `"action":"model.create"`}},

			// Versions.
			{name: "bad version", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions", status: 422,
				body:   `{"label":"1 4","digest":"sha256:abc","trained_on":["DS-99@1"],"card":{"limitations":"` + strings.Repeat("x", 4001) + `"}}`,
				fields: []string{"body.card.limitations"}},
			{name: "bad version, service rules", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions", status: 422,
				body:   `{"label":"1 4","digest":"sha256:abc","trained_on":["DS-99@1"]}`,
				fields: []string{"body.digest", "body.label", "body.trained_on"}},
			{name: "version of an unknown model", who: "contributor", method: "POST", path: "/api/v1/models/MDL-9/versions", body: version1, status: 404},
			{name: "add a version", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions", body: version1, status: 201,
				has: []string{`"key":"MDL-1@1.4.0"`, `"digest":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`,
					`"trained_on":[{"id":"`, `"key":"` + train + `"`, `"status":"candidate"`},
				actions: []string{"model_version.create"}},
			{name: "same label", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions", body: version1, status: 409,
				fields: []string{"body.label"}},
			{name: "versions", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1/versions", status: 200, has: []string{`"items":[{"id":"`, `"label":"1.4.0"`}},
			{name: "a version", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1/versions/1.4.0", status: 200,
				has: []string{`"evaluation_count":0`, `"framework":"scikit-learn 1.5"`}},
			{name: "unknown version", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1/versions/9.9", status: 404},

			// Results from a pipeline.
			{name: "viewer posts results", who: "viewer", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations",
				body: `{"metrics":{"auc":0.88}}`, status: 403},
			{name: "a result without a value", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations",
				body: `{"results":[{"metric":"auc"}]}`, status: 422, fields: []string{"body.results[0].value"}},
			{name: "bad results", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations",
				body:   `{"results":[{"metric":" ","value":1,"measured_on":"2999-01-01"}],"dataset":"DS-99@9"}`,
				status: 422, fields: []string{"body.dataset", "body.results[0].measured_on", "body.results[0].metric"}},
			{name: "no results", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations",
				body: `{}`, status: 422, fields: []string{"body.results"}},
			{name: "MLflow metrics", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations",
				body:   `{"metrics":{"accuracy":0.91,"auc":0.88},"dataset":"` + test + `","note":"run 7f3a"}`,
				status: 201, has: []string{`"number":1,"metric":"accuracy","value":0.91`, `"number":2,"metric":"auc","value":0.88`,
					`"measured_on":"` + today + `"`, `"note":"run 7f3a"`, `"key":"` + test + `","name":"Hold-out"`}, actions: []string{"model_version.evaluate"}},
			{name: "one result", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations",
				body: `{"results":[{"metric":"accuracy","value":0.9,"measured_on":"2026-01-15"}]}`, status: 201,
				has: []string{`"number":3,"metric":"accuracy","value":0.9,"measured_on":"2026-01-15"`}, actions: []string{"model_version.evaluate"}},
			{name: "results", who: "auditor", method: "GET", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations", status: 200,
				has: []string{`"number":3`, `"key":"` + test + `","name":"Hold-out"`}},

			// Approval and deployment.
			{name: "contributor approves", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/approve",
				body: `{"version":1}`, status: 403},
			{name: "approve without limitations", who: "manager", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/approve",
				body: `{"version":1}`, status: 409, fields: []string{"body.card.limitations"}, has: []string{"cannot be approved yet"}},
			{name: "fill in the card", who: "contributor", method: "PATCH", path: "/api/v1/models/MDL-1/versions/1.4.0",
				body: `{"version":1,"card":{"limitations":"Not validated for business loans."}}`, status: 200,
				has: []string{`"version":2`, `"intended_use":"Score consumer credit applications."`}, actions: []string{"model_version.update"}},
			{name: "approve", who: "manager", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/approve",
				body: `{"version":2,"note":"AI board"}`, status: 200, has: []string{`"status":"approved"`, `"note":"AI board"`},
				actions: []string{"model_version.approve"}},
			{name: "frozen card", who: "contributor", method: "PATCH", path: "/api/v1/models/MDL-1/versions/1.4.0",
				body: `{"version":3,"card":{"limitations":"Changed"}}`, status: 409, has: []string{"register a new version"}},
			{name: "contributor deploys", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/deploy",
				body: `{"version":3}`, status: 403},
			{name: "deploy", who: "manager", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/deploy",
				body: `{"version":3}`, status: 200, has: []string{`"status":"deployed"`, `"environments":["production"]`},
				actions: []string{"model_version.deploy"}},
			{name: "deploy to staging too", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/deploy",
				body: `{"version":4,"environment":"Staging"}`, status: 200, has: []string{`"environments":["production","staging"]`},
				actions: []string{"model_version.deploy"}},
			{name: "a second version", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions", status: 201,
				body:    `{"label":"1.5.0","digest":"` + strings.Repeat("b", 64) + `","card":{"intended_use":"Same.","limitations":"Same."}}`,
				actions: []string{"model_version.create"}},
			{name: "deploy a candidate", who: "manager", method: "POST", path: "/api/v1/models/MDL-1/versions/1.5.0/deploy",
				body: `{"version":1}`, status: 409, has: []string{"approve it before deploying it"}},
			{name: "results of the second", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.5.0/evaluations",
				body: `{"results":[{"metric":"accuracy","value":0.93}]}`, status: 201, actions: []string{"model_version.evaluate"}},
			{name: "approve the second", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions/1.5.0/approve",
				body: `{"version":1}`, status: 200, actions: []string{"model_version.approve"}},
			{name: "supersede in production", who: "manager", method: "POST", path: "/api/v1/models/MDL-1/versions/1.5.0/deploy",
				body: `{"version":2,"environment":"production","note":"CHG-42"}`, status: 200, has: []string{`"environments":["production"]`},
				actions: []string{"model_version.supersede", "model_version.deploy"}},
			{name: "the first stays in staging", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1/versions/1.4.0", status: 200,
				has: []string{`"environments":["staging"]`, `"end_reason":"superseded"`, `"end_note":"superseded by MDL-1@1.5.0"`}},
			{name: "the model's deployments", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1", status: 200,
				has: []string{`"deployed":[{"environment":"production","label":"1.5.0","key":"MDL-1@1.5.0"},{"environment":"staging","label":"1.4.0","key":"MDL-1@1.4.0"}]`}},
			{name: "retire a deployed version", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/retire",
				body: `{"version":6}`, status: 409, has: []string{"withdraw it from there before retiring it"}},
			{name: "withdraw from a wrong environment", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/withdraw",
				body: `{"version":6,"environment":"production"}`, status: 422, fields: []string{"body.environment"}},
			{name: "withdraw", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/withdraw",
				body: `{"version":6,"note":"Staging rebuilt"}`, status: 200, has: []string{`"status":"approved"`, `"environments":[]`},
				actions: []string{"model_version.withdraw"}},
			{name: "retire", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/retire",
				body: `{"version":7,"note":"Replaced by 1.5.0"}`, status: 200, has: []string{`"status":"retired"`, `"retirement":{"by":"`},
				actions: []string{"model_version.retire"}},
			{name: "archive with a deployed version", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/archive", status: 409},
			{name: "version history", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1/versions/1.4.0/history", status: 200,
				has: []string{`"action":"model_version.retire"`, `"action":"model_version.supersede"`, `"ref":"MDL-1@1.4.0"`}},
			{name: "foreign version", who: "globex", method: "GET", path: "/api/v1/models/MDL-1/versions/1.4.0", status: 404},
			{name: "foreign deploy", who: "globex", method: "POST", path: "/api/v1/models/MDL-1/versions/1.5.0/deploy", body: `{"version":3}`, status: 404},
		})
	})
}

// TestModelResponsesMatchTheDocument validates the model operations' real
// requests and answers, errors included, against the OpenAPI document.
func TestModelResponsesMatchTheDocument(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	w.run(t, []step{{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201,
		actions: []string{"ai_system.create"}}})
	train := modelDataset(t, w, "Applications")
	for _, c := range []struct{ who, method, path, body string }{
		{"owner", "POST", "/api/v1/models", `{"system":"SYS-1","name":"Scorer"}`},
		{"owner", "POST", "/api/v1/models", `{"system":"SYS-9","name":""}`},
		{"viewer", "GET", "/api/v1/models?q=scorer", ""},
		{"viewer", "GET", "/api/v1/models/MDL-1", ""},
		{"owner", "PATCH", "/api/v1/models/MDL-1", `{"version":1,"description":"x"}`},
		{"owner", "PATCH", "/api/v1/models/MDL-1", `{"version":1,"description":"y"}`},
		{"viewer", "GET", "/api/v1/models/MDL-1/history", ""},
		{"owner", "POST", "/api/v1/models/MDL-1/versions", `{"label":"1","digest":"` + modelDigest + `","trained_on":["` + train + `"],"card":{"intended_use":"U","limitations":"L"}}`},
		{"owner", "POST", "/api/v1/models/MDL-1/versions", `{"label":"?","digest":"x"}`},
		{"viewer", "GET", "/api/v1/models/MDL-1/versions", ""},
		{"owner", "PATCH", "/api/v1/models/MDL-1/versions/1", `{"version":1,"framework":"onnx 1.16"}`},
		{"owner", "POST", "/api/v1/models/MDL-1/versions/1/approve", `{"version":2}`},
		{"owner", "POST", "/api/v1/models/MDL-1/versions/1/evaluations", `{"metrics":{"auc":0.8},"results":[{"metric":"f1","value":0.7,"dataset":"` + train + `"}]}`},
		{"viewer", "GET", "/api/v1/models/MDL-1/versions/1/evaluations", ""},
		{"owner", "POST", "/api/v1/models/MDL-1/versions/1/approve", `{"version":2}`},
		{"owner", "POST", "/api/v1/models/MDL-1/versions/1/deploy", `{"version":3,"environment":"staging"}`},
		{"viewer", "GET", "/api/v1/models/MDL-1/versions/1", ""},
		{"owner", "POST", "/api/v1/models/MDL-1/versions/1/withdraw", `{"version":4}`},
		{"owner", "POST", "/api/v1/models/MDL-1/versions/1/retire", `{"version":5}`},
		{"viewer", "GET", "/api/v1/models/MDL-1/versions/1/history", ""},
		{"owner", "POST", "/api/v1/models/MDL-1/archive", ""},
		{"owner", "POST", "/api/v1/models/MDL-1/restore", ""},
		{"globex", "GET", "/api/v1/models/MDL-1/versions/1", ""},
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
	// Every model operation is documented with a summary and a description.
	n := 0
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/v1/models") {
			continue
		}
		for method, op := range item.Operations() {
			n++
			if op.Summary == "" || op.Description == "" || !strings.Contains(strings.Join(op.Tags, ","), "Models") {
				t.Errorf("%s %s lacks a summary, description or the Models tag", method, path)
			}
		}
	}
	if n != 19 {
		t.Errorf("%d model operations documented, want 19", n)
	}
	var schemas []string
	for name := range doc.Components.Schemas {
		if strings.HasPrefix(name, "Model") {
			schemas = append(schemas, name)
		}
	}
	b, _ := json.Marshal(schemas)
	for _, want := range []string{`"ModelVersion"`, `"ModelPage"`, `"ModelEvaluation"`, `"ModelCard"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("schema %s missing from %s", want, b)
		}
	}
}
