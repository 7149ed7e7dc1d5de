package risk_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions tries every method as every role, as a person and with
// an API token. A refused call changes nothing; an allowed one works.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role                                aims.Role
		read, criteria, edit, accept, above aims.Code
	}{
		{aims.RoleOwner, ok, ok, ok, ok, ok},
		{aims.RoleManager, ok, ok, ok, ok, forbidden},
		{aims.RoleContributor, ok, forbidden, ok, forbidden, forbidden},
		{aims.RoleAuditor, ok, forbidden, forbidden, forbidden, forbidden},
		{aims.RoleViewer, ok, forbidden, forbidden, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		e.system(t, "Hiring screening")
		within := e.assess(t, e.create(t, hiring("")), 3, 4)
		e.treat(t, within, risk.TreatmentRequest{Option: "modify", Controls: []string{"A.9.3"}, ResidualLikelihood: 2, ResidualImpact: 2})
		above := e.assess(t, e.create(t, risk.CreateRequest{Title: "Above"}), 4, 4)
		e.treat(t, above, risk.TreatmentRequest{Option: "retain", ResidualLikelihood: 3, ResidualImpact: 3})
		if _, err := e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Audit", Version: e.get(t, "RISK-1").Version}); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"RA-1", "RA-2"} {
			if _, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: n}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.CloseAssessment(e.ctx, e.owner(), n, risk.CloseAssessmentRequest{}); err != nil {
				t.Fatal(err)
			}
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
						servicetest.Unchanged(t, e.d, func() {
							err := call()
							if aims.CodeOf(err) != want {
								t.Errorf("%s: got %v, want %s", method, err, want)
							}
						})
					}
					v := func(ref string) int { return e.get(t, ref).Version }
					check("Criteria", tc.read, func() error { _, err := e.svc.Criteria(e.ctx, &a); return err })
					check("CriteriaVersion", tc.read, func() error { _, err := e.svc.CriteriaVersion(e.ctx, &a, 1); return err })
					check("CriteriaVersions", tc.read, func() error { _, err := e.svc.CriteriaVersions(e.ctx, &a); return err })
					check("Get", tc.read, func() error { _, err := e.svc.Get(e.ctx, &a, "RISK-1"); return err })
					check("List", tc.read, func() error { _, err := e.svc.List(e.ctx, &a, risk.ListQuery{}); return err })
					check("History", tc.read, func() error { _, err := e.svc.History(e.ctx, &a, "RISK-1"); return err })
					check("Overview", tc.read, func() error { _, err := e.svc.Overview(e.ctx, &a); return err })
					check("Due", tc.read, func() error { _, err := e.svc.Due(e.ctx, &a); return err })
					check("Assessments", tc.read, func() error { _, err := e.svc.Assessments(e.ctx, &a); return err })
					check("Assessment", tc.read, func() error { _, err := e.svc.Assessment(e.ctx, &a, "RA-1"); return err })
					check("CompareAssessments", tc.read, func() error { _, err := e.svc.CompareAssessments(e.ctx, &a, "RA-1", "RA-2"); return err })
					check("ExportRegister", tc.read, func() error { _, err := e.svc.ExportRegister(e.ctx, &a, "xlsx"); return err })
					check("ExportAssessment", tc.read, func() error { _, err := e.svc.ExportAssessment(e.ctx, &a, "RA-1", "xlsx"); return err })

					check("SetCriteria", tc.criteria, func() error {
						c, _ := e.svc.Criteria(e.ctx, e.viewer())
						req := c.Request()
						req.Note = "By " + string(tc.role) + " " + string(kind)
						req.Levels[0].ReviewDays = c.Levels[0].ReviewDays + 1
						_, err := e.svc.SetCriteria(e.ctx, &a, req)
						return err
					})
					check("Create", tc.edit, func() error {
						_, err := e.svc.Create(e.ctx, &a, risk.CreateRequest{Title: "By " + string(tc.role)})
						return err
					})
					check("Update", tc.edit, func() error {
						_, err := e.svc.Update(e.ctx, &a, "RISK-1", risk.UpdateRequest{Version: v("RISK-1"), Description: ptr("By " + string(tc.role) + string(kind))})
						return err
					})
					check("Assess", tc.edit, func() error {
						_, err := e.svc.Assess(e.ctx, &a, "RISK-2", risk.AssessRequest{Likelihood: 4, Impact: 4, Version: v("RISK-2")})
						return err
					})
					check("SetTreatment", tc.edit, func() error {
						_, err := e.svc.SetTreatment(e.ctx, &a, "RISK-2", risk.TreatmentRequest{Option: "retain", Plan: "By " + string(tc.role) + string(kind),
							ResidualLikelihood: 3, ResidualImpact: 3, Version: v("RISK-2")})
						return err
					})
					check("AddAction", tc.edit, func() error {
						_, err := e.svc.AddAction(e.ctx, &a, "RISK-1", risk.AddActionRequest{Description: "x", Version: v("RISK-1")})
						return err
					})
					check("UpdateAction", tc.edit, func() error {
						_, err := e.svc.UpdateAction(e.ctx, &a, "RISK-1", 1, risk.UpdateActionRequest{Description: ptr("By " + string(tc.role) + string(kind)), Version: v("RISK-1")})
						return err
					})
					check("Close", tc.edit, func() error {
						_, err := e.svc.Close(e.ctx, &a, "RISK-3", risk.CloseRequest{Reason: "x", Version: v("RISK-3")})
						return err
					})
					if tc.edit == ok {
						check("Reopen", tc.edit, func() error {
							_, err := e.svc.Reopen(e.ctx, &a, "RISK-3", risk.ReopenRequest{Version: v("RISK-3")})
							return err
						})
					}
					check("OpenAssessment", tc.edit, func() error {
						_, err := e.svc.OpenAssessment(e.ctx, &a, risk.OpenAssessmentRequest{Name: "By " + string(tc.role)})
						return err
					})
					check("Accept within the appetite", tc.accept, func() error {
						_, err := e.svc.Accept(e.ctx, &a, "RISK-1", risk.AcceptRequest{Version: v("RISK-1")})
						return err
					})
					check("Accept above the appetite", tc.above, func() error {
						_, err := e.svc.Accept(e.ctx, &a, "RISK-2", risk.AcceptRequest{AboveAppetiteConfirmed: true, AboveAppetiteReason: "Needed",
							Version: v("RISK-2")})
						return err
					})
					if tc.edit != ok {
						if _, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "To close"}); err != nil {
							t.Fatal(err)
						}
					}
					list, _ := e.svc.Assessments(e.ctx, e.viewer())
					check("CloseAssessment", tc.accept, func() error {
						_, err := e.svc.CloseAssessment(e.ctx, &a, list[0].Ref, risk.CloseAssessmentRequest{})
						return err
					})
				})
			}
		}

		// Another organisation's owner finds nothing of this one.
		other := e.member(t, "Globex", "g@globex.example", "Gil Globex", aims.RoleOwner)
		servicetest.Unchanged(t, d, func() {
			nf := func(method string, err error) {
				t.Helper()
				if aims.CodeOf(err) != aims.CodeNotFound {
					t.Errorf("%s by another organisation: %v, want not found", method, err)
				}
			}
			_, err := e.svc.Get(e.ctx, other, "RISK-1")
			nf("Get", err)
			_, err = e.svc.History(e.ctx, other, "RISK-1")
			nf("History", err)
			_, err = e.svc.Update(e.ctx, other, "RISK-1", risk.UpdateRequest{Version: 1, Title: ptr("x")})
			nf("Update", err)
			_, err = e.svc.Assess(e.ctx, other, "RISK-1", risk.AssessRequest{Likelihood: 1, Impact: 1, Version: 1})
			if aims.CodeOf(err) != aims.CodeConflict { // Globex has no criteria: refused before looking.
				t.Errorf("Assess by another organisation: %v", err)
			}
			_, err = e.svc.SetTreatment(e.ctx, other, "RISK-1", risk.TreatmentRequest{Option: "avoid", Version: 1})
			nf("SetTreatment", err)
			_, err = e.svc.AddAction(e.ctx, other, "RISK-1", risk.AddActionRequest{Description: "x", Version: 1})
			nf("AddAction", err)
			_, err = e.svc.UpdateAction(e.ctx, other, "RISK-1", 1, risk.UpdateActionRequest{Status: ptr("done"), Version: 1})
			nf("UpdateAction", err)
			_, err = e.svc.Accept(e.ctx, other, "RISK-1", risk.AcceptRequest{Version: 1})
			nf("Accept", err)
			_, err = e.svc.Close(e.ctx, other, "RISK-1", risk.CloseRequest{Reason: "x", Version: 1})
			nf("Close", err)
			_, err = e.svc.Reopen(e.ctx, other, "RISK-1", risk.ReopenRequest{Version: 1})
			nf("Reopen", err)
			_, err = e.svc.Assessment(e.ctx, other, "RA-1")
			nf("Assessment", err)
			_, err = e.svc.CloseAssessment(e.ctx, other, "RA-3", risk.CloseAssessmentRequest{})
			nf("CloseAssessment", err)
			_, err = e.svc.CompareAssessments(e.ctx, other, "RA-1", "RA-2")
			nf("CompareAssessments", err)
			_, err = e.svc.ExportAssessment(e.ctx, other, "RA-1", "pdf")
			nf("ExportAssessment", err)
			_, err = e.svc.CriteriaVersion(e.ctx, other, 1)
			nf("CriteriaVersion", err)
			_, err = e.svc.Criteria(e.ctx, other)
			nf("Criteria", err)
			if p, err := e.svc.List(e.ctx, other, risk.ListQuery{Status: "all"}); err != nil || p.Total != 0 {
				t.Errorf("List by another organisation: %+v %v", p, err)
			}
			if o, err := e.svc.Overview(e.ctx, other); err != nil || o.Open != 0 || o.Inherent != nil {
				t.Errorf("Overview by another organisation: %+v %v", o, err)
			}
		})
	})
}
