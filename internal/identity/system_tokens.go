package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// A system token is an API token scoped to one AI system: it acts with its
// user's role, and Authorize refuses it everything but decision.write, which
// AuthorizeSystem further confines to that one system. Identity does not
// import the AI system inventory; callers resolve a reference such as SYS-1
// to the system's id and give both.

// tokenScope is the AI system a new token is confined to.
type tokenScope struct {
	id, ref string
}

// check makes sure, inside the token's transaction, that the system belongs
// to the organisation and is not archived, so that a token can never be
// scoped to another organisation's system.
func (sc *tokenScope) check(ctx context.Context, tx *db.Tx, orgID string) error {
	var archived *time.Time
	err := tx.QueryRowContext(ctx, `SELECT archived_at FROM ai_systems WHERE id = ? AND org_id = ?`, sc.id, orgID).Scan(&archived)
	if db.IsNoRows(err) {
		return aims.NotFound("AI system", sc.ref)
	}
	if err != nil {
		return err
	}
	if archived != nil {
		var p aims.Problems
		p.Add("system", "%s is archived; restore it before giving it a token", sc.ref)
		return p.Err()
	}
	return nil
}

// newScope is the system a token is to be confined to; createToken refuses
// an empty one along with the request's other problems.
func newScope(systemID, systemRef string) *tokenScope {
	systemID, systemRef = strings.TrimSpace(systemID), strings.TrimSpace(systemRef)
	if systemRef == "" {
		systemRef = systemID
	}
	return &tokenScope{id: systemID, ref: systemRef}
}

// CreateSystemToken makes an API token for the actor's own user in the
// actor's organisation that may only write the decisions and outcomes of the
// AI system systemID (whose reference, such as SYS-1, is systemRef), and
// returns its secret, which is never shown again.
func (s *Service) CreateSystemToken(ctx context.Context, actor *aims.Actor, systemID, systemRef string, req CreateTokenRequest) (string, *Token, error) {
	if err := Authorize(actor, ActDecisionToken); err != nil {
		return "", nil, err
	}
	if actor.UserID == "" {
		return "", nil, aims.Forbidden("creating a token without a user")
	}
	return s.createToken(ctx, actor, actor.OrgID, actor.UserID, req, newScope(systemID, systemRef))
}

// SystemResolver finds an AI system of an organisation by id or reference and
// returns its id and reference; the administrative command passes one backed
// by the AI system inventory.
type SystemResolver func(ctx context.Context, orgID string) (id, ref string, err error)

// CreateSystemTokenFor is the administrative `aims token create --system`: it
// makes a system token for the user with the given email, in the named
// organisation or their only one, for the system that resolve finds there.
// The user's role must allow writing decisions, or the token would be of no use.
func (s *Service) CreateSystemTokenFor(ctx context.Context, actor *aims.Actor, email, org string, resolve SystemResolver, req CreateTokenRequest) (string, *Token, error) {
	m, err := s.tokenOwner(ctx, actor, email, org)
	if err != nil {
		return "", nil, err
	}
	if !slices.Contains(permissions[ActDecisionWrite], m.Role) {
		return "", nil, aims.Errorf(aims.CodeForbidden, "%s is a %s in %s; that role does not allow %s, so a system token would be of no use",
			m.Email, m.Role, m.OrgName, ActDecisionWrite)
	}
	id, ref, err := resolve(ctx, m.OrgID)
	if err != nil {
		return "", nil, fmt.Errorf("cannot find the AI system in %s: %w", m.OrgName, err)
	}
	return s.createToken(ctx, actor, m.OrgID, m.UserID, req, newScope(id, ref))
}

// AuthorizeSystem is Authorize for an action on one AI system: a token scoped
// to another system is refused as well. The decision service calls it.
func AuthorizeSystem(actor *aims.Actor, action, systemID string) error {
	if err := Authorize(actor, action); err != nil {
		return err
	}
	if actor.ScopeSystemID != "" && actor.ScopeSystemID != systemID {
		return aims.Errorf(aims.CodeForbidden, "this API token may only write decisions for its own AI system")
	}
	return nil
}
