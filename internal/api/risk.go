package api

import (
	"context"
	"mime"
	"net/http"

	"github.com/aims-dev/aims/internal/risk"
	"github.com/danielgtaylor/huma/v2"
)

type riskOutput struct{ Body *risk.Risk }

type riskPath struct {
	ID string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
}

type riskListInput struct {
	risk.ListQuery
}

type riskListOutput struct{ Body *risk.Page }

type riskCreateInput struct{ Body risk.CreateRequest }

type riskUpdateInput struct {
	ID   string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
	Body risk.UpdateRequest
}

type riskAssessInput struct {
	ID   string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
	Body risk.AssessRequest
}

type riskTreatInput struct {
	ID   string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
	Body risk.TreatmentRequest
}

type riskAddActionInput struct {
	ID   string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
	Body risk.AddActionRequest
}

type riskUpdateActionInput struct {
	ID     string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The action's number within the risk."`
	Body   risk.UpdateActionRequest
}

type riskAcceptInput struct {
	ID   string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
	Body risk.AcceptRequest
}

type riskCloseInput struct {
	ID   string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
	Body risk.CloseRequest
}

type riskReopenInput struct {
	ID   string `path:"id" doc:"The risk's reference, such as RISK-3, or its id."`
	Body risk.ReopenRequest
}

type riskCriteriaOutput struct{ Body *risk.Criteria }

type riskDefaultCriteriaOutput struct{ Body risk.CriteriaRequest }

type riskSetCriteriaInput struct{ Body risk.CriteriaRequest }

type riskCriteriaVersionPath struct {
	Number int `path:"number" minimum:"1" doc:"The version's number."`
}

type riskCriteriaVersionsOutput struct {
	Body struct {
		Items []risk.CriteriaSummary `json:"items" doc:"Versions of the criteria, newest first."`
	}
}

type riskOverviewOutput struct{ Body *risk.Overview }

type riskDueOutput struct{ Body *risk.Due }

type riskExportInput struct {
	Format string `query:"format" required:"true" enum:"pdf,xlsx" doc:"pdf or xlsx."`
}

type riskAssessmentPath struct {
	Ref string `path:"ref" doc:"The assessment's reference, such as RA-2."`
}

type riskAssessmentExportInput struct {
	Ref    string `path:"ref" doc:"The assessment's reference, such as RA-2."`
	Format string `query:"format" required:"true" enum:"pdf,xlsx" doc:"pdf or xlsx."`
}

type riskOpenAssessmentInput struct{ Body risk.OpenAssessmentRequest }

type riskCloseAssessmentInput struct {
	Ref  string `path:"ref" doc:"The assessment's reference, such as RA-2."`
	Body *risk.CloseAssessmentRequest
}

type riskAssessmentOutput struct{ Body *risk.Assessment }

type riskAssessmentsOutput struct {
	Body struct {
		Items []risk.AssessmentSummary `json:"items" doc:"Risk assessments, newest first."`
	}
}

type riskCompareInput struct {
	Ref string `path:"ref" doc:"The older assessment's reference, such as RA-1."`
	To  string `query:"to" required:"true" doc:"The newer assessment's reference, such as RA-2."`
}

type riskComparisonOutput struct{ Body *risk.Comparison }

type riskFileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func riskFile(f *risk.File) *riskFileOutput {
	return &riskFileOutput{ContentType: f.ContentType, Body: f.Data,
		ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})}
}

// riskExportResponses documents a risk export's answer in each format.
func riskExportResponses(example string) map[string]*huma.Response {
	var types []string
	for _, f := range risk.Formats {
		types = append(types, f.Label)
	}
	return fileResponses("The file, as an attachment (Content-Disposition names it, such as "+example+").", types, "",
		map[string]*huma.Param{"Content-Disposition": {Schema: &huma.Schema{Type: "string"}}})
}

// riskCall runs a service call that returns a risk, answering its problems at location.
func riskCall(location string, call func() (*risk.Risk, error)) (*riskOutput, error) {
	r, err := call()
	if err != nil {
		return nil, problem(err, location)
	}
	return &riskOutput{r}, nil
}

// registerRisks adds the risk operations.
func registerRisks(r *registrar, s Services) {
	registerRiskRegister(r, s)
	registerRiskCriteria(r, s)
	registerRiskAssessments(r, s)
}

// registerRiskRegister adds the operations on risks.
func registerRiskRegister(r *registrar, s Services) {
	tags := []string{"Risks"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	register(r, huma.Operation{
		OperationID: "list-risks", Method: http.MethodGet, Path: "/api/v1/risks", Tags: tags,
		Summary:     "List risks",
		Description: "Filter, search, sort and page the risk register. `inherent` and `residual` name a cell of the current criteria, as heat maps link to it.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *riskListInput) (*riskListOutput, error) {
		page, err := s.Risks.List(ctx, actor(ctx), in.ListQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &riskListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-risk", Method: http.MethodPost, Path: "/api/v1/risks", Tags: tags,
		Summary: "Record a risk", DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *riskCreateInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.Create(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-risk", Method: http.MethodGet, Path: "/api/v1/risks/{id}", Tags: tags,
		Summary:     "Get a risk",
		Description: "The risk with its assessment, treatment, actions, controls, acceptance and the impacts that inform it.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *riskPath) (*riskOutput, error) {
		return riskCall("path", func() (*risk.Risk, error) { return s.Risks.Get(ctx, actor(ctx), in.ID) })
	})
	register(r, huma.Operation{
		OperationID: "update-risk", Method: http.MethodPatch, Path: "/api/v1/risks/{id}", Tags: tags,
		Summary:     "Change a risk's description",
		Description: "Changes the fields given. `version` must be the risk's version as you read it; if it changed since, the answer is 409.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *riskUpdateInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.Update(ctx, actor(ctx), in.ID, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "assess-risk", Method: http.MethodPut, Path: "/api/v1/risks/{id}/assessment", Tags: tags,
		Summary: "Assess a risk",
		Description: "Rates the likelihood and impact under the current criteria, which gives the inherent level, and sets the next review " +
			"(by default the level's review interval from today). 409 while the organisation has no criteria.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *riskAssessInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.Assess(ctx, actor(ctx), in.ID, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "set-risk-treatment", Method: http.MethodPut, Path: "/api/v1/risks/{id}/treatment", Tags: tags,
		Summary: "Set a risk's treatment",
		Description: "The option, the plan, the controls that treat the risk and the residual rating. The plan's version increases when the " +
			"option, the plan or the controls change, which makes an acceptance stale.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *riskTreatInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.SetTreatment(ctx, actor(ctx), in.ID, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "add-risk-action", Method: http.MethodPost, Path: "/api/v1/risks/{id}/actions", Tags: tags,
		Summary: "Add an action to a risk's treatment plan", DefaultStatus: http.StatusCreated,
		Errors: changeErrors,
	}, func(ctx context.Context, in *riskAddActionInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.AddAction(ctx, actor(ctx), in.ID, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "update-risk-action", Method: http.MethodPatch, Path: "/api/v1/risks/{id}/actions/{number}", Tags: tags,
		Summary: "Change an action of a risk's treatment plan",
		Description: "Changing the description, owner or due date changes the plan; recording the status and the day it was done " +
			"does not.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *riskUpdateActionInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.UpdateAction(ctx, actor(ctx), in.ID, in.Number, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "accept-risk", Method: http.MethodPost, Path: "/api/v1/risks/{id}/acceptance", Tags: tags,
		Summary: "Accept a risk's residual level",
		Description: "Records that designated management accepts the residual level for the current plan version, until `valid_until`. " +
			"Owners and managers accept a level within the appetite; a level above it only an owner accepts, with " +
			"`above_appetite_confirmed` and `above_appetite_reason` (409 without them, 403 for a manager).",
		Errors: changeErrors,
	}, func(ctx context.Context, in *riskAcceptInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.Accept(ctx, actor(ctx), in.ID, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "close-risk", Method: http.MethodPost, Path: "/api/v1/risks/{id}/close", Tags: tags,
		Summary: "Close a risk", Description: "The risk stays in the register with its history and can be reopened.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *riskCloseInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.Close(ctx, actor(ctx), in.ID, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "reopen-risk", Method: http.MethodPost, Path: "/api/v1/risks/{id}/reopen", Tags: tags,
		Summary: "Reopen a closed risk", Errors: changeErrors,
	}, func(ctx context.Context, in *riskReopenInput) (*riskOutput, error) {
		return riskCall("body", func() (*risk.Risk, error) { return s.Risks.Reopen(ctx, actor(ctx), in.ID, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-risk-history", Method: http.MethodGet, Path: "/api/v1/risks/{id}/history", Tags: tags,
		Summary:     "Change history of a risk",
		Description: "The audit events about the risk, newest first: changes, assessments, treatments, actions, acceptances.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *riskPath) (*historyOutput, error) {
		evs, err := s.Risks.History(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-risk-overview", Method: http.MethodGet, Path: "/api/v1/risk-overview", Tags: tags,
		Summary: "The register seen whole",
		Description: "Heat maps of the inherent and residual ratings under the current criteria, what is due, risks by AI system, " +
			"risks without controls and controls without risks.",
	}, func(ctx context.Context, _ *struct{}) (*riskOverviewOutput, error) {
		o, err := s.Risks.Overview(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &riskOverviewOutput{o}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-risk-due", Method: http.MethodGet, Path: "/api/v1/risk-due", Tags: tags,
		Summary: "Risks due for review and overdue actions",
		Description: "A risk is due when its review date has passed, when an AI system it concerns changed its intended purpose, " +
			"or EU AI Act class, or had a significant change approved, after it was assessed, or when its accepted residual risk expired; " +
			"each with its reasons.",
	}, func(ctx context.Context, _ *struct{}) (*riskDueOutput, error) {
		d, err := s.Risks.Due(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &riskDueOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "export-risk-register", Method: http.MethodGet, Path: "/api/v1/risk-register/export", Tags: tags,
		Summary:     "Export the risk register",
		Description: "The register with its treatment plan as PDF or XLSX, naming the organisation, the criteria version, the date and the latest signed audit checkpoint.",
		Responses:   riskExportResponses("risk-register-2026-03-02.pdf"), Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *riskExportInput) (*riskFileOutput, error) {
		f, err := s.Risks.ExportRegister(ctx, actor(ctx), in.Format)
		if err != nil {
			return nil, problem(err, "query")
		}
		return riskFile(f), nil
	})
}

// registerRiskCriteria adds the operations on the risk criteria.
func registerRiskCriteria(r *registrar, s Services) {
	tags := []string{"Risk criteria"}
	register(r, huma.Operation{
		OperationID: "get-risk-criteria", Method: http.MethodGet, Path: "/api/v1/risk-criteria", Tags: tags,
		Summary:     "Get the current risk criteria",
		Description: "404 while the organisation has none: GET /api/v1/risk-criteria/default is a starting point.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, _ *struct{}) (*riskCriteriaOutput, error) {
		c, err := s.Risks.Criteria(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &riskCriteriaOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-default-risk-criteria", Method: http.MethodGet, Path: "/api/v1/risk-criteria/default", Tags: tags,
		Summary:     "The default risk criteria",
		Description: "A 5×5 matrix with four levels, offered to an organisation without criteria; send it, changed or not, to set version 1.",
	}, func(ctx context.Context, _ *struct{}) (*riskDefaultCriteriaOutput, error) {
		c, err := s.Risks.Default(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &riskDefaultCriteriaOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "set-risk-criteria", Method: http.MethodPost, Path: "/api/v1/risk-criteria/versions", Tags: tags,
		Summary: "Set the risk criteria as a new version", DefaultStatus: http.StatusCreated,
		Description: "Scales, levels, the level of every cell, the appetite and review intervals. `version` is the current version " +
			"(0 for the first); a stale one answers 409. Criteria equal to the current version answer it unchanged. Risks keep the version they were assessed with.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *riskSetCriteriaInput) (*riskCriteriaOutput, error) {
		c, err := s.Risks.SetCriteria(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &riskCriteriaOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-risk-criteria-versions", Method: http.MethodGet, Path: "/api/v1/risk-criteria/versions", Tags: tags,
		Summary: "List the versions of the risk criteria",
	}, func(ctx context.Context, _ *struct{}) (*riskCriteriaVersionsOutput, error) {
		vs, err := s.Risks.CriteriaVersions(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &riskCriteriaVersionsOutput{}
		out.Body.Items = vs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-risk-criteria-version", Method: http.MethodGet, Path: "/api/v1/risk-criteria/versions/{number}", Tags: tags,
		Summary: "Get a version of the risk criteria", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *riskCriteriaVersionPath) (*riskCriteriaOutput, error) {
		c, err := s.Risks.CriteriaVersion(ctx, actor(ctx), in.Number)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &riskCriteriaOutput{c}, nil
	})
}

// registerRiskAssessments adds the operations on risk assessments.
func registerRiskAssessments(r *registrar, s Services) {
	tags := []string{"Risk assessments"}
	register(r, huma.Operation{
		OperationID: "list-risk-assessments", Method: http.MethodGet, Path: "/api/v1/risk-assessments", Tags: tags,
		Summary: "List the risk assessments",
	}, func(ctx context.Context, _ *struct{}) (*riskAssessmentsOutput, error) {
		as, err := s.Risks.Assessments(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &riskAssessmentsOutput{}
		out.Body.Items = as
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "open-risk-assessment", Method: http.MethodPost, Path: "/api/v1/risk-assessments", Tags: tags,
		Summary: "Open a risk assessment", DefaultStatus: http.StatusCreated,
		Description: "A named assessment of every risk, or of the risks of chosen AI systems.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *riskOpenAssessmentInput) (*riskAssessmentOutput, error) {
		a, err := s.Risks.OpenAssessment(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &riskAssessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-risk-assessment", Method: http.MethodGet, Path: "/api/v1/risk-assessments/{ref}", Tags: tags,
		Summary:     "Get a risk assessment",
		Description: "An open one with the risks in its scope as they are; a closed one as they were when it closed, with the closer and the signed audit checkpoint.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *riskAssessmentPath) (*riskAssessmentOutput, error) {
		a, err := s.Risks.Assessment(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &riskAssessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "close-risk-assessment", Method: http.MethodPost, Path: "/api/v1/risk-assessments/{ref}/close", Tags: tags,
		Summary: "Close a risk assessment",
		Description: "Freezes the state of every risk in scope, naming the closer and the audit checkpoint signed in the same transaction, " +
			"which covers the closing's own audit event. Owners and managers close assessments; a closed one never changes.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *riskCloseAssessmentInput) (*riskAssessmentOutput, error) {
		var req risk.CloseAssessmentRequest
		if in.Body != nil {
			req = *in.Body
		}
		a, err := s.Risks.CloseAssessment(ctx, actor(ctx), in.Ref, req)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &riskAssessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "compare-risk-assessments", Method: http.MethodGet, Path: "/api/v1/risk-assessments/{ref}/compare", Tags: tags,
		Summary:     "Compare two closed risk assessments",
		Description: "Risks added and removed, and for the others each change of status, owner, levels, treatment and acceptance.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *riskCompareInput) (*riskComparisonOutput, error) {
		c, err := s.Risks.CompareAssessments(ctx, actor(ctx), in.Ref, in.To)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &riskComparisonOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "export-risk-assessment", Method: http.MethodGet, Path: "/api/v1/risk-assessments/{ref}/export", Tags: tags,
		Summary:     "Export a closed risk assessment",
		Description: "As PDF or XLSX, naming the closer and the checkpoint signed when it closed. 409 while it is open.",
		Responses:   riskExportResponses("risk-assessment-RA-2.pdf"),
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *riskAssessmentExportInput) (*riskFileOutput, error) {
		f, err := s.Risks.ExportAssessment(ctx, actor(ctx), in.Ref, in.Format)
		if err != nil {
			return nil, problem(err, "query")
		}
		return riskFile(f), nil
	})
}
