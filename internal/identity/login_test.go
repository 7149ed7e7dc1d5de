package identity_test

import (
	"fmt"
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

func TestLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		owner, acme, _ := e.setup(t)
		e.clock.Advance(time.Minute)
		beta := e.addExisting(t, "Beta GmbH", "olivia@example.org", aims.RoleViewer)

		u, ms, err := e.svc.Login(e.ctx, "  OLIVIA@example.org ", password, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != owner.ID || u.Email != "olivia@example.org" || !u.Active {
			t.Errorf("user = %+v", u)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.OrgName+":"+string(m.Role))
		}
		if !cmp.Equal(got, []string{"Acme Ltd:owner", "Beta GmbH:viewer"}) {
			t.Errorf("memberships = %q", got)
		}
		// The sign-in is recorded in each of the person's organisations.
		for _, org := range []string{acme.ID, beta.OrgID} {
			ev := servicetest.LastEvent(t, e.ctx, e.d, org)
			if ev.Action != "auth.login" || ev.Actor != (tlog.EventActor{Kind: "user", ID: owner.ID, Label: "olivia@example.org"}) ||
				ev.Object != (tlog.EventObject{Type: "user", ID: owner.ID, Ref: "olivia@example.org"}) || len(ev.Changes) != 0 {
				t.Errorf("event in %s = %+v", org, ev)
			}
		}
	})
}

func TestLoginFailuresLookAlike(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, _, owner := e.setup(t)
		// An invited person without a password cannot sign in either.
		if _, _, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Name: "Ivy", Role: aims.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		var messages []string
		servicetest.Unchanged(t, e.d, func() {
			for _, c := range []struct{ email, password string }{
				{"olivia@example.org", "wrong password!"},
				{"nobody@example.org", password},
				{"ivy@example.org", ""},
				{"ivy@example.org", password},
				{"", ""},
			} {
				u, ms, err := e.svc.Login(e.ctx, c.email, c.password, "192.0.2.1")
				ae := servicetest.WantCode(t, err, aims.CodeUnauthenticated)
				if u != nil || ms != nil {
					t.Errorf("%s: got user %v and memberships %v with the error", c.email, u, ms)
				}
				messages = append(messages, ae.Error())
			}
		})
		for _, m := range messages {
			if m != messages[0] {
				t.Errorf("failures differ: %q", messages)
				break
			}
		}
	})
}

func TestLoginThrottlesAnAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setup(t)
		login := func(pw string, n int) error {
			// Each attempt comes from another address: the account is what is counted.
			_, _, err := e.svc.Login(e.ctx, "Olivia@example.org", pw, fmt.Sprintf("198.51.100.%d", n))
			return err
		}
		for i := range 5 {
			servicetest.WantCode(t, login("wrong password!", i), aims.CodeUnauthenticated)
		}
		// The sixth attempt is refused without looking at the password.
		ae := servicetest.WantCode(t, login(password, 5), aims.CodeTooMany)
		if ae.RetryAfterSeconds != 1 {
			t.Errorf("RetryAfterSeconds = %d, want 1", ae.RetryAfterSeconds)
		}
		e.clock.Advance(999 * time.Millisecond)
		ae = servicetest.WantCode(t, login(password, 6), aims.CodeTooMany)
		if ae.RetryAfterSeconds != 1 {
			t.Errorf("RetryAfterSeconds = %d, want 1", ae.RetryAfterSeconds)
		}
		// A refused attempt is not counted; after the wait a sixth failure doubles it.
		e.clock.Advance(time.Millisecond)
		servicetest.WantCode(t, login("wrong password!", 7), aims.CodeUnauthenticated)
		ae = servicetest.WantCode(t, login(password, 8), aims.CodeTooMany)
		if ae.RetryAfterSeconds != 2 {
			t.Errorf("RetryAfterSeconds after six failures = %d, want 2", ae.RetryAfterSeconds)
		}
		// Another account is not affected.
		e.clock.Advance(2 * time.Second)
		if _, _, err := e.svc.Login(e.ctx, "olivia@example.org", password, "203.0.113.9"); err != nil {
			t.Fatalf("sign-in after the wait: %v", err)
		}

		// Success resets the account's count: five more failures are allowed.
		for i := range 5 {
			servicetest.WantCode(t, login("wrong password!", 20+i), aims.CodeUnauthenticated)
		}
		servicetest.WantCode(t, login(password, 30), aims.CodeTooMany)

		// Failures older than 15 minutes are forgotten.
		e.clock.Advance(15*time.Minute + time.Second)
		servicetest.WantCode(t, login("wrong password!", 31), aims.CodeUnauthenticated)
		if _, _, err := e.svc.Login(e.ctx, "olivia@example.org", password, "203.0.113.9"); err != nil {
			t.Fatalf("sign-in after the failures were forgotten: %v", err)
		}
	})
}

func TestLoginThrottlesAnAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setup(t)
		const addr = "192.0.2.7"
		// Twenty failures, each for another account, so that no account is throttled.
		for i := range 20 {
			_, _, err := e.svc.Login(e.ctx, fmt.Sprintf("guess%d@example.org", i), "wrong password!", addr)
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		}
		_, _, err := e.svc.Login(e.ctx, "olivia@example.org", password, addr)
		ae := servicetest.WantCode(t, err, aims.CodeTooMany)
		if ae.RetryAfterSeconds != 1 {
			t.Errorf("RetryAfterSeconds = %d, want 1", ae.RetryAfterSeconds)
		}
		// Another address is not affected.
		if _, _, err := e.svc.Login(e.ctx, "olivia@example.org", password, "192.0.2.8"); err != nil {
			t.Fatalf("sign-in from another address: %v", err)
		}
		// A success does not clear the address count; waiting does.
		_, _, err = e.svc.Login(e.ctx, "olivia@example.org", password, addr)
		servicetest.WantCode(t, err, aims.CodeTooMany)
		e.clock.Advance(time.Second)
		if _, _, err := e.svc.Login(e.ctx, "olivia@example.org", password, addr); err != nil {
			t.Fatalf("sign-in after the wait: %v", err)
		}
	})
}

func TestActorFor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u, o, owner := e.setup(t)
		want := &aims.Actor{Kind: aims.ActorUser, UserID: u.ID, Email: "olivia@example.org", OrgID: o.ID, Role: aims.RoleOwner}
		if diff := cmp.Diff(want, owner); diff != "" {
			t.Errorf("actor (-want +got):\n%s", diff)
		}
		viewer := e.addUser(t, "Acme Ltd", "vic@example.org", "Vic", aims.RoleViewer)
		if _, err := e.svc.ChangeRole(e.ctx, owner, viewer.UserID, identity.ChangeRoleRequest{Role: aims.RoleManager}); err != nil {
			t.Fatal(err)
		}
		if a := e.actor(t, viewer.UserID, o.ID); a.Role != aims.RoleManager {
			t.Errorf("role after change = %s, want manager", a.Role)
		}

		other := e.addUser(t, "Other", "otto@example.org", "Otto", aims.RoleOwner)
		_, err := e.svc.ActorFor(e.ctx, u.ID, other.OrgID)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		_, err = e.svc.ActorFor(e.ctx, aims.NewID(), o.ID)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)

		m, _, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Name: "Ivy", Role: aims.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ActorFor(e.ctx, m.UserID, o.ID)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated) // invited, not yet active

		if err := e.svc.RemoveMember(e.ctx, owner, viewer.UserID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ActorFor(e.ctx, viewer.UserID, o.ID)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}

func TestLogoutAndOrg(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u, o, owner := e.setup(t)
		got, err := e.svc.Org(e.ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(o, got); diff != "" {
			t.Errorf("org (-want +got):\n%s", diff)
		}
		_, err = e.svc.Org(e.ctx, nil)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)

		if err := e.svc.Logout(e.ctx, nil); err != nil {
			t.Errorf("logout without an actor: %v", err)
		}
		e.clock.Advance(time.Hour)
		if err := e.svc.Logout(e.ctx, owner); err != nil {
			t.Fatal(err)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "auth.logout" || !ev.Time.Equal(t0.Add(time.Hour)) ||
			ev.Object != (tlog.EventObject{Type: "user", ID: u.ID, Ref: "olivia@example.org"}) {
			t.Errorf("event = %+v", ev)
		}
		if got := servicetest.Actions(t, e.ctx, e.d, o.ID); !cmp.Equal(got, []string{"installation.setup", "auth.logout"}) {
			t.Errorf("actions = %q", got)
		}
	})
}

// TestPurgeExpired removes sessions past expiry and sign-in failures old
// enough to be forgotten, and nothing else.
func TestPurgeExpired(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setup(t)
		st := e.svc.Sessions()
		if err := st.CommitCtx(e.ctx, "old", []byte("x"), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := st.CommitCtx(e.ctx, "live", []byte("y"), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		e.svc.Login(e.ctx, "nobody@example.org", "wrong password!", "198.51.100.1")
		e.clock.Advance(10 * time.Minute)
		e.svc.Login(e.ctx, "someone@example.org", "wrong password!", "198.51.100.2")
		e.clock.Advance(6 * time.Minute) // the first failures are now 16 minutes old
		n, err := e.svc.PurgeExpired(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// One session and the first attempt's account and address rows.
		if n != 3 {
			t.Errorf("purged %d rows, want 3", n)
		}
		if got := servicetest.Count(t, d, `SELECT count(*) FROM login_throttle`); got != 2 {
			t.Errorf("%d throttle rows left, want the 2 recent ones", got)
		}
		if _, found, _ := st.FindCtx(e.ctx, "live"); !found {
			t.Error("a live session was purged")
		}
	})
}
