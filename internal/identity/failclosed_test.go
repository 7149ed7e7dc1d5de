package identity_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestFailClosed proves that a change whose audit event cannot be written is
// refused whole: with log appends failing in the database, every mutation
// returns the failure and leaves every row as it was.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, _, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleContributor)
		secret, tok, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		_, inv, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Name: "Ivy", Role: aims.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		servicetest.FailAuditAppends(t, d)

		ops := []struct {
			name string
			do   func() error
		}{
			{"CreateToken", func() error {
				_, _, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "another"})
				return err
			}},
			{"CreateTokenFor", func() error {
				_, _, err := e.svc.CreateTokenFor(e.ctx, system, "ada@example.org", "", identity.CreateTokenRequest{Name: "cli"})
				return err
			}},
			{"RevokeToken", func() error { _, err := e.svc.RevokeToken(e.ctx, ada, tok.ID); return err }},
			{"ChangeRole", func() error {
				_, err := e.svc.ChangeRole(e.ctx, owner, ada.UserID, identity.ChangeRoleRequest{Role: aims.RoleManager})
				return err
			}},
			{"RemoveMember", func() error { return e.svc.RemoveMember(e.ctx, owner, ada.UserID) }},
			{"AddMember", func() error {
				_, _, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "new@example.org", Name: "New", Role: aims.RoleViewer})
				return err
			}},
			{"AcceptInvitation", func() error {
				_, err := e.svc.AcceptInvitation(e.ctx, identity.AcceptInvitationRequest{Token: inv, Name: "Ivy", Password: password})
				return err
			}},
			{"CreateUser", func() error {
				_, err := e.svc.CreateUser(e.ctx, system, identity.CreateUserRequest{Org: "Beta", Email: "bo@example.org", Role: aims.RoleOwner, Password: password})
				return err
			}},
			{"ChangePassword", func() error { return e.svc.ChangePassword(e.ctx, ada, password, newPassword) }},
			{"SetPassword", func() error { return e.svc.SetPassword(e.ctx, system, "ada@example.org", newPassword) }},
			{"Login", func() error { _, _, err := e.svc.Login(e.ctx, "ada@example.org", password, "192.0.2.1"); return err }},
			{"Logout", func() error { return e.svc.Logout(e.ctx, ada) }},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					err := op.do()
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		// What was there still works as before.
		if a, err := e.svc.AuthenticateToken(e.ctx, secret); err != nil || a.Role != aims.RoleContributor {
			t.Errorf("token after the failures: %+v, %v", a, err)
		}
		if _, err := e.svc.LookupInvitation(e.ctx, inv); err != nil {
			t.Errorf("invitation after the failures: %v", err)
		}
	})
}

func TestSetupFailsClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		servicetest.FailAuditAppends(t, d)
		servicetest.Unchanged(t, e.d, func() {
			_, _, err := e.svc.Setup(e.ctx, identity.SetupRequest{Organisation: "Acme", Name: "Olivia", Email: "olivia@example.org", Password: password})
			if err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("got %v, want the injected failure", err)
			}
		})
		if needs, err := e.svc.NeedsSetup(e.ctx); err != nil || !needs {
			t.Errorf("NeedsSetup = %v, %v; want true", needs, err)
		}
	})
}
