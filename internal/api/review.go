package api

import (
	"context"
	"mime"
	"net/http"

	"github.com/aims-dev/aims/internal/review"
	"github.com/danielgtaylor/huma/v2"
)

type reviewPath struct {
	Ref string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
}

type reviewOutput struct{ Body *review.Review }

type reviewsOutput struct {
	Body struct {
		Items []review.Review `json:"items" doc:"The reviews, the latest planned first, without their inputs."`
	}
}

type reviewCreateInput struct{ Body review.Request }

type reviewUpdateInput struct {
	Ref  string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
	Body review.Update
}

type reviewSignOffInput struct {
	Ref  string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
	Body review.SignOffRequest
}

type reviewDecisionInput struct {
	Ref  string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
	Body review.DecisionRequest
}

type reviewDecisionOutput struct{ Body *review.Decision }

type reviewDecisionPath struct {
	Ref    string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The decision's number within the review."`
}

type reviewActionInput struct {
	Ref  string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
	Body review.ActionRequest
}

type reviewActionOutput struct{ Body *review.Action }

type reviewActionPath struct {
	Ref    string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The action's number within the review."`
}

type reviewActionUpdateInput struct {
	Ref    string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The action's number within the review."`
	Body   review.ActionChange
}

type reviewActionRemoveInput struct {
	Ref     string `path:"ref" doc:"The management review's reference, such as MR-2, or its id."`
	Number  int    `path:"number" minimum:"1" doc:"The action's number within the review."`
	Version int    `query:"version" required:"true" minimum:"1" doc:"The action's version as you read it."`
}

type reviewFileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// registerReviews adds the management review operations.
func registerReviews(r *registrar, s Services) {
	tags := []string{"Management reviews"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	one := func(location string, call func() (*review.Review, error)) (*reviewOutput, error) {
		v, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &reviewOutput{v}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-reviews", Method: http.MethodGet, Path: "/api/v1/reviews", Tags: tags,
		Summary: "List management reviews", Description: "Every management review (9.3) with its actions, the latest planned first.",
	}, func(ctx context.Context, _ *struct{}) (*reviewsOutput, error) {
		items, err := s.Reviews.List(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &reviewsOutput{}
		out.Body.Items = items
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "create-review", Method: http.MethodPost, Path: "/api/v1/reviews", Tags: tags,
		Summary: "Plan a management review", DefaultStatus: http.StatusCreated,
		Description: "Records a draft review: its title, planned date and chair (an owner or manager, who alone signs it off), attendees and guests. " +
			"Its inputs are compiled from the records whenever it is read, until it is signed off.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *reviewCreateInput) (*reviewOutput, error) {
		return one("body", func() (*review.Review, error) { return s.Reviews.Create(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-review", Method: http.MethodGet, Path: "/api/v1/reviews/{ref}", Tags: tags,
		Summary: "Get a management review",
		Description: "The review with its decisions and actions, and its inputs (9.3.2): one section per input, present or missing with why. " +
			"A draft's inputs are compiled now; a signed-off review's are those stored at sign-off.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *reviewPath) (*reviewOutput, error) {
		return one("path", func() (*review.Review, error) { return s.Reviews.Get(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-review", Method: http.MethodPatch, Path: "/api/v1/reviews/{ref}", Tags: tags,
		Summary:     "Change a draft management review",
		Description: "Changes the fields given. `version` must be the review's version as you read it; if it changed since, the answer is 409. A signed-off review answers 409.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *reviewUpdateInput) (*reviewOutput, error) {
		return one("body", func() (*review.Review, error) { return s.Reviews.Update(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "sign-off-review", Method: http.MethodPost, Path: "/api/v1/reviews/{ref}/sign-off", Tags: tags,
		Summary: "Sign off a management review as its chair",
		Description: "Only the chair may sign off (403 for anyone else), once the meeting date and at least one decision are recorded. " +
			"The inputs compiled now are stored with the review, and the review, its decisions and the agreed text of its actions are frozen.",
		Errors: []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *reviewSignOffInput) (*reviewOutput, error) {
		return one("body", func() (*review.Review, error) { return s.Reviews.SignOff(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-review-minutes", Method: http.MethodGet, Path: "/api/v1/reviews/{ref}/minutes", Tags: tags,
		Summary:     "Minutes of a management review as PDF",
		Description: "The meeting, its inputs, decisions, actions and sign-off. A draft's minutes say they are a draft.",
		Responses: fileResponses("The PDF, as an attachment (Content-Disposition names it, such as management-review-MR-2.pdf).",
			[]string{"application/pdf"}, "", map[string]*huma.Param{"Content-Disposition": {Schema: &huma.Schema{Type: "string"}}}),
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *reviewPath) (*reviewFileOutput, error) {
		f, err := s.Reviews.Minutes(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &reviewFileOutput{ContentType: f.ContentType, Body: f.Data,
			ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-review-history", Method: http.MethodGet, Path: "/api/v1/reviews/{ref}/history", Tags: tags,
		Summary: "Change history of a management review", Description: "The audit events about the review, its decisions and its actions, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *reviewPath) (*historyOutput, error) {
		evs, err := s.Reviews.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	registerReviewOutputs(r, s, tags, changeErrors)
}

// registerReviewOutputs adds the operations on a review's decisions and actions.
func registerReviewOutputs(r *registrar, s Services, tags []string, changeErrors []int) {
	register(r, huma.Operation{
		OperationID: "add-review-decision", Method: http.MethodPost, Path: "/api/v1/reviews/{ref}/decisions", Tags: tags,
		Summary: "Record a decision of a management review", DefaultStatus: http.StatusCreated,
		Description: "A decision on an improvement opportunity, a change to the AIMS, or resources (9.3.3). 409 once the review is signed off.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *reviewDecisionInput) (*reviewDecisionOutput, error) {
		d, err := s.Reviews.AddDecision(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &reviewDecisionOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "remove-review-decision", Method: http.MethodDelete, Path: "/api/v1/reviews/{ref}/decisions/{number}", Tags: tags,
		Summary: "Remove a decision of a draft management review", DefaultStatus: http.StatusNoContent,
		Description: "The history keeps what it said. 409 once the review is signed off.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *reviewDecisionPath) (*struct{}, error) {
		return nil, problem(s.Reviews.RemoveDecision(ctx, actor(ctx), in.Ref, in.Number), "path")
	})
	register(r, huma.Operation{
		OperationID: "add-review-action", Method: http.MethodPost, Path: "/api/v1/reviews/{ref}/actions", Tags: tags,
		Summary: "Record an action of a management review", DefaultStatus: http.StatusCreated,
		Description: "What is to be done, by which member, by when. 409 once the review is signed off.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *reviewActionInput) (*reviewActionOutput, error) {
		a, err := s.Reviews.AddAction(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &reviewActionOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-review-action", Method: http.MethodGet, Path: "/api/v1/reviews/{ref}/actions/{number}", Tags: tags,
		Summary: "Get an action of a management review", Description: "The action with its owner, due date and status.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *reviewActionPath) (*reviewActionOutput, error) {
		a, err := s.Reviews.GetAction(ctx, actor(ctx), in.Ref, in.Number)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &reviewActionOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-review-action", Method: http.MethodPatch, Path: "/api/v1/reviews/{ref}/actions/{number}", Tags: tags,
		Summary: "Change or follow up an action of a management review",
		Description: "While the review is a draft any field may change. Once it is signed off only `status` and `done_on` may: " +
			"changing the agreed description, owner or due date answers 409 naming the field.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *reviewActionUpdateInput) (*reviewActionOutput, error) {
		a, err := s.Reviews.UpdateAction(ctx, actor(ctx), in.Ref, in.Number, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &reviewActionOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "remove-review-action", Method: http.MethodDelete, Path: "/api/v1/reviews/{ref}/actions/{number}", Tags: tags,
		Summary: "Remove an action of a draft management review", DefaultStatus: http.StatusNoContent,
		Description: "The history keeps what it said. 409 once the review is signed off, or when the version is not the current one.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *reviewActionRemoveInput) (*struct{}, error) {
		return nil, problem(s.Reviews.RemoveAction(ctx, actor(ctx), in.Ref, in.Number, in.Version), "query")
	})
}
