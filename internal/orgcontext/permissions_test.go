package orgcontext_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions tries every method as every role: editors save the
// draft, owners and managers approve it, everyone reads. A refused call
// changes nothing.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role          aims.Role
		edit, approve aims.Code
	}{
		{aims.RoleOwner, ok, ok},
		{aims.RoleManager, ok, ok},
		{aims.RoleContributor, ok, forbidden},
		{aims.RoleAuditor, forbidden, forbidden},
		{aims.RoleViewer, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.save(t, complete())
		for _, tc := range tests {
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
				dr, err := e.svc.Draft(e.ctx, a)
				if err != nil {
					t.Fatal(err)
				}
				check("SaveDraft", tc.edit, func() error {
					c := dr.Content
					c.Scope.Statement = "Scope by " + string(tc.role)
					_, err := e.svc.SaveDraft(e.ctx, a, orgcontext.DraftRequest{Version: dr.Version, Content: c})
					return err
				})
				dr, _ = e.svc.Draft(e.ctx, a)
				check("Approve", tc.approve, func() error {
					_, err := e.svc.Approve(e.ctx, a, orgcontext.ApproveRequest{Version: dr.Version})
					return err
				})
				for method, call := range map[string]func() error{
					"Versions": func() error { _, err := e.svc.Versions(e.ctx, a); return err },
					"Compare":  func() error { _, err := e.svc.Compare(e.ctx, a, 0, 0); return err },
					"History":  func() error { _, err := e.svc.History(e.ctx, a); return err },
				} {
					check(method, ok, call)
				}
			})
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SaveDraft(e.ctx, nil, orgcontext.DraftRequest{})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.Draft(e.ctx, nil)
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			// A system actor may edit but not approve: approval is a person's.
			_, err = e.svc.Approve(e.ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "cli:test@host", OrgID: e.org}, orgcontext.ApproveRequest{Version: 3})
			servicetest.WantCode(t, err, aims.CodeForbidden)
		})
	})
}

// TestOrganisationsAreIsolated proves that another organisation sees
// neither Acme's draft nor its versions, and cannot put Acme's systems in its scope.
func TestOrganisationsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Credit scoring")
		c := complete()
		c.Scope.Systems = []orgcontext.SystemLink{{Ref: "SYS-1"}}
		dr := e.save(t, c)
		if _, err := e.svc.Approve(e.ctx, e.manager(), orgcontext.ApproveRequest{Version: dr.Version}); err != nil {
			t.Fatal(err)
		}
		out := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Version(e.ctx, out, 1)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Compare(e.ctx, out, 1, 0)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			theirs, err := e.svc.Draft(e.ctx, out)
			if err != nil || theirs.Version != 0 || theirs.InForce != 0 || theirs.Scope.Statement != "" {
				t.Errorf("outsider's draft %+v, %v", theirs, err)
			}
			if vs, err := e.svc.Versions(e.ctx, out); err != nil || len(vs) != 0 {
				t.Errorf("outsider's versions %+v, %v", vs, err)
			}
			for _, key := range []string{sys.ID, "SYS-1"} {
				_, err = e.svc.SaveDraft(e.ctx, out, orgcontext.DraftRequest{Content: orgcontext.Content{
					Scope: orgcontext.Scope{Systems: []orgcontext.SystemLink{{Ref: key}}}}})
				servicetest.WantFields(t, err, aims.CodeInvalid, "scope.systems")
			}
		})
		if _, err := e.systems.Create(e.ctx, out, aisystem.CreateRequest{Name: "Theirs", IntendedPurpose: "P"}); err != nil {
			t.Fatal(err)
		}
		if s, err := e.svc.Summary(e.ctx, out.OrgID, servicetest.T0); err != nil || s.Version != 0 || len(s.Changes) != 0 {
			t.Errorf("outsider's summary %+v, %v", s, err)
		}
	})
}

// TestFailClosed proves that a save or approval whose audit event cannot be written changes nothing.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		dr := e.save(t, complete())
		servicetest.FailAuditAppends(t, d)
		for name, do := range map[string]func() error{
			"SaveDraft": func() error {
				c := complete()
				c.Scope.Statement = "Changed"
				_, err := e.svc.SaveDraft(e.ctx, e.contributor(), orgcontext.DraftRequest{Version: dr.Version, Content: c})
				return err
			},
			"Approve": func() error {
				_, err := e.svc.Approve(e.ctx, e.manager(), orgcontext.ApproveRequest{Version: dr.Version})
				return err
			},
		} {
			t.Run(name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					if err := do(); err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
	})
}
