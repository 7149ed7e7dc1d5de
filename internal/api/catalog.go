package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/catalog"
	"github.com/danielgtaylor/huma/v2"
)

type clausesInput struct {
	Q string `query:"q" doc:"Words that must all appear in the id, title or texts."`
}

type clausesOutput struct {
	Body struct {
		Headings []catalog.Heading    `json:"headings"`
		Items    []catalog.ClauseView `json:"items"`
	}
}

type clauseInput struct {
	ID string `path:"id" doc:"A sub-clause such as 6.1.3."`
}

type clauseOutput struct{ Body *catalog.ClauseView }

type controlsInput struct {
	catalog.ControlQuery
}

type controlsOutput struct {
	Body struct {
		Categories []catalog.Category `json:"categories"`
		Items      []catalog.Control  `json:"items"`
	}
}

type controlInput struct {
	ID string `path:"id" doc:"An Annex A control such as A.6.2.4, or an own control such as CTL-2."`
}

type controlOutput struct{ Body *catalog.ControlView }

type createControlInput struct{ Body catalog.ControlRequest }

type updateControlInput struct {
	ID   string `path:"id" doc:"An own control such as CTL-2."`
	Body catalog.UpdateControlRequest
}

type annexCOutput struct {
	Body struct {
		Items []catalog.AnnexCItem `json:"items"`
	}
}

type frameworksOutput struct {
	Body struct {
		Items []catalog.Framework `json:"items"`
	}
}

type frameworkInput struct {
	ID string `path:"id" enum:"nist-ai-rmf,eu-ai-act,iso27001"`
}

type frameworkOutput struct{ Body *catalog.Framework }

func registerCatalog(r *registrar, s Services) {
	tags := []string{"Standard"}
	register(r, huma.Operation{
		OperationID: "list-clauses", Method: http.MethodGet, Path: "/api/v1/catalog/clauses", Tags: tags,
		Summary:     "Clauses 4–10",
		Description: "The 32 sub-clauses an organisation is certified against, with what each asks, the records that show it and what an auditor samples, in aims' words.",
	}, func(ctx context.Context, in *clausesInput) (*clausesOutput, error) {
		cs, err := s.Catalog.ListClauses(ctx, actor(ctx), in.Q)
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &clausesOutput{}
		out.Body.Headings, out.Body.Items = catalog.Headings(), cs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-clause", Method: http.MethodGet, Path: "/api/v1/catalog/clauses/{id}", Tags: tags,
		Summary: "A sub-clause", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *clauseInput) (*clauseOutput, error) {
		c, err := s.Catalog.GetClause(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &clauseOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-controls", Method: http.MethodGet, Path: "/api/v1/catalog/controls", Tags: tags,
		Summary:     "Annex A and own controls",
		Description: "The 38 Annex A controls in their nine categories, followed by the organisation's own controls.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *controlsInput) (*controlsOutput, error) {
		cs, err := s.Catalog.Controls(ctx, actor(ctx), in.ControlQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &controlsOutput{}
		out.Body.Categories, out.Body.Items = catalog.Categories(), cs
		if out.Body.Items == nil {
			out.Body.Items = []catalog.Control{}
		}
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-control", Method: http.MethodGet, Path: "/api/v1/catalog/controls/{id}", Tags: tags,
		Summary: "A control", Description: "A control with the clauses that point to it and the items of other frameworks it serves.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *controlInput) (*controlOutput, error) {
		c, err := s.Catalog.GetControl(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &controlOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-control", Method: http.MethodPost, Path: "/api/v1/catalog/controls", Tags: tags,
		Summary: "Add an own control", DefaultStatus: http.StatusCreated,
		Description: "Adds a control of the organisation's own (clause 6.1.3 allows them); its reference is CTL-n.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *createControlInput) (*controlOutput, error) {
		c, err := s.Catalog.CreateControl(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &controlOutput{&catalog.ControlView{Control: *c, PointedToBy: []string{}, Serves: []catalog.ItemRef{}}}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-control", Method: http.MethodPatch, Path: "/api/v1/catalog/controls/{id}", Tags: tags,
		Summary: "Change an own control", Description: "Replaces an own control's fields; `version` must be the version you read.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *updateControlInput) (*controlOutput, error) {
		if _, err := s.Catalog.UpdateControl(ctx, actor(ctx), in.ID, in.Body); err != nil {
			return nil, problem(err, "body")
		}
		c, err := s.Catalog.GetControl(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &controlOutput{c}, nil
	})
	statusChange := func(id, path, summary string, change func(context.Context, string) error) {
		register(r, huma.Operation{
			OperationID: id, Method: http.MethodPost, Path: path, Tags: tags, Summary: summary,
			Errors: []int{http.StatusNotFound},
		}, func(ctx context.Context, in *controlInput) (*controlOutput, error) {
			if err := change(ctx, in.ID); err != nil {
				return nil, problem(err, "path")
			}
			c, err := s.Catalog.GetControl(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, problem(err, "path")
			}
			return &controlOutput{c}, nil
		})
	}
	statusChange("archive-control", "/api/v1/catalog/controls/{id}/archive", "Archive an own control",
		func(ctx context.Context, id string) error {
			_, err := s.Catalog.ArchiveControl(ctx, actor(ctx), id)
			return err
		})
	statusChange("restore-control", "/api/v1/catalog/controls/{id}/restore", "Restore an own control",
		func(ctx context.Context, id string) error {
			_, err := s.Catalog.RestoreControl(ctx, actor(ctx), id)
			return err
		})
	register(r, huma.Operation{
		OperationID: "list-annex-c", Method: http.MethodGet, Path: "/api/v1/catalog/annex-c", Tags: tags,
		Summary: "Annex C objectives and risk sources",
	}, func(ctx context.Context, _ *struct{}) (*annexCOutput, error) {
		items, err := s.Catalog.ListAnnexC(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &annexCOutput{}
		out.Body.Items = items
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "list-frameworks", Method: http.MethodGet, Path: "/api/v1/catalog/frameworks", Tags: tags,
		Summary:     "Crosswalked frameworks",
		Description: "NIST AI RMF 1.0 (the official crosswalk), the EU AI Act and ISO/IEC 27001:2022 Annex A, each labelled with how authoritative its crosswalk is.",
	}, func(ctx context.Context, _ *struct{}) (*frameworksOutput, error) {
		fs, err := s.Catalog.ListFrameworks(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &frameworksOutput{}
		out.Body.Items = fs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-framework", Method: http.MethodGet, Path: "/api/v1/catalog/frameworks/{id}", Tags: tags,
		Summary: "A crosswalked framework", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *frameworkInput) (*frameworkOutput, error) {
		f, err := s.Catalog.GetFramework(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &frameworkOutput{f}, nil
	})
}
