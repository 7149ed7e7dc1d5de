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

// TestSupplierCommands records suppliers and customers, supplies, an
// assessment, a responsibility matrix and resources from the command line,
// exports a system's AI bill of materials and imports it into another
// organisation, checking what each command says and its refusals.
func TestSupplierCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			for _, u := range [][3]string{{"Acme Bank", "ada@example.org", "owner"}, {"Acme Bank", "carl@example.org", "contributor"},
				{"Other Bank", "otto@other.example", "owner"}} {
				sh.ok("correct horse battery staple\n", "user", "create", "--org", u[0], "--email", u[1], "--role", u[2],
					"--name", strings.Split(u[1], "@")[0], "--password-stdin")
			}
			ada := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--org", "Acme Bank", "--name", "t").stdout)
			carl := strings.TrimSpace(sh.ok("", "token", "create", "--email", "carl@example.org", "--name", "t").stdout)
			otto := strings.TrimSpace(sh.ok("", "token", "create", "--email", "otto@other.example", "--name", "t").stdout)
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
			contains(sh.ok("", "--help"), "supplier", "raci", "resource", "aibom")
			contains(sh.ok("", "supplier", "--help"), "TP-1/S2", "assess", "due", "supply")
			contains(sh.ok("", "supplier", "supply", "add", "--help"), "aims supplier supply add TP-1 --kind model --system SYS-1 --model MDL-1")

			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications")

			// Third parties.
			fails(sh.run("", "supplier", "add", "--name", "DataCo"), `required flag(s) "kind" not set`)
			fails(sh.run("", "supplier", "add", "--name", " ", "--kind", "supplier", "--email", "nope"), "name: is required", "contact.email: must be an email address")
			contains(sh.ok("", "supplier", "add", "--name", "DataCo", "--kind", "supplier", "--email", "sales@dataco.example", "--country", "de"),
				"recorded TP-1 DataCo (supplier)")
			contains(sh.ok("", "supplier", "add", "--name", "ModelWorks", "--kind", "both"), "recorded TP-2 ModelWorks (both)")
			fails(sh.run("", "supplier", "add", "--name", "dataco", "--kind", "customer"), "name: is already the name of another third party")
			contains(sh.ok("", "supplier", "update", "TP-1", "--web", "https://dataco.example"), "TP-1 updated (version 2)")
			contains(sh.ok("", "supplier", "update", "TP-1", "--web", "https://dataco.example"), "nothing changed: TP-1 stays at version 2")
			contains(sh.ok("", "supplier", "list", "--kind", "supplier"), "REF NAME KIND SUPPLIES LAST ASSESSED NEXT STATUS",
				"TP-1 DataCo supplier 0 - - active", "1–2 of 2")

			// Supplies, assessment and what is due.
			fails(sh.run("", "supplier", "supply", "add", "TP-1", "--kind", "model", "--model", "MDL-9"), "model: names MDL-9")
			contains(sh.ok("", "supplier", "supply", "add", "TP-1", "--kind", "data_set", "--system", "SYS-1", "--description", "Bureau data"),
				"recorded TP-1/S1: supplier data_set")
			contains(sh.ok("", "supplier", "supply", "add", "TP-2", "--role", "customer", "--kind", "service", "--system", "SYS-1",
				"--description", "Scores as a service"), "recorded TP-2/S1: customer service")
			contains(sh.ok("", "supplier", "supply", "list", "TP-2"), "TP-2/S1 customer service SYS-1 - Scores as a service")
			contains(sh.ok("", "supplier", "due"), "TP-1 DataCo never_assessed")
			fails(sh.run("", "supplier", "assess", "TP-1", "--result", "satisfactory"), "HTTP 403")
			sh.vars["AIMS_TOKEN"] = ada
			fails(sh.run("", "supplier", "assess", "TP-1", "--result", "unsatisfactory"), "findings: is required")
			contains(sh.ok("", "supplier", "assess", "TP-1", "--result", "satisfactory", "--next", "2099-11-30"),
				"recorded TP-1/A1: satisfactory on", "next assessment due 2099-11-30")
			contains(sh.ok("", "supplier", "due"), "no supplier is due for assessment")
			contains(sh.ok("", "supplier", "show", "tp-1"), "Name DataCo", "Next assessment 2099-11-30", "TP-1/S1 supplier data_set SYS-1 Bureau data",
				"TP-1/A1", "supplier_assessment.create", "third_party.update")
			contains(sh.ok("", "supplier", "supply", "remove", "TP-2", "1"), "removed TP-2/S1")
			contains(sh.ok("", "supplier", "archive", "TP-2"), "TP-2 is archived")
			contains(sh.ok("", "supplier", "restore", "TP-2"), "TP-2 is active")

			// Responsibilities.
			fails(sh.run("", "raci", "set", "SYS-1", "--stage", "deployment", "--responsible", "TP-1"), "accountable: is required")
			contains(sh.ok("", "raci", "set", "SYS-1", "--stage", "deployment", "--accountable", "ada@example.org", "--responsible", "TP-2",
				"--responsible", "carl@example.org", "--informed", "TP-1"), "set the responsibilities at deployment of SYS-1 (version 1)")
			contains(sh.ok("", "raci", "show", "SYS-1"), "STAGE RESPONSIBLE ACCOUNTABLE CONSULTED INFORMED",
				"deployment TP-2, carl@example.org ada@example.org - TP-1", "inception - - - -")

			// Resources.
			fails(sh.run("", "resource", "add", "--kind", "computing", "--name", "GPUs", "--competence", "CUDA"), "competences: are recorded only for people")
			contains(sh.ok("", "resource", "add", "--kind", "people", "--name", "Data scientists", "--competence", "statistics",
				"--member", "ada@example.org", "--system", "SYS-1", "--provider", "TP-2"), "recorded RES-1 Data scientists (people)")
			contains(sh.ok("", "resource", "update", "RES-1", "--competence", "statistics", "--competence", "credit risk"), "RES-1 updated (version 2)")
			contains(sh.ok("", "resource", "list", "--system", "SYS-1"), "RES-1 people Data scientists TP-2 SYS-1 active")
			contains(sh.ok("", "resource", "show", "RES-1"), "Competences statistics, credit risk", "People ada@example.org", "resource.update")

			// The AI bill of materials, exported and imported elsewhere.
			train := cliDataset(t, env, "Applications")
			sh.ok("", "model", "add", "--system", "SYS-1", "--name", "Credit scorer")
			sh.ok("", "model", "version", "add", "MDL-1", "--label", "1.0.0", "--digest", strings.Repeat("ab", 32), "--trained-on", train)
			sh.ok("", "supplier", "supply", "add", "TP-2", "--kind", "model", "--model", "MDL-1")
			dir := t.TempDir()
			file := filepath.Join(dir, "bom.json")
			contains(sh.ok("", "aibom", "export", "SYS-1", "-o", file), "wrote "+file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var bom struct {
				SpecVersion string
				Components  []struct {
					BOMRef string `json:"bom-ref"`
				}
			}
			if err := json.Unmarshal(data, &bom); err != nil || bom.SpecVersion != "1.6" || len(bom.Components) != 2 {
				t.Fatalf("exported %+v, %v", bom, err)
			}
			contains(sh.ok("", "aibom", "export", "SYS-1"), `"bomFormat": "CycloneDX"`)

			sh.vars["AIMS_TOKEN"] = otto
			sh.ok("", "system", "add", "--name", "Imported scoring", "--purpose", "Score")
			fails(sh.run("", "aibom", "import", "SYS-1", filepath.Join(dir, "missing.json")), "no such file")
			contains(sh.ok("", "aibom", "import", "SYS-1", file, "--dry-run"), "would create data_set", "would create model_version",
				"dry run: 6 would be created, 0 already there; nothing was changed")
			contains(sh.ok("", "model", "list"), "no models match")
			contains(sh.ok("", "aibom", "import", "SYS-1", file), "created model_version MDL-1@1.0.0 Credit scorer 1.0.0",
				"created supply TP-1/S1", "6 created, 0 already there")
			contains(sh.ok(string(data), "aibom", "import", "SYS-1", "-"), "0 created, 6 already there")
			contains(sh.ok("", "supplier", "show", "TP-1"), "Name ModelWorks", "TP-1/S1 supplier model SYS-1 MDL-1")
		})
	}
}
