package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/notify"
	"github.com/danielgtaylor/huma/v2"
)

type inboxInput struct{ notify.InboxQuery }

type inboxOutput struct{ Body *notify.Inbox }

type notificationPath struct {
	ID string `path:"id" doc:"The notification's id."`
}

type notificationOutput struct{ Body *notify.Notification }

type readAllOutput struct {
	Body struct {
		Marked int `json:"marked" doc:"How many notifications were marked read."`
	}
}

type preferencesOutput struct{ Body *notify.Preferences }

type preferencesInput struct{ Body notify.PreferencesRequest }

// registerNotifications adds the notification centre and webhook operations.
func registerNotifications(r *registrar, s Services) {
	registerInbox(r, s)
	registerWebhooks(r, s)
}

// registerInbox adds the operations on the person's own notifications.
func registerInbox(r *registrar, s Services) {
	tags := []string{"Notifications"}
	register(r, huma.Operation{
		OperationID: "list-notifications", Method: http.MethodGet, Path: "/api/v1/notifications", Tags: tags,
		Summary:     "List your notifications",
		Description: "The reminders told to you in this organisation: unread first, then by due date. `unread` is how many of yours are unread.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *inboxInput) (*inboxOutput, error) {
		page, err := s.Notifications.List(ctx, actor(ctx), in.InboxQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &inboxOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "read-notification", Method: http.MethodPost, Path: "/api/v1/notifications/{id}/read", Tags: tags,
		Summary:     "Mark a notification read",
		Description: "Marks one of your notifications read. It is your own inbox state and writes no audit event.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *notificationPath) (*notificationOutput, error) {
		n, err := s.Notifications.MarkRead(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &notificationOutput{n}, nil
	})
	register(r, huma.Operation{
		OperationID: "read-all-notifications", Method: http.MethodPost, Path: "/api/v1/notifications/read-all", Tags: tags,
		Summary: "Mark all your notifications read", Description: "Marks every unread notification of yours read.",
	}, func(ctx context.Context, _ *struct{}) (*readAllOutput, error) {
		n, err := s.Notifications.MarkAllRead(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &readAllOutput{}
		out.Body.Marked = n
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-notification-preferences", Method: http.MethodGet, Path: "/api/v1/notifications/preferences", Tags: tags,
		Summary: "Get your notification settings", Description: "Whether new notifications are also sent to you by e-mail.",
	}, func(ctx context.Context, _ *struct{}) (*preferencesOutput, error) {
		p, err := s.Notifications.GetPreferences(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &preferencesOutput{p}, nil
	})
	register(r, huma.Operation{
		OperationID: "set-notification-preferences", Method: http.MethodPut, Path: "/api/v1/notifications/preferences", Tags: tags,
		Summary:     "Change your notification settings",
		Description: "Turns e-mail on or off for you. `version` must be the settings' version as you read them (0 before the first change). The change is an audit event.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *preferencesInput) (*preferencesOutput, error) {
		p, err := s.Notifications.SetPreferences(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &preferencesOutput{p}, nil
	})
}
