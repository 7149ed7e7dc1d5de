package aisystem_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestPermissions tries every method as every role. A refused call changes
// nothing; an allowed one does what it says.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role                                                 aims.Role
		create, get, list, update, archive, restore, history aims.Code
	}{
		{aims.RoleOwner, ok, ok, ok, ok, ok, ok, ok},
		{aims.RoleManager, ok, ok, ok, ok, ok, ok, ok},
		{aims.RoleContributor, ok, ok, ok, ok, forbidden, forbidden, ok},
		{aims.RoleAuditor, forbidden, ok, ok, forbidden, forbidden, forbidden, ok},
		{aims.RoleViewer, forbidden, ok, ok, forbidden, forbidden, forbidden, ok},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.create(t, aisystem.CreateRequest{Name: "Active", IntendedPurpose: "P"})
		e.create(t, aisystem.CreateRequest{Name: "Archived", IntendedPurpose: "P"})
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "SYS-2"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests {
			for _, kind := range []aims.ActorKind{aims.ActorUser, aims.ActorToken} {
				t.Run(string(tc.role)+"/"+string(kind), func(t *testing.T) {
					a := *e.as[tc.role]
					a.Kind = kind
					check := func(method string, want aims.Code, call func() error) {
						t.Helper()
						if want == ok {
							if err := call(); err != nil {
								t.Errorf("%s: %v", method, err)
							}
							return
						}
						servicetest.Unchanged(t, e.d, func() { servicetest.WantCode(t, call(), want) })
					}
					check("Create", tc.create, func() error {
						_, err := e.svc.Create(e.ctx, &a, aisystem.CreateRequest{Name: "By " + string(tc.role) + " " + string(kind), IntendedPurpose: "P"})
						return err
					})
					check("Get", tc.get, func() error { _, err := e.svc.Get(e.ctx, &a, "SYS-1"); return err })
					check("List", tc.list, func() error {
						p, err := e.svc.List(e.ctx, &a, aisystem.ListQuery{Status: "all"})
						if err == nil && (p.Total < 2 || p.Items[0].Ref == "") {
							t.Errorf("list = %+v", p)
						}
						return err
					})
					check("History", tc.history, func() error {
						h, err := e.svc.History(e.ctx, &a, "SYS-1")
						if err == nil && len(h) == 0 {
							t.Error("empty history")
						}
						return err
					})
					version := e.get(t, "SYS-1").Version
					check("Update", tc.update, func() error {
						s, err := e.svc.Update(e.ctx, &a, "SYS-1", aisystem.UpdateRequest{Version: version, Description: ptr("by " + string(tc.role) + " " + string(kind))})
						if err == nil && s.Version != version+1 {
							t.Errorf("version after update = %d, want %d", s.Version, version+1)
						}
						return err
					})
					check("Archive", tc.archive, func() error {
						s, err := e.svc.Archive(e.ctx, &a, "SYS-1")
						if err == nil && s.Status != aisystem.StatusArchived {
							t.Errorf("status after archive = %s", s.Status)
						}
						return err
					})
					if tc.archive == ok {
						if _, err := e.svc.Restore(e.ctx, &a, "SYS-1"); err != nil {
							t.Fatal(err)
						}
					}
					check("Restore", tc.restore, func() error {
						s, err := e.svc.Restore(e.ctx, &a, "SYS-2")
						if err == nil && s.Status != aisystem.StatusActive {
							t.Errorf("status after restore = %s", s.Status)
						}
						return err
					})
					if tc.restore == ok {
						if _, err := e.svc.Archive(e.ctx, &a, "SYS-2"); err != nil {
							t.Fatal(err)
						}
					}
				})
			}
		}

		// Without an actor nothing is possible.
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Create(e.ctx, nil, aisystem.CreateRequest{Name: "x", IntendedPurpose: "P"})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.Update(e.ctx, nil, "SYS-1", aisystem.UpdateRequest{Version: 1, Description: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.Archive(e.ctx, nil, "SYS-1")
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.Restore(e.ctx, nil, "SYS-2")
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.History(e.ctx, nil, "SYS-1")
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		})

		// Every allowed change is in the log, by the actor who made it.
		byActor := map[string]int{}
		for _, ev := range servicetest.Events(t, e.ctx, e.d, e.org) {
			if ev.Object.Type == aisystem.ObjectType {
				byActor[ev.Actor.Kind+" "+ev.Actor.Label+" "+ev.Action]++
			}
		}
		want := map[string]int{
			"user owner@acme.example ai_system.create": 2, "user owner@acme.example ai_system.archive": 1,
		}
		for _, kind := range []string{"user", "token"} {
			for _, r := range []string{"owner", "manager", "contributor"} {
				want[kind+" "+r+"@acme.example ai_system.create"]++
				want[kind+" "+r+"@acme.example ai_system.update"]++
			}
			for _, r := range []string{"owner", "manager"} {
				// Archive and restore SYS-1, then restore and archive SYS-2.
				want[kind+" "+r+"@acme.example ai_system.archive"] += 2
				want[kind+" "+r+"@acme.example ai_system.restore"] += 2
			}
		}
		if diff := cmp.Diff(want, byActor); diff != "" {
			t.Errorf("events by actor (-want +got):\n%s", diff)
		}
	})
}

// TestOrganisationsAreIsolated proves that a member of another organisation
// can neither see nor change Acme's systems, even knowing their ids.
func TestOrganisationsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		acme := e.create(t, aisystem.CreateRequest{Name: "Loan scoring", IntendedPurpose: "P", OwnerID: e.as[aims.RoleManager].UserID})
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)

		for _, key := range []string{acme.ID, "SYS-1", "sys-1"} {
			servicetest.Unchanged(t, e.d, func() {
				_, err := e.svc.Get(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Update(e.ctx, outsider, key, aisystem.UpdateRequest{Version: 1, Description: ptr("mine")})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Archive(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.Restore(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.History(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
			})
		}
		for _, q := range []aisystem.ListQuery{{}, {Status: "all"}, {Q: "loan"}, {OwnerID: e.as[aims.RoleManager].UserID, Status: "all"}} {
			p, err := e.svc.List(e.ctx, outsider, q)
			if err != nil || p.Total != 0 || len(p.Items) != 0 {
				t.Errorf("outsider's list %+v = %+v, %v; want nothing", q, p, err)
			}
		}

		// Their own SYS-1 is theirs; Acme's SYS-1 stays Acme's.
		mine, err := e.svc.Create(e.ctx, outsider, aisystem.CreateRequest{Name: "Loan scoring", IntendedPurpose: "Theirs"})
		if err != nil || mine.Ref != "SYS-1" {
			t.Fatalf("outsider's system = %+v, %v", mine, err)
		}
		if got, err := e.svc.Get(e.ctx, outsider, "SYS-1"); err != nil || got.ID != mine.ID {
			t.Errorf("outsider's SYS-1 = %+v, %v", got, err)
		}
		if got := e.get(t, "SYS-1"); got.ID != acme.ID || got.IntendedPurpose != "P" {
			t.Errorf("Acme's SYS-1 = %+v", got)
		}
		if p, err := e.svc.List(e.ctx, outsider, aisystem.ListQuery{Status: "all"}); err != nil || !cmp.Equal(refs(p), []string{"SYS-1"}) || p.Items[0].ID != mine.ID {
			t.Errorf("outsider's list = %+v, %v", p, err)
		}
		// An Acme member cannot own the outsider's system.
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Update(e.ctx, outsider, "SYS-1", aisystem.UpdateRequest{Version: 1, OwnerID: ptr(e.as[aims.RoleManager].UserID)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id")
		})
		// And the audit logs stay apart.
		if got := servicetest.Actions(t, e.ctx, e.d, outsider.OrgID); !cmp.Equal(got, []string{"organisation.create", "user.create", "member.add", "ai_system.create"}) {
			t.Errorf("outsider's log = %q", got)
		}
	})
}
