package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestSystemTokenCreate makes, from the command line, a token that may only
// write one AI system's decisions, and sees every other use of it refused.
func TestSystemTokenCreate(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "ada@example.org",
				"--role", "contributor", "--password-stdin")
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "vic@example.org", "--role", "viewer", "--password-stdin")
			token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop").stdout)

			env := apptest.Serve(t, cfg)
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = token
			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications")

			r := sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "scoring service", "--system", "sys-1", "--expires", "30d")
			scoped := strings.TrimSpace(r.stdout)
			if !strings.HasPrefix(scoped, "aims_") || strings.Contains(r.stdout, "\n"+"aims_") {
				t.Fatalf("token create printed %q", r.stdout)
			}
			if !strings.Contains(r.stderr, `token "scoring service" for ada@example.org, may only write the decisions of SYS-1, expires `) {
				t.Errorf("token create said %q", r.stderr)
			}
			var systemID, sys1 string
			ctx := context.Background()
			if err := env.App.DB.QueryRowContext(ctx, `SELECT t.system_id, s.id FROM api_tokens t, ai_systems s
				WHERE t.name = 'scoring service' AND s.ref = 'SYS-1'`).Scan(&systemID, &sys1); err != nil || systemID != sys1 {
				t.Fatalf("stored system_id %q, want SYS-1's id %q (%v)", systemID, sys1, err)
			}
			var plain *string
			if err := env.App.DB.QueryRowContext(ctx, `SELECT system_id FROM api_tokens WHERE name = 'laptop'`).Scan(&plain); err != nil || plain != nil {
				t.Errorf("the ordinary token has system_id %v (%v)", plain, err)
			}

			// With it, the everyday commands are refused; the ordinary token still works.
			sh.vars["AIMS_TOKEN"] = scoped
			for _, args := range [][]string{{"system", "list"}, {"system", "show", "SYS-1"},
				{"system", "add", "--name", "Another", "--purpose", "x"}} {
				if r := sh.run("", args...); r.code != 1 || !strings.Contains(r.stderr, "only write decisions") || !strings.Contains(r.stderr, "HTTP 403") {
					t.Errorf("aims %s with the system token: exit %d, stderr %s", strings.Join(args, " "), r.code, r.stderr)
				}
			}
			sh.vars["AIMS_TOKEN"] = token
			if r := sh.ok("", "system", "list"); !strings.Contains(r.stdout, "SYS-1") {
				t.Errorf("system list with the ordinary token:\n%s", r.stdout)
			}

			// Refusals: an unknown system, a viewer, and a bad name are reported and change nothing.
			before := countTokens(t, env)
			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"--email", "ada@example.org", "--name", "x", "--system", "SYS-9"}, "not found"},
				{[]string{"--email", "vic@example.org", "--name", "x", "--system", "SYS-1"}, "is a viewer in Acme Bank"},
				{[]string{"--email", "ada@example.org", "--name", " ", "--system", "SYS-1"}, "name:"},
				{[]string{"--email", "ada@example.org", "--name", "x", "--system", "SYS-1", "--org", "Globex"}, "org:"},
			} {
				r := sh.run("", append([]string{"token", "create"}, c.args...)...)
				if r.code != 1 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
					t.Errorf("token create %s: exit %d, stdout %q, stderr %s", strings.Join(c.args, " "), r.code, r.stdout, r.stderr)
				}
			}
			if after := countTokens(t, env); after != before {
				t.Errorf("%d tokens after refusals, want %d", after, before)
			}
			if r := sh.ok("", "token", "create", "--help"); !strings.Contains(r.stdout, "--system") || !strings.Contains(r.stdout, "only record that AI system's decisions") {
				t.Errorf("help lacks --system:\n%s", r.stdout)
			}
		})
	}
}

func countTokens(t *testing.T, env *apptest.Env) int {
	t.Helper()
	var n int
	if err := env.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM api_tokens`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
