package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
)

// shell runs aims commands with a fixed environment, as a person would in a terminal.
type shell struct {
	t    *testing.T
	vars map[string]string
}

type result struct {
	code           int
	stdout, stderr string
}

func (s *shell) run(stdin string, args ...string) result {
	s.t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return s.vars[k] }}
	code := run(context.Background(), args, e)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (s *shell) ok(stdin string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, args...)
	if r.code != 0 {
		s.t.Fatalf("aims %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func newShell(t *testing.T, cfg *config.Config) *shell {
	return &shell{t: t, vars: map[string]string{
		"AIMS_DATA_DIR": cfg.DataDir, "AIMS_DATABASE_URL": cfg.DatabaseURL, "AIMS_LOG_LEVEL": "warn", "AIMS_LOG_FORMAT": "text",
	}}
}

// TestAdministrationAndEverydayCommands walks through what a new user does:
// create the first owner and a token from the command line, then use the
// system commands against a running server on the same database, then
// verify the audit log, tamper with it and see verification fail.
func TestAdministrationAndEverydayCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)

			r := sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "Ada@Example.org",
				"--role", "owner", "--name", "Ada Lovelace", "--password-stdin")
			if !strings.Contains(r.stdout, `created organisation "Acme Bank"`) || !strings.Contains(r.stdout, "ada@example.org is owner") {
				t.Errorf("user create said: %s", r.stdout)
			}
			r = sh.run("", "user", "create", "--org", "acme bank", "--email", "ada@example.org", "--role", "viewer")
			if r.code != 1 || !strings.Contains(r.stderr, "email: is already a member") {
				t.Errorf("second membership: exit %d, stderr %s", r.code, r.stderr)
			}
			r = sh.run("short\n", "user", "create", "--org", "Acme Bank", "--email", "bob@example.org", "--role", "boss", "--password-stdin")
			if r.code != 1 || !strings.Contains(r.stderr, "role: must be one of") {
				t.Errorf("bad role: exit %d, stderr %s", r.code, r.stderr)
			}
			token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop", "--expires", "30d").stdout)
			if !strings.HasPrefix(token, "aims_") {
				t.Fatalf("token create printed %q", token)
			}
			sh.ok("", "migrate")

			// A server runs on the same database while administrative commands work beside it.
			env := apptest.Serve(t, cfg)
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = token

			r = sh.run("", "system", "add", "--name", "", "--purpose", "", "--stage", "someday")
			if r.code != 1 || !strings.Contains(r.stderr, "name:") || !strings.Contains(r.stderr, "intended_purpose:") ||
				!strings.Contains(r.stderr, "lifecycle_stage:") {
				t.Errorf("invalid add: exit %d, stderr %s", r.code, r.stderr)
			}
			r = sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications",
				"--role", "provider", "--role", "producer", "--stage", "deployment", "--class", "high",
				"--stakeholder", "Loan applicants", "--owner", "ada@example.org")
			if strings.TrimSpace(r.stdout) != "registered SYS-1 Credit scoring" {
				t.Errorf("add said %q", r.stdout)
			}
			sh.ok("", "system", "add", "--name", "Chat assistant", "--purpose", "Answer customer questions")
			r = sh.ok("", "system", "list", "--search", "credit")
			if !strings.Contains(r.stdout, "SYS-1  Credit scoring  Deployment  High risk  Ada Lovelace  active") || strings.Contains(r.stdout, "SYS-2") {
				t.Errorf("list said:\n%s", r.stdout)
			}
			r = sh.ok("", "system", "list", "-o", "json", "--sort", "-name")
			var page struct {
				Total int
				Items []struct{ Ref string }
			}
			if err := json.Unmarshal([]byte(r.stdout), &page); err != nil || page.Total != 2 || page.Items[0].Ref != "SYS-1" {
				t.Errorf("list json: %v %+v", err, page)
			}
			r = sh.ok("", "system", "show", "sys-1")
			for _, want := range []string{"Intended purpose       Score consumer credit applications", "AI roles               AI provider, AI producer",
				"ai_system.create by ada@example.org", `lifecycle_stage: (none) → "deployment"`} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("show lacks %q:\n%s", want, r.stdout)
				}
			}
			r = sh.run("", "system", "show", "SYS-9")
			if r.code != 1 || !strings.Contains(r.stderr, "not found (HTTP 404)") {
				t.Errorf("show unknown: exit %d, stderr %s", r.code, r.stderr)
			}
			sh.vars["AIMS_TOKEN"] = "aims_wrong"
			if r = sh.run("", "system", "list"); r.code != 1 || !strings.Contains(r.stderr, "HTTP 401") {
				t.Errorf("wrong token: exit %d, stderr %s", r.code, r.stderr)
			}
			sh.vars["AIMS_TOKEN"] = token

			r = sh.ok("", "audit", "checkpoint")
			if !strings.Contains(r.stdout, "signed 1 checkpoint(s)") {
				t.Errorf("checkpoint said %q", r.stdout)
			}
			r = sh.ok("", "audit", "verify")
			if !strings.Contains(r.stdout, "1 log(s), 6 entries: all verified") {
				t.Errorf("verify said:\n%s", r.stdout)
			}
			// An auditor checks with the published key instead of the key file.
			key := apptest.Get(t, env.URL+"/api/v1/audit/key")
			delete(sh.vars, "AIMS_DATA_DIR")
			sh.ok("", "audit", "verify", "--data-dir", cfg.DataDir, "--log-key-file", "/nonexistent", "--key", strings.TrimSpace(key))

			// Someone with database access edits an entry behind aims' back.
			sh.vars["AIMS_DATA_DIR"] = cfg.DataDir
			tamper(t, env.App.DB, 5)
			r = sh.run("", "audit", "verify")
			if r.code != 1 || !strings.Contains(r.stderr, "first bad entry: 5 in aims/audit/") || !strings.Contains(r.stdout, "FAILED") {
				t.Errorf("verify after tampering: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// tamper rewrites the actor of one audit entry, going around the triggers.
func tamper(t *testing.T, d *db.DB, index int) {
	t.Helper()
	ctx := context.Background()
	if d.Dialect() == db.Postgres {
		if _, err := d.ExecContext(ctx, `ALTER TABLE log_payloads DISABLE TRIGGER USER`); err != nil {
			t.Fatal(err)
		}
	} else if _, err := d.ExecContext(ctx, `DROP TRIGGER log_payloads_erase_only`); err != nil {
		t.Fatal(err)
	}
	var p []byte
	if err := d.QueryRowContext(ctx, `SELECT payload FROM log_payloads WHERE idx = ?`, index).Scan(&p); err != nil {
		t.Fatal(err)
	}
	altered := strings.Replace(string(p), "ada@example.org", "eve@example.org", 1)
	if altered == string(p) {
		t.Fatalf("entry %d does not name ada: %s", index, p)
	}
	if _, err := d.ExecContext(ctx, `UPDATE log_payloads SET payload = ? WHERE idx = ?`, []byte(altered), index); err != nil {
		t.Fatal(err)
	}
}

func TestConfigIsRedacted(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{
		"AIMS_DATABASE_URL": "postgres://aims:s3cret@db.example:5432/aims?sslmode=require", "AIMS_TOKEN": "aims_abc"}}
	r := sh.ok("", "config", "--addr", ":9090")
	for _, want := range []string{"AIMS_ADDR", ":9090", "flag", "postgres://aims:REDACTED@db.example:5432/aims?sslmode=require", "env", "REDACTED"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("config lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "s3cret") || strings.Contains(r.stdout, "aims_abc") {
		t.Errorf("config shows a secret:\n%s", r.stdout)
	}
	if r := sh.run("", "config", "--log-format", "xml"); r.code != 1 || !strings.Contains(r.stderr, "log-format") {
		t.Errorf("bad setting: exit %d, %s", r.code, r.stderr)
	}
}

func TestCompletion(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{}}
	if r := sh.ok("", "completion", "bash"); !strings.Contains(r.stdout, "__start_aims") {
		t.Errorf("bash completion script missing its entry point")
	}
	r := sh.ok("", "__complete", "system", "add", "--stage", "")
	if !strings.Contains(r.stdout, "operation_and_monitoring\tOperation and monitoring") {
		t.Errorf("stage completion:\n%s", r.stdout)
	}
	r = sh.ok("", "__complete", "user", "create", "--role", "")
	if !strings.Contains(r.stdout, "auditor") {
		t.Errorf("role completion:\n%s", r.stdout)
	}
}
