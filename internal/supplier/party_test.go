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

// TestParties records, changes, archives and lists third parties, and
// checks every refusal leaves the database as it was.
func TestParties(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()

		// Bad input names every field at fault and stores nothing.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateParty(e.ctx, c, supplier.PartyRequest{Name: " ", Kind: "vendor", Country: "Germany",
				Contact: supplier.Contact{Email: "not an address", Web: "ftp://x"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "contact.email", "contact.web", "country", "kind", "name")
		})
		p := e.party(t, supplier.PartyRequest{Name: "  DataCo  GmbH ", Kind: "supplier", Description: "Labelled images",
			Contact: supplier.Contact{Name: "Account manager", Email: "sales@dataco.example", Web: "https://dataco.example"}, Country: "de"})
		if p.Ref != "TP-1" || p.Name != "DataCo  GmbH" || p.Country != "DE" || p.Version != 1 || p.Status != supplier.StatusActive ||
			p.Contact.Email != "sales@dataco.example" || p.AssessmentDue {
			t.Errorf("created %+v", p)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != supplier.ActionPartyCreate || ev.Object.Ref != "TP-1" || ev.Actor.Label != "contributor@acme.example" {
			t.Errorf("event %+v", ev)
		}
		if got := servicetest.ChangeMap(t, ev); got["contact.email"][1] != `"sales@dataco.example"` || got["kind"][1] != `"supplier"` {
			t.Errorf("changes %v", got)
		}

		// Names are unique ignoring case and spacing.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateParty(e.ctx, c, supplier.PartyRequest{Name: "dataco gmbh", Kind: "customer"})
			servicetest.WantFields(t, err, aims.CodeConflict, "name")
		})
		e.party(t, supplier.PartyRequest{Name: "Bank of Examples", Kind: "customer"})
		e.party(t, supplier.PartyRequest{Name: "Cloudy Compute", Kind: "both"})

		// An update needs the version it was based on.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateParty(e.ctx, c, "TP-1", supplier.PartyUpdate{Version: 7, Description: ptr("x")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.UpdateParty(e.ctx, c, "tp-1", supplier.PartyUpdate{Version: 1, Name: ptr("bank of examples")})
			servicetest.WantFields(t, err, aims.CodeConflict, "name")
			_, err = e.svc.UpdateParty(e.ctx, c, "TP-1", supplier.PartyUpdate{Version: 1, Contact: &supplier.Contact{Email: "@"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "contact.email")
		})
		p, err := e.svc.UpdateParty(e.ctx, c, "tp-1", supplier.PartyUpdate{Version: 1, Kind: ptr("both"), Country: ptr("AT")})
		if err != nil || p.Version != 2 || p.Kind != "both" || p.Country != "AT" || p.Contact.Name != "Account manager" {
			t.Fatalf("update = %+v, %v", p, err)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); !cmp.Equal(got, map[string][2]string{
			"kind": {`"supplier"`, `"both"`}, "country": {`"DE"`, `"AT"`}}) {
			t.Errorf("update changes %v", got)
		}
		// Sending the same values changes nothing and records nothing.
		servicetest.Unchanged(t, d, func() {
			if p, err := e.svc.UpdateParty(e.ctx, c, "TP-1", supplier.PartyUpdate{Version: 2, Kind: ptr("both")}); err != nil || p.Version != 2 {
				t.Errorf("no-op update = %+v, %v", p, err)
			}
		})

		// Archive and restore; an archived party cannot be changed.
		if p, err = e.svc.ArchiveParty(e.ctx, c, "TP-1"); err != nil || p.Status != supplier.StatusArchived || p.ArchivedAt == nil {
			t.Fatalf("archive = %+v, %v", p, err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateParty(e.ctx, c, "TP-1", supplier.PartyUpdate{Version: p.Version, Description: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.ArchiveParty(e.ctx, c, "TP-1") // archiving again changes nothing
			if err != nil {
				t.Error(err)
			}
		})
		list := func(q supplier.PartyQuery) []string {
			t.Helper()
			page, err := e.svc.ListParties(e.ctx, e.viewer(), q)
			if err != nil {
				t.Fatal(err)
			}
			var refs []string
			for _, it := range page.Items {
				refs = append(refs, it.Ref)
			}
			if page.Total != len(refs) {
				t.Errorf("total %d for %d items", page.Total, len(refs))
			}
			return refs
		}
		if got := list(supplier.PartyQuery{}); !cmp.Equal(got, []string{"TP-2", "TP-3"}) {
			t.Errorf("active = %v", got)
		}
		if got := list(supplier.PartyQuery{Status: "all", Kind: "supplier"}); !cmp.Equal(got, []string{"TP-3", "TP-1"}) {
			t.Errorf("suppliers = %v", got)
		}
		if got := list(supplier.PartyQuery{Status: "all", Kind: "customer"}); !cmp.Equal(got, []string{"TP-2", "TP-3", "TP-1"}) {
			t.Errorf("customers = %v", got)
		}
		if got := list(supplier.PartyQuery{Status: "archived", Q: "labelled"}); !cmp.Equal(got, []string{"TP-1"}) {
			t.Errorf("search = %v", got)
		}
		_, err = e.svc.ListParties(e.ctx, e.viewer(), supplier.PartyQuery{Status: "gone", Kind: "x", Limit: 500})
		servicetest.WantFields(t, err, aims.CodeInvalid, "kind", "limit", "status")
		_, err = e.svc.ListParties(e.ctx, e.viewer(), supplier.PartyQuery{System: "SYS-9"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "system")

		if p, err = e.svc.RestoreParty(e.ctx, c, "TP-1"); err != nil || p.Status != supplier.StatusActive {
			t.Fatalf("restore = %+v, %v", p, err)
		}
		hist, err := e.svc.PartyHistory(e.ctx, e.viewer(), "TP-1")
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, h := range hist {
			actions = append(actions, h.Action)
		}
		if want := []string{"third_party.restore", "third_party.archive", "third_party.update", "third_party.create"}; !cmp.Equal(actions, want) {
			t.Errorf("history %v", actions)
		}
		_, err = e.svc.GetParty(e.ctx, e.viewer(), "TP-99")
		servicetest.WantCode(t, err, aims.CodeNotFound)
	})
}

// TestKindFollowsSupplies refuses a kind that the party's supplies contradict.
func TestKindFollowsSupplies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		e.system(t, "Credit scoring")
		p := e.party(t, supplier.PartyRequest{Name: "Both Ways", Kind: "both"})
		if _, err := e.svc.AddSupply(e.ctx, c, "TP-1", supplier.SupplyRequest{Kind: "service", System: "SYS-1", Description: "Hosting"}); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateParty(e.ctx, c, "TP-1", supplier.PartyUpdate{Version: p.Version, Kind: ptr("customer")})
			servicetest.WantFields(t, err, aims.CodeInvalid, "kind")
		})
		if p, err := e.svc.UpdateParty(e.ctx, c, "TP-1", supplier.PartyUpdate{Version: p.Version, Kind: ptr("supplier")}); err != nil || p.Kind != "supplier" {
			t.Errorf("to supplier = %+v, %v", p, err)
		}
	})
}
