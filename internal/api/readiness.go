package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/readiness"
	"github.com/danielgtaylor/huma/v2"
)

// ReadinessReport is the organisation's readiness with its gaps.
type ReadinessReport struct {
	*readiness.Report
	Gaps []readiness.Requirement `json:"gaps" doc:"Items not met that can be worked on, gaps first, each with a link to fix it."`
}

type readinessOutput struct{ Body ReadinessReport }

type trendInput struct {
	Days int `query:"days" minimum:"1" maximum:"730" default:"90" doc:"How many days back."`
}

type trendOutput struct {
	Body struct {
		Items []readiness.Point `json:"items"`
	}
}

type coverageInput struct {
	ID string `path:"id" enum:"nist-ai-rmf,eu-ai-act,iso27001"`
}

type coverageOutput struct{ Body *readiness.Coverage }

func registerReadiness(r *registrar, s Services) {
	tags := []string{"Readiness"}
	register(r, huma.Operation{
		OperationID: "get-readiness", Method: http.MethodGet, Path: "/api/v1/readiness", Tags: tags,
		Summary: "Readiness for certification",
		Description: "Every sub-clause and control with its state (met, partial, gap, or not measurable yet) and the reasons, " +
			"one overall figure (partial counts half; what aims cannot measure yet counts as not met), and the gaps. Also records today's figure for the trend.",
	}, func(ctx context.Context, _ *struct{}) (*readinessOutput, error) {
		rep, err := s.Readiness.Compute(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		gaps := rep.Gaps()
		if gaps == nil {
			gaps = []readiness.Requirement{}
		}
		return &readinessOutput{ReadinessReport{Report: rep, Gaps: gaps}}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-readiness-trend", Method: http.MethodGet, Path: "/api/v1/readiness/trend", Tags: tags,
		Summary: "Readiness over time", Description: "One figure per day, oldest first.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *trendInput) (*trendOutput, error) {
		pts, err := s.Readiness.Trend(ctx, actor(ctx), in.Days)
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &trendOutput{}
		out.Body.Items = pts
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-framework-coverage", Method: http.MethodGet, Path: "/api/v1/readiness/frameworks/{id}", Tags: tags,
		Summary:     "Coverage of another framework",
		Description: "Which items of the framework are covered by implemented, evidenced controls (or met clauses), partly covered, or not covered.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *coverageInput) (*coverageOutput, error) {
		c, err := s.Readiness.Coverage(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &coverageOutput{c}, nil
	})
}
