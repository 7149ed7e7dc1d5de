package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/danielgtaylor/huma/v2"
)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Me describes the caller.
type Me struct {
	UserID       string                `json:"user_id"`
	Email        string                `json:"email"`
	Organisation identity.Org          `json:"organisation"`
	Role         aims.Role             `json:"role"`
	Via          aims.ActorKind        `json:"via" doc:"user for a browser session, token for an API token"`
	Memberships  []identity.Membership `json:"memberships"`
}

type meOutput struct{ Body Me }

func registerMe(r *registrar, s Services) {
	register(r, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me", Tags: []string{"Identity"},
		Summary: "Who am I", Description: "The caller's user, organisation, role and memberships.",
	}, func(ctx context.Context, _ *struct{}) (*meOutput, error) {
		a := actor(ctx)
		org, err := s.Identity.Org(ctx, a)
		if err != nil {
			return nil, problem(err, "")
		}
		ms, err := s.Identity.Memberships(ctx, a.UserID)
		if err != nil {
			return nil, problem(err, "")
		}
		return &meOutput{Me{UserID: a.UserID, Email: a.Email, Organisation: *org, Role: a.Role, Via: a.Kind, Memberships: ms}}, nil
	})
}
