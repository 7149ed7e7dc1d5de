package model_test

import (
	"math"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestEvaluate appends results one at a time and many at once, as a list
// and as an MLflow-style object, with defaults from the request; checks
// every problem a pipeline can send; and proves results are append-only.
func TestEvaluate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		holdout := e.sources.addDataset(e.org, "DS-2@1", "Hold-out")
		recent := e.sources.addDataset(e.org, "DS-3@1", "Recent")
		v := e.version(t, "MDL-1", "1.0", model.VersionRequest{})

		added, err := e.svc.Evaluate(e.ctx, e.contributor(), v.Key, model.EvaluateRequest{
			Results:    []model.EvaluationInput{{Metric: " accuracy ", Value: 0.91}, {Metric: "accuracy", Value: 0.89, Dataset: "ds-3@1", MeasuredOn: "2026-02-01", Note: "Recent data"}},
			Metrics:    map[string]float64{"auc": 0.88, "f1": 0.7},
			Dataset:    "DS-2@1",
			MeasuredOn: "2026-03-01",
			Note:       "Nightly run 42",
		})
		if err != nil {
			t.Fatal(err)
		}
		by, name := e.contributor().UserID, "Carla Contributor"
		hold := &model.DatasetVersionRef{ID: holdout.ID, Key: "DS-2@1", Name: "Hold-out"}
		want := []model.Evaluation{
			{Number: 1, Metric: "accuracy", Value: 0.91, Dataset: hold, MeasuredOn: "2026-03-01", Note: "Nightly run 42", CreatedBy: by, CreatedByName: name, CreatedAt: t0},
			{Number: 2, Metric: "accuracy", Value: 0.89, Dataset: &model.DatasetVersionRef{ID: recent.ID, Key: "DS-3@1", Name: "Recent"}, MeasuredOn: "2026-02-01",
				Note: "Recent data", CreatedBy: by, CreatedByName: name, CreatedAt: t0},
			{Number: 3, Metric: "auc", Value: 0.88, Dataset: hold, MeasuredOn: "2026-03-01", Note: "Nightly run 42", CreatedBy: by, CreatedByName: name, CreatedAt: t0},
			{Number: 4, Metric: "f1", Value: 0.7, Dataset: hold, MeasuredOn: "2026-03-01", Note: "Nightly run 42", CreatedBy: by, CreatedByName: name, CreatedAt: t0},
		}
		if diff := cmp.Diff(want, added); diff != "" {
			t.Errorf("added (-want +got):\n%s", diff)
		}
		ev := e.lastEvent(t)
		if ev.Action != model.ActionEvaluate || ev.Object.Ref != "MDL-1@1.0" || len(ev.Changes) != 1 || ev.Changes[0].Field != "evaluations" ||
			!strings.Contains(string(ev.Changes[0].After), `"metric":"auc","note":"Nightly run 42","number":3,"value":0.88`) {
			t.Errorf("event = %+v", ev)
		}
		// Appending changes nothing of the version itself, so a pipeline needs no version number.
		if got := e.get(t, v.Key); got.Version != 1 || got.EvaluationCount != 4 || len(got.Evaluations) != 4 {
			t.Errorf("version after results = %d, %d results", got.Version, got.EvaluationCount)
		}
		// Read back, a result names its data set as trained_on does.
		if got, err := e.svc.Evaluations(e.ctx, e.viewer(), v.Key); err != nil || cmp.Diff(want, got) != "" {
			t.Errorf("results read back = %v, %v", err, cmp.Diff(want, got))
		}
		// A result without a date is today's; numbers continue.
		more, err := e.svc.Evaluate(e.ctx, e.contributor(), "mdl-1@1.0", model.EvaluateRequest{Results: []model.EvaluationInput{{Metric: "auc", Value: 0}}})
		if err != nil || len(more) != 1 || more[0].Number != 5 || more[0].MeasuredOn != "2026-03-02" || more[0].Dataset != nil {
			t.Errorf("more = %+v, %v", more, err)
		}

		for _, tc := range []struct {
			name   string
			req    model.EvaluateRequest
			fields []string
		}{
			{"nothing", model.EvaluateRequest{}, []string{"results"}},
			{"bad results", model.EvaluateRequest{Results: []model.EvaluationInput{
				{Metric: "", Value: math.NaN()}, {Metric: "ok", Value: math.Inf(1), MeasuredOn: "2026-3-1"},
				{Metric: strings.Repeat("m", 101), Value: 1, MeasuredOn: "2026-03-03", Dataset: "DS-9@9"},
				{Metric: "tab\x01", Value: 1, Note: strings.Repeat("n", 2001)}}},
				[]string{"results[0].metric", "results[0].value", "results[1].measured_on", "results[1].value", "results[2].dataset",
					"results[2].measured_on", "results[2].metric", "results[3].metric", "results[3].note"}},
			{"bad defaults", model.EvaluateRequest{Metrics: map[string]float64{"auc": 1, "": 2}, MeasuredOn: "yesterday", Dataset: "DS-1@1"},
				[]string{"dataset", "measured_on", "metrics."}},
			{"too many", model.EvaluateRequest{Results: make([]model.EvaluationInput, 201)}, []string{"results"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					_, err := e.svc.Evaluate(e.ctx, e.contributor(), v.Key, tc.req)
					servicetest.WantFields(t, err, aims.CodeInvalid, tc.fields...)
				})
			})
		}
		_, err = e.svc.Evaluate(e.ctx, e.contributor(), "MDL-1@9", model.EvaluateRequest{})
		servicetest.WantCode(t, err, aims.CodeNotFound)

		// The database itself refuses to change or remove a result.
		for _, q := range []string{`UPDATE model_evaluations SET value = 1`, `DELETE FROM model_evaluations`} {
			if _, err := d.ExecContext(e.ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want it refused", q, err)
			}
		}
		if all, err := e.svc.Evaluations(e.ctx, e.viewer(), v.Key); err != nil || len(all) != 5 || all[0].Value != 0.91 {
			t.Errorf("evaluations = %+v, %v", all, err)
		}
	})
}
