package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestDocumentCommands writes the AI policy from a file, approves it,
// acknowledges it as a viewer, writes and compares a second version,
// records a review and withdraws a procedure from the command line,
// checking what each command says and its refusals.
func TestDocumentCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			for _, u := range [][2]string{{"ada@example.org", "owner"}, {"carl@example.org", "contributor"}, {"vic@example.org", "viewer"}} {
				sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", u[0], "--role", u[1],
					"--name", strings.Split(u[0], "@")[0], "--password-stdin")
			}
			token := func(email string) string {
				return strings.TrimSpace(sh.ok("", "token", "create", "--email", email, "--org", "Acme Bank", "--name", "t").stdout)
			}
			ada, carl, vic := token("ada@example.org"), token("carl@example.org"), token("vic@example.org")
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
			contains(sh.ok("", "--help"), "document")
			contains(sh.ok("", "document", "--help"), "DOC-1", "acknowledge", "to-read", "approve", "review")

			dir := t.TempDir()
			policy := filepath.Join(dir, "policy.md")
			if err := os.WriteFile(policy, []byte("# AI policy\n\nWe use AI responsibly.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			fails(sh.run("", "document", "add", "--title", "AI policy"), `required flag(s) "kind" not set`)
			fails(sh.run("", "document", "add", "--title", " ", "--kind", "ai_policy", "--clause", "9.9", "--distribute", "boss"),
				"title: is required", "clauses[0]: names 9.9", "distribution[0]: must be everyone or one of")
			contains(sh.ok("", "document", "add", "--title", "AI policy", "--kind", "ai_policy", "--file", policy, "--change-note", "First issue"),
				"recorded DOC-1 AI policy (ai_policy) with the draft of version 1")
			fails(sh.run("", "document", "add", "--title", "Another", "--kind", "ai_policy"), "kind: cannot be ai_policy while DOC-1")
			contains(sh.ok("Report incidents at once.\n", "document", "add", "--title", "Incident procedure", "--kind", "procedure",
				"--clause", "10.2", "--control", "A.8.4", "--distribute", "owner,contributor", "--review-months", "6", "--owner", "ada@example.org", "--file", "-"),
				"recorded DOC-2 Incident procedure (procedure)")
			contains(sh.ok("", "document", "list"), "REF TITLE KIND IN FORCE DRAFT NEXT REVIEW ACKNOWLEDGED STATUS",
				"DOC-1 AI policy ai_policy - v1 - - active", "DOC-2 Incident procedure procedure - v1", "1–2 of 2")
			contains(sh.ok("", "document", "text", "DOC-1"), "# AI policy\n\nWe use AI responsibly.")

			// Approval is for owners and managers.
			fails(sh.run("", "document", "approve", "DOC-1"), "HTTP 403")
			sh.vars["AIMS_TOKEN"] = ada
			fails(sh.run("", "document", "approve", "DOC-1", "--revision", "7"), "revision: is 1, not 7")
			contains(sh.ok("", "document", "approve", "DOC-1", "--note", "Board decision"), "approved DOC-1 version 1 (SHA-256 ",
				"3 people are asked to acknowledge it")
			contains(sh.ok("", "document", "approve", "DOC-2"), "approved DOC-2 version 1", "2 people are asked")
			fails(sh.run("", "document", "approve", "DOC-1"), "DOC-1 has no draft to approve")

			// The viewer reads and acknowledges the AI policy; the procedure is not for viewers.
			sh.vars["AIMS_TOKEN"] = vic
			contains(sh.ok("", "document", "to-read"), "REF TITLE VERSION APPROVED CHANGE NOTE", "DOC-1 AI policy 1")
			contains(sh.ok("", "document", "acknowledge", "DOC-1"), "acknowledged DOC-1 version 1 on ")
			fails(sh.run("", "document", "acknowledge", "DOC-1"), "acknowledged DOC-1 v1 already")
			fails(sh.run("", "document", "acknowledge", "DOC-2"), "HTTP 403", "not to viewers")
			contains(sh.ok("", "document", "to-read"), "nothing to read")
			contains(sh.ok("", "document", "acknowledgements", "DOC-1"), "DOC-1 version 1: 1 of 3 acknowledged (distributed to Everyone)",
				"EMAIL NAME ROLE ACKNOWLEDGED", "ada@example.org ada owner not yet", "vic@example.org vic viewer 20")

			// A second version from a file, compared with the first.
			sh.vars["AIMS_TOKEN"] = carl
			if err := os.WriteFile(policy, []byte("# AI policy\n\nWe use AI responsibly and lawfully.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			contains(sh.ok("", "document", "edit", "DOC-1", "--change-note", "Lawful use"), "started version 2 of DOC-1 as a draft (revision 1")
			contains(sh.ok("", "document", "edit", "DOC-1", "--file", policy), "saved the draft of DOC-1, version 2 (revision 2")
			contains(sh.ok("", "document", "edit", "DOC-1", "--file", policy), "nothing changed: the draft of DOC-1, version 2, stays at revision 2")
			contains(sh.ok("", "document", "compare", "DOC-1", "--from", "1", "--to", "2"), "--- DOC-1 version 1", "-We use AI responsibly.",
				"+We use AI responsibly and lawfully.", "1 added, 1 removed")
			contains(sh.ok("", "document", "versions", "DOC-1"), "VERSION STATUS APPROVED BY SHA-256 CHANGE NOTE", "2 draft - - ", "1 in force 20")
			sh.vars["AIMS_TOKEN"] = ada
			contains(sh.ok("", "document", "approve", "DOC-1"), "approved DOC-1 version 2")
			sh.vars["AIMS_TOKEN"] = vic
			contains(sh.ok("", "document", "to-read"), "DOC-1 AI policy 2")
			r := sh.ok("", "document", "to-read", "-o", "json")
			var items []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || len(items) != 1 || items[0]["earlier"] != float64(1) {
				t.Errorf("to-read as JSON: %v %s", err, r.stdout)
			}

			// Details, review and withdrawal.
			sh.vars["AIMS_TOKEN"] = carl
			contains(sh.ok("", "document", "update", "DOC-1", "--review-months", "6", "--control", "A.2.2,A.2.3"), "DOC-1 updated (version")
			contains(sh.ok("", "document", "update", "DOC-1", "--review-months", "6"), "nothing changed")
			fails(sh.run("", "document", "review", "DOC-2"), "HTTP 403")
			sh.vars["AIMS_TOKEN"] = ada
			contains(sh.ok("", "document", "review", "DOC-2", "--note", "Still right"), "recorded the review of DOC-2 version 1; next review")
			contains(sh.ok("", "document", "show", "DOC-1"), "Title AI policy", "Controls A.2.2, A.2.3", "In force version 2, approved by ada",
				"v1 superseded First issue", "Acknowledgements of version 2: 0 of 3", "document.approve", "document.update")
			contains(sh.ok("", "document", "archive", "DOC-2", "--reason", "Merged into DOC-1"), "DOC-2 is archived")
			contains(sh.ok("", "document", "list", "--status", "archived"), "DOC-2 Incident procedure")
			contains(sh.ok("", "document", "restore", "DOC-2"), "DOC-2 is active")
			fails(sh.run("", "document", "show", "DOC-9"), "HTTP 404")
		})
	}
}
