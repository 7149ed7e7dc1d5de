package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
)

// TestImpactCommands runs an EU FRIA from the command line against a
// running server: start, answer, add an impact, raise a risk, submit,
// approve, list, show and export.
func TestImpactCommands(t *testing.T) {
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

			r := sh.ok("", "impact", "templates")
			contains(r, "KEY VERSION STATUS SECTIONS QUESTIONS BASED ON NAME", "iso-42005 v1 active 8 23 - ISO/IEC 42005 elements",
				"eu-fria v1 active 7 18 - EU AI Act Art. 27 FRIA")
			r = sh.ok("", "impact", "templates", "eu-fria")
			contains(r, "eu-fria v1 (latest v1): EU AI Act Art. 27 FRIA", "Art. 27(1)(d) Specific risks of harm",
				"harms (impacts, required): List the specific risks of harm", "frequency (choice, required): How often is it used?  (one of: continuous, daily",
				"oversight_strength (scale): How strong is the oversight in practice?  (one of: 1=Nominal, 2=Partial, 3=Effective, 4=Strong)")
			fails(sh.run("", "impact", "start", "--system", "SYS-1", "--template", "eu-fria"), "system: is not an AI system of this organisation")

			sh.ok("", "system", "add", "--name", "Hiring screening", "--purpose", "Rank job applications")
			r = sh.ok("", "impact", "start", "--system", "sys-1", "--template", "eu-fria")
			contains(r, "started IA-1 EU AI Act Art. 27 FRIA: Hiring screening (eu-fria v1, 12 questions to answer)")
			for q, v := range map[string]string{"process": "Recruiters screen applications; the system ranks CVs.", "period": "2026 to 2027",
				"frequency": "daily", "categories": "Job applicants", "vulnerable": "unknown", "oversight": "A recruiter reads every low rank.",
				"override": "always", "measures": "Stop and re-screen by hand.", "governance": "The head of HR decides.",
				"complaints": "hiring-review@acme.example", "notified": "pending", "oversight_strength": "3"} {
				sh.ok("", "impact", "answer", "IA-1", "--question", q, "--value", v)
			}
			fails(sh.run("", "impact", "answer", "IA-1", "--question", "frequency", "--value", "hourly"),
				"answers.frequency: must be one of continuous, daily, weekly, monthly, one_off")
			fails(sh.run("", "impact", "answer", "IA-1"), "give --question and --value, --title or --residual-concerns")
			r = sh.ok("", "impact", "answer", "IA-1", "--residual-concerns", "Bias against career breaks may remain.")
			contains(r, "IA-1 saved (version 14); still required: harms")
			fails(sh.run("", "impact", "submit", "IA-1"), "impacts: must list at least one impact (question harms)")

			fails(sh.run("", "impact", "add-impact", "IA-1", "--group", "Job applicants", "--harm", "x", "--severity", "huge"),
				`required flag(s) "likelihood", "reversibility", "scale" not set`)
			fails(sh.run("", "impact", "add-impact", "IA-1", "--group", "Job applicants", "--harm", "x", "--severity", "huge",
				"--likelihood", "often", "--reversibility", "no", "--scale", "world"),
				"likelihood: must be one of", "reversibility: must be one of", "scale: must be one of", "severity: must be one of")
			r = sh.ok("", "impact", "add-impact", "IA-1", "--group", "Job applicants", "--harm", "Qualified applicants are rejected unfairly",
				"--severity", "high", "--likelihood", "possible", "--reversibility", "partly_reversible", "--scale", "group",
				"--mitigation", "A recruiter reviews every low rank")
			contains(r, "added impact #1 to IA-1: #1 Job applicants: Qualified applicants are rejected unfairly")
			r = sh.ok("", "impact", "risk", "IA-1", "--impact", "1")
			contains(r, "raised RISK-1 Qualified applicants are rejected unfairly (Job applicants) from impact #1 of IA-1")
			fails(sh.run("", "impact", "risk", "IA-1", "--impact", "1", "--link", "RISK-1"), "RISK-1 is already linked to impact #1 of IA-1", "HTTP 409")
			fails(sh.run("", "impact", "risk", "IA-1"), `required flag(s) "impact" not set`)

			r = sh.ok("", "impact", "submit", "IA-1", "--note", "Ready for the board")
			contains(r, "IA-1 is now in review")
			r = sh.ok("", "impact", "approve", "IA-1", "--note", "AI board", "--next-review", "2099-06-30")
			contains(r, "approved IA-1 version 1; next review 2099-06-30; audit checkpoint aims/audit/")

			r = sh.ok("", "impact", "list")
			contains(r, "REF SYSTEM TEMPLATE STATUS VERSION NEXT REVIEW IMPACTS TITLE",
				"IA-1 SYS-1 eu-fria v1 Approved v1 2099-06-30 1 EU AI Act Art. 27 FRIA: Hiring screening")
			r = sh.ok("", "impact", "list", "--due")
			contains(r, "no impact assessment is due for review")

			// A change of the system's purpose makes it due, with the reason.
			req, _ := http.NewRequest("PATCH", env.URL+"/api/v1/systems/SYS-1", strings.NewReader(`{"version":1,"intended_purpose":"Rank and pre-reject"}`))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
				t.Fatalf("changing the system's purpose: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			r = sh.ok("", "impact", "list", "--due", "--system", "SYS-1")
			contains(r, "IA-1 SYS-1 eu-fria v1 Approved, review due v1",
				"IA-1 review due: the AI system's intended purpose changed after version 1 was approved, by ada@example.org")

			r = sh.ok("", "impact", "show", "ia-1")
			contains(r, "Assessment IA-1 EU AI Act Art. 27 FRIA: Hiring screening", "AI system SYS-1 Hiring screening",
				"Status Approved (version 16)", "Next review 2099-06-30", "Last review submit by Ada Lovelace: Ready for the board",
				"REVIEW DUE: the AI system's intended purpose changed", "frequency (required): How often is it used?", "→ Every day",
				"oversight_strength: How strong is the oversight in practice?", "→ 3 of 4: Effective", "→ 1 impact(s), listed below",
				"decisions: Which decisions", "→ -", "# WHO HARM SEVERITY LIKELIHOOD REVERSIBILITY SCALE RISKS",
				"1 Job applicants Qualified applicants are rejected unfairly high possible partly_reversible group RISK-1",
				"Residual concerns: Bias against career breaks may remain.", "ready to submit")
			r = sh.ok("", "__complete", "impact", "risk", "IA-1", "--impact", "")
			contains(r, "1\tJob applicants: Qualified applicants are rejected unfairly")
			r = sh.ok("", "__complete", "impact", "answer", "IA-1", "--question", "")
			contains(r, "frequency\tHow often is it used?")
			r = sh.ok("", "__complete", "impact", "show", "")
			contains(r, "IA-1\tEU AI Act Art. 27 FRIA: Hiring screening")
			r = sh.ok("", "impact", "show", "IA-1", "--version", "1")
			contains(r, "Organisation Acme Bank", "Version 1", "Approved by Ada Lovelace", "Note AI board", "Signed checkpoint:\naims/audit/")
			var a impact.Assessment
			if err := json.Unmarshal([]byte(sh.ok("", "impact", "show", "IA-1", "-o", "json").stdout), &a); err != nil || !a.Due || a.Ref != "IA-1" {
				t.Errorf("json = %+v, %v", a, err)
			}

			r = sh.ok("", "impact", "export", "IA-1", "-o", filepath.Join(dir, "fria.pdf"))
			contains(r, "wrote "+filepath.Join(dir, "fria.pdf"))
			if b, err := os.ReadFile(filepath.Join(dir, "fria.pdf")); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Errorf("export wrote %q, %v", b[:min(8, len(b))], err)
			}
			wd, _ := os.Getwd()
			if err := os.Chdir(dir); err != nil {
				t.Fatal(err)
			}
			r = sh.ok("", "impact", "export", "IA-1", "--version", "1")
			os.Chdir(wd)
			contains(r, "wrote IA-1-v1.pdf")
			fails(sh.run("", "impact", "export", "IA-1", "--version", "3", "-o", "-"), "not found (HTTP 404)")
			fails(sh.run("", "impact", "show", "IA-9"), "impact assessment IA-9 not found (HTTP 404)")

			// An assessment names the model version it assesses.
			sh.ok("", "model", "add", "--system", "SYS-1", "--name", "Screener")
			sh.ok("", "model", "version", "add", "MDL-1", "--label", "1.0.0", "--digest", strings.Repeat("ab", 32))
			fails(sh.run("", "impact", "start", "--system", "SYS-1", "--template", "eu-fria", "--model-version", "MDL-1@9.9.9"),
				"model_version: names MDL-1@9.9.9, which is not a model version of this organisation")
			r = sh.ok("", "impact", "start", "--system", "SYS-1", "--template", "eu-fria", "--model-version", "MDL-1@1.0.0")
			contains(r, "started IA-2")
			contains(sh.ok("", "impact", "show", "IA-2"), "AI system SYS-1 Hiring screening", "Model version MDL-1@1.0.0")
		})
	}
}

// TestImpactHelp checks that every impact command explains itself with examples.
func TestImpactHelp(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{}}
	r := sh.ok("", "impact", "--help")
	for _, c := range []string{"list", "show", "start", "answer", "add-impact", "submit", "return", "approve", "risk", "export", "templates"} {
		if !strings.Contains(r.stdout, "\n  "+c+" ") {
			t.Errorf("impact --help lacks %s:\n%s", c, r.stdout)
		}
		h := sh.ok("", "impact", c, "--help")
		if !strings.Contains(h.stdout, "Examples:") || !strings.Contains(h.stdout, "aims impact "+c) {
			t.Errorf("impact %s --help lacks examples:\n%s", c, h.stdout)
		}
	}
	r = sh.ok("", "__complete", "impact", "add-impact", "IA-1", "--severity", "")
	if !strings.Contains(r.stdout, "critical\tCritical") {
		t.Errorf("severity completion = %q", r.stdout)
	}
	r = sh.ok("", "__complete", "impact", "start", "--template", "")
	if !strings.Contains(r.stdout, "eu-fria\tEU AI Act Art. 27 FRIA") {
		t.Errorf("template completion = %q", r.stdout)
	}
}
