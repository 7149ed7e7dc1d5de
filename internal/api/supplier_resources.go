package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/supplier"
	"github.com/danielgtaylor/huma/v2"
)

type resourcePath struct {
	Ref string `path:"ref" doc:"The resource's reference, such as RES-3, or its id."`
}

type resourceOutput struct{ Body *supplier.Resource }

type resourceListInput struct{ supplier.ResourceQuery }

type resourceListOutput struct{ Body *supplier.ResourcePage }

type resourceCreateInput struct{ Body supplier.ResourceRequest }

type resourceUpdateInput struct {
	Ref  string `path:"ref" doc:"The resource's reference, such as RES-3, or its id."`
	Body supplier.ResourceUpdate
}

// registerResources adds the operations on the resources AI systems rely on.
func registerResources(r *registrar, s Services) {
	tags := []string{"Resources"}
	resource := func(location string, call func() (*supplier.Resource, error)) (*resourceOutput, error) {
		res, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &resourceOutput{res}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-resources", Method: http.MethodGet, Path: "/api/v1/resources", Tags: tags,
		Summary:     "List resources",
		Description: "The data, tooling, computing, people and other resources AI systems rely on (A.4), by kind and name. Filter by kind, AI system and status; search by words.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *resourceListInput) (*resourceListOutput, error) {
		page, err := s.Suppliers.ListResources(ctx, actor(ctx), in.ResourceQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &resourceListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-resource", Method: http.MethodPost, Path: "/api/v1/resources", Tags: tags,
		Summary: "Record a resource", DefaultStatus: http.StatusCreated,
		Description: "Records a resource with the third party that provides it (TP-2) and the AI systems that rely on it. " +
			"Competences and members (by user id or email) are for people only.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *resourceCreateInput) (*resourceOutput, error) {
		return resource("body", func() (*supplier.Resource, error) { return s.Suppliers.CreateResource(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-resource", Method: http.MethodGet, Path: "/api/v1/resources/{ref}", Tags: tags,
		Summary: "Get a resource", Description: "The resource with its provider, people and AI systems.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *resourcePath) (*resourceOutput, error) {
		return resource("path", func() (*supplier.Resource, error) { return s.Suppliers.GetResource(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-resource", Method: http.MethodPatch, Path: "/api/v1/resources/{ref}", Tags: tags,
		Summary:     "Change a resource",
		Description: "Changes the fields given; lists replace the stored ones. `version` must be the resource's version as you read it; if it changed since, the answer is 409 and nothing is changed.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *resourceUpdateInput) (*resourceOutput, error) {
		return resource("body", func() (*supplier.Resource, error) {
			return s.Suppliers.UpdateResource(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "archive-resource", Method: http.MethodPost, Path: "/api/v1/resources/{ref}/archive", Tags: tags,
		Summary: "Archive a resource", Description: "Takes the resource out of the active list; its record and history stay.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *resourcePath) (*resourceOutput, error) {
		return resource("path", func() (*supplier.Resource, error) { return s.Suppliers.ArchiveResource(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "restore-resource", Method: http.MethodPost, Path: "/api/v1/resources/{ref}/restore", Tags: tags,
		Summary: "Restore an archived resource", Description: "Returns the resource to the active list.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *resourcePath) (*resourceOutput, error) {
		return resource("path", func() (*supplier.Resource, error) { return s.Suppliers.RestoreResource(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "get-resource-history", Method: http.MethodGet, Path: "/api/v1/resources/{ref}/history", Tags: tags,
		Summary: "Change history of a resource", Description: "The audit events about the resource, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *resourcePath) (*historyOutput, error) {
		evs, err := s.Suppliers.ResourceHistory(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
}
