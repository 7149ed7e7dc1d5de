package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestInternalAuditCommands records a programme, plans an audit (refusing an
// auditor who is an auditee), starts it as its auditor, records a major
// nonconformity and issues the report, checking what each command says.
func TestInternalAuditCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			for _, u := range [][2]string{{"ada@example.org", "owner"}, {"ian@example.org", "auditor"}, {"carl@example.org", "contributor"}} {
				sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", u[0], "--role", u[1],
					"--name", strings.Split(u[0], "@")[0], "--password-stdin")
			}
			ada := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--org", "Acme Bank", "--name", "t").stdout)
			ian := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ian@example.org", "--name", "t").stdout)
			env := apptest.Serve(t, cfg)
			userID := func(email string) string {
				var id string
				if err := env.App.DB.QueryRowContext(context.Background(), `SELECT id FROM users WHERE email = ?`, email).Scan(&id); err != nil {
					t.Fatal(err)
				}
				return id
			}
			ianID, carlID := userID("ian@example.org"), userID("carl@example.org")
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = ada
			spaces := regexp.MustCompile(` {2,}`)
			contains := func(r result, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(spaces.ReplaceAllString(r.stdout+r.stderr, " "), spaces.ReplaceAllString(w, " ")) {
						t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, r.stdout, r.stderr)
					}
				}
			}
			fails := func(r result, wants ...string) {
				t.Helper()
				if r.code != 1 {
					t.Errorf("exit %d, want 1:\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
				}
				contains(r, wants...)
			}
			contains(sh.ok("", "--help"), "internal-audit")
			contains(sh.ok("", "internal-audit", "--help"), "IA-1/C3", "programme", "record", "report")

			fails(sh.run("", "internal-audit", "programme", "add", "--start", "2026-02-30", "--objectives", "x"), "cycle_start: must be a date")
			contains(sh.ok("", "internal-audit", "programme", "add", "--start", "2026-01-01", "--objectives", "Certify"),
				"IAP-1 recorded: cycle 2026-01-01 to 2028-12-31, recertification due 2029-01-01")
			contains(sh.ok("", "internal-audit", "programme", "list"), "IAP-1 2 2027-01-01 2027-12-31 surveillance 0")
			contains(sh.ok("", "internal-audit", "programme", "update", "IAP-1", "--methods", "Sampling"), "IAP-1 is at version 2")

			plan := []string{"internal-audit", "plan", "--programme", "IAP-1", "--title", "Competence", "--objectives", "Check competence",
				"--criteria", "ISO/IEC 42001", "--clause", "7.2", "--start", "2026-03-10", "--end", "2026-03-12", "--auditor", ianID}
			fails(sh.run("", append(plan, "--auditee", ianID)...), "auditor_id: names ian, who may not audit their own work: they are also an auditee")
			contains(sh.ok("", append(plan, "--auditee", carlID)...), "IA-1 planned: Competence, 2026-03-10 to 2026-03-12, audited by ian")
			contains(sh.ok("", "internal-audit", "update", "IA-1", "--end", "2026-03-13"), "IA-1 is at version 2")
			fails(sh.run("", "internal-audit", "start", "IA-1"), "HTTP 403")

			sh.vars["AIMS_TOKEN"] = ian
			contains(sh.ok("", "internal-audit", "start", "IA-1"), "IA-1 started with 1 checklist items", "IA-1/C1 7.2 Competence")
			fails(sh.run("", "internal-audit", "record", "IA-1", "C1", "--result", "major"), "notes: must describe the finding")
			contains(sh.ok("", "internal-audit", "record", "IA-1", "IA-1/C1", "--result", "major", "--notes", "No records"), "IA-1/C1 recorded: Major nonconformity")
			contains(sh.ok("", "internal-audit", "report", "IA-1", "--summary", "Weak", "--conclusion", "Not effective"),
				"the report of IA-1 is issued with 1 findings", "IA-1/F1 major 7.2 NC-1")
			contains(sh.ok("", "internal-audit", "show", "IA-1"), "IA-1 Competence (Reported, programme IAP-1)", "IA-1/F1 major 7.2 NC-1")
			contains(sh.ok("", "internal-audit", "list", "--status", "reported"), "IA-1 Competence 2026-03-10 2026-03-13 ian reported")
			contains(sh.ok("", "internal-audit", "show", "IA-1", "-o", "json"), `"nonconformity_ref": "NC-1"`)
		})
	}
}
