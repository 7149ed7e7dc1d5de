package model_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// refsOf lists the references of a page's models.
func refsOf(p *model.Page) []string {
	out := []string{}
	for _, m := range p.Items {
		out = append(out, m.Ref)
	}
	return out
}

// TestCreateModel registers models of two systems and checks what is
// stored, the audit event and every problem a bad request can have.
func TestCreateModel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		credit := e.system(t, "Credit scoring")
		e.system(t, "Chat assistant")

		m, err := e.svc.Create(e.ctx, e.contributor(), model.CreateRequest{System: "sys-1", Name: "  Gradient   boosted scorer ",
			Description: " Predicts default. ", OwnerID: e.manager().UserID})
		if err != nil {
			t.Fatal(err)
		}
		want := &model.Model{ID: m.ID, Ref: "MDL-1", SystemID: credit.ID, SystemRef: "SYS-1", SystemName: "Credit scoring",
			Name: "Gradient boosted scorer", Description: "Predicts default.", OwnerID: e.manager().UserID, OwnerName: "Max Manager",
			Status: model.StatusActive, Deployed: []model.Placement{}, Version: 1, CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("created model (-want +got):\n%s", diff)
		}
		ev := e.lastEvent(t)
		if ev.Action != model.ActionCreate || ev.Object.Type != model.ObjectModel || ev.Object.Ref != "MDL-1" || ev.Actor.Label != "contributor@acme.example" {
			t.Errorf("event = %+v", ev)
		}
		if diff := cmp.Diff(map[string][2]string{"system": {"null", js("SYS-1")}, "name": {"null", js("Gradient boosted scorer")},
			"description": {"null", js("Predicts default.")}, "owner_id": {"null", js(e.manager().UserID)}}, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}

		// The same name in another system is fine; in the same system, in any case, it is not.
		if other := e.model(t, "SYS-2", "gradient boosted scorer"); other.Ref != "MDL-2" || other.SystemRef != "SYS-2" {
			t.Errorf("model of SYS-2 = %+v", other)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Create(e.ctx, e.owner(), model.CreateRequest{System: credit.ID, Name: "GRADIENT Boosted  scorer"})
			servicetest.WantFields(t, err, aims.CodeConflict, "name")
		})

		// Every problem is named at once, and nothing is stored.
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		for _, tc := range []struct {
			name   string
			req    model.CreateRequest
			fields []string
		}{
			{"empty", model.CreateRequest{}, []string{"name", "system"}},
			{"unknown system and bad owner", model.CreateRequest{System: "SYS-9", Name: "x", OwnerID: "nobody"}, []string{"owner_id", "system"}},
			{"owner of another organisation", model.CreateRequest{System: "SYS-1", Name: "x", OwnerID: outsider.UserID}, []string{"owner_id"}},
			{"too long", model.CreateRequest{System: "SYS-1", Name: string(make([]byte, 201)), Description: "\x00"}, []string{"description", "name"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					_, err := e.svc.Create(e.ctx, e.owner(), tc.req)
					servicetest.WantFields(t, err, aims.CodeInvalid, tc.fields...)
				})
			})
		}
		// Another organisation's system is not one of ours.
		theirs, err := e.systems.Create(e.ctx, outsider, aisystemRequest("Their system"))
		if err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Create(e.ctx, e.owner(), model.CreateRequest{System: theirs.ID, Name: "x"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "system")
		})
	})
}

// TestUpdateArchiveAndList changes a model, refuses a stale change, records
// only real changes, archives and restores it, and lists models by system,
// status and words.
func TestUpdateArchiveAndList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.system(t, "Chat assistant")
		m := e.model(t, "SYS-1", "Scorer")
		e.model(t, "SYS-1", "Explainer")
		e.model(t, "SYS-2", "Intent classifier")

		e.clock.Advance(time.Hour)
		up, err := e.svc.Update(e.ctx, e.contributor(), "mdl-1", model.UpdateRequest{Version: 1, Name: ptr("Credit scorer"),
			Description: ptr("Gradient boosting"), OwnerID: ptr(e.contributor().UserID)})
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || up.Name != "Credit scorer" || up.OwnerName != "Carla Contributor" || !up.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("updated = %+v", up)
		}
		if diff := cmp.Diff(map[string][2]string{"name": {js("Scorer"), js("Credit scorer")}, "description": {`""`, js("Gradient boosting")},
			"owner_id": {`""`, js(e.contributor().UserID)}}, servicetest.ChangeMap(t, e.lastEvent(t))); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.owner(), m.ID, model.UpdateRequest{Version: 1, Name: ptr("Overwritten")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.Update(e.ctx, e.owner(), "MDL-1", model.UpdateRequest{Version: 2, Name: ptr("explainer")})
			servicetest.WantFields(t, err, aims.CodeConflict, "name")
			_, err = e.svc.Update(e.ctx, e.owner(), "MDL-1", model.UpdateRequest{Version: 2, Name: ptr(" ")})
			servicetest.WantFields(t, err, aims.CodeInvalid, "name")
			same, err := e.svc.Update(e.ctx, e.owner(), "MDL-1", model.UpdateRequest{Version: 2, Name: ptr(" Credit  scorer ")})
			if err != nil || same.Version != 2 {
				t.Errorf("unchanged update = %+v, %v", same, err)
			}
			_, err = e.svc.Update(e.ctx, e.owner(), "MDL-9", model.UpdateRequest{Version: 1})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})

		arch, err := e.svc.Archive(e.ctx, e.manager(), "MDL-1")
		if err != nil || arch.Status != model.StatusArchived || arch.ArchivedAt == nil || arch.Version != 3 {
			t.Fatalf("archive = %+v, %v", arch, err)
		}
		if again, err := e.svc.Archive(e.ctx, e.manager(), "MDL-1"); err != nil || again.Version != 3 {
			t.Errorf("archiving again = %+v, %v", again, err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.owner(), "MDL-1", model.UpdateRequest{Version: 3, Description: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.CreateVersion(e.ctx, e.owner(), "MDL-1", model.VersionRequest{Label: "1", Digest: digest("b")})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})

		list := func(q model.ListQuery) []string {
			t.Helper()
			p, err := e.svc.List(e.ctx, e.viewer(), q)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != len(p.Items) {
				t.Errorf("total %d, %d items", p.Total, len(p.Items))
			}
			return refsOf(p)
		}
		for _, tc := range []struct {
			q    model.ListQuery
			want []string
		}{
			{model.ListQuery{}, []string{"MDL-2", "MDL-3"}},
			{model.ListQuery{Status: "all"}, []string{"MDL-1", "MDL-2", "MDL-3"}},
			{model.ListQuery{Status: "archived"}, []string{"MDL-1"}},
			{model.ListQuery{System: "SYS-2"}, []string{"MDL-3"}},
			{model.ListQuery{System: "sys-1", Status: "all", Q: "GRADIENT"}, []string{"MDL-1"}},
			{model.ListQuery{Q: "mdl-2"}, []string{"MDL-2"}},
			{model.ListQuery{Q: "100%"}, []string{}},
		} {
			if got := list(tc.q); !cmp.Equal(tc.want, got) {
				t.Errorf("list %+v = %v, want %v", tc.q, got, tc.want)
			}
		}
		_, err = e.svc.List(e.ctx, e.viewer(), model.ListQuery{System: "SYS-9", Status: "gone", Limit: 500})
		servicetest.WantFields(t, err, aims.CodeInvalid, "limit", "status")
		_, err = e.svc.List(e.ctx, e.viewer(), model.ListQuery{System: "SYS-9"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "system")

		rest, err := e.svc.Restore(e.ctx, e.owner(), "MDL-1")
		if err != nil || rest.Status != model.StatusActive || rest.ArchivedAt != nil {
			t.Fatalf("restore = %+v, %v", rest, err)
		}
		hist, err := e.svc.History(e.ctx, e.viewer(), "MDL-1")
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, h := range hist {
			actions = append(actions, h.Action)
		}
		if want := []string{model.ActionRestore, model.ActionArchive, model.ActionUpdate, model.ActionCreate}; !cmp.Equal(want, actions) {
			t.Errorf("history = %v, want %v", actions, want)
		}
	})
}

// TestOrganisationsAreIsolated proves that a member of another organisation
// can neither see nor change Acme's models and versions, even knowing ids.
func TestOrganisationsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		m := e.model(t, "SYS-1", "Scorer")
		v := e.approved(t, "MDL-1", "1.0.0")
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		for _, key := range []string{m.ID, "MDL-1"} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.Get(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Update(e.ctx, outsider, key, model.UpdateRequest{Version: 1, Name: ptr("Mine")})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Archive(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Versions(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.CreateVersion(e.ctx, outsider, key, model.VersionRequest{Label: "2", Digest: digest("c")})
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		for _, key := range []string{v.ID, "MDL-1@1.0.0"} {
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.GetVersion(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Deploy(e.ctx, outsider, key, model.DeployRequest{Version: v.Version})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Evaluate(e.ctx, outsider, key, model.EvaluateRequest{Metrics: map[string]float64{"auc": 0.5}})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Retire(e.ctx, outsider, key, model.DecisionRequest{Version: v.Version})
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		if p, err := e.svc.List(e.ctx, outsider, model.ListQuery{Status: "all"}); err != nil || p.Total != 0 {
			t.Errorf("outsider's list = %+v, %v", p, err)
		}
	})
}
