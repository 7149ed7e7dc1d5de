package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/danielgtaylor/huma/v2"
)

type systemOutput struct{ Body *aisystem.System }

type systemPath struct {
	ID string `path:"id" doc:"The system's id or reference, such as SYS-3."`
}

type listSystemsInput struct {
	aisystem.ListQuery
}

type listSystemsOutput struct{ Body *aisystem.Page }

type createSystemInput struct{ Body aisystem.CreateRequest }

type updateSystemInput struct {
	ID   string `path:"id" doc:"The system's id or reference, such as SYS-3."`
	Body aisystem.UpdateRequest
}

// HistoryEntry is one change to a record, from the audit log.
type HistoryEntry struct {
	Index   int64            `json:"index" doc:"Position in the organisation's audit log."`
	Time    string           `json:"time"`
	Actor   tlog.EventActor  `json:"actor"`
	Action  string           `json:"action"`
	Object  tlog.EventObject `json:"object"`
	Changes []Change         `json:"changes"`
}

// Change is one field's value before and after a change.
type Change struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before,omitempty" doc:"The value before; absent when the field was empty."`
	After  json.RawMessage `json:"after,omitempty" doc:"The value after; absent when the field became empty."`
}

// present drops a JSON null, so that an empty side of a change is absent.
func present(v json.RawMessage) json.RawMessage {
	if string(v) == "null" {
		return nil
	}
	return v
}

type historyOutput struct {
	Body struct {
		Items []HistoryEntry `json:"items"`
	}
}

func historyEntries(evs []tlog.Event) []HistoryEntry {
	out := make([]HistoryEntry, 0, len(evs))
	for _, e := range evs {
		ch := make([]Change, 0, len(e.Changes))
		for _, c := range e.Changes {
			ch = append(ch, Change{Field: c.Field, Before: present(c.Before), After: present(c.After)})
		}
		out = append(out, HistoryEntry{Index: e.Index, Time: e.Time.UTC().Format("2006-01-02T15:04:05.000000Z"),
			Actor: e.Actor, Action: e.Action, Object: e.Object, Changes: ch})
	}
	return out
}

func registerSystems(r *registrar, s Services) {
	tags := []string{"AI systems"}
	register(r, huma.Operation{
		OperationID: "list-systems", Method: http.MethodGet, Path: "/api/v1/systems", Tags: tags,
		Summary: "List AI systems", Description: "Filter, search, sort and page the inventory.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *listSystemsInput) (*listSystemsOutput, error) {
		page, err := s.Systems.List(ctx, actor(ctx), in.ListQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &listSystemsOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-system", Method: http.MethodPost, Path: "/api/v1/systems", Tags: tags,
		Summary: "Register an AI system", DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *createSystemInput) (*systemOutput, error) {
		sys, err := s.Systems.Create(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &systemOutput{sys}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-system", Method: http.MethodGet, Path: "/api/v1/systems/{id}", Tags: tags,
		Summary: "Get an AI system", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemPath) (*systemOutput, error) {
		sys, err := s.Systems.Get(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &systemOutput{sys}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-system", Method: http.MethodPatch, Path: "/api/v1/systems/{id}", Tags: tags,
		Summary:     "Change an AI system",
		Description: "Changes the fields given. `version` must be the version you read; if the system changed since, the answer is 409 and nothing is changed.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *updateSystemInput) (*systemOutput, error) {
		sys, err := s.Systems.Update(ctx, actor(ctx), in.ID, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &systemOutput{sys}, nil
	})
	register(r, huma.Operation{
		OperationID: "archive-system", Method: http.MethodPost, Path: "/api/v1/systems/{id}/archive", Tags: tags,
		Summary: "Archive an AI system", Description: "Takes the system out of the active inventory; its records and history stay.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemPath) (*systemOutput, error) {
		sys, err := s.Systems.Archive(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &systemOutput{sys}, nil
	})
	register(r, huma.Operation{
		OperationID: "restore-system", Method: http.MethodPost, Path: "/api/v1/systems/{id}/restore", Tags: tags,
		Summary: "Restore an archived AI system", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemPath) (*systemOutput, error) {
		sys, err := s.Systems.Restore(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &systemOutput{sys}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-system-history", Method: http.MethodGet, Path: "/api/v1/systems/{id}/history", Tags: tags,
		Summary: "Change history of an AI system", Description: "The audit events about the system, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemPath) (*historyOutput, error) {
		evs, err := s.Systems.History(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
}
