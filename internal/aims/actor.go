package aims

import "context"

// Role is what a member may do in an organisation.
type Role string

// The roles, from most to least powerful; auditors read everything and change nothing.
const (
	RoleOwner       Role = "owner"
	RoleManager     Role = "manager"
	RoleContributor Role = "contributor"
	RoleAuditor     Role = "auditor"
	RoleViewer      Role = "viewer"
)

// Roles lists every role in order of decreasing power.
var Roles = []Role{RoleOwner, RoleManager, RoleContributor, RoleAuditor, RoleViewer}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// ActorKind says how an actor proved who it is.
type ActorKind string

// The kinds of actor.
const (
	ActorUser   ActorKind = "user"   // a person with a browser session
	ActorToken  ActorKind = "token"  // a person's API token
	ActorSystem ActorKind = "system" // an administrative command or aims itself
)

// Actor is who performs an operation, in which organisation and with which role.
type Actor struct {
	Kind    ActorKind
	UserID  string
	Email   string
	OrgID   string
	Role    Role
	TokenID string
	// ScopeSystemID, when set, makes the actor a system-scoped token that may only record decisions and outcomes for that AI system.
	ScopeSystemID string
	// Name describes a system actor, such as "cli:root@host".
	Name string
}

// Label is a short human description of the actor for logs and history.
func (a *Actor) Label() string {
	if a == nil {
		return "anonymous"
	}
	if a.Email != "" {
		return a.Email
	}
	return a.Name
}

type actorKey struct{}

// WithActor returns a context that carries the actor.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, or nil.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

type addrKey struct{}

// WithClientAddr returns a context that carries the client's network address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addrKey{}, addr)
}

// ClientAddrFrom returns the client's network address carried by ctx, or "".
func ClientAddrFrom(ctx context.Context) string {
	a, _ := ctx.Value(addrKey{}).(string)
	return a
}
