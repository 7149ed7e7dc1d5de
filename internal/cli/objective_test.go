package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestObjectiveCommands sets an objective and an indicator, records values
// singly, as a correction and in a batch from standard input, and checks
// what each command says and its refusals.
func TestObjectiveCommands(t *testing.T) {
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
			contains(sh.ok("", "--help"), "objective")
			contains(sh.ok("", "objective", "--help"), "OBJ-1/I2/M5", "measure", "indicator")
			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications")

			fails(sh.run("", "objective", "add", "--title", "Explain refusals", "--owner", "ada@example.org", "--annex-c", "C.3.1"),
				"annex_c: names C.3.1", "plan.actions: is required", "plan.due_on: is required")
			contains(sh.ok("", "objective", "add", "--title", "Explain refusals", "--owner", "ada@example.org", "--annex-c", "C.2.11",
				"--system", "SYS-1", "--actions", "Reasons with each refusal", "--resources", "Two engineers", "--responsible", "Credit team",
				"--due-on", "2026-12-31", "--evaluation", "Monthly sample"), "set OBJ-1 Explain refusals, owned by ada@example.org")
			fails(sh.run("", "objective", "indicator", "OBJ-1", "--name", "Explained", "--target", "between", "--min", "2", "--cadence", "monthly",
				"--method", "m"), "target.max: is required")
			contains(sh.ok("", "objective", "indicator", "OBJ-1", "--name", "Explained", "--unit", "%", "--target", "at_least", "--min", "95",
				"--cadence", "monthly", "--method", "Sample of refusals", "--starts-on", "2024-12-31"),
				"defined OBJ-1/I1 Explained: at least 95 %, monthly; first value due 2025-01-31")

			sh.vars["AIMS_TOKEN"] = carl
			fails(sh.run("", "objective", "add", "--title", "x", "--owner", "ada@example.org"), "HTTP 403")
			fails(sh.run("", "objective", "measure", "OBJ-1", "--value", "1"), `"OBJ-1" is not an indicator's reference`)
			fails(sh.run("", "objective", "measure", "OBJ-1/I1", "--on", "2025-01-31"), "value: is required")
			contains(sh.ok("", "objective", "measure", "obj-1/i1", "--value", "96", "--on", "2025-01-31"), "recorded OBJ-1/I1/M1: 96 for 2025-01-31")
			contains(sh.ok("", "objective", "measure", "OBJ-1/I1", "--value", "94", "--corrects", "1", "--note", "Counted twice"),
				"recorded OBJ-1/I1/M2: 94 for 2025-01-31, correcting M1")
			fails(sh.run(`{"items":[{"indicator":"OBJ-1/I9","value":1}]}`, "objective", "measure", "--file", "-"), "items[0].indicator: names OBJ-1/I9")
			contains(sh.ok(`{"items":[{"indicator":"OBJ-1/I1","value":97,"measured_on":"2025-02-28"},{"indicator":"OBJ-1/I1","value":98,"measured_on":"2025-03-31"}]}`,
				"objective", "measure", "--file", "-"), "recorded OBJ-1/I1/M3: 97 for 2025-02-28", "recorded OBJ-1/I1/M4: 98 for 2025-03-31")
			contains(sh.ok("", "objective", "values", "OBJ-1/I1"), "REF FOR VALUE STATE NOTE", "OBJ-1/I1/M1 2025-01-31 96 corrected by M2 -",
				"OBJ-1/I1/M2 2025-01-31 94 corrects M1 Counted twice", "OBJ-1/I1/M4 2025-03-31 98 in force -")
			// The latest in force is 98 for 2025-03-31, the end of March: the next is due 2025-04-30.
			contains(sh.ok("", "objective", "show", "OBJ-1"), "Annex C C.2.11 Transparency and explainability",
				"OBJ-1/I1 Explained: at least 95 %, monthly; latest 98 for 2025-03-31, on target; due since 2025-04-30", "objective_measurement.correct")
			contains(sh.ok("", "objective", "list", "--due"), "REF TITLE OWNER DUE BY INDICATORS OFF TARGET VALUES DUE STATUS",
				"OBJ-1 Explain refusals ada@example.org 2026-12-31 1 0 1 active")
			contains(sh.ok("", "objective", "list", "-o", "json"), `"ref": "OBJ-1"`)

			sh.vars["AIMS_TOKEN"] = ada
			fails(sh.run("", "objective", "status", "OBJ-1", "--set", "achieved"), "note: is required")
			contains(sh.ok("", "objective", "status", "OBJ-1", "--set", "achieved", "--note", "On target all year"), "OBJ-1 is achieved")
		})
	}
}
