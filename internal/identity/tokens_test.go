package identity_test

import (
	"crypto/sha256"
	"encoding/hex"
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

func TestParseLifetime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 90 * 24 * time.Hour, true},
		{"  ", 90 * 24 * time.Hour, true},
		{"never", 0, true},
		{"NEVER", 0, true},
		{"0", 0, true},
		{"1d", 24 * time.Hour, true},
		{" 90D ", 90 * 24 * time.Hour, true},
		{"3650d", 3650 * 24 * time.Hour, true},
		{"3651d", 0, false},
		{"0d", 0, false},
		{"-1d", 0, false},
		{"1.5d", 0, false},
		{"d", 0, false},
		{"12h", 12 * time.Hour, true},
		{"36h30m", 36*time.Hour + 30*time.Minute, true},
		{"1m", time.Minute, true},
		{"59s", 0, false},
		{"-5h", 0, false},
		{"0s", 0, false},
		{"forever", 0, false},
		{"12", 0, false},
		{"1w", 0, false},
	}
	for _, tc := range tests {
		got, err := identity.ParseLifetime(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("ParseLifetime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && err == nil {
			t.Errorf("ParseLifetime(%q) = %v, want an error", tc.in, got)
		}
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestCreateToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleContributor)

		secret, tok, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "  CI pipeline "})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, identity.TokenPrefix) || len(secret) != len("aims_")+43 {
			t.Errorf("secret %q does not look like aims_ and 32 random bytes", secret)
		}
		exp := t0.Add(90 * 24 * time.Hour)
		want := &identity.Token{ID: tok.ID, Name: "CI pipeline", UserID: ada.UserID, CreatedAt: t0, ExpiresAt: &exp}
		if diff := cmp.Diff(want, tok); diff != "" || !aims.ValidID(tok.ID) {
			t.Errorf("token (-want +got):\n%s", diff)
		}
		if !tok.Active(t0) || tok.Active(exp) {
			t.Errorf("Active(now) = %v, Active(expiry) = %v", tok.Active(t0), tok.Active(exp))
		}

		// Only the hash is stored, nowhere the secret.
		rows := servicetest.RowsOf(t, d, `SELECT * FROM api_tokens`)
		if len(rows) != 1 || !strings.Contains(rows[0], "token_hash="+sha256Hex(secret)) {
			t.Errorf("api_tokens = %q, want one row with the secret's SHA-256", rows)
		}
		for table, rows := range servicetest.Snapshot(t, d) {
			for _, r := range rows {
				if strings.Contains(r, secret) || strings.Contains(r, secret[len("aims_"):]) {
					t.Errorf("table %s holds the secret: %s", table, r)
				}
			}
		}
		if servicetest.PayloadsContain(t, d, secret[len("aims_"):]) {
			t.Error("an audit payload contains the secret")
		}

		ev := servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "api_token.create" ||
			ev.Actor != (tlog.EventActor{Kind: "user", ID: ada.UserID, Label: "ada@example.org"}) ||
			ev.Object != (tlog.EventObject{Type: identity.ObjectToken, ID: tok.ID, Ref: "CI pipeline"}) {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"expires_at": {"null", servicetest.JSONTime(exp)},
			"name":       {"null", `"CI pipeline"`},
			"user_id":    {"null", servicetest.JSONString(ada.UserID)},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}

		// A token that never expires.
		e.clock.Advance(time.Minute)
		_, forever, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "backup", Expires: "never"})
		if err != nil {
			t.Fatal(err)
		}
		if forever.ExpiresAt != nil || !forever.Active(t0.Add(100*365*24*time.Hour)) {
			t.Errorf("never-expiring token = %+v", forever)
		}

		// Refusals change nothing.
		refusals := []struct {
			name   string
			actor  *aims.Actor
			req    identity.CreateTokenRequest
			code   aims.Code
			fields []string
		}{
			{"no actor", nil, identity.CreateTokenRequest{Name: "x"}, aims.CodeUnauthenticated, nil},
			{"a system actor has no user", &aims.Actor{Kind: aims.ActorSystem, Name: "cli", OrgID: o.ID},
				identity.CreateTokenRequest{Name: "x"}, aims.CodeForbidden, nil},
			{"no name", owner, identity.CreateTokenRequest{Name: "  "}, aims.CodeInvalid, []string{"name"}},
			{"long name", owner, identity.CreateTokenRequest{Name: strings.Repeat("n", 101)}, aims.CodeInvalid, []string{"name"}},
			{"bad lifetime and name", owner, identity.CreateTokenRequest{Expires: "soon"}, aims.CodeInvalid, []string{"expires", "name"}},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					_, _, err := e.svc.CreateToken(e.ctx, r.actor, r.req)
					servicetest.WantFields(t, err, r.code, r.fields...)
				})
			})
		}
	})
}

func TestListTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, _, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleViewer)
		adaBeta := e.addExisting(t, "Beta", "ada@example.org", aims.RoleViewer)

		none, err := e.svc.ListTokens(e.ctx, ada)
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("ListTokens with no tokens = %#v, %v; want an empty list", none, err)
		}
		var ids []string
		for _, name := range []string{"first", "second", "third"} {
			e.clock.Advance(time.Minute)
			_, tok, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			ids = append([]string{tok.ID}, ids...)
		}
		// Tokens of another person, and of Ada in another organisation, are not listed.
		if _, _, err := e.svc.CreateToken(e.ctx, owner, identity.CreateTokenRequest{Name: "owner's"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.CreateToken(e.ctx, adaBeta, identity.CreateTokenRequest{Name: "beta"}); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.ListTokens(e.ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		var got, names []string
		for _, tok := range list {
			got = append(got, tok.ID)
			names = append(names, tok.Name)
		}
		if !cmp.Equal(got, ids) || !cmp.Equal(names, []string{"third", "second", "first"}) {
			t.Errorf("listed %q (%q), want newest first %q", names, got, ids)
		}
		_, err = e.svc.ListTokens(e.ctx, nil)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}

func TestAuthenticateToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleContributor)
		secret, tok, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "ci", Expires: "1h"})
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() *time.Time {
			t.Helper()
			list, err := e.svc.ListTokens(e.ctx, ada)
			if err != nil || len(list) != 1 {
				t.Fatalf("ListTokens = %v, %v", list, err)
			}
			return list[0].LastUsedAt
		}
		if lu := lastUsed(); lu != nil {
			t.Errorf("last_used_at before any use = %v", lu)
		}

		e.clock.Advance(10 * time.Minute)
		a, err := e.svc.AuthenticateToken(e.ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		want := &aims.Actor{Kind: aims.ActorToken, UserID: ada.UserID, Email: "ada@example.org", OrgID: o.ID,
			Role: aims.RoleContributor, TokenID: tok.ID}
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("actor (-want +got):\n%s", diff)
		}
		if lu := lastUsed(); lu == nil || !lu.Equal(t0.Add(10*time.Minute)) {
			t.Errorf("last_used_at = %v, want %v", lu, t0.Add(10*time.Minute))
		}
		// Within a minute the last use is not written again; after it, it is.
		e.clock.Advance(59 * time.Second)
		if _, err := e.svc.AuthenticateToken(e.ctx, secret); err != nil {
			t.Fatal(err)
		}
		if lu := lastUsed(); !lu.Equal(t0.Add(10 * time.Minute)) {
			t.Errorf("last_used_at after 59 s = %v, want unchanged", lu)
		}
		e.clock.Advance(time.Second)
		if _, err := e.svc.AuthenticateToken(e.ctx, secret); err != nil {
			t.Fatal(err)
		}
		if lu := lastUsed(); !lu.Equal(t0.Add(11 * time.Minute)) {
			t.Errorf("last_used_at after a minute = %v, want %v", lu, t0.Add(11*time.Minute))
		}

		// The role comes from the membership as it is now.
		if _, err := e.svc.ChangeRole(e.ctx, owner, ada.UserID, identity.ChangeRoleRequest{Role: aims.RoleAuditor}); err != nil {
			t.Fatal(err)
		}
		if a, err := e.svc.AuthenticateToken(e.ctx, secret); err != nil || a.Role != aims.RoleAuditor {
			t.Errorf("after a role change: %+v, %v; want role auditor", a, err)
		}

		// Unknown and malformed tokens are refused alike.
		for _, raw := range []string{"", "aims_", "aims_nonsense", secret[:len(secret)-1], "x" + secret,
			strings.ToUpper(secret), identity.TokenPrefix + strings.Repeat("a", 96), sha256Hex(secret)} {
			_, err := e.svc.AuthenticateToken(e.ctx, raw)
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		}

		// It expires an hour after creation, to the microsecond.
		e.clock.Advance(t0.Add(time.Hour - time.Microsecond).Sub(e.clock.Now()))
		if _, err := e.svc.AuthenticateToken(e.ctx, secret); err != nil {
			t.Fatalf("a microsecond before expiry: %v", err)
		}
		e.clock.Advance(time.Microsecond)
		_, err = e.svc.AuthenticateToken(e.ctx, secret)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		list, _ := e.svc.ListTokens(e.ctx, ada)
		if list[0].Active(e.clock.Now()) {
			t.Error("an expired token is listed as active")
		}
	})
}

func TestRevokeToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, o, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleViewer)
		secret, tok, err := e.svc.CreateToken(e.ctx, ada, identity.CreateTokenRequest{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}

		// Nobody else can revoke it, not even an owner: the token is not found.
		for _, a := range []*aims.Actor{owner, e.addExisting(t, "Beta", "ada@example.org", aims.RoleOwner)} {
			servicetest.Unchanged(t, e.d, func() {
				_, err := e.svc.RevokeToken(e.ctx, a, tok.ID)
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		if _, err := e.svc.AuthenticateToken(e.ctx, secret); err != nil {
			t.Fatalf("token stopped working after refused revocations: %v", err)
		}

		e.clock.Advance(time.Hour)
		revoked, err := e.svc.RevokeToken(e.ctx, ada, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(t0.Add(time.Hour)) || revoked.Active(e.clock.Now()) {
			t.Errorf("revoked token = %+v", revoked)
		}
		_, err = e.svc.AuthenticateToken(e.ctx, secret)
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)

		ev := servicetest.LastEvent(t, e.ctx, e.d, o.ID)
		if ev.Action != "api_token.revoke" || ev.Object != (tlog.EventObject{Type: "api_token", ID: tok.ID, Ref: "ci"}) ||
			!cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"revoked_at": {"null", servicetest.JSONTime(t0.Add(time.Hour))}}) {
			t.Errorf("event = %+v", ev)
		}

		// Revoking again is harmless and records nothing.
		e.clock.Advance(time.Hour)
		servicetest.Unchanged(t, e.d, func() {
			again, err := e.svc.RevokeToken(e.ctx, ada, tok.ID)
			if err != nil || !again.RevokedAt.Equal(t0.Add(time.Hour)) {
				t.Errorf("second revocation = %+v, %v", again, err)
			}
		})
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.RevokeToken(e.ctx, ada, aims.NewID())
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
	})
}

func TestCreateTokenFor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, acme, owner := e.setup(t)
		ada := e.addUser(t, "Acme Ltd", "ada@example.org", "Ada", aims.RoleViewer)

		// With one organisation, it need not be named.
		secret, tok, err := e.svc.CreateTokenFor(e.ctx, system, "ADA@example.org", "", identity.CreateTokenRequest{Name: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := e.svc.AuthenticateToken(e.ctx, secret)
		if err != nil || a.OrgID != acme.ID || a.UserID != ada.UserID || a.TokenID != tok.ID {
			t.Fatalf("authenticated as %+v, %v", a, err)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, acme.ID)
		if ev.Action != "api_token.create" || ev.Actor != (tlog.EventActor{Kind: "system", ID: "cli:test@host", Label: "cli:test@host"}) {
			t.Errorf("event = %+v", ev)
		}

		// With two, it must be named, in any case and spacing.
		beta := e.addExisting(t, "Beta GmbH", "ada@example.org", aims.RoleAuditor)
		servicetest.Unchanged(t, e.d, func() {
			_, _, err := e.svc.CreateTokenFor(e.ctx, system, "ada@example.org", "", identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "org")
			if msg := aims.AsError(err).Fields[0].Message; !strings.Contains(msg, "Acme Ltd, Beta GmbH") {
				t.Errorf("message %q does not list the organisations", msg)
			}
			_, _, err = e.svc.CreateTokenFor(e.ctx, system, "ada@example.org", "Gamma", identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "org")
		})
		secret, _, err = e.svc.CreateTokenFor(e.ctx, system, "ada@example.org", "  beta   gmbh", identity.CreateTokenRequest{Name: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		if a, err := e.svc.AuthenticateToken(e.ctx, secret); err != nil || a.OrgID != beta.OrgID || a.Role != aims.RoleAuditor {
			t.Errorf("authenticated as %+v, %v; want an auditor of Beta", a, err)
		}

		servicetest.Unchanged(t, e.d, func() {
			_, _, err := e.svc.CreateTokenFor(e.ctx, owner, "ada@example.org", "", identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, _, err = e.svc.CreateTokenFor(e.ctx, nil, "ada@example.org", "", identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, _, err = e.svc.CreateTokenFor(e.ctx, system, "nobody@example.org", "", identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, _, err = e.svc.CreateTokenFor(e.ctx, system, "not-an-email", "", identity.CreateTokenRequest{Name: "cli"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "email")
			_, _, err = e.svc.CreateTokenFor(e.ctx, system, "ada@example.org", "Acme Ltd", identity.CreateTokenRequest{Expires: "1s"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "expires", "name")
		})
	})
}
