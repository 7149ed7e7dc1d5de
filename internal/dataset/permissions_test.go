package dataset_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestPermissions tries every method as every role, in person and with a
// token, and as nobody. A refused call changes nothing; an allowed one does
// what it says.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	no := aims.CodeForbidden
	tests := []struct {
		role                                            aims.Role
		read, create, update, archive, version, profile aims.Code
	}{
		{aims.RoleOwner, ok, ok, ok, ok, ok, ok},
		{aims.RoleManager, ok, ok, ok, ok, ok, ok},
		{aims.RoleContributor, ok, ok, ok, ok, ok, ok},
		{aims.RoleAuditor, ok, no, no, no, no, no},
		{aims.RoleViewer, ok, no, no, no, no, no},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.create(t, dataset.CreateRequest{Name: "Census income"})
		e.addVersion(t, "DS-1", public("first"))
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
						unchanged(t, e.d, func() { servicetest.WantCode(t, call(), want) })
					}
					reads := map[string]func() error{
						"Get":      func() error { _, err := e.svc.Get(e.ctx, &a, "DS-1"); return err },
						"List":     func() error { _, err := e.svc.List(e.ctx, &a, dataset.ListQuery{}); return err },
						"History":  func() error { _, err := e.svc.History(e.ctx, &a, "DS-1"); return err },
						"Versions": func() error { _, err := e.svc.Versions(e.ctx, &a, "DS-1"); return err },
						"Version":  func() error { _, err := e.svc.GetVersion(e.ctx, &a, "DS-1@1"); return err },
						"Choices":  func() error { _, err := e.svc.VersionChoices(e.ctx, &a); return err },
						"Lineage":  func() error { _, err := e.svc.Lineage(e.ctx, &a, "DS-1@1"); return err },
						"VersionHistory": func() error {
							_, err := e.svc.VersionHistory(e.ctx, &a, "DS-1@1")
							return err
						},
					}
					for name, call := range reads {
						check(name, tc.read, call)
					}
					check("Create", tc.create, func() error {
						_, err := e.svc.Create(e.ctx, &a, dataset.CreateRequest{Name: "By " + string(tc.role) + " " + string(kind)})
						return err
					})
					version := e.get(t, "DS-1").Version
					check("Update", tc.update, func() error {
						_, err := e.svc.Update(e.ctx, &a, "DS-1", dataset.UpdateRequest{Version: version, Description: ptr("by " + string(tc.role) + string(kind))})
						return err
					})
					check("Archive", tc.archive, func() error { _, err := e.svc.Archive(e.ctx, &a, "DS-1"); return err })
					check("Restore", tc.archive, func() error { _, err := e.svc.Restore(e.ctx, &a, "DS-1"); return err })
					check("AddVersion", tc.version, func() error {
						_, err := e.svc.AddVersion(e.ctx, &a, "DS-1", public("by "+string(tc.role), "DS-1@1"))
						return err
					})
					check("Receive", tc.profile, func() error {
						u, err := e.svc.Receive(e.ctx, &a, strings.NewReader("a\n1\n"), "a.csv")
						u.Remove()
						return err
					})
					owner := e.as[aims.RoleOwner]
					u, err := e.svc.Receive(e.ctx, owner, strings.NewReader("a\n1\n"), "a.csv")
					if err != nil {
						t.Fatal(err)
					}
					check("Profile", tc.profile, func() error {
						_, err := e.svc.Profile(e.ctx, &a, "DS-1@1", dataset.ProfileRequest{Upload: u})
						return err
					})
				})
			}
		}
		// Nobody signed in may do nothing at all.
		unchanged(t, d, func() {
			_, err := e.svc.Get(e.ctx, nil, "DS-1")
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.Create(e.ctx, nil, dataset.CreateRequest{Name: "x"})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.Lineage(e.ctx, nil, "DS-1@1")
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
		})
		// What was allowed was recorded, once per allowed call.
		counts := map[string]int{}
		for _, a := range servicetest.Actions(t, e.ctx, d, e.org) {
			if strings.HasPrefix(a, "dataset") {
				counts[a]++
			}
		}
		want := map[string]int{"dataset.create": 7, "dataset.update": 6, "dataset.archive": 6, "dataset.restore": 6,
			"dataset_version.create": 7, "dataset_version.profile": 6}
		if diff := cmp.Diff(want, counts); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
	})
}
