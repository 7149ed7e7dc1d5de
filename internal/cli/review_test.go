package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/review"
)

// TestReviewCommands holds a management review from the command line: plan
// it, see its inputs, record a decision and an action, sign it off as the
// chair, see it frozen, follow up the action and write the minutes.
func TestReviewCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			for _, u := range [][2]string{{"ada@example.org", "owner"}, {"max@example.org", "manager"}, {"carl@example.org", "contributor"}} {
				sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", u[0], "--role", u[1],
					"--name", strings.Split(u[0], "@")[0], "--password-stdin")
			}
			token := func(email string) string {
				return strings.TrimSpace(sh.ok("", "token", "create", "--email", email, "--org", "Acme Bank", "--name", "t").stdout)
			}
			ada, mgr, carl := token("ada@example.org"), token("max@example.org"), token("carl@example.org")
			env := apptest.Serve(t, cfg)
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = mgr
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
			today := time.Now().UTC().Format(time.DateOnly)
			due := time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)

			contains(sh.ok("", "--help"), "review")
			contains(sh.ok("", "review", "--help"), "MR-1/A3", "sign-off", "decide", "minutes")
			contains(sh.run("", "review", "list"), "no management reviews yet")
			fails(sh.run("", "review", "add", "--title", "x", "--planned", today), `required flag(s) "chair" not set`)
			fails(sh.run("", "review", "add", "--title", "x", "--planned", "soon", "--chair", "carl@example.org"),
				"planned_on: must be a date", "chair: must be an owner or manager")
			contains(sh.ok("", "review", "add", "--title", "Management review 2026", "--planned", today, "--chair", "ada@example.org",
				"--attendee", "max@example.org", "--guest", "Jane Roe (consultant)"),
				"planned MR-1 Management review 2026 for "+today+", chaired by ada@example.org", "inputs missing so far:")
			contains(sh.ok("", "review", "list"), "MR-1 Management review 2026 "+today+" - ada@example.org draft 0")
			contains(sh.ok("", "review", "show", "mr-1"), "9.3.2 a) Status of actions from previous management reviews [present]",
				"9.3.2 b) Changes in external and internal issues [MISSING:", "Jane Roe (consultant)", "management_review.create")
			fails(sh.run("", "review", "decide", "MR-1", "--kind", "wish", "--text", "x"), `kind: expected value to be one of "improvement, change, resources"`)
			contains(sh.ok("", "review", "decide", "MR-1", "--kind", "resources", "--text", "Fund a second fairness reviewer."), "recorded MR-1/D1 (resources)")
			contains(sh.ok("", "review", "action", "add", "MR-1", "--description", "Hire a fairness reviewer", "--owner", "carl@example.org", "--due", due),
				"recorded MR-1/A1, owner carl@example.org, due "+due)
			fails(sh.run("", "review", "sign-off", "MR-1", "--held", today), "only the chair of MR-1 may sign it off")

			sh.vars["AIMS_TOKEN"] = ada
			fails(sh.run("", "review", "sign-off", "MR-1"), "held_on: must be recorded before the review is signed off")
			contains(sh.ok("", "review", "sign-off", "MR-1", "--held", today), "MR-1 is signed off by ada@example.org")
			fails(sh.run("", "review", "decide", "MR-1", "--kind", "change", "--text", "Late"), "MR-1 is signed off")
			fails(sh.run("", "review", "update", "MR-1", "--notes", "Late"), "MR-1 is signed off")
			contains(sh.ok("", "review", "action", "done", "mr-1/a1"), "MR-1/A1 is done ("+today+")")
			fails(sh.run("", "review", "action", "done", "MR-1"), `"MR-1" is not an action reference`)

			r := sh.ok("", "review", "show", "MR-1", "-o", "json")
			var got review.Review
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatal(err)
			}
			if got.Status != review.StatusSignedOff || got.HeldOn != today || len(got.Decisions) != 1 || got.Actions[0].Status != review.ActionDone ||
				got.Inputs == nil || len(got.Inputs.Sections) == 0 {
				t.Errorf("show -o json = %+v", got)
			}
			file := filepath.Join(t.TempDir(), "minutes.pdf")
			contains(sh.ok("", "review", "minutes", "MR-1", "--file", file), "wrote "+file)
			if data, err := os.ReadFile(file); err != nil || !strings.HasPrefix(string(data), "%PDF-") {
				t.Errorf("minutes file: %v", err)
			}

			sh.vars["AIMS_TOKEN"] = carl
			fails(sh.run("", "review", "add", "--title", "x", "--planned", today, "--chair", "ada@example.org"), "your role does not allow review.edit")
		})
	}
}
