package identity_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

const newPassword = "a brand new passphrase"

func TestChangePassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, acme, _ := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleViewer)
		adaBeta := e.addExisting(t, "Beta", "ada@example.org", aims.RoleViewer)

		refusals := []struct {
			name     string
			actor    *aims.Actor
			current  string
			password string
			code     aims.Code
			fields   []string
		}{
			{"no actor", nil, password, newPassword, aims.CodeUnauthenticated, nil},
			{"a system actor", &aims.Actor{Kind: aims.ActorSystem, Name: "cli", OrgID: acme.ID}, password, newPassword, aims.CodeForbidden, nil},
			{"wrong current password", ada, "not my password", newPassword, aims.CodeInvalid, []string{"current_password"}},
			{"weak new password", ada, password, "short", aims.CodeInvalid, []string{"new_password"}},
			{"new password is the email", ada, password, "Ada@Example.org", aims.CodeInvalid, []string{"new_password"}},
			{"both wrong", ada, "", "", aims.CodeInvalid, []string{"current_password", "new_password"}},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					servicetest.WantFields(t, e.svc.ChangePassword(e.ctx, r.actor, r.current, r.password), r.code, r.fields...)
				})
			})
		}

		e.clock.Advance(time.Hour)
		if err := e.svc.ChangePassword(e.ctx, ada, password, newPassword); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Login(e.ctx, "ada@example.org", password, "192.0.2.1")
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		if _, _, err := e.svc.Login(e.ctx, "ada@example.org", newPassword, "192.0.2.1"); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
		// The change is recorded, without the value, in each of Ada's organisations.
		for _, org := range []string{acme.ID, adaBeta.OrgID} {
			evs := servicetest.Events(t, e.ctx, e.d, org)
			ev := evs[len(evs)-2] // before the sign-in
			if ev.Action != "user.password_change" || !ev.Time.Equal(t0.Add(time.Hour)) || len(ev.Changes) != 0 ||
				ev.Actor != (tlog.EventActor{Kind: "user", ID: ada.UserID, Label: "ada@example.org"}) ||
				ev.Object != (tlog.EventObject{Type: "user", ID: ada.UserID, Ref: "ada@example.org"}) {
				t.Errorf("event in %s = %+v", org, ev)
			}
		}
		if servicetest.PayloadsContain(t, d, newPassword) || servicetest.PayloadsContain(t, d, password) {
			t.Error("an audit payload contains a password")
		}
	})
}

func TestSetPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, acme, owner := e.setup(t)
		secret, _, err := e.svc.CreateToken(e.ctx, owner, identity.CreateTokenRequest{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, e.d, func() {
			servicetest.WantCode(t, e.svc.SetPassword(e.ctx, owner, "olivia@example.org", newPassword), aims.CodeForbidden)
			servicetest.WantCode(t, e.svc.SetPassword(e.ctx, nil, "olivia@example.org", newPassword), aims.CodeForbidden)
			servicetest.WantCode(t, e.svc.SetPassword(e.ctx, system, "nobody@example.org", newPassword), aims.CodeNotFound)
			servicetest.WantFields(t, e.svc.SetPassword(e.ctx, system, "olivia@example.org", "short"), aims.CodeInvalid, "password")
			servicetest.WantFields(t, e.svc.SetPassword(e.ctx, system, "olivia", "short"), aims.CodeInvalid, "email", "password")
		})
		if err := e.svc.SetPassword(e.ctx, system, " OLIVIA@example.org", newPassword); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Login(e.ctx, "olivia@example.org", newPassword, "192.0.2.1"); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
		// API tokens keep working.
		if _, err := e.svc.AuthenticateToken(e.ctx, secret); err != nil {
			t.Errorf("token after SetPassword: %v", err)
		}
		want := []string{"installation.setup", "api_token.create", "user.password_change", "auth.login"}
		if got := servicetest.Actions(t, e.ctx, e.d, acme.ID); !cmp.Equal(got, want) {
			t.Errorf("actions = %q", got)
		}
		ev := servicetest.Events(t, e.ctx, e.d, acme.ID)[2]
		if ev.Actor != (tlog.EventActor{Kind: "system", ID: "cli:test@host", Label: "cli:test@host"}) {
			t.Errorf("actor = %+v", ev.Actor)
		}
	})
}
