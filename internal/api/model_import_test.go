package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// importFairlearn is a fairlearn MetricFrame written to JSON, for the API tests.
const importFairlearn = `{"overall": {"accuracy": 0.8, "selection_rate": 0.4},
  "by_group": {"accuracy": {"female": 0.7, "male": 0.9}, "selection_rate": {"female": 0.3, "male": 0.5}},
  "difference": {"accuracy": 0.2, "selection_rate": 0.2}, "ratio": {"accuracy": 0.7777777777777778, "selection_rate": 0.6}}`

// importSetup registers a system, a data set version, a model and a version, and returns the data set version's key.
func importSetup(t *testing.T, w *world) string {
	t.Helper()
	w.run(t, []step{{name: "a system", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem, status: 201,
		actions: []string{"ai_system.create"}}})
	test := modelDataset(t, w, "Hold-out")
	w.run(t, []step{
		{name: "a model", who: "contributor", method: "POST", path: "/api/v1/models", body: `{"system":"SYS-1","name":"Scorer"}`, status: 201,
			actions: []string{"model.create"}},
		{name: "a version", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions", status: 201,
			body: `{"label":"1.4.0","digest":"` + modelDigest + `"}`, actions: []string{"model_version.create"}},
	})
	return test
}

// TestModelImportEndpoint imports reports of each tool as each kind of
// caller, and checks the results, the evidence that keeps the report (its
// links and its file, byte for byte) and the audit events.
func TestModelImportEndpoint(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		test := importSetup(t, w)
		path := "/api/v1/models/MDL-1/versions/1.4.0/evaluations/import"
		body := func(format, report, rest string) string {
			return `{"format":"` + format + `","report":` + report + rest + `}`
		}
		quoted, _ := json.Marshal(`{"run": {"data": {"metrics": [{"key": "auc", "value": 0.86, "step": 1}, {"key": "auc", "value": 0.88, "step": 2}]}}}`)
		added := []string{"evidence.add", "model_version.evaluate"}
		w.run(t, []step{
			{name: "anonymous", who: "none", method: "POST", path: path, body: body("mlflow", `{"auc":0.9}`, ""), status: 401},
			{name: "viewer", who: "viewer", method: "POST", path: path, body: body("mlflow", `{"auc":0.9}`, ""), status: 403},
			{name: "auditor", who: "auditor", method: "POST", path: path, body: body("mlflow", `{"auc":0.9}`, ""), status: 403},
			{name: "another organisation", who: "globex", method: "POST", path: path, body: body("mlflow", `{"auc":0.9}`, ""), status: 404},
			{name: "unknown version", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/9/evaluations/import",
				body: body("mlflow", `{"auc":0.9}`, ""), status: 404},
			{name: "schema problems", who: "contributor", method: "POST", path: path, body: `{"format":"csv"}`, status: 422,
				fields: []string{"body.format", "body.report"}},
			{name: "a report that cannot be read", who: "contributor", method: "POST", path: path,
				body: body("evidently", `{"metrics":[{"metric_id":"ValueDrift(column=age)","value":"high"}],"x":1}`, ""), status: 422,
				fields: []string{"body.report"}, has: []string{"Evidently report: holds no numeric results"}},
			{name: "a bad value", who: "contributor", method: "POST", path: path, body: body("fairlearn", `{"overall":{"accuracy":"high"}}`, ""),
				status: 422, fields: []string{"body.report"}, has: []string{`overall.accuracy is \"high\", not a number`}},
			{name: "request problems", who: "contributor", method: "POST", path: path,
				body:   body("mlflow", `{"auc":0.9}`, `,"feature":"sex","dataset":"DS-99@1","measured_on":"2999-01-01"`),
				status: 422, fields: []string{"body.feature"}},
			{name: "an unknown data set", who: "contributor", method: "POST", path: path,
				body: body("mlflow", `{"auc":0.9}`, `,"dataset":"DS-99@1"`), status: 422, fields: []string{"body.dataset"}},
			{name: "fairlearn", who: "contributor", method: "POST", path: path,
				body:   body("fairlearn", importFairlearn, `,"feature":"sex","dataset":"`+test+`","measured_on":"2026-01-15","note":"run 7f3a"`),
				status: 201, actions: added, has: []string{`"evidence":"EV-1"`, `"number":1,"metric":"accuracy","value":0.8`,
					`"number":2,"metric":"accuracy[sex=female]","value":0.7`, `"number":5,"metric":"accuracy ratio (sex)","value":0.7777777777777778`,
					`"number":10,"metric":"selection_rate ratio (sex)","value":0.6`, `"note":"from EV-1 (fairlearn); run 7f3a"`,
					`"measured_on":"2026-01-15"`, `"key":"` + test + `","name":"Hold-out"`}},
			{name: "Evidently", who: "owner", method: "POST", path: path, status: 201, actions: added,
				body: body("evidently", `{"metrics":[{"metric":"DatasetDriftMetric","result":{"share_of_drifted_columns":0.25,"dataset_drift":false}},
					{"metric_id":"DriftedColumnsCount(drift_share=0.5)","value":{"count":1,"share":0.25}}]}`, ""),
				has: []string{`"evidence":"EV-2"`, `"number":11,"metric":"DatasetDriftMetric.dataset_drift (1 = true)","value":0`,
					`"metric":"DriftedColumnsCount(drift_share=0.5).share","value":0.25`, `"note":"from EV-2 (evidently)"`}},
			{name: "MLflow, as a string", who: "contributor", method: "POST", path: path, body: body("mlflow", string(quoted), ""), status: 201,
				actions: added, has: []string{`"evidence":"EV-3"`, `"results":[{"number":15,"metric":"auc","value":0.88`}},
			{name: "the evidence", who: "auditor", method: "GET", path: "/api/v1/evidence/EV-1", status: 200,
				has: []string{`"kind":"file"`, `"title":"fairlearn results of MDL-1@1.4.0"`, `"file_name":"fairlearn-results.json"`,
					`{"type":"control","id":"A.6.2.6","ref":"A.6.2.6"}`, `"ref":"SYS-1","title":"Credit scoring"`,
					`whose 10 results were recorded on model version MDL-1@1.4.0, measured on 2026-01-15 on ` + test}},
			{name: "the version's results", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1/versions/1.4.0", status: 200,
				has: []string{`"evaluation_count":15`}},
		})
		for ref, want := range map[string]string{"EV-1": importFairlearn, "EV-3": `{"run": {"data": {"metrics": [{"key": "auc", "value": 0.86, "step": 1}, {"key": "auc", "value": 0.88, "step": 2}]}}}`} {
			r := w.call(t, "viewer", "GET", "/api/v1/evidence/"+ref+"/file", "")
			if r.status != 200 || string(r.body) != want {
				t.Errorf("file of %s = %d:\n%s\nwant the report as sent:\n%s", ref, r.status, r.body, want)
			}
		}
		// A retired version takes no report, and keeps no evidence of one.
		w.run(t, []step{
			{name: "retire", who: "owner", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/retire", body: `{"version":1}`, status: 200,
				actions: []string{"model_version.retire"}},
			{name: "a retired version", who: "contributor", method: "POST", path: path, body: body("mlflow", `{"auc":0.9}`, ""), status: 409},
			{name: "still three", who: "viewer", method: "GET", path: "/api/v1/evidence", status: 200, has: []string{`"total":3`}},
		})
	})
}

// TestModelImportTooLargeForEvidence imports a report larger than the
// server keeps as evidence: it is refused at body.report and nothing is
// recorded, neither evidence nor results.
func TestModelImportTooLargeForEvidence(t *testing.T) {
	w := newEvidenceWorld(t, db.SQLite)
	importSetup(t, w)
	report := `{"metrics": {"auc": 0.9}, "padding": "` + strings.Repeat("x", evidenceLimit) + `"}`
	w.run(t, []step{
		{name: "too large", who: "contributor", method: "POST", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations/import",
			body: `{"format":"mlflow","report":` + report + `}`, status: 422, fields: []string{"body.report"},
			has: []string{"cannot be kept as evidence: file is larger than the limit of 2 KiB"}},
		{name: "no evidence", who: "viewer", method: "GET", path: "/api/v1/evidence", status: 200, has: []string{`"total":0`}},
		{name: "no results", who: "viewer", method: "GET", path: "/api/v1/models/MDL-1/versions/1.4.0/evaluations", status: 200,
			has: []string{`"items":[]`}},
	})
}

// TestModelImportMatchesTheDocument validates the import's real answers,
// success and refusal, against the OpenAPI document.
func TestModelImportMatchesTheDocument(t *testing.T) {
	w := newWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	importSetup(t, w)
	path := "/api/v1/models/MDL-1/versions/1.4.0/evaluations/import"
	for _, c := range []struct{ who, body string }{
		{"contributor", `{"format":"fairlearn","feature":"sex","report":` + importFairlearn + `}`},
		{"contributor", `{"format":"evidently","report":{"metrics":3}}`},
		{"viewer", `{"format":"mlflow","report":{"auc":0.9}}`},
	} {
		req, _ := http.NewRequest("POST", w.URL+path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatal(err)
		}
		r := w.call(t, c.who, "POST", path, c.body)
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s as %s → %d does not match the document: %v\n%s", c.body, c.who, r.status, err, r.body)
		}
	}
	op := doc.Paths.Value("/api/v1/models/{ref}/versions/{label}/evaluations/import").Post
	if op == nil || !strings.Contains(op.Description, "A.6.2.6") || doc.Components.Schemas["ModelImportRequest"] == nil ||
		doc.Components.Schemas["ModelImportResult"] == nil {
		t.Errorf("the import is not documented with its schemas")
	}
}

// TestModelImportIsAtomic makes recording the results fail in the
// database: the import answers 500 and leaves no evidence, no result and
// no audit event behind.
func TestModelImportIsAtomic(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		importSetup(t, w)
		servicetest.FailInserts(t, w.App.DB, "model_evaluations")
		servicetest.Unchanged(t, w.App.DB, func() {
			r := w.call(t, "contributor", "POST", "/api/v1/models/MDL-1/versions/1.4.0/evaluations/import",
				`{"format":"fairlearn","report":`+importFairlearn+`,"feature":"sex"}`)
			if r.status != http.StatusInternalServerError {
				t.Errorf("import with results failing = %d %s, want 500", r.status, r.body)
			}
		})
	})
}
