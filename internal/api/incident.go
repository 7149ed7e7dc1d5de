package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/incident"
	"github.com/danielgtaylor/huma/v2"
)

type incidentPath struct {
	Ref string `path:"ref" doc:"The incident's reference, such as INC-3, or its id."`
}

type incidentOutput struct{ Body *incident.Incident }

type incidentListInput struct{ incident.Query }

type incidentListOutput struct{ Body *incident.Page }

type incidentCreateInput struct{ Body incident.Request }

type incidentUpdateInput struct {
	Ref  string `path:"ref" doc:"The incident's reference, such as INC-3, or its id."`
	Body incident.UpdateRequest
}

type incidentStatusInput struct {
	Ref  string `path:"ref" doc:"The incident's reference, such as INC-3, or its id."`
	Body incident.StatusRequest
}

type incidentRaiseInput struct {
	Ref  string `path:"ref" doc:"The incident's reference, such as INC-3, or its id."`
	Body incident.RaiseRequest
}

type noticeInput struct {
	Ref  string `path:"ref" doc:"The incident's reference, such as INC-3, or its id."`
	Body incident.NotificationRequest
}

type noticeNotifiedInput struct {
	Ref    string `path:"ref" doc:"The incident's reference, such as INC-3, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The duty's number within the incident."`
	Body   incident.NotifiedRequest
}

type noticeOutput struct{ Body *incident.Notification }

// registerIncidents adds the incident operations.
func registerIncidents(r *registrar, s Services) {
	tags := []string{"Incidents"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	one := func(location string, call func() (*incident.Incident, error)) (*incidentOutput, error) {
		in, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &incidentOutput{in}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-incidents", Method: http.MethodGet, Path: "/api/v1/incidents", Tags: tags,
		Summary: "List incidents", Description: "The organisation's incidents, most recent awareness first, each with its notification duties and their countdowns.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *incidentListInput) (*incidentListOutput, error) {
		page, err := s.Incidents.List(ctx, actor(ctx), in.Query)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &incidentListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-incident", Method: http.MethodPost, Path: "/api/v1/incidents", Tags: tags,
		Summary: "Record an incident", DefaultStatus: http.StatusCreated,
		Description: "Records an incident concerning AI systems (A.8.4). A serious incident under the EU AI Act gets its Art. 73 duty to notify " +
			"the market surveillance authority at once, due 10 days (death), 2 days (widespread infringement, critical infrastructure) or 15 days after awareness.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *incidentCreateInput) (*incidentOutput, error) {
		return one("body", func() (*incident.Incident, error) { return s.Incidents.Create(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-incident", Method: http.MethodGet, Path: "/api/v1/incidents/{ref}", Tags: tags,
		Summary: "Get an incident", Description: "The incident with its notification duties, deadlines and countdowns.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *incidentPath) (*incidentOutput, error) {
		return one("path", func() (*incident.Incident, error) { return s.Incidents.Get(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-incident", Method: http.MethodPut, Path: "/api/v1/incidents/{ref}", Tags: tags,
		Summary:     "Change an incident",
		Description: "Replaces the incident's fields. `version` must be the version as you read it. Computed deadlines not yet met follow a new awareness time or category.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *incidentUpdateInput) (*incidentOutput, error) {
		return one("body", func() (*incident.Incident, error) { return s.Incidents.Update(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "set-incident-status", Method: http.MethodPost, Path: "/api/v1/incidents/{ref}/status", Tags: tags,
		Summary:     "Move an incident forward",
		Description: "Moves it to contained, resolved or closed. Closing is for owners and managers and needs the lessons learnt and every notification made.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *incidentStatusInput) (*incidentOutput, error) {
		return one("body", func() (*incident.Incident, error) { return s.Incidents.SetStatus(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "raise-incident-nonconformity", Method: http.MethodPost, Path: "/api/v1/incidents/{ref}/nonconformity", Tags: tags,
		Summary:     "Raise a nonconformity from an incident",
		Description: "Raises a nonconformity with source incident and the incident's reference, stored together with the incident's link to it.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *incidentRaiseInput) (*incidentOutput, error) {
		return one("body", func() (*incident.Incident, error) {
			return s.Incidents.RaiseNonconformity(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "create-incident-notification", Method: http.MethodPost, Path: "/api/v1/incidents/{ref}/notifications", Tags: tags,
		Summary: "Add a notification duty", DefaultStatus: http.StatusCreated,
		Description: "Adds someone who must be told. The deadline is computed for the market surveillance authority of a serious incident (Art. 73) " +
			"and for the data protection authority (GDPR Art. 33, 72 hours); otherwise give due_at.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *noticeInput) (*noticeOutput, error) {
		n, err := s.Incidents.AddNotification(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &noticeOutput{n}, nil
	})
	register(r, huma.Operation{
		OperationID: "record-incident-notified", Method: http.MethodPost, Path: "/api/v1/incidents/{ref}/notifications/{number}/notified", Tags: tags,
		Summary: "Record a notification as made", Description: "Records when (now when left out) and how the duty was done, with the recipient's reference.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *noticeNotifiedInput) (*noticeOutput, error) {
		n, err := s.Incidents.RecordNotified(ctx, actor(ctx), in.Ref, in.Number, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &noticeOutput{n}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-incident-history", Method: http.MethodGet, Path: "/api/v1/incidents/{ref}/history", Tags: tags,
		Summary: "Change history of an incident", Description: "The audit events about it and its notification duties, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *incidentPath) (*historyOutput, error) {
		evs, err := s.Incidents.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
}
