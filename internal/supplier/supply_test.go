package supplier_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/google/go-cmp/cmp"
)

// TestSupplies records what suppliers provide and customers receive,
// resolving models and data sets, and lists them per party and per system.
func TestSupplies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		credit, chat := e.system(t, "Credit scoring"), e.system(t, "Chat assistant")
		mdl := e.fakeModel(e.org, "MDL-1", "Credit scorer", credit.ID)
		e.fakeModel(e.org, "MDL-2", "Chat model", chat.ID)
		ds := e.fakeDataset(e.org, "DS-1", "Applications")
		e.party(t, supplier.PartyRequest{Name: "ModelWorks", Kind: "supplier"})
		e.party(t, supplier.PartyRequest{Name: "Bank of Examples", Kind: "customer"})
		e.party(t, supplier.PartyRequest{Name: "DataCo", Kind: "both"})

		// A model names its system when none is given.
		sp, err := e.svc.AddSupply(e.ctx, c, "tp-1", supplier.SupplyRequest{Kind: "model", Model: "mdl-1", Description: "Pretrained scorer"})
		if err != nil {
			t.Fatal(err)
		}
		want := &supplier.Supply{ID: sp.ID, Ref: "TP-1/S1", Number: 1, PartyID: sp.PartyID, PartyRef: "TP-1", PartyName: "ModelWorks",
			Role: "supplier", Kind: "model", System: &supplier.Link{ID: credit.ID, Ref: "SYS-1", Name: "Credit scoring"},
			Model: &supplier.Link{ID: mdl.ID, Ref: "MDL-1", Name: "Credit scorer"}, Description: "Pretrained scorer", Version: 1,
			CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, sp); diff != "" {
			t.Errorf("supply (-want +got):\n%s", diff)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); !cmp.Equal(got, map[string][2]string{
			"ref": {"null", `"TP-1/S1"`}, "role": {"null", `"supplier"`}, "kind": {"null", `"model"`}, "system": {"null", `"SYS-1"`},
			"model": {"null", `"MDL-1"`}, "description": {"null", `"Pretrained scorer"`}}) {
			t.Errorf("event changes %v", got)
		}

		// Refusals name the field and store nothing.
		bad := []struct {
			party  string
			req    supplier.SupplyRequest
			fields []string
		}{
			{"TP-1", supplier.SupplyRequest{Kind: "model", Model: "MDL-2", System: "SYS-1"}, []string{"model"}},
			{"TP-1", supplier.SupplyRequest{Kind: "service", Model: "MDL-1", Dataset: "DS-1"}, []string{"dataset", "model"}},
			{"TP-1", supplier.SupplyRequest{Kind: "model", Model: "MDL-9"}, []string{"model"}},
			{"TP-1", supplier.SupplyRequest{Kind: "data_set", Dataset: "DS-9", System: "SYS-9"}, []string{"dataset", "system"}},
			{"TP-1", supplier.SupplyRequest{Kind: "robots"}, []string{"description", "kind"}},
			{"TP-1", supplier.SupplyRequest{Kind: "other"}, []string{"description"}},
			{"TP-1", supplier.SupplyRequest{Role: "customer", Kind: "other", Description: "x"}, []string{"role"}},
			{"TP-2", supplier.SupplyRequest{Role: "supplier", Kind: "other", Description: "x"}, []string{"role"}},
		}
		for _, b := range bad {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.AddSupply(e.ctx, c, b.party, b.req)
				servicetest.WantFields(t, err, aims.CodeInvalid, b.fields...)
			})
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddSupply(e.ctx, c, "TP-9", supplier.SupplyRequest{Kind: "other", Description: "x"})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})

		// A customer's role defaults to customer; a data set serves the system named.
		if sp, err := e.svc.AddSupply(e.ctx, c, "TP-2", supplier.SupplyRequest{Kind: "service", System: "sys-1", Description: "Credit decisions as a service"}); err != nil ||
			sp.Role != "customer" || sp.Ref != "TP-2/S1" {
			t.Fatalf("customer supply = %+v, %v", sp, err)
		}
		if sp, err := e.svc.AddSupply(e.ctx, c, "TP-3", supplier.SupplyRequest{Kind: "data_set", Dataset: "DS-1", System: "SYS-1"}); err != nil ||
			sp.Dataset == nil || sp.Dataset.ID != ds.ID || sp.Role != "supplier" {
			t.Fatalf("data supply = %+v, %v", sp, err)
		}
		if _, err := e.svc.AddSupply(e.ctx, c, "TP-3", supplier.SupplyRequest{Kind: "computing", Role: "customer", System: "SYS-2", Description: "GPU time"}); err != nil {
			t.Fatal(err)
		}
		refs := func(ss []supplier.Supply, err error) []string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range ss {
				out = append(out, s.Ref)
			}
			return out
		}
		if got := refs(e.svc.SystemSupplies(e.ctx, e.viewer(), "SYS-1")); !cmp.Equal(got, []string{"TP-2/S1", "TP-3/S1", "TP-1/S1"}) {
			t.Errorf("SYS-1 supplies %v", got)
		}
		if got := refs(e.svc.Supplies(e.ctx, e.viewer(), "TP-3")); !cmp.Equal(got, []string{"TP-3/S1", "TP-3/S2"}) {
			t.Errorf("TP-3 supplies %v", got)
		}
		if p := e.getParty(t, "TP-3"); p.SupplyCount != 2 {
			t.Errorf("supply count %d", p.SupplyCount)
		}
		page, err := e.svc.ListParties(e.ctx, e.viewer(), supplier.PartyQuery{System: "SYS-2"})
		if err != nil || page.Total != 1 || page.Items[0].Ref != "TP-3" {
			t.Errorf("parties of SYS-2 = %+v, %v", page, err)
		}

		// Changing a supply needs its version; a new model brings its system.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateSupply(e.ctx, c, "TP-1", 1, supplier.SupplyUpdate{Version: 5, Description: ptr("x")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.UpdateSupply(e.ctx, c, "TP-1", 7, supplier.SupplyUpdate{Version: 1})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		sp, err = e.svc.UpdateSupply(e.ctx, c, "TP-1", 1, supplier.SupplyUpdate{Version: 1, Model: ptr("MDL-2")})
		if err != nil || sp.Version != 2 || sp.Model.Ref != "MDL-2" || sp.System.Ref != "SYS-2" {
			t.Fatalf("update = %+v, %v", sp, err)
		}
		// Removing one keeps its record in the party's history.
		servicetest.Unchanged(t, d, func() {
			servicetest.WantFields(t, e.svc.RemoveSupply(e.ctx, c, "TP-1", 1, 1), aims.CodeConflict, "version")
		})
		if err := e.svc.RemoveSupply(e.ctx, c, "TP-1", 1, 2); err != nil {
			t.Fatal(err)
		}
		if got := refs(e.svc.Supplies(e.ctx, e.viewer(), "TP-1")); len(got) != 0 {
			t.Errorf("after removal %v", got)
		}
		hist, err := e.svc.PartyHistory(e.ctx, e.viewer(), "TP-1")
		if err != nil || len(hist) != 4 || hist[0].Action != supplier.ActionSupplyRemove || hist[0].Object.Ref != "TP-1/S1" {
			t.Errorf("history %+v, %v", hist, err)
		}
		// An archived party takes no new supplies.
		if _, err := e.svc.ArchiveParty(e.ctx, c, "TP-3"); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddSupply(e.ctx, c, "TP-3", supplier.SupplyRequest{Kind: "other", Description: "x"})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
	})
}
