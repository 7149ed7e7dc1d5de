package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/google/go-cmp/cmp"
)

// The worked example of fairlearn's user guide (Assessment, "Metrics with
// Grouping", v0.7): true and predicted labels of sixteen people in four groups.
var (
	guideTrue   = []int{0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1}
	guidePred   = []int{0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1}
	guideGroups = []string{"d", "a", "c", "b", "b", "c", "c", "c", "b", "d", "c", "a", "b", "d", "c", "c"}
)

// guideMetrics computes recall and selection rate over the rows the filter keeps.
func guideMetrics(keep func(i int) bool) (recall, selection float64) {
	var pos, hit, n, sel float64
	for i := range guideTrue {
		if !keep(i) {
			continue
		}
		n++
		sel += float64(guidePred[i])
		if guideTrue[i] == 1 {
			pos++
			hit += float64(guidePred[i])
		}
	}
	return hit / pos, sel / n
}

// guideReport is the example as a data scientist writes a MetricFrame of
// recall_score and selection_rate to JSON, with the values this test
// computes itself, and the results aims should record from it.
func guideReport() ([]byte, []EvaluationInput) {
	groups := []string{"a", "b", "c", "d"}
	recall, selection := guideMetrics(func(int) bool { return true })
	byGroup := map[string]map[string]float64{"recall_score": {}, "selection_rate": {}}
	for _, g := range groups {
		r, s := guideMetrics(func(i int) bool { return guideGroups[i] == g })
		byGroup["recall_score"][g], byGroup["selection_rate"][g] = r, s
	}
	spread := func(m string) (lo, hi float64) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range byGroup[m] {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		return lo, hi
	}
	rLo, rHi := spread("recall_score")
	sLo, sHi := spread("selection_rate")
	report := map[string]any{
		"overall":    map[string]float64{"recall_score": recall, "selection_rate": selection},
		"by_group":   byGroup,
		"difference": map[string]float64{"recall_score": rHi - rLo, "selection_rate": sHi - sLo},
		"ratio":      map[string]float64{"recall_score": rLo / rHi, "selection_rate": sLo / sHi},
	}
	raw, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		panic(err)
	}
	var want []EvaluationInput
	for _, m := range []string{"recall_score", "selection_rate"} {
		overall := recall
		if m == "selection_rate" {
			overall = selection
		}
		lo, hi := spread(m)
		want = append(want, EvaluationInput{Metric: m, Value: overall})
		for _, g := range groups {
			want = append(want, EvaluationInput{Metric: m + "[sex=" + g + "]", Value: byGroup[m][g]})
		}
		want = append(want, EvaluationInput{Metric: m + " difference (sex)", Value: hi - lo},
			EvaluationInput{Metric: m + " ratio (sex)", Value: lo / hi})
	}
	return raw, want
}

// TestParseFairlearn reads the user guide's example as MetricFrame gives
// it, the same with by_group written the other way round, a report of one
// metric, and plain fairness numbers.
func TestParseFairlearn(t *testing.T) {
	raw, want := guideReport()
	got, err := parseReport(FormatFairlearn, "sex", raw)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("guide example (-want +got):\n%s", diff)
	}
	// The values the guide's data give, worked out by hand; the guide
	// itself prints the overall recall, 0.5.
	values := map[string]float64{}
	for _, r := range got {
		values[r.Metric] = r.Value
	}
	for name, v := range map[string]float64{"recall_score": 0.5, "selection_rate": 9.0 / 16, "recall_score[sex=a]": 0,
		"recall_score[sex=b]": 0.5, "selection_rate[sex=c]": 5.0 / 7, "recall_score difference (sex)": 0.75,
		"selection_rate ratio (sex)": (1.0 / 3) / (5.0 / 7)} {
		if math.Abs(values[name]-v) > 1e-15 {
			t.Errorf("%s = %v, want %v", name, values[name], v)
		}
	}

	// by_group as groups of metrics: to_dict(orient="index").
	var report map[string]any
	if err := json.Unmarshal(raw, &report); err != nil {
		t.Fatal(err)
	}
	rows := map[string]map[string]any{}
	for m, groups := range report["by_group"].(map[string]any) {
		for g, v := range groups.(map[string]any) {
			if rows[g] == nil {
				rows[g] = map[string]any{}
			}
			rows[g][m] = v
		}
	}
	report["by_group"] = rows
	turned, _ := json.Marshal(report)
	got, err = parseReport(FormatFairlearn, "sex", turned)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("by_group by row (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name, feature, report string
		want                  []EvaluationInput
	}{
		{"one metric, named", "sex", `{"metric":"accuracy","overall":0.8,"by_group":{"male":0.9,"female":0.7},"difference":0.2,"ratio":0.7777777777777778}`,
			[]EvaluationInput{{Metric: "accuracy", Value: 0.8}, {Metric: "accuracy[sex=female]", Value: 0.7}, {Metric: "accuracy[sex=male]", Value: 0.9},
				{Metric: "accuracy difference (sex)", Value: 0.2}, {Metric: "accuracy ratio (sex)", Value: 0.7777777777777778}}},
		{"one metric, no feature", "", `{"overall":0.8,"by_group":{"female":0.7,"male":null},"group_min":0.7,"group_max":0.9}`,
			[]EvaluationInput{{Metric: "metric", Value: 0.8}, {Metric: "metric[female]", Value: 0.7}, {Metric: "metric group min", Value: 0.7},
				{Metric: "metric group max", Value: 0.9}}},
		{"plain numbers", "", `{"demographic_parity_difference":0.12,"equalized_odds_ratio":0.8}`,
			[]EvaluationInput{{Metric: "demographic_parity_difference", Value: 0.12}, {Metric: "equalized_odds_ratio", Value: 0.8}}},
		{"control features", "sex", `{"difference":{"accuracy":{"large":0.1,"small":0.3}}}`,
			[]EvaluationInput{{Metric: "accuracy difference (sex) [large]", Value: 0.1}, {Metric: "accuracy difference (sex) [small]", Value: 0.3}}},
		{"encoded twice", "", `"{\"overall\": {\"auc\": 0.7}}"`, []EvaluationInput{{Metric: "auc", Value: 0.7}}},
	} {
		got, err := parseReport(FormatFairlearn, tc.feature, []byte(tc.report))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestParseEvidently reads both shapes of Evidently's report JSON, with the
// values Evidently's documentation shows for a drift report.
func TestParseEvidently(t *testing.T) {
	legacy := `{"version": "0.4.33", "timestamp": "2026-03-01T09:00:00", "metrics": [
	  {"metric": "DatasetDriftMetric", "result": {"drift_share": 0.5, "number_of_columns": 15, "number_of_drifted_columns": 5,
	    "share_of_drifted_columns": 0.3333333333333333, "dataset_drift": false}},
	  {"metric": "ColumnDriftMetric", "result": {"column_name": "age", "column_type": "num", "stattest_name": "Wasserstein distance (normed)",
	    "stattest_threshold": 0.1, "drift_score": 0.18534692319042428, "drift_detected": true,
	    "current": {"small_distribution": {"x": [16.2, 37.9], "y": [0.002, 0.038]}}}},
	  {"metric": "DataDriftTable", "result": {"drift_by_columns": {"age": {"column_name": "age", "drift_score": 0.18534692319042428}}}},
	  {"metric": "ColumnDriftMetric", "result": {"column_name": "age", "drift_score": 0.2, "stattest_name": "PSI"}}
	]}`
	got, err := parseReport(FormatEvidently, "", []byte(legacy))
	if err != nil {
		t.Fatal(err)
	}
	want := []EvaluationInput{
		{Metric: "DatasetDriftMetric.dataset_drift (1 = true)", Value: 0},
		{Metric: "DatasetDriftMetric.drift_share", Value: 0.5},
		{Metric: "DatasetDriftMetric.number_of_columns", Value: 15},
		{Metric: "DatasetDriftMetric.number_of_drifted_columns", Value: 5},
		{Metric: "DatasetDriftMetric.share_of_drifted_columns", Value: 0.3333333333333333},
		{Metric: "ColumnDriftMetric[age].drift_detected (1 = true)", Value: 1},
		{Metric: "ColumnDriftMetric[age].drift_score", Value: 0.18534692319042428},
		{Metric: "ColumnDriftMetric[age].stattest_threshold", Value: 0.1},
		{Metric: "DataDriftTable.drift_by_columns[age].drift_score", Value: 0.18534692319042428},
		{Metric: "ColumnDriftMetric[age].drift_score (2)", Value: 0.2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Evidently 0.4 report (-want +got):\n%s", diff)
	}

	current := `{"metrics": [
	  {"id": "0f1e", "metric_id": "ValueDrift(column=age)", "value": 0.04},
	  {"id": "9a8b", "metric_id": "DriftedColumnsCount(drift_share=0.5)", "value": {"count": 1, "share": 0.25}},
	  {"id": "77aa", "metric_id": "MeanValue(column=income)", "value": {"mean": 52000.5, "std": null}},
	  {},
	  {"id": "5c5c", "metric_id": "UniqueValueCount(column=sex)", "value": {"counts": {"female": 40, "male": 60}, "shares": {"female": 0.4, "male": 0.6}}}
	], "tests": [{"id": "t1", "name": "Drift", "status": "SUCCESS"}]}`
	got, err = parseReport(FormatEvidently, "", []byte(current))
	if err != nil {
		t.Fatal(err)
	}
	want = []EvaluationInput{
		{Metric: "ValueDrift(column=age)", Value: 0.04},
		{Metric: "DriftedColumnsCount(drift_share=0.5).count", Value: 1},
		{Metric: "DriftedColumnsCount(drift_share=0.5).share", Value: 0.25},
		{Metric: "MeanValue(column=income).mean", Value: 52000.5},
		{Metric: "UniqueValueCount(column=sex).counts.female", Value: 40},
		{Metric: "UniqueValueCount(column=sex).counts.male", Value: 60},
		{Metric: "UniqueValueCount(column=sex).shares.female", Value: 0.4},
		{Metric: "UniqueValueCount(column=sex).shares.male", Value: 0.6},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Evidently 0.7 report (-want +got):\n%s", diff)
	}
}

// TestParseMLflow reads a run from the REST API (the latest step of each
// metric wins), from `mlflow runs describe`, and plain metric objects.
func TestParseMLflow(t *testing.T) {
	for _, tc := range []struct{ name, report string }{
		{"REST run", `{"run": {"info": {"run_id": "7f3a", "status": "FINISHED"}, "data": {"metrics": [
			{"key": "accuracy", "value": 0.89, "timestamp": 1700000000000, "step": 0},
			{"key": "loss", "value": 0.3, "timestamp": 1700000000000, "step": 0},
			{"key": "accuracy", "value": 0.91, "timestamp": "1700000002000", "step": "2"},
			{"key": "accuracy", "value": 0.90, "timestamp": 1700000003000, "step": 1},
			{"key": "loss", "value": 0.35, "timestamp": 1699999999999, "step": 0}],
			"params": [{"key": "max_depth", "value": "6"}], "tags": [{"key": "mlflow.user", "value": "ada"}]}}}`},
		{"runs describe", `{"info": {"run_id": "7f3a"}, "data": {"metrics": {"accuracy": 0.91, "loss": 0.3}, "params": {"max_depth": "6"}, "tags": {}}}`},
		{"metrics object", `{"metrics": {"loss": 0.3, "accuracy": 0.91}}`},
		{"metric history", `{"metrics": [{"key": "loss", "value": 0.3, "step": 4}, {"key": "accuracy", "value": 0.91, "step": 4}]}`},
		{"plain", `{"accuracy": 0.91, "loss": 0.3, "f1": null}`},
	} {
		got, err := parseReport(FormatMLflow, "", []byte(tc.report))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		want := []EvaluationInput{{Metric: "accuracy", Value: 0.91}, {Metric: "loss", Value: 0.3}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestParseNames keeps names within 100 characters, stable and apart, and
// clean of control characters.
func TestParseNames(t *testing.T) {
	long := strings.Repeat("ColumnSummary(column=a_very_long_feature_name_", 3)
	report := fmt.Sprintf(`{"metrics": [{"metric_id": %q, "value": 1}, {"metric_id": %q, "value": 2}, {"metric_id": "tab\there\nnewline", "value": 3}]}`,
		long+"one)", long+"two)")
	got, err := parseReport(FormatEvidently, "", []byte(report))
	if err != nil {
		t.Fatal(err)
	}
	short := func(name string) string {
		sum := sha256.Sum256([]byte(name))
		return string([]rune(name)[:91]) + "…" + hex.EncodeToString(sum[:4])
	}
	want := []EvaluationInput{{Metric: short(long + "one)"), Value: 1}, {Metric: short(long + "two)"), Value: 2}, {Metric: "tab here newline", Value: 3}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if n := utf8.RuneCountInString(got[0].Metric); n != maxMetric {
		t.Errorf("shortened name has %d characters, want %d", n, maxMetric)
	}
}

// TestParseProblems names each problem of a report at the field report (or
// format, feature), saying what is wrong and where.
func TestParseProblems(t *testing.T) {
	var many []string
	for i := range 201 {
		many = append(many, fmt.Sprintf(`"m%03d": %d`, i, i))
	}
	for _, tc := range []struct {
		format, feature, report string
		field, says             string
	}{
		{"", "", `{}`, "format", "must be one of fairlearn, evidently, mlflow"},
		{"fairlearn", "", ``, "report", "is required"},
		{"fairlearn", "", `null`, "report", "is required"},
		{"fairlearn", "", `[1, 2]`, "report", "fairlearn report: must be a JSON object"},
		{"fairlearn", "", `{"overall": {"accuracy": "high"}}`, "report", `overall.accuracy is "high", not a number`},
		{"fairlearn", "", `{"overall": {"accuracy": 1e400}}`, "report", "overall.accuracy: 1e400 is not a finite number"},
		{"fairlearn", "", `{"overall": {"accuracy": NaN}}`, "report", "NaN and Infinity are not JSON numbers"},
		{"fairlearn", "", `{"overall": {"accuracy": "NaN"}}`, "report", "overall.accuracy is NaN, which is not a finite number"},
		{"fairlearn", "", `{"overall": {"accuracy": 0.8}, "notes": "x"}`, "report", `notes is "x"; a fairlearn report holds overall`},
		{"fairlearn", "", `{"by_group": [0.7]}`, "report", "by_group is a list"},
		{"fairlearn", "", `{"overall": {"accuracy": null}}`, "report", "fairlearn report: holds no numeric results"},
		{"fairlearn", "", `{"metric": 3, "overall": 0.5}`, "report", "metric must name the report's one metric"},
		{"fairlearn", "", `{"a": 1} {"b": 2}`, "report", "more follows the first value"},
		{"fairlearn", "", `{"a": 1`, "report", "is not valid JSON"},
		{"evidently", "", `{"metric": 1}`, "report", `Evidently report: must be a report's JSON: an object with a list "metrics"`},
		{"evidently", "", `{"metrics": [{"foo": 1}]}`, "report", `metrics[0] has neither "metric_id"`},
		{"evidently", "", `{"metrics": ["x"]}`, "report", `metrics[0] is "x", not an object`},
		{"evidently", "", `{"metrics": [{"metric_id": "Text()", "value": "abc"}]}`, "report", "holds no numeric results"},
		{"mlflow", "", `{"runs": []}`, "report", "MLflow report: holds a list of runs"},
		{"mlflow", "", `{"metrics": [{"key": "auc", "value": "NaN"}]}`, "report", "metrics[0] (auc) is NaN, which is not a finite number"},
		{"mlflow", "", `{"metrics": [{"value": 1}]}`, "report", "metrics[0] has no key"},
		{"mlflow", "", `{"metrics": [{"key": "auc"}]}`, "report", "metrics[0] (auc) has no value"},
		{"mlflow", "", `{"metrics": 3}`, "report", "metrics is a number"},
		{"mlflow", "", `{"accuracy": "0.9"}`, "report", `accuracy is "0.9", not a number`},
		{"mlflow", "", `{"run": {"data": {"params": {}}}}`, "report", "the run's data has no metrics"},
		{"mlflow", "", `{` + strings.Join(many, ",") + `}`, "report", "holds 201 numeric results; at most 200 can be imported at once"},
	} {
		req := ImportRequest{Format: tc.format, Feature: tc.feature, Report: json.RawMessage(tc.report)}
		_, _, err := req.normalise()
		e := aims.AsError(err)
		if err == nil || e.Code != aims.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field ||
			!strings.Contains(e.Fields[0].Message, tc.says) {
			t.Errorf("%s %s: got %v, want %s: …%s…", tc.format, tc.report, err, tc.field, tc.says)
		}
	}
	// The request's own fields.
	req := ImportRequest{Format: "evidently", Feature: "sex", Note: strings.Repeat("n", maxImportNote+1), Report: json.RawMessage(`{"metrics": []}`)}
	_, _, err := req.normalise()
	var got []string
	for _, f := range aims.AsError(err).Fields {
		got = append(got, f.Field)
	}
	if diff := cmp.Diff([]string{"feature", "note", "report"}, got); diff != "" {
		t.Errorf("request problems (-want +got):\n%s\n%v", diff, err)
	}
	req = ImportRequest{Format: " Fairlearn ", Feature: "sex]", Report: json.RawMessage(`{"auc": 0.7}`)}
	if _, _, err := req.normalise(); err == nil || !strings.Contains(err.Error(), "feature must not contain [, ] or =") {
		t.Errorf("a feature with a bracket: %v", err)
	}
}

// FuzzParseReport feeds any bytes to every format: the parser never
// panics, and what it accepts is 1 to 200 results whose names are clean,
// distinct and at most 100 characters and whose values are finite; what it
// refuses is invalid input at report.
func FuzzParseReport(f *testing.F) {
	raw, _ := guideReport()
	seeds := []struct{ format, feature, report string }{
		{"fairlearn", "sex", string(raw)},
		{"fairlearn", "", `{"metric":"accuracy","overall":0.8,"by_group":{"male":0.9,"female":0.7},"difference":0.2}`},
		{"fairlearn", "", `{"overall":{"a":1},"by_group":{"x":{"a":0.5}}}`},
		{"evidently", "", `{"metrics":[{"metric":"ColumnDriftMetric","result":{"column_name":"age","drift_score":0.03,"drift_detected":false}}]}`},
		{"evidently", "", `{"metrics":[{"metric_id":"DriftedColumnsCount(drift_share=0.5)","value":{"count":1,"share":0.25}}]}`},
		{"mlflow", "", `{"run":{"data":{"metrics":[{"key":"a","value":1,"step":"2"}]}}}`},
		{"mlflow", "", `{"accuracy":0.91}`},
		{"mlflow", "", `"{\"a\": 1}"`},
		{"evidently", "", `{"metrics":[{"metric_id":"` + strings.Repeat("x", 120) + `","value":1},{"metric_id":"` + strings.Repeat("x", 120) + `","value":2}]}`},
	}
	for _, s := range seeds {
		f.Add(s.format, s.feature, []byte(s.report))
	}
	f.Fuzz(func(t *testing.T, format, feature string, report []byte) {
		ins, err := parseReport(format, feature, report)
		if err != nil {
			e := aims.AsError(err)
			if e.Code != aims.CodeInvalid || len(e.Fields) != 1 || (e.Fields[0].Field != "report" && e.Fields[0].Field != "format") {
				t.Fatalf("error %v is not one problem of report or format", err)
			}
			return
		}
		if len(ins) == 0 || len(ins) > maxEvaluationsPerPost {
			t.Fatalf("%d results", len(ins))
		}
		seen := map[string]bool{}
		for _, in := range ins {
			if in.Metric == "" || utf8.RuneCountInString(in.Metric) > maxMetric || !utf8.ValidString(in.Metric) ||
				strings.Join(strings.Fields(in.Metric), " ") != in.Metric || strings.ContainsFunc(in.Metric, func(r rune) bool { return r < 0x20 }) {
				t.Fatalf("name %q is not clean", in.Metric)
			}
			if seen[in.Metric] {
				t.Fatalf("name %q given twice", in.Metric)
			}
			seen[in.Metric] = true
			if math.IsNaN(in.Value) || math.IsInf(in.Value, 0) {
				t.Fatalf("%s = %v", in.Metric, in.Value)
			}
		}
	})
}
