package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/concern"
	"github.com/danielgtaylor/huma/v2"
)

type concernReportInput struct{ Body concern.ReportRequest }

type concernReceiptOutput struct{ Body *concern.Receipt }

type concernPath struct {
	Ref string `path:"ref" doc:"The concern's reference, such as CON-3, or its id."`
}

type concernOutput struct{ Body *concern.Concern }

type concernListInput struct{ concern.Query }

type concernListOutput struct {
	Body struct {
		Items []concern.Concern `json:"items" doc:"Newest first, without their messages."`
	}
}

type concernUpdateInput struct {
	Ref  string `path:"ref" doc:"The concern's reference, such as CON-3, or its id."`
	Body concern.UpdateRequest
}

type concernNoteInput struct {
	Ref  string `path:"ref" doc:"The concern's reference, such as CON-3, or its id."`
	Body concern.NoteRequest
}

type concernSettingsOutput struct {
	Body struct {
		concern.Settings
		Link *concern.PublicLink `json:"link,omitempty" doc:"A newly made public link, shown only this once."`
	}
}

type concernSettingsInput struct{ Body concern.SettingsRequest }

type concernRotateInput struct {
	Body struct {
		Version int `json:"version" minimum:"0" doc:"The settings' version as you read them."`
	}
}

// registerConcerns adds the concern operations. Reporting through the
// public link and reading the private link are pages, not API operations,
// so that no API token is involved in an anonymous report.
func registerConcerns(r *registrar, s Services) {
	tags := []string{"Concerns"}
	register(r, huma.Operation{
		OperationID: "report-concern", Method: http.MethodPost, Path: "/api/v1/concerns", Tags: tags,
		Summary: "Report a concern", DefaultStatus: http.StatusCreated,
		Description: "Any member reports a concern about the organisation's AI (A.3.3). With `anonymous`, nothing that names the reporter is stored; " +
			"note that the API token used is still known to the server while it answers, so the web page is the better channel for anonymity. " +
			"The answer holds the private link's secret, shown only this once.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *concernReportInput) (*concernReceiptOutput, error) {
		rc, err := s.Concerns.Report(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &concernReceiptOutput{rc}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-concerns", Method: http.MethodGet, Path: "/api/v1/concerns", Tags: tags,
		Summary: "List concerns", Description: "Owners and managers only: no other role, auditors included, reads concerns.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *concernListInput) (*concernListOutput, error) {
		items, err := s.Concerns.List(ctx, actor(ctx), in.Query)
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &concernListOutput{}
		out.Body.Items = items
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-concern", Method: http.MethodGet, Path: "/api/v1/concerns/{ref}", Tags: tags,
		Summary: "Get a concern", Description: "The concern with its follow-ups and internal notes. Owners and managers only.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *concernPath) (*concernOutput, error) {
		c, err := s.Concerns.Get(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &concernOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-concern", Method: http.MethodPatch, Path: "/api/v1/concerns/{ref}", Tags: tags,
		Summary: "Handle a concern",
		Description: "Sets the status, category, AI systems and the answer the reporter reads. An answer to an open concern marks it answered. " +
			"`version` must be the concern's version as you read it; a stale one answers 409.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *concernUpdateInput) (*concernOutput, error) {
		c, err := s.Concerns.Update(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &concernOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "add-concern-note", Method: http.MethodPost, Path: "/api/v1/concerns/{ref}/notes", Tags: tags,
		Summary: "Add an internal note", Description: "A note for handlers, never shown to the reporter.", DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *concernNoteInput) (*concernOutput, error) {
		c, err := s.Concerns.AddNote(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &concernOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-concern-history", Method: http.MethodGet, Path: "/api/v1/concerns/{ref}/history", Tags: tags,
		Summary: "Change history of a concern", Description: "Its audit events, newest first; texts appear only as SHA-256 digests.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *concernPath) (*historyOutput, error) {
		evs, err := s.Concerns.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	settings := func(st *concern.Settings, link *concern.PublicLink, err error) (*concernSettingsOutput, error) {
		if err != nil {
			return nil, problem(err, "body")
		}
		out := &concernSettingsOutput{}
		out.Body.Settings, out.Body.Link = *st, link
		return out, nil
	}
	register(r, huma.Operation{
		OperationID: "get-concern-settings", Method: http.MethodGet, Path: "/api/v1/concern-settings", Tags: tags,
		Summary: "Get the reporting settings", Description: "Whether anyone without an account may report through the public link.",
	}, func(ctx context.Context, _ *struct{}) (*concernSettingsOutput, error) {
		st, err := s.Concerns.Settings(ctx, actor(ctx))
		return settings(st, nil, err)
	})
	register(r, huma.Operation{
		OperationID: "set-concern-settings", Method: http.MethodPut, Path: "/api/v1/concern-settings", Tags: tags,
		Summary:     "Turn public reporting on or off",
		Description: "Turning it on the first time makes the public link, whose secret is in the answer only this once.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *concernSettingsInput) (*concernSettingsOutput, error) {
		return settings(s.Concerns.SetPublic(ctx, actor(ctx), in.Body))
	})
	register(r, huma.Operation{
		OperationID: "rotate-concern-link", Method: http.MethodPost, Path: "/api/v1/concern-settings/rotate", Tags: tags,
		Summary: "Replace the public link", Description: "Makes a new public link, shown only this once; the old one stops working.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *concernRotateInput) (*concernSettingsOutput, error) {
		return settings(s.Concerns.RotateLink(ctx, actor(ctx), in.Body.Version))
	})
}
