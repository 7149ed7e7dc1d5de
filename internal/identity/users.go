package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// SetupRequest creates the first organisation and its owner.
type SetupRequest struct {
	Organisation string `json:"organisation"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Password     string `json:"password"`
}

// NeedsSetup reports whether aims has no users yet, so that the one-time
// setup page must be shown.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM installation`).Scan(&n); err != nil {
		return false, err
	}
	return n == 0, nil
}

// Setup creates the first organisation and its owner. It works once: after
// any user exists it answers a conflict.
func (s *Service) Setup(ctx context.Context, req SetupRequest) (*User, *Org, error) {
	var p aims.Problems
	orgName := checkText(&p, "organisation", req.Organisation, true, 200)
	email := normalEmail(&p, "email", req.Email)
	name := checkText(&p, "name", req.Name, true, 200)
	checkPassword(&p, "password", req.Password, email)
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	hash := hashPassword(req.Password, s.Argon2)
	var user *User
	var org *Org
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO installation (id, setup_at) VALUES (1, ?)`, s.clock()); err != nil {
			if db.IsUniqueViolation(err) {
				return aims.Errorf(aims.CodeConflict, "aims is already set up")
			}
			return err
		}
		var err error
		if org, err = s.createOrg(ctx, tx, orgName); err != nil {
			return err
		}
		if user, err = s.insertUser(ctx, tx, email, name, hash); err != nil {
			return err
		}
		if err := s.insertMembership(ctx, tx, org.ID, user.ID, aims.RoleOwner); err != nil {
			return err
		}
		actor := &aims.Actor{Kind: aims.ActorUser, UserID: user.ID, Email: user.Email, OrgID: org.ID, Role: aims.RoleOwner}
		return s.logs.Record(ctx, tx, org.ID, actor, "installation.setup",
			tlog.EventObject{Type: ObjectOrg, ID: org.ID, Ref: org.Name},
			changes(nil, map[string]any{"organisation": org.Name, "owner_email": user.Email, "owner_name": user.Name}))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot set up aims: %w", err)
	}
	return user, org, nil
}

// changes is tlog.Changes for values that always encode.
func changes(before, after any, skip ...string) []tlog.Change {
	c, err := tlog.Changes(before, after, skip...)
	if err != nil {
		panic(err) // only maps and structs of plain values are passed
	}
	return c
}

// CreateUserRequest is what the administrative `aims user create` asks for.
type CreateUserRequest struct {
	Org      string
	Email    string
	Name     string
	Role     aims.Role
	Password string
}

// CreateUserResult tells what CreateUser made.
type CreateUserResult struct {
	Org        *Org
	User       *User
	OrgCreated bool
}

// CreateUser is the administrative way in: it creates the organisation if it
// does not exist, the user if they do not exist (a password is then
// required), and gives them the role. The actor is a system actor.
func (s *Service) CreateUser(ctx context.Context, actor *aims.Actor, req CreateUserRequest) (*CreateUserResult, error) {
	if actor == nil || actor.Kind != aims.ActorSystem {
		return nil, aims.Forbidden("creating users from the command line")
	}
	var p aims.Problems
	orgName := checkText(&p, "org", req.Org, true, 200)
	email := normalEmail(&p, "email", req.Email)
	name := checkText(&p, "name", req.Name, false, 200)
	if !req.Role.Valid() {
		p.Add("role", "must be one of owner, manager, contributor, auditor, viewer")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	res := &CreateUserResult{}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO installation (id, setup_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, s.clock()); err != nil {
			return err
		}
		org, err := orgByName(ctx, tx, orgName)
		if aims.CodeOf(err) == aims.CodeNotFound {
			if org, err = s.createOrg(ctx, tx, orgName); err != nil {
				return err
			}
			res.OrgCreated = true
			if err := s.logs.Record(ctx, tx, org.ID, actor, "organisation.create",
				tlog.EventObject{Type: ObjectOrg, ID: org.ID, Ref: org.Name},
				changes(nil, map[string]any{"name": org.Name})); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		res.Org = org
		u, err := userByEmail(ctx, tx, email)
		switch {
		case aims.CodeOf(err) == aims.CodeNotFound:
			var p aims.Problems
			checkPassword(&p, "password", req.Password, email)
			if err := p.Err(); err != nil {
				return err
			}
			if res.User, err = s.insertUser(ctx, tx, email, name, hashPassword(req.Password, s.Argon2)); err != nil {
				return err
			}
			if err := s.logs.Record(ctx, tx, org.ID, actor, "user.create",
				tlog.EventObject{Type: ObjectUser, ID: res.User.ID, Ref: email},
				changes(nil, map[string]any{"email": email, "name": name})); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if req.Password != "" {
				return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{
					Field: "password", Message: "is not used: the user exists (use `aims user password` to change it)"}}}
			}
			res.User = &u.User
		}
		if err := s.insertMembership(ctx, tx, org.ID, res.User.ID, req.Role); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, org.ID, actor, "member.add",
			tlog.EventObject{Type: ObjectUser, ID: res.User.ID, Ref: email},
			changes(nil, map[string]any{"role": req.Role}))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot create user %s: %w", email, err)
	}
	return res, nil
}

// SetPassword replaces a user's password; it is the administrative recovery
// path and ends none of the user's API tokens.
func (s *Service) SetPassword(ctx context.Context, actor *aims.Actor, email, password string) error {
	if actor == nil || actor.Kind != aims.ActorSystem {
		return aims.Forbidden("setting passwords from the command line")
	}
	var p aims.Problems
	email = normalEmail(&p, "email", email)
	checkPassword(&p, "password", password, email)
	if err := p.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		u, err := userByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		return s.storePassword(ctx, tx, actor, &u.User, password)
	})
}

// ChangePassword lets a signed-in person replace their own password.
func (s *Service) ChangePassword(ctx context.Context, actor *aims.Actor, current, password string) error {
	if err := Authorize(actor, ActPasswordOwn); err != nil {
		return err
	}
	if actor.UserID == "" {
		return aims.Forbidden("changing a password without a user")
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		u, err := userByID(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		var p aims.Problems
		if ok, _ := verifyPassword(current, u.passwordHash); !ok {
			p.Add("current_password", "is not your current password")
		}
		checkPassword(&p, "new_password", password, u.Email)
		if err := p.Err(); err != nil {
			return err
		}
		return s.storePassword(ctx, tx, actor, &u.User, password)
	})
}

// storePassword writes a new hash and records the change (never the value)
// in every organisation the user belongs to.
func (s *Service) storePassword(ctx context.Context, tx *db.Tx, actor *aims.Actor, u *User, password string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`,
		hashPassword(password, s.Argon2), s.clock(), u.ID); err != nil {
		return err
	}
	// A pending invitation must not later replace the password set here.
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, s.clock(), u.ID); err != nil {
		return err
	}
	return s.recordInUserOrgs(ctx, tx, u.ID, actor, "user.password_change",
		tlog.EventObject{Type: ObjectUser, ID: u.ID, Ref: u.Email}, nil)
}

// recordInUserOrgs records an event about a user in each organisation they
// belong to, since each of those organisations is affected by it.
func (s *Service) recordInUserOrgs(ctx context.Context, tx *db.Tx, userID string, actor *aims.Actor, action string, obj tlog.EventObject, ch []tlog.Change) error {
	rows, err := tx.QueryContext(ctx, `SELECT org_id FROM memberships WHERE user_id = ? ORDER BY org_id`, userID)
	if err != nil {
		return err
	}
	var orgs []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			rows.Close()
			return err
		}
		orgs = append(orgs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range orgs {
		if err := s.logs.Record(ctx, tx, o, actor, action, obj, ch); err != nil {
			return err
		}
	}
	return nil
}
