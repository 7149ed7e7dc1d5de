package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/model"
	"github.com/danielgtaylor/huma/v2"
)

// The model package's schemas are named Model…, as the other packages'
// are named after theirs (ModelVersion, ModelPage).
type modelOutput struct{ Body *model.Model }

type modelPath struct {
	Ref string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
}

type modelListInput struct {
	model.ListQuery
}

type modelListOutput struct{ Body *model.Page }

type modelCreateInput struct{ Body model.CreateRequest }

type modelUpdateInput struct {
	Ref  string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
	Body model.UpdateRequest
}

type modelVersionPath struct {
	Ref   string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
	Label string `path:"label" doc:"The version's label, such as 1.4.0."`
}

// key is the version's key, such as MDL-3@1.4.0.
func (p modelVersionPath) key() string { return p.Ref + "@" + p.Label }

// versionKey is the key of the version that a path's model and label name.
func versionKey(ref, label string) string { return ref + "@" + label }

type modelVersionOutput struct{ Body *model.Version }

type modelVersionsOutput struct {
	Body struct {
		Items []model.Version `json:"items" doc:"The model's versions, newest first, without their evaluation results and deployments."`
	}
}

type modelVersionCreateInput struct {
	Ref  string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
	Body model.VersionRequest
}

type modelVersionUpdateInput struct {
	Ref   string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
	Label string `path:"label" doc:"The version's label, such as 1.4.0."`
	Body  model.VersionUpdate
}

type modelEvaluateInput struct {
	Ref   string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
	Label string `path:"label" doc:"The version's label, such as 1.4.0."`
	Body  model.EvaluateRequest
}

type modelEvaluationsOutput struct {
	Body struct {
		Items []model.Evaluation `json:"items" doc:"Evaluation results, oldest first."`
	}
}

type modelDecisionInput struct {
	Ref   string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
	Label string `path:"label" doc:"The version's label, such as 1.4.0."`
	Body  model.DecisionRequest
}

type modelDeployInput struct {
	Ref   string `path:"ref" doc:"The model's reference, such as MDL-3, or its id."`
	Label string `path:"label" doc:"The version's label, such as 1.4.0."`
	Body  model.DeployRequest
}

// modelCall runs a service call that returns a model, answering its problems at location.
func modelCall(location string, call func() (*model.Model, error)) (*modelOutput, error) {
	m, err := call()
	if err != nil {
		return nil, problem(err, location)
	}
	return &modelOutput{m}, nil
}

// versionCall runs a service call that returns a version, answering its problems at location.
func versionCall(location string, call func() (*model.Version, error)) (*modelVersionOutput, error) {
	v, err := call()
	if err != nil {
		return nil, problem(err, location)
	}
	return &modelVersionOutput{v}, nil
}

// registerModels adds the operations on models and their versions.
func registerModels(r *registrar, s Services) {
	registerModelRecords(r, s)
	registerModelVersions(r, s)
	registerModelLifecycle(r, s)
	registerModelImport(r, s)
}

// registerModelRecords adds the operations on models themselves.
func registerModelRecords(r *registrar, s Services) {
	tags := []string{"Models"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	register(r, huma.Operation{
		OperationID: "list-models", Method: http.MethodGet, Path: "/api/v1/models", Tags: tags,
		Summary:     "List models",
		Description: "The models of every AI system, by system and name, with the number of versions and the version deployed in each environment. Filter by system and status; search by words.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *modelListInput) (*modelListOutput, error) {
		page, err := s.Models.List(ctx, actor(ctx), in.ListQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &modelListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-model", Method: http.MethodPost, Path: "/api/v1/models", Tags: tags,
		Summary: "Register a model", DefaultStatus: http.StatusCreated,
		Description: "Registers a model of an AI system. Its name must be unique among the system's models, ignoring case.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *modelCreateInput) (*modelOutput, error) {
		return modelCall("body", func() (*model.Model, error) { return s.Models.Create(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-model", Method: http.MethodGet, Path: "/api/v1/models/{ref}", Tags: tags,
		Summary: "Get a model", Description: "The model with its system, owner, number of versions and current deployments.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *modelPath) (*modelOutput, error) {
		return modelCall("path", func() (*model.Model, error) { return s.Models.Get(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-model", Method: http.MethodPatch, Path: "/api/v1/models/{ref}", Tags: tags,
		Summary:     "Change a model",
		Description: "Changes the name, description or owner given. `version` must be the model's version as you read it; if it changed since, the answer is 409 and nothing is changed.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *modelUpdateInput) (*modelOutput, error) {
		return modelCall("body", func() (*model.Model, error) { return s.Models.Update(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "archive-model", Method: http.MethodPost, Path: "/api/v1/models/{ref}/archive", Tags: tags,
		Summary:     "Archive a model",
		Description: "Takes the model out of the active list; its versions, results and history stay. A model with a deployed version cannot be archived (409): withdraw the version first. Owners and managers only.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *modelPath) (*modelOutput, error) {
		return modelCall("path", func() (*model.Model, error) { return s.Models.Archive(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "restore-model", Method: http.MethodPost, Path: "/api/v1/models/{ref}/restore", Tags: tags,
		Summary: "Restore an archived model", Description: "Returns the model to the active list. Owners and managers only.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *modelPath) (*modelOutput, error) {
		return modelCall("path", func() (*model.Model, error) { return s.Models.Restore(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "get-model-history", Method: http.MethodGet, Path: "/api/v1/models/{ref}/history", Tags: tags,
		Summary: "Change history of a model", Description: "The audit events about the model itself, newest first; each version has its own history.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *modelPath) (*historyOutput, error) {
		evs, err := s.Models.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
}

// registerModelVersions adds the operations on versions, their model cards and evaluation results.
func registerModelVersions(r *registrar, s Services) {
	tags := []string{"Models"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	register(r, huma.Operation{
		OperationID: "list-model-versions", Method: http.MethodGet, Path: "/api/v1/models/{ref}/versions", Tags: tags,
		Summary: "List a model's versions", Description: "Newest first, with status, environments and data sets; without evaluation results.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *modelPath) (*modelVersionsOutput, error) {
		vs, err := s.Models.Versions(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &modelVersionsOutput{}
		out.Body.Items = vs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "create-model-version", Method: http.MethodPost, Path: "/api/v1/models/{ref}/versions", Tags: tags,
		Summary: "Register a model version", DefaultStatus: http.StatusCreated,
		Description: "Registers a candidate version: its label (unique within the model), the SHA-256 of the artefact, the framework, " +
			"the data set versions it was trained and evaluated on (keys such as DS-3@2) and its model card.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *modelVersionCreateInput) (*modelVersionOutput, error) {
		return versionCall("body", func() (*model.Version, error) { return s.Models.CreateVersion(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-model-version", Method: http.MethodGet, Path: "/api/v1/models/{ref}/versions/{label}", Tags: tags,
		Summary: "Get a model version", Description: "The version with its model card, data sets, evaluation results, approval and deployments.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *modelVersionPath) (*modelVersionOutput, error) {
		return versionCall("path", func() (*model.Version, error) { return s.Models.GetVersion(ctx, actor(ctx), in.key()) })
	})
	register(r, huma.Operation{
		OperationID: "update-model-version", Method: http.MethodPatch, Path: "/api/v1/models/{ref}/versions/{label}", Tags: tags,
		Summary: "Change a candidate model version",
		Description: "Changes the digest, framework, data sets or model card fields given, while the version is a candidate. " +
			"Approval freezes them: afterwards the answer is 409 and a new version is needed. `version` must be the version as you read it.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *modelVersionUpdateInput) (*modelVersionOutput, error) {
		return versionCall("body", func() (*model.Version, error) {
			return s.Models.UpdateVersion(ctx, actor(ctx), versionKey(in.Ref, in.Label), in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "get-model-version-history", Method: http.MethodGet, Path: "/api/v1/models/{ref}/versions/{label}/history", Tags: tags,
		Summary: "Change history of a model version", Description: "The audit events about the version, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *modelVersionPath) (*historyOutput, error) {
		evs, err := s.Models.VersionHistory(ctx, actor(ctx), in.key())
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "list-model-evaluations", Method: http.MethodGet, Path: "/api/v1/models/{ref}/versions/{label}/evaluations", Tags: tags,
		Summary: "List a version's evaluation results", Description: "Every result, oldest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *modelVersionPath) (*modelEvaluationsOutput, error) {
		evs, err := s.Models.Evaluations(ctx, actor(ctx), in.key())
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &modelEvaluationsOutput{}
		out.Body.Items = evs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "add-model-evaluations", Method: http.MethodPost, Path: "/api/v1/models/{ref}/versions/{label}/evaluations", Tags: tags,
		Summary: "Record evaluation results", DefaultStatus: http.StatusCreated,
		Description: "For ML pipelines: records one or many results in one request, as `results` (each with metric, value and " +
			"optionally data set, date and note), as `metrics` (an object of metric names and values, as MLflow writes them), or both. " +
			"`dataset`, `measured_on` (default today) and `note` apply to every result that does not give its own. " +
			"No `version` is needed: results are appended and never change the version. A retired version takes none (409).",
		Errors: changeErrors,
	}, func(ctx context.Context, in *modelEvaluateInput) (*modelEvaluationsOutput, error) {
		evs, err := s.Models.Evaluate(ctx, actor(ctx), versionKey(in.Ref, in.Label), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		out := &modelEvaluationsOutput{}
		out.Body.Items = evs
		return out, nil
	})
}

// registerModelLifecycle adds approval, deployment, withdrawal and retirement.
func registerModelLifecycle(r *registrar, s Services) {
	tags := []string{"Models"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	register(r, huma.Operation{
		OperationID: "approve-model-version", Method: http.MethodPost, Path: "/api/v1/models/{ref}/versions/{label}/approve", Tags: tags,
		Summary: "Approve a model version",
		Description: "Approves a candidate for deployment. It needs at least one evaluation result and a model card with the intended use " +
			"and limitations filled in; otherwise the answer is 409 and `errors` names what is missing. Approval freezes the card, " +
			"framework, digest and data. Owners and managers only.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *modelDecisionInput) (*modelVersionOutput, error) {
		return versionCall("body", func() (*model.Version, error) {
			return s.Models.Approve(ctx, actor(ctx), versionKey(in.Ref, in.Label), in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "deploy-model-version", Method: http.MethodPost, Path: "/api/v1/models/{ref}/versions/{label}/deploy", Tags: tags,
		Summary: "Deploy a model version to an environment",
		Description: "Deploys an approved version to an environment (production when none is given; names are kept in lower case). " +
			"Exactly one version of a model is deployed per environment: the version there before is superseded in the same " +
			"change and goes back to approved, so deploying it again rolls back. Owners and managers only.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *modelDeployInput) (*modelVersionOutput, error) {
		return versionCall("body", func() (*model.Version, error) {
			return s.Models.Deploy(ctx, actor(ctx), versionKey(in.Ref, in.Label), in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "withdraw-model-version", Method: http.MethodPost, Path: "/api/v1/models/{ref}/versions/{label}/withdraw", Tags: tags,
		Summary: "Withdraw a model version from an environment",
		Description: "Takes the version out of an environment, which may be left out when it is deployed in only one. " +
			"Deployed nowhere else, it goes back to approved. Owners and managers only.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *modelDeployInput) (*modelVersionOutput, error) {
		return versionCall("body", func() (*model.Version, error) {
			return s.Models.Withdraw(ctx, actor(ctx), versionKey(in.Ref, in.Label), in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "retire-model-version", Method: http.MethodPost, Path: "/api/v1/models/{ref}/versions/{label}/retire", Tags: tags,
		Summary: "Retire a model version",
		Description: "Marks a candidate or approved version as no longer to be used. A deployed version must be withdrawn first (409). " +
			"Owners and managers only.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *modelDecisionInput) (*modelVersionOutput, error) {
		return versionCall("body", func() (*model.Version, error) {
			return s.Models.Retire(ctx, actor(ctx), versionKey(in.Ref, in.Label), in.Body)
		})
	})
}
