package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
)

// TestModelCommands registers a model and a version from the command line,
// records results as flags and from an MLflow-style file, approves and
// deploys two versions, withdraws and retires one, and checks what each
// command says, the refusals and the help.
func TestModelCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "ada@example.org",
				"--role", "owner", "--name", "Ada Lovelace", "--password-stdin")
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "carl@example.org",
				"--role", "contributor", "--name", "Carl Contributor", "--password-stdin")
			token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop").stdout)
			carl := strings.TrimSpace(sh.ok("", "token", "create", "--email", "carl@example.org", "--name", "pipeline").stdout)
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
			contains(sh.ok("", "--help"), "model", "Register models and their versions")
			contains(sh.ok("", "model", "--help"), "MODEL@LABEL", "approve", "deploy", "withdraw", "retire", "evaluate", "version")
			contains(sh.ok("", "model", "evaluate", "--help"), "--metric", "--file", "MLflow", "aims model evaluate MDL-1@1.4.0 --metric accuracy=0.91")
			contains(sh.ok("", "model", "version", "add", "--help"), "--card-file", "--trained-on", "--artefact")

			// A system and two data set versions, through the data set service.
			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications")
			train, test := cliDataset(t, env, "Applications"), cliDataset(t, env, "Hold-out")

			// Models.
			fails(sh.run("", "model", "add", "--name", "Scorer"), `required flag(s) "system" not set`)
			fails(sh.run("", "model", "add", "--system", "SYS-9", "--name", " "), "name: is required", "system: is not an AI system")
			contains(sh.ok("", "model", "add", "--system", "sys-1", "--name", "Credit scorer", "--owner", "ada@example.org"),
				"registered MDL-1 Credit scorer of SYS-1")
			contains(sh.ok("", "model", "update", "MDL-1", "--description", "Gradient boosting"), "MDL-1 updated (version 2)")
			contains(sh.ok("", "model", "update", "MDL-1", "--description", "Gradient boosting"), "nothing changed: MDL-1 stays at version 2")
			contains(sh.ok("", "model", "list"), "REF NAME SYSTEM VERSIONS DEPLOYED STATUS", "MDL-1 Credit scorer SYS-1 0 - active", "1–1 of 1")
			contains(sh.ok("", "model", "list", "--system", "SYS-1", "--status", "archived"), "no models match")

			// A version from flags and a card file; an artefact file gives the digest.
			cardFile := filepath.Join(dir, "card.json")
			if err := os.WriteFile(cardFile, []byte(`{"intended_use":"Score consumer credit applications.","known_biases":"Few young applicants."}`), 0o644); err != nil {
				t.Fatal(err)
			}
			fails(sh.run("", "model", "version", "add", "MDL-1", "--label", "1.4.0"), "at least one of the flags in the group [digest artefact] is required")
			fails(sh.run("", "model", "version", "add", "MDL-1", "--label", "1 4", "--digest", "abc", "--trained-on", "DS-99@1"),
				"label: must be 1 to 64", "digest: must be a SHA-256 digest", "trained_on: names DS-99@1")
			digest := strings.Repeat("9f", 32)
			contains(sh.ok("", "model", "version", "add", "MDL-1", "--label", "1.4.0", "--digest", "sha256:"+strings.ToUpper(digest),
				"--framework", "scikit-learn 1.5", "--trained-on", train, "--evaluated-on", test, "--card-file", cardFile,
				"--limitations", "Not for business loans."), "registered MDL-1@1.4.0 (candidate)")
			artefact := filepath.Join(dir, "model.pkl")
			if err := os.WriteFile(artefact, []byte("a trained model"), 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte("a trained model"))
			sh.ok("", "model", "version", "add", "MDL-1", "--label", "1.5.0", "--artefact", artefact, "--intended-use", "Same.", "--limitations", "Same.")
			var v2 model.Version
			if err := json.Unmarshal([]byte(sh.ok("", "model", "version", "show", "MDL-1@1.5.0", "-o", "json").stdout), &v2); err != nil ||
				v2.Digest != hex.EncodeToString(sum[:]) {
				t.Errorf("digest of the artefact = %q, %v", v2.Digest, err)
			}
			fails(sh.run("", "model", "version", "show", "MDL-1"), `"MDL-1" does not name a model version: write MODEL@LABEL`)

			// Results: flags, a file of MLflow metrics, standard input; bad ones are refused whole.
			fails(sh.run("", "model", "evaluate", "MDL-1@1.4.0"), "at least one of the flags in the group [metric file] is required")
			fails(sh.run("", "model", "evaluate", "MDL-1@1.4.0", "--metric", "accuracy"), `--metric "accuracy": write NAME=VALUE`)
			fails(sh.run("", "model", "evaluate", "MDL-1@1.4.0", "--metric", "accuracy=0.9", "--date", "2999-01-01"),
				"measured_on: must not be in the future")
			sh.vars["AIMS_TOKEN"] = carl
			contains(sh.ok("", "model", "evaluate", "mdl-1@1.4.0", "--metric", "accuracy=0.91", "--metric", "auc=0.88", "--dataset", test,
				"--date", "2026-01-10"), "#1 accuracy = 0.91 on "+test+", 2026-01-10", "#2 auc = 0.88 on "+test)
			metricsFile := filepath.Join(dir, "metrics.json")
			if err := os.WriteFile(metricsFile, []byte(`{"accuracy": 0.93, "f1": 0.7}`), 0o644); err != nil {
				t.Fatal(err)
			}
			contains(sh.ok("", "model", "evaluate", "MDL-1@1.4.0", "--file", metricsFile, "--note", "run 7f3a"), "#3 accuracy = 0.93", "#4 f1 = 0.7")
			contains(sh.ok(`{"results":[{"metric":"auc","value":0.9}]}`, "model", "evaluate", "MDL-1@1.5.0", "--file", "-"), "#1 auc = 0.9")
			fails(sh.run(`["not", "results"]`, "model", "evaluate", "MDL-1@1.5.0", "--file", "-"), "want a JSON object of metric names")
			// The contributor may not approve.
			fails(sh.run("", "model", "approve", "MDL-1@1.4.0"), "HTTP 403")
			sh.vars["AIMS_TOKEN"] = token

			// Approve, deploy two versions, supersede, withdraw, retire.
			contains(sh.ok("", "model", "approve", "MDL-1@1.4.0", "--note", "AI board"), "MDL-1@1.4.0 is approved")
			fails(sh.run("", "model", "version", "update", "MDL-1@1.4.0", "--limitations", "Changed"), "frozen since its approval", "register a new version")
			fails(sh.run("", "model", "deploy", "MDL-1@1.5.0"), "approve it before deploying it")
			contains(sh.ok("", "model", "deploy", "MDL-1@1.4.0"), "MDL-1@1.4.0 is deployed; deployed in: production")
			contains(sh.ok("", "model", "deploy", "MDL-1@1.4.0", "--env", "Staging"), "deployed in: production, staging")
			sh.ok("", "model", "approve", "MDL-1@1.5.0")
			contains(sh.ok("", "model", "deploy", "MDL-1@1.5.0", "--note", "CHG-42"), "MDL-1@1.5.0 is deployed; deployed in: production")
			contains(sh.ok("", "model", "list"), "MDL-1 Credit scorer SYS-1 2 1.5.0 in production, 1.4.0 in staging active")
			r := sh.ok("", "model", "version", "show", "MDL-1@1.4.0")
			contains(r, "Version MDL-1@1.4.0 of Credit scorer", "Status deployed", "Environments staging", "SHA-256 "+digest,
				"Trained on "+train, "Intended use Score consumer credit applications.", "Known biases Few young applicants.",
				"Approved Ada Lovelace", "AI board", "#3 accuracy 0.93", "production: deployed by Ada Lovelace", "superseded",
				"model_version.supersede by ada@example.org", "model_version.evaluate by carl@example.org")
			fails(sh.run("", "model", "retire", "MDL-1@1.4.0"), "withdraw it from there before retiring it")
			contains(sh.ok("", "model", "withdraw", "MDL-1@1.4.0"), "MDL-1@1.4.0 is approved; deployed in: -")
			contains(sh.ok("", "model", "retire", "MDL-1@1.4.0", "--note", "Replaced by 1.5.0"), "MDL-1@1.4.0 is retired")
			contains(sh.ok("", "model", "version", "list", "MDL-1"), "KEY STATUS ENVIRONMENTS RESULTS TRAINED ON",
				"MDL-1@1.5.0 deployed production 1 -", "MDL-1@1.4.0 retired - 4 "+train)
			r = sh.ok("", "model", "show", "MDL-1")
			contains(r, "Model MDL-1 Credit scorer", "AI system SYS-1 Credit scoring", "Deployed 1.5.0 in production",
				"MDL-1@1.5.0 deployed production 1 Ada Lovelace", "model.update by ada@example.org")
			fails(sh.run("", "model", "archive", "MDL-1"), "withdraw it before archiving the model")
			sh.ok("", "model", "withdraw", "MDL-1@1.5.0", "--env", "production")
			contains(sh.ok("", "model", "archive", "MDL-1"), "MDL-1 is archived")
			contains(sh.ok("", "model", "restore", "MDL-1"), "MDL-1 is active")
			fails(sh.run("", "model", "show", "MDL-9"), "not found (HTTP 404)")
		})
	}
}

// cliDataset records a data set with one version through the data set
// service, as the organisation's owner, and returns the version's key.
func cliDataset(t *testing.T, env *apptest.Env, name string) string {
	t.Helper()
	ctx := context.Background()
	var userID, orgID string
	if err := env.App.DB.QueryRowContext(ctx, `SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE u.email = 'ada@example.org'`).Scan(&userID, &orgID); err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Identity.ActorFor(ctx, userID, orgID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := env.App.Datasets.Create(ctx, a, dataset.CreateRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	no := false
	v, err := env.App.Datasets.AddVersion(ctx, a, d.Ref, dataset.VersionRequest{Source: "Loan book", Acquisition: "collected",
		Licence: "Own data", ContainsPersonalData: &no})
	if err != nil {
		t.Fatal(err)
	}
	return v.Key
}

// TestModelCompletion completes model references and version keys.
func TestModelCompletion(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t)[:1] {
		cfg := apptest.Config(t, dialect, nil)
		sh := newShell(t, cfg)
		sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme", "--email", "ada@example.org",
			"--role", "owner", "--name", "Ada", "--password-stdin")
		token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop").stdout)
		env := apptest.Serve(t, cfg)
		sh.vars["AIMS_SERVER"], sh.vars["AIMS_TOKEN"] = env.URL, token
		sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score")
		sh.ok("", "model", "add", "--system", "SYS-1", "--name", "Scorer")
		sh.ok("", "model", "version", "add", "MDL-1", "--label", "1.4.0", "--digest", strings.Repeat("a", 64))
		if r := sh.ok("", "__complete", "model", "show", ""); !strings.Contains(r.stdout, "MDL-1\tScorer") {
			t.Errorf("model completion:\n%s", r.stdout)
		}
		if r := sh.ok("", "__complete", "model", "approve", ""); !strings.Contains(r.stdout, "MDL-1@\tScorer") {
			t.Errorf("key completion:\n%s", r.stdout)
		}
		if r := sh.ok("", "__complete", "model", "approve", "MDL-1@"); !strings.Contains(r.stdout, "MDL-1@1.4.0\tcandidate") {
			t.Errorf("label completion:\n%s", r.stdout)
		}
		if r := sh.ok("", "__complete", "model", "deploy", "MDL-1@1.4.0", "--env", ""); !strings.Contains(r.stdout, "staging") {
			t.Errorf("environment completion:\n%s", r.stdout)
		}
		if r := sh.ok("", "__complete", "model", "add", "--system", ""); !strings.Contains(r.stdout, "SYS-1\tCredit scoring") {
			t.Errorf("system completion:\n%s", r.stdout)
		}
	}
}
