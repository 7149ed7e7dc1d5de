package aisystem_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

func TestCreateWithDefaults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		contributor := e.as[aims.RoleContributor]
		s, err := e.svc.Create(e.ctx, contributor, aisystem.CreateRequest{Name: "  Loan   scoring ", IntendedPurpose: " Rank applications "})
		if err != nil {
			t.Fatal(err)
		}
		want := &aisystem.System{ID: s.ID, Ref: "SYS-1", Name: "Loan   scoring", IntendedPurpose: "Rank applications",
			AIRoles: []string{}, LifecycleStage: "inception", EUAIActClass: "not_classified",
			AffectedStakeholders: []string{}, AutomationLevel: "not_assessed", Status: "active", Version: 1,
			CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, s); diff != "" || !aims.ValidID(s.ID) {
			t.Errorf("created (-want +got):\n%s", diff)
		}

		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Action != "ai_system.create" || !ev.Time.Equal(t0) ||
			ev.Actor != (tlog.EventActor{Kind: "user", ID: contributor.UserID, Label: contributor.Email}) ||
			ev.Object != (tlog.EventObject{Type: aisystem.ObjectType, ID: s.ID, Ref: "SYS-1"}) {
			t.Errorf("event = %+v", ev)
		}
		// Every field set is recorded as created; fields left empty may be
		// recorded or left out, but only as empty values.
		wantSet := map[string][2]string{
			"ref":              {"null", `"SYS-1"`},
			"name":             {"null", `"Loan   scoring"`},
			"intended_purpose": {"null", `"Rank applications"`},
			"lifecycle_stage":  {"null", `"inception"`},
			"eu_ai_act_class":  {"null", `"not_classified"`},
			"automation_level": {"null", `"not_assessed"`},
			"status":           {"null", `"active"`},
		}
		gotSet := map[string][2]string{}
		for f, c := range servicetest.ChangeMap(t, ev) {
			switch {
			case wantSet[f] != [2]string{}:
				gotSet[f] = c
			case c[0] != "null" || (c[1] != `""` && c[1] != "[]"):
				t.Errorf("unexpected change %s: %s → %s", f, c[0], c[1])
			}
		}
		if diff := cmp.Diff(wantSet, gotSet); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}

		e.clock.Advance(time.Minute)
		s2 := e.create(t, aisystem.CreateRequest{Name: "Chat assistant", IntendedPurpose: "Answer questions"})
		if s2.Ref != "SYS-2" || s2.Version != 1 || !s2.CreatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("second system = %+v", s2)
		}
		// References are per organisation.
		other := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		s3, err := e.svc.Create(e.ctx, other, aisystem.CreateRequest{Name: "Loan scoring", IntendedPurpose: "Theirs"})
		if err != nil || s3.Ref != "SYS-1" {
			t.Errorf("system of another organisation = %+v, %v; want SYS-1", s3, err)
		}
		if got := servicetest.RowsOf(t, d, `SELECT org_id, kind, last FROM refs WHERE org_id = ?`, e.org); !cmp.Equal(got, []string{"org_id=" + e.org + " kind=SYS last=2"}) {
			t.Errorf("refs = %q", got)
		}
	})
}

func TestCreateWithEveryField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		owner := e.as[aims.RoleManager]
		s := e.create(t, aisystem.CreateRequest{
			Name:                 "Fraud detector",
			IntendedPurpose:      "Flag suspicious payments for review",
			Description:          "  Gradient boosted trees over payment features.\n",
			OwnerID:              " " + owner.UserID + " ",
			AIRoles:              []string{"customer", " provider ", "", "customer"},
			LifecycleStage:       "operation_and_monitoring",
			EUAIActClass:         "high",
			DeploymentContext:    "Payments back office, EU",
			AffectedStakeholders: []string{"  Card   holders ", "card holders", "", "Merchants"},
			AutomationLevel:      "human_in_the_loop",
			HumanOversight:       "An analyst reviews every flag.",
		})
		want := &aisystem.System{ID: s.ID, Ref: "SYS-1", Name: "Fraud detector",
			IntendedPurpose: "Flag suspicious payments for review", Description: "Gradient boosted trees over payment features.",
			OwnerID: owner.UserID, OwnerName: "Acme manager",
			AIRoles:        []string{"provider", "customer"}, // in the standard's order
			LifecycleStage: "operation_and_monitoring", EUAIActClass: "high", DeploymentContext: "Payments back office, EU",
			AffectedStakeholders: []string{"Card holders", "Merchants"}, AutomationLevel: "human_in_the_loop",
			HumanOversight: "An analyst reviews every flag.", Status: "active", Version: 1, CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("created (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, e.get(t, s.ID)); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		wantCh := map[string][2]string{
			"ref":                   {"null", `"SYS-1"`},
			"name":                  {"null", `"Fraud detector"`},
			"intended_purpose":      {"null", `"Flag suspicious payments for review"`},
			"description":           {"null", `"Gradient boosted trees over payment features."`},
			"owner_id":              {"null", servicetest.JSONString(owner.UserID)},
			"ai_roles":              {"null", `["provider","customer"]`},
			"lifecycle_stage":       {"null", `"operation_and_monitoring"`},
			"eu_ai_act_class":       {"null", `"high"`},
			"deployment_context":    {"null", `"Payments back office, EU"`},
			"affected_stakeholders": {"null", `["Card holders","Merchants"]`},
			"automation_level":      {"null", `"human_in_the_loop"`},
			"human_oversight":       {"null", `"An analyst reviews every flag."`},
			"status":                {"null", `"active"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, e.d, e.org))); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
	})
}

func TestCreateValidates(t *testing.T) {
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("group %d", i)
		}
		return out
	}
	ok := aisystem.CreateRequest{Name: "N", IntendedPurpose: "P"}
	tests := []struct {
		name   string
		change func(r *aisystem.CreateRequest)
		fields []string
	}{
		{"everything wrong at once", func(r *aisystem.CreateRequest) {
			*r = aisystem.CreateRequest{Name: "  ", IntendedPurpose: "", Description: strings.Repeat("d", 10001),
				OwnerID: "not-a-user", AIRoles: []string{"provider", "vendor"}, LifecycleStage: "launch",
				EUAIActClass: "high-risk", DeploymentContext: "nul\x00here", AffectedStakeholders: many(51),
				AutomationLevel: "full", HumanOversight: strings.Repeat("h", 10001)}
		}, []string{"affected_stakeholders", "ai_roles", "automation_level", "deployment_context", "description",
			"eu_ai_act_class", "human_oversight", "intended_purpose", "lifecycle_stage", "name", "owner_id"}},
		{"empty name and purpose", func(r *aisystem.CreateRequest) { r.Name, r.IntendedPurpose = "", "\n\t" }, []string{"intended_purpose", "name"}},
		{"name too long", func(r *aisystem.CreateRequest) { r.Name = strings.Repeat("ä", 201) }, []string{"name"}},
		{"purpose too long", func(r *aisystem.CreateRequest) { r.IntendedPurpose = strings.Repeat("p", 2001) }, []string{"intended_purpose"}},
		{"NUL in the name", func(r *aisystem.CreateRequest) { r.Name = "a\x00b" }, []string{"name"}},
		{"enumerations in the wrong case", func(r *aisystem.CreateRequest) {
			r.LifecycleStage, r.EUAIActClass, r.AutomationLevel, r.AIRoles = "Inception", "HIGH", "Autonomous", []string{"Provider"}
		}, []string{"ai_roles", "automation_level", "eu_ai_act_class", "lifecycle_stage"}},
		{"a stakeholder group too long", func(r *aisystem.CreateRequest) {
			r.AffectedStakeholders = []string{"ok", strings.Repeat("g", 201)}
		}, []string{"affected_stakeholders"}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				req := ok
				tc.change(&req)
				servicetest.Unchanged(t, e.d, func() {
					_, err := e.svc.Create(e.ctx, e.as[aims.RoleOwner], req)
					servicetest.WantFields(t, err, aims.CodeInvalid, tc.fields...)
				})
			})
		}
		// The limits themselves are allowed, counted in characters.
		dup := append(many(50), many(50)...)
		s := e.create(t, aisystem.CreateRequest{Name: strings.Repeat("ä", 200), IntendedPurpose: strings.Repeat("€", 2000),
			Description: strings.Repeat("d", 10000), AffectedStakeholders: dup})
		if s.Ref != "SYS-1" || len(s.AffectedStakeholders) != 50 {
			t.Errorf("system at the limits: %s with %d groups", s.Ref, len(s.AffectedStakeholders))
		}
	})
}

func TestCreateChecksTheOwner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.create(t, aisystem.CreateRequest{Name: "First", IntendedPurpose: "P"})
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		for _, id := range []string{outsider.UserID, aims.NewID()} {
			servicetest.Unchanged(t, e.d, func() {
				_, err := e.svc.Create(e.ctx, e.as[aims.RoleOwner], aisystem.CreateRequest{Name: "Second", IntendedPurpose: "P", OwnerID: id})
				servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id")
			})
		}
		// An invited member who has not signed in yet may own a system.
		m, _, err := e.ids.AddMember(e.ctx, e.as[aims.RoleOwner], identity.AddMemberRequest{Email: "ivy@acme.example", Name: "Ivy", Role: aims.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		s := e.create(t, aisystem.CreateRequest{Name: "Second", IntendedPurpose: "P", OwnerID: m.UserID})
		if s.Ref != "SYS-2" || s.OwnerID != m.UserID || s.OwnerName != "Ivy" {
			t.Errorf("system = %+v", s)
		}
	})
}

func TestCreateRefusesADuplicateName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.create(t, aisystem.CreateRequest{Name: "Loan Scoring", IntendedPurpose: "P"})
		for _, name := range []string{"Loan Scoring", "loan scoring", "  LOAN \t SCORING  "} {
			servicetest.Unchanged(t, e.d, func() {
				_, err := e.svc.Create(e.ctx, e.as[aims.RoleOwner], aisystem.CreateRequest{Name: name, IntendedPurpose: "P"})
				servicetest.WantFields(t, err, aims.CodeConflict, "name")
			})
		}
		// An archived system keeps its name.
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "SYS-1"); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Create(e.ctx, e.as[aims.RoleOwner], aisystem.CreateRequest{Name: "loan scoring", IntendedPurpose: "P"})
			servicetest.WantFields(t, err, aims.CodeConflict, "name")
		})
		// No reference was used up by the refusals.
		if s := e.create(t, aisystem.CreateRequest{Name: "Loan scoring 2", IntendedPurpose: "P"}); s.Ref != "SYS-2" {
			t.Errorf("next reference = %s, want SYS-2", s.Ref)
		}
	})
}

func TestGet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		s1 := e.create(t, aisystem.CreateRequest{Name: "One", IntendedPurpose: "P"})
		e.create(t, aisystem.CreateRequest{Name: "Two", IntendedPurpose: "P"})
		for _, key := range []string{s1.ID, strings.ToUpper(s1.ID), "SYS-1", "sys-1", " Sys-1 "} {
			got, err := e.svc.Get(e.ctx, e.as[aims.RoleViewer], key)
			if err != nil {
				t.Errorf("Get(%q): %v", key, err)
				continue
			}
			if diff := cmp.Diff(s1, got); diff != "" {
				t.Errorf("Get(%q) (-want +got):\n%s", key, diff)
			}
		}
		for _, key := range []string{"SYS-3", "SYS-01", "SYS1", "", aims.NewID(), "1"} {
			_, err := e.svc.Get(e.ctx, e.as[aims.RoleViewer], key)
			servicetest.WantCode(t, err, aims.CodeNotFound)
		}
		_, err := e.svc.Get(e.ctx, nil, "SYS-1")
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}
