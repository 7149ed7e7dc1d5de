package model_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions tries every method as every role, as a person and with a
// token. Editors register and change models, versions, results and cards;
// leads approve, deploy, withdraw, retire and archive; everyone reads. A
// refused call changes nothing.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	no := aims.CodeForbidden
	tests := []struct {
		role                            aims.Role
		read, edit, approve, lifecycles aims.Code
	}{
		{aims.RoleOwner, ok, ok, ok, ok},
		{aims.RoleManager, ok, ok, ok, ok},
		{aims.RoleContributor, ok, ok, no, no},
		{aims.RoleAuditor, ok, no, no, no},
		{aims.RoleViewer, ok, no, no, no},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		root := &aims.Actor{Kind: aims.ActorSystem, Name: "cli:root@host", OrgID: e.org}
		// Whatever a refused role cannot do is done by an administrative actor, which the counts below leave out.
		if _, err := e.svc.Create(e.ctx, root, model.CreateRequest{System: "SYS-1", Name: "Shared"}); err != nil {
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
								t.Fatalf("%s: %v", method, err)
							}
							return
						}
						servicetest.Unchanged(t, d, func() { servicetest.WantCode(t, call(), want) })
					}
					// Reads.
					check("List", tc.read, func() error { _, err := e.svc.List(e.ctx, &a, model.ListQuery{}); return err })
					check("Get", tc.read, func() error { _, err := e.svc.Get(e.ctx, &a, "MDL-1"); return err })
					check("History", tc.read, func() error { _, err := e.svc.History(e.ctx, &a, "MDL-1"); return err })
					check("Versions", tc.read, func() error { _, err := e.svc.Versions(e.ctx, &a, "MDL-1"); return err })

					// A model and a version of the role's own, made by the administrator when the role cannot.
					name := string(tc.role) + " " + string(kind)
					check("Create", tc.edit, func() error {
						_, err := e.svc.Create(e.ctx, &a, model.CreateRequest{System: "SYS-1", Name: name})
						return err
					})
					if tc.edit != ok {
						if _, err := e.svc.Create(e.ctx, root, model.CreateRequest{System: "SYS-1", Name: name}); err != nil {
							t.Fatal(err)
						}
					}
					p, err := e.svc.List(e.ctx, e.viewer(), model.ListQuery{Q: name})
					if err != nil || p.Total != 1 {
						t.Fatalf("own model: %+v, %v", p, err)
					}
					m := p.Items[0]
					check("Update", tc.edit, func() error {
						_, err := e.svc.Update(e.ctx, &a, m.Ref, model.UpdateRequest{Version: m.Version, Description: ptr("by " + name)})
						return err
					})
					check("CreateVersion", tc.edit, func() error {
						_, err := e.svc.CreateVersion(e.ctx, &a, m.Ref, model.VersionRequest{Label: "1", Digest: digest("a")})
						return err
					})
					if tc.edit != ok {
						if _, err := e.svc.CreateVersion(e.ctx, root, m.Ref, model.VersionRequest{Label: "1", Digest: digest("a")}); err != nil {
							t.Fatal(err)
						}
					}
					key := m.Ref + "@1"
					check("GetVersion", tc.read, func() error { _, err := e.svc.GetVersion(e.ctx, &a, key); return err })
					check("VersionHistory", tc.read, func() error { _, err := e.svc.VersionHistory(e.ctx, &a, key); return err })
					check("UpdateVersion", tc.edit, func() error {
						_, err := e.svc.UpdateVersion(e.ctx, &a, key, model.VersionUpdate{Version: 1, Card: &model.CardUpdate{IntendedUse: ptr("Use"), Limitations: ptr("Limits")}})
						return err
					})
					if tc.edit != ok {
						if _, err := e.svc.UpdateVersion(e.ctx, root, key, model.VersionUpdate{Version: 1, Card: &model.CardUpdate{IntendedUse: ptr("Use"), Limitations: ptr("Limits")}}); err != nil {
							t.Fatal(err)
						}
					}
					check("Evaluate", tc.edit, func() error {
						_, err := e.svc.Evaluate(e.ctx, &a, key, model.EvaluateRequest{Metrics: map[string]float64{"auc": 0.8}})
						return err
					})
					if tc.edit != ok {
						if _, err := e.svc.Evaluate(e.ctx, root, key, model.EvaluateRequest{Metrics: map[string]float64{"auc": 0.8}}); err != nil {
							t.Fatal(err)
						}
					}
					check("Evaluations", tc.read, func() error { _, err := e.svc.Evaluations(e.ctx, &a, key); return err })

					check("Approve", tc.approve, func() error {
						_, err := e.svc.Approve(e.ctx, &a, key, model.DecisionRequest{Version: 2})
						return err
					})
					if tc.approve != ok {
						if _, err := e.svc.Approve(e.ctx, root, key, model.DecisionRequest{Version: 2}); err != nil {
							t.Fatal(err)
						}
					}
					check("Deploy", tc.lifecycles, func() error {
						_, err := e.svc.Deploy(e.ctx, &a, key, model.DeployRequest{Version: 3})
						return err
					})
					if tc.lifecycles != ok {
						if _, err := e.svc.Deploy(e.ctx, root, key, model.DeployRequest{Version: 3}); err != nil {
							t.Fatal(err)
						}
					}
					check("Withdraw", tc.lifecycles, func() error {
						_, err := e.svc.Withdraw(e.ctx, &a, key, model.DeployRequest{Version: 4})
						return err
					})
					if tc.lifecycles != ok {
						if _, err := e.svc.Withdraw(e.ctx, root, key, model.DeployRequest{Version: 4}); err != nil {
							t.Fatal(err)
						}
					}
					check("Retire", tc.lifecycles, func() error {
						_, err := e.svc.Retire(e.ctx, &a, key, model.DecisionRequest{Version: 5})
						return err
					})
					check("Archive", tc.lifecycles, func() error { _, err := e.svc.Archive(e.ctx, &a, m.Ref); return err })
					if tc.lifecycles != ok {
						if _, err := e.svc.Archive(e.ctx, root, m.Ref); err != nil {
							t.Fatal(err)
						}
					}
					check("Restore", tc.lifecycles, func() error { _, err := e.svc.Restore(e.ctx, &a, m.Ref); return err })
				})
			}
		}

		// Without an actor nothing is possible.
		servicetest.Unchanged(t, d, func() {
			for name, call := range map[string]func() error{
				"Get": func() error { _, err := e.svc.Get(e.ctx, nil, "MDL-1"); return err },
				"Create": func() error {
					_, err := e.svc.Create(e.ctx, nil, model.CreateRequest{System: "SYS-1", Name: "x"})
					return err
				},
				"Evaluate": func() error {
					_, err := e.svc.Evaluate(e.ctx, nil, "MDL-2@1", model.EvaluateRequest{Metrics: map[string]float64{"a": 1}})
					return err
				},
				"Deploy": func() error {
					_, err := e.svc.Deploy(e.ctx, nil, "MDL-2@1", model.DeployRequest{Version: 1})
					return err
				},
			} {
				if err := call(); aims.CodeOf(err) != aims.CodeUnauthenticated {
					t.Errorf("%s without an actor: %v", name, err)
				}
			}
		})

		// Every allowed change is in the log, by the actor who made it.
		byActor := map[string]int{}
		for _, ev := range servicetest.Events(t, e.ctx, d, e.org) {
			if ev.Object.Type == model.ObjectModel || ev.Object.Type == model.ObjectVersion {
				byActor[ev.Actor.Kind+" "+ev.Actor.Label+" "+ev.Action]++
			}
		}
		for _, kind := range []string{"user", "token"} {
			for _, r := range []string{"owner", "manager"} {
				for _, action := range []string{model.ActionCreate, model.ActionUpdate, model.ActionVersionCreate, model.ActionVersionUpdate,
					model.ActionEvaluate, model.ActionApprove, model.ActionDeploy, model.ActionWithdraw, model.ActionRetire, model.ActionArchive,
					model.ActionRestore} {
					if n := byActor[kind+" "+r+"@acme.example "+action]; n != 1 {
						t.Errorf("%s %s %s: %d events, want 1", kind, r, action, n)
					}
				}
			}
			for _, action := range []string{model.ActionCreate, model.ActionUpdate, model.ActionVersionCreate, model.ActionVersionUpdate, model.ActionEvaluate} {
				if n := byActor[kind+" contributor@acme.example "+action]; n != 1 {
					t.Errorf("%s contributor %s: %d events, want 1", kind, action, n)
				}
			}
			for _, r := range []string{"auditor", "viewer"} {
				for k := range byActor {
					if strings.HasPrefix(k, kind+" "+r+"@") {
						t.Errorf("a refused %s left an event: %s", r, k)
					}
				}
			}
		}
	})
}
