package risk_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// hiring is a risk of a hiring-screening system with every field set.
func hiring(ownerID string) risk.CreateRequest {
	return risk.CreateRequest{Title: "Screening rejects qualified women", Description: "The CV ranking model learnt from past hires.",
		Systems: []string{"sys-1"}, RiskSource: "c.3.4", Objectives: []string{"C.2.5", "Hire the best people", "c.2.5"},
		ConsequencesOrganisation: "Discrimination claims; fines.", ConsequencesIndividuals: "Applicants are unfairly rejected.",
		ConsequencesSociety: "Less diverse workplaces.", OwnerID: ownerID}
}

func TestCreateAndGet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		manager := e.manager()
		r := e.create(t, hiring(strings.ToUpper(manager.UserID)))
		want := &risk.Risk{ID: r.ID, Ref: "RISK-1", Title: "Screening rejects qualified women",
			Description:              "The CV ranking model learnt from past hires.",
			Systems:                  []risk.SystemRef{{ID: sys.ID, Ref: "SYS-1", Name: "Hiring screening"}},
			RiskSource:               risk.Named{Value: "C.3.4", Title: "Risk sources related to machine learning"},
			Objectives:               []risk.Named{{Value: "C.2.5", Title: "Fairness"}, {Value: "Hire the best people"}},
			ConsequencesOrganisation: "Discrimination claims; fines.", ConsequencesIndividuals: "Applicants are unfairly rejected.",
			ConsequencesSociety: "Less diverse workplaces.", OwnerID: manager.UserID, OwnerName: "Max Manager", Status: "identified",
			Treatment: risk.Treatment{Controls: []risk.ControlInfo{}, Actions: []risk.Action{}}, Impacts: []risk.ImpactRef{},
			Version: 1, CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("created (-want +got):\n%s", diff)
		}
		ev := e.lastEvent(t)
		if ev.Action != "risk.create" || ev.Object != (tlog.EventObject{Type: "risk", ID: r.ID, Ref: "RISK-1"}) || ev.Actor.ID != e.contributor().UserID {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"title": {"null", js("Screening rejects qualified women")}, "description": {"null", js("The CV ranking model learnt from past hires.")},
			"systems": {"null", `["SYS-1"]`}, "risk_source": {"null", `"C.3.4"`}, "objectives": {"null", `["C.2.5","Hire the best people"]`},
			"consequences_organisation": {"null", js("Discrimination claims; fines.")},
			"consequences_individuals":  {"null", js("Applicants are unfairly rejected.")},
			"consequences_society":      {"null", js("Less diverse workplaces.")},
			"owner_id":                  {"null", js(manager.UserID)}, "status": {"null", `"identified"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("create changes (-want +got):\n%s", diff)
		}
		// Get adds the impacts that inform the risk; Lookup finds it by id or reference.
		e.sources.setImpacts(r.ID, risk.ImpactRef{AssessmentRef: "IA-1", ImpactID: "x", Summary: "Women rejected", SystemRef: "SYS-1"})
		if got := e.get(t, "risk-1"); len(got.Impacts) != 1 || got.Impacts[0].Summary != "Women rejected" {
			t.Errorf("impacts = %+v", got.Impacts)
		}
		for _, key := range []string{r.ID, "RISK-1", " risk-1 "} {
			if got, err := e.svc.Lookup(e.ctx, e.org, key); err != nil || got.ID != r.ID {
				t.Errorf("Lookup %q = %v", key, err)
			}
		}
		if _, err := e.svc.Lookup(e.ctx, e.org, "RISK-2"); aims.CodeOf(err) != aims.CodeNotFound {
			t.Errorf("Lookup RISK-2: %v", err)
		}
		// A minimal risk: a title is enough.
		r2 := e.create(t, risk.CreateRequest{Title: "Chatbot gives wrong advice"})
		if r2.Ref != "RISK-2" || r2.RiskSource.Value != "" || len(r2.Objectives) != 0 || len(r2.Systems) != 0 || r2.OwnerID != "" {
			t.Errorf("minimal = %+v", r2)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		other := e.member(t, "Globex", "g@globex.example", "Gil Globex", aims.RoleOwner)
		bad := risk.CreateRequest{Title: " ", Description: strings.Repeat("d", 10001), Systems: []string{"SYS-1", "SYS-9", "nope"},
			RiskSource: "C.2.5", Objectives: []string{"C.3.1"}, ConsequencesOrganisation: strings.Repeat("o", 10001),
			ConsequencesIndividuals: strings.Repeat("i", 10001), ConsequencesSociety: strings.Repeat("s", 10001), OwnerID: other.UserID}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Create(e.ctx, e.contributor(), bad)
			servicetest.WantFields(t, err, aims.CodeInvalid, "consequences_individuals", "consequences_organisation",
				"consequences_society", "description", "objectives", "owner_id", "risk_source", "systems", "title")
			ae := aims.AsError(err)
			msgs := map[string]string{}
			for _, f := range ae.Fields {
				msgs[f.Field] = f.Message
			}
			if msgs["systems"] != "must name AI systems of this organisation: SYS-9, nope is not one" ||
				msgs["risk_source"] != "must be one of Annex C's risk source (C.3.x) ids, or own words: C.2.5 is not" ||
				msgs["owner_id"] != "is not a member of this organisation" {
				t.Errorf("messages = %q", msgs)
			}
			// Another organisation's system is not one of ours.
			_, err = e.svc.Create(e.ctx, other, risk.CreateRequest{Title: "x", Systems: []string{"SYS-1"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "systems")
			_, err = e.svc.Create(e.ctx, e.contributor(), risk.CreateRequest{Title: "x", OwnerID: "not-an-id", RiskSource: strings.Repeat("s", 501)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id", "risk_source")
		})
	})
}

func TestUpdateCloseReopen(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		e.system(t, "Chat assistant")
		r := e.create(t, hiring(""))
		e.clock.Advance(time.Minute)
		up, err := e.svc.Update(e.ctx, e.contributor(), "RISK-1", risk.UpdateRequest{Version: 1, Title: ptr("Screening rejects qualified applicants"),
			Systems: &[]string{"SYS-2", "SYS-1"}, Objectives: &[]string{}, OwnerID: ptr(e.owner().UserID)})
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || up.Title != "Screening rejects qualified applicants" || len(up.Systems) != 2 || up.Systems[1].Ref != "SYS-2" ||
			len(up.Objectives) != 0 || up.OwnerName != "Zoë Owner" || up.Description != r.Description || !up.UpdatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("updated = %+v", up)
		}
		ev := e.lastEvent(t)
		wantCh := map[string][2]string{
			"title":      {js("Screening rejects qualified women"), js("Screening rejects qualified applicants")},
			"systems":    {`["SYS-1"]`, `["SYS-1","SYS-2"]`},
			"objectives": {`["C.2.5","Hire the best people"]`, `[]`},
			"owner_id":   {`""`, js(e.owner().UserID)},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "risk.update" {
			t.Errorf("update %s changes (-want +got):\n%s", ev.Action, diff)
		}
		// Nothing changed: no version, no event.
		servicetest.Unchanged(t, d, func() {
			same, err := e.svc.Update(e.ctx, e.contributor(), "RISK-1", risk.UpdateRequest{Version: 2, Title: ptr(" Screening rejects qualified applicants ")})
			if err != nil || same.Version != 2 {
				t.Errorf("no-op update: %v %+v", err, same)
			}
		})
		// A stale version, bad fields and roles that may not edit.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.contributor(), "RISK-1", risk.UpdateRequest{Version: 1, Title: ptr("Old")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.Update(e.ctx, e.contributor(), "RISK-1", risk.UpdateRequest{Version: 2, Title: ptr(""), Systems: &[]string{"SYS-7"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "systems", "title")
			_, err = e.svc.Update(e.ctx, e.as[aims.RoleAuditor], "RISK-1", risk.UpdateRequest{Version: 2, Title: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Update(e.ctx, e.contributor(), "RISK-9", risk.UpdateRequest{Version: 1, Title: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})

		// Closing needs a reason; a closed risk changes only by reopening.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Close(e.ctx, e.contributor(), "RISK-1", risk.CloseRequest{Version: 2})
			servicetest.WantFields(t, err, aims.CodeInvalid, "reason")
			_, err = e.svc.Reopen(e.ctx, e.contributor(), "RISK-1", risk.ReopenRequest{Version: 2})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		closed, err := e.svc.Close(e.ctx, e.contributor(), "RISK-1", risk.CloseRequest{Reason: "The system was retired.", Version: 2})
		if err != nil || closed.Status != "closed" || closed.ClosedReason != "The system was retired." || closed.Version != 3 {
			t.Fatalf("closed = %+v, %v", closed, err)
		}
		if diff := cmp.Diff(map[string][2]string{"closed_reason": {"null", js("The system was retired.")},
			"status": {`"identified"`, `"closed"`}}, servicetest.ChangeMap(t, e.lastEvent(t))); diff != "" {
			t.Errorf("close changes (-want +got):\n%s", diff)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.contributor(), "RISK-1", risk.UpdateRequest{Version: 3, Title: ptr("x")})
			if ae := servicetest.WantCode(t, err, aims.CodeConflict); !strings.Contains(ae.Message, "RISK-1 is closed: reopen it before changing it") {
				t.Errorf("message %q", ae.Message)
			}
		})
		reopened, err := e.svc.Reopen(e.ctx, e.contributor(), "RISK-1", risk.ReopenRequest{Version: 3})
		if err != nil || reopened.Status != "identified" || reopened.ClosedReason != "" {
			t.Fatalf("reopened = %+v, %v", reopened, err)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-4:], []string{"risk.create", "risk.update", "risk.close", "risk.reopen"}) {
			t.Errorf("actions = %q", got)
		}
		hist, err := e.svc.History(e.ctx, e.viewer(), "RISK-1")
		if err != nil || len(hist) != 4 || hist[0].Action != "risk.reopen" || hist[3].Action != "risk.create" {
			t.Errorf("history = %d %v", len(hist), err)
		}
	})
}

// TestCreateTx records a risk inside another capability's transaction: it
// commits and rolls back with it.
func TestCreateTx(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		var got *risk.Risk
		err := d.WithTx(e.ctx, func(tx *db.Tx) error {
			var err error
			got, err = e.svc.CreateTx(e.ctx, tx, e.contributor(), risk.CreateRequest{Title: "From an impact", Systems: []string{sys.ID},
				ConsequencesIndividuals: "Rejected unfairly."})
			return err
		})
		if err != nil || got.Ref != "RISK-1" || got.Systems[0].Ref != "SYS-1" || got.ConsequencesIndividuals != "Rejected unfairly." {
			t.Fatalf("CreateTx = %+v, %v", got, err)
		}
		if ev := e.lastEvent(t); ev.Action != "risk.create" || ev.Object.Ref != "RISK-1" {
			t.Errorf("event = %+v", ev)
		}
		// The caller's failure takes the risk and its event away.
		servicetest.Unchanged(t, d, func() {
			err := d.WithTx(e.ctx, func(tx *db.Tx) error {
				if _, err := e.svc.CreateTx(e.ctx, tx, e.contributor(), risk.CreateRequest{Title: "Rolled back"}); err != nil {
					return err
				}
				return errors.New("the impact could not be stored")
			})
			if err == nil {
				t.Fatal("no error")
			}
		})
		// The actor is authorised, and the request checked.
		err = d.WithTx(e.ctx, func(tx *db.Tx) error {
			_, err := e.svc.CreateTx(e.ctx, tx, e.viewer(), risk.CreateRequest{Title: "x"})
			return err
		})
		servicetest.WantCode(t, err, aims.CodeForbidden)
		err = d.WithTx(e.ctx, func(tx *db.Tx) error {
			_, err := e.svc.CreateTx(e.ctx, tx, e.contributor(), risk.CreateRequest{})
			return err
		})
		servicetest.WantFields(t, err, aims.CodeInvalid, "title")
	})
}

func TestList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		e.system(t, "Hiring screening")
		e.system(t, "Chat assistant")
		a := e.assess(t, e.create(t, risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}, RiskSource: "C.3.4"}), 3, 2)
		b := e.assess(t, e.create(t, risk.CreateRequest{Title: "Wrong advice", Systems: []string{"SYS-2"}, OwnerID: e.owner().UserID}), 4, 4)
		e.treat(t, b, risk.TreatmentRequest{Option: "modify", Controls: []string{"a.9.3"}, ResidualLikelihood: 2, ResidualImpact: 2})
		c := e.create(t, risk.CreateRequest{Title: "Data leak through prompts", Description: "Users paste personal data."})
		if _, err := e.svc.Close(e.ctx, e.contributor(), c.Ref, risk.CloseRequest{Reason: "Duplicate", Version: 1}); err != nil {
			t.Fatal(err)
		}
		refs := func(q risk.ListQuery) []string {
			t.Helper()
			p, err := e.svc.List(e.ctx, e.viewer(), q)
			if err != nil {
				t.Fatalf("List %+v: %v", q, err)
			}
			out := []string{}
			for _, r := range p.Items {
				out = append(out, r.Ref)
			}
			return out
		}
		for _, tc := range []struct {
			q    risk.ListQuery
			want []string
		}{
			{risk.ListQuery{}, []string{"RISK-1", "RISK-2"}},
			{risk.ListQuery{Status: "all"}, []string{"RISK-1", "RISK-2", "RISK-3"}},
			{risk.ListQuery{Status: "closed"}, []string{"RISK-3"}},
			{risk.ListQuery{Status: "treated"}, []string{"RISK-2"}},
			{risk.ListQuery{Inherent: "3-2"}, []string{"RISK-1"}},
			{risk.ListQuery{Residual: "2-2"}, []string{"RISK-2"}},
			{risk.ListQuery{Level: "medium"}, []string{"RISK-1", "RISK-2"}},
			{risk.ListQuery{Level: "critical"}, []string{}},
			{risk.ListQuery{System: "sys-2"}, []string{"RISK-2"}},
			{risk.ListQuery{OwnerID: e.owner().UserID}, []string{"RISK-2"}},
			{risk.ListQuery{Control: "A.9.3"}, []string{"RISK-2"}},
			{risk.ListQuery{NoControls: true}, []string{"RISK-1"}},
			{risk.ListQuery{Q: "PERSONAL data", Status: "all"}, []string{"RISK-3"}},
			{risk.ListQuery{Q: "c.3.4"}, []string{"RISK-1"}},
			{risk.ListQuery{Sort: "-inherent"}, []string{"RISK-2", "RISK-1"}},
			{risk.ListQuery{Sort: "-ref", Limit: 1}, []string{"RISK-2"}},
			{risk.ListQuery{Sort: "title", Status: "all", Offset: 1}, []string{"RISK-1", "RISK-2"}},
		} {
			if got := refs(tc.q); !cmp.Equal(tc.want, got) {
				t.Errorf("%+v = %v, want %v", tc.q, got, tc.want)
			}
		}
		p, _ := e.svc.List(e.ctx, e.viewer(), risk.ListQuery{Limit: 1})
		if p.Total != 2 || p.Limit != 1 || p.CriteriaVersion != 1 || p.Items[0].Inherent.Level != "medium" {
			t.Errorf("page = %+v", p)
		}
		_, err := e.svc.List(e.ctx, e.viewer(), risk.ListQuery{Status: "gone", Inherent: "3x2", Residual: "0-1", Sort: "size", Limit: 500, Offset: -1})
		servicetest.WantFields(t, err, aims.CodeInvalid, "inherent", "limit", "offset", "residual", "sort", "status")
		_, err = e.svc.List(e.ctx, e.viewer(), risk.ListQuery{System: "SYS-9"})
		servicetest.WantCode(t, err, aims.CodeNotFound)
		// Another organisation sees none of these.
		other := e.member(t, "Globex", "g@globex.example", "Gil Globex", aims.RoleOwner)
		if p, err := e.svc.List(e.ctx, other, risk.ListQuery{Status: "all"}); err != nil || p.Total != 0 {
			t.Errorf("Globex lists %+v, %v", p, err)
		}
		_, err = e.svc.Get(e.ctx, other, "RISK-1")
		servicetest.WantCode(t, err, aims.CodeNotFound)
		_ = a
	})
}
