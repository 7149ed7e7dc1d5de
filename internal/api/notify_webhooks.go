package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/notify"
	"github.com/danielgtaylor/huma/v2"
)

type webhookPath struct {
	Ref string `path:"ref" doc:"The webhook's reference, such as WH-1, or its id."`
}

type webhookOutput struct{ Body *notify.Webhook }

type webhookSecretOutput struct{ Body *notify.CreatedWebhook }

type webhooksOutput struct {
	Body struct {
		Items []notify.Webhook `json:"items"`
	}
}

type webhookCreateInput struct{ Body notify.WebhookRequest }

type webhookUpdateInput struct {
	Ref  string `path:"ref" doc:"The webhook's reference, such as WH-1, or its id."`
	Body notify.WebhookUpdate
}

type deliveryOutput struct{ Body *notify.Delivery }

type deliveriesInput struct {
	Ref   string `path:"ref" doc:"The webhook's reference, such as WH-1, or its id."`
	Limit int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type deliveriesOutput struct {
	Body struct {
		Items []notify.Delivery `json:"items" doc:"The latest deliveries, newest first."`
	}
}

// registerWebhooks adds the operations on the organisation's webhooks.
func registerWebhooks(r *registrar, s Services) {
	tags := []string{"Webhooks"}
	one := func(call func() (*notify.Webhook, error)) (*webhookOutput, error) {
		w, err := call()
		if err != nil {
			return nil, problem(err, "body")
		}
		return &webhookOutput{w}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: "/api/v1/webhooks", Tags: tags,
		Summary: "List webhooks", Description: "The organisation's webhooks, oldest first, without their secrets. Owners and managers only.",
	}, func(ctx context.Context, _ *struct{}) (*webhooksOutput, error) {
		ws, err := s.Notifications.ListWebhooks(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &webhooksOutput{}
		out.Body.Items = ws
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: "/api/v1/webhooks", Tags: tags,
		Summary: "Register a webhook", DefaultStatus: http.StatusCreated,
		Description: "Registers an endpoint that receives reminders as JSON, signed with HMAC-SHA256 (see docs/notifications.md). " +
			"The answer carries the signing secret: it is shown this once.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *webhookCreateInput) (*webhookSecretOutput, error) {
		w, err := s.Notifications.CreateWebhook(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &webhookSecretOutput{w}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-webhook", Method: http.MethodGet, Path: "/api/v1/webhooks/{ref}", Tags: tags,
		Summary: "Get a webhook", Description: "The webhook, without its secret.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *webhookPath) (*webhookOutput, error) {
		return one(func() (*notify.Webhook, error) { return s.Notifications.GetWebhook(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-webhook", Method: http.MethodPatch, Path: "/api/v1/webhooks/{ref}", Tags: tags,
		Summary:     "Change, enable or disable a webhook",
		Description: "Changes the fields given. `version` must be the webhook's version as you read it; if it changed since, the answer is 409 and nothing is changed.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *webhookUpdateInput) (*webhookOutput, error) {
		return one(func() (*notify.Webhook, error) {
			return s.Notifications.UpdateWebhook(ctx, actor(ctx), in.Ref, in.Body)
		})
	})
	register(r, huma.Operation{
		OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/api/v1/webhooks/{ref}", Tags: tags,
		Summary: "Delete a webhook", DefaultStatus: http.StatusNoContent,
		Description: "Removes the webhook and its deliveries; the audit log keeps what it was.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *webhookPath) (*struct{}, error) {
		if err := s.Notifications.DeleteWebhook(ctx, actor(ctx), in.Ref); err != nil {
			return nil, problem(err, "path")
		}
		return nil, nil
	})
	register(r, huma.Operation{
		OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/api/v1/webhooks/{ref}/rotate", Tags: tags,
		Summary:     "Rotate a webhook's secret",
		Description: "Makes a new signing secret, shown this once; the old one stops signing at once.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *webhookPath) (*webhookSecretOutput, error) {
		w, err := s.Notifications.RotateSecret(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &webhookSecretOutput{w}, nil
	})
	register(r, huma.Operation{
		OperationID: "test-webhook", Method: http.MethodPost, Path: "/api/v1/webhooks/{ref}/test", Tags: tags,
		Summary:     "Send a test event",
		Description: "Posts a signed ping event to the webhook now and answers the recorded delivery, with the endpoint's status; a failure is retried like any delivery.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *webhookPath) (*deliveryOutput, error) {
		d, err := s.Notifications.TestWebhook(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &deliveryOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/api/v1/webhooks/{ref}/deliveries", Tags: tags,
		Summary: "List a webhook's deliveries", Description: "The latest deliveries with their status, attempts and the endpoint's last answer.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *deliveriesInput) (*deliveriesOutput, error) {
		ds, err := s.Notifications.Deliveries(ctx, actor(ctx), in.Ref, in.Limit)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &deliveriesOutput{}
		out.Body.Items = ds
		return out, nil
	})
}
