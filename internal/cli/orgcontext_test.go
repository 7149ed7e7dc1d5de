package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestContextAndConcernCommands edits, approves and compares the context,
// and reports, lists and answers a concern from the command line.
func TestContextAndConcernCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			for _, u := range [][2]string{{"ada@example.org", "owner"}, {"carl@example.org", "contributor"}} {
				sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", u[0], "--role", u[1],
					"--name", strings.Split(u[0], "@")[0], "--password-stdin")
			}
			ada := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "t").stdout)
			carl := strings.TrimSpace(sh.ok("", "token", "create", "--email", "carl@example.org", "--name", "t").stdout)
			env := apptest.Serve(t, cfg)
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = carl
			has := func(r result, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(r.stdout+r.stderr, w) {
						t.Errorf("output lacks %q:\n%s%s", w, r.stdout, r.stderr)
					}
				}
			}
			has(sh.ok("", "context", "--help"), "4.1 to 4.3", "approve", "compare")
			file := filepath.Join(t.TempDir(), "context.json")
			if err := os.WriteFile(file, []byte(`{"external_issues":[{"issue":"EU AI Act","effect":"Duties"}],
				"scope":{"statement":"Lending"},"climate":{"decision":"not_relevant","justification":"Small"}}`), 0o600); err != nil {
				t.Fatal(err)
			}
			has(sh.ok("", "context", "edit", "--file", file), "draft saved (version 1)")
			has(sh.run("", "context", "approve"), "does not allow document.approve (HTTP 403)")
			sh.vars["AIMS_TOKEN"] = ada
			has(sh.ok("", "context", "approve", "--review-months", "6"), "approved Context v1; next review on 20")
			has(sh.ok("", "context", "versions"), "Context v1", "(in force)")
			has(sh.ok("", "context", "compare", "--from", "0", "--to", "1"), "added the external issue “EU AI Act”")
			has(sh.ok("", "context", "show", "--version", "1"), "Scope: Lending", "Climate change: not_relevant")

			sh.vars["AIMS_TOKEN"] = carl
			has(sh.ok("", "concern", "report", "--category", "bias", "--summary", "Postcodes", "--description", "Refusals", "--anonymous"),
				"reported CON-1", "/concerns/receipt/")
			has(sh.run("", "concern", "list"), "does not allow concern.handle (HTTP 403)")
			sh.vars["AIMS_TOKEN"] = ada
			has(sh.ok("", "concern", "list"), "CON-1", "Postcodes")
			has(sh.ok("", "concern", "answer", "CON-1", "--answer", "Fixed"), "CON-1 is answered")
			has(sh.ok("", "concern", "note", "CON-1", "--body", "Checked"), "note added to CON-1")
			has(sh.ok("", "concern", "show", "CON-1"), "anonymous (not named)", "note by ada@example.org")
			has(sh.ok("", "concern", "public", "on"), "public reporting is on", "/report/")
		})
	}
}
