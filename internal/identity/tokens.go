package identity

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// TokenPrefix starts every API token, so that leaked tokens are easy to find.
const TokenPrefix = "aims_"

// Token is an API token as listed; its secret is shown only once, at creation.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	UserID     string     `json:"user_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// SystemID is the one AI system a system token may write decisions for; empty for an ordinary token.
	SystemID string `json:"system_id,omitempty" doc:"The AI system whose decisions alone the token may write; absent for an ordinary token."`
}

// Active reports whether the token can still be used at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || t.ExpiresAt.After(now))
}

// CreateTokenRequest names a new API token and says when it expires.
type CreateTokenRequest struct {
	Name string `json:"name" maxLength:"100" doc:"What the token is for, such as 'CI pipeline'."`
	// Expires is a lifetime such as 90d, 12h or never; empty means 90d.
	Expires string `json:"expires,omitempty" doc:"Lifetime such as 90d, 12h or never; 90d when empty."`
}

// DefaultTokenLifetime applies when a request names no expiry.
const DefaultTokenLifetime = 90 * 24 * time.Hour

// ParseLifetime reads a lifetime such as 90d, 36h, 30m or never (0).
func ParseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "":
		return DefaultTokenLifetime, nil
	case "never", "0":
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 || n > 3650 {
			return 0, fmt.Errorf("want a number of days between 1 and 3650")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur < time.Minute {
		return 0, fmt.Errorf("want a lifetime such as 90d, 12h or never")
	}
	return dur, nil
}

// CreateToken makes an API token for the actor's own user in the actor's
// organisation and returns its secret, which is never shown again.
func (s *Service) CreateToken(ctx context.Context, actor *aims.Actor, req CreateTokenRequest) (string, *Token, error) {
	if err := Authorize(actor, ActTokenOwn); err != nil {
		return "", nil, err
	}
	if actor.UserID == "" {
		return "", nil, aims.Forbidden("creating a token without a user")
	}
	return s.createToken(ctx, actor, actor.OrgID, actor.UserID, req, nil)
}

// CreateTokenFor is the administrative `aims token create`: it makes a token
// for the user with the given email, in the named organisation or, when org
// is empty, in their only one.
func (s *Service) CreateTokenFor(ctx context.Context, actor *aims.Actor, email, org string, req CreateTokenRequest) (string, *Token, error) {
	m, err := s.tokenOwner(ctx, actor, email, org)
	if err != nil {
		return "", nil, err
	}
	return s.createToken(ctx, actor, m.OrgID, m.UserID, req, nil)
}

// tokenOwner finds, for an administrative command, the membership that a
// token made for the user with the given email will act in.
func (s *Service) tokenOwner(ctx context.Context, actor *aims.Actor, email, org string) (*Membership, error) {
	if actor == nil || actor.Kind != aims.ActorSystem {
		return nil, aims.Forbidden("creating tokens for others")
	}
	var p aims.Problems
	email = normalEmail(&p, "email", email)
	if err := p.Err(); err != nil {
		return nil, err
	}
	u, err := userByEmail(ctx, s.db, email)
	if err != nil {
		return nil, fmt.Errorf("no user has the email %s: %w", email, err)
	}
	ms, err := s.Memberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var found *Membership
	for i, m := range ms {
		if org == "" && len(ms) == 1 || org != "" && orgKey(m.OrgName) == orgKey(org) {
			found = &ms[i]
		}
	}
	if found == nil {
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = m.OrgName
		}
		return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{
			Field: "org", Message: fmt.Sprintf("must name one of the user's organisations: %s", strings.Join(names, ", "))}}}
	}
	return found, nil
}

// createToken inserts a token for a user in an organisation with its audit
// event; scope, when not nil, confines it to one AI system's decisions.
func (s *Service) createToken(ctx context.Context, actor *aims.Actor, orgID, userID string, req CreateTokenRequest, scope *tokenScope) (string, *Token, error) {
	var p aims.Problems
	if scope != nil && scope.id == "" {
		p.Add("system", "is required")
	}
	name := checkText(&p, "name", req.Name, true, 100)
	life, err := ParseLifetime(req.Expires)
	if err != nil {
		p.Add("expires", "%v", err)
	}
	if err := p.Err(); err != nil {
		return "", nil, err
	}
	raw, hash := secret(TokenPrefix)
	t := &Token{ID: aims.NewID(), Name: name, UserID: userID, CreatedAt: s.clock()}
	if life > 0 {
		exp := t.CreatedAt.Add(life)
		t.ExpiresAt = &exp
	}
	after := map[string]any{"name": t.Name, "user_id": userID, "expires_at": t.ExpiresAt}
	var systemID *string
	if scope != nil {
		t.SystemID = scope.id
		systemID = &scope.id
		after["system_id"] = scope.id
		after["system"] = scope.ref
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if scope != nil {
			if err := scope.check(ctx, tx, orgID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, org_id, user_id, name, token_hash, created_at, expires_at, system_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, orgID, userID, t.Name, hash, t.CreatedAt, t.ExpiresAt, systemID); err != nil {
			return err
		}
		a := *actor
		a.OrgID = orgID
		return s.logs.Record(ctx, tx, orgID, &a, "api_token.create",
			tlog.EventObject{Type: ObjectToken, ID: t.ID, Ref: t.Name}, changes(nil, after))
	})
	if err != nil {
		return "", nil, fmt.Errorf("cannot create token: %w", err)
	}
	return raw, t, nil
}

const tokenColumns = `id, name, user_id, created_at, expires_at, last_used_at, revoked_at, system_id`

func scanToken(scan func(...any) error) (*Token, error) {
	var t Token
	var systemID *string
	if err := scan(&t.ID, &t.Name, &t.UserID, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt, &systemID); err != nil {
		return nil, err
	}
	if systemID != nil {
		t.SystemID = *systemID
	}
	return &t, nil
}

// ListTokens lists the actor's own tokens in the organisation, newest first.
func (s *Service) ListTokens(ctx context.Context, actor *aims.Actor) ([]Token, error) {
	if err := Authorize(actor, ActTokenOwn); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE org_id = ? AND user_id = ? ORDER BY created_at DESC, id DESC`, actor.OrgID, actor.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// RevokeToken ends one of the actor's own tokens. Revoking twice is harmless.
func (s *Service) RevokeToken(ctx context.Context, actor *aims.Actor, id string) (*Token, error) {
	if err := Authorize(actor, ActTokenOwn); err != nil {
		return nil, err
	}
	var t *Token
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens
			WHERE id = ? AND org_id = ? AND user_id = ?`, id, actor.OrgID, actor.UserID).Scan)
		if db.IsNoRows(err) {
			return aims.NotFound("token", id)
		}
		if err != nil || t.RevokedAt != nil {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		t.RevokedAt = &now
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "api_token.revoke",
			tlog.EventObject{Type: ObjectToken, ID: t.ID, Ref: t.Name},
			changes(map[string]any{"revoked_at": nil}, map[string]any{"revoked_at": now}))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot revoke token %s: %w", id, err)
	}
	return t, nil
}

// lastUseResolution limits how often a token's last use is written.
const lastUseResolution = time.Minute

// AuthenticateToken turns a presented API token into an actor with the
// user's current role, scoped to one AI system for a system token. Unknown,
// revoked and expired tokens, and tokens whose user left the organisation,
// are refused alike.
func (s *Service) AuthenticateToken(ctx context.Context, raw string) (*aims.Actor, error) {
	refused := aims.Errorf(aims.CodeUnauthenticated, "the API token is unknown, expired or revoked")
	if !strings.HasPrefix(raw, TokenPrefix) || len(raw) > 100 {
		return nil, refused
	}
	var a aims.Actor
	var expires, lastUsed *time.Time
	var systemID *string
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.org_id, u.id, u.email, m.role, t.expires_at, t.last_used_at, t.system_id
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL`, hashSecret(raw)).
		Scan(&a.TokenID, &a.OrgID, &a.UserID, &a.Email, &a.Role, &expires, &lastUsed, &systemID)
	if db.IsNoRows(err) {
		return nil, refused
	}
	if err != nil {
		return nil, err
	}
	now := s.clock()
	if expires != nil && !expires.After(now) {
		return nil, refused
	}
	if lastUsed == nil || now.Sub(*lastUsed) >= lastUseResolution {
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, a.TokenID); err != nil {
			return nil, err
		}
	}
	a.Kind = aims.ActorToken
	if systemID != nil {
		a.ScopeSystemID = *systemID
	}
	return &a, nil
}
