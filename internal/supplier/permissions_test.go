package supplier_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/supplier"
)

// TestPermissions tries every method as every role: editors record third
// parties, supplies, responsibilities and resources; owners and managers
// assess suppliers; everyone reads. A refused call changes nothing.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role         aims.Role
		edit, assess aims.Code
	}{
		{aims.RoleOwner, ok, ok},
		{aims.RoleManager, ok, ok},
		{aims.RoleContributor, ok, forbidden},
		{aims.RoleAuditor, forbidden, forbidden},
		{aims.RoleViewer, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.party(t, supplier.PartyRequest{Name: "Base", Kind: "both"})
		if _, err := e.svc.AddSupply(e.ctx, e.contributor(), "TP-1", supplier.SupplyRequest{Kind: "other", Description: "x"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateResource(e.ctx, e.contributor(), supplier.ResourceRequest{Kind: "other", Name: "Base"}); err != nil {
			t.Fatal(err)
		}
		for i, tc := range tests {
			a := e.as[tc.role]
			t.Run(string(tc.role), func(t *testing.T) {
				check := func(method string, want aims.Code, call func() error) {
					t.Helper()
					if want == ok {
						if err := call(); err != nil {
							t.Errorf("%s: %v", method, err)
						}
						return
					}
					servicetest.Unchanged(t, d, func() { servicetest.WantCode(t, call(), want) })
				}
				name := fmt.Sprintf("Party %d", i)
				check("CreateParty", tc.edit, func() error {
					_, err := e.svc.CreateParty(e.ctx, a, supplier.PartyRequest{Name: name, Kind: "supplier"})
					return err
				})
				p := e.getParty(t, "TP-1")
				check("UpdateParty", tc.edit, func() error {
					_, err := e.svc.UpdateParty(e.ctx, a, "TP-1", supplier.PartyUpdate{Version: p.Version, Description: ptr(name)})
					return err
				})
				check("ArchiveParty", tc.edit, func() error { _, err := e.svc.ArchiveParty(e.ctx, a, "TP-1"); return err })
				check("RestoreParty", tc.edit, func() error { _, err := e.svc.RestoreParty(e.ctx, a, "TP-1"); return err })
				check("AddSupply", tc.edit, func() error {
					_, err := e.svc.AddSupply(e.ctx, a, "TP-1", supplier.SupplyRequest{Kind: "tooling", Description: name})
					return err
				})
				sp, err := e.svc.GetSupply(e.ctx, a, "TP-1", 1)
				if err != nil {
					t.Fatal(err)
				}
				check("UpdateSupply", tc.edit, func() error {
					_, err := e.svc.UpdateSupply(e.ctx, a, "TP-1", 1, supplier.SupplyUpdate{Version: sp.Version, Description: ptr(name)})
					return err
				})
				check("RemoveSupply", tc.edit, func() error {
					ss, err := e.svc.Supplies(e.ctx, a, "TP-1")
					if err != nil {
						return err
					}
					last := ss[len(ss)-1]
					if last.Number == 1 && tc.edit == ok {
						return fmt.Errorf("no supply of this role to remove")
					}
					return e.svc.RemoveSupply(e.ctx, a, "TP-1", last.Number, last.Version)
				})
				check("Assess", tc.assess, func() error {
					_, err := e.svc.Assess(e.ctx, a, "TP-1", supplier.AssessRequest{Result: "satisfactory", Assessor: "owner@acme.example"})
					return err
				})
				m, err := e.svc.RACI(e.ctx, a, "SYS-1")
				if err != nil {
					t.Fatal(err)
				}
				check("SetStage", tc.edit, func() error {
					_, err := e.svc.SetStage(e.ctx, a, "SYS-1", "deployment", supplier.RACIRequest{Version: m.Version,
						Accountable: []string{"owner@acme.example"}, Informed: []string{strings.ToLower(string(tc.role)) + "@acme.example"}})
					return err
				})
				check("CreateResource", tc.edit, func() error {
					_, err := e.svc.CreateResource(e.ctx, a, supplier.ResourceRequest{Kind: "data", Name: name})
					return err
				})
				r, err := e.svc.GetResource(e.ctx, a, "RES-1")
				if err != nil {
					t.Fatal(err)
				}
				check("UpdateResource", tc.edit, func() error {
					_, err := e.svc.UpdateResource(e.ctx, a, "RES-1", supplier.ResourceUpdate{Version: r.Version, Description: ptr(name)})
					return err
				})
				check("ArchiveResource", tc.edit, func() error { _, err := e.svc.ArchiveResource(e.ctx, a, "RES-1"); return err })
				check("RestoreResource", tc.edit, func() error { _, err := e.svc.RestoreResource(e.ctx, a, "RES-1"); return err })
				// Everyone reads.
				for method, call := range map[string]func() error{
					"ListParties":   func() error { _, err := e.svc.ListParties(e.ctx, a, supplier.PartyQuery{}); return err },
					"PartyHistory":  func() error { _, err := e.svc.PartyHistory(e.ctx, a, "TP-1"); return err },
					"Assessments":   func() error { _, err := e.svc.Assessments(e.ctx, a, "TP-1"); return err },
					"Due":           func() error { _, err := e.svc.Due(e.ctx, a); return err },
					"SystemSupply":  func() error { _, err := e.svc.SystemSupplies(e.ctx, a, "SYS-1"); return err },
					"ListResources": func() error { _, err := e.svc.ListResources(e.ctx, a, supplier.ResourceQuery{}); return err },
					"RACIHistory":   func() error { _, err := e.svc.RACIHistory(e.ctx, a, "SYS-1"); return err },
					"ExportBOM":     func() error { _, err := e.svc.ExportBOM(e.ctx, a, "SYS-1"); return err },
				} {
					check(method, ok, call)
				}
				check("ImportBOM", tc.edit, func() error {
					_, err := e.svc.ImportBOM(e.ctx, a, "SYS-1", []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`), true)
					return err
				})
			})
		}
		// Without an actor nothing is possible.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateParty(e.ctx, nil, supplier.PartyRequest{Name: "x", Kind: "supplier"})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.ListParties(e.ctx, nil, supplier.PartyQuery{})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.Due(e.ctx, nil)
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		})
	})
}

// TestOrganisationsAreIsolated proves that another organisation can neither
// see nor change Acme's third parties, responsibilities or resources.
func TestOrganisationsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Credit scoring")
		p := e.party(t, supplier.PartyRequest{Name: "DataCo", Kind: "supplier"})
		if _, err := e.svc.AddSupply(e.ctx, e.contributor(), "TP-1", supplier.SupplyRequest{Kind: "service", System: "SYS-1"}); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.CreateResource(e.ctx, e.contributor(), supplier.ResourceRequest{Kind: "tooling", Name: "Notebook server"})
		if err != nil {
			t.Fatal(err)
		}
		out := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		for _, key := range []string{p.ID, "TP-1"} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.GetParty(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.UpdateParty(e.ctx, out, key, supplier.PartyUpdate{Version: 1, Name: ptr("mine")})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.ArchiveParty(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.AddSupply(e.ctx, out, key, supplier.SupplyRequest{Kind: "other", Description: "x"})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				err = e.svc.RemoveSupply(e.ctx, out, key, 1, 1)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Assess(e.ctx, out, key, supplier.AssessRequest{Result: "satisfactory"})
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		for _, key := range []string{sys.ID, "SYS-1"} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.RACI(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.SetStage(e.ctx, out, key, "deployment", supplier.RACIRequest{Accountable: []string{"otto@other.example"}})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.SystemSupplies(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.ExportBOM(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		for _, key := range []string{r.ID, "RES-1"} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.GetResource(e.ctx, out, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.UpdateResource(e.ctx, out, key, supplier.ResourceUpdate{Version: 1, Name: ptr("mine")})
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		// Acme's third parties cannot be named in another organisation's records.
		outSys, err := e.systems.Create(e.ctx, out, aisystem.CreateRequest{Name: "Theirs", IntendedPurpose: "P"})
		if err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetStage(e.ctx, out, outSys.Ref, "deployment", supplier.RACIRequest{Accountable: []string{p.ID}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "accountable")
			_, err = e.svc.CreateResource(e.ctx, out, supplier.ResourceRequest{Kind: "other", Name: "x", Provider: "TP-1"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "provider")
		})
		if page, err := e.svc.ListParties(e.ctx, out, supplier.PartyQuery{Status: "all"}); err != nil || page.Total != 0 {
			t.Errorf("outsider's parties %+v, %v", page, err)
		}
		if page, err := e.svc.ListResources(e.ctx, out, supplier.ResourceQuery{Status: "all"}); err != nil || page.Total != 0 {
			t.Errorf("outsider's resources %+v, %v", page, err)
		}
		if due, err := e.svc.Due(e.ctx, out); err != nil || len(due) != 0 {
			t.Errorf("outsider's due %+v, %v", due, err)
		}
		// Their own TP-1 is theirs.
		theirs, err := e.svc.CreateParty(e.ctx, out, supplier.PartyRequest{Name: "DataCo", Kind: "supplier"})
		if err != nil || theirs.Ref != "TP-1" || theirs.ID == p.ID {
			t.Errorf("outsider's party %+v, %v", theirs, err)
		}
	})
}
