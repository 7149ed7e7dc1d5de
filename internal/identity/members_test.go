package identity_test

import (
	"strings"
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

func TestInvitation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)

		m, inv, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: " Ivy@Example.org ", Name: " Ivy Invited ", Role: aims.RoleContributor})
		if err != nil {
			t.Fatal(err)
		}
		want := &identity.Membership{OrgID: o.ID, OrgName: "Acme Ltd", UserID: m.UserID, Email: "ivy@example.org",
			Name: "Ivy Invited", Role: aims.RoleContributor, Active: false, Since: t0}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("membership (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(inv, "inv_") || len(inv) != len("inv_")+43 {
			t.Errorf("invitation %q does not look like inv_ and 32 random bytes", inv)
		}
		rows := servicetest.RowsOf(t, d, `SELECT token_hash, created_by FROM invitations`)
		if !cmp.Equal(rows, []string{"token_hash=" + sha256Hex(inv) + " created_by=" + owner.UserID}) {
			t.Errorf("invitations = %q", rows)
		}
		for table, rows := range servicetest.Snapshot(t, d) {
			for _, r := range rows {
				if strings.Contains(r, inv[len("inv_"):]) {
					t.Errorf("table %s holds the invitation secret", table)
				}
			}
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "member.add" || ev.Object != (tlog.EventObject{Type: "user", ID: m.UserID, Ref: "ivy@example.org"}) ||
			!cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"invited": {"null", "true"}, "role": {"null", `"contributor"`}}) {
			t.Errorf("event = %+v", ev)
		}
		if servicetest.PayloadsContain(t, d, inv[len("inv_"):]) {
			t.Error("an audit payload contains the invitation secret")
		}

		got, err := e.svc.LookupInvitation(e.ctx, inv)
		if err != nil {
			t.Fatal(err)
		}
		wantInv := &identity.Invitation{OrgID: o.ID, OrgName: "Acme Ltd", Email: "ivy@example.org", Name: "Ivy Invited", ExpiresAt: t0.Add(7 * 24 * time.Hour)}
		if diff := cmp.Diff(wantInv, got); diff != "" {
			t.Errorf("invitation (-want +got):\n%s", diff)
		}
		for _, bad := range []string{"", "inv_nonsense", inv + "x", sha256Hex(inv)} {
			_, err := e.svc.LookupInvitation(e.ctx, bad)
			servicetest.WantCode(t, err, aims.CodeNotFound)
		}

		// A refused acceptance keeps the invitation usable.
		refusals := []struct {
			req    identity.AcceptInvitationRequest
			code   aims.Code
			fields []string
		}{
			{identity.AcceptInvitationRequest{Token: inv, Name: "Ivy", Password: "short"}, aims.CodeInvalid, []string{"password"}},
			{identity.AcceptInvitationRequest{Token: inv, Name: " ", Password: "ivy@example.org"}, aims.CodeInvalid, []string{"name", "password"}},
			{identity.AcceptInvitationRequest{Token: "inv_nonsense", Name: "Ivy", Password: password}, aims.CodeNotFound, nil},
		}
		for _, r := range refusals {
			servicetest.Unchanged(t, e.d, func() {
				_, err := e.svc.AcceptInvitation(e.ctx, r.req)
				servicetest.WantFields(t, err, r.code, r.fields...)
			})
		}
		_, _, err = e.svc.Login(e.ctx, "ivy@example.org", password, "192.0.2.1")
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)

		e.clock.Advance(time.Hour)
		u, err := e.svc.AcceptInvitation(e.ctx, identity.AcceptInvitationRequest{Token: inv, Name: " Ivy Ivanova ", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != m.UserID || u.Name != "Ivy Ivanova" || !u.Active || u.Email != "ivy@example.org" {
			t.Errorf("user = %+v", u)
		}
		ev = servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "member.join" || ev.Actor != (tlog.EventActor{Kind: "user", ID: u.ID, Label: "ivy@example.org"}) ||
			!cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"active": {"false", "true"}, "name": {"null", `"Ivy Ivanova"`}}) {
			t.Errorf("event = %+v", ev)
		}
		if servicetest.PayloadsContain(t, d, password) {
			t.Error("an audit payload contains the password")
		}
		if _, ms, err := e.svc.Login(e.ctx, "ivy@example.org", password, "192.0.2.1"); err != nil || len(ms) != 1 || ms[0].Role != aims.RoleContributor {
			t.Errorf("login after acceptance: %v, %v", ms, err)
		}

		// The invitation cannot be used again.
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.LookupInvitation(e.ctx, inv)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.AcceptInvitation(e.ctx, identity.AcceptInvitationRequest{Token: inv, Name: "Mallory", Password: "another password"})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
	})
}

func TestInvitationExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, _, owner := e.setup(t)
		_, inv, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Name: "Ivy", Role: aims.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(7*24*time.Hour - time.Microsecond)
		if _, err := e.svc.LookupInvitation(e.ctx, inv); err != nil {
			t.Fatalf("just before expiry: %v", err)
		}
		e.clock.Advance(time.Microsecond)
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.LookupInvitation(e.ctx, inv)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.AcceptInvitation(e.ctx, identity.AcceptInvitationRequest{Token: inv, Name: "Ivy", Password: password})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
	})
}

func TestAddMember(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		ada := e.addUser(t, "Beta", "ada@example.org", "Ada", aims.RoleOwner)

		// A person who already has an account gets no invitation.
		m, inv, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ADA@example.org", Role: aims.RoleAuditor})
		if err != nil {
			t.Fatal(err)
		}
		if inv != "" || m.UserID != ada.UserID || m.Name != "Ada" || !m.Active || m.Role != aims.RoleAuditor || m.OrgID != o.ID {
			t.Errorf("membership = %+v, invitation %q", m, inv)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "member.add" || !cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"invited": {"null", "false"}, "role": {"null", `"auditor"`}}) {
			t.Errorf("event = %+v", ev)
		}
		if got := e.actor(t, ada.UserID, o.ID); got.Role != aims.RoleAuditor {
			t.Errorf("role = %s", got.Role)
		}

		manager := e.addUser(t, "Acme Ltd", "max@example.org", "Max", aims.RoleManager)
		refusals := []struct {
			name   string
			actor  *aims.Actor
			req    identity.AddMemberRequest
			code   aims.Code
			fields []string
		}{
			{"no actor", nil, identity.AddMemberRequest{Email: "new@example.org", Name: "New", Role: aims.RoleViewer}, aims.CodeUnauthenticated, nil},
			{"a manager", manager, identity.AddMemberRequest{Email: "new@example.org", Name: "New", Role: aims.RoleViewer}, aims.CodeForbidden, nil},
			{"already a member", owner, identity.AddMemberRequest{Email: "ada@example.org", Role: aims.RoleViewer}, aims.CodeConflict, []string{"email"}},
			{"a new person without a name", owner, identity.AddMemberRequest{Email: "new@example.org", Role: aims.RoleViewer}, aims.CodeInvalid, []string{"name"}},
			{"bad fields", owner, identity.AddMemberRequest{Email: "new", Name: strings.Repeat("n", 201), Role: "boss"}, aims.CodeInvalid, []string{"email", "name", "role"}},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					_, _, err := e.svc.AddMember(e.ctx, r.actor, r.req)
					servicetest.WantFields(t, err, r.code, r.fields...)
				})
			})
		}
	})
}

func TestListMembers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, _, owner := e.setup(t)
		viewer := e.addUser(t, "Acme Ltd", "zed@example.org", "Zed", aims.RoleViewer)
		e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleManager)
		otto := e.addUser(t, "Other", "otto@example.org", "Otto", aims.RoleOwner)
		ms, err := e.svc.ListMembers(e.ctx, viewer)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Name+":"+string(m.Role))
		}
		if !cmp.Equal(got, []string{"Ada:manager", "Olivia Owner:owner", "Zed:viewer"}) {
			t.Errorf("members = %q", got)
		}
		if m, err := e.svc.Member(e.ctx, viewer, owner.UserID); err != nil || m.Email != "olivia@example.org" {
			t.Errorf("Member = %+v, %v", m, err)
		}
		_, err = e.svc.Member(e.ctx, viewer, otto.UserID)
		servicetest.WantCode(t, err, aims.CodeNotFound)
		_, err = e.svc.ListMembers(e.ctx, nil)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}

func TestChangeRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleContributor)

		m, err := e.svc.ChangeRole(e.ctx, owner, ada.UserID, identity.ChangeRoleRequest{Role: aims.RoleManager})
		if err != nil {
			t.Fatal(err)
		}
		if m.Role != aims.RoleManager || m.UserID != ada.UserID {
			t.Errorf("membership = %+v", m)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "member.role_change" || ev.Object != (tlog.EventObject{Type: "user", ID: ada.UserID, Ref: "ada@example.org"}) ||
			!cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"role": {`"contributor"`, `"manager"`}}) {
			t.Errorf("event = %+v", ev)
		}

		manager := e.actor(t, ada.UserID, o.ID)
		gus := e.addUser(t, "Gamma", "gus@example.org", "Gus", aims.RoleOwner)
		refusals := []struct {
			name   string
			actor  *aims.Actor
			user   string
			role   aims.Role
			code   aims.Code
			fields []string
		}{
			{"the same role", owner, ada.UserID, aims.RoleManager, "", nil},
			{"a manager", manager, owner.UserID, aims.RoleViewer, aims.CodeForbidden, nil},
			{"no actor", nil, ada.UserID, aims.RoleViewer, aims.CodeUnauthenticated, nil},
			{"a bad role", owner, ada.UserID, "admin", aims.CodeInvalid, []string{"role"}},
			{"no role", owner, ada.UserID, "", aims.CodeInvalid, []string{"role"}},
			{"not a member", owner, aims.NewID(), aims.RoleViewer, aims.CodeNotFound, nil},
			{"an owner of another organisation", gus, ada.UserID, aims.RoleViewer, aims.CodeNotFound, nil},
			{"the last owner", owner, owner.UserID, aims.RoleManager, aims.CodeConflict, []string{"role"}},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					_, err := e.svc.ChangeRole(e.ctx, r.actor, r.user, identity.ChangeRoleRequest{Role: r.role})
					if r.code == "" {
						if err != nil {
							t.Errorf("no-op change: %v", err)
						}
						return
					}
					servicetest.WantFields(t, err, r.code, r.fields...)
				})
			})
		}

		// With a second active owner, the first can step down.
		if _, err := e.svc.ChangeRole(e.ctx, owner, ada.UserID, identity.ChangeRoleRequest{Role: aims.RoleOwner}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ChangeRole(e.ctx, owner, owner.UserID, identity.ChangeRoleRequest{Role: aims.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		if got := e.actor(t, owner.UserID, o.ID); got.Role != aims.RoleViewer {
			t.Errorf("role = %s", got.Role)
		}
		// The new owner is now the last one.
		adaOwner := e.actor(t, ada.UserID, o.ID)
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.ChangeRole(e.ctx, adaOwner, ada.UserID, identity.ChangeRoleRequest{Role: aims.RoleManager})
			servicetest.WantFields(t, err, aims.CodeConflict, "role")
		})
		want := []string{"installation.setup", "user.create", "member.add", "member.role_change", "member.role_change", "member.role_change"}
		if got := servicetest.Actions(t, e.ctx, e.d, o.ID); !cmp.Equal(got, want) {
			t.Errorf("actions = %q", got)
		}
	})
}

// An owner who was invited and never signed in does not keep the
// organisation running, so they can be demoted or removed while there is one
// active owner, and they do not count as a second owner either.
func TestInactiveOwners(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, _, owner := e.setup(t)
		ivy, _, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Name: "Ivy", Role: aims.RoleOwner})
		if err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.ChangeRole(e.ctx, owner, owner.UserID, identity.ChangeRoleRequest{Role: aims.RoleManager})
			servicetest.WantFields(t, err, aims.CodeConflict, "role")
			err = e.svc.RemoveMember(e.ctx, owner, owner.UserID)
			servicetest.WantFields(t, err, aims.CodeConflict, "user_id")
		})
		if _, err := e.svc.ChangeRole(e.ctx, owner, ivy.UserID, identity.ChangeRoleRequest{Role: aims.RoleViewer}); err != nil {
			t.Errorf("demoting an invited owner: %v", err)
		}
		if _, err := e.svc.ChangeRole(e.ctx, owner, ivy.UserID, identity.ChangeRoleRequest{Role: aims.RoleOwner}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveMember(e.ctx, owner, ivy.UserID); err != nil {
			t.Errorf("removing an invited owner: %v", err)
		}
	})
}

func TestRemoveMember(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleContributor)
		adaBeta := e.addExisting(t, "Beta", "ada@example.org", aims.RoleViewer)
		s1, t1, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "one"})
		if err != nil {
			t.Fatal(err)
		}
		s2, _, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "two"})
		if err != nil {
			t.Fatal(err)
		}
		sBeta, _, err := e.svc.CreateToken(e.ctx, adaBeta, identity.CreateTokenRequest{Name: "beta"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		revoked, err := e.svc.RevokeToken(e.ctx, ada, t1.ID)
		if err != nil {
			t.Fatal(err)
		}

		gus := e.addUser(t, "Gamma", "gus@example.org", "Gus", aims.RoleOwner)
		servicetest.Unchanged(t, e.d, func() {
			err := e.svc.RemoveMember(e.ctx, e.actor(t, ada.UserID, o.ID), owner.UserID)
			servicetest.WantCode(t, err, aims.CodeForbidden)
			err = e.svc.RemoveMember(e.ctx, owner, owner.UserID)
			servicetest.WantFields(t, err, aims.CodeConflict, "user_id")
			err = e.svc.RemoveMember(e.ctx, owner, aims.NewID())
			servicetest.WantCode(t, err, aims.CodeNotFound)
			// An owner of another organisation cannot reach Acme's members.
			err = e.svc.RemoveMember(e.ctx, gus, ada.UserID)
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})

		e.clock.Advance(time.Hour)
		if err := e.svc.RemoveMember(e.ctx, owner, ada.UserID); err != nil {
			t.Fatal(err)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "member.remove" || ev.Object != (tlog.EventObject{Type: "user", ID: ada.UserID, Ref: "ada@example.org"}) ||
			!cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"role": {`"contributor"`, "null"}}) {
			t.Errorf("event = %+v", ev)
		}
		// Their tokens in this organisation are revoked; an earlier revocation keeps its time.
		for _, s := range []string{s1, s2} {
			_, err := e.svc.AuthenticateToken(e.ctx, s)
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		}
		got := servicetest.RowsOf(t, d, `SELECT name, revoked_at FROM api_tokens WHERE org_id = ?`, o.ID)
		want := []string{
			"name=one revoked_at=" + revoked.RevokedAt.Format(time.RFC3339Nano),
			"name=two revoked_at=" + t0.Add(time.Minute+time.Hour).Format(time.RFC3339Nano),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tokens (-want +got):\n%s", diff)
		}
		// Elsewhere they keep working.
		if a, err := e.svc.AuthenticateToken(e.ctx, sBeta); err != nil || a.OrgID != adaBeta.OrgID {
			t.Errorf("token in the other organisation: %+v, %v", a, err)
		}
		_, err = e.svc.ActorFor(e.ctx, ada.UserID, o.ID)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		ms, err := e.svc.Memberships(e.ctx, ada.UserID)
		if err != nil || len(ms) != 1 || ms[0].OrgName != "Beta" {
			t.Errorf("memberships = %+v, %v", ms, err)
		}
		servicetest.Unchanged(t, e.d, func() {
			err := e.svc.RemoveMember(e.ctx, owner, ada.UserID)
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
	})
}

// Removing an invited person withdraws the invitation: it must not let them
// activate an account and "join" an organisation they are no longer in.
func TestRemovedMemberCannotAcceptInvitation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		m, inv, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Name: "Ivy", Role: aims.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveMember(e.ctx, owner, m.UserID); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.LookupInvitation(e.ctx, inv)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.AcceptInvitation(e.ctx, identity.AcceptInvitationRequest{Token: inv, Name: "Ivy", Password: password})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		if got := servicetest.Actions(t, e.ctx, e.d, o.ID); !cmp.Equal(got, []string{"installation.setup", "member.add", "member.remove"}) {
			t.Errorf("actions = %q", got)
		}
	})
}

// TestReaddedInvitedPersonGetsANewInvitation: someone who never set a
// password, removed and added again, gets a fresh link; the old one is dead.
func TestReaddedInvitedPersonGetsANewInvitation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, _, owner := e.setup(t)
		m, first, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Name: "Ivy", Role: aims.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveMember(e.ctx, owner, m.UserID); err != nil {
			t.Fatal(err)
		}
		_, second, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Role: aims.RoleContributor})
		if err != nil {
			t.Fatal(err)
		}
		if second == "" || second == first {
			t.Fatalf("re-adding an inactive person gave invitation %q (first %q)", second, first)
		}
		if _, err := e.svc.AcceptInvitation(e.ctx, identity.AcceptInvitationRequest{Token: second, Name: "Ivy", Password: password}); err != nil {
			t.Fatalf("new invitation: %v", err)
		}
		// An active person added to another role later gets no invitation.
		if err := e.svc.RemoveMember(e.ctx, owner, m.UserID); err != nil {
			t.Fatal(err)
		}
		if _, third, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Role: aims.RoleViewer}); err != nil || third != "" {
			t.Errorf("re-adding an active person: invitation %q, err %v", third, err)
		}
	})
}

// TestSetPasswordEndsPendingInvitations: a password set by an administrator
// must not be replaced later through an old invitation link.
func TestSetPasswordEndsPendingInvitations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, _, owner := e.setup(t)
		_, inv, err := e.svc.AddMember(e.ctx, owner, identity.AddMemberRequest{Email: "ivy@example.org", Name: "Ivy", Role: aims.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetPassword(e.ctx, system, "ivy@example.org", password); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AcceptInvitation(e.ctx, identity.AcceptInvitationRequest{Token: inv, Name: "Mallory", Password: "another long password"})
		servicetest.WantCode(t, err, aims.CodeNotFound)
		if _, _, err := e.svc.Login(e.ctx, "ivy@example.org", password, "192.0.2.1"); err != nil {
			t.Errorf("the administrator's password no longer works: %v", err)
		}
	})
}
