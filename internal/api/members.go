package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/identity"
	"github.com/danielgtaylor/huma/v2"
)

type membersOutput struct {
	Body struct {
		Items []identity.Membership `json:"items"`
	}
}

type addMemberInput struct{ Body identity.AddMemberRequest }

// AddedMember is a new member and, for a person new to aims, the invitation
// token to hand over; it is shown only this once.
type AddedMember struct {
	identity.Membership
	InvitationPath string `json:"invitation_path,omitempty" doc:"Path of the page where the person sets their password."`
}

type addMemberOutput struct{ Body AddedMember }

type memberPath struct {
	UserID string `path:"user_id"`
}

type changeRoleInput struct {
	UserID string `path:"user_id"`
	Body   identity.ChangeRoleRequest
}

type memberOutput struct{ Body *identity.Membership }

func registerMembers(r *registrar, s Services) {
	tags := []string{"Identity"}
	register(r, huma.Operation{
		OperationID: "list-members", Method: http.MethodGet, Path: "/api/v1/members", Tags: tags,
		Summary: "Members of the organisation",
	}, func(ctx context.Context, _ *struct{}) (*membersOutput, error) {
		ms, err := s.Identity.ListMembers(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &membersOutput{}
		out.Body.Items = ms
		if out.Body.Items == nil {
			out.Body.Items = []identity.Membership{}
		}
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "add-member", Method: http.MethodPost, Path: "/api/v1/members", Tags: tags,
		Summary: "Add a member", DefaultStatus: http.StatusCreated,
		Description: "Gives a person a role. A person new to aims gets an invitation link to set their password.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *addMemberInput) (*addMemberOutput, error) {
		m, inv, err := s.Identity.AddMember(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		out := &addMemberOutput{AddedMember{Membership: *m}}
		if inv != "" {
			out.Body.InvitationPath = "/invite/" + inv
		}
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "change-member-role", Method: http.MethodPatch, Path: "/api/v1/members/{user_id}", Tags: tags,
		Summary: "Change a member's role", Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *changeRoleInput) (*memberOutput, error) {
		m, err := s.Identity.ChangeRole(ctx, actor(ctx), in.UserID, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &memberOutput{m}, nil
	})
	register(r, huma.Operation{
		OperationID: "remove-member", Method: http.MethodDelete, Path: "/api/v1/members/{user_id}", Tags: tags,
		Summary: "Remove a member", Description: "Ends the membership and revokes the person's tokens in this organisation.",
		Errors: []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *memberPath) (*struct{}, error) {
		if err := s.Identity.RemoveMember(ctx, actor(ctx), in.UserID); err != nil {
			return nil, problem(err, "path")
		}
		return nil, nil
	})
}
