package model

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// Evaluation is one measured result of a version, such as accuracy 0.91 on
// a held-out data set version. Results are appended and never changed.
type Evaluation struct {
	Number        int                `json:"number" doc:"Position among the version's results, from 1."`
	Metric        string             `json:"metric" doc:"Name of the metric, such as accuracy or auc."`
	Value         float64            `json:"value"`
	Dataset       *DatasetVersionRef `json:"dataset,omitempty" doc:"The data set version measured on; absent when not given."`
	MeasuredOn    string             `json:"measured_on" doc:"The date of the measurement, YYYY-MM-DD."`
	Note          string             `json:"note"`
	CreatedBy     string             `json:"created_by"`
	CreatedByName string             `json:"created_by_name"`
	CreatedAt     time.Time          `json:"created_at"`
}

// Deployment is a version's stay in an environment: active until another
// version supersedes it there or it is withdrawn.
type Deployment struct {
	Environment  string     `json:"environment"`
	Key          string     `json:"key" doc:"The deployed version's key, such as MDL-1@1.4.0."`
	Active       bool       `json:"active" doc:"True while the version is deployed there."`
	Note         string     `json:"note"`
	DeployedBy   string     `json:"deployed_by"`
	DeployedName string     `json:"deployed_by_name"`
	DeployedAt   time.Time  `json:"deployed_at"`
	EndedBy      string     `json:"ended_by"`
	EndedName    string     `json:"ended_by_name"`
	EndedAt      *time.Time `json:"ended_at"`
	EndReason    string     `json:"end_reason" enum:",superseded,withdrawn" doc:"Why the deployment ended: superseded or withdrawn; empty while active."`
	EndNote      string     `json:"end_note"`
}

// EvaluationInput is one result to record.
type EvaluationInput struct {
	Metric     string  `json:"metric" minLength:"1" maxLength:"100" doc:"Name of the metric, such as accuracy."`
	Value      float64 `json:"value" doc:"The measured value."`
	Dataset    string  `json:"dataset,omitempty" doc:"Key of the data set version measured on, such as DS-4@1; the request's dataset when empty."`
	MeasuredOn string  `json:"measured_on,omitempty" doc:"Date of the measurement, YYYY-MM-DD; the request's date, or today, when empty."`
	Note       string  `json:"note,omitempty" maxLength:"2000"`
}

// EvaluateRequest records one or many results of a version at once, as a
// list of results, as an object of metric names and values (as MLflow
// writes its metrics), or both. Dataset, MeasuredOn and Note apply to each
// result that does not give its own.
type EvaluateRequest struct {
	Results    []EvaluationInput  `json:"results,omitempty" maxItems:"200" doc:"Results, each with its own metric and value."`
	Metrics    map[string]float64 `json:"metrics,omitempty" doc:"Results as metric name → value, such as {\"accuracy\": 0.91}."`
	Dataset    string             `json:"dataset,omitempty" doc:"Key of the data set version measured on, such as DS-4@1."`
	MeasuredOn string             `json:"measured_on,omitempty" doc:"Date of the measurements, YYYY-MM-DD; today when empty."`
	Note       string             `json:"note,omitempty" maxLength:"2000"`
}

// maxMetric limits a metric's name, in characters.
const maxMetric = 100

// input is one result to record with where its values came from, so that
// a problem is named where it was typed.
type input struct {
	EvaluationInput
	// field names the location of the result's own fields, such as
	// results[2] or metrics.auc.
	field string
	// own* say whether the result gave its data set, date or note itself.
	ownDataset, ownDate, ownNote bool
}

// at names a field of the result, or the request's field when the result
// took the request's value.
func (in *input) at(name string, own bool) string {
	if !own {
		return name
	}
	if strings.HasPrefix(in.field, "metrics.") {
		return in.field
	}
	return in.field + "." + name
}

// inputs lists the request's results, the listed ones first and then the
// metrics object by name, with the request's defaults filled in.
func (r *EvaluateRequest) inputs() []input {
	out := make([]input, 0, len(r.Results)+len(r.Metrics))
	for i, x := range r.Results {
		out = append(out, input{EvaluationInput: x, field: fmt.Sprintf("results[%d]", i)})
	}
	names := make([]string, 0, len(r.Metrics))
	for k := range r.Metrics {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		out = append(out, input{EvaluationInput: EvaluationInput{Metric: k, Value: r.Metrics[k]}, field: "metrics." + k})
	}
	for i := range out {
		in := &out[i]
		in.ownDataset = strings.TrimSpace(in.Dataset) != ""
		in.ownDate = strings.TrimSpace(in.MeasuredOn) != ""
		in.ownNote = strings.TrimSpace(in.Note) != ""
		if !in.ownDataset {
			in.Dataset = r.Dataset
		}
		if !in.ownDate {
			in.MeasuredOn = r.MeasuredOn
		}
		if !in.ownNote {
			in.Note = r.Note
		}
	}
	return out
}

// check trims the inputs and records what is wrong with them; today is the
// date a measurement without one gets, and no measurement is later.
func check(p *aims.Problems, ins []input, today string) {
	if len(ins) == 0 {
		p.Add("results", "must hold at least one result, or give metrics")
	}
	if len(ins) > maxEvaluationsPerPost {
		p.Add("results", "must hold at most %d results in one request", maxEvaluationsPerPost)
		return
	}
	reported := map[string]bool{}
	add := func(field, format string, args ...any) {
		if !reported[field] {
			reported[field] = true
			p.Add(field, format, args...)
		}
	}
	for i := range ins {
		in := &ins[i]
		raw := in.Metric
		in.Metric = strings.Join(strings.Fields(in.Metric), " ")
		metric := in.at("metric", true)
		switch {
		case in.Metric == "":
			add(metric, "is required")
		case utf8.RuneCountInString(in.Metric) > maxMetric:
			add(metric, "must be at most %d characters", maxMetric)
		case !utf8.ValidString(in.Metric) || strings.ContainsFunc(raw, func(c rune) bool { return c < 0x20 && c != ' ' && c != '\t' }):
			add(metric, "must be text without control characters")
		}
		if math.IsNaN(in.Value) || math.IsInf(in.Value, 0) {
			add(in.at("value", true), "must be a finite number")
		}
		in.Dataset = strings.TrimSpace(in.Dataset)
		in.MeasuredOn = strings.TrimSpace(in.MeasuredOn)
		if in.MeasuredOn == "" {
			in.MeasuredOn = today
		}
		if t, err := time.Parse(time.DateOnly, in.MeasuredOn); err != nil || t.Format(time.DateOnly) != in.MeasuredOn {
			add(in.at("measured_on", in.ownDate), "must be a date written YYYY-MM-DD")
		} else if in.MeasuredOn > today {
			add(in.at("measured_on", in.ownDate), "must not be in the future")
		}
		var np aims.Problems
		checkText(&np, "note", &in.Note, false, maxNote)
		for _, f := range np {
			add(in.at("note", in.ownNote), "%s", f.Message)
		}
	}
}
