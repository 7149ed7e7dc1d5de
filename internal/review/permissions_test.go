package review_test

import (
	"fmt"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/review"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions tries every change as every role: owners and managers
// prepare reviews and record their outputs; only the chair signs off,
// another lead is refused; everyone reads. A refused call changes nothing.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role          aims.Role
		edit, signOff aims.Code
	}{
		{aims.RoleOwner, ok, ok},
		{aims.RoleManager, ok, forbidden}, // a lead, but not the chair
		{aims.RoleContributor, forbidden, forbidden},
		{aims.RoleAuditor, forbidden, forbidden},
		{aims.RoleViewer, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
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
				base := e.draft(t, fmt.Sprintf("Base %d", i), "2026-03-02")
				if _, err := e.svc.AddDecision(e.ctx, e.owner(), base.Ref, review.DecisionRequest{Kind: "change", Text: "Base"}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.svc.AddAction(e.ctx, e.owner(), base.Ref, review.ActionRequest{Description: "Base", Owner: "owner@acme.example", DueOn: "2026-05-01"}); err != nil {
					t.Fatal(err)
				}
				check("Create", tc.edit, func() error {
					_, err := e.svc.Create(e.ctx, a, review.Request{Title: "By " + string(tc.role), PlannedOn: "2026-04-01", Chair: "manager@acme.example"})
					return err
				})
				check("Update", tc.edit, func() error {
					_, err := e.svc.Update(e.ctx, a, base.Ref, review.Update{Version: base.Version, Notes: ptr("Discussed " + string(tc.role))})
					return err
				})
				check("AddDecision", tc.edit, func() error {
					_, err := e.svc.AddDecision(e.ctx, a, base.Ref, review.DecisionRequest{Kind: "improvement", Text: "x"})
					return err
				})
				check("AddAction", tc.edit, func() error {
					_, err := e.svc.AddAction(e.ctx, a, base.Ref, review.ActionRequest{Description: "x", Owner: "viewer@acme.example", DueOn: "2026-05-01"})
					return err
				})
				check("UpdateAction", tc.edit, func() error {
					_, err := e.svc.UpdateAction(e.ctx, a, base.Ref, 1, review.ActionChange{Version: 1, DueOn: ptr("2026-05-02")})
					return err
				})
				check("RemoveDecision", tc.edit, func() error { return e.svc.RemoveDecision(e.ctx, a, base.Ref, 1) })
				check("RemoveAction", tc.edit, func() error {
					act, err := e.svc.GetAction(e.ctx, a, base.Ref, 1)
					if err != nil {
						return err
					}
					return e.svc.RemoveAction(e.ctx, a, base.Ref, 1, act.Version)
				})
				if _, err := e.svc.AddDecision(e.ctx, e.owner(), base.Ref, review.DecisionRequest{Kind: "change", Text: "Kept"}); err != nil {
					t.Fatal(err)
				}
				check("SignOff", tc.signOff, func() error {
					r, err := e.svc.Get(e.ctx, a, base.Ref)
					if err != nil {
						return err
					}
					_, err = e.svc.SignOff(e.ctx, a, base.Ref, review.SignOffRequest{Version: r.Version, HeldOn: "2026-03-02"})
					return err
				})
				for method, call := range map[string]func() error{
					"List":    func() error { _, err := e.svc.List(e.ctx, a); return err },
					"Get":     func() error { _, err := e.svc.Get(e.ctx, a, base.Ref); return err },
					"History": func() error { _, err := e.svc.History(e.ctx, a, base.Ref); return err },
				} {
					if err := call(); err != nil {
						t.Errorf("%s: %v", method, err)
					}
				}
			})
		}
	})
}
