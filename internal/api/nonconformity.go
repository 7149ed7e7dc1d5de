package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/nonconformity"
	"github.com/danielgtaylor/huma/v2"
)

type ncPath struct {
	Ref string `path:"ref" doc:"The nonconformity's reference, such as NC-4, or its id."`
}

type ncOutput struct{ Body *nonconformity.Nonconformity }

type ncListInput struct{ nonconformity.Query }

type ncListOutput struct{ Body *nonconformity.Page }

type ncCreateInput struct{ Body nonconformity.CreateRequest }

type ncUpdateInput struct {
	Ref  string `path:"ref" doc:"The nonconformity's reference, such as NC-4, or its id."`
	Body nonconformity.UpdateRequest
}

type ncActionInput struct {
	Ref  string `path:"ref" doc:"The nonconformity's reference, such as NC-4, or its id."`
	Body nonconformity.ActionRequest
}

type ncActionUpdateInput struct {
	Ref    string `path:"ref" doc:"The nonconformity's reference, such as NC-4, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The action's number within the nonconformity."`
	Body   nonconformity.ActionUpdate
}

type ncActionOutput struct{ Body *nonconformity.Action }

type ncCheckInput struct {
	Ref  string `path:"ref" doc:"The nonconformity's reference, such as NC-4, or its id."`
	Body nonconformity.CheckRequest
}

type ncCheckOutput struct{ Body *nonconformity.Check }

type ncCloseInput struct {
	Ref  string `path:"ref" doc:"The nonconformity's reference, such as NC-4, or its id."`
	Body nonconformity.CloseRequest
}

// registerNonconformities adds the nonconformity operations.
func registerNonconformities(r *registrar, s Services) {
	tags := []string{"Nonconformities"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	nc := func(location string, call func() (*nonconformity.Nonconformity, error)) (*ncOutput, error) {
		n, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &ncOutput{n}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-nonconformities", Method: http.MethodGet, Path: "/api/v1/nonconformities", Tags: tags,
		Summary: "List nonconformities", Description: "The organisation's nonconformities (10.2), newest first, without their actions and checks.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ncListInput) (*ncListOutput, error) {
		page, err := s.Nonconformities.List(ctx, actor(ctx), in.Query)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &ncListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-nonconformity", Method: http.MethodPost, Path: "/api/v1/nonconformities", Tags: tags,
		Summary: "Raise a nonconformity", DefaultStatus: http.StatusCreated,
		Description: "Raises a nonconformity: where it was found, its severity, the clauses, controls and AI systems concerned.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *ncCreateInput) (*ncOutput, error) {
		return nc("body", func() (*nonconformity.Nonconformity, error) {
			return s.Nonconformities.Create(ctx, actor(ctx), in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "get-nonconformity", Method: http.MethodGet, Path: "/api/v1/nonconformities/{ref}", Tags: tags,
		Summary: "Get a nonconformity", Description: "The nonconformity with its correction, root cause, corrective actions and effectiveness checks.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *ncPath) (*ncOutput, error) {
		return nc("path", func() (*nonconformity.Nonconformity, error) { return s.Nonconformities.Get(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-nonconformity", Method: http.MethodPatch, Path: "/api/v1/nonconformities/{ref}", Tags: tags,
		Summary:     "Record the handling of a nonconformity",
		Description: "Changes the fields given: the description, the correction, the root cause analysis. `version` must be the version as you read it.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *ncUpdateInput) (*ncOutput, error) {
		return nc("body", func() (*nonconformity.Nonconformity, error) {
			return s.Nonconformities.Update(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "create-corrective-action", Method: http.MethodPost, Path: "/api/v1/nonconformities/{ref}/actions", Tags: tags,
		Summary: "Plan a corrective action", DefaultStatus: http.StatusCreated,
		Description: "Adds a corrective action with its owner and due date; the nonconformity goes to planned.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *ncActionInput) (*ncActionOutput, error) {
		a, err := s.Nonconformities.AddAction(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &ncActionOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-corrective-action", Method: http.MethodPatch, Path: "/api/v1/nonconformities/{ref}/actions/{number}", Tags: tags,
		Summary:     "Change a corrective action or mark it done",
		Description: "Changes the fields given; status done records the day it was done (today when left out). When every action is done the nonconformity goes to verifying.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *ncActionUpdateInput) (*ncActionOutput, error) {
		a, err := s.Nonconformities.UpdateAction(ctx, actor(ctx), in.Ref, in.Number, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &ncActionOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-effectiveness-check", Method: http.MethodPost, Path: "/api/v1/nonconformities/{ref}/checks", Tags: tags,
		Summary: "Record an effectiveness check", DefaultStatus: http.StatusCreated,
		Description: "Owners and managers record whether the corrective actions were effective, once every action is done. " +
			"Not effective sends the nonconformity back to action planning; notes must say why.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *ncCheckInput) (*ncCheckOutput, error) {
		c, err := s.Nonconformities.AddCheck(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &ncCheckOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "close-nonconformity", Method: http.MethodPost, Path: "/api/v1/nonconformities/{ref}/close", Tags: tags,
		Summary:     "Close a nonconformity",
		Description: "Owners and managers close it once every action is done and the latest check found them effective, recording whether the AIMS must change (10.2 f).",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *ncCloseInput) (*ncOutput, error) {
		return nc("body", func() (*nonconformity.Nonconformity, error) {
			return s.Nonconformities.Close(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "get-nonconformity-history", Method: http.MethodGet, Path: "/api/v1/nonconformities/{ref}/history", Tags: tags,
		Summary: "Change history of a nonconformity", Description: "The audit events about it, its actions and checks, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *ncPath) (*historyOutput, error) {
		evs, err := s.Nonconformities.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
}
