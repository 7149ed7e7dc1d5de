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

// TestResponsibilityMatrix sets who is responsible, accountable, consulted
// and informed at the stages of a system, with exactly one accountable.
func TestResponsibilityMatrix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		e.system(t, "Credit scoring")
		e.party(t, supplier.PartyRequest{Name: "ModelWorks", Kind: "supplier"})
		e.party(t, supplier.PartyRequest{Name: "Old Partner", Kind: "supplier"})
		leaver := e.member(t, "Acme Ltd", "lee@acme.example", "Lee Leaver", aims.RoleContributor)

		m, err := e.svc.RACI(e.ctx, e.viewer(), "SYS-1")
		if err != nil || m.Version != 0 || len(m.Stages) != 7 || m.Stages[3].Stage != "deployment" || !m.Stages[3].Empty() {
			t.Fatalf("empty matrix %+v, %v", m, err)
		}
		bad := []struct {
			stage  string
			req    supplier.RACIRequest
			fields []string
			code   aims.Code
		}{
			{"launch", supplier.RACIRequest{Accountable: []string{"owner@acme.example"}}, []string{"stage"}, aims.CodeInvalid},
			{"deployment", supplier.RACIRequest{Responsible: []string{"TP-1"}}, []string{"accountable"}, aims.CodeInvalid},
			{"deployment", supplier.RACIRequest{Accountable: []string{"owner@acme.example", "TP-1"}}, []string{"accountable"}, aims.CodeInvalid},
			{"deployment", supplier.RACIRequest{Accountable: []string{"TP-9"}, Informed: []string{"eve@evil.example"}}, []string{"accountable", "informed"}, aims.CodeInvalid},
			{"deployment", supplier.RACIRequest{Version: 3, Accountable: []string{"TP-1"}}, []string{"version"}, aims.CodeConflict},
		}
		for _, b := range bad {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.SetStage(e.ctx, c, "SYS-1", b.stage, b.req)
				servicetest.WantFields(t, err, b.code, b.fields...)
			})
		}

		m, err = e.svc.SetStage(e.ctx, c, "sys-1", "deployment", supplier.RACIRequest{
			Accountable: []string{"OWNER@acme.example"}, Responsible: []string{"tp-1", e.manager().UserID, "TP-1"},
			Consulted: []string{"lee@acme.example", "TP-2"}, Informed: []string{"viewer@acme.example"}})
		if err != nil {
			t.Fatal(err)
		}
		dep := m.Stage("deployment")
		refs := func(as []supplier.Assignee) []string {
			var out []string
			for _, a := range as {
				out = append(out, a.Kind+":"+a.Ref)
			}
			return out
		}
		if m.Version != 1 || !cmp.Equal(refs(dep.Accountable), []string{"member:owner@acme.example"}) ||
			!cmp.Equal(refs(dep.Responsible), []string{"third_party:TP-1", "member:manager@acme.example"}) ||
			!cmp.Equal(refs(dep.Consulted), []string{"member:lee@acme.example", "third_party:TP-2"}) || dep.Responsible[0].Name != "ModelWorks" {
			t.Errorf("matrix %+v", dep)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != supplier.ActionRACISet || ev.Object.Type != supplier.ObjectRACI || ev.Object.Ref != "SYS-1" ||
			servicetest.ChangeMap(t, ev)["deployment.responsible"][1] != `["TP-1","manager@acme.example"]` {
			t.Errorf("event %+v", ev)
		}
		// The same again changes nothing and records nothing.
		servicetest.Unchanged(t, d, func() {
			m2, err := e.svc.SetStage(e.ctx, c, "SYS-1", "deployment", supplier.RACIRequest{Version: 1,
				Accountable: []string{"owner@acme.example"}, Responsible: []string{"TP-1", "manager@acme.example"},
				Consulted: []string{"lee@acme.example", "TP-2"}, Informed: []string{"viewer@acme.example"}})
			if err != nil || m2.Version != 1 {
				t.Errorf("no-op = %+v, %v", m2, err)
			}
		})

		// A member who leaves and a third party archived stay where they are, but cannot be added elsewhere.
		if err := e.ids.RemoveMember(e.ctx, e.owner(), leaver.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ArchiveParty(e.ctx, c, "TP-2"); err != nil {
			t.Fatal(err)
		}
		m, err = e.svc.RACI(e.ctx, e.viewer(), "SYS-1")
		if err != nil || m.Stage("deployment").Consulted[0].Current || m.Stage("deployment").Consulted[0].Name != "(former member)" ||
			m.Stage("deployment").Consulted[1].Current {
			t.Errorf("after leaving %+v, %v", m.Stage("deployment").Consulted, err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetStage(e.ctx, c, "SYS-1", "retirement", supplier.RACIRequest{Version: 1,
				Accountable: []string{"owner@acme.example"}, Informed: []string{"TP-2", leaver.UserID}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "informed", "informed")
		})
		m, err = e.svc.SetStage(e.ctx, c, "SYS-1", "deployment", supplier.RACIRequest{Version: 1,
			Accountable: []string{"TP-1"}, Consulted: []string{leaver.UserID, "TP-2"}})
		if err != nil || m.Version != 2 || m.Stage("deployment").Accountable[0].Ref != "TP-1" || len(m.Stage("deployment").Consulted) != 2 {
			t.Fatalf("keep former = %+v, %v", m, err)
		}
		// Clearing a stage is allowed.
		m, err = e.svc.SetStage(e.ctx, c, "SYS-1", "deployment", supplier.RACIRequest{Version: 2})
		if err != nil || m.Version != 3 || !m.Stage("deployment").Empty() {
			t.Errorf("cleared = %+v, %v", m, err)
		}
		hist, err := e.svc.RACIHistory(e.ctx, e.viewer(), "SYS-1")
		if err != nil || len(hist) != 3 {
			t.Errorf("history %d, %v", len(hist), err)
		}
	})
}
