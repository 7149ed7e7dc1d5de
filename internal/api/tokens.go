package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/danielgtaylor/huma/v2"
)

type tokensOutput struct {
	Body struct {
		Items []identity.Token `json:"items"`
	}
}

type createTokenInput struct{ Body identity.CreateTokenRequest }

type systemTokenInput struct {
	ID   string `path:"id" doc:"The system's id or reference, such as SYS-3."`
	Body identity.CreateTokenRequest
}

// NewToken is a created token with its secret, which is shown only this once.
type NewToken struct {
	identity.Token
	Secret string `json:"secret" doc:"The token to send as Authorization: Bearer; it cannot be shown again."`
}

type createTokenOutput struct{ Body NewToken }

type tokenPath struct {
	ID string `path:"id"`
}

type tokenOutput struct{ Body *identity.Token }

func registerTokens(r *registrar, s Services) {
	tags := []string{"Identity"}
	register(r, huma.Operation{
		OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/tokens", Tags: tags,
		Summary: "Your API tokens", Description: "Your tokens in this organisation, with their last use.",
	}, func(ctx context.Context, _ *struct{}) (*tokensOutput, error) {
		ts, err := s.Identity.ListTokens(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &tokensOutput{}
		out.Body.Items = ts
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/tokens", Tags: tags,
		Summary: "Create an API token", DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createTokenInput) (*createTokenOutput, error) {
		secret, t, err := s.Identity.CreateToken(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &createTokenOutput{NewToken{Token: *t, Secret: secret}}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-system-token", Method: http.MethodPost, Path: "/api/v1/systems/{id}/tokens", Tags: tags,
		Summary: "Create a token for an AI system's decisions", DefaultStatus: http.StatusCreated,
		Description: "A token of yours that may only record the decisions and outcomes of this AI system, " +
			"for the system itself to use; every other request with it is refused. Its secret is shown only in this answer.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *systemTokenInput) (*createTokenOutput, error) {
		sys, err := s.Systems.Get(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		secret, t, err := s.Identity.CreateSystemToken(ctx, actor(ctx), sys.ID, sys.Ref, in.Body)
		if err != nil {
			return nil, problem(systemInPath(err), "")
		}
		return &createTokenOutput{NewToken{Token: *t, Secret: secret}}, nil
	})
	register(r, huma.Operation{
		OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/tokens/{id}", Tags: tags,
		Summary: "Revoke an API token", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *tokenPath) (*tokenOutput, error) {
		t, err := s.Identity.RevokeToken(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &tokenOutput{t}, nil
	})
}

// systemInPath locates the fields of a refused system token: the system is
// the path's id, everything else is in the body.
func systemInPath(err error) error {
	e := aims.AsError(err)
	if len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]aims.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if f.Field == "system" {
			f.Field = "path.id"
		} else {
			f.Field = "body." + f.Field
		}
		out.Fields[i] = f
	}
	return &out
}
