package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// InvitationLifetime is how long an invitation link can be used.
const InvitationLifetime = 7 * 24 * time.Hour

// ListMembers lists the people of the actor's organisation by name.
func (s *Service) ListMembers(ctx context.Context, actor *aims.Actor) ([]Membership, error) {
	if err := Authorize(actor, ActRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT m.org_id, o.name, m.user_id, u.email, u.name, m.role, u.password_hash IS NOT NULL, m.created_at
		FROM memberships m JOIN organisations o ON o.id = m.org_id JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? ORDER BY u.name, u.email`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	return scanMemberships(rows)
}

// Member returns one member of the actor's organisation.
func (s *Service) Member(ctx context.Context, actor *aims.Actor, userID string) (*Membership, error) {
	ms, err := s.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.UserID == userID {
			return &m, nil
		}
	}
	return nil, aims.NotFound("member", userID)
}

// AddMemberRequest adds a person to the organisation with a role.
type AddMemberRequest struct {
	Email string    `json:"email" maxLength:"254"`
	Name  string    `json:"name,omitempty" maxLength:"200"`
	Role  aims.Role `json:"role" enum:"owner,manager,contributor,auditor,viewer"`
}

// AddMember gives a person a role in the actor's organisation. A person
// without an account gets one with no password and an invitation token, to
// be handed over as a link; it is returned once and stored only as a hash.
func (s *Service) AddMember(ctx context.Context, actor *aims.Actor, req AddMemberRequest) (*Membership, string, error) {
	if err := Authorize(actor, ActMemberManage); err != nil {
		return nil, "", err
	}
	var p aims.Problems
	email := normalEmail(&p, "email", req.Email)
	name := checkText(&p, "name", req.Name, false, 200)
	if !req.Role.Valid() {
		p.Add("role", "must be one of owner, manager, contributor, auditor, viewer")
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	var invitation string
	var userID string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		u, err := userByEmail(ctx, tx, email)
		switch {
		case aims.CodeOf(err) == aims.CodeNotFound:
			if name == "" {
				return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
					Fields: []aims.FieldError{{Field: "name", Message: "is required for a person new to aims"}}}
			}
			nu, err := s.insertUser(ctx, tx, email, name, "")
			if err != nil {
				return err
			}
			userID = nu.ID
		case err != nil:
			return err
		default:
			userID = u.ID
		}
		// Whoever has not yet set a password needs a link to do so.
		if u == nil || !u.Active {
			if invitation, err = s.invite(ctx, tx, actor, userID); err != nil {
				return err
			}
		}
		if err := s.insertMembership(ctx, tx, actor.OrgID, userID, req.Role); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "member.add",
			tlog.EventObject{Type: ObjectUser, ID: userID, Ref: email},
			changes(nil, map[string]any{"role": req.Role, "invited": invitation != ""}))
	})
	if err != nil {
		return nil, "", fmt.Errorf("cannot add member %s: %w", email, err)
	}
	m, err := s.Member(ctx, actor, userID)
	return m, invitation, err
}

// invite stores a new invitation for a user to set their password and
// returns its token.
func (s *Service) invite(ctx context.Context, tx *db.Tx, actor *aims.Actor, userID string) (string, error) {
	token, hash := secret("inv_")
	now := s.clock()
	_, err := tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, org_id, user_id, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hash, actor.OrgID, userID, actor.UserID, now, now.Add(InvitationLifetime))
	return token, err
}

// ChangeRoleRequest gives a member a new role.
type ChangeRoleRequest struct {
	Role aims.Role `json:"role" enum:"owner,manager,contributor,auditor,viewer"`
}

// ChangeRole gives a member of the actor's organisation a new role. The last
// owner cannot be demoted.
func (s *Service) ChangeRole(ctx context.Context, actor *aims.Actor, userID string, req ChangeRoleRequest) (*Membership, error) {
	if err := Authorize(actor, ActMemberManage); err != nil {
		return nil, err
	}
	if !req.Role.Valid() {
		return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
			Fields: []aims.FieldError{{Field: "role", Message: "must be one of owner, manager, contributor, auditor, viewer"}}}
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		old, email, err := s.lockMember(ctx, tx, actor.OrgID, userID)
		if err != nil || old == req.Role {
			return err
		}
		if old == aims.RoleOwner {
			if err := s.keepAnOwner(ctx, tx, actor.OrgID, userID, "role"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?`,
			req.Role, actor.OrgID, userID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "member.role_change",
			tlog.EventObject{Type: ObjectUser, ID: userID, Ref: email},
			changes(map[string]any{"role": old}, map[string]any{"role": req.Role}))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change role: %w", err)
	}
	return s.Member(ctx, actor, userID)
}

// RemoveMember ends a person's membership; their sessions and tokens stop
// working in this organisation at once.
func (s *Service) RemoveMember(ctx context.Context, actor *aims.Actor, userID string) error {
	if err := Authorize(actor, ActMemberManage); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		old, email, err := s.lockMember(ctx, tx, actor.OrgID, userID)
		if err != nil {
			return err
		}
		if old == aims.RoleOwner {
			if err := s.keepAnOwner(ctx, tx, actor.OrgID, userID, "user_id"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, actor.OrgID, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL`,
			s.clock(), actor.OrgID, userID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "member.remove",
			tlog.EventObject{Type: ObjectUser, ID: userID, Ref: email},
			changes(map[string]any{"role": old}, map[string]any{"role": nil}))
	})
	if err != nil {
		return fmt.Errorf("cannot remove member: %w", err)
	}
	return nil
}

// lockMember reads a membership for update; the no-op update takes the row
// lock in both dialects.
func (s *Service) lockMember(ctx context.Context, tx *db.Tx, orgID, userID string) (aims.Role, string, error) {
	var role aims.Role
	if err := tx.QueryRowContext(ctx, `UPDATE memberships SET role = role WHERE org_id = ? AND user_id = ? RETURNING role`,
		orgID, userID).Scan(&role); err != nil {
		if db.IsNoRows(err) {
			return "", "", aims.NotFound("member", userID)
		}
		return "", "", err
	}
	var email string
	if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&email); err != nil {
		return "", "", err
	}
	return role, email, nil
}

// keepAnOwner refuses a change to userID's owner role that would leave the
// organisation without an active owner: only the departure of its last
// active owner does. Owner rows are locked so that two demotions cannot race.
func (s *Service) keepAnOwner(ctx context.Context, tx *db.Tx, orgID, userID, field string) error {
	rows, err := tx.QueryContext(ctx, `UPDATE memberships SET role = role WHERE org_id = ? AND role = 'owner'
		AND user_id IN (SELECT id FROM users WHERE password_hash IS NOT NULL) RETURNING user_id`, orgID)
	if err != nil {
		return err
	}
	n, active := 0, false
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		n++
		active = active || id == userID
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if active && n <= 1 {
		return &aims.Error{Code: aims.CodeConflict, Message: "the organisation needs an owner",
			Fields: []aims.FieldError{{Field: field, Message: "would leave the organisation without an active owner"}}}
	}
	return nil
}

// Invitation describes a pending invitation for the page that accepts it.
type Invitation struct {
	OrgID     string
	OrgName   string
	Email     string
	Name      string
	ExpiresAt time.Time
}

// LookupInvitation returns a usable invitation, or not found. An invitation
// stops working when the person's membership ends.
func (s *Service) LookupInvitation(ctx context.Context, token string) (*Invitation, error) {
	var inv Invitation
	err := s.db.QueryRowContext(ctx, `SELECT o.id, o.name, u.email, u.name, i.expires_at FROM invitations i
		JOIN organisations o ON o.id = i.org_id JOIN users u ON u.id = i.user_id
		JOIN memberships m ON m.org_id = i.org_id AND m.user_id = i.user_id
		WHERE i.token_hash = ? AND i.used_at IS NULL AND i.expires_at > ?`, hashSecret(token), s.clock()).
		Scan(&inv.OrgID, &inv.OrgName, &inv.Email, &inv.Name, &inv.ExpiresAt)
	if db.IsNoRows(err) {
		return nil, aims.Errorf(aims.CodeNotFound, "this invitation is unknown, used or expired")
	}
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// AcceptInvitationRequest sets the invited person's name and password.
type AcceptInvitationRequest struct {
	Token    string `json:"token"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// AcceptInvitation activates an invited account; the invitation then stops
// working. The invited person must still be a member of the organisation.
func (s *Service) AcceptInvitation(ctx context.Context, req AcceptInvitationRequest) (*User, error) {
	var user *User
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		var orgID, userID string
		err := tx.QueryRowContext(ctx, `UPDATE invitations SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? AND EXISTS (SELECT 1 FROM memberships m
				WHERE m.org_id = invitations.org_id AND m.user_id = invitations.user_id) RETURNING org_id, user_id`,
			s.clock(), hashSecret(req.Token), s.clock()).Scan(&orgID, &userID)
		if db.IsNoRows(err) {
			return aims.Errorf(aims.CodeNotFound, "this invitation is unknown, used or expired")
		}
		if err != nil {
			return err
		}
		u, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		var p aims.Problems
		name := checkText(&p, "name", req.Name, true, 200)
		checkPassword(&p, "password", req.Password, u.Email)
		if err := p.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, password_hash = ?, updated_at = ? WHERE id = ?`,
			name, hashPassword(req.Password, s.Argon2), s.clock(), userID); err != nil {
			return err
		}
		u.Name, u.Active = name, true
		user = &u.User
		actor := &aims.Actor{Kind: aims.ActorUser, UserID: u.ID, Email: u.Email, OrgID: orgID}
		return s.logs.Record(ctx, tx, orgID, actor, "member.join",
			tlog.EventObject{Type: ObjectUser, ID: u.ID, Ref: u.Email},
			changes(map[string]any{"active": false}, map[string]any{"active": true, "name": name}))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot accept invitation: %w", err)
	}
	return user, nil
}
