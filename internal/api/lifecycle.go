package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/danielgtaylor/huma/v2"
)

type gatesOutput struct{ Body *lifecycle.Gates }

type gatesInput struct{ Body lifecycle.GatesRequest }

type lifecycleOverviewOutput struct{ Body *lifecycle.Overview }

type stageChecksInput struct {
	ID string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	lifecycle.CheckQuery
}

type stageChecksOutput struct{ Body *lifecycle.Checks }

type stageRequestCreateInput struct {
	ID   string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	Body lifecycle.StageRequestCreate
}

type stageRequestPath struct {
	Ref string `path:"ref" doc:"The request's reference, such as MOVE-3, or its id."`
}

type stageRequestListInput struct{ lifecycle.RequestQuery }

type stageRequestListOutput struct{ Body *lifecycle.RequestPage }

type stageRequestOutput struct{ Body *lifecycle.StageRequest }

type stageDecisionInput struct {
	Ref  string `path:"ref" doc:"The request's reference, such as MOVE-3, or its id."`
	Body lifecycle.DecisionRequest
}

type stageOverrideInput struct {
	Ref  string `path:"ref" doc:"The request's reference, such as MOVE-3, or its id."`
	Body lifecycle.OverrideRequest
}

type changeListInput struct{ lifecycle.ChangeQuery }

type changeListOutput struct{ Body *lifecycle.ChangePage }

type changeCreateInput struct{ Body lifecycle.ChangeCreate }

type changePath struct {
	Ref string `path:"ref" doc:"The change request's reference, such as CR-3, or its id."`
}

type changeOutput struct{ Body *lifecycle.ChangeRequest }

type changeDecisionInput struct {
	Ref  string `path:"ref" doc:"The change request's reference, such as CR-3, or its id."`
	Body lifecycle.ChangeDecision
}

type changeReclassifyInput struct {
	Ref  string `path:"ref" doc:"The change request's reference, such as CR-3, or its id."`
	Body lifecycle.ReclassifyRequest
}

// stageCall runs a service call that returns a stage-move request, answering its problems at location.
func stageCall(location string, call func() (*lifecycle.StageRequest, error)) (*stageRequestOutput, error) {
	r, err := call()
	if err != nil {
		return nil, problem(err, location)
	}
	return &stageRequestOutput{r}, nil
}

// changeCall runs a service call that returns a change request, answering its problems at location.
func changeCall(location string, call func() (*lifecycle.ChangeRequest, error)) (*changeOutput, error) {
	c, err := call()
	if err != nil {
		return nil, problem(err, location)
	}
	return &changeOutput{c}, nil
}

// registerLifecycle adds the operations on stage gates, transitions and change requests.
func registerLifecycle(r *registrar, s Services) {
	registerGates(r, s)
	registerStageRequests(r, s)
	registerChanges(r, s)
}

// registerGates adds the operations on stage gates and the overview.
func registerGates(r *registrar, s Services) {
	tags := []string{"Life cycle"}
	register(r, huma.Operation{
		OperationID: "get-lifecycle-overview", Method: http.MethodGet, Path: "/api/v1/lifecycle", Tags: tags,
		Summary:     "Where each AI system is in its life cycle",
		Description: "For every active AI system: its stage, its open stage-move request and how many of its change requests are open.",
	}, func(ctx context.Context, _ *struct{}) (*lifecycleOverviewOutput, error) {
		o, err := s.Lifecycle.Overview(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &lifecycleOverviewOutput{o}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-stage-gates", Method: http.MethodGet, Path: "/api/v1/lifecycle/gates", Tags: tags,
		Summary: "The stage gates",
		Description: "What a move into each stage needs. Until the organisation sets its own (`default` true): into deployment an approved " +
			"model version, a verification and validation record and an approved impact assessment; into retirement a retirement plan. " +
			"Besides the gate, every move needs that no risk or impact assessment of the system is due for review after an approved significant change.",
	}, func(ctx context.Context, _ *struct{}) (*gatesOutput, error) {
		g, err := s.Lifecycle.Gates(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &gatesOutput{g}, nil
	})
	register(r, huma.Operation{
		OperationID: "set-stage-gates", Method: http.MethodPut, Path: "/api/v1/lifecycle/gates", Tags: tags,
		Summary: "Set the stage gates",
		Description: "Replaces every gate: a stage left out needs nothing. Kinds: `approved_model_version`, `vv_record`, " +
			"`approved_impact_assessment`, `risks_assessed`, `retirement_plan` (retirement only) and `evidence` with a `control`. " +
			"`version` must be the gates' version as you read them (0 while the defaults apply); otherwise the answer is 409. Owners and managers.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *gatesInput) (*gatesOutput, error) {
		g, err := s.Lifecycle.SetGates(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &gatesOutput{g}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-stage-checks", Method: http.MethodGet, Path: "/api/v1/systems/{id}/stage-checks", Tags: tags,
		Summary: "What a move into a stage needs now",
		Description: "Evaluates, without recording anything, each requirement of moving the system from its current stage into `to`: met or " +
			"missing, with the reason and the records that meet it or stand in its way.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *stageChecksInput) (*stageChecksOutput, error) {
		c, err := s.Lifecycle.Preview(ctx, actor(ctx), in.ID, in.CheckQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &stageChecksOutput{c}, nil
	})
}

// registerStageRequests adds the operations on stage-move requests.
func registerStageRequests(r *registrar, s Services) {
	tags := []string{"Life cycle"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	register(r, huma.Operation{
		OperationID: "list-stage-requests", Method: http.MethodGet, Path: "/api/v1/stage-requests", Tags: tags,
		Summary: "List stage-move requests", Description: "Newest first, without their checks.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *stageRequestListInput) (*stageRequestListOutput, error) {
		page, err := s.Lifecycle.Requests(ctx, actor(ctx), in.RequestQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &stageRequestListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-stage-request", Method: http.MethodPost, Path: "/api/v1/systems/{id}/stage-requests", Tags: tags,
		Summary: "Request a move to another stage", DefaultStatus: http.StatusCreated,
		Description: "Editors ask to move the system from its current stage (`from`, when given, must be it) into `to`, with a " +
			"justification and, when the gate asks for one, a retirement plan. A system has one open request at a time (409 otherwise). " +
			"The answer carries the checks evaluated now. The stage changes only when the request is approved.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *stageRequestCreateInput) (*stageRequestOutput, error) {
		in.Body.System = in.ID
		return stageCall("body", func() (*lifecycle.StageRequest, error) { return s.Lifecycle.CreateRequest(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-stage-request", Method: http.MethodGet, Path: "/api/v1/stage-requests/{ref}", Tags: tags,
		Summary:     "Get a stage-move request",
		Description: "While open, with its checks evaluated now; once decided, with the checks as they stood at the decision.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *stageRequestPath) (*stageRequestOutput, error) {
		return stageCall("path", func() (*lifecycle.StageRequest, error) { return s.Lifecycle.GetRequest(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "approve-stage-request", Method: http.MethodPost, Path: "/api/v1/stage-requests/{ref}/approve", Tags: tags,
		Summary: "Approve a stage move",
		Description: "Owners and managers. The checks are evaluated again; when every one is met the system moves to the stage in the " +
			"same transaction, recorded on the request and on the system. 409 naming what is missing otherwise.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *stageDecisionInput) (*stageRequestOutput, error) {
		return stageCall("body", func() (*lifecycle.StageRequest, error) {
			return s.Lifecycle.ApproveRequest(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "override-stage-request", Method: http.MethodPost, Path: "/api/v1/stage-requests/{ref}/override", Tags: tags,
		Summary: "Approve a stage move past unmet requirements",
		Description: "An owner's decision, with a `reason` recorded on the request and in its audit event together with what was unmet. " +
			"409 when nothing is missing: approve instead.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *stageOverrideInput) (*stageRequestOutput, error) {
		return stageCall("body", func() (*lifecycle.StageRequest, error) {
			return s.Lifecycle.OverrideRequest(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "refuse-stage-request", Method: http.MethodPost, Path: "/api/v1/stage-requests/{ref}/refuse", Tags: tags,
		Summary: "Refuse a stage move", Description: "Owners and managers, with the reason in `note`.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *stageDecisionInput) (*stageRequestOutput, error) {
		return stageCall("body", func() (*lifecycle.StageRequest, error) {
			return s.Lifecycle.RefuseRequest(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "withdraw-stage-request", Method: http.MethodPost, Path: "/api/v1/stage-requests/{ref}/withdraw", Tags: tags,
		Summary: "Withdraw a stage-move request", Description: "Only the person who requested it, while it is open.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *stageDecisionInput) (*stageRequestOutput, error) {
		return stageCall("body", func() (*lifecycle.StageRequest, error) {
			return s.Lifecycle.WithdrawRequest(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
}

// registerChanges adds the operations on change requests.
func registerChanges(r *registrar, s Services) {
	tags := []string{"Life cycle"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	register(r, huma.Operation{
		OperationID: "list-change-requests", Method: http.MethodGet, Path: "/api/v1/changes", Tags: tags,
		Summary: "List change requests", Description: "Newest first; `status=open` is requested or approved and not yet implemented.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *changeListInput) (*changeListOutput, error) {
		page, err := s.Lifecycle.Changes(ctx, actor(ctx), in.ChangeQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &changeListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-change-request", Method: http.MethodPost, Path: "/api/v1/changes", Tags: tags,
		Summary: "Raise a change request", DefaultStatus: http.StatusCreated,
		Description: "Editors. The change is classified by rule: a new model version, new training data, a changed intended purpose or " +
			"affected population are significant; a change of supplier or other is minor unless `significant` is set. " +
			"`classification_rule` says which rule applied.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *changeCreateInput) (*changeOutput, error) {
		return changeCall("body", func() (*lifecycle.ChangeRequest, error) { return s.Lifecycle.CreateChange(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-change-request", Method: http.MethodGet, Path: "/api/v1/changes/{ref}", Tags: tags,
		Summary: "Get a change request", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *changePath) (*changeOutput, error) {
		return changeCall("path", func() (*lifecycle.ChangeRequest, error) { return s.Lifecycle.GetChange(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "reclassify-change-request", Method: http.MethodPost, Path: "/api/v1/changes/{ref}/reclassify", Tags: tags,
		Summary: "Raise a change to significant",
		Description: "Owners and managers raise a requested minor change to significant, with a reason. A change is never lowered to " +
			"minor (409).",
		Errors: changeErrors,
	}, func(ctx context.Context, in *changeReclassifyInput) (*changeOutput, error) {
		return changeCall("body", func() (*lifecycle.ChangeRequest, error) {
			return s.Lifecycle.ReclassifyChange(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	decisions := []struct {
		id, verb, summary, description string
		call                           func(*lifecycle.Service) func(context.Context, *changeDecisionInput) (*lifecycle.ChangeRequest, error)
	}{
		{"approve-change-request", "approve", "Approve a change request",
			"Owners and managers. Approving a significant change records it on the AI system (`significant_change`), which makes the " +
				"system's assessed risks and approved impact assessments due for review; the system's next stage move waits for those reviews.",
			func(l *lifecycle.Service) func(context.Context, *changeDecisionInput) (*lifecycle.ChangeRequest, error) {
				return func(ctx context.Context, in *changeDecisionInput) (*lifecycle.ChangeRequest, error) {
					return l.ApproveChange(ctx, actor(ctx), in.Ref, in.Body)
				}
			}},
		{"refuse-change-request", "refuse", "Refuse a change request", "Owners and managers, with the reason in `note`.",
			func(l *lifecycle.Service) func(context.Context, *changeDecisionInput) (*lifecycle.ChangeRequest, error) {
				return func(ctx context.Context, in *changeDecisionInput) (*lifecycle.ChangeRequest, error) {
					return l.RefuseChange(ctx, actor(ctx), in.Ref, in.Body)
				}
			}},
		{"implement-change-request", "implement", "Record a change as implemented",
			"Owners and managers, for an approved change, with a `note` of what was done.",
			func(l *lifecycle.Service) func(context.Context, *changeDecisionInput) (*lifecycle.ChangeRequest, error) {
				return func(ctx context.Context, in *changeDecisionInput) (*lifecycle.ChangeRequest, error) {
					return l.ImplementChange(ctx, actor(ctx), in.Ref, in.Body)
				}
			}},
		{"withdraw-change-request", "withdraw", "Withdraw a change request", "Only the person who raised it, while it is requested.",
			func(l *lifecycle.Service) func(context.Context, *changeDecisionInput) (*lifecycle.ChangeRequest, error) {
				return func(ctx context.Context, in *changeDecisionInput) (*lifecycle.ChangeRequest, error) {
					return l.WithdrawChange(ctx, actor(ctx), in.Ref, in.Body)
				}
			}},
	}
	for _, d := range decisions {
		call := d.call(s.Lifecycle)
		register(r, huma.Operation{
			OperationID: d.id, Method: http.MethodPost, Path: "/api/v1/changes/{ref}/" + d.verb, Tags: tags,
			Summary: d.summary, Description: d.description, Errors: changeErrors,
		}, func(ctx context.Context, in *changeDecisionInput) (*changeOutput, error) {
			return changeCall("body", func() (*lifecycle.ChangeRequest, error) { return call(ctx, in) })
		})
	}
}
