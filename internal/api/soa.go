package api

import (
	"context"
	"mime"
	"net/http"

	"github.com/aims-dev/aims/internal/soa"
	"github.com/danielgtaylor/huma/v2"
)

type draftOutput struct{ Body *soa.Draft }

type entryOutput struct{ Body *soa.Entry }

type versionOutput struct{ Body *soa.Version }

type setScopeInput struct{ Body soa.ScopeRequest }

type setEntryInput struct {
	ControlID string `path:"control_id" doc:"A control's id, such as A.6.2.4, or the reference of an own control, such as CTL-2."`
	System    string `query:"system" doc:"An AI system's reference (SYS-3) or id, to decide for that system alone; omit for the organisation's decision."`
	Body      soa.EntryRequest
}

type removeOverrideInput struct {
	ControlID string `path:"control_id" doc:"A control's id, such as A.6.2.4, or the reference of an own control, such as CTL-2."`
	System    string `query:"system" required:"true" doc:"The AI system whose override is removed, by reference or id."`
	Version   int    `query:"version" minimum:"0" doc:"The override's version, checked when given."`
}

type systemSoAInput struct {
	System string `path:"system" doc:"An AI system's reference (SYS-3) or id."`
}

type systemSoAOutput struct{ Body *soa.SystemView }

type approveInput struct {
	Body *soa.ApproveRequest
}

type versionsOutput struct {
	Body struct {
		Items []soa.VersionSummary `json:"items" doc:"Approved versions, newest first."`
	}
}

type versionPath struct {
	Number int `path:"number" minimum:"1" doc:"The version's number."`
}

type compareInput struct {
	From int `query:"from" required:"true" minimum:"0" doc:"The older side: a version number, or 0 for the draft."`
	To   int `query:"to" minimum:"0" doc:"The newer side: a version number, or 0 (the default) for the draft."`
}

type compareOutput struct{ Body *soa.Comparison }

type exportQuery struct {
	Format string `query:"format" required:"true" enum:"pdf,xlsx,csv,md" doc:"pdf, xlsx, csv or md (Markdown)."`
}

type exportVersionInput struct {
	Number int    `path:"number" minimum:"1" doc:"The version's number."`
	Format string `query:"format" required:"true" enum:"pdf,xlsx,csv,md" doc:"pdf, xlsx, csv or md (Markdown)."`
}

type fileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func file(f *soa.File) *fileOutput {
	return &fileOutput{ContentType: f.ContentType, Body: f.Data,
		ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})}
}

// exportResponses documents an export's answer in each of its formats.
func exportResponses() map[string]*huma.Response {
	var types []string
	for _, f := range soa.Formats {
		mt, _, _ := mime.ParseMediaType(f.Label)
		types = append(types, mt)
	}
	return fileResponses("The file, as an attachment (Content-Disposition names it, such as soa-v2.pdf).", types, "",
		map[string]*huma.Param{"Content-Disposition": {Schema: &huma.Schema{Type: "string"}}})
}

// registerSoA adds the Statement of Applicability operations.
func registerSoA(r *registrar, s Services) {
	tags := []string{"Statement of Applicability"}
	register(r, huma.Operation{
		OperationID: "get-soa", Method: http.MethodGet, Path: "/api/v1/soa", Tags: tags,
		Summary:     "Get the draft Statement of Applicability",
		Description: "Every control with its decision for the organisation, the overrides for AI systems and the current evidence, and what still blocks approval.",
	}, func(ctx context.Context, _ *struct{}) (*draftOutput, error) {
		d, err := s.SoA.Draft(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &draftOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "set-soa-scope", Method: http.MethodPut, Path: "/api/v1/soa/scope", Tags: tags,
		Summary:     "Change the scope of the draft",
		Description: "`version` must be the draft's `scope_version` as you read it (0 for the first scope); if the scope changed since, the answer is 409.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *setScopeInput) (*draftOutput, error) {
		d, err := s.SoA.SetScope(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &draftOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "set-soa-entry", Method: http.MethodPut, Path: "/api/v1/soa/entries/{control_id}", Tags: tags,
		Summary: "Decide on a control",
		Description: "Sets whether the control applies, why, how far it is implemented, who owns it and by when: for the organisation, " +
			"or with `system` for one AI system. Send `version` 0 to make the decision and its current version to change it; " +
			"a stale version answers 409.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *setEntryInput) (*entryOutput, error) {
		e, err := s.SoA.SetEntry(ctx, actor(ctx), in.ControlID, in.System, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &entryOutput{e}, nil
	})
	register(r, huma.Operation{
		OperationID: "remove-soa-override", Method: http.MethodDelete, Path: "/api/v1/soa/entries/{control_id}", Tags: tags,
		Summary:     "Remove an AI system's override",
		Description: "The organisation's decision applies to the system again. The organisation's own decision cannot be removed, only changed.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *removeOverrideInput) (*entryOutput, error) {
		e, err := s.SoA.RemoveOverride(ctx, actor(ctx), in.ControlID, in.System, in.Version)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &entryOutput{e}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-soa-for-system", Method: http.MethodGet, Path: "/api/v1/soa/systems/{system}", Tags: tags,
		Summary:     "The Statement as it applies to one AI system",
		Description: "For each control, the system's own decision where it has one, else the organisation's.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemSoAInput) (*systemSoAOutput, error) {
		v, err := s.SoA.ForSystem(ctx, actor(ctx), in.System)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &systemSoAOutput{v}, nil
	})
	register(r, huma.Operation{
		OperationID: "approve-soa", Method: http.MethodPost, Path: "/api/v1/soa/approve", Tags: tags,
		Summary: "Approve the draft as the next version", DefaultStatus: http.StatusCreated,
		Description: "Freezes the draft as a numbered version naming the approver and the audit checkpoint signed at approval, " +
			"which covers the approval's own audit event. Refused with 409 while the scope is empty or any control lacks a decision with a justification.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *approveInput) (*versionOutput, error) {
		var req soa.ApproveRequest
		if in.Body != nil {
			req = *in.Body
		}
		v, err := s.SoA.Approve(ctx, actor(ctx), req)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &versionOutput{v}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-soa-versions", Method: http.MethodGet, Path: "/api/v1/soa/versions", Tags: tags,
		Summary: "List the approved versions",
	}, func(ctx context.Context, _ *struct{}) (*versionsOutput, error) {
		vs, err := s.SoA.Versions(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &versionsOutput{}
		out.Body.Items = vs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-soa-version", Method: http.MethodGet, Path: "/api/v1/soa/versions/{number}", Tags: tags,
		Summary: "Get an approved version", Description: "The version with its frozen content, approver and signed audit checkpoint.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *versionPath) (*versionOutput, error) {
		v, err := s.SoA.Version(ctx, actor(ctx), in.Number)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &versionOutput{v}, nil
	})
	register(r, huma.Operation{
		OperationID: "compare-soa", Method: http.MethodGet, Path: "/api/v1/soa/compare", Tags: tags,
		Summary:     "Compare two versions, or a version and the draft",
		Description: "Each decision added, removed or changed, field by field, in control order, and whether the scope changed.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *compareInput) (*compareOutput, error) {
		c, err := s.SoA.Compare(ctx, actor(ctx), in.From, in.To)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &compareOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "export-soa-version", Method: http.MethodGet, Path: "/api/v1/soa/versions/{number}/export", Tags: tags,
		Summary:     "Export an approved version",
		Description: "As PDF (naming the organisation, scope, version, approver and checkpoint), XLSX, CSV or Markdown. The version as JSON is GET /api/v1/soa/versions/{number}.",
		Responses:   exportResponses(), Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *exportVersionInput) (*fileOutput, error) {
		f, err := s.SoA.Export(ctx, actor(ctx), in.Number, in.Format)
		if err != nil {
			return nil, problem(err, "query")
		}
		return file(f), nil
	})
	register(r, huma.Operation{
		OperationID: "export-soa-draft", Method: http.MethodGet, Path: "/api/v1/soa/export", Tags: tags,
		Summary: "Export the draft", Description: "Like a version's export, marked DRAFT.",
		Responses: exportResponses(), Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *exportQuery) (*fileOutput, error) {
		f, err := s.SoA.Export(ctx, actor(ctx), 0, in.Format)
		if err != nil {
			return nil, problem(err, "query")
		}
		return file(f), nil
	})
}
