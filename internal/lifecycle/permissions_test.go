package lifecycle_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions runs every operation as every role: leads set gates and
// decide, editors request, owners override, everyone reads; and nobody
// reaches another organisation's requests.
func TestPermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening", "inception")
		allowed := map[string][]aims.Role{
			"gates":      {aims.RoleOwner, aims.RoleManager},
			"request":    {aims.RoleOwner, aims.RoleManager, aims.RoleContributor},
			"approve":    {aims.RoleOwner, aims.RoleManager},
			"refuse":     {aims.RoleOwner, aims.RoleManager},
			"override":   {aims.RoleOwner},
			"withdraw":   {aims.RoleOwner, aims.RoleManager, aims.RoleContributor},
			"change":     {aims.RoleOwner, aims.RoleManager, aims.RoleContributor},
			"reclass":    {aims.RoleOwner, aims.RoleManager},
			"c-approve":  {aims.RoleOwner, aims.RoleManager},
			"c-refuse":   {aims.RoleOwner, aims.RoleManager},
			"implement":  {aims.RoleOwner, aims.RoleManager},
			"c-withdraw": {aims.RoleOwner, aims.RoleManager, aims.RoleContributor},
			"read":       aims.Roles,
		}
		// closeOpen refuses the open request, if any.
		closeOpen := func() {
			t.Helper()
			page, _ := e.svc.Requests(e.ctx, e.viewer(), lifecycle.RequestQuery{Status: "open"})
			for _, r := range page.Items {
				if _, err := e.svc.RefuseRequest(e.ctx, e.owner(), r.Ref, lifecycle.DecisionRequest{Version: r.Version, Note: "Next"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// openRequest makes an open request of SYS-1 by the person, after closing any other.
		openRequest := func(by *aims.Actor, to string) *lifecycle.StageRequest {
			t.Helper()
			closeOpen()
			r, err := e.svc.CreateRequest(e.ctx, by, lifecycle.StageRequestCreate{System: "SYS-1", To: to, Justification: "Test", Plan: "Plan"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		change := func(by *aims.Actor) *lifecycle.ChangeRequest {
			t.Helper()
			c, err := e.svc.CreateChange(e.ctx, by, lifecycle.ChangeCreate{System: "SYS-1", Title: "Logo", Kinds: []string{"other"}, Justification: "x"})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		for _, role := range aims.Roles {
			a := e.as[role]
			can := func(op string) bool {
				for _, r := range allowed[op] {
					if r == role {
						return true
					}
				}
				return false
			}
			check := func(op string, err error) {
				t.Helper()
				switch {
				case can(op) && err != nil:
					t.Errorf("%s %s: %v", role, op, err)
				case !can(op) && aims.CodeOf(err) != aims.CodeForbidden:
					t.Errorf("%s %s: got %v, want forbidden", role, op, err)
				}
			}
			g, _ := e.svc.Gates(e.ctx, e.viewer())
			kind := []string{"risks_assessed", "vv_record"}[g.Version%2]
			check("gates", second(e.svc.SetGates(e.ctx, a, lifecycle.GatesRequest{Version: g.Version, Gates: []lifecycle.Gate{
				{Stage: "re_evaluation", Requirements: []lifecycle.Requirement{{Kind: kind}}}}})))
			closeOpen()
			_, err := e.svc.CreateRequest(e.ctx, a, lifecycle.StageRequestCreate{System: "SYS-1", To: "design_and_development", Justification: "x"})
			if err == nil {
				page, _ := e.svc.Requests(e.ctx, e.viewer(), lifecycle.RequestQuery{Status: "open"})
				_, err = e.svc.WithdrawRequest(e.ctx, a, page.Items[0].Ref, lifecycle.DecisionRequest{Version: 1})
				check("withdraw", err)
			}
			check("request", err)
			r := openRequest(e.contributor(), "design_and_development")
			check("refuse", second(e.svc.RefuseRequest(e.ctx, a, r.Ref, lifecycle.DecisionRequest{Version: 1, Note: "No"})))
			r = openRequest(e.contributor(), "retirement")
			check("approve", second(e.svc.ApproveRequest(e.ctx, a, r.Ref, lifecycle.DecisionRequest{Version: 1})))
			if can("approve") { // move back for the next role
				r = openRequest(e.contributor(), "inception")
				if _, err := e.svc.ApproveRequest(e.ctx, e.owner(), r.Ref, lifecycle.DecisionRequest{Version: 1}); err != nil {
					t.Fatal(err)
				}
			}
			gates, _ := e.svc.Gates(e.ctx, e.viewer())
			if _, err := e.svc.SetGates(e.ctx, e.owner(), lifecycle.GatesRequest{Version: gates.Version, Gates: []lifecycle.Gate{
				{Stage: "design_and_development", Requirements: []lifecycle.Requirement{{Kind: "vv_record"}}}}}); err != nil {
				t.Fatal(err)
			}
			r = openRequest(e.contributor(), "design_and_development")
			check("override", second(e.svc.OverrideRequest(e.ctx, a, r.Ref, lifecycle.OverrideRequest{Version: 1, Reason: "Urgent"})))
			if can("override") {
				r = openRequest(e.contributor(), "inception")
				if _, err := e.svc.ApproveRequest(e.ctx, e.owner(), r.Ref, lifecycle.DecisionRequest{Version: 1}); err != nil {
					t.Fatal(err)
				}
			}

			c, err := e.svc.CreateChange(e.ctx, a, lifecycle.ChangeCreate{System: "SYS-1", Title: "Logo", Kinds: []string{"other"}, Justification: "x"})
			check("change", err)
			if err == nil {
				check("c-withdraw", second(e.svc.WithdrawChange(e.ctx, a, c.Ref, lifecycle.ChangeDecision{Version: 1})))
			}
			c = change(e.contributor())
			check("reclass", second(e.svc.ReclassifyChange(e.ctx, a, c.Ref, lifecycle.ReclassifyRequest{Version: 1, Classification: "significant", Reason: "x"})))
			check("c-refuse", second(e.svc.RefuseChange(e.ctx, a, change(e.contributor()).Ref, lifecycle.ChangeDecision{Version: 1, Note: "No"})))
			c = change(e.contributor())
			c2, err := e.svc.ApproveChange(e.ctx, a, c.Ref, lifecycle.ChangeDecision{Version: 1})
			check("c-approve", err)
			if err != nil {
				c2, _ = e.svc.ApproveChange(e.ctx, e.owner(), c.Ref, lifecycle.ChangeDecision{Version: 1})
			}
			check("implement", second(e.svc.ImplementChange(e.ctx, a, c2.Ref, lifecycle.ChangeDecision{Version: 2, Note: "Done"})))

			for _, err := range []error{second(e.svc.Gates(e.ctx, a)), second(e.svc.Overview(e.ctx, a)),
				second(e.svc.Requests(e.ctx, a, lifecycle.RequestQuery{})), second(e.svc.GetRequest(e.ctx, a, "MOVE-1")),
				second(e.svc.Changes(e.ctx, a, lifecycle.ChangeQuery{})), second(e.svc.GetChange(e.ctx, a, "CR-1")),
				second(e.svc.Preview(e.ctx, a, "SYS-1", lifecycle.CheckQuery{To: "retirement"}))} {
				check("read", err)
			}
		}

		// Another organisation's owner finds nothing of Acme's and changes nothing.
		res, err := e.ids.CreateUser(e.ctx, admin, identity.CreateUserRequest{Org: "Globex", Email: "owner@globex.example", Name: "G",
			Role: aims.RoleOwner, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		globex, err := e.ids.ActorFor(e.ctx, res.User.ID, res.Org.ID)
		if err != nil {
			t.Fatal(err)
		}
		open := openRequest(e.contributor(), "design_and_development")
		servicetest.Unchanged(t, d, func() {
			for _, err := range []error{
				second(e.svc.GetRequest(e.ctx, globex, open.Ref)), second(e.svc.GetChange(e.ctx, globex, "CR-1")),
				second(e.svc.ApproveRequest(e.ctx, globex, open.Ref, lifecycle.DecisionRequest{Version: 1})),
				second(e.svc.OverrideRequest(e.ctx, globex, open.Ref, lifecycle.OverrideRequest{Version: 1, Reason: "x"})),
				second(e.svc.RefuseRequest(e.ctx, globex, open.Ref, lifecycle.DecisionRequest{Version: 1, Note: "x"})),
				second(e.svc.ApproveChange(e.ctx, globex, "CR-2", lifecycle.ChangeDecision{Version: 1})),
				second(e.svc.Preview(e.ctx, globex, "SYS-1", lifecycle.CheckQuery{To: "retirement"})),
				second(e.svc.CreateRequest(e.ctx, globex, lifecycle.StageRequestCreate{System: "SYS-1", To: "retirement", Justification: "x", Plan: "y"})),
			} {
				servicetest.WantCode(t, err, aims.CodeNotFound)
			}
			servicetest.WantFields(t, second(e.svc.CreateChange(e.ctx, globex, lifecycle.ChangeCreate{System: "SYS-1", Title: "x",
				Kinds: []string{"other"}, Justification: "x"})), aims.CodeInvalid, "system")
		})
		for _, f := range []func() (int, error){
			func() (int, error) {
				p, err := e.svc.Requests(e.ctx, globex, lifecycle.RequestQuery{})
				return p.Total, err
			},
			func() (int, error) {
				p, err := e.svc.Changes(e.ctx, globex, lifecycle.ChangeQuery{})
				return p.Total, err
			},
			func() (int, error) { o, err := e.svc.Overview(e.ctx, globex); return len(o.Systems), err },
		} {
			if n, err := f(); err != nil || n != 0 {
				t.Errorf("Globex sees %d of Acme's, %v", n, err)
			}
		}
	})
}
