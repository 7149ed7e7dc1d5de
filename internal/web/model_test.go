package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/model"
)

// modelDataset records a data set with one version through the data set
// service, as the owner, and returns the version's key.
func (e *env) modelDataset(name string) string {
	e.t.Helper()
	d, err := e.app.Datasets.Create(e.ctx, e.owner(), dataset.CreateRequest{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	no := false
	v, err := e.app.Datasets.AddVersion(e.ctx, e.owner(), d.Ref, dataset.VersionRequest{Source: "Loan book extract",
		Acquisition: "collected", Licence: "Own data", ContainsPersonalData: &no})
	if err != nil {
		e.t.Fatal(err)
	}
	return v.Key
}

// modelDigest is a valid artefact digest.
var modelDigest = strings.Repeat("ab", 32)

// TestModelPages registers a model and a version through the forms, shows
// every problem beside its field with what was typed kept, records results,
// approves, deploys, withdraws and retires, and checks that each role sees
// only the forms it may use and that every page is safe under the CSP.
func TestModelPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, manager, contributor, viewer := cs[aims.RoleOwner], cs[aims.RoleManager], cs[aims.RoleContributor], cs[aims.RoleViewer]
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score loan applications."})
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Chat assistant", IntendedPurpose: "Answer questions."})
		train, test := e.modelDataset("Applications"), e.modelDataset("Hold-out")

		r := viewer.get("/models")
		want(t, r, http.StatusOK, "Models", "No models match")
		wantNot(t, r, `id="new-model"`)
		wantCSPSafe(t, r)
		want(t, viewer.get("/models/new"), http.StatusForbidden)
		want(t, viewer.post("/models", url.Values{"system": {"SYS-1"}, "name": {"x"}}), http.StatusForbidden)

		// The form for a system's model has the system chosen.
		r = contributor.get("/models/new?system=SYS-1")
		want(t, r, http.StatusOK, "Register a model", `<option value="SYS-1" selected>SYS-1 Credit scoring</option>`)
		wantCSPSafe(t, r)
		r = contributor.post("/models", url.Values{"system": {""}, "name": {" "}, "description": {"Typed description"}})
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#model-system"`, "AI system is required",
			`href="#model-name"`, "Name is required", ">Typed description</textarea>", `aria-invalid="true"`)
		wantCSPSafe(t, r)
		r = contributor.post("/models", url.Values{"system": {"SYS-1"}, "name": {"Credit scorer"}, "description": {"Gradient boosting."}})
		wantRedirect(t, r, "/models/MDL-1")
		r = contributor.get("/models/MDL-1")
		want(t, r, http.StatusOK, "MDL-1 Credit scorer", "is registered for SYS-1", `href="/systems/SYS-1"`, `id="no-versions"`,
			`id="new-version"`, "Registered the model")
		wantNot(t, r, `id="archive"`)
		wantCSPSafe(t, r)
		r = contributor.post("/models", url.Values{"system": {"SYS-1"}, "name": {"CREDIT scorer"}})
		want(t, r, http.StatusConflict, "Name is already the name of another model of SYS-1", `value="CREDIT scorer"`)

		// Editing: a stale form is refused and keeps what was typed.
		want(t, contributor.get("/models/MDL-1/edit"), http.StatusOK, `name="version" value="1"`, "AI system:</strong> SYS-1 Credit scoring")
		wantRedirect(t, contributor.post("/models/MDL-1", url.Values{"version": {"1"}, "name": {"Credit scorer"}, "description": {"XGBoost."}}), "/models/MDL-1")
		r = owner.post("/models/MDL-1", url.Values{"version": {"1"}, "name": {"Old view"}, "description": {"Mine"}})
		want(t, r, http.StatusConflict, "Someone changed MDL-1 since you loaded it", `value="Old view"`, ">Mine</textarea>")

		// A version: problems beside their fields, typed values kept.
		r = contributor.get("/models/MDL-1/versions/new")
		want(t, r, http.StatusOK, "Register a version of MDL-1 Credit scorer", `name="card.intended_use"`)
		wantCSPSafe(t, r)
		bad := url.Values{"label": {"1 4"}, "digest": {"nope"}, "framework": {"scikit-learn 1.5"}, "trained_on": {train + "\nDS-99@1"},
			"card.intended_use": {"Score applications."}}
		r = contributor.post("/models/MDL-1/versions", bad)
		want(t, r, http.StatusUnprocessableEntity, `href="#version-label"`, `href="#version-digest"`, `href="#version-trained_on"`,
			"names DS-99@1, which is not a data set version", `value="scikit-learn 1.5"`, ">Score applications.</textarea>",
			`id="version-trained_on-error"`)
		wantCSPSafe(t, r)
		good := url.Values{"label": {"1.4.0"}, "digest": {"sha256:" + modelDigest}, "framework": {"scikit-learn 1.5"},
			"trained_on": {train}, "evaluated_on": {test}, "card.intended_use": {"Score applications."}}
		wantRedirect(t, contributor.post("/models/MDL-1/versions", good), "/models/MDL-1/versions/1.4.0")
		r = contributor.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, "MDL-1@1.4.0 Credit scorer", "is registered as a candidate", modelDigest,
			`href="/datasets/DS-1/versions/1"`, `href="/datasets/DS-2/versions/1"`,
			`href="/datasets/lineage?version=DS-1%401&amp;version=DS-2%401"`, `id="approval-gaps"`,
			"Evaluation results has no results", "Limitations is empty", `id="evaluate"`, `id="edit-version"`)
		wantNot(t, r, `id="approve"`, `id="deploy"`, `id="retire"`)
		wantCSPSafe(t, r)
		// The links lead to the data set pages.
		want(t, viewer.get("/datasets/DS-1/versions/1"), http.StatusOK)
		want(t, viewer.get("/datasets/lineage?version=DS-1%401&version=DS-2%401"), http.StatusOK, "DS-1@1", "DS-2@1")

		// Results: a bad value is named and what was typed stays; two values draw a chart.
		r = contributor.post("/models/MDL-1/versions/1.4.0/evaluations", url.Values{"metric": {"accuracy"}, "value": {"high"},
			"dataset": {test}, "note": {"run 7"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#evaluate-value"`, "Value must be a number", `value="accuracy"`, `value="run 7"`)
		r = contributor.post("/models/MDL-1/versions/1.4.0/evaluations", url.Values{"metric": {"accuracy"}, "value": {"0.9"},
			"dataset": {"DS-9@9"}, "measured_on": {"2999-01-01"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#evaluate-dataset"`, `href="#evaluate-measured_on"`, "must not be in the future",
			`value="DS-9@9"`, `value="0.9"`)
		wantRedirect(t, contributor.post("/models/MDL-1/versions/1.4.0/evaluations", url.Values{"metric": {"accuracy"}, "value": {"0.89"},
			"dataset": {test}, "measured_on": {"2026-01-10"}}), "/models/MDL-1/versions/1.4.0#evaluations")
		r = contributor.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, "The result accuracy = 0.89 is recorded.", `id="evaluation-table"`, "0.89")
		wantNot(t, r, `<svg`)
		wantRedirect(t, contributor.post("/models/MDL-1/versions/1.4.0/evaluations", url.Values{"metric": {"accuracy"}, "value": {"0.91"},
			"measured_on": {"2026-02-10"}}), "/models/MDL-1/versions/1.4.0#evaluations")
		r = viewer.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, `id="metric-chart-1"`, "accuracy over time", "2 values from 2026-01-10 to 2026-02-10, between 0.89 and 0.91",
			"2026-01-10: 0.89 on DS-2@1", `class="chart-line"`)
		wantNot(t, r, `id="evaluate"`, `id="edit-version"`, `id="approve"`)
		wantCSPSafe(t, r)

		// Approval: the contributor cannot; the manager is told what is missing; the card is completed; approved.
		want(t, contributor.post("/models/MDL-1/versions/1.4.0/approve", url.Values{"version": {"1"}}), http.StatusForbidden)
		r = manager.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, `id="approve"`, "Limitations is empty")
		r = manager.post("/models/MDL-1/versions/1.4.0/approve", url.Values{"version": {"1"}, "note": {"Board minute 12"}})
		want(t, r, http.StatusConflict, "cannot be approved yet", "Limitations is empty", ">Board minute 12</textarea>")
		wantCSPSafe(t, r)
		want(t, contributor.get("/models/MDL-1/versions/1.4.0/edit"), http.StatusOK, "Edit MDL-1@1.4.0", ">Score applications.</textarea>", train)
		edit := url.Values{"version": {"1"}, "digest": {modelDigest}, "framework": {"scikit-learn 1.5"}, "trained_on": {train},
			"evaluated_on": {test}, "card.intended_use": {"Score applications."}, "card.limitations": {"Not for business loans."}}
		wantRedirect(t, contributor.post("/models/MDL-1/versions/1.4.0", edit), "/models/MDL-1/versions/1.4.0")
		r = manager.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, `id="approval-ready"`, "Version 2")
		wantRedirect(t, manager.post("/models/MDL-1/versions/1.4.0/approve", url.Values{"version": {"2"}, "note": {"Board minute 12"}}),
			"/models/MDL-1/versions/1.4.0")
		r = manager.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, "is approved", `id="approval-record"`, "Board minute 12", `id="card-frozen"`, `id="deploy"`, `id="retire"`)
		wantNot(t, r, `id="edit-version"`)
		edit.Set("version", "3")
		edit.Set("card.limitations", "Changed after approval")
		r = contributor.post("/models/MDL-1/versions/1.4.0", edit)
		want(t, r, http.StatusConflict, "frozen since its approval", "register a new version", ">Changed after approval</textarea>")

		// Deployment: a bad environment is named; production, then staging; withdraw; retire is refused while deployed.
		r = manager.post("/models/MDL-1/versions/1.4.0/deploy", url.Values{"version": {"3"}, "environment": {"prod/eu"}, "note": {"CHG-1"}})
		want(t, r, http.StatusUnprocessableEntity, `href="#deploy-environment"`, `value="prod/eu"`, `value="CHG-1"`)
		wantCSPSafe(t, r)
		wantRedirect(t, manager.post("/models/MDL-1/versions/1.4.0/deploy", url.Values{"version": {"3"}}), "/models/MDL-1/versions/1.4.0")
		wantRedirect(t, owner.post("/models/MDL-1/versions/1.4.0/deploy", url.Values{"version": {"4"}, "environment": {"Staging"}}),
			"/models/MDL-1/versions/1.4.0")
		want(t, owner.get("/models/MDL-1/versions/1.4.0"), http.StatusOK, "is deployed in staging")
		r = viewer.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, `id="version-status">Deployed`, "in production", "in staging", `id="deployments"`)
		wantNot(t, r, `id="withdraw-production"`, `id="deploy"`)
		r = viewer.get("/models/MDL-1")
		want(t, r, http.StatusOK, `id="version-1.4.0"`, "Deployed", `href="/models/MDL-1/versions/1.4.0">1.4.0</a> in production`)
		r = viewer.get("/models?system=SYS-1")
		want(t, r, http.StatusOK, "1–1 of 1", "MDL-1", ", latest 1.4.0", "in staging")
		want(t, viewer.get("/models?system=SYS-2"), http.StatusOK, "No models match")
		want(t, owner.post("/models/MDL-1/versions/1.4.0/retire", url.Values{"version": {"5"}}), http.StatusConflict,
			"withdraw it from there before retiring it")
		r = owner.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, `id="withdraw-production"`, `id="withdraw-staging"`)
		wantNot(t, r, `id="retire"`)
		wantRedirect(t, owner.post("/models/MDL-1/versions/1.4.0/withdraw", url.Values{"version": {"5"}, "environment": {"staging"}}),
			"/models/MDL-1/versions/1.4.0")
		want(t, owner.get("/models/MDL-1/versions/1.4.0"), http.StatusOK, "is withdrawn from staging", "Withdrawn by Olivia Owner")
		want(t, owner.post("/models/MDL-1/archive", nil), http.StatusConflict, "withdraw it before archiving the model")
		wantRedirect(t, owner.post("/models/MDL-1/versions/1.4.0/withdraw", url.Values{"version": {"6"}}), "/models/MDL-1/versions/1.4.0")
		wantRedirect(t, owner.post("/models/MDL-1/versions/1.4.0/retire", url.Values{"version": {"7"}, "note": {"Replaced"}}),
			"/models/MDL-1/versions/1.4.0")
		r = owner.get("/models/MDL-1/versions/1.4.0")
		want(t, r, http.StatusOK, `id="version-status">Retired`, "Replaced", "Retired the model version")
		wantNot(t, r, `id="evaluate"`, `id="deploy"`)

		// Archive and restore, as a lead.
		want(t, contributor.post("/models/MDL-1/archive", nil), http.StatusForbidden)
		wantRedirect(t, manager.post("/models/MDL-1/archive", nil), "/models/MDL-1")
		want(t, manager.get("/models/MDL-1"), http.StatusOK, "is archived", `id="restore"`)
		want(t, viewer.get("/models"), http.StatusOK, "No models match")
		want(t, viewer.get("/models?status=archived"), http.StatusOK, "MDL-1", "Archived")
		wantRedirect(t, manager.post("/models/MDL-1/restore", nil), "/models/MDL-1")

		// Unknown records, and the audit log's words for model events.
		want(t, viewer.get("/models/MDL-9"), http.StatusNotFound)
		want(t, viewer.get("/models/MDL-1/versions/9.9"), http.StatusNotFound)
		want(t, viewer.get("/models?system=SYS-9"), http.StatusUnprocessableEntity, "AI system is not an AI system of this organisation")
		want(t, owner.get("/audit"), http.StatusOK, "Deployed the model version", "Recorded evaluation results")
		if n, err := e.app.Models.ApprovedVersions(e.ctx, e.orgID, mustSystemID(t, e, "SYS-1")); err != nil || len(n) != 0 {
			t.Errorf("approved versions after retirement = %+v, %v", n, err)
		}
	})
}

// mustSystemID returns a system's id.
func mustSystemID(t *testing.T, e *env, ref string) string {
	t.Helper()
	s, err := e.app.Systems.Get(e.ctx, e.owner(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// TestModelChart checks the chart's layout: the first value at the left,
// the last at the right, the larger value higher, and a metric with one
// value drawn as no chart.
func TestModelChart(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		e.setup()
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Score."})
		m, err := e.app.Models.Create(e.ctx, e.owner(), model.CreateRequest{System: "SYS-1", Name: "Scorer"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.app.Models.CreateVersion(e.ctx, e.owner(), m.Ref, model.VersionRequest{Label: "1", Digest: modelDigest})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Models.Evaluate(e.ctx, e.owner(), v.Key, model.EvaluateRequest{Results: []model.EvaluationInput{
			{Metric: "auc", Value: 0.8, MeasuredOn: "2026-01-01"}, {Metric: "auc", Value: 0.9, MeasuredOn: "2026-01-11"},
			{Metric: "auc", Value: 0.7, MeasuredOn: "2026-01-06"}, {Metric: "f1", Value: 0.5}}}); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/models/MDL-1/versions/1")
		// 0.7 on the 6th is half-way and lowest; 0.9 on the 11th is at the right and highest.
		want(t, r, http.StatusOK, `<polyline points="56.0,92.0 343.0,160.3 630.0,23.7"`, "3 values from 2026-01-01 to 2026-01-11, between 0.7 and 0.9")
		wantNot(t, r, `id="metric-chart-2"`, "f1 over time")
		wantCSPSafe(t, r)
	})
}
