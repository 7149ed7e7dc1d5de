package model_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// keptReports are the reports each test's fake evidence service kept, and
// the error it answers instead when one is set.
var keptReports = struct {
	sync.Mutex
	kept   map[*sources][]model.ReportEvidence
	refuse map[*sources]error
}{kept: map[*sources][]model.ReportEvidence{}, refuse: map[*sources]error{}}

// AddReportEvidence keeps the report as the evidence service would,
// numbering it EV-1, EV-2 …, and calls then in a transaction of its own,
// keeping the report only when then succeeds.
func (s *sources) AddReportEvidence(ctx context.Context, actor *aims.Actor, r model.ReportEvidence, then func(tx *db.Tx, ref string) error) (string, error) {
	keptReports.Lock()
	defer keptReports.Unlock()
	if err := keptReports.refuse[s]; err != nil {
		return "", err
	}
	if actor.UserID == "" {
		return "", aims.Errorf(aims.CodeForbidden, "evidence is added by a person")
	}
	ref := fmt.Sprintf("EV-%d", len(keptReports.kept[s])+1)
	if err := s.db.WithTx(ctx, func(tx *db.Tx) error { return then(tx, ref) }); err != nil {
		return "", err
	}
	keptReports.kept[s] = append(keptReports.kept[s], r)
	return ref, nil
}

// kept returns the reports kept in the test's environment.
func (e *env) kept() []model.ReportEvidence {
	keptReports.Lock()
	defer keptReports.Unlock()
	return append([]model.ReportEvidence(nil), keptReports.kept[e.sources]...)
}

// TestImportEvaluations imports a fairlearn report: the report is kept as
// evidence of A.6.2.6 linked to the system, and each result is recorded
// with the request's data set and date and a note naming the evidence.
func TestImportEvaluations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		holdout := e.sources.addDataset(e.org, "DS-2@1", "Hold-out")
		v := e.version(t, "MDL-1", "1.0", model.VersionRequest{})
		report := `{"overall": {"accuracy": 0.8}, "by_group": {"accuracy": {"female": 0.7, "male": 0.9}},
			"difference": {"accuracy": 0.2}, "ratio": {"accuracy": 0.7777777777777778}}`

		got, err := e.svc.ImportEvaluations(e.ctx, e.contributor(), "mdl-1@1.0", model.ImportRequest{Format: "fairlearn",
			Report: json.RawMessage(report), Feature: "sex", Dataset: " ds-2@1 ", MeasuredOn: "2026-03-01", Note: "nightly run 42"})
		if err != nil {
			t.Fatal(err)
		}
		by, name := e.contributor().UserID, "Carla Contributor"
		hold := &model.DatasetVersionRef{ID: holdout.ID, Key: "DS-2@1", Name: "Hold-out"}
		note := "from EV-1 (fairlearn); nightly run 42"
		result := func(n int, metric string, value float64) model.Evaluation {
			return model.Evaluation{Number: n, Metric: metric, Value: value, Dataset: hold, MeasuredOn: "2026-03-01", Note: note,
				CreatedBy: by, CreatedByName: name, CreatedAt: t0}
		}
		want := &model.ImportResult{Evidence: "EV-1", Results: []model.Evaluation{
			result(1, "accuracy", 0.8), result(2, "accuracy[sex=female]", 0.7), result(3, "accuracy[sex=male]", 0.9),
			result(4, "accuracy difference (sex)", 0.2), result(5, "accuracy ratio (sex)", 0.7777777777777778)}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("import (-want +got):\n%s", diff)
		}
		wantKept := []model.ReportEvidence{{Title: "fairlearn results of MDL-1@1.0",
			Description: "The fairlearn report whose 5 results were recorded on model version MDL-1@1.0, measured on 2026-03-01 on DS-2@1.\n\nnightly run 42",
			FileName:    "fairlearn-results.json", Content: []byte(report), Links: []string{"control:A.6.2.6", "ai_system:SYS-1"}}}
		if diff := cmp.Diff(wantKept, e.kept()); diff != "" {
			t.Errorf("evidence (-want +got):\n%s", diff)
		}
		if ev := e.lastEvent(t); ev.Action != model.ActionEvaluate || ev.Object.Ref != v.Key {
			t.Errorf("last audit event %s of %s, want %s of %s", ev.Action, ev.Object.Ref, model.ActionEvaluate, v.Key)
		}
		if all, err := e.svc.Evaluations(e.ctx, e.viewer(), v.Key); err != nil || len(all) != 5 {
			t.Errorf("the version has %d results (%v), want 5", len(all), err)
		}

		// A report sent as a JSON string is kept as the text it holds; the
		// evidence's date is today when none is given.
		inner := `{"run": {"data": {"metrics": [{"key": "auc", "value": 0.88, "step": 3}]}}}`
		quoted, _ := json.Marshal(inner)
		got, err = e.svc.ImportEvaluations(e.ctx, e.owner(), v.Key, model.ImportRequest{Format: "MLflow", Report: quoted})
		if err != nil {
			t.Fatal(err)
		}
		wantAUC := &model.ImportResult{Evidence: "EV-2", Results: []model.Evaluation{{Number: 6, Metric: "auc", Value: 0.88,
			MeasuredOn: "2026-03-02", Note: "from EV-2 (mlflow)", CreatedBy: e.owner().UserID, CreatedByName: "Zoë Owner", CreatedAt: t0}}}
		if diff := cmp.Diff(wantAUC, got); diff != "" {
			t.Errorf("MLflow import (-want +got):\n%s", diff)
		}
		if k := e.kept(); len(k) != 2 || string(k[1].Content) != inner || k[1].Title != "MLflow results of MDL-1@1.0" ||
			k[1].FileName != "mlflow-results.json" || !strings.Contains(k[1].Description, "measured on 2026-03-02.") {
			t.Errorf("second evidence = %+v", k[1:])
		}
	})
}

// TestImportEvaluationsRefused checks that every refusal leaves the
// evaluations, the audit log and the evidence as they were.
func TestImportEvaluationsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		e.model(t, "SYS-1", "Old")
		v := e.version(t, "MDL-1", "1.0", model.VersionRequest{})
		old := e.version(t, "MDL-1", "0.9", model.VersionRequest{})
		if _, err := e.svc.Retire(e.ctx, e.manager(), old.Key, model.DecisionRequest{Version: old.Version}); err != nil {
			t.Fatal(err)
		}
		e.version(t, "MDL-2", "1", model.VersionRequest{})
		if _, err := e.svc.Archive(e.ctx, e.owner(), "MDL-2"); err != nil {
			t.Fatal(err)
		}
		good := json.RawMessage(`{"metrics": [{"metric_id": "ValueDrift(column=age)", "value": 0.04}]}`)
		token := *e.contributor()
		token.UserID = ""
		for _, tc := range []struct {
			name   string
			actor  *aims.Actor
			key    string
			req    model.ImportRequest
			refuse error
			code   aims.Code
			fields []string
		}{
			{"a viewer", e.viewer(), v.Key, model.ImportRequest{Format: "evidently", Report: good}, nil, aims.CodeForbidden, nil},
			{"an unknown version, before the body", e.contributor(), "MDL-1@7", model.ImportRequest{Format: "x"}, nil, aims.CodeNotFound, nil},
			{"a bad report", e.contributor(), v.Key, model.ImportRequest{Format: "evidently", Report: json.RawMessage(`{"metrics": 1}`)},
				nil, aims.CodeInvalid, []string{"report"}},
			{"bad fields", e.contributor(), v.Key, model.ImportRequest{Format: "evidently", Report: good, Feature: "sex", Dataset: "DS-9@9",
				MeasuredOn: "2999-01-01"}, nil, aims.CodeInvalid, []string{"feature"}},
			{"an unknown data set and a future date", e.contributor(), v.Key, model.ImportRequest{Format: "evidently", Report: good,
				Dataset: "DS-9@9", MeasuredOn: "2999-01-01"}, nil, aims.CodeInvalid, []string{"dataset", "measured_on"}},
			{"a retired version", e.contributor(), old.Key, model.ImportRequest{Format: "evidently", Report: good}, nil, aims.CodeConflict, nil},
			{"an archived model", e.contributor(), "MDL-2@1", model.ImportRequest{Format: "evidently", Report: good}, nil, aims.CodeConflict, nil},
			{"evidence refused as invalid", e.contributor(), v.Key, model.ImportRequest{Format: "evidently", Report: good},
				aims.Errorf(aims.CodeInvalid, "invalid input"), aims.CodeInvalid, nil},
			{"the evidence service's problems", e.contributor(), v.Key, model.ImportRequest{Format: "evidently", Report: good},
				&aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{Field: "file", Message: "is larger than the limit"}}},
				aims.CodeInvalid, []string{"report"}},
			{"a token without a person", &token, v.Key, model.ImportRequest{Format: "evidently", Report: good}, nil, aims.CodeForbidden, nil},
		} {
			keptReports.Lock()
			keptReports.refuse[e.sources] = tc.refuse
			keptReports.Unlock()
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.ImportEvaluations(e.ctx, tc.actor, tc.key, tc.req)
				if tc.fields != nil {
					servicetest.WantFields(t, err, tc.code, tc.fields...)
				} else {
					servicetest.WantCode(t, err, tc.code)
				}
			})
			if k := e.kept(); len(k) != 0 {
				t.Errorf("%s: evidence kept: %+v", tc.name, k)
			}
		}
		// The evidence service's problems are named at report.
		keptReports.Lock()
		keptReports.refuse[e.sources] = &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
			Fields: []aims.FieldError{{Field: "file", Message: "is larger than the limit of 1 KiB (1024 bytes)"}}}
		keptReports.Unlock()
		_, err := e.svc.ImportEvaluations(e.ctx, e.contributor(), v.Key, model.ImportRequest{Format: "evidently", Report: good})
		if ae := aims.AsError(err); len(ae.Fields) != 1 || ae.Fields[0].Message != "cannot be kept as evidence: file is larger than the limit of 1 KiB (1024 bytes)" {
			t.Errorf("evidence problem = %v", err)
		}
		keptReports.Lock()
		delete(keptReports.refuse, e.sources)
		keptReports.Unlock()
	})
}
