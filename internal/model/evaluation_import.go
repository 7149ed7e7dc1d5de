package model

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

// Formats of evaluation reports that ImportEvaluations reads.
const (
	FormatFairlearn = "fairlearn"
	FormatEvidently = "evidently"
	FormatMLflow    = "mlflow"
)

// ImportFormats lists the formats of evaluation reports, in the order offered.
var ImportFormats = []string{FormatFairlearn, FormatEvidently, FormatMLflow}

// MaxReportBytes bounds the JSON of one imported report.
const MaxReportBytes = 16 << 20

// maxImportNote bounds an import's note, leaving room in each result's
// note for the evidence that keeps the report.
const maxImportNote = maxNote - 100

// maxFeature bounds the name of fairlearn's sensitive feature, in characters.
const maxFeature = 100

// ImportRequest records the results of an evaluation report written by
// another tool (fairlearn, Evidently, MLflow) and keeps the report itself as
// evidence.
type ImportRequest struct {
	Format string          `json:"format" enum:"fairlearn,evidently,mlflow" doc:"The tool that wrote the report."`
	Report json.RawMessage `json:"report" doc:"The report's JSON as a JSON value: for fairlearn an object with overall, by_group, difference and ratio; for Evidently a report's json() or as_dict(); for MLflow a run or an object of metric names and values."`
	// Feature is fairlearn's sensitive feature, named in the results: accuracy[sex=female].
	Feature    string `json:"feature,omitempty" maxLength:"100" doc:"fairlearn only: the name of the sensitive feature, such as sex, used in the results' names."`
	Dataset    string `json:"dataset,omitempty" doc:"Key of the data set version measured on, such as DS-4@1."`
	MeasuredOn string `json:"measured_on,omitempty" doc:"Date of the measurements, YYYY-MM-DD; today when empty."`
	Note       string `json:"note,omitempty" maxLength:"1900" doc:"A note for every result, after the evidence that keeps the report."`
}

// ImportResult is what an import recorded: the evidence that keeps the
// report and the results read from it.
type ImportResult struct {
	Evidence string       `json:"evidence" doc:"Reference of the evidence that keeps the report, such as EV-7."`
	Results  []Evaluation `json:"results" doc:"The results recorded, numbered in order."`
}

// ReportEvidence is an imported report that Sources keeps as evidence.
type ReportEvidence struct {
	Title       string
	Description string
	FileName    string
	Content     []byte
	// Links are written type:id, such as control:A.6.2.6 and ai_system:SYS-1.
	Links []string
}

// normalise trims the request and reads its report, recording every
// problem; it returns the results and the report's JSON as given.
func (r *ImportRequest) normalise() ([]EvaluationInput, []byte, error) {
	var p aims.Problems
	r.Format = strings.ToLower(strings.TrimSpace(r.Format))
	known := false
	for _, f := range ImportFormats {
		known = known || f == r.Format
	}
	if !known {
		p.Add("format", "must be one of %s", strings.Join(ImportFormats, ", "))
	}
	r.Feature = strings.Join(strings.Fields(r.Feature), " ")
	switch {
	case r.Feature == "":
	case r.Format != FormatFairlearn && known:
		p.Add("feature", "is only for fairlearn reports")
	case utf8.RuneCountInString(r.Feature) > maxFeature:
		p.Add("feature", "must be at most %d characters", maxFeature)
	case strings.ContainsAny(r.Feature, "[]="):
		p.Add("feature", "must not contain [, ] or =, which the results' names use")
	}
	checkText(&p, "note", &r.Note, false, maxImportNote)
	r.Dataset, r.MeasuredOn = strings.TrimSpace(r.Dataset), strings.TrimSpace(r.MeasuredOn)
	if !known {
		return nil, nil, p.Err()
	}
	content := reportContent(r.Report)
	ins, err := parseReport(r.Format, r.Feature, content)
	if err != nil {
		p = append(p, aims.AsError(err).Fields...)
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	return ins, content, nil
}

// reportContent is the report as the tool wrote it: the JSON value, or the
// text of a JSON string that holds the report encoded once more.
func reportContent(raw json.RawMessage) []byte {
	var s string
	if json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
		return []byte(s)
	}
	return raw
}

// evaluateRequest is the request that records the report's results, each
// noted with the evidence that keeps the report.
func (r *ImportRequest) evaluateRequest(ins []EvaluationInput, evidenceRef string) EvaluateRequest {
	note := "from " + evidenceRef + " (" + r.Format + ")"
	if r.Note != "" {
		note += "; " + r.Note
	}
	return EvaluateRequest{Results: ins, Dataset: r.Dataset, MeasuredOn: r.MeasuredOn, Note: note}
}

// ImportEvaluations reads an evaluation report written by fairlearn,
// Evidently or MLflow, keeps the report as evidence of control A.6.2.6
// linked to the model's AI system, and records its numeric results on the
// version, each noting that evidence. Everything that can be checked is
// checked before the evidence is kept; should recording the results still
// fail afterwards (the version retired meanwhile), the evidence stays and
// the error names it.
func (s *Service) ImportEvaluations(ctx context.Context, actor *aims.Actor, key string, req ImportRequest) (*ImportResult, error) {
	if err := identity.Authorize(actor, identity.ActModelEdit); err != nil {
		return nil, err
	}
	m, v, err := findVersion(ctx, s.db, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	ins, content, err := req.normalise()
	if err != nil {
		return nil, err
	}
	if m.Status == StatusArchived {
		return nil, aims.Errorf(aims.CodeConflict, "%s is archived: restore it before adding evaluation results", m.Ref)
	}
	if !v.TakesResults() {
		return nil, aims.Errorf(aims.CodeConflict, "%s is retired: it takes no more evaluation results", v.Key)
	}
	// The results are checked as Evaluate will check them, with a reference
	// as long as any the evidence may get, before the evidence is kept.
	_, datasets, err := s.prepareEvaluate(ctx, s.db, actor, v.Key, req.evaluateRequest(ins, "EV-9999999999"))
	if err != nil {
		return nil, err
	}
	_, systemRef, _, err := s.sources.System(ctx, actor.OrgID, m.SystemID)
	if err != nil {
		return nil, err
	}
	// The report is kept and its results recorded in one transaction.
	var evs []Evaluation
	var recordErr error
	ref, err := s.sources.AddReportEvidence(ctx, actor, s.reportEvidence(v, systemRef, datasets[req.Dataset].Key, &req, len(ins), content),
		func(tx *db.Tx, ref string) error {
			evs, recordErr = s.EvaluateTx(ctx, tx, actor, v.Key, req.evaluateRequest(ins, ref))
			return recordErr
		})
	if recordErr != nil {
		return nil, recordErr
	}
	if err != nil {
		if e := aims.AsError(err); e.Code == aims.CodeInvalid {
			var p aims.Problems
			for _, f := range e.Fields {
				p.Add("report", "cannot be kept as evidence: %s %s", f.Field, f.Message)
			}
			if len(p) > 0 {
				return nil, p.Err()
			}
		}
		return nil, fmt.Errorf("cannot keep the %s report of %s as evidence: %w", formatTitle(req.Format), v.Key, err)
	}
	return &ImportResult{Evidence: ref, Results: evs}, nil
}

// reportEvidence describes the report of n results, measured on the data
// set version datasetKey when not empty, as the evidence that keeps it,
// linked to A.6.2.6 and to the version's AI system.
func (s *Service) reportEvidence(v *Version, systemRef, datasetKey string, req *ImportRequest, n int, content []byte) ReportEvidence {
	on := req.MeasuredOn
	if on == "" {
		on = s.clock().UTC().Format(time.DateOnly)
	}
	desc := fmt.Sprintf("The %s report whose %d results were recorded on model version %s, measured on %s", formatTitle(req.Format), n, v.Key, on)
	if datasetKey != "" {
		desc += " on " + datasetKey
	}
	desc += "."
	if req.Note != "" {
		desc += "\n\n" + req.Note
	}
	links := []string{"control:A.6.2.6", "ai_system:" + systemRef}
	return ReportEvidence{Title: formatTitle(req.Format) + " results of " + v.Key, Description: desc,
		FileName: req.Format + "-results.json", Content: content, Links: links}
}
