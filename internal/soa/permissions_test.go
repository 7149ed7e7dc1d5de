package soa_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/google/go-cmp/cmp"
)

// TestPermissions tries every method as every role. A refused call changes
// nothing; an allowed one does what it says.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role                 aims.Role
		read, edit, approval aims.Code
	}{
		{aims.RoleOwner, ok, ok, ok},
		{aims.RoleManager, ok, ok, ok},
		{aims.RoleContributor, ok, ok, forbidden},
		{aims.RoleAuditor, ok, forbidden, forbidden},
		{aims.RoleViewer, ok, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Chat assistant")
		e.scope(t, "Everything")
		e.decideAll(t)
		e.approve(t, "")
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
					check("Draft", tc.read, func() error { _, err := e.svc.Draft(e.ctx, &a); return err })
					check("Entry", tc.read, func() error { _, err := e.svc.Entry(e.ctx, &a, "A.2.2"); return err })
					check("ForSystem", tc.read, func() error { _, err := e.svc.ForSystem(e.ctx, &a, "SYS-1"); return err })
					check("Versions", tc.read, func() error { _, err := e.svc.Versions(e.ctx, &a); return err })
					check("Version", tc.read, func() error { _, err := e.svc.Version(e.ctx, &a, 1); return err })
					check("Compare", tc.read, func() error { _, err := e.svc.Compare(e.ctx, &a, 1, 0); return err })
					check("Export", tc.read, func() error { _, err := e.svc.Export(e.ctx, &a, 1, "csv"); return err })

					dr := e.draft(t)
					en := entry(t, dr.Entries, "A.2.2")
					check("SetScope", tc.edit, func() error {
						_, err := e.svc.SetScope(e.ctx, &a, soa.ScopeRequest{Scope: "By " + string(tc.role) + " " + string(kind), Version: dr.ScopeVersion})
						return err
					})
					check("SetEntry", tc.edit, func() error {
						_, err := e.svc.SetEntry(e.ctx, &a, "A.2.2", "", soa.EntryRequest{Applicable: ptr(true),
							Justification: "By " + string(tc.role) + " " + string(kind), Status: soa.StatusPlanned, Version: en.Decision.Version})
						return err
					})
					check("SetEntry override", tc.edit, func() error {
						_, err := e.svc.SetEntry(e.ctx, &a, "A.2.3", "SYS-1", excluded("Override"))
						return err
					})
					check("RemoveOverride", tc.edit, func() error {
						_, err := e.svc.RemoveOverride(e.ctx, &a, "A.2.3", "SYS-1", 0)
						return err
					})
					if tc.edit != ok {
						// Give the refused removal something to remove.
						e.set(t, "A.2.3", "SYS-1", excluded("Override"))
						servicetest.Unchanged(t, e.d, func() {
							_, err := e.svc.RemoveOverride(e.ctx, &a, "A.2.3", "SYS-1", 0)
							servicetest.WantCode(t, err, forbidden)
						})
						if _, err := e.svc.RemoveOverride(e.ctx, e.owner(), "A.2.3", "SYS-1", 0); err != nil {
							t.Fatal(err)
						}
					}
					check("Approve", tc.approval, func() error {
						v, err := e.svc.Approve(e.ctx, &a, soa.ApproveRequest{Note: "By " + string(tc.role)})
						if err == nil && v.ApprovedBy != a.UserID {
							t.Errorf("approved by %s", v.ApprovedBy)
						}
						return err
					})
				})
			}
		}

		// Without an actor nothing is possible.
		servicetest.Unchanged(t, e.d, func() {
			for _, err := range []error{
				second(e.svc.Draft(e.ctx, nil)), second(e.svc.Entry(e.ctx, nil, "A.2.2")), second(e.svc.ForSystem(e.ctx, nil, "SYS-1")),
				second(e.svc.Versions(e.ctx, nil)), second(e.svc.Version(e.ctx, nil, 1)), second(e.svc.Compare(e.ctx, nil, 1, 0)),
				second(e.svc.Export(e.ctx, nil, 1, "pdf")), second(e.svc.SetScope(e.ctx, nil, soa.ScopeRequest{Scope: "x", Version: 1})),
				second(e.svc.SetEntry(e.ctx, nil, "A.2.2", "", excluded("x"))), second(e.svc.RemoveOverride(e.ctx, nil, "A.2.2", "SYS-1", 0)),
				second(e.svc.Approve(e.ctx, nil, soa.ApproveRequest{})),
			} {
				servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			}
		})

		// Every allowed change is in the log, by the actor who made it.
		byActor := map[string]int{}
		for _, ev := range servicetest.Events(t, e.ctx, e.d, e.org) {
			if ev.Object.Type == soa.ObjectEntry || ev.Object.Type == soa.ObjectDraft || ev.Object.Type == soa.ObjectVersion {
				byActor[ev.Actor.Kind+" "+ev.Actor.Label+" "+ev.Action]++
			}
		}
		want := map[string]int{
			"user owner@zoe.example soa.scope_change": 1, "user owner@zoe.example soa.entry_set": 38 + 4,
			"user owner@zoe.example soa.override_remove": 4, "user owner@zoe.example soa.approve": 1,
		}
		for _, kind := range []string{"user", "token"} {
			for _, r := range []string{"owner", "manager", "contributor"} {
				want[kind+" "+r+"@zoe.example soa.scope_change"]++
				want[kind+" "+r+"@zoe.example soa.entry_set"] += 2
				want[kind+" "+r+"@zoe.example soa.override_remove"]++
			}
			for _, r := range []string{"owner", "manager"} {
				want[kind+" "+r+"@zoe.example soa.approve"]++
			}
		}
		if diff := cmp.Diff(want, byActor); diff != "" {
			t.Errorf("events by actor (-want +got):\n%s", diff)
		}
		if list, _ := e.svc.Versions(e.ctx, e.owner()); len(list) != 5 || list[0].Number != 5 {
			t.Errorf("versions = %+v", list)
		}
	})
}

func second[T any](_ T, err error) error { return err }

// TestOrganisationsAreIsolated proves that a member of another organisation
// can neither see nor change the Statement, its versions or its AI systems'
// overrides, even knowing their ids.
func TestOrganisationsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Chat assistant")
		e.scope(t, "Ours")
		e.decideAll(t)
		e.set(t, "A.2.2", "SYS-1", excluded("Theirs not"))
		e.approve(t, "")
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)

		servicetest.Unchanged(t, d, func() {
			for _, key := range []string{sys.ID, "SYS-1"} {
				_, err := e.svc.SetEntry(e.ctx, outsider, "A.2.2", key, excluded("mine"))
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.RemoveOverride(e.ctx, outsider, "A.2.2", key, 0)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.ForSystem(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
			}
			_, err := e.svc.Version(e.ctx, outsider, 1)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Compare(e.ctx, outsider, 1, 0)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Export(e.ctx, outsider, 1, "pdf")
			servicetest.WantCode(t, err, aims.CodeNotFound)
			// An Acme member cannot own the outsider's decisions.
			_, err = e.svc.SetEntry(e.ctx, outsider, "A.2.2", "", soa.EntryRequest{Applicable: ptr(false), Justification: "x", OwnerID: e.owner().UserID})
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id")
			_, err = e.svc.Approve(e.ctx, outsider, soa.ApproveRequest{})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		dr, err := e.svc.Draft(e.ctx, outsider)
		if err != nil || dr.Organisation != "Other Org" || dr.Decided != 0 || dr.Scope != "" || dr.LatestVersion != 0 {
			t.Errorf("outsider's draft = %+v, %v", dr, err)
		}
		if list, err := e.svc.Versions(e.ctx, outsider); err != nil || len(list) != 0 {
			t.Errorf("outsider's versions = %+v, %v", list, err)
		}
		// Their own decisions stay theirs.
		if _, err := e.svc.SetEntry(e.ctx, outsider, "A.2.2", "", excluded("Ours only")); err != nil {
			t.Fatal(err)
		}
		if en := entry(t, e.draft(t).Entries, "A.2.2"); en.Decision.Justification != "We need A.2.2." || en.Decision.Version != 1 {
			t.Errorf("Acme's A.2.2 = %+v", en.Decision)
		}
		if got := servicetest.Actions(t, e.ctx, d, outsider.OrgID); !cmp.Equal(got, []string{"organisation.create", "user.create", "member.add", "soa.entry_set"}) {
			t.Errorf("outsider's log = %q", got)
		}
	})
}
