package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/danielgtaylor/huma/v2"
)

type contextDraftOutput struct{ Body *orgcontext.Draft }

type contextSaveInput struct{ Body orgcontext.DraftRequest }

type contextApproveInput struct{ Body orgcontext.ApproveRequest }

type contextVersionOutput struct{ Body *orgcontext.Version }

type contextVersionPath struct {
	Number int `path:"number" minimum:"1" doc:"The version's number."`
}

type contextVersionsOutput struct {
	Body struct {
		Items []orgcontext.VersionInfo `json:"items" doc:"The approved versions, newest first."`
	}
}

type contextCompareInput struct {
	From int `query:"from" minimum:"0" doc:"The earlier version; 0 for none, so that everything in to is added."`
	To   int `query:"to" minimum:"0" doc:"The later version; 0 (the default) for the draft."`
}

type contextCompareOutput struct{ Body *orgcontext.Comparison }

// registerContext adds the operations on the organisation's context.
func registerContext(r *registrar, s Services) {
	tags := []string{"Context"}
	register(r, huma.Operation{
		OperationID: "get-context-draft", Method: http.MethodGet, Path: "/api/v1/context", Tags: tags,
		Summary:     "Get the draft context",
		Description: "The organisation's draft context (4.1–4.3): issues, interested parties, AIMS scope and the decision on climate change, with what approval still needs. Version 0 while nothing was saved.",
	}, func(ctx context.Context, _ *struct{}) (*contextDraftOutput, error) {
		d, err := s.Context.Draft(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &contextDraftOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "save-context-draft", Method: http.MethodPut, Path: "/api/v1/context", Tags: tags,
		Summary: "Save the draft context",
		Description: "Replaces the whole draft. `version` must be the draft's version as you read it (0 for the first save); a stale version answers 409. " +
			"Empty rows are dropped; AI systems in scope are given by `ref` and must be the organisation's. Saving what is there changes nothing.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *contextSaveInput) (*contextDraftOutput, error) {
		d, err := s.Context.SaveDraft(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &contextDraftOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "approve-context", Method: http.MethodPost, Path: "/api/v1/context/approve", Tags: tags,
		Summary: "Approve the draft context as the next version", DefaultStatus: http.StatusCreated,
		Description: "Freezes the draft as the next numbered version, which becomes the one in force, and sets the next review date from `review_months` (12 by default). " +
			"Refused with 409 while the scope statement or the climate decision is missing, or when the draft changed since `version`. Owners and managers, signed in or with their own token.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *contextApproveInput) (*contextVersionOutput, error) {
		v, err := s.Context.Approve(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &contextVersionOutput{v}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-context-versions", Method: http.MethodGet, Path: "/api/v1/context/versions", Tags: tags,
		Summary: "List the approved versions of the context", Description: "Newest first; the first is the one in force.",
	}, func(ctx context.Context, _ *struct{}) (*contextVersionsOutput, error) {
		vs, err := s.Context.Versions(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &contextVersionsOutput{}
		out.Body.Items = vs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-context-version", Method: http.MethodGet, Path: "/api/v1/context/versions/{number}", Tags: tags,
		Summary: "Get an approved version of the context", Description: "The frozen content of the version as approved.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *contextVersionPath) (*contextVersionOutput, error) {
		v, err := s.Context.Version(ctx, actor(ctx), in.Number)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &contextVersionOutput{v}, nil
	})
	register(r, huma.Operation{
		OperationID: "compare-context", Method: http.MethodGet, Path: "/api/v1/context/compare", Tags: tags,
		Summary:     "Compare two versions of the context",
		Description: "What was added, removed and changed from version `from` to version `to` (0: the draft): issues, interested parties, the scope and the climate decision, each also in words.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *contextCompareInput) (*contextCompareOutput, error) {
		c, err := s.Context.Compare(ctx, actor(ctx), in.From, in.To)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &contextCompareOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-context-history", Method: http.MethodGet, Path: "/api/v1/context/history", Tags: tags,
		Summary: "Change history of the context", Description: "The audit events of the draft and of the approvals, newest first.",
	}, func(ctx context.Context, _ *struct{}) (*historyOutput, error) {
		evs, err := s.Context.History(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
}
