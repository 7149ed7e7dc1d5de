package model_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestFailClosed proves that a change whose audit event cannot be written is
// refused whole: with log appends failing in the database, every change
// returns the failure and the models, versions, results, deployments, the
// reference counter and the logs stay exactly as they were.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.model(t, "SYS-1", "Scorer")
		e.model(t, "SYS-1", "Archived")
		e.model(t, "SYS-1", "Spare")
		if _, err := e.svc.Archive(e.ctx, e.owner(), "MDL-2"); err != nil {
			t.Fatal(err)
		}
		cand := e.version(t, "MDL-1", "1", model.VersionRequest{Card: card})
		e.evaluate(t, cand.Key, "auc", 0.8)
		prod := e.approved(t, "MDL-1", "2")
		prod = e.deploy(t, prod.Key, "production")
		next := e.approved(t, "MDL-1", "3")
		before := e.get(t, "MDL-1@2")
		servicetest.FailAuditAppends(t, d)
		owner := e.owner()

		ops := []struct {
			name string
			do   func() error
		}{
			{"Create", func() error {
				_, err := e.svc.Create(e.ctx, owner, model.CreateRequest{System: "SYS-1", Name: "New"})
				return err
			}},
			{"Update", func() error {
				_, err := e.svc.Update(e.ctx, owner, "MDL-1", model.UpdateRequest{Version: 1, Name: ptr("Renamed")})
				return err
			}},
			{"Archive", func() error { _, err := e.svc.Archive(e.ctx, owner, "MDL-3"); return err }},
			{"Restore", func() error { _, err := e.svc.Restore(e.ctx, owner, "MDL-2"); return err }},
			{"CreateVersion", func() error {
				_, err := e.svc.CreateVersion(e.ctx, owner, "MDL-1", model.VersionRequest{Label: "9", Digest: digest("9")})
				return err
			}},
			{"UpdateVersion", func() error {
				_, err := e.svc.UpdateVersion(e.ctx, owner, cand.Key, model.VersionUpdate{Version: 1, Framework: ptr("x")})
				return err
			}},
			{"Evaluate", func() error {
				_, err := e.svc.Evaluate(e.ctx, owner, cand.Key, model.EvaluateRequest{Metrics: map[string]float64{"auc": 0.9}})
				return err
			}},
			{"Approve", func() error {
				_, err := e.svc.Approve(e.ctx, owner, cand.Key, model.DecisionRequest{Version: 1})
				return err
			}},
			{"Deploy superseding", func() error {
				_, err := e.svc.Deploy(e.ctx, owner, next.Key, model.DeployRequest{Version: next.Version})
				return err
			}},
			{"Withdraw", func() error {
				_, err := e.svc.Withdraw(e.ctx, owner, prod.Key, model.DeployRequest{Version: prod.Version})
				return err
			}},
			{"Retire", func() error {
				_, err := e.svc.Retire(e.ctx, owner, next.Key, model.DecisionRequest{Version: next.Version})
				return err
			}},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					err := op.do()
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if diff := cmp.Diff(before, e.get(t, "MDL-1@2")); diff != "" {
			t.Errorf("MDL-1@2 changed (-before +after):\n%s", diff)
		}
		if got := servicetest.RowsOf(t, d, `SELECT kind, last FROM refs WHERE org_id = ? AND kind = 'MDL'`, e.org); !cmp.Equal(got, []string{"kind=MDL last=3"}) {
			t.Errorf("refs = %q", got)
		}
		// Reads still work.
		if _, err := e.svc.List(e.ctx, e.viewer(), model.ListQuery{Status: "all"}); err != nil {
			t.Error(err)
		}
	})
}
