package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestIncidentCommands records a serious incident with its Art. 73 deadline,
// records its notification, raises a nonconformity and takes that to closure
// from the command line, checking what each command says and its refusals.
func TestIncidentCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			for _, u := range [][3]string{{"Acme Bank", "ada@example.org", "owner"}, {"Acme Bank", "carl@example.org", "contributor"}} {
				sh.ok("correct horse battery staple\n", "user", "create", "--org", u[0], "--email", u[1], "--role", u[2],
					"--name", strings.Split(u[1], "@")[0], "--password-stdin")
			}
			ada := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--org", "Acme Bank", "--name", "t").stdout)
			carl := strings.TrimSpace(sh.ok("", "token", "create", "--email", "carl@example.org", "--name", "t").stdout)
			env := apptest.Serve(t, cfg)
			var adaID string
			if err := env.App.DB.QueryRowContext(context.Background(), `SELECT id FROM users WHERE email = 'ada@example.org'`).Scan(&adaID); err != nil {
				t.Fatal(err)
			}
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = carl
			spaces := regexp.MustCompile(` {2,}`)
			contains := func(r result, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(spaces.ReplaceAllString(r.stdout+r.stderr, " "), w) {
						t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, r.stdout, r.stderr)
					}
				}
			}
			contains(sh.ok("", "incident", "--help"), "Article 73", "INC-1/N1")
			contains(sh.ok("", "nc", "--help"), "NC-1/A1", "effective")
			sh.ok("", "system", "add", "--name", "Triage", "--purpose", "Triage patients")

			r := sh.run("", "incident", "add", "--title", "x", "--occurred", "2026-03-01T07:00:00Z", "--severity", "grave")
			if r.code != 1 {
				t.Errorf("bad incident exit %d", r.code)
			}
			contains(sh.ok("", "incident", "add", "--title", "Patient sent home", "--occurred", "2026-03-01T07:00:00Z",
				"--aware", "2026-03-02T09:00:00Z", "--severity", "critical", "--harm", "health_safety", "--system", "SYS-1", "--serious", "death"),
				"INC-1 Patient sent home", "Art. 73 report due 2026-03-12T09:00:00Z", "INC-1/N1 market_surveillance due 2026-03-12T09:00:00Z")
			contains(sh.ok("", "incident", "notify", "INC-1", "--to", "data_protection"), "INC-1/N2 due 2026-03-05T09:00:00Z")
			contains(sh.ok("", "incident", "notified", "INC-1/N1", "--method", "Web form", "--reference", "MSA-1"), "INC-1/N1 notified")
			contains(sh.ok("", "incident", "list"), "INC-1 Patient sent home critical death open INC-1/N2")
			contains(sh.ok("", "incident", "raise-nc", "INC-1"), "nonconformity NC-1")
			contains(sh.ok("", "nc", "show", "NC-1", "-o", "json"), `"source_ref": "INC-1"`)

			contains(sh.ok("", "nc", "action", "NC-1", "--description", "Nurse checks discharge", "--owner", adaID, "--due", "2099-01-31"),
				"NC-1/A1 planned, due 2099-01-31")
			contains(sh.ok("", "nc", "done", "NC-1/A1", "--note", "In place"), "NC-1/A1 done")
			if r := sh.run("", "nc", "check", "NC-1", "--effective"); r.code != 1 || !strings.Contains(r.stderr, "403") {
				t.Errorf("contributor check: %d %s", r.code, r.stderr)
			}
			sh.vars["AIMS_TOKEN"] = ada
			contains(sh.ok("", "nc", "check", "NC-1", "--effective", "--evidence", "EV-1"), "NC-1/E1 effective=true")
			contains(sh.ok("", "nc", "close", "NC-1"), "status closed")
			contains(sh.ok("", "nc", "list", "--status", "closed"), "NC-1 Patient sent home incident INC-1 major closed")
		})
	}
}
