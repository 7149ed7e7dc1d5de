package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

type env struct {
	ctx   context.Context
	d     *db.DB
	svc   *catalog.Service
	as    map[aims.Role]*aims.Actor
	other *aims.Actor
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	key, err := tlog.LoadOrCreateKey(t.TempDir() + "/k")
	if err != nil {
		t.Fatal(err)
	}
	clock := servicetest.NewClock(servicetest.T0)
	logs := tlog.New(d, key.Signer, clock.Now)
	ids := identity.New(d, logs, clock.Now)
	ids.Argon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	e := &env{ctx: context.Background(), d: d, svc: catalog.New(d, logs, clock.Now), as: map[aims.Role]*aims.Actor{}}
	system := &aims.Actor{Kind: aims.ActorSystem, Name: "test"}
	member := func(org, email string, role aims.Role) *aims.Actor {
		res, err := ids.CreateUser(e.ctx, system, identity.CreateUserRequest{Org: org, Email: email, Role: role, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := ids.ActorFor(e.ctx, res.User.ID, res.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, r := range aims.Roles {
		e.as[r] = member("Acme", string(r)+"@acme.example", r)
	}
	e.other = member("Globex", "owner@globex.example", aims.RoleOwner)
	return e
}

var ownControl = catalog.ControlRequest{Title: "Model card for every release", CategoryID: "A.6",
	Asks: "Publish a model card with each model release.", Evidence: "Model cards in the registry.", AuditorSamples: "Two releases."}

func TestOwnControls(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		owner := e.as[aims.RoleOwner]
		c, err := e.svc.CreateControl(e.ctx, e.as[aims.RoleManager], ownControl)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != "CTL-1" || !c.Custom || c.Version != 1 || c.Status != catalog.StatusActive || c.CategoryID != "A.6" {
			t.Errorf("created %+v", c)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, owner.OrgID)
		if ev.Action != "control.create" || ev.Object.Ref != "CTL-1" || servicetest.ChangeMap(t, ev)["title"][1] != `"Model card for every release"` {
			t.Errorf("event %+v", ev)
		}

		// The organisation's list holds Annex A and its own control; the other organisation's does not.
		all, err := e.svc.Controls(e.ctx, e.as[aims.RoleViewer], catalog.ControlQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 39 || all[38].ID != "CTL-1" {
			t.Errorf("%d controls, last %s", len(all), all[len(all)-1].ID)
		}
		theirs, _ := e.svc.Controls(e.ctx, e.other, catalog.ControlQuery{})
		if len(theirs) != 38 {
			t.Errorf("another organisation sees %d controls", len(theirs))
		}
		servicetest.WantCode(t, func() error { _, err := e.svc.Control(e.ctx, e.other, "CTL-1"); return err }(), aims.CodeNotFound)
		if ok, _ := e.svc.ControlExists(e.ctx, e.other.OrgID, "CTL-1"); ok {
			t.Error("CTL-1 exists for another organisation")
		}
		if ok, _ := e.svc.ControlExists(e.ctx, owner.OrgID, "ctl-1"); !ok {
			t.Error("ctl-1 not found in its organisation")
		}

		// Filters.
		for _, tc := range []struct {
			q    catalog.ControlQuery
			want []string
		}{
			{catalog.ControlQuery{Category: "own"}, []string{"CTL-1"}},
			{catalog.ControlQuery{Category: "A.2"}, []string{"A.2.2", "A.2.3", "A.2.4"}},
			{catalog.ControlQuery{Q: "every release"}, []string{"CTL-1"}},
			{catalog.ControlQuery{Q: "ANONYMOUS"}, []string{"A.3.3"}},
			{catalog.ControlQuery{Category: "A.3", Q: "anonymous"}, []string{"A.3.3"}},
			{catalog.ControlQuery{Category: "A.2", Q: "anonymous"}, nil},
		} {
			got, err := e.svc.Controls(e.ctx, owner, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !cmp.Equal(tc.want, ids) {
				t.Errorf("%+v: %q, want %q", tc.q, ids, tc.want)
			}
		}
		_, err = e.svc.Controls(e.ctx, owner, catalog.ControlQuery{Category: "A.11"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "category")

		// Update with the right version, then a stale one.
		req := catalog.UpdateControlRequest{Version: 1, ControlRequest: ownControl}
		req.Asks = "Publish a model card with each release, reviewed by the owner."
		up, err := e.svc.UpdateControl(e.ctx, owner, "ctl-1", req)
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || up.Asks != req.Asks {
			t.Errorf("updated %+v", up)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, owner.OrgID)); len(got) != 1 || got["asks"][0] == "" {
			t.Errorf("update changes %v, want only asks", got)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateControl(e.ctx, owner, "CTL-1", req)
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.UpdateControl(e.ctx, owner, "A.2.2", catalog.UpdateControlRequest{Version: 1, ControlRequest: ownControl})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.UpdateControl(e.ctx, e.other, "CTL-1", catalog.UpdateControlRequest{Version: 2, ControlRequest: ownControl})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		// A change that changes nothing keeps the version and adds no event.
		before := len(servicetest.Actions(t, e.ctx, d, owner.OrgID))
		same, err := e.svc.UpdateControl(e.ctx, owner, "CTL-1", catalog.UpdateControlRequest{Version: 2, ControlRequest: catalog.ControlRequest{
			Title: up.Title, CategoryID: up.CategoryID, Asks: up.Asks, Evidence: up.Evidence, AuditorSamples: up.AuditorSamples}})
		if err != nil || same.Version != 2 || len(servicetest.Actions(t, e.ctx, d, owner.OrgID)) != before {
			t.Errorf("no-op update: %v version %d", err, same.Version)
		}

		// Archive hides it from the list unless asked; restore brings it back.
		if _, err := e.svc.ArchiveControl(e.ctx, e.as[aims.RoleManager], "CTL-1"); err != nil {
			t.Fatal(err)
		}
		if ids, _ := e.svc.ActiveControlIDs(e.ctx, owner.OrgID); len(ids) != 38 {
			t.Errorf("%d active controls after archiving, want 38", len(ids))
		}
		arch, _ := e.svc.Controls(e.ctx, owner, catalog.ControlQuery{Category: "own", Archived: true})
		if len(arch) != 1 || arch[0].Status != catalog.StatusArchived || arch[0].ArchivedAt == nil {
			t.Errorf("archived list %+v", arch)
		}
		if _, err := e.svc.RestoreControl(e.ctx, owner, "CTL-1"); err != nil {
			t.Fatal(err)
		}
		want := []string{"control.create", "control.update", "control.archive", "control.restore"}
		acts := servicetest.Actions(t, e.ctx, d, owner.OrgID)
		if got := acts[len(acts)-4:]; !cmp.Equal(want, got) {
			t.Errorf("actions %q, want %q", got, want)
		}
	})
}

func TestOwnControlRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if _, err := e.svc.CreateControl(e.ctx, e.as[aims.RoleOwner], ownControl); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			for _, r := range []aims.Role{aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer} {
				_, err := e.svc.CreateControl(e.ctx, e.as[r], ownControl)
				servicetest.WantCode(t, err, aims.CodeForbidden)
				_, err = e.svc.ArchiveControl(e.ctx, e.as[r], "CTL-1")
				servicetest.WantCode(t, err, aims.CodeForbidden)
			}
			_, err := e.svc.CreateControl(e.ctx, nil, ownControl)
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.CreateControl(e.ctx, e.as[aims.RoleOwner], catalog.ControlRequest{Title: " ", CategoryID: "A.1",
				Asks: "", Evidence: strings.Repeat("x", 4001)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "asks", "category_id", "evidence", "title")
			dup := ownControl
			dup.Title = "  model CARD for every   release "
			_, err = e.svc.CreateControl(e.ctx, e.as[aims.RoleOwner], dup)
			servicetest.WantFields(t, err, aims.CodeConflict, "title")
		})
		// Another organisation may use the same title.
		if _, err := e.svc.CreateControl(e.ctx, e.other, ownControl); err != nil {
			t.Errorf("the same title in another organisation: %v", err)
		}
		servicetest.FailAuditAppends(t, d)
		servicetest.Unchanged(t, d, func() {
			other := ownControl
			other.Title = "Another"
			if _, err := e.svc.CreateControl(e.ctx, e.as[aims.RoleOwner], other); err == nil {
				t.Error("a control was created although its audit event could not be written")
			}
			if _, err := e.svc.ArchiveControl(e.ctx, e.as[aims.RoleOwner], "CTL-1"); err == nil {
				t.Error("a control was archived although its audit event could not be written")
			}
		})
	})
}
