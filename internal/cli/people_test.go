package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestPeopleCommands sets up competences, a course and an AIMS role,
// records, corrects and withdraws training, and reads the matrix and a
// person's page from the command line, checking what each command says and its refusals.
func TestPeopleCommands(t *testing.T) {
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
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = carl
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
			contains(sh.ok("", "--help"), "people")
			contains(sh.ok("", "people", "--help"), "ROLE-1", "matrix", "training")
			contains(sh.ok("", "people", "training", "record", "--help"), "aims people training record --replaces TR-4")

			fails(sh.run("", "people", "competence", "add", "--name", "Statistics"), "HTTP 403")
			sh.vars["AIMS_TOKEN"] = ada
			fails(sh.run("", "people", "competence", "add", "--name", " "), "name: is required")
			contains(sh.ok("", "people", "competence", "add", "--name", "Statistics"), "recorded COMP-1 Statistics")
			contains(sh.ok("", "people", "competence", "add", "--name", "AI risk assessment"), "recorded COMP-2 AI risk assessment")
			contains(sh.ok("", "people", "course", "add", "--title", "Stats 101", "--validity-months", "12", "--competence", "COMP-1"),
				"recorded CRS-1 Stats 101 (12 months)")
			contains(sh.ok("", "people", "role", "add", "--name", "Model validator", "--responsibilities", "Validates models",
				"--member", "carl@example.org", "--competence", "COMP-1", "--competence", "ai risk assessment"), "recorded ROLE-1 Model validator")
			contains(sh.ok("", "people", "role", "update", "ROLE-1", "--reports-to-top-management"), "ROLE-1 updated (version 2)")
			contains(sh.ok("", "people", "role", "update", "ROLE-1", "--authorities", ""), "nothing changed: ROLE-1 stays at version 2")
			contains(sh.ok("", "people", "role", "list"), "REF NAME HOLDERS REQUIRES STATUS", "ROLE-1 Model validator 1 COMP-2,COMP-1 active")
			contains(sh.ok("", "people", "matrix"), "PERSON COMP-2 COMP-1", "carl@example.org missing missing", "2 gaps on 2")

			sh.vars["AIMS_TOKEN"] = carl
			fails(sh.run("", "people", "training", "record", "--person", "nobody@example.org", "--course", "CRS-1"), "person: names nobody@example.org")
			// The server runs on today's clock: completions on the 15th of earlier months, each
			// expiring on the same day a year later under the course's 12 months.
			n := time.Now().UTC()
			day := func(monthsAgo, years int) string {
				return time.Date(n.Year()+years, n.Month()-time.Month(monthsAgo), 15, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
			}
			contains(sh.ok("", "people", "training", "record", "--person", "carl@example.org", "--course", "CRS-1", "--completed-on", day(2, 0)),
				"recorded TR-1 for carl@example.org: Stats 101, completed on "+day(2, 0)+", expires on "+day(2, 1))
			contains(sh.ok("", "people", "training", "record", "--replaces", "TR-1", "--course", "CRS-1", "--completed-on", day(1, 0)),
				"recorded TR-2 for carl@example.org: Stats 101, completed on "+day(1, 0)+", expires on "+day(1, 1))
			contains(sh.ok("", "people", "show", "me"), "Roles: ROLE-1 Model validator", "COMP-1 Statistics: held "+day(1, 1)+" TR-2 (required by ROLE-1)",
				"COMP-2 AI risk assessment: missing", "TR-1 carl@example.org Stats 101 "+day(2, 0)+" "+day(2, 1)+" replaced")
			fails(sh.run("", "people", "training", "withdraw", "TR-1", "--reason", "x"), "was replaced by TR-2")
			contains(sh.ok("", "people", "training", "withdraw", "TR-2", "--reason", "Wrong course"), "TR-2 is withdrawn")
			contains(sh.ok("", "people", "training", "list", "--state", "withdrawn"), "TR-2", "1 records")
			contains(sh.ok("", "people", "training", "show", "TR-2"), "Withdrawn Wrong course", "training_record.withdraw")
			contains(sh.ok("", "people", "competence", "show", "COMP-1"), "Required by ROLE-1", "Conferred by CRS-1")
			sh.vars["AIMS_TOKEN"] = ada
			contains(sh.ok("", "people", "course", "archive", "CRS-1"), "CRS-1 is archived")
			contains(sh.ok("", "people", "course", "list", "--status", "archived"), "CRS-1 Stats 101")
		})
	}
}
