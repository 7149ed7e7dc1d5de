package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
)

// TestRiskCommands sets criteria, records, assesses, treats and accepts a
// risk, runs two assessments, compares and exports them from the command
// line against a running server.
func TestRiskCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "ada@example.org",
				"--role", "owner", "--name", "Ada Lovelace", "--password-stdin")
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "max@example.org",
				"--role", "manager", "--name", "Max Manager", "--password-stdin")
			token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop").stdout)
			managerToken := strings.TrimSpace(sh.ok("", "token", "create", "--email", "max@example.org", "--name", "laptop").stdout)
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
			// The group shows in help.
			contains(sh.ok("", "--help"), "risk", "Record, assess, treat and accept AI risks")
			contains(sh.ok("", "risk", "--help"), "assessment", "criteria", "accept", "treat")

			// Criteria: none, then the default edited to a 4×4 matrix.
			if r := sh.run("", "risk", "criteria", "show"); r.code != 1 || !strings.Contains(r.stderr, "no risk criteria yet") {
				t.Errorf("criteria before any: exit %d, %s", r.code, r.stderr)
			}
			var def risk.CriteriaRequest
			if err := json.Unmarshal([]byte(sh.ok("", "risk", "criteria", "default").stdout), &def); err != nil || len(def.Likelihood) != 5 {
				t.Fatalf("default: %v %+v", err, def)
			}
			def.Likelihood, def.Impact = def.Likelihood[:4], def.Impact[:4]
			def.Matrix = [][]string{{"low", "low", "medium", "medium"}, {"low", "medium", "medium", "high"},
				{"medium", "medium", "high", "critical"}, {"medium", "high", "critical", "critical"}}
			file := filepath.Join(dir, "criteria.json")
			b, _ := json.Marshal(def)
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
			contains(sh.ok("", "risk", "criteria", "set", file, "--note", "Agreed by the board"), "risk criteria version 1 saved: 4×4, appetite medium")
			contains(sh.ok(string(b), "risk", "criteria", "set", "-"), "nothing changed: the criteria stay at version 1")
			contains(sh.ok("", "risk", "criteria", "show"), "Risk criteria version 1 (4×4)", "Appetite: medium",
				"LIKELIHOOD \\ IMPACT 1 Negligible", "4 Likely medium high critical critical", "1 Rare low low medium medium")
			bad := strings.Replace(string(b), `"#c62828"`, `"red"`, 1)
			if r := sh.run(bad, "risk", "criteria", "set", "-"); r.code != 1 || !strings.Contains(r.stderr, "levels.4.colour: must be a colour") {
				t.Errorf("bad criteria: exit %d, %s", r.code, r.stderr)
			}

			// Record, assess, treat, act and accept.
			sh.ok("", "system", "add", "--name", "Hiring screening", "--purpose", "Rank job applicants")
			contains(sh.ok("", "risk", "add", "--title", "Screening rejects qualified women", "--system", "SYS-1", "--source", "C.3.4",
				"--objective", "C.2.5", "--individuals", "Qualified applicants are not invited.", "--owner", "ada@example.org"),
				"RISK-1 Screening rejects qualified women recorded")
			if r := sh.run("", "risk", "add", "--title", " ", "--system", "SYS-9", "--source", "C.9.9"); r.code != 1 ||
				!strings.Contains(r.stderr, "title: is required") || !strings.Contains(r.stderr, "systems: must name AI systems") ||
				!strings.Contains(r.stderr, "risk_source: must be one of Annex C") {
				t.Errorf("bad add: exit %d, %s", r.code, r.stderr)
			}
			contains(sh.ok("", "risk", "assess", "risk-1", "--likelihood", "3", "--impact", "4"), "RISK-1: inherent critical (3×4), next review ")
			if r := sh.run("", "risk", "assess", "RISK-1", "--likelihood", "7", "--impact", "1"); r.code != 1 || !strings.Contains(r.stderr, "likelihood: must be a step of the scale, 1 to 4") {
				t.Errorf("bad assess: exit %d, %s", r.code, r.stderr)
			}
			contains(sh.ok("", "risk", "treat", "RISK-1", "--option", "modify", "--plan", "Audit the ranking.", "--control", "A.9.3",
				"--residual-likelihood", "2", "--residual-impact", "2"), "RISK-1: modify, plan version 1, residual medium (2×2)")
			// The control's SoA row names the risk it treats.
			contains(sh.ok("", "soa", "show"), "RISKS JUSTIFICATION", "A.9.3 organisation undecided - - - - RISK-1 -")
			due := time.Now().UTC().AddDate(0, 3, 0).Format(time.DateOnly)
			contains(sh.ok("", "risk", "action", "add", "RISK-1", "--description", "Run a bias audit", "--owner", "max@example.org", "--due", due),
				"RISK-1: action 1 added, plan version 2")
			contains(sh.ok("", "risk", "action", "done", "RISK-1", "1"), "RISK-1: action 1 done")
			until := time.Now().UTC().AddDate(0, 6, 0).Format(time.DateOnly)
			contains(sh.ok("", "risk", "accept", "RISK-1", "--until", until, "--note", "AI board"),
				"RISK-1: residual medium accepted for plan version 2 until "+until)
			r := sh.ok("", "risk", "show", "RISK-1")
			contains(r, "Risk RISK-1 Screening rejects qualified women", "Status accepted", "AI systems SYS-1 Hiring screening",
				"Risk source C.3.4 Risk sources related to machine learning", "Objectives C.2.5 Fairness", "Inherent critical (3×4)",
				"Controls A.9.3", "Residual medium (2×2)", "Acceptance valid: medium accepted by Ada Lovelace for plan v2",
				"1 Run a bias audit Max Manager "+due+" done", "risk.accept", "risk.create")
			var shown struct {
				risk.Risk
				History []json.RawMessage `json:"history"`
			}
			if err := json.Unmarshal([]byte(sh.ok("", "risk", "show", "RISK-1", "-o", "json").stdout), &shown); err != nil ||
				shown.Status != "accepted" || len(shown.History) != 6 {
				t.Errorf("show as JSON: %v status %s, %d history entries", err, shown.Status, len(shown.History))
			}
			contains(sh.ok("", "risk", "list"), "REF TITLE STATUS INHERENT RESIDUAL OWNER NEXT REVIEW",
				"RISK-1 Screening rejects qualified women accepted critical (3×4) medium (2×2) Ada Lovelace", "1–1 of 1")
			contains(sh.ok("", "risk", "list", "--inherent", "1-1"), "no risks match")
			contains(sh.ok("", "risk", "due"), "no risk is due for review")

			// Above the appetite: the manager is refused; the owner accepts with a reason.
			sh.ok("", "risk", "add", "--title", "Applicants cannot contest a rejection", "--system", "SYS-1")
			sh.ok("", "risk", "assess", "RISK-2", "--likelihood", "4", "--impact", "4")
			sh.ok("", "risk", "treat", "RISK-2", "--option", "retain", "--residual-likelihood", "3", "--residual-impact", "3")
			sh.vars["AIMS_TOKEN"] = managerToken
			if r := sh.run("", "risk", "accept", "RISK-2"); r.code != 1 || !strings.Contains(r.stderr, "only an owner can accept it") ||
				!strings.Contains(r.stderr, "HTTP 403") {
				t.Errorf("manager above the appetite: exit %d, %s", r.code, r.stderr)
			}
			sh.vars["AIMS_TOKEN"] = token
			if r := sh.run("", "risk", "accept", "RISK-2"); r.code != 1 || !strings.Contains(r.stderr, "above_appetite_confirmed: must be confirmed") ||
				!strings.Contains(r.stderr, "HTTP 409") {
				t.Errorf("owner without confirmation: exit %d, %s", r.code, r.stderr)
			}
			contains(sh.ok("", "risk", "accept", "RISK-2", "--above-appetite", "--reason", "No alternative before the audit."),
				"RISK-2: residual high accepted for plan version 1 until ", "above the appetite medium")

			// Assessments: open, close, compare, export.
			contains(sh.ok("", "risk", "assessment", "open", "Annual 2026"), "RA-1 Annual 2026 opened: 2 risk(s) in scope")
			contains(sh.ok("", "risk", "assessment", "close", "RA-1", "--note", "Reviewed."), "RA-1 closed: 2 risk(s) recorded; audit checkpoint aims/audit/")
			sh.ok("", "risk", "close", "RISK-2", "--reason", "The screening system now lets applicants contest.")
			contains(sh.ok("", "risk", "assessment", "open", "After the change", "--system", "SYS-1"), "RA-2 After the change opened: 2 risk(s) in scope")
			sh.vars["AIMS_TOKEN"] = managerToken
			sh.ok("", "risk", "assessment", "close", "RA-2")
			sh.vars["AIMS_TOKEN"] = token
			contains(sh.ok("", "risk", "assessment", "list"), "REF NAME SCOPE STATUS CLOSED BY", "RA-2 After the change systems closed Max Manager",
				"RA-1 Annual 2026 all closed Ada Lovelace")
			contains(sh.ok("", "risk", "assessment", "show", "RA-1"), "RA-1 Annual 2026 (closed)", "Closed by Ada Lovelace", "Conclusion: Reviewed.",
				"Signed checkpoint:\naims/audit/", "RISK-2 Applicants cannot contest a rejection accepted critical (4×4) retain high (3×3)")
			contains(sh.ok("", "risk", "assessment", "compare", "RA-1", "RA-2"), "From RA-1 to RA-2: 0 added, 0 removed, 1 changed",
				"~ RISK-2 Applicants cannot contest a rejection", `status: "accepted" → "closed"`)
			if r := sh.run("", "risk", "assessment", "compare", "RA-1", "RA-3"); r.code != 1 || !strings.Contains(r.stderr, "not found (HTTP 404)") {
				t.Errorf("compare unknown: exit %d, %s", r.code, r.stderr)
			}
			pdf := filepath.Join(dir, "ra-1.pdf")
			contains(sh.ok("", "risk", "assessment", "export", "RA-1", "--format", "pdf", "-o", pdf), "wrote "+pdf)
			if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Errorf("the assessment PDF: %v", err)
			}
			xlsx := filepath.Join(dir, "register.xlsx")
			sh.ok("", "risk", "export", "--format", "xlsx", "-o", xlsx)
			if b, err := os.ReadFile(xlsx); err != nil || !bytes.HasPrefix(b, []byte("PK")) {
				t.Errorf("the register XLSX: %v", err)
			}
			if r := sh.run("", "risk", "export", "--format", "doc"); r.code != 1 || !strings.Contains(r.stderr, "format") {
				t.Errorf("bad export: exit %d, %s", r.code, r.stderr)
			}
			// Completion offers the risks and the assessments.
			contains(sh.ok("", "__complete", "risk", "show", ""), "RISK-1\tScreening rejects qualified women", "RISK-2\t")
			contains(sh.ok("", "__complete", "risk", "assessment", "close", ""), "RA-1\tAnnual 2026 (closed)")
			contains(sh.ok("", "__complete", "risk", "treat", "RISK-1", "--option", ""), "modify\tModify", "retain\tRetain")
			contains(sh.ok("", "__complete", "risk", "add", "--source", ""), "C.3.4\tRisk sources related to machine learning")
		})
	}
}
