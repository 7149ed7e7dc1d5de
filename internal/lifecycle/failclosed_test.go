package lifecycle_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestFailClosed makes the audit log fail and proves that every change is
// refused and leaves nothing behind: no gates, no request, no decision, no
// stage moved, no change request or classification.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening", "inception")
		e.system(t, "Chat assistant", "inception")
		open := e.request(t, "SYS-1", "design_and_development", "")
		minor, err := e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "Support desk",
			Kinds: []string{"supplier"}, Justification: "Contract"})
		if err != nil {
			t.Fatal(err)
		}
		significant, err := e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "Model 2",
			Kinds: []string{"model_version"}, Justification: "Recall"})
		if err != nil {
			t.Fatal(err)
		}
		approved, err := e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "Logo",
			Kinds: []string{"other"}, Justification: "Brand"})
		if err != nil {
			t.Fatal(err)
		}
		if approved, err = e.svc.ApproveChange(e.ctx, e.manager(), approved.Ref, lifecycle.ChangeDecision{Version: 1}); err != nil {
			t.Fatal(err)
		}
		servicetest.FailAuditAppends(t, d)
		ops := []struct {
			name string
			do   func() error
		}{
			{"SetGates", func() error {
				return second(e.svc.SetGates(e.ctx, e.owner(), lifecycle.GatesRequest{Gates: []lifecycle.Gate{{Stage: "inception",
					Requirements: []lifecycle.Requirement{{Kind: "risks_assessed"}}}}}))
			}},
			{"CreateRequest", func() error {
				return second(e.svc.CreateRequest(e.ctx, e.manager(), lifecycle.StageRequestCreate{System: "SYS-2", To: "retirement",
					Justification: "x", Plan: "y"}))
			}},
			{"ApproveRequest", func() error {
				return second(e.svc.ApproveRequest(e.ctx, e.manager(), open.Ref, lifecycle.DecisionRequest{Version: 1}))
			}},
			{"RefuseRequest", func() error {
				return second(e.svc.RefuseRequest(e.ctx, e.manager(), open.Ref, lifecycle.DecisionRequest{Version: 1, Note: "No"}))
			}},
			{"WithdrawRequest", func() error {
				return second(e.svc.WithdrawRequest(e.ctx, e.contributor(), open.Ref, lifecycle.DecisionRequest{Version: 1}))
			}},
			{"CreateChange", func() error {
				return second(e.svc.CreateChange(e.ctx, e.contributor(), lifecycle.ChangeCreate{System: "SYS-1", Title: "x",
					Kinds: []string{"other"}, Justification: "x"}))
			}},
			{"ReclassifyChange", func() error {
				return second(e.svc.ReclassifyChange(e.ctx, e.manager(), minor.Ref, lifecycle.ReclassifyRequest{Version: 1,
					Classification: "significant", Reason: "x"}))
			}},
			{"ApproveChange", func() error {
				return second(e.svc.ApproveChange(e.ctx, e.manager(), significant.Ref, lifecycle.ChangeDecision{Version: 1}))
			}},
			{"RefuseChange", func() error {
				return second(e.svc.RefuseChange(e.ctx, e.manager(), minor.Ref, lifecycle.ChangeDecision{Version: 1, Note: "No"}))
			}},
			{"WithdrawChange", func() error {
				return second(e.svc.WithdrawChange(e.ctx, e.contributor(), minor.Ref, lifecycle.ChangeDecision{Version: 1}))
			}},
			{"ImplementChange", func() error {
				return second(e.svc.ImplementChange(e.ctx, e.manager(), approved.Ref, lifecycle.ChangeDecision{Version: approved.Version, Note: "Done"}))
			}},
		}
		for _, op := range ops {
			servicetest.Unchanged(t, d, func() {
				err := op.do()
				if err == nil || !strings.Contains(err.Error(), "injected") {
					t.Errorf("%s with a failing audit log: %v", op.name, err)
				}
			})
		}
		if e.stageOf(t, "SYS-1") != "inception" {
			t.Error("the stage moved without its audit event")
		}
	})
}
