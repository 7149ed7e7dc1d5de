package impact_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestPermissions tries every method as every role, signed in and with a
// token. A refused call changes nothing; an allowed one does what it says.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role                      aims.Role
		read, edit, approve, tmpl aims.Code
	}{
		{aims.RoleOwner, ok, ok, ok, ok},
		{aims.RoleManager, ok, ok, ok, ok},
		{aims.RoleContributor, ok, ok, forbidden, forbidden},
		{aims.RoleAuditor, ok, forbidden, forbidden, forbidden},
		{aims.RoleViewer, ok, forbidden, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		base := e.readyFRIA(t, "SYS-1")
		e.submit(t, base.Ref, "")
		e.approve(t, base.Ref, "")
		if _, err := e.svc.CopyTemplate(e.ctx, e.owner(), "eu-fria", impact.CopyRequest{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateRisk(e.ctx, e.owner(), base.Ref, "1", impact.RiskCreateRequest{}); err != nil {
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
					check("Templates", tc.read, func() error { return second(e.svc.Templates(e.ctx, &a, impact.TemplateListQuery{})) })
					check("Template", tc.read, func() error { return second(e.svc.Template(e.ctx, &a, "IAT-1", 0)) })
					check("List", tc.read, func() error { return second(e.svc.List(e.ctx, &a, impact.ListQuery{})) })
					check("Get", tc.read, func() error { return second(e.svc.Get(e.ctx, &a, "IA-1")) })
					check("History", tc.read, func() error { return second(e.svc.History(e.ctx, &a, "IA-1")) })
					check("Versions", tc.read, func() error { return second(e.svc.Versions(e.ctx, &a, "IA-1")) })
					check("Version", tc.read, func() error { return second(e.svc.Version(e.ctx, &a, "IA-1", 1)) })
					check("Export", tc.read, func() error { return second(e.svc.Export(e.ctx, &a, "IA-1", 1)) })
					check("Due", tc.read, func() error { return second(e.svc.Due(e.ctx, &a)) })

					// An assessment of the caller's own, to edit, submit and decide on.
					own := base.Ref
					if tc.edit == ok {
						started, err := e.svc.Start(e.ctx, &a, impact.StartRequest{System: "SYS-1", Template: "eu-fria"})
						if err != nil {
							t.Fatal(err)
						}
						own = started.Ref
					} else {
						check("Start", tc.edit, func() error {
							return second(e.svc.Start(e.ctx, &a, impact.StartRequest{System: "SYS-1", Template: "eu-fria"}))
						})
						own = e.start(t, "SYS-1", "eu-fria").Ref
					}
					check("Update", tc.edit, func() error {
						return second(e.svc.Update(e.ctx, &a, own, impact.UpdateRequest{Version: 1, Answers: friaAnswers}))
					})
					if tc.edit != ok {
						e.answer(t, own, friaAnswers)
					}
					check("AddImpact", tc.edit, func() error { return second(e.svc.AddImpact(e.ctx, &a, own, unfair())) })
					if tc.edit != ok {
						e.addImpact(t, own, unfair())
					}
					req := unfair()
					req.Version, req.Severity = 1, "low"
					check("UpdateImpact", tc.edit, func() error { return second(e.svc.UpdateImpact(e.ctx, &a, own, "1", req)) })
					check("CreateRisk", tc.edit, func() error { return second(e.svc.CreateRisk(e.ctx, &a, own, "1", impact.RiskCreateRequest{})) })
					check("LinkRisk", tc.edit, func() error {
						return second(e.svc.LinkRisk(e.ctx, &a, own, "1", impact.LinkRequest{Risk: "RISK-1"}))
					})
					extra := e.addImpact(t, own, unfair())
					check("RemoveImpact", tc.edit, func() error { return e.svc.RemoveImpact(e.ctx, &a, own, extra.ID, 0) })
					version := e.get(t, own).Version
					check("Submit", tc.edit, func() error {
						return second(e.svc.Submit(e.ctx, &a, own, impact.ReviewRequest{Version: version}))
					})
					if tc.edit != ok {
						e.submit(t, own, "")
					}
					version = e.get(t, own).Version
					check("Return", tc.approve, func() error {
						return second(e.svc.Return(e.ctx, &a, own, impact.ReviewRequest{Version: version, Note: "Again"}))
					})
					if tc.approve == ok {
						e.submit(t, own, "")
						version = e.get(t, own).Version
					}
					check("Approve", tc.approve, func() error {
						v, err := e.svc.Approve(e.ctx, &a, own, impact.ApproveRequest{Version: version})
						if err == nil && v.ApprovedBy != a.UserID {
							t.Errorf("approved by %s", v.ApprovedBy)
						}
						return err
					})
					latest := 0
					if tpl, err := e.svc.Template(e.ctx, &a, "IAT-1", 0); err == nil {
						latest = tpl.Latest
					}
					check("CopyTemplate", tc.tmpl, func() error { return second(e.svc.CopyTemplate(e.ctx, &a, "iso-42005", impact.CopyRequest{})) })
					check("UpdateTemplate", tc.tmpl, func() error {
						return second(e.svc.UpdateTemplate(e.ctx, &a, "IAT-1", impact.TemplateRequest{Version: latest,
							Name: "By " + string(tc.role) + " " + string(kind), Sections: validSections()}))
					})
				})
			}
		}
		check := func(role aims.Role, want aims.Code) {
			t.Helper()
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.ArchiveTemplate(e.ctx, e.as[role], "IAT-1")
				if want == ok && err != nil || want != ok && aims.CodeOf(err) != want {
					t.Errorf("ArchiveTemplate as %s: %v", role, err)
				}
			})
		}
		for _, r := range []aims.Role{aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer} {
			check(r, forbidden)
		}
		if _, err := e.svc.ArchiveTemplate(e.ctx, e.manager(), "IAT-1"); err != nil {
			t.Error(err)
		}

		// Without an actor nothing is possible.
		servicetest.Unchanged(t, d, func() {
			for _, err := range []error{
				second(e.svc.Templates(e.ctx, nil, impact.TemplateListQuery{})), second(e.svc.Template(e.ctx, nil, "eu-fria", 0)),
				second(e.svc.CopyTemplate(e.ctx, nil, "eu-fria", impact.CopyRequest{})),
				second(e.svc.UpdateTemplate(e.ctx, nil, "IAT-1", impact.TemplateRequest{})), second(e.svc.ArchiveTemplate(e.ctx, nil, "IAT-1")),
				second(e.svc.List(e.ctx, nil, impact.ListQuery{})), second(e.svc.Get(e.ctx, nil, "IA-1")), second(e.svc.History(e.ctx, nil, "IA-1")),
				second(e.svc.Start(e.ctx, nil, impact.StartRequest{})), second(e.svc.Update(e.ctx, nil, "IA-1", impact.UpdateRequest{})),
				second(e.svc.AddImpact(e.ctx, nil, "IA-1", unfair())), second(e.svc.UpdateImpact(e.ctx, nil, "IA-1", "1", unfair())),
				e.svc.RemoveImpact(e.ctx, nil, "IA-1", "1", 0), second(e.svc.CreateRisk(e.ctx, nil, "IA-1", "1", impact.RiskCreateRequest{})),
				second(e.svc.LinkRisk(e.ctx, nil, "IA-1", "1", impact.LinkRequest{Risk: "RISK-1"})),
				second(e.svc.Submit(e.ctx, nil, "IA-1", impact.ReviewRequest{})), second(e.svc.Return(e.ctx, nil, "IA-1", impact.ReviewRequest{})),
				second(e.svc.Approve(e.ctx, nil, "IA-1", impact.ApproveRequest{})), second(e.svc.Versions(e.ctx, nil, "IA-1")),
				second(e.svc.Version(e.ctx, nil, "IA-1", 1)), second(e.svc.Export(e.ctx, nil, "IA-1", 0)), second(e.svc.Due(e.ctx, nil)),
			} {
				servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			}
		})

		// Every allowed change is in the log, by the actor who made it.
		byActor := map[string]int{}
		for _, ev := range servicetest.Events(t, e.ctx, d, e.org) {
			if ev.Action == "impact.approve" || ev.Action == "impact.return" || ev.Action == "impact_template.update" {
				byActor[ev.Actor.Kind+" "+ev.Actor.Label+" "+ev.Action]++
			}
		}
		want := map[string]int{"user manager@zoe.example impact.approve": 1}
		for _, kind := range []string{"user", "token"} {
			for _, r := range []string{"owner", "manager"} {
				want[kind+" "+r+"@zoe.example impact.approve"]++
				want[kind+" "+r+"@zoe.example impact.return"]++
				want[kind+" "+r+"@zoe.example impact_template.update"]++
			}
		}
		if diff := cmp.Diff(want, byActor); diff != "" {
			t.Errorf("decisions by actor (-want +got):\n%s", diff)
		}
	})
}

// TestOrganisationsAreIsolated proves that a member of another
// organisation can neither see nor change assessments, templates, impacts
// or versions, even knowing their ids, and cannot assess a system of ours.
func TestOrganisationsAreIsolated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		a := e.readyFRIA(t, "SYS-1")
		if _, err := e.svc.CreateRisk(e.ctx, e.contributor(), a.Ref, "1", impact.RiskCreateRequest{}); err != nil {
			t.Fatal(err)
		}
		e.submit(t, a.Ref, "")
		e.approve(t, a.Ref, "")
		tpl, err := e.svc.CopyTemplate(e.ctx, e.owner(), "eu-fria", impact.CopyRequest{})
		if err != nil {
			t.Fatal(err)
		}
		tplID := servicetest.RowsOf(t, d, `SELECT id FROM impact_templates`)[0][len("id="):]
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		imp := a.Impacts[0]
		servicetest.Unchanged(t, d, func() {
			for _, key := range []string{a.ID, "IA-1"} {
				for _, err := range []error{
					second(e.svc.Get(e.ctx, outsider, key)), second(e.svc.History(e.ctx, outsider, key)),
					second(e.svc.Update(e.ctx, outsider, key, impact.UpdateRequest{Version: a.Version, Title: ptr("Mine")})),
					second(e.svc.AddImpact(e.ctx, outsider, key, unfair())),
					second(e.svc.UpdateImpact(e.ctx, outsider, key, imp.ID, withVersion(unfair(), 1))),
					e.svc.RemoveImpact(e.ctx, outsider, key, imp.ID, 0),
					second(e.svc.CreateRisk(e.ctx, outsider, key, "1", impact.RiskCreateRequest{})),
					second(e.svc.Submit(e.ctx, outsider, key, impact.ReviewRequest{Version: 1})),
					second(e.svc.Return(e.ctx, outsider, key, impact.ReviewRequest{Version: 1, Note: "x"})),
					second(e.svc.Approve(e.ctx, outsider, key, impact.ApproveRequest{Version: 1})),
					second(e.svc.Versions(e.ctx, outsider, key)), second(e.svc.Version(e.ctx, outsider, key, 1)),
					second(e.svc.Export(e.ctx, outsider, key, 1)),
				} {
					servicetest.WantCode(t, err, aims.CodeNotFound)
				}
			}
			for _, key := range []string{tpl.Key, tplID} {
				_, err := e.svc.Template(e.ctx, outsider, key, 0)
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.CopyTemplate(e.ctx, outsider, key, impact.CopyRequest{})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.UpdateTemplate(e.ctx, outsider, key, impact.TemplateRequest{Version: 1, Name: "x", Sections: validSections()})
				servicetest.WantCode(t, err, aims.CodeNotFound)
				_, err = e.svc.ArchiveTemplate(e.ctx, outsider, key)
				servicetest.WantCode(t, err, aims.CodeNotFound)
			}
			for _, key := range []string{sys.ID, "SYS-1"} {
				_, err := e.svc.Start(e.ctx, outsider, impact.StartRequest{System: key, Template: "eu-fria"})
				servicetest.WantFields(t, err, aims.CodeInvalid, "system")
				_, err = e.svc.List(e.ctx, outsider, impact.ListQuery{System: key})
				servicetest.WantFields(t, err, aims.CodeInvalid, "system")
			}
		})
		if p, err := e.svc.List(e.ctx, outsider, impact.ListQuery{}); err != nil || p.Total != 0 {
			t.Errorf("outsider's list = %+v, %v", p, err)
		}
		if items, err := e.svc.Due(e.ctx, outsider); err != nil || len(items) != 0 {
			t.Errorf("outsider's due = %+v, %v", items, err)
		}
		if l, _ := e.svc.Templates(e.ctx, outsider, impact.TemplateListQuery{Status: "all"}); len(l) != 2 {
			t.Errorf("outsider's templates = %+v", l)
		}
		snap, err := e.svc.Snapshot(e.ctx, outsider.OrgID)
		if err != nil || len(snap) != 0 {
			t.Errorf("outsider's snapshot = %+v, %v", snap, err)
		}
	})
}

func withVersion(r impact.ImpactRequest, v int) impact.ImpactRequest {
	r.Version = v
	return r
}
