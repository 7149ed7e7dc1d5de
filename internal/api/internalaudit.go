package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/danielgtaylor/huma/v2"
)

type auditProgrammePath struct {
	Ref string `path:"ref" doc:"The programme's reference, such as IAP-1, or its id."`
}

type auditProgrammeOutput struct{ Body *internalaudit.Programme }

type auditProgrammesOutput struct {
	Body struct {
		Items []internalaudit.Programme `json:"items" doc:"The programmes, the latest cycle first."`
	}
}

type auditProgrammeCreateInput struct {
	Body internalaudit.ProgrammeRequest
}

type auditProgrammeUpdateInput struct {
	Ref  string `path:"ref" doc:"The programme's reference, such as IAP-1, or its id."`
	Body internalaudit.ProgrammeUpdate
}

type internalAuditPath struct {
	Ref string `path:"ref" doc:"The audit's reference, such as IA-2, or its id."`
}

type internalAuditOutput struct{ Body *internalaudit.Audit }

type internalAuditListInput struct{ internalaudit.AuditQuery }

type internalAuditListOutput struct{ Body *internalaudit.AuditPage }

type internalAuditPlanInput struct{ Body internalaudit.AuditRequest }

type internalAuditUpdateInput struct {
	Ref  string `path:"ref" doc:"The audit's reference, such as IA-2, or its id."`
	Body internalaudit.AuditUpdate
}

type internalAuditItemInput struct {
	Ref    string `path:"ref" doc:"The audit's reference, such as IA-2, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The checklist item's number: 7 for IA-2/C7."`
	Body   internalaudit.ItemUpdate
}

type internalAuditItemOutput struct{ Body *internalaudit.Item }

type internalAuditReportInput struct {
	Ref  string `path:"ref" doc:"The audit's reference, such as IA-2, or its id."`
	Body internalaudit.ReportRequest
}

// registerInternalAudits adds the operations on the internal audit programme and its audits.
func registerInternalAudits(r *registrar, s Services) {
	registerAuditProgrammes(r, s)
	tags := []string{"Internal audits"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	audit := func(location string, call func() (*internalaudit.Audit, error)) (*internalAuditOutput, error) {
		a, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &internalAuditOutput{a}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-internal-audits", Method: http.MethodGet, Path: "/api/v1/internal-audits", Tags: tags,
		Summary:     "List internal audits",
		Description: "The organisation's internal audits (9.2) by planned start, with scope, auditor and counts of results but not their checklists. Filter by programme, status or overdue.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *internalAuditListInput) (*internalAuditListOutput, error) {
		page, err := s.InternalAudits.List(ctx, actor(ctx), in.AuditQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &internalAuditListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "plan-internal-audit", Method: http.MethodPost, Path: "/api/v1/internal-audits", Tags: tags,
		Summary: "Plan an internal audit", DefaultStatus: http.StatusCreated,
		Description: "Plans an audit in a programme, as an owner or manager: objectives, criteria, scope (clauses, controls, AI systems), dates, auditor and auditees. " +
			"An auditor who would audit their own work is refused with 422 on auditor_id: one who is an auditee, owns an AI system in scope, owns an applicable control in scope in the Statement of Applicability, or manages the programme while clause 9.2 is in scope.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *internalAuditPlanInput) (*internalAuditOutput, error) {
		return audit("body", func() (*internalaudit.Audit, error) { return s.InternalAudits.Plan(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-internal-audit", Method: http.MethodGet, Path: "/api/v1/internal-audits/{ref}", Tags: tags,
		Summary: "Get an internal audit", Description: "The audit with its plan, checklist, report and findings, each finding with the nonconformity it became.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *internalAuditPath) (*internalAuditOutput, error) {
		return audit("path", func() (*internalaudit.Audit, error) { return s.InternalAudits.Get(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-internal-audit", Method: http.MethodPatch, Path: "/api/v1/internal-audits/{ref}", Tags: tags,
		Summary: "Change an internal audit's plan",
		Description: "Changes the fields given, as an owner or manager. `version` must be the audit's version as you read it (409 otherwise). " +
			"Scope, auditor and auditees change only before the audit starts, and the auditor's independence is checked again. A reported audit is frozen (409).",
		Errors: changeErrors,
	}, func(ctx context.Context, in *internalAuditUpdateInput) (*internalAuditOutput, error) {
		return audit("body", func() (*internalaudit.Audit, error) { return s.InternalAudits.Update(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "start-internal-audit", Method: http.MethodPost, Path: "/api/v1/internal-audits/{ref}/start", Tags: tags,
		Summary: "Start an internal audit",
		Description: "As the audit's auditor: checks the auditor's independence again and generates the checklist, one item per sub-clause in scope " +
			"and one per control in scope that the Statement of Applicability marks applicable, with what it claims.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *internalAuditPath) (*internalAuditOutput, error) {
		return audit("path", func() (*internalaudit.Audit, error) { return s.InternalAudits.Start(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "record-internal-audit-item", Method: http.MethodPatch, Path: "/api/v1/internal-audits/{ref}/items/{number}", Tags: tags,
		Summary: "Record a checklist result",
		Description: "As the audit's auditor, while it is in progress: the result, notes (required for a finding) and evidence references (EV-3) of one checklist item. " +
			"`version` must be the item's version as you read it.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *internalAuditItemInput) (*internalAuditItemOutput, error) {
		it, err := s.InternalAudits.Record(ctx, actor(ctx), in.Ref, in.Number, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &internalAuditItemOutput{it}, nil
	})
	register(r, huma.Operation{
		OperationID: "report-internal-audit", Method: http.MethodPost, Path: "/api/v1/internal-audits/{ref}/report", Tags: tags,
		Summary: "Issue an internal audit's report",
		Description: "As the audit's auditor, once every checklist item is assessed: records the summary and conclusion, numbers the findings, " +
			"raises every minor or major nonconformity as a nonconformity in the same transaction, and freezes the audit.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *internalAuditReportInput) (*internalAuditOutput, error) {
		return audit("body", func() (*internalaudit.Audit, error) { return s.InternalAudits.Report(ctx, actor(ctx), in.Ref, in.Body) })
	})
}

// registerAuditProgrammes adds the operations on audit programmes.
func registerAuditProgrammes(r *registrar, s Services) {
	tags := []string{"Internal audits"}
	programme := func(location string, call func() (*internalaudit.Programme, error)) (*auditProgrammeOutput, error) {
		g, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &auditProgrammeOutput{g}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-internal-audit-programmes", Method: http.MethodGet, Path: "/api/v1/internal-audit-programmes", Tags: tags,
		Summary: "List audit programmes", Description: "The audit programmes (9.2.2), one per three-year certification cycle, the latest first, with the audits planned in each year.",
	}, func(ctx context.Context, _ *struct{}) (*auditProgrammesOutput, error) {
		gs, err := s.InternalAudits.ListProgrammes(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &auditProgrammesOutput{}
		out.Body.Items = gs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "create-internal-audit-programme", Method: http.MethodPost, Path: "/api/v1/internal-audit-programmes", Tags: tags,
		Summary: "Record an audit programme", DefaultStatus: http.StatusCreated,
		Description: "Records the programme of a certification cycle, as an owner or manager: its start (year 1 initial certification, years 2 and 3 surveillance, recertification after three years), " +
			"objectives, methods, responsibilities and how frequency weighs the importance of processes and earlier results. Cycles may not overlap.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *auditProgrammeCreateInput) (*auditProgrammeOutput, error) {
		return programme("body", func() (*internalaudit.Programme, error) {
			return s.InternalAudits.CreateProgramme(ctx, actor(ctx), in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "get-internal-audit-programme", Method: http.MethodGet, Path: "/api/v1/internal-audit-programmes/{ref}", Tags: tags,
		Summary: "Get an audit programme", Description: "The programme with the years of its cycle and the audits planned in each.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *auditProgrammePath) (*auditProgrammeOutput, error) {
		return programme("path", func() (*internalaudit.Programme, error) {
			return s.InternalAudits.GetProgramme(ctx, actor(ctx), in.Ref)
		})
	})
	register(r, huma.Operation{
		OperationID: "update-internal-audit-programme", Method: http.MethodPatch, Path: "/api/v1/internal-audit-programmes/{ref}", Tags: tags,
		Summary:     "Change an audit programme",
		Description: "Changes the fields given. `version` must be the programme's version as you read it (409 otherwise). The cycle may not move away from audits planned in it.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *auditProgrammeUpdateInput) (*auditProgrammeOutput, error) {
		return programme("body", func() (*internalaudit.Programme, error) {
			return s.InternalAudits.UpdateProgramme(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
}
