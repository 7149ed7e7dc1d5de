package api

import (
	"context"
	"mime"
	"net/http"

	"github.com/aims-dev/aims/internal/impact"
	"github.com/danielgtaylor/huma/v2"
)

type templatePath struct {
	Key string `path:"key" doc:"iso-42005 or eu-fria for a built-in template; an own template's reference, such as IAT-2, or id."`
}

type listTemplatesInput struct{ impact.TemplateListQuery }

type listTemplatesOutput struct {
	Body struct {
		Items []impact.TemplateSummary `json:"items" doc:"The built-in templates, then the organisation's own."`
	}
}

type getTemplateInput struct {
	Key     string `path:"key" doc:"iso-42005 or eu-fria for a built-in template; an own template's reference, such as IAT-2, or id."`
	Version int    `query:"version" minimum:"0" doc:"The version to show; 0 or absent for the latest."`
}

type templateOutput struct{ Body *impact.Template }

type copyTemplateInput struct {
	Key  string `path:"key" doc:"The template to copy: iso-42005, eu-fria, or an own template's reference such as IAT-2."`
	Body *impact.CopyRequest
}

type updateTemplateInput struct {
	Key  string `path:"key" doc:"An own template's reference, such as IAT-2, or id."`
	Body impact.TemplateRequest
}

type assessmentPath struct {
	Ref string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
}

type listAssessmentsInput struct{ impact.ListQuery }

type listAssessmentsOutput struct{ Body *impact.Page }

type startAssessmentInput struct{ Body impact.StartRequest }

type assessmentOutput struct{ Body *impact.Assessment }

type updateAssessmentInput struct {
	Ref  string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Body impact.UpdateRequest
}

type impactPath struct {
	Ref    string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Impact string `path:"impact" doc:"The impact's number in the assessment (such as 2) or id."`
}

type addImpactInput struct {
	Ref  string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Body impact.ImpactRequest
}

type updateImpactInput struct {
	Ref    string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Impact string `path:"impact" doc:"The impact's number in the assessment (such as 2) or id."`
	Body   impact.ImpactRequest
}

type removeImpactInput struct {
	Ref     string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Impact  string `path:"impact" doc:"The impact's number in the assessment (such as 2) or id."`
	Version int    `query:"version" minimum:"0" doc:"The impact's version, checked when given."`
}

type impactOutput struct{ Body *impact.Impact }

type createRiskInput struct {
	Ref    string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Impact string `path:"impact" doc:"The impact's number in the assessment (such as 2) or id."`
	Body   *impact.RiskCreateRequest
}

type linkRiskInput struct {
	Ref    string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Impact string `path:"impact" doc:"The impact's number in the assessment (such as 2) or id."`
	Body   impact.LinkRequest
}

type reviewInput struct {
	Ref  string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Body impact.ReviewRequest
}

type approveAssessmentInput struct {
	Ref  string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Body impact.ApproveRequest
}

type impactVersionOutput struct{ Body *impact.Version }

type impactVersionsOutput struct {
	Body struct {
		Items []impact.VersionSummary `json:"items" doc:"Approved versions, newest first."`
	}
}

type impactVersionPath struct {
	Ref    string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Number int    `path:"number" minimum:"1" doc:"The version's number."`
}

type exportAssessmentInput struct {
	Ref     string `path:"ref" doc:"The assessment's reference, such as IA-3, or id."`
	Version int    `query:"version" minimum:"0" doc:"The approved version to export; 0 or absent for the latest approved version when the assessment is approved and unchanged since, else its current content marked DRAFT."`
}

// registerImpact adds the impact assessment operations.
func registerImpact(r *registrar, s Services) {
	tags := []string{"Impact assessment"}
	register(r, huma.Operation{
		OperationID: "list-impact-templates", Method: http.MethodGet, Path: "/api/v1/impact/templates", Tags: tags,
		Summary: "List impact assessment templates", Description: "The built-in templates (ISO/IEC 42005 elements, EU AI Act Art. 27 FRIA) and the organisation's own.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *listTemplatesInput) (*listTemplatesOutput, error) {
		l, err := s.Impact.Templates(ctx, actor(ctx), in.TemplateListQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &listTemplatesOutput{}
		out.Body.Items = l
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-impact-template", Method: http.MethodGet, Path: "/api/v1/impact/templates/{key}", Tags: tags,
		Summary: "Get a template", Description: "Its sections and questions as of a version, and the list of its versions.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *getTemplateInput) (*templateOutput, error) {
		t, err := s.Impact.Template(ctx, actor(ctx), in.Key, in.Version)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &templateOutput{t}, nil
	})
	register(r, huma.Operation{
		OperationID: "copy-impact-template", Method: http.MethodPost, Path: "/api/v1/impact/templates/{key}/copy", Tags: tags,
		Summary: "Copy a template into an own template", DefaultStatus: http.StatusCreated,
		Description: "Copies a built-in or own template, as of a version, into a new own template (IAT-n) whose version 1 asks the same questions.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *copyTemplateInput) (*templateOutput, error) {
		var req impact.CopyRequest
		if in.Body != nil {
			req = *in.Body
		}
		t, err := s.Impact.CopyTemplate(ctx, actor(ctx), in.Key, req)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &templateOutput{t}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-impact-template", Method: http.MethodPut, Path: "/api/v1/impact/templates/{key}", Tags: tags,
		Summary: "Save an own template as its next version",
		Description: "Replaces the name, description and sections; each save is a new version, and assessments keep the version they " +
			"were started from. Invalid input names every bad field by its path, such as `body.sections[1].questions[0].options`. " +
			"`version` must be the latest version; a stale one answers 409. Built-in and archived templates answer 409.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *updateTemplateInput) (*templateOutput, error) {
		t, err := s.Impact.UpdateTemplate(ctx, actor(ctx), in.Key, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &templateOutput{t}, nil
	})
	register(r, huma.Operation{
		OperationID: "archive-impact-template", Method: http.MethodPost, Path: "/api/v1/impact/templates/{key}/archive", Tags: tags,
		Summary: "Archive an own template", Description: "No new assessment starts from it; assessments started from it keep it.",
		Errors: []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *templatePath) (*templateOutput, error) {
		t, err := s.Impact.ArchiveTemplate(ctx, actor(ctx), in.Key)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &templateOutput{t}, nil
	})
	registerAssessments(r, s, tags)
	registerImpactReview(r, s, tags)
}

// registerAssessments adds the operations on assessments and their impacts.
func registerAssessments(r *registrar, s Services, tags []string) {
	register(r, huma.Operation{
		OperationID: "list-impact-assessments", Method: http.MethodGet, Path: "/api/v1/impact/assessments", Tags: tags,
		Summary:     "List impact assessments",
		Description: "Newest first; filter by AI system, status, or `due=true` for approved assessments due for review (each says why).",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *listAssessmentsInput) (*listAssessmentsOutput, error) {
		p, err := s.Impact.List(ctx, actor(ctx), in.ListQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &listAssessmentsOutput{p}, nil
	})
	register(r, huma.Operation{
		OperationID: "start-impact-assessment", Method: http.MethodPost, Path: "/api/v1/impact/assessments", Tags: tags,
		Summary: "Start an impact assessment of an AI system", DefaultStatus: http.StatusCreated,
		Description: "A draft from the latest version of a template, which the assessment keeps.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *startAssessmentInput) (*assessmentOutput, error) {
		a, err := s.Impact.Start(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &assessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-impact-assessment", Method: http.MethodGet, Path: "/api/v1/impact/assessments/{ref}", Tags: tags,
		Summary:     "Get an impact assessment",
		Description: "Its questions with the answers, its impacts with their linked risks, what still blocks submission, and whether it is due for review.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *assessmentPath) (*assessmentOutput, error) {
		a, err := s.Impact.Get(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &assessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-impact-assessment", Method: http.MethodPatch, Path: "/api/v1/impact/assessments/{ref}", Tags: tags,
		Summary: "Answer questions, change the title or the residual concerns",
		Description: "Answers are checked against the assessment's template version and named `body.answers.<question>` when invalid. " +
			"`version` must be the assessment's version; a stale one answers 409. A change to an approved assessment makes it a draft " +
			"again; one in review answers 409.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *updateAssessmentInput) (*assessmentOutput, error) {
		a, err := s.Impact.Update(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &assessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-impact-assessment-history", Method: http.MethodGet, Path: "/api/v1/impact/assessments/{ref}/history", Tags: tags,
		Summary: "Change history of an impact assessment", Description: "The audit events about the assessment, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *assessmentPath) (*historyOutput, error) {
		evs, err := s.Impact.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "add-impact", Method: http.MethodPost, Path: "/api/v1/impact/assessments/{ref}/impacts", Tags: tags,
		Summary: "Add an impact", DefaultStatus: http.StatusCreated,
		Description: "Who is affected, what harm, its severity, likelihood, reversibility and scale, and the mitigation.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *addImpactInput) (*impactOutput, error) {
		i, err := s.Impact.AddImpact(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &impactOutput{i}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-impact", Method: http.MethodPut, Path: "/api/v1/impact/assessments/{ref}/impacts/{impact}", Tags: tags,
		Summary: "Change an impact", Description: "Every field is set as sent; `version` must be the impact's version.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *updateImpactInput) (*impactOutput, error) {
		i, err := s.Impact.UpdateImpact(ctx, actor(ctx), in.Ref, in.Impact, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &impactOutput{i}, nil
	})
	register(r, huma.Operation{
		OperationID: "remove-impact", Method: http.MethodDelete, Path: "/api/v1/impact/assessments/{ref}/impacts/{impact}", Tags: tags,
		Summary: "Remove an impact", DefaultStatus: http.StatusNoContent,
		Description: "Its links to risks go with it; the risks stay in the register. Its number is not used again.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *removeImpactInput) (*struct{}, error) {
		if err := s.Impact.RemoveImpact(ctx, actor(ctx), in.Ref, in.Impact, in.Version); err != nil {
			return nil, problem(err, "query")
		}
		return nil, nil
	})
	register(r, huma.Operation{
		OperationID: "create-risk-from-impact", Method: http.MethodPost, Path: "/api/v1/impact/assessments/{ref}/impacts/{impact}/risk", Tags: tags,
		Summary: "Raise a risk from an impact", DefaultStatus: http.StatusCreated,
		Description: "Records a risk in the register, prefilled from the impact (title from the harm and who is affected, the AI system, " +
			"the consequences), and links the two in one transaction (ISO/IEC 42001 6.1.4 into 6.1.2). Answers the impact with its risks.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createRiskInput) (*impactOutput, error) {
		var req impact.RiskCreateRequest
		if in.Body != nil {
			req = *in.Body
		}
		i, err := s.Impact.CreateRisk(ctx, actor(ctx), in.Ref, in.Impact, req)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &impactOutput{i}, nil
	})
	register(r, huma.Operation{
		OperationID: "link-risk-to-impact", Method: http.MethodPost, Path: "/api/v1/impact/assessments/{ref}/impacts/{impact}/links", Tags: tags,
		Summary: "Link an impact to a risk in the register", Description: "Answers the impact with its risks; a risk already linked answers 409.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *linkRiskInput) (*impactOutput, error) {
		i, err := s.Impact.LinkRisk(ctx, actor(ctx), in.Ref, in.Impact, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &impactOutput{i}, nil
	})
}

// registerImpactReview adds review, approval, versions and the export.
func registerImpactReview(r *registrar, s Services, tags []string) {
	register(r, huma.Operation{
		OperationID: "submit-impact-assessment", Method: http.MethodPost, Path: "/api/v1/impact/assessments/{ref}/submit", Tags: tags,
		Summary:     "Submit a draft for review",
		Description: "Refused with 422 naming each required question still unanswered (`body.answers.<question>`, or `body.impacts` for the list of impacts).",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *reviewInput) (*assessmentOutput, error) {
		a, err := s.Impact.Submit(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &assessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "return-impact-assessment", Method: http.MethodPost, Path: "/api/v1/impact/assessments/{ref}/return", Tags: tags,
		Summary: "Send an assessment in review back to draft", Description: "Owners and managers; the note saying why is required.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *reviewInput) (*assessmentOutput, error) {
		a, err := s.Impact.Return(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &assessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "approve-impact-assessment", Method: http.MethodPost, Path: "/api/v1/impact/assessments/{ref}/approve", Tags: tags,
		Summary: "Approve an assessment in review as its next version", DefaultStatus: http.StatusCreated,
		Description: "Freezes it as a numbered version naming the approver, the next review date (by default one year on) and the " +
			"audit checkpoint signed at approval, which covers the approval's own audit event. Owners and managers, as themselves.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *approveAssessmentInput) (*impactVersionOutput, error) {
		v, err := s.Impact.Approve(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &impactVersionOutput{v}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-impact-assessment-versions", Method: http.MethodGet, Path: "/api/v1/impact/assessments/{ref}/versions", Tags: tags,
		Summary: "List an assessment's approved versions", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *assessmentPath) (*impactVersionsOutput, error) {
		vs, err := s.Impact.Versions(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &impactVersionsOutput{}
		out.Body.Items = vs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-impact-assessment-version", Method: http.MethodGet, Path: "/api/v1/impact/assessments/{ref}/versions/{number}", Tags: tags,
		Summary: "Get an approved version", Description: "The version with its frozen content, approver and signed audit checkpoint.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *impactVersionPath) (*impactVersionOutput, error) {
		v, err := s.Impact.Version(ctx, actor(ctx), in.Ref, in.Number)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &impactVersionOutput{v}, nil
	})
	register(r, huma.Operation{
		OperationID: "export-impact-assessment", Method: http.MethodGet, Path: "/api/v1/impact/assessments/{ref}/export", Tags: tags,
		Summary: "Export an assessment as PDF",
		Description: "Names the organisation, the AI system, the template and its version, the assessment's version, approver, approval " +
			"time and audit checkpoint; then the answers by section and the impacts with their linked risks. A draft is marked DRAFT.",
		Responses: fileResponses("The PDF, as an attachment (Content-Disposition names it, such as IA-3-v2.pdf).", []string{"application/pdf"}, "",
			map[string]*huma.Param{"Content-Disposition": {Schema: &huma.Schema{Type: "string"}}}),
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *exportAssessmentInput) (*fileOutput, error) {
		f, err := s.Impact.Export(ctx, actor(ctx), in.Ref, in.Version)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &fileOutput{ContentType: f.ContentType, Body: f.Data,
			ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})}, nil
	})
}
