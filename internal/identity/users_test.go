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

func TestSetupWorksOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		needs, err := e.svc.NeedsSetup(e.ctx)
		if err != nil || !needs {
			t.Fatalf("NeedsSetup before setup = %v, %v; want true", needs, err)
		}
		u, o, err := e.svc.Setup(e.ctx, identity.SetupRequest{
			Organisation: "  Acme Ltd ", Name: " Olivia Owner ", Email: " Olivia@Example.ORG ", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "olivia@example.org" || u.Name != "Olivia Owner" || !u.Active || !u.CreatedAt.Equal(t0) || !aims.ValidID(u.ID) {
			t.Errorf("user = %+v", u)
		}
		if o.Name != "Acme Ltd" || !o.CreatedAt.Equal(t0) || !aims.ValidID(o.ID) {
			t.Errorf("org = %+v", o)
		}
		needs, err = e.svc.NeedsSetup(e.ctx)
		if err != nil || needs {
			t.Fatalf("NeedsSetup after setup = %v, %v; want false", needs, err)
		}
		ms, err := e.svc.Memberships(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []identity.Membership{{OrgID: o.ID, OrgName: "Acme Ltd", UserID: u.ID, Email: "olivia@example.org",
			Name: "Olivia Owner", Role: aims.RoleOwner, Active: true, Since: t0}}
		if diff := cmp.Diff(want, ms); diff != "" {
			t.Errorf("memberships (-want +got):\n%s", diff)
		}

		// The password is stored as an argon2id hash with the configured cost.
		hashes := servicetest.RowsOf(t, d, `SELECT password_hash FROM users`)
		if len(hashes) != 1 || !strings.HasPrefix(hashes[0], "password_hash=$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(hashes[0], password) {
			t.Errorf("stored password hash = %q", hashes)
		}

		// One event, with the owner as actor and the organisation as object.
		evs := servicetest.Events(t, e.ctx, e.d, o.ID)
		if len(evs) != 1 {
			t.Fatalf("got %d events, want 1", len(evs))
		}
		ev := evs[0]
		if ev.Action != "installation.setup" || ev.Index != 0 || !ev.Time.Equal(t0) ||
			ev.Actor != (tlog.EventActor{Kind: "user", ID: u.ID, Label: "olivia@example.org"}) ||
			ev.Object != (tlog.EventObject{Type: identity.ObjectOrg, ID: o.ID, Ref: "Acme Ltd"}) {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"organisation": {"null", `"Acme Ltd"`},
			"owner_email":  {"null", `"olivia@example.org"`},
			"owner_name":   {"null", `"Olivia Owner"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		if servicetest.PayloadsContain(t, d, password) {
			t.Error("an audit payload contains the password")
		}

		// A second setup is a conflict and changes nothing.
		servicetest.Unchanged(t, e.d, func() {
			_, _, err = e.svc.Setup(e.ctx, identity.SetupRequest{
				Organisation: "Other", Name: "Mallory", Email: "mallory@example.org", Password: password})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
	})
}

func TestSetupValidates(t *testing.T) {
	good := identity.SetupRequest{Organisation: "Acme", Name: "Olivia", Email: "olivia@example.org", Password: password}
	tests := []struct {
		name   string
		change func(r *identity.SetupRequest)
		fields []string
	}{
		{"everything empty", func(r *identity.SetupRequest) { *r = identity.SetupRequest{} },
			[]string{"email", "name", "organisation", "password"}},
		{"blank text", func(r *identity.SetupRequest) { r.Organisation, r.Name, r.Email = "  ", "\t", " " },
			[]string{"email", "name", "organisation"}},
		{"not an email", func(r *identity.SetupRequest) { r.Email = "olivia at example.org" }, []string{"email"}},
		{"email with a display name", func(r *identity.SetupRequest) { r.Email = "Olivia <olivia@example.org>" }, []string{"email"}},
		{"password too short", func(r *identity.SetupRequest) { r.Password = "elevenchars" }, []string{"password"}},
		{"password too long", func(r *identity.SetupRequest) { r.Password = strings.Repeat("p", 257) }, []string{"password"}},
		{"password is the email", func(r *identity.SetupRequest) { r.Password = "OLIVIA@example.org" }, []string{"password"}},
		{"organisation too long", func(r *identity.SetupRequest) { r.Organisation = strings.Repeat("ö", 201) }, []string{"organisation"}},
		{"name too long", func(r *identity.SetupRequest) { r.Name = strings.Repeat("n", 201) }, []string{"name"}},
		{"all at once", func(r *identity.SetupRequest) {
			*r = identity.SetupRequest{Organisation: strings.Repeat("o", 201), Name: "", Email: "@", Password: "x"}
		}, []string{"email", "name", "organisation", "password"}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				req := good
				tc.change(&req)
				servicetest.Unchanged(t, e.d, func() {
					_, _, err := e.svc.Setup(e.ctx, req)
					servicetest.WantFields(t, err, aims.CodeInvalid, tc.fields...)
				})
			})
		}
		// Limits are in characters, not bytes: 200 multi-byte characters are fine.
		if _, _, err := e.svc.Setup(e.ctx, identity.SetupRequest{Organisation: strings.Repeat("ö", 200),
			Name: "Olivia", Email: "olivia@example.org", Password: strings.Repeat("ü", 12)}); err != nil {
			t.Fatalf("setup with 200 multi-byte characters: %v", err)
		}
		if needs, _ := e.svc.NeedsSetup(e.ctx); needs {
			t.Error("NeedsSetup is still true")
		}
	})
}

func TestCreateUserRefusesNonSystemActors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		token := *owner
		token.Kind = aims.ActorToken
		req := identity.CreateUserRequest{Org: "Acme Ltd", Email: "x@example.org", Role: aims.RoleViewer, Password: password}
		for _, a := range []*aims.Actor{nil, owner, &token} {
			servicetest.Unchanged(t, e.d, func() {
				_, err := e.svc.CreateUser(e.ctx, a, req)
				servicetest.WantCode(t, err, aims.CodeForbidden)
			})
		}
		if got := servicetest.Actions(t, e.ctx, e.d, o.ID); !cmp.Equal(got, []string{"installation.setup"}) {
			t.Errorf("actions = %q", got)
		}
	})
}

func TestCreateUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)

		// On a new installation it creates the organisation, and setup is then done.
		res, err := e.svc.CreateUser(e.ctx, system, identity.CreateUserRequest{
			Org: "Acme Ltd", Email: "Ada@Example.org", Role: aims.RoleManager, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if !res.OrgCreated || res.Org.Name != "Acme Ltd" || res.User.Email != "ada@example.org" ||
			res.User.Name != "ada" || !res.User.Active {
			t.Errorf("result = %+v, org %+v, user %+v", res, res.Org, res.User)
		}
		if needs, _ := e.svc.NeedsSetup(e.ctx); needs {
			t.Error("NeedsSetup is true after CreateUser")
		}
		acme := res.Org
		ada := res.User
		evs := servicetest.Events(t, e.ctx, e.d, acme.ID)
		if got := actionsOf(evs); !cmp.Equal(got, []string{"organisation.create", "user.create", "member.add"}) {
			t.Fatalf("actions = %q", got)
		}
		sysActor := tlog.EventActor{Kind: "system", ID: "cli:test@host", Label: "cli:test@host"}
		for _, ev := range evs {
			if ev.Actor != sysActor {
				t.Errorf("%s actor = %+v", ev.Action, ev.Actor)
			}
		}
		if evs[0].Object != (tlog.EventObject{Type: "organisation", ID: acme.ID, Ref: "Acme Ltd"}) ||
			!cmp.Equal(servicetest.ChangeMap(t, evs[0]), map[string][2]string{"name": {"null", `"Acme Ltd"`}}) {
			t.Errorf("organisation.create = %+v", evs[0])
		}
		if evs[1].Object != (tlog.EventObject{Type: "user", ID: ada.ID, Ref: "ada@example.org"}) ||
			!cmp.Equal(servicetest.ChangeMap(t, evs[1]), map[string][2]string{"email": {"null", `"ada@example.org"`}, "name": {"null", `"ada"`}}) {
			t.Errorf("user.create = %+v", evs[1])
		}
		if evs[2].Object != (tlog.EventObject{Type: "user", ID: ada.ID, Ref: "ada@example.org"}) ||
			!cmp.Equal(servicetest.ChangeMap(t, evs[2]), map[string][2]string{"role": {"null", `"manager"`}}) {
			t.Errorf("member.add = %+v", evs[2])
		}

		// A second person joins the same organisation, named with other case and spacing.
		e.clock.Advance(time.Minute)
		res2, err := e.svc.CreateUser(e.ctx, system, identity.CreateUserRequest{
			Org: "  acme   LTD ", Email: "bob@example.org", Name: "Bob", Role: aims.RoleViewer, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if res2.OrgCreated || res2.Org.ID != acme.ID || res2.User.Name != "Bob" {
			t.Errorf("second result = %+v, org %+v", res2, res2.Org)
		}

		// An existing user is added to a second organisation without a password.
		e.clock.Advance(time.Minute)
		res3, err := e.svc.CreateUser(e.ctx, system, identity.CreateUserRequest{
			Org: "Beta GmbH", Email: "ADA@example.org", Role: aims.RoleAuditor})
		if err != nil {
			t.Fatal(err)
		}
		if !res3.OrgCreated || res3.User.ID != ada.ID || res3.User.Name != "ada" {
			t.Errorf("third result = %+v, user %+v", res3, res3.User)
		}
		if got := servicetest.Actions(t, e.ctx, e.d, res3.Org.ID); !cmp.Equal(got, []string{"organisation.create", "member.add"}) {
			t.Errorf("actions in the second organisation = %q", got)
		}
		ms, err := e.svc.Memberships(e.ctx, ada.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []identity.Membership{
			{OrgID: acme.ID, OrgName: "Acme Ltd", UserID: ada.ID, Email: "ada@example.org", Name: "ada", Role: aims.RoleManager, Active: true, Since: t0},
			{OrgID: res3.Org.ID, OrgName: "Beta GmbH", UserID: ada.ID, Email: "ada@example.org", Name: "ada", Role: aims.RoleAuditor, Active: true, Since: t0.Add(2 * time.Minute)},
		}
		if diff := cmp.Diff(want, ms); diff != "" {
			t.Errorf("memberships (-want +got):\n%s", diff)
		}

		// Refusals change nothing, not even the organisation they would create.
		refusals := []struct {
			name   string
			req    identity.CreateUserRequest
			code   aims.Code
			fields []string
		}{
			{"a password for an existing user",
				identity.CreateUserRequest{Org: "Gamma", Email: "ada@example.org", Role: aims.RoleViewer, Password: password},
				aims.CodeInvalid, []string{"password"}},
			{"a new user without a password",
				identity.CreateUserRequest{Org: "Gamma", Email: "new@example.org", Role: aims.RoleViewer},
				aims.CodeInvalid, []string{"password"}},
			{"a new user with a weak password",
				identity.CreateUserRequest{Org: "Gamma", Email: "new@example.org", Role: aims.RoleViewer, Password: "new@example.org"},
				aims.CodeInvalid, []string{"password"}},
			{"an existing membership",
				identity.CreateUserRequest{Org: "ACME LTD", Email: "bob@example.org", Role: aims.RoleOwner},
				aims.CodeConflict, []string{"email"}},
			{"bad fields",
				identity.CreateUserRequest{Org: " ", Email: "bob@", Name: strings.Repeat("x", 201), Role: "admin"},
				aims.CodeInvalid, []string{"email", "name", "org", "role"}},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					_, err := e.svc.CreateUser(e.ctx, system, r.req)
					servicetest.WantFields(t, err, r.code, r.fields...)
				})
			})
		}
	})
}

func actionsOf(evs []tlog.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Action)
	}
	return out
}
