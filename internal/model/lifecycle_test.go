package model_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// fieldsOf lists the fields an error names.
func fieldsOf(err error) []string {
	var out []string
	for _, f := range aims.AsError(err).Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestApprovePreconditions refuses to approve a version without an
// evaluation result and a card that says what it is for and where it falls
// short, naming each gap; then approves it and records who and why.
func TestApprovePreconditions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		v := e.version(t, "MDL-1", "1.0", model.VersionRequest{})

		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Approve(e.ctx, e.manager(), v.Key, model.DecisionRequest{Version: 1})
			servicetest.WantCode(t, err, aims.CodeConflict)
			if got := fieldsOf(err); !cmp.Equal(got, []string{"evaluations", "card.intended_use", "card.limitations"}) {
				t.Errorf("missing = %v", got)
			}
		})
		e.evaluate(t, v.Key, "accuracy", 0.91)
		v, err := e.svc.UpdateVersion(e.ctx, e.contributor(), v.Key, model.VersionUpdate{Version: 1,
			Card: &model.CardUpdate{IntendedUse: ptr("Score applications.")}})
		if err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Approve(e.ctx, e.manager(), v.Key, model.DecisionRequest{Version: v.Version})
			if got := fieldsOf(err); !cmp.Equal(got, []string{"card.limitations"}) {
				t.Errorf("missing = %v (%v)", got, err)
			}
			_, err = e.svc.Approve(e.ctx, e.manager(), v.Key, model.DecisionRequest{Version: v.Version, Note: strings.Repeat("n", 2001)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "note")
		})
		v, err = e.svc.UpdateVersion(e.ctx, e.contributor(), v.Key, model.VersionUpdate{Version: v.Version,
			Card: &model.CardUpdate{Limitations: ptr("Not for business loans.")}})
		if err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Approve(e.ctx, e.manager(), v.Key, model.DecisionRequest{Version: v.Version - 1})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		e.clock.Advance(time.Hour)
		ok, err := e.svc.Approve(e.ctx, e.manager(), v.Key, model.DecisionRequest{Version: v.Version, Note: " AI board, minute 12 "})
		if err != nil {
			t.Fatal(err)
		}
		want := &model.Decision{By: e.manager().UserID, ByName: "Max Manager", At: t0.Add(time.Hour), Note: "AI board, minute 12"}
		if ok.Status != model.VersionApproved || !cmp.Equal(ok.Approval, want) || ok.Version != v.Version+1 {
			t.Errorf("approved = %+v, approval %+v", ok, ok.Approval)
		}
		if diff := cmp.Diff(map[string][2]string{"status": {js("candidate"), js("approved")}, "note": {"null", js("AI board, minute 12")}},
			servicetest.ChangeMap(t, e.lastEvent(t))); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Approve(e.ctx, e.owner(), v.Key, model.DecisionRequest{Version: ok.Version})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		// The gate sees it.
		av, err := e.svc.ApprovedVersions(e.ctx, e.org, ok.SystemID)
		if err != nil || len(av) != 1 || av[0].Key != "MDL-1@1.0" || av[0].Status != model.VersionApproved {
			t.Errorf("approved versions = %+v, %v", av, err)
		}
	})
}

// TestDeploySupersedesAndEnvironmentsCoexist deploys versions to production
// and staging: a new version in production supersedes the old one, which
// goes back to approved and rolls back when deployed again; staging keeps
// its own version; withdrawing and retiring follow their rules.
func TestDeploySupersedesAndEnvironmentsCoexist(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		v1 := e.approved(t, "MDL-1", "1.0")
		v2 := e.approved(t, "MDL-1", "2.0")
		cand := e.version(t, "MDL-1", "3.0-rc", model.VersionRequest{})

		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Deploy(e.ctx, e.manager(), cand.Key, model.DeployRequest{Version: cand.Version})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.Deploy(e.ctx, e.manager(), v1.Key, model.DeployRequest{Version: v1.Version, Environment: "prod/eu"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "environment")
		})

		got := e.deploy(t, v1.Key, "")
		if got.Status != model.VersionDeployed || !cmp.Equal(got.Environments, []string{"production"}) || len(got.Deployments) != 1 ||
			!got.Deployments[0].Active || got.Deployments[0].DeployedName != "Max Manager" {
			t.Fatalf("deployed = %+v", got)
		}
		got = e.deploy(t, v1.Key, " Staging ")
		if !cmp.Equal(got.Environments, []string{"production", "staging"}) {
			t.Fatalf("environments = %v", got.Environments)
		}
		// Deploying where it already is changes nothing.
		servicetest.Unchanged(t, d, func() { e.deploy(t, v1.Key, "PRODUCTION") })

		e.clock.Advance(time.Hour)
		got = e.deploy(t, v2.Key, "production")
		if got.Status != model.VersionDeployed || !cmp.Equal(got.Environments, []string{"production"}) {
			t.Errorf("v2 = %+v", got)
		}
		old := e.get(t, v1.Key)
		if old.Status != model.VersionDeployed || !cmp.Equal(old.Environments, []string{"staging"}) {
			t.Errorf("v1 after v2 took production = %s %v", old.Status, old.Environments)
		}
		var ended *model.Deployment
		for i := range old.Deployments {
			if old.Deployments[i].Environment == "production" {
				ended = &old.Deployments[i]
			}
		}
		if ended == nil || ended.Active || ended.EndReason != "superseded" || ended.EndNote != "superseded by MDL-1@2.0" || ended.EndedAt == nil {
			t.Errorf("v1's production deployment = %+v", ended)
		}
		evs := servicetest.Events(t, e.ctx, d, e.org)
		sup, dep := evs[len(evs)-2], evs[len(evs)-1]
		if sup.Action != model.ActionSupersede || sup.Object.Ref != "MDL-1@1.0" || dep.Action != model.ActionDeploy || dep.Object.Ref != "MDL-1@2.0" {
			t.Errorf("events = %s %s, %s %s", sup.Action, sup.Object.Ref, dep.Action, dep.Object.Ref)
		}
		if diff := cmp.Diff(map[string][2]string{"environments": {"[]", `["production"]`}, "status": {js("approved"), js("deployed")},
			"superseded": {"null", js("MDL-1@1.0")}}, servicetest.ChangeMap(t, dep)); diff != "" {
			t.Errorf("deploy changes (-want +got):\n%s", diff)
		}
		m, err := e.svc.Get(e.ctx, e.viewer(), "MDL-1")
		if want := []model.Placement{{"production", "2.0", "MDL-1@2.0"}, {"staging", "1.0", "MDL-1@1.0"}}; err != nil || !cmp.Equal(m.Deployed, want) {
			t.Errorf("model's deployments = %+v, %v", m.Deployed, err)
		}
		st, err := e.svc.States(e.ctx, e.org)
		if err != nil || st[m.SystemID] != (model.SystemState{Models: 1, Approved: 2, Deployed: 2}) {
			t.Errorf("states = %+v, %v", st, err)
		}

		// Withdraw 1.0 from staging: deployed nowhere, it is approved again.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Withdraw(e.ctx, e.manager(), v1.Key, model.DeployRequest{Version: old.Version, Environment: "production"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "environment")
			_, err = e.svc.Retire(e.ctx, e.manager(), v1.Key, model.DecisionRequest{Version: old.Version})
			ae := servicetest.WantCode(t, err, aims.CodeConflict)
			if !strings.Contains(ae.Message, "withdraw it from there before retiring it") {
				t.Errorf("retire message = %q", ae.Message)
			}
			_, err = e.svc.Archive(e.ctx, e.manager(), "MDL-1")
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		w, err := e.svc.Withdraw(e.ctx, e.manager(), v1.Key, model.DeployRequest{Version: old.Version, Note: "Staging rebuilt"})
		if err != nil {
			t.Fatal(err)
		}
		if w.Status != model.VersionApproved || len(w.Environments) != 0 {
			t.Errorf("after withdrawal = %s %v", w.Status, w.Environments)
		}
		if diff := cmp.Diff(map[string][2]string{"environments": {`["staging"]`, "[]"}, "status": {js("deployed"), js("approved")},
			"note": {"null", js("Staging rebuilt")}}, servicetest.ChangeMap(t, e.lastEvent(t))); diff != "" {
			t.Errorf("withdraw changes (-want +got):\n%s", diff)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Withdraw(e.ctx, e.manager(), v1.Key, model.DeployRequest{Version: w.Version})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})

		// Roll production back to 1.0: 2.0 is superseded and approved again.
		e.deploy(t, v1.Key, "production")
		if back := e.get(t, v2.Key); back.Status != model.VersionApproved || len(back.Environments) != 0 {
			t.Errorf("v2 after the rollback = %s %v", back.Status, back.Environments)
		}
		// Retire 2.0; it cannot be deployed again. A candidate can be retired too.
		r, err := e.svc.Retire(e.ctx, e.owner(), v2.Key, model.DecisionRequest{Version: e.get(t, v2.Key).Version, Note: "Replaced"})
		if err != nil || r.Status != model.VersionRetired || r.Retirement == nil || r.Retirement.ByName != "Zoë Owner" || r.Approval == nil {
			t.Fatalf("retired = %+v, %v", r, err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Deploy(e.ctx, e.manager(), v2.Key, model.DeployRequest{Version: r.Version})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.Evaluate(e.ctx, e.contributor(), v2.Key, model.EvaluateRequest{Metrics: map[string]float64{"auc": 1}})
			servicetest.WantCode(t, err, aims.CodeConflict)
			if again, err := e.svc.Retire(e.ctx, e.owner(), v2.Key, model.DecisionRequest{Version: r.Version}); err != nil || again.Version != r.Version {
				t.Errorf("retiring again = %+v, %v", again, err)
			}
		})
		if c, err := e.svc.Retire(e.ctx, e.owner(), cand.Key, model.DecisionRequest{Version: cand.Version}); err != nil || c.Status != model.VersionRetired {
			t.Errorf("retired candidate = %+v, %v", c, err)
		}
		// Exactly one active deployment per environment, and the statuses agree with them.
		if got := servicetest.RowsOf(t, d, `SELECT environment, count(*) AS n FROM model_deployments WHERE status = 'active' GROUP BY environment`); !cmp.Equal(got, []string{"environment=production n=1"}) {
			t.Errorf("active deployments = %v", got)
		}
		if got := servicetest.RowsOf(t, d, `SELECT label, status FROM model_versions`); !cmp.Equal(got, []string{
			"label=1.0 status=deployed", "label=2.0 status=retired", "label=3.0-rc status=retired"}) {
			t.Errorf("statuses = %v", got)
		}
	})
}

// TestConcurrentDeploys deploys several approved versions to production at
// once: every deploy succeeds in some order, exactly one version is left
// deployed there and the others are approved. The partial unique index
// refuses a second active deployment written behind the service's back.
func TestConcurrentDeploys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		var vs []*model.Version
		for _, l := range []string{"1", "2", "3", "4", "5", "6"} {
			vs = append(vs, e.approved(t, "MDL-1", l))
		}
		var wg sync.WaitGroup
		errs := make([]error, len(vs))
		for i, v := range vs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.Deploy(context.Background(), e.manager(), v.Key, model.DeployRequest{Version: v.Version})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("deploy %s: %v", vs[i].Key, err)
			}
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM model_deployments WHERE status = 'active'`); n != 1 {
			t.Errorf("%d active deployments in production, want 1", n)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM model_versions WHERE status = 'deployed'`); n != 1 {
			t.Errorf("%d deployed versions, want 1", n)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM model_deployments WHERE end_reason = 'superseded'`); n != len(vs)-1 {
			t.Errorf("%d superseded deployments, want %d", n, len(vs)-1)
		}

		var modelID, versionID string
		if err := d.QueryRowContext(e.ctx, `SELECT model_id, id FROM model_versions WHERE status = 'approved' LIMIT 1`).Scan(&modelID, &versionID); err != nil {
			t.Fatal(err)
		}
		_, err := d.ExecContext(e.ctx, `INSERT INTO model_deployments (id, org_id, model_id, model_version_id, environment, status, note,
			deployed_by, deployed_at, ended_by, end_reason, end_note) VALUES (?, ?, ?, ?, 'production', 'active', '', 'x', ?, '', '', '')`,
			aims.NewID(), e.org, modelID, versionID, t0)
		if !db.IsUniqueViolation(err) {
			t.Errorf("a second active deployment in production: %v, want a unique violation", err)
		}
		// Another environment, or an ended deployment, is allowed.
		for _, q := range []string{`'staging', 'active'`, `'production', 'ended'`} {
			if _, err := d.ExecContext(e.ctx, `INSERT INTO model_deployments (id, org_id, model_id, model_version_id, environment, status, note,
				deployed_by, deployed_at, ended_by, end_reason, end_note) VALUES (?, ?, ?, ?, `+q+`, '', 'x', ?, '', '', '')`,
				aims.NewID(), e.org, modelID, versionID, t0); err != nil {
				t.Errorf("insert %s: %v", q, err)
			}
		}
	})
}
