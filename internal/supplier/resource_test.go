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

// TestResources records the resources systems rely on, with people's
// competences, and lists them by kind and system.
func TestResources(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		e.system(t, "Credit scoring")
		e.system(t, "Chat assistant")
		e.party(t, supplier.PartyRequest{Name: "Cloudy Compute", Kind: "supplier"})
		e.party(t, supplier.PartyRequest{Name: "Gone Ltd", Kind: "supplier"})
		if _, err := e.svc.ArchiveParty(e.ctx, c, "TP-2"); err != nil {
			t.Fatal(err)
		}

		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateResource(e.ctx, c, supplier.ResourceRequest{Kind: "gpu", Name: "", Provider: "TP-9",
				Members: []string{"nobody@acme.example"}, Systems: []string{"SYS-9"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "kind", "members", "name", "provider", "systems")
			_, err = e.svc.CreateResource(e.ctx, c, supplier.ResourceRequest{Kind: "computing", Name: "GPUs", Provider: "TP-2",
				Competences: []string{"CUDA"}, Members: []string{"owner@acme.example"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "competences", "members", "provider")
		})
		gpu, err := e.svc.CreateResource(e.ctx, c, supplier.ResourceRequest{Kind: "computing", Name: "GPU cluster",
			Description: "8 GPUs in the EU region", Provider: "tp-1", Systems: []string{"SYS-2", "sys-1", "SYS-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if gpu.Ref != "RES-1" || gpu.Provider == nil || gpu.Provider.Ref != "TP-1" || len(gpu.Systems) != 2 || gpu.Systems[0].Ref != "SYS-1" {
			t.Errorf("created %+v", gpu)
		}
		team, err := e.svc.CreateResource(e.ctx, c, supplier.ResourceRequest{Kind: "people", Name: "Credit risk data scientists",
			Competences: []string{"statistics", " Statistics ", "credit risk"}, Members: []string{"manager@acme.example", e.owner().UserID},
			Systems: []string{"SYS-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(team.Competences, []string{"statistics", "credit risk"}) || len(team.Members) != 2 || team.Members[0].Email != "manager@acme.example" {
			t.Errorf("team %+v", team)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); got["members"][1] != `["manager@acme.example","owner@acme.example"]` {
			t.Errorf("event %v", got)
		}
		if _, err := e.svc.CreateResource(e.ctx, c, supplier.ResourceRequest{Kind: "tooling", Name: "scikit-learn 1.5"}); err != nil {
			t.Fatal(err)
		}
		list := func(q supplier.ResourceQuery) []string {
			t.Helper()
			page, err := e.svc.ListResources(e.ctx, e.viewer(), q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range page.Items {
				out = append(out, r.Ref)
			}
			if page.Total != len(out) {
				t.Errorf("total %d for %v", page.Total, out)
			}
			return out
		}
		if got := list(supplier.ResourceQuery{}); !cmp.Equal(got, []string{"RES-3", "RES-1", "RES-2"}) {
			t.Errorf("all by kind %v", got)
		}
		if got := list(supplier.ResourceQuery{System: "SYS-1", Kind: "people"}); !cmp.Equal(got, []string{"RES-2"}) {
			t.Errorf("people of SYS-1 %v", got)
		}
		if got := list(supplier.ResourceQuery{Q: "credit risk"}); !cmp.Equal(got, []string{"RES-2"}) {
			t.Errorf("search %v", got)
		}
		_, err = e.svc.ListResources(e.ctx, e.viewer(), supplier.ResourceQuery{Kind: "robots", System: "SYS-9"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "kind")

		// Updates need the version; lists replace what is stored.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateResource(e.ctx, c, "RES-1", supplier.ResourceUpdate{Version: 2, Name: ptr("x")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.UpdateResource(e.ctx, c, "RES-1", supplier.ResourceUpdate{Version: 1, Competences: &[]string{"x"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "competences")
		})
		gpu, err = e.svc.UpdateResource(e.ctx, c, "res-1", supplier.ResourceUpdate{Version: 1, Provider: ptr(""), Systems: &[]string{"SYS-2"}})
		if err != nil || gpu.Version != 2 || gpu.Provider != nil || len(gpu.Systems) != 1 || gpu.Systems[0].Ref != "SYS-2" {
			t.Fatalf("update %+v, %v", gpu, err)
		}
		if got := list(supplier.ResourceQuery{System: "SYS-1"}); !cmp.Equal(got, []string{"RES-2"}) {
			t.Errorf("SYS-1 after update %v", got)
		}
		if r, err := e.svc.ArchiveResource(e.ctx, c, "RES-1"); err != nil || r.Status != supplier.StatusArchived {
			t.Fatalf("archive %+v, %v", r, err)
		}
		if got := list(supplier.ResourceQuery{Status: "archived"}); !cmp.Equal(got, []string{"RES-1"}) {
			t.Errorf("archived %v", got)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateResource(e.ctx, c, "RES-1", supplier.ResourceUpdate{Version: 3, Name: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		if _, err := e.svc.RestoreResource(e.ctx, c, "RES-1"); err != nil {
			t.Fatal(err)
		}
		hist, err := e.svc.ResourceHistory(e.ctx, e.viewer(), "RES-1")
		if err != nil || len(hist) != 4 {
			t.Errorf("history %d, %v", len(hist), err)
		}
	})
}
