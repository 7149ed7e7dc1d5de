package supplier_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/google/go-cmp/cmp"
)

// TestFailClosed proves that a change whose audit event cannot be written
// is refused whole: with log appends failing in the database, every change
// returns the failure and every table, reference counters included, stays
// exactly as it was.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c, m := e.contributor(), e.manager()
		e.system(t, "Credit scoring")
		e.party(t, supplier.PartyRequest{Name: "DataCo", Kind: "supplier"})
		e.party(t, supplier.PartyRequest{Name: "Archived", Kind: "supplier"})
		if _, err := e.svc.ArchiveParty(e.ctx, c, "TP-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddSupply(e.ctx, c, "TP-1", supplier.SupplyRequest{Kind: "service", System: "SYS-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateResource(e.ctx, c, supplier.ResourceRequest{Kind: "other", Name: "Thing"}); err != nil {
			t.Fatal(err)
		}
		before := e.getParty(t, "TP-1")
		servicetest.FailAuditAppends(t, d)
		ops := []struct {
			name string
			do   func() error
		}{
			{"CreateParty", func() error {
				_, err := e.svc.CreateParty(e.ctx, c, supplier.PartyRequest{Name: "New", Kind: "supplier"})
				return err
			}},
			{"UpdateParty", func() error {
				_, err := e.svc.UpdateParty(e.ctx, c, "TP-1", supplier.PartyUpdate{Version: 1, Name: ptr("Renamed")})
				return err
			}},
			{"ArchiveParty", func() error { _, err := e.svc.ArchiveParty(e.ctx, c, "TP-1"); return err }},
			{"RestoreParty", func() error { _, err := e.svc.RestoreParty(e.ctx, c, "TP-2"); return err }},
			{"AddSupply", func() error {
				_, err := e.svc.AddSupply(e.ctx, c, "TP-1", supplier.SupplyRequest{Kind: "tooling", Description: "x"})
				return err
			}},
			{"UpdateSupply", func() error {
				_, err := e.svc.UpdateSupply(e.ctx, c, "TP-1", 1, supplier.SupplyUpdate{Version: 1, Description: ptr("y")})
				return err
			}},
			{"RemoveSupply", func() error { return e.svc.RemoveSupply(e.ctx, c, "TP-1", 1, 1) }},
			{"Assess", func() error {
				_, err := e.svc.Assess(e.ctx, m, "TP-1", supplier.AssessRequest{Result: "satisfactory"})
				return err
			}},
			{"SetStage", func() error {
				_, err := e.svc.SetStage(e.ctx, c, "SYS-1", "deployment", supplier.RACIRequest{Accountable: []string{"TP-1"}})
				return err
			}},
			{"CreateResource", func() error {
				_, err := e.svc.CreateResource(e.ctx, c, supplier.ResourceRequest{Kind: "data", Name: "More"})
				return err
			}},
			{"UpdateResource", func() error {
				_, err := e.svc.UpdateResource(e.ctx, c, "RES-1", supplier.ResourceUpdate{Version: 1, Name: ptr("Renamed")})
				return err
			}},
			{"ArchiveResource", func() error { _, err := e.svc.ArchiveResource(e.ctx, c, "RES-1"); return err }},
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
		if diff := cmp.Diff(before, e.getParty(t, "TP-1")); diff != "" {
			t.Errorf("TP-1 changed (-before +after):\n%s", diff)
		}
		// Reads still work.
		if _, err := e.svc.Due(e.ctx, e.viewer()); err != nil {
			t.Error(err)
		}
		if _, err := e.svc.RACI(e.ctx, e.viewer(), "SYS-1"); err != nil {
			t.Error(err)
		}
	})
}
