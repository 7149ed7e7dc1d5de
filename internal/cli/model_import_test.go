package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
)

// TestModelEvaluateImport imports fairlearn, Evidently and MLflow reports
// with aims model evaluate --format, checks what it says, that the report
// is kept as evidence byte for byte, and the refusals.
func TestModelEvaluateImport(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t)[:1] {
		cfg := apptest.Config(t, dialect, nil)
		sh := newShell(t, cfg)
		sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "ada@example.org",
			"--role", "owner", "--name", "Ada Lovelace", "--password-stdin")
		token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop").stdout)
		env := apptest.Serve(t, cfg)
		sh.vars["AIMS_SERVER"], sh.vars["AIMS_TOKEN"] = env.URL, token
		spaces := regexp.MustCompile(` {2,}`)
		contains := func(r result, wants ...string) {
			t.Helper()
			for _, w := range wants {
				if !strings.Contains(spaces.ReplaceAllString(r.stdout+r.stderr, " "), w) {
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
		contains(sh.ok("", "model", "evaluate", "--help"), "--format", "--feature", "fairlearn", "evidently", "mlflow",
			"aims model evaluate MDL-1@1.4.0 --file fairness.json --format fairlearn --feature sex")

		sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications")
		test := cliDataset(t, env, "Hold-out")
		sh.ok("", "model", "add", "--system", "SYS-1", "--name", "Scorer")
		sh.ok("", "model", "version", "add", "MDL-1", "--label", "1.0", "--digest", strings.Repeat("a", 64))

		// A fairlearn MetricFrame as Python's json.dump writes it, indented.
		dir := t.TempDir()
		fairness := filepath.Join(dir, "fairness.json")
		report := "{\n    \"overall\": {\"accuracy\": 0.8},\n    \"by_group\": {\"accuracy\": {\"female\": 0.7, \"male\": 0.9}},\n" +
			"    \"difference\": {\"accuracy\": 0.2}\n}\n"
		if err := os.WriteFile(fairness, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
		contains(sh.ok("", "model", "evaluate", "MDL-1@1.0", "--file", fairness, "--format", "fairlearn", "--feature", "sex",
			"--dataset", test, "--date", "2026-01-10", "--note", "run 7f3a"),
			"kept the fairlearn report as evidence EV-1", "#1 accuracy = 0.8 on "+test+", 2026-01-10",
			"#2 accuracy[sex=female] = 0.7", "#3 accuracy[sex=male] = 0.9", "#4 accuracy difference (sex) = 0.2")
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/evidence/EV-1/file", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		kept, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(kept) != report {
			t.Errorf("evidence EV-1 holds:\n%q\nwant the file as written:\n%q", kept, report)
		}
		contains(sh.ok("", "model", "version", "show", "MDL-1@1.0"), "from EV-1 (fairlearn); run 7f3a")

		// Evidently from standard input, as JSON; MLflow's run describe.
		var out model.ImportResult
		r := sh.ok(`{"metrics": [{"metric_id": "DriftedColumnsCount(drift_share=0.5)", "value": {"count": 1, "share": 0.25}}]}`,
			"model", "evaluate", "MDL-1@1.0", "--file", "-", "--format", "evidently", "-o", "json")
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Evidence != "EV-2" || len(out.Results) != 2 ||
			out.Results[1].Metric != "DriftedColumnsCount(drift_share=0.5).share" || out.Results[1].Value != 0.25 {
			t.Errorf("Evidently import as JSON = %+v (%v)\n%s", out, err, r.stdout)
		}
		contains(sh.ok(`{"info": {"run_id": "7f3a"}, "data": {"metrics": {"auc": 0.88}, "params": {}, "tags": {}}}`,
			"model", "evaluate", "MDL-1@1.0", "--file", "-", "--format", "mlflow"), "kept the mlflow report as evidence EV-3", "#7 auc = 0.88")

		// Refusals.
		fails(sh.run("", "model", "evaluate", "MDL-1@1.0", "--format", "fairlearn", "--metric", "a=1"),
			"[metric format] are set none of the others can be")
		fails(sh.run("", "model", "evaluate", "MDL-1@1.0", "--format", "fairlearn"), "at least one of the flags in the group [metric file] is required")
		fails(sh.run("", "model", "evaluate", "MDL-1@1.0", "--metric", "a=1", "--feature", "sex"), "--feature needs --format fairlearn")
		fails(sh.run("", "model", "evaluate", "MDL-1@1.0", "--file", fairness, "--feature", "sex"), "--feature needs --format fairlearn")
		fails(sh.run(`{"overall": {"accuracy": NaN}}`, "model", "evaluate", "MDL-1@1.0", "--file", "-", "--format", "fairlearn"),
			"report: fairlearn report: is not valid JSON: NaN and Infinity are not JSON numbers")
		r = sh.run(`{"accuracy": 0.9}`, "model", "evaluate", "MDL-1@1.0", "--file", "-", "--format", "csv")
		fails(r, `format: expected value to be one of "fairlearn, evidently, mlflow"`)
		fails(sh.run("", "model", "evaluate", "MDL-1@1.0", "--file", filepath.Join(dir, "missing.json"), "--format", "mlflow"), "--file")
		contains(sh.ok("", "model", "version", "list", "MDL-1"), "MDL-1@1.0 candidate - 7")
	}
}
