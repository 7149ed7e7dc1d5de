package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/objective"
	"github.com/danielgtaylor/huma/v2"
)

type objectivePath struct {
	Ref string `path:"ref" doc:"The objective's reference, such as OBJ-3, or its id."`
}

type objectiveOutput struct{ Body *objective.Objective }

type objectiveListInput struct{ objective.ObjectiveQuery }

type objectiveListOutput struct{ Body *objective.ObjectivePage }

type objectiveCreateInput struct{ Body objective.ObjectiveRequest }

type objectiveUpdateInput struct {
	Ref  string `path:"ref" doc:"The objective's reference, such as OBJ-3, or its id."`
	Body objective.ObjectiveUpdate
}

type objectiveStatusInput struct {
	Ref  string `path:"ref" doc:"The objective's reference, such as OBJ-3, or its id."`
	Body objective.ObjectiveStatusRequest
}

type indicatorPath struct {
	Ref    string `path:"ref" doc:"The objective's reference, such as OBJ-3, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The indicator's number within the objective: 2 for OBJ-3/I2."`
}

type indicatorOutput struct{ Body *objective.Indicator }

type indicatorCreateInput struct {
	Ref  string `path:"ref" doc:"The objective's reference, such as OBJ-3, or its id."`
	Body objective.IndicatorRequest
}

type indicatorUpdateInput struct {
	Ref    string `path:"ref" doc:"The objective's reference, such as OBJ-3, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The indicator's number within the objective."`
	Body   objective.IndicatorUpdate
}

type measurementOutput struct{ Body *objective.Measurement }

type measurementsOutput struct {
	Body struct {
		Items []objective.Measurement `json:"items" doc:"Every value, corrections included, by the date it refers to and then in the order recorded."`
	}
}

type measureBatchOutput struct {
	Body struct {
		Items []objective.Measurement `json:"items" doc:"The values recorded, in the order sent."`
	}
}

type measureInput struct {
	Ref    string `path:"ref" doc:"The objective's reference, such as OBJ-3, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The indicator's number within the objective."`
	Body   objective.MeasureRequest
}

type measureBatchInput struct {
	Body struct {
		Items []objective.MeasurementItem `json:"items" minItems:"1" maxItems:"1000" doc:"The values, each naming its indicator."`
	}
}

// registerObjectives adds the operations on AI objectives, their indicators and measured values.
func registerObjectives(r *registrar, s Services) {
	tags := []string{"AI objectives"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	one := func(location string, call func() (*objective.Objective, error)) (*objectiveOutput, error) {
		o, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &objectiveOutput{o}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-objectives", Method: http.MethodGet, Path: "/api/v1/objectives", Tags: tags,
		Summary:     "List AI objectives",
		Description: "The organisation's AI objectives (6.2) by reference, each with its indicators, their latest values and when the next is due. Filter by status, AI system or due values; search by words.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *objectiveListInput) (*objectiveListOutput, error) {
		page, err := s.Objectives.List(ctx, actor(ctx), in.ObjectiveQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &objectiveListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-objective", Method: http.MethodPost, Path: "/api/v1/objectives", Tags: tags,
		Summary: "Set an AI objective", DefaultStatus: http.StatusCreated,
		Description: "Records an objective with its owner and its plan: what will be done, the resources, who is responsible, by when and how results are evaluated. " +
			"Annex C objectives are named by id (C.2.1 to C.2.11). Owners and managers set objectives.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *objectiveCreateInput) (*objectiveOutput, error) {
		return one("body", func() (*objective.Objective, error) { return s.Objectives.Create(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-objective", Method: http.MethodGet, Path: "/api/v1/objectives/{ref}", Tags: tags,
		Summary: "Get an AI objective", Description: "The objective with its plan and its indicators, each with its latest value in force, whether it meets the target and when the next is due.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *objectivePath) (*objectiveOutput, error) {
		return one("path", func() (*objective.Objective, error) { return s.Objectives.Get(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-objective", Method: http.MethodPatch, Path: "/api/v1/objectives/{ref}", Tags: tags,
		Summary:     "Change an AI objective",
		Description: "Changes the fields given on an active objective; lists and the plan replace the whole. `version` must be the objective's version as you read it; if it changed since, the answer is 409 and nothing is changed.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *objectiveUpdateInput) (*objectiveOutput, error) {
		return one("body", func() (*objective.Objective, error) { return s.Objectives.Update(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "set-objective-status", Method: http.MethodPost, Path: "/api/v1/objectives/{ref}/status", Tags: tags,
		Summary:     "Mark an AI objective achieved, withdrawn or active",
		Description: "Sets the status with a note saying why: the evaluation that shows it achieved, or the reason to withdraw it or take it up again.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *objectiveStatusInput) (*objectiveOutput, error) {
		return one("body", func() (*objective.Objective, error) { return s.Objectives.SetStatus(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-objective-history", Method: http.MethodGet, Path: "/api/v1/objectives/{ref}/history", Tags: tags,
		Summary: "Change history of an AI objective", Description: "The audit events about the objective, its indicators and their values, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *objectivePath) (*historyOutput, error) {
		evs, err := s.Objectives.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	registerIndicators(r, s, tags, changeErrors)
}

// registerIndicators adds the operations on indicators and their values.
func registerIndicators(r *registrar, s Services, tags []string, changeErrors []int) {
	register(r, huma.Operation{
		OperationID: "add-objective-indicator", Method: http.MethodPost, Path: "/api/v1/objectives/{ref}/indicators", Tags: tags,
		Summary: "Define an indicator of an AI objective", DefaultStatus: http.StatusCreated,
		Description: "Adds a measurable indicator: its unit, target (at least, at most or between), cadence and method. The first value is due one cadence after `starts_on`.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *indicatorCreateInput) (*indicatorOutput, error) {
		ind, err := s.Objectives.AddIndicator(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &indicatorOutput{ind}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-objective-indicator", Method: http.MethodGet, Path: "/api/v1/objectives/{ref}/indicators/{number}", Tags: tags,
		Summary: "Get an indicator of an AI objective", Description: "The indicator with its latest value in force and when the next value is due.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *indicatorPath) (*indicatorOutput, error) {
		ind, err := s.Objectives.Indicator(ctx, actor(ctx), in.Ref, in.Number)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &indicatorOutput{ind}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-objective-indicator", Method: http.MethodPatch, Path: "/api/v1/objectives/{ref}/indicators/{number}", Tags: tags,
		Summary:     "Change an indicator of an AI objective",
		Description: "Changes the fields given; a target replaces the whole target. `status` retired stops the indicator being due; its values stay. `version` must be the indicator's version as you read it.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *indicatorUpdateInput) (*indicatorOutput, error) {
		ind, err := s.Objectives.UpdateIndicator(ctx, actor(ctx), in.Ref, in.Number, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &indicatorOutput{ind}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-objective-measurements", Method: http.MethodGet, Path: "/api/v1/objectives/{ref}/indicators/{number}/measurements", Tags: tags,
		Summary:     "List the values of an indicator",
		Description: "Every value recorded, corrections included: a value that a later one corrects has `corrected_by` set and no longer counts.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *indicatorPath) (*measurementsOutput, error) {
		ms, err := s.Objectives.Measurements(ctx, actor(ctx), in.Ref, in.Number)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &measurementsOutput{}
		out.Body.Items = ms
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "record-objective-measurement", Method: http.MethodPost, Path: "/api/v1/objectives/{ref}/indicators/{number}/measurements", Tags: tags,
		Summary: "Record a value of an indicator", DefaultStatus: http.StatusCreated,
		Description: "Records a measured value for the period ending on `measured_on`. Values never change: to correct a mistaken one, record a new value with `corrects` set to its number and a note saying what was wrong.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *measureInput) (*measurementOutput, error) {
		m, err := s.Objectives.Measure(ctx, actor(ctx), in.Ref, in.Number, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &measurementOutput{m}, nil
	})
	register(r, huma.Operation{
		OperationID: "record-objective-measurements", Method: http.MethodPost, Path: "/api/v1/objective-measurements", Tags: tags,
		Summary: "Record many values at once", DefaultStatus: http.StatusCreated,
		Description: "For automated feeds such as an ML pipeline: up to 1000 values, each naming its indicator (OBJ-1/I2). All are recorded, or none when any is wrong, " +
			"and the answer names each bad item (`body.items[3].value`).",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *measureBatchInput) (*measureBatchOutput, error) {
		ms, err := s.Objectives.MeasureBatch(ctx, actor(ctx), in.Body.Items)
		if err != nil {
			return nil, problem(err, "body")
		}
		out := &measureBatchOutput{}
		out.Body.Items = ms
		return out, nil
	})
}
