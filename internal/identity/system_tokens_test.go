package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// addSystem registers an AI system through the inventory's own service.
func (e *env) addSystem(t *testing.T, actor *aims.Actor, name string) *aisystem.System {
	t.Helper()
	sys, err := aisystem.New(e.d, e.logs, e.clock.Now).Create(e.ctx, actor,
		aisystem.CreateRequest{Name: name, IntendedPurpose: "Decide on " + name})
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

func TestCreateSystemToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleContributor)
		scoring := e.addSystem(t, owner, "Credit scoring")
		chat := e.addSystem(t, owner, "Support chat")

		e.clock.Advance(time.Minute)
		secret, tok, err := e.svc.CreateSystemToken(e.ctx, ada, scoring.ID, scoring.Ref, identity.CreateTokenRequest{Name: " scorer ", Expires: "30d"})
		if err != nil {
			t.Fatal(err)
		}
		exp := t0.Add(time.Minute + 30*24*time.Hour)
		want := &identity.Token{ID: tok.ID, Name: "scorer", UserID: ada.UserID, CreatedAt: t0.Add(time.Minute), ExpiresAt: &exp, SystemID: scoring.ID}
		if diff := cmp.Diff(want, tok); diff != "" {
			t.Errorf("token (-want +got):\n%s", diff)
		}
		if rows := servicetest.RowsOf(t, d, `SELECT system_id FROM api_tokens WHERE id = ?`, tok.ID); !cmp.Equal(rows, []string{"system_id=" + scoring.ID}) {
			t.Errorf("stored system_id = %q", rows)
		}

		// The audit event names the system, by id and by reference.
		ev := servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "api_token.create" ||
			ev.Actor != (tlog.EventActor{Kind: "user", ID: ada.UserID, Label: "ada@example.org"}) ||
			ev.Object != (tlog.EventObject{Type: identity.ObjectToken, ID: tok.ID, Ref: "scorer"}) {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"expires_at": {"null", servicetest.JSONTime(exp)},
			"name":       {"null", `"scorer"`},
			"user_id":    {"null", servicetest.JSONString(ada.UserID)},
			"system_id":  {"null", servicetest.JSONString(scoring.ID)},
			"system":     {"null", `"SYS-1"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}

		// The listing shows the scope; an ordinary token has none.
		if _, _, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "plain"}); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.ListTokens(e.ctx, ada)
		if err != nil || len(list) != 2 {
			t.Fatalf("ListTokens = %+v, %v", list, err)
		}
		got := map[string]string{}
		for _, l := range list {
			got[l.Name] = l.SystemID
		}
		if diff := cmp.Diff(map[string]string{"scorer": scoring.ID, "plain": ""}, got); diff != "" {
			t.Errorf("listed scopes (-want +got):\n%s", diff)
		}

		// Refusals change nothing.
		beta := e.addExisting(t, "Beta", "ada@example.org", aims.RoleOwner)
		betaSys := e.addSystem(t, beta, "Beta's system")
		archived := e.addSystem(t, owner, "Old system")
		if _, err := aisystem.New(e.d, e.logs, e.clock.Now).Archive(e.ctx, owner, archived.ID); err != nil {
			t.Fatal(err)
		}
		scoped, err := e.svc.AuthenticateToken(e.ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		refusals := []struct {
			name   string
			actor  *aims.Actor
			id     string
			req    identity.CreateTokenRequest
			code   aims.Code
			fields []string
		}{
			{"no actor", nil, chat.ID, identity.CreateTokenRequest{Name: "x"}, aims.CodeUnauthenticated, nil},
			{"a viewer", e.addUser(t, "Acme Ltd", "vic@example.org", "Vic", aims.RoleViewer), chat.ID,
				identity.CreateTokenRequest{Name: "x"}, aims.CodeForbidden, nil},
			{"an auditor", e.addUser(t, "Acme Ltd", "aud@example.org", "Aud", aims.RoleAuditor), chat.ID,
				identity.CreateTokenRequest{Name: "x"}, aims.CodeForbidden, nil},
			{"a scoped token", scoped, scoring.ID, identity.CreateTokenRequest{Name: "x"}, aims.CodeForbidden, nil},
			{"a system actor has no user", &aims.Actor{Kind: aims.ActorSystem, Name: "cli", OrgID: o.ID}, chat.ID,
				identity.CreateTokenRequest{Name: "x"}, aims.CodeForbidden, nil},
			{"no system", ada, " ", identity.CreateTokenRequest{Name: "x"}, aims.CodeInvalid, []string{"system"}},
			{"no system, no name", ada, "", identity.CreateTokenRequest{}, aims.CodeInvalid, []string{"name", "system"}},
			{"another organisation's system", ada, betaSys.ID, identity.CreateTokenRequest{Name: "x"}, aims.CodeNotFound, nil},
			{"an unknown system", ada, aims.NewID(), identity.CreateTokenRequest{Name: "x"}, aims.CodeNotFound, nil},
			{"an archived system", ada, archived.ID, identity.CreateTokenRequest{Name: "x"}, aims.CodeInvalid, []string{"system"}},
			{"bad name and lifetime", ada, chat.ID, identity.CreateTokenRequest{Expires: "soon"}, aims.CodeInvalid, []string{"expires", "name"}},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					_, _, err := e.svc.CreateSystemToken(e.ctx, r.actor, r.id, "SYS-X", r.req)
					servicetest.WantFields(t, err, r.code, r.fields...)
				})
			})
		}
	})
}

func TestSystemTokenAuthority(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleContributor)
		scoring := e.addSystem(t, owner, "Credit scoring")
		chat := e.addSystem(t, owner, "Support chat")
		secret, tok, err := e.svc.CreateSystemToken(e.ctx, ada, scoring.ID, scoring.Ref, identity.CreateTokenRequest{Name: "scorer", Expires: "1h"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := e.svc.AuthenticateToken(e.ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		want := &aims.Actor{Kind: aims.ActorToken, UserID: ada.UserID, Email: "ada@example.org", OrgID: o.ID,
			Role: aims.RoleContributor, TokenID: tok.ID, ScopeSystemID: scoring.ID}
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("actor (-want +got):\n%s", diff)
		}

		// Every action but decision.write is refused, though the role allows them.
		for _, act := range []string{identity.ActRead, identity.ActSystemUpdate, identity.ActTokenOwn,
			identity.ActDecisionRead, identity.ActDecisionToken, identity.ActEvidenceAdd} {
			if err := identity.Authorize(ada, act); err != nil {
				t.Fatalf("the unscoped contributor may not %s: %v", act, err)
			}
			ae := servicetest.WantCode(t, identity.Authorize(a, act), aims.CodeForbidden)
			if ae != nil && !strings.Contains(ae.Message, "only write decisions") {
				t.Errorf("refusal of %s says %q", act, ae.Message)
			}
			if identity.Can(a, act) {
				t.Errorf("Can(scoped, %s) = true", act)
			}
		}
		if err := identity.Authorize(a, identity.ActDecisionWrite); err != nil {
			t.Errorf("Authorize(scoped, decision.write) = %v", err)
		}
		// The services refuse it too, such as reading the inventory or listing tokens.
		_, err = aisystem.New(e.d, e.logs, e.clock.Now).Get(e.ctx, a, scoring.ID)
		servicetest.WantCode(t, err, aims.CodeForbidden)
		_, err = e.svc.ListTokens(e.ctx, a)
		servicetest.WantCode(t, err, aims.CodeForbidden)

		// AuthorizeSystem confines it to its own system; ordinary actors are not confined.
		if err := identity.AuthorizeSystem(a, identity.ActDecisionWrite, scoring.ID); err != nil {
			t.Errorf("AuthorizeSystem(own system) = %v", err)
		}
		servicetest.WantCode(t, identity.AuthorizeSystem(a, identity.ActDecisionWrite, chat.ID), aims.CodeForbidden)
		servicetest.WantCode(t, identity.AuthorizeSystem(a, identity.ActDecisionRead, scoring.ID), aims.CodeForbidden)
		if err := identity.AuthorizeSystem(ada, identity.ActDecisionWrite, chat.ID); err != nil {
			t.Errorf("AuthorizeSystem(unscoped contributor) = %v", err)
		}
		servicetest.WantCode(t, identity.AuthorizeSystem(nil, identity.ActDecisionWrite, chat.ID), aims.CodeUnauthenticated)

		// The token acts with its user's current role as well: a viewer may not write decisions.
		if _, err := e.svc.ChangeRole(e.ctx, owner, ada.UserID, identity.ChangeRoleRequest{Role: aims.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		demoted, err := e.svc.AuthenticateToken(e.ctx, secret)
		if err != nil || demoted.ScopeSystemID != scoring.ID {
			t.Fatalf("after demotion: %+v, %v", demoted, err)
		}
		servicetest.WantCode(t, identity.AuthorizeSystem(demoted, identity.ActDecisionWrite, scoring.ID), aims.CodeForbidden)
		if _, err := e.svc.ChangeRole(e.ctx, owner, ada.UserID, identity.ChangeRoleRequest{Role: aims.RoleContributor}); err != nil {
			t.Fatal(err)
		}

		// Expired and revoked scoped tokens are refused like any other.
		e.clock.Advance(time.Hour)
		_, err = e.svc.AuthenticateToken(e.ctx, secret)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		other, tok2, err := e.svc.CreateSystemToken(e.ctx, ada, chat.ID, chat.Ref, identity.CreateTokenRequest{Name: "chat"})
		if err != nil {
			t.Fatal(err)
		}
		if a, err := e.svc.AuthenticateToken(e.ctx, other); err != nil || a.ScopeSystemID != chat.ID {
			t.Fatalf("second scoped token: %+v, %v", a, err)
		}
		if _, err := e.svc.RevokeToken(e.ctx, ada, tok2.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AuthenticateToken(e.ctx, other)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}

func TestCreateSystemTokenFor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, acme, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleContributor)
		scoring := e.addSystem(t, owner, "Credit scoring")
		systems := aisystem.New(e.d, e.logs, e.clock.Now)
		var askedOrg string
		resolve := func(ref string) identity.SystemResolver {
			return func(ctx context.Context, orgID string) (string, string, error) {
				askedOrg = orgID
				sys, err := systems.Lookup(ctx, orgID, ref)
				if err != nil {
					return "", "", err
				}
				return sys.ID, sys.Ref, nil
			}
		}

		secret, tok, err := e.svc.CreateSystemTokenFor(e.ctx, system, "ADA@example.org", "", resolve("sys-1"), identity.CreateTokenRequest{Name: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		if askedOrg != acme.ID || tok.SystemID != scoring.ID || tok.UserID != ada.UserID {
			t.Errorf("token = %+v, resolved in %s", tok, askedOrg)
		}
		a, err := e.svc.AuthenticateToken(e.ctx, secret)
		if err != nil || a.OrgID != acme.ID || a.UserID != ada.UserID || a.ScopeSystemID != scoring.ID {
			t.Fatalf("authenticated as %+v, %v", a, err)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, acme.ID)
		if ev.Action != "api_token.create" || ev.Actor != (tlog.EventActor{Kind: "system", ID: "cli:test@host", Label: "cli:test@host"}) ||
			servicetest.ChangeMap(t, ev)["system"] != [2]string{"null", `"SYS-1"`} {
			t.Errorf("event = %+v", ev)
		}

		// In another organisation the reference finds nothing; a viewer gets no
		// token; only a system actor may do this; bad input names its field.
		beta := e.addExisting(t, "Beta", "ada@example.org", aims.RoleContributor)
		e.addSystem(t, beta, "Beta's first")
		e.addUser(t, "Acme Ltd", "vic@example.org", "Vic", aims.RoleViewer)
		servicetest.Unchanged(t, e.d, func() {
			_, _, err := e.svc.CreateSystemTokenFor(e.ctx, system, "ada@example.org", "Beta", resolve("SYS-2"), identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			if askedOrg != beta.OrgID {
				t.Errorf("resolved in %s, want Beta %s", askedOrg, beta.OrgID)
			}
			_, _, err = e.svc.CreateSystemTokenFor(e.ctx, system, "ada@example.org", "", resolve("SYS-1"), identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "org")
			_, _, err = e.svc.CreateSystemTokenFor(e.ctx, system, "vic@example.org", "", resolve("SYS-1"), identity.CreateTokenRequest{Name: "cli"})
			if ae := servicetest.WantCode(t, err, aims.CodeForbidden); ae != nil && !strings.Contains(ae.Message, "viewer") {
				t.Errorf("refusal for a viewer says %q", ae.Message)
			}
			_, _, err = e.svc.CreateSystemTokenFor(e.ctx, owner, "ada@example.org", "Acme Ltd", resolve("SYS-1"), identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, _, err = e.svc.CreateSystemTokenFor(e.ctx, system, "ada@example.org", "Acme Ltd", resolve("SYS-1"), identity.CreateTokenRequest{})
			servicetest.WantFields(t, err, aims.CodeInvalid, "name")
		})
	})
}
