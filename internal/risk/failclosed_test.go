package risk_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestFailClosed proves that a change whose audit event cannot be written
// is refused whole: with log appends failing in the database, every change
// returns the failure and every table stays exactly as it was; closing an
// assessment stores no results and signs no checkpoint.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		e.system(t, "Hiring screening")
		r1 := e.assess(t, e.create(t, hiring("")), 3, 4)
		r1 = e.treat(t, r1, risk.TreatmentRequest{Option: "modify", Controls: []string{"A.9.3"}, ResidualLikelihood: 2, ResidualImpact: 2})
		r1, err := e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Audit", Version: r1.Version})
		if err != nil {
			t.Fatal(err)
		}
		r2 := e.create(t, risk.CreateRequest{Title: "Closed one"})
		if _, err := e.svc.Close(e.ctx, e.contributor(), "RISK-2", risk.CloseRequest{Reason: "x", Version: r2.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "Annual"}); err != nil {
			t.Fatal(err)
		}
		before := e.get(t, "RISK-1")
		servicetest.FailAuditAppends(t, d)
		owner, v := e.owner(), r1.Version
		ops := []struct {
			name string
			do   func() error
		}{
			{"SetCriteria", func() error {
				req := fourByFour()
				req.Version, req.Appetite = 1, "high"
				_, err := e.svc.SetCriteria(e.ctx, owner, req)
				return err
			}},
			{"Create", func() error { _, err := e.svc.Create(e.ctx, owner, risk.CreateRequest{Title: "New"}); return err }},
			{"CreateTx", func() error {
				return d.WithTx(e.ctx, func(tx *db.Tx) error {
					_, err := e.svc.CreateTx(e.ctx, tx, owner, risk.CreateRequest{Title: "New"})
					return err
				})
			}},
			{"Update", func() error {
				_, err := e.svc.Update(e.ctx, owner, "RISK-1", risk.UpdateRequest{Version: v, Title: ptr("Renamed")})
				return err
			}},
			{"Assess", func() error {
				_, err := e.svc.Assess(e.ctx, owner, "RISK-1", risk.AssessRequest{Likelihood: 1, Impact: 1, Version: v})
				return err
			}},
			{"SetTreatment", func() error {
				_, err := e.svc.SetTreatment(e.ctx, owner, "RISK-1", risk.TreatmentRequest{Option: "avoid", Controls: []string{"A.5.2"}, Version: v})
				return err
			}},
			{"AddAction", func() error {
				_, err := e.svc.AddAction(e.ctx, owner, "RISK-1", risk.AddActionRequest{Description: "More", Version: v})
				return err
			}},
			{"UpdateAction", func() error {
				_, err := e.svc.UpdateAction(e.ctx, owner, "RISK-1", 1, risk.UpdateActionRequest{Status: ptr("done"), Version: v})
				return err
			}},
			{"Accept", func() error {
				_, err := e.svc.Accept(e.ctx, owner, "RISK-1", risk.AcceptRequest{Version: v})
				return err
			}},
			{"Close", func() error {
				_, err := e.svc.Close(e.ctx, owner, "RISK-1", risk.CloseRequest{Reason: "x", Version: v})
				return err
			}},
			{"Reopen", func() error {
				_, err := e.svc.Reopen(e.ctx, owner, "RISK-2", risk.ReopenRequest{Version: 2})
				return err
			}},
			{"OpenAssessment", func() error {
				_, err := e.svc.OpenAssessment(e.ctx, owner, risk.OpenAssessmentRequest{Name: "Another"})
				return err
			}},
			{"CloseAssessment", func() error {
				_, err := e.svc.CloseAssessment(e.ctx, owner, "RA-1", risk.CloseAssessmentRequest{Note: "x"})
				return err
			}},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					if err := op.do(); err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM risk_assessment_results`) + servicetest.Count(t, d, `SELECT count(*) FROM log_checkpoints`); n != 0 {
			t.Errorf("%d results and checkpoints after a failed closing", n)
		}
		if diff := cmp.Diff(before, e.get(t, "RISK-1")); diff != "" {
			t.Errorf("RISK-1 changed (-before +after):\n%s", diff)
		}
		if got := servicetest.RowsOf(t, d, `SELECT kind, last FROM refs WHERE org_id = ? ORDER BY kind`, e.org); !cmp.Equal(got, []string{"kind=RA last=1", "kind=RISK last=2", "kind=SYS last=1"}) {
			t.Errorf("refs = %q", got)
		}
		// Reads still work.
		if _, err := e.svc.Overview(e.ctx, e.viewer()); err != nil {
			t.Errorf("reads fail too: %v", err)
		}
		if a, err := e.svc.Assessment(e.ctx, e.viewer(), "RA-1"); err != nil || a.Status != "open" {
			t.Errorf("RA-1 = %+v, %v", a, err)
		}
		_ = aims.CodeOf
	})
}
