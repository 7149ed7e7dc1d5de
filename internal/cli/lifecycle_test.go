package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/model"
)

// cliSatisfyDeployment gives SYS-1 what the default gate into deployment
// needs, through the services: an approved model version, a V&V record and
// an approved impact assessment.
func cliSatisfyDeployment(t *testing.T, env *apptest.Env, owner *aims.Actor) {
	t.Helper()
	ctx := context.Background()
	a := env.App
	m, err := a.Models.Create(ctx, owner, model.CreateRequest{System: "SYS-1", Name: "Scorer"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Models.CreateVersion(ctx, owner, m.Ref, model.VersionRequest{Label: "1.0.0", Digest: strings.Repeat("ab", 32),
		Card: model.Card{IntendedUse: "Score applications.", Limitations: "Thin files."}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Models.Evaluate(ctx, owner, v.Key, model.EvaluateRequest{Metrics: map[string]float64{"auc": 0.8}}); err != nil {
		t.Fatal(err)
	}
	if v, err = a.Models.GetVersion(ctx, owner, v.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Models.Approve(ctx, owner, v.Key, model.DecisionRequest{Version: v.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Evidence.Add(ctx, owner, evidence.AddRequest{Kind: "note", Title: "Validation report", Note: "AUC 0.8",
		Links: []string{"control:A.6.2.4", "ai_system:SYS-1"}}); err != nil {
		t.Fatal(err)
	}
	ia, err := a.Impact.Start(ctx, owner, impact.StartRequest{System: "SYS-1", Template: "eu-fria"})
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{"process": "p", "period": "p", "frequency": "daily", "categories": "c", "vulnerable": "yes",
		"oversight": "o", "override": "always", "measures": "m", "governance": "g", "complaints": "c", "notified": "pending"}
	if _, err = a.Impact.Update(ctx, owner, ia.Ref, impact.UpdateRequest{Version: ia.Version, Answers: answers}); err != nil {
		t.Fatal(err)
	}
	if _, err = a.Impact.AddImpact(ctx, owner, ia.Ref, impact.ImpactRequest{Group: "Applicants", Harm: "Unfair refusal",
		Severity: "high", Likelihood: "possible", Reversibility: "partly_reversible", Scale: "group"}); err != nil {
		t.Fatal(err)
	}
	if ia, err = a.Impact.Get(ctx, owner, ia.Ref); err != nil {
		t.Fatal(err)
	}
	if ia, err = a.Impact.Submit(ctx, owner, ia.Ref, impact.ReviewRequest{Version: ia.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err = a.Impact.Approve(ctx, owner, ia.Ref, impact.ApproveRequest{Version: ia.Version}); err != nil {
		t.Fatal(err)
	}
}

// TestLifecycleCommands sets the gates, requests a move that is blocked
// and sees why, satisfies the gate and approves it, raises a significant
// change that holds the next move, and overrides it as an owner, from the
// command line against a running server.
func TestLifecycleCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "ada@example.org",
				"--role", "owner", "--name", "Ada Lovelace", "--password-stdin")
			sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", "carl@example.org",
				"--role", "contributor", "--name", "Carl Contributor", "--password-stdin")
			token := strings.TrimSpace(sh.ok("", "token", "create", "--email", "ada@example.org", "--name", "laptop").stdout)
			carl := strings.TrimSpace(sh.ok("", "token", "create", "--email", "carl@example.org", "--name", "laptop").stdout)
			env := apptest.Serve(t, cfg)
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = token
			spaces := regexp.MustCompile(` {2,}`)
			contains := func(r result, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(spaces.ReplaceAllString(r.stdout+r.stderr, " "), spaces.ReplaceAllString(w, " ")) {
						t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, r.stdout, r.stderr)
					}
				}
			}
			contains(sh.ok("", "--help"), "lifecycle", "change", "Raise, classify, decide and record change requests")
			contains(sh.ok("", "lifecycle", "--help"), "gates", "move", "requests", "approve", "refuse", "withdraw")

			// The system is registered where it is: validation.
			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score applications", "--stage", "verification_and_validation")

			// Gates: the defaults, then our own.
			contains(sh.ok("", "lifecycle", "gates"), "# the defaults", "deployment: approved_model_version, vv_record, approved_impact_assessment",
				"retirement: retirement_plan", "every move also needs: no review due after an approved significant change")
			dir := t.TempDir()
			file := filepath.Join(dir, "gates.txt")
			if err := os.WriteFile(file, []byte("# ours\ndeployment: approved_model_version, vv_record, approved_impact_assessment\n"+
				"retirement: retirement_plan, evidence:a.6.2.6\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			contains(sh.ok("", "lifecycle", "gates", "set", file), "stage gates set: version 1", "retirement: retirement_plan, evidence:A.6.2.6")
			js := sh.ok("", "lifecycle", "gates", "show", "-o", "json").stdout
			contains(sh.ok(js, "lifecycle", "gates", "set", "-"), "stage gates set: version 1")
			if r := sh.run("inception: signature\n", "lifecycle", "gates", "set", "-"); r.code != 1 || !strings.Contains(r.stderr, "gates[0].requirements[0].kind: expected value to be one of") {
				t.Errorf("bad gates: exit %d, %s", r.code, r.stderr)
			}
			if r := sh.run("", "lifecycle", "gates", "delete"); r.code != 1 || !strings.Contains(r.stderr, "aims lifecycle gates set FILE") {
				t.Errorf("gates delete: exit %d, %s", r.code, r.stderr)
			}

			// A blocked move: the request stays open, and the command says what is missing.
			r := sh.run("", "lifecycle", "move", "SYS-1", "--to", "deployment", "--reason", "Validated on the 2026 book")
			if r.code != 1 {
				t.Fatalf("blocked move: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			contains(r, "requested MOVE-1: SYS-1 verification_and_validation → deployment", "missing An approved model version",
				"no version of a model of SYS-1 is approved or deployed", "met No review due after a significant change",
				"blocked: missing An approved model version; A verification and validation record; An approved impact assessment")
			contains(sh.ok("", "lifecycle", "move", "SYS-1", "--to", "inception", "--dry-run"), "met No review due after a significant change")
			if r := sh.run("", "lifecycle", "move", "SYS-1", "--reason", "x"); r.code != 1 || !strings.Contains(r.stderr, `required flag(s) "to" not set`) {
				t.Errorf("move without --to: exit %d, %s", r.code, r.stderr)
			}
			contains(sh.ok("", "lifecycle", "requests", "--status", "open"), "MOVE-1 SYS-1 verification_and_validation deployment open Ada Lovelace")
			if r := sh.run("", "lifecycle", "approve", "MOVE-1"); r.code != 1 || !strings.Contains(r.stderr, "not met: An approved model version") {
				t.Errorf("blocked approval: exit %d, %s", r.code, r.stderr)
			}
			if r := sh.run("", "lifecycle", "approve", "MOVE-1", "--override"); r.code != 1 || !strings.Contains(r.stderr, "--override needs --reason") {
				t.Errorf("override without reason: exit %d, %s", r.code, r.stderr)
			}

			// Satisfied, approved: the system is in deployment.
			owner, err := env.App.Identity.ActorFor(context.Background(), userIDOf(t, env, "ada@example.org"), orgIDOf(t, env, "Acme Bank"))
			if err != nil {
				t.Fatal(err)
			}
			cliSatisfyDeployment(t, env, owner)
			contains(sh.ok("", "lifecycle", "show", "MOVE-1"), "Checks, evaluated now:", "met An approved model version MDL-1@1.0.0 (approved)")
			contains(sh.ok("", "lifecycle", "approve", "MOVE-1", "--note", "Credit committee"), "MOVE-1 approved: SYS-1 verification_and_validation → deployment")
			contains(sh.ok("", "system", "show", "SYS-1"), "Life-cycle stage Deployment", "ai_system.stage_change")

			// A significant change holds the next move; an owner overrides, with a reason.
			contains(sh.ok("", "change", "add", "SYS-1", "--kind", "model_version", "--title", "Scorer 2", "--justification", "Better AUC"),
				"raised CR-1 Scorer 2 for SYS-1: significant by rule: a new model version is always significant")
			contains(sh.ok("", "change", "approve", "CR-1"), "CR-1 approved, significant", "SYS-1's risks and impact assessments are now due for review")
			r = sh.run("", "lifecycle", "move", "SYS-1", "--to", "operation_and_monitoring", "--reason", "Live")
			if r.code != 1 {
				t.Fatalf("move after the change: exit %d\n%s", r.code, r.stdout)
			}
			contains(r, "missing No review due after a significant change", "IA-1: a significant change was approved: CR-1 Scorer 2")
			contains(sh.ok("", "lifecycle", "approve", "MOVE-2", "--override", "--reason", "The review is booked for Monday"),
				"MOVE-2 approved: SYS-1 deployment → operation_and_monitoring", "overridden: The review is booked for Monday")

			// Changes: list, implement, show; a minor one raised and withdrawn by its requester.
			contains(sh.ok("", "change", "list", "--status", "open"), "CR-1 SYS-1 Scorer 2 model_version significant approved")
			contains(sh.ok("", "change", "implement", "CR-1", "--note", "Deployed 2.0.0"), "CR-1 implemented, significant")
			contains(sh.ok("", "change", "show", "CR-1"), "Rule significant by rule: a new model version is always significant",
				"What was done Deployed 2.0.0")
			if r := sh.run("", "change", "implement", "CR-1", "--note", "Again"); r.code != 1 || !strings.Contains(r.stderr, "CR-1 is implemented, not approved") {
				t.Errorf("implemented twice: exit %d, %s", r.code, r.stderr)
			}
			sh.vars["AIMS_TOKEN"] = carl
			contains(sh.ok("", "change", "add", "SYS-1", "--kind", "supplier", "--title", "New hosting", "--justification", "Cost"),
				"raised CR-2 New hosting for SYS-1: minor by rule")
			if r := sh.run("", "change", "approve", "CR-2"); r.code != 1 || !strings.Contains(r.stderr, "HTTP 403") {
				t.Errorf("contributor approves: exit %d, %s", r.code, r.stderr)
			}
			contains(sh.ok("", "change", "withdraw", "CR-2"), "CR-2 withdrawn, minor")
			sh.run("", "lifecycle", "move", "SYS-1", "--to", "re_evaluation", "--reason", "Drift")
			contains(sh.ok("", "lifecycle", "withdraw", "MOVE-3"), "MOVE-3 withdrawn")
			sh.vars["AIMS_TOKEN"] = token
			sh.ok("", "change", "add", "SYS-1", "--kind", "other", "--title", "Logo", "--justification", "Brand")
			contains(sh.ok("", "change", "reclassify", "CR-3", "--reason", "The logo shows the score"), "CR-3 requested, significant")
		})
	}
}

// userIDOf finds a user's id by email.
func userIDOf(t *testing.T, env *apptest.Env, email string) string {
	t.Helper()
	var id string
	if err := env.App.DB.QueryRowContext(context.Background(), `SELECT id FROM users WHERE email = ?`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// orgIDOf finds an organisation's id by name.
func orgIDOf(t *testing.T, env *apptest.Env, name string) string {
	t.Helper()
	var id string
	if err := env.App.DB.QueryRowContext(context.Background(), `SELECT id FROM organisations WHERE name = ?`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
