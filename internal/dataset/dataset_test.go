package dataset_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

func TestCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		credit := e.system(t, "Credit scoring")
		chat := e.system(t, "Chat assistant")
		manager := e.as[aims.RoleManager]
		contributor := e.as[aims.RoleContributor]
		got, err := e.svc.Create(e.ctx, contributor, dataset.CreateRequest{Name: "  Census   income ", Description: " Adult data ",
			OwnerID: " " + strings.ToUpper(manager.UserID) + " ", Systems: []string{"sys-2", credit.ID, " ", "SYS-1"}})
		if err != nil {
			t.Fatal(err)
		}
		want := &dataset.Dataset{ID: got.ID, Ref: "DS-1", Name: "Census   income", Description: "Adult data",
			OwnerID: manager.UserID, OwnerName: "Acme manager",
			Systems: []dataset.SystemRef{{ID: credit.ID, Ref: "SYS-1", Name: "Credit scoring"}, {ID: chat.ID, Ref: "SYS-2", Name: "Chat assistant"}},
			Status:  "active", Version: 1, CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, got); diff != "" || !aims.ValidID(got.ID) {
			t.Errorf("created (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, e.get(t, "ds-1")); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != "dataset.create" || ev.Object != (tlog.EventObject{Type: "dataset", ID: got.ID, Ref: "DS-1"}) {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{"ref": {"null", `"DS-1"`}, "name": {"null", `"Census   income"`},
			"description": {"null", `"Adult data"`}, "owner_id": {"null", servicetest.JSONString(manager.UserID)},
			"systems": {"null", `["SYS-1","SYS-2"]`}, "status": {"null", `"active"`}}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}

		// Names are unique ignoring case and spacing; every bad field is named at once.
		otto := e.member(t, "Globex", "otto@globex.example", "Otto", aims.RoleOwner)
		unchanged(t, d, func() {
			_, err := e.svc.Create(e.ctx, contributor, dataset.CreateRequest{Name: "census INCOME"})
			servicetest.WantFields(t, err, aims.CodeConflict, "name")
			_, err = e.svc.Create(e.ctx, contributor, dataset.CreateRequest{Name: " ", Description: strings.Repeat("x", 10001),
				OwnerID: "nobody", Systems: []string{"SYS-9", "SYS-1"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "description", "name", "owner_id", "systems")
			_, err = e.svc.Create(e.ctx, contributor, dataset.CreateRequest{Name: "Theirs", OwnerID: otto.UserID})
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id")
		})
		// References are per organisation.
		other := e.member(t, "Globex", "gina@globex.example", "Gina", aims.RoleContributor)
		theirs, err := e.svc.Create(e.ctx, other, dataset.CreateRequest{Name: "Census income"})
		if err != nil || theirs.Ref != "DS-1" {
			t.Errorf("data set of another organisation = %+v, %v", theirs, err)
		}
		// Another organisation's systems are unknown here.
		_, err = e.svc.Create(e.ctx, other, dataset.CreateRequest{Name: "Mixed", Systems: []string{"SYS-1"}})
		servicetest.WantFields(t, err, aims.CodeInvalid, "systems")
		if _, err := e.svc.Get(e.ctx, other, got.ID); aims.CodeOf(err) != aims.CodeNotFound {
			t.Errorf("Globex reads Acme's DS-1 by id: %v", err)
		}
	})
}

func TestUpdateArchiveRestore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.system(t, "Chat assistant")
		e.create(t, dataset.CreateRequest{Name: "Census income", Systems: []string{"SYS-1"}})
		e.create(t, dataset.CreateRequest{Name: "Loan book"})
		contributor := e.as[aims.RoleContributor]
		e.clock.Advance(time.Hour)

		got, err := e.svc.Update(e.ctx, contributor, "DS-1", dataset.UpdateRequest{Version: 1, Description: ptr("Adult, 1994 census"),
			Systems: &[]string{"SYS-2", "SYS-1"}, OwnerID: ptr(e.as[aims.RoleViewer].UserID)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.Description != "Adult, 1994 census" || len(got.Systems) != 2 || got.OwnerName != "Acme viewer" ||
			!got.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("updated = %+v", got)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		wantCh := map[string][2]string{"description": {`""`, `"Adult, 1994 census"`}, "systems": {`["SYS-1"]`, `["SYS-1","SYS-2"]`},
			"owner_id": {`""`, servicetest.JSONString(e.as[aims.RoleViewer].UserID)}}
		if ev.Action != "dataset.update" || ev.Object.Ref != "DS-1" {
			t.Errorf("event = %+v", ev)
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		// The same values again change nothing and record nothing.
		events := len(servicetest.Events(t, e.ctx, d, e.org))
		same, err := e.svc.Update(e.ctx, contributor, "DS-1", dataset.UpdateRequest{Version: 2, Description: ptr(" Adult, 1994 census ")})
		if err != nil || same.Version != 2 || len(servicetest.Events(t, e.ctx, d, e.org)) != events {
			t.Errorf("an update without change: %+v, %v", same, err)
		}
		unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, contributor, "DS-1", dataset.UpdateRequest{Version: 1, Name: ptr("Overwritten")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.Update(e.ctx, contributor, "DS-1", dataset.UpdateRequest{Version: 2, Name: ptr("LOAN book")})
			servicetest.WantFields(t, err, aims.CodeConflict, "name")
			_, err = e.svc.Update(e.ctx, contributor, "DS-1", dataset.UpdateRequest{Version: 2, Name: ptr(""), Systems: &[]string{"SYS-7"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "name", "systems")
			_, err = e.svc.Update(e.ctx, contributor, "DS-9", dataset.UpdateRequest{Version: 1, Name: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})

		a, err := e.svc.Archive(e.ctx, contributor, "DS-2")
		if err != nil || a.Status != "archived" || a.ArchivedAt == nil || a.Version != 2 {
			t.Fatalf("archive = %+v, %v", a, err)
		}
		if ev := servicetest.LastEvent(t, e.ctx, d, e.org); ev.Action != "dataset.archive" || ev.Object.Ref != "DS-2" {
			t.Errorf("event = %+v", ev)
		}
		unchanged(t, d, func() {
			if again, err := e.svc.Archive(e.ctx, contributor, "DS-2"); err != nil || again.Version != 2 {
				t.Errorf("archive again = %+v, %v", again, err)
			}
			_, err := e.svc.Update(e.ctx, contributor, "DS-2", dataset.UpdateRequest{Version: 2, Name: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.AddVersion(e.ctx, contributor, "DS-2", public("x"))
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		r, err := e.svc.Restore(e.ctx, contributor, "DS-2")
		if err != nil || r.Status != "active" || r.ArchivedAt != nil || r.Version != 3 {
			t.Errorf("restore = %+v, %v", r, err)
		}
		hist, err := e.svc.History(e.ctx, e.as[aims.RoleAuditor], "DS-2")
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, h := range hist {
			actions = append(actions, h.Action)
		}
		if diff := cmp.Diff([]string{"dataset.restore", "dataset.archive", "dataset.create"}, actions); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}

func TestList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		e.create(t, dataset.CreateRequest{Name: "Census income", Description: "Adult 1994", Systems: []string{"SYS-1"}})
		e.create(t, dataset.CreateRequest{Name: "Loan book"})
		e.create(t, dataset.CreateRequest{Name: "Archived"})
		e.addVersion(t, "DS-2", dataset.VersionRequest{Source: "Core banking", Acquisition: "collected", Licence: "Own data",
			ContainsPersonalData: ptr(true), PersonalDataCategories: []string{"financial"}, ConsentBasis: "contract", Retention: "10 years"})
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "DS-3"); err != nil {
			t.Fatal(err)
		}
		viewer := e.as[aims.RoleViewer]
		for _, c := range []struct {
			q    dataset.ListQuery
			want []string
		}{
			{dataset.ListQuery{}, []string{"DS-1", "DS-2"}},
			{dataset.ListQuery{Status: "all", Sort: "-ref"}, []string{"DS-3", "DS-2", "DS-1"}},
			{dataset.ListQuery{Status: "archived"}, []string{"DS-3"}},
			{dataset.ListQuery{Q: "adult 1994"}, []string{"DS-1"}},
			{dataset.ListQuery{Q: "ds-2"}, []string{"DS-2"}},
			{dataset.ListQuery{System: "sys-1"}, []string{"DS-1"}},
			{dataset.ListQuery{PersonalData: "yes"}, []string{"DS-2"}},
			{dataset.ListQuery{PersonalData: "no", Status: "all"}, []string{"DS-3", "DS-1"}},
			{dataset.ListQuery{Limit: 1, Offset: 1}, []string{"DS-2"}},
		} {
			p, err := e.svc.List(e.ctx, viewer, c.q)
			if err != nil {
				t.Fatalf("%+v: %v", c.q, err)
			}
			var got []string
			for _, it := range p.Items {
				got = append(got, it.Ref)
			}
			if c.q.Limit == 0 && p.Total != len(c.want) {
				t.Errorf("%+v: total %d", c.q, p.Total)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%+v (-want +got):\n%s", c.q, diff)
			}
		}
		if p, _ := e.svc.List(e.ctx, viewer, dataset.ListQuery{PersonalData: "yes"}); !p.Items[0].PersonalData || p.Items[0].LatestVersion != 1 {
			t.Errorf("DS-2 in the list = %+v", p.Items[0])
		}
		_, err := e.svc.List(e.ctx, viewer, dataset.ListQuery{Status: "gone", PersonalData: "maybe", Sort: "size", Limit: 500, Offset: -1})
		servicetest.WantFields(t, err, aims.CodeInvalid, "limit", "offset", "personal_data", "sort", "status")
		_, err = e.svc.List(e.ctx, viewer, dataset.ListQuery{System: "SYS-9"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "system")
	})
}
