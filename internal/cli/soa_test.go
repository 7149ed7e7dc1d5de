package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/soa"
)

// TestSoACommands fills in, approves, compares and exports a Statement of
// Applicability from the command line against a running server.
func TestSoACommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "ada@example.org",
				"--role", "owner", "--name", "Ada Lovelace", "--password-stdin")
			token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop").stdout)
			env := apptest.Serve(t, cfg)
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = token
			dir := t.TempDir()
			// contains checks the output with runs of spaces, which align tables, as one.
			spaces := regexp.MustCompile(` {2,}`)
			contains := func(r result, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(spaces.ReplaceAllString(r.stdout+r.stderr, " "), spaces.ReplaceAllString(w, " ")) {
						t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, r.stdout, r.stderr)
					}
				}
			}

			r := sh.ok("", "soa", "show")
			contains(r, "Statement of Applicability of Acme Bank: draft", "0 of 38 controls decided",
				"Approval waits for the scope and 38 undecided controls (A.2.2, A.2.3", "and 28 more)",
				"CONTROL  FOR           APPLICABLE  STATUS", "A.2.2    organisation  undecided")
			r = sh.ok("", "soa", "scope", "All AI systems of Acme Bank in the EU.")
			contains(r, "scope saved (version 1)")
			r = sh.ok("", "soa", "scope")
			if strings.TrimSpace(r.stdout) != "All AI systems of Acme Bank in the EU." {
				t.Errorf("scope = %q", r.stdout)
			}

			r = sh.ok("", "soa", "set", "A.2.2", "--applicable", "yes", "--justification", "The policy directs the AIMS.",
				"--status", "planned", "--owner", "ada@example.org", "--target", "2026-06-30")
			if strings.TrimSpace(r.stdout) != "A.2.2: applicable yes, planned (version 1)" {
				t.Errorf("set said %q", r.stdout)
			}
			// The second change reads the current version itself.
			r = sh.ok("", "soa", "set", "a.2.2", "--applicable", "yes", "--justification", "The policy directs the AIMS.",
				"--status", "implemented", "--owner", "ada@example.org")
			if strings.TrimSpace(r.stdout) != "A.2.2: applicable yes, implemented (version 2)" {
				t.Errorf("second set said %q", r.stdout)
			}
			r = sh.run("", "soa", "set", "A.2.3", "--applicable", "yes", "--justification", " ", "--status", "done", "--target", "soon")
			if r.code != 1 || !strings.Contains(r.stderr, "justification: is required") || !strings.Contains(r.stderr, "status: must be one of") ||
				!strings.Contains(r.stderr, "target_date: must be a date") {
				t.Errorf("invalid set: exit %d, stderr %s", r.code, r.stderr)
			}
			if r = sh.run("", "soa", "set", "A.2.3", "--applicable", "maybe", "--justification", "x"); r.code != 1 || !strings.Contains(r.stderr, "--applicable must be yes or no") {
				t.Errorf("bad applicable: exit %d, stderr %s", r.code, r.stderr)
			}
			if r = sh.run("", "soa", "set", "A.99", "--applicable", "no", "--justification", "x"); r.code != 1 || !strings.Contains(r.stderr, "not found (HTTP 404)") {
				t.Errorf("unknown control: exit %d, stderr %s", r.code, r.stderr)
			}

			// An override for one AI system, seen from the system, then removed.
			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications")
			r = sh.ok("", "soa", "set", "A.7.4", "--system", "sys-1", "--applicable", "no", "--justification", "The model is bought.")
			if strings.TrimSpace(r.stdout) != "A.7.4 for SYS-1: applicable no, - (version 1)" {
				t.Errorf("override said %q", r.stdout)
			}
			r = sh.ok("", "soa", "show", "--system", "SYS-1")
			contains(r, "Statement of Applicability for SYS-1 Credit scoring: 1 control(s) decided for this system alone",
				"A.7.4    no          -       system      The model is bought.", "A.2.2    yes         implemented  organisation")
			r = sh.ok("", "soa", "show")
			contains(r, "A.7.4    SYS-1         no")
			r = sh.ok("", "soa", "remove-override", "A.7.4", "--system", "SYS-1")
			contains(r, "removed the override of A.7.4 for SYS-1")
			if r = sh.run("", "soa", "remove-override", "A.7.4"); r.code != 1 || !strings.Contains(r.stderr, "--system is required") {
				t.Errorf("remove without system: exit %d, stderr %s", r.code, r.stderr)
			}

			// Approval waits for every control.
			r = sh.run("", "soa", "approve")
			if r.code != 1 || !strings.Contains(r.stderr, "the draft cannot be approved yet: 37 of 38 controls have no decision") ||
				!strings.Contains(r.stderr, "HTTP 409") {
				t.Errorf("early approval: exit %d, stderr %s", r.code, r.stderr)
			}
			var d soa.Draft
			if err := json.Unmarshal([]byte(sh.ok("", "soa", "show", "-o", "json").stdout), &d); err != nil {
				t.Fatal(err)
			}
			for _, id := range d.Blockers {
				sh.ok("", "soa", "set", id, "--applicable", "yes", "--justification", "Needed.", "--status", "planned")
			}
			r = sh.ok("", "soa", "show")
			contains(r, "38 of 38 controls decided", "Ready to approve as version 1")
			r = sh.ok("", "soa", "approve", "--note", "First version")
			contains(r, "approved version 1; audit checkpoint aims/audit/")
			sh.ok("", "soa", "set", "A.3.2", "--applicable", "no", "--justification", "One person holds every role.")
			contains(sh.ok("", "soa", "approve"), "approved version 2")

			r = sh.ok("", "soa", "versions")
			contains(r, "VERSION  APPROVED BY   APPROVED AT", "2        Ada Lovelace", "1        Ada Lovelace")
			if !strings.Contains(r.stdout, "First version") {
				t.Errorf("versions lack the note:\n%s", r.stdout)
			}
			r = sh.ok("", "soa", "show", "--version", "1")
			contains(r, "Organisation  Acme Bank", "Version       1", "Approved by   Ada Lovelace", "Note          First version",
				"Signed checkpoint:\naims/audit/", "A.3.2    organisation  yes")
			var v soa.Version
			if err := json.Unmarshal([]byte(sh.ok("", "soa", "show", "--version", "2", "-o", "json").stdout), &v); err != nil || v.Number != 2 ||
				v.Checkpoint == nil || len(v.Controls) != 38 {
				t.Errorf("version 2 as JSON: %v %+v", err, v.Checkpoint)
			}
			if r = sh.run("", "soa", "show", "--version", "7"); r.code != 1 || !strings.Contains(r.stderr, "not found (HTTP 404)") {
				t.Errorf("unknown version: exit %d, stderr %s", r.code, r.stderr)
			}

			r = sh.ok("", "soa", "compare", "1", "2")
			contains(r, "From v1 to v2: 1 decision(s) differ", "A.3.2 AI roles and responsibilities (organisation): changed",
				`applicable: "yes" → "no"`, `justification: "Needed." → "One person holds every role."`)
			contains(sh.ok("", "soa", "compare", "v2", "draft"), "From v2 to draft: 0 decision(s) differ")
			contains(sh.ok("", "soa", "compare", "1"), "From v1 to draft: 1 decision(s) differ")
			if r = sh.run("", "soa", "compare", "first"); r.code != 1 || !strings.Contains(r.stderr, `"first" is not a version`) {
				t.Errorf("bad compare: exit %d, stderr %s", r.code, r.stderr)
			}

			// Exports to files and to standard output.
			pdf := filepath.Join(dir, "v1.pdf")
			r = sh.ok("", "soa", "export", "--version", "1", "--format", "pdf", "-o", pdf)
			contains(r, "wrote "+pdf)
			if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Errorf("the PDF: %v %.10q", err, b)
			}
			xlsx := filepath.Join(dir, "v2.xlsx")
			sh.ok("", "soa", "export", "--version", "2", "--format", "xlsx", "-o", xlsx)
			if b, err := os.ReadFile(xlsx); err != nil || !bytes.HasPrefix(b, []byte("PK")) {
				t.Errorf("the XLSX: %v", err)
			}
			r = sh.ok("", "soa", "export", "--format", "md", "-o", "-")
			if !strings.HasPrefix(r.stdout, "# Statement of Applicability: Acme Bank (DRAFT)") {
				t.Errorf("draft Markdown: %.100q", r.stdout)
			}
			r = sh.ok("", "soa", "export", "--version", "2", "--format", "csv", "-o", "-")
			if !strings.HasPrefix(r.stdout, "control_id,category_id,title,applies_to") || !strings.Contains(r.stdout, "A.3.2,A.3,AI roles and responsibilities,organisation,,no,One person holds every role.") {
				t.Errorf("CSV: %.300q", r.stdout)
			}
			if r = sh.run("", "soa", "export", "--format", "doc", "-o", "-"); r.code != 1 || !strings.Contains(r.stderr, "format") {
				t.Errorf("bad format: exit %d, stderr %s", r.code, r.stderr)
			}
			if r = sh.run("", "soa", "export", "--version", "9", "--format", "pdf", "-o", "-"); r.code != 1 || !strings.Contains(r.stderr, "not found (HTTP 404)") {
				t.Errorf("unknown version export: exit %d, stderr %s", r.code, r.stderr)
			}
			if r = sh.run("", "soa", "export", "--version", "1"); r.code != 1 || !strings.Contains(r.stderr, `"format" not set`) {
				t.Errorf("export without format: exit %d, stderr %s", r.code, r.stderr)
			}

			// Completion offers controls, statuses, formats and versions.
			contains(sh.ok("", "__complete", "soa", "set", ""), "A.6.2.4\tAI system verification and validation")
			contains(sh.ok("", "__complete", "soa", "set", "A.2.2", "--status", ""), "partially_implemented\tPartially implemented")
			contains(sh.ok("", "__complete", "soa", "export", "--format", ""), "xlsx\tExcel workbook")
			contains(sh.ok("", "__complete", "soa", "compare", ""), "draft\tthe draft being edited", "2\tapproved ")
			contains(sh.ok("", "__complete", "soa", "set", "A.2.2", "--system", ""), "SYS-1\tCredit scoring")

			// The audit log records every change and still verifies.
			contains(sh.ok("", "audit", "verify"), "all verified")
		})
	}
}
