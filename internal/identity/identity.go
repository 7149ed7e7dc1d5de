// Package identity holds organisations, people, their roles, sessions and
// API tokens, and decides what each actor may do.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Org is an organisation: a fully isolated management system.
type Org struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person who can sign in.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// Active is false while an invited person has not yet set a password.
	Active bool `json:"active"`
}

// Membership is a user's role in an organisation.
type Membership struct {
	OrgID   string    `json:"org_id"`
	OrgName string    `json:"org_name"`
	UserID  string    `json:"user_id"`
	Email   string    `json:"email"`
	Name    string    `json:"name"`
	Role    aims.Role `json:"role"`
	Active  bool      `json:"active"`
	Since   time.Time `json:"since"`
}

// Service manages identity records; every change is written with its audit event.
type Service struct {
	db    *db.DB
	logs  *tlog.Logs
	clock aims.Clock
	// Argon2 holds the password hashing cost; tests may lower it.
	Argon2 Argon2Params
}

// New returns the identity service for d.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, Argon2: DefaultArgon2}
}

// Object types and audit actions of this package.
const (
	ObjectOrg   = "organisation"
	ObjectUser  = "user"
	ObjectToken = "api_token"
)

// normalEmail validates an address and returns it in lower case.
func normalEmail(p *aims.Problems, field, email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		p.Add(field, "is required")
		return ""
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		p.Add(field, "is not a valid email address")
	}
	return e
}

// checkText trims a text field and checks its length in characters.
func checkText(p *aims.Problems, field, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	if required && v == "" {
		p.Add(field, "is required")
	} else if utf8.RuneCountInString(v) > max {
		p.Add(field, "must be at most %d characters", max)
	}
	return v
}

// orgKey is the form of an organisation name used to keep names unique.
func orgKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// secret returns a new random token with a prefix, and its SHA-256 for storage.
func secret(prefix string) (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashSecret(token)
}

func hashSecret(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// createOrg inserts an organisation and its audit log.
func (s *Service) createOrg(ctx context.Context, tx *db.Tx, name string) (*Org, error) {
	o := &Org{ID: aims.NewID(), Name: name, CreatedAt: s.clock()}
	_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, created_at) VALUES (?, ?, ?, ?)`,
		o.ID, o.Name, orgKey(name), o.CreatedAt)
	if db.IsUniqueViolation(err) {
		return nil, &aims.Error{Code: aims.CodeConflict, Message: "organisation exists",
			Fields: []aims.FieldError{{Field: "org", Message: "is already the name of an organisation"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot create organisation: %w", err)
	}
	if _, err := s.logs.Create(ctx, tx, o.ID, tlog.KindAudit, ""); err != nil {
		return nil, err
	}
	return o, nil
}

// orgByName finds an organisation by name, ignoring case and spacing.
func orgByName(ctx context.Context, q db.Queryer, name string) (*Org, error) {
	var o Org
	err := q.QueryRowContext(ctx, `SELECT id, name, created_at FROM organisations WHERE name_key = ?`, orgKey(name)).
		Scan(&o.ID, &o.Name, &o.CreatedAt)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("organisation", name)
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// insertUser creates a user; an empty password hash leaves the account inactive.
func (s *Service) insertUser(ctx context.Context, tx *db.Tx, email, name, passwordHash string) (*User, error) {
	u := &User{ID: aims.NewID(), Email: email, Name: name, CreatedAt: s.clock(), Active: passwordHash != ""}
	var ph any
	if passwordHash != "" {
		ph = passwordHash
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, ph, u.CreatedAt, u.CreatedAt)
	if db.IsUniqueViolation(err) {
		return nil, &aims.Error{Code: aims.CodeConflict, Message: "user exists",
			Fields: []aims.FieldError{{Field: "email", Message: "already belongs to a user"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot create user: %w", err)
	}
	return u, nil
}

func (s *Service) insertMembership(ctx context.Context, tx *db.Tx, orgID, userID string, role aims.Role) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
		orgID, userID, role, s.clock())
	if db.IsUniqueViolation(err) {
		return &aims.Error{Code: aims.CodeConflict, Message: "already a member",
			Fields: []aims.FieldError{{Field: "email", Message: "is already a member of this organisation"}}}
	}
	return err
}

type userRow struct {
	User
	passwordHash string
}

func userByEmail(ctx context.Context, q db.Queryer, email string) (*userRow, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT id, email, name, created_at, password_hash FROM users WHERE email = ?`, email))
}

func userByID(ctx context.Context, q db.Queryer, id string) (*userRow, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT id, email, name, created_at, password_hash FROM users WHERE id = ?`, id))
}

func scanUser(row interface{ Scan(...any) error }) (*userRow, error) {
	var u userRow
	var ph *string
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.CreatedAt, &ph); err != nil {
		if db.IsNoRows(err) {
			return nil, aims.NotFound("user", "")
		}
		return nil, err
	}
	if ph != nil {
		u.passwordHash = *ph
		u.Active = true
	}
	return &u, nil
}

// Memberships lists the organisations a user belongs to, oldest membership first.
func (s *Service) Memberships(ctx context.Context, userID string) ([]Membership, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.org_id, o.name, m.user_id, u.email, u.name, m.role, u.password_hash IS NOT NULL, m.created_at
		FROM memberships m JOIN organisations o ON o.id = m.org_id JOIN users u ON u.id = m.user_id
		WHERE m.user_id = ? ORDER BY m.created_at, o.name`, userID)
	if err != nil {
		return nil, err
	}
	return scanMemberships(rows)
}

func scanMemberships(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}) ([]Membership, error) {
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.OrgID, &m.OrgName, &m.UserID, &m.Email, &m.Name, &m.Role, &m.Active, &m.Since); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Org returns the actor's organisation.
func (s *Service) Org(ctx context.Context, actor *aims.Actor) (*Org, error) {
	if err := Authorize(actor, ActRead); err != nil {
		return nil, err
	}
	var o Org
	err := s.db.QueryRowContext(ctx, `SELECT id, name, created_at FROM organisations WHERE id = ?`, actor.OrgID).
		Scan(&o.ID, &o.Name, &o.CreatedAt)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("organisation", actor.OrgID)
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// ActorFor builds the actor for a signed-in user in one of their
// organisations, or fails as unauthenticated when the membership is gone.
func (s *Service) ActorFor(ctx context.Context, userID, orgID string) (*aims.Actor, error) {
	var a aims.Actor
	err := s.db.QueryRowContext(ctx, `SELECT u.id, u.email, m.org_id, m.role FROM users u
		JOIN memberships m ON m.user_id = u.id WHERE u.id = ? AND m.org_id = ? AND u.password_hash IS NOT NULL`,
		userID, orgID).Scan(&a.UserID, &a.Email, &a.OrgID, &a.Role)
	if db.IsNoRows(err) {
		return nil, aims.Errorf(aims.CodeUnauthenticated, "your session no longer gives access to this organisation")
	}
	if err != nil {
		return nil, err
	}
	a.Kind = aims.ActorUser
	return &a, nil
}
