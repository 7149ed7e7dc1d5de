package aisystem_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// fullRequest sets every field of a system.
func fullRequest(ownerID string) aisystem.CreateRequest {
	return aisystem.CreateRequest{Name: "Fraud detector", IntendedPurpose: "Flag suspicious payments",
		Description: "Trees", OwnerID: ownerID, AIRoles: []string{"provider"}, LifecycleStage: "deployment",
		EUAIActClass: "high", DeploymentContext: "Back office", AffectedStakeholders: []string{"Card holders"},
		AutomationLevel: "human_in_the_loop", HumanOversight: "Analyst review"}
}

func TestUpdatePartially(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		owner := e.as[aims.RoleOwner]
		s := e.create(t, fullRequest(owner.UserID))

		e.clock.Advance(time.Hour)
		contributor := e.as[aims.RoleContributor]
		got, err := e.svc.Update(e.ctx, contributor, "sys-1", aisystem.UpdateRequest{Version: 1,
			Description: ptr(" Gradient boosted trees "), LifecycleStage: ptr("deployment"),
			AIRoles: ptr([]string{"customer", "provider"}), OwnerID: ptr(contributor.UserID)})
		if err != nil {
			t.Fatal(err)
		}
		want := *s
		want.Description = "Gradient boosted trees"
		want.AIRoles = []string{"provider", "customer"}
		want.OwnerID, want.OwnerName = contributor.UserID, "Acme contributor"
		want.Version = 2
		want.UpdatedAt = t0.Add(time.Hour)
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("updated (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(&want, e.get(t, s.ID)); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Action != "ai_system.update" || !ev.Time.Equal(t0.Add(time.Hour)) ||
			ev.Actor != (tlog.EventActor{Kind: "user", ID: contributor.UserID, Label: contributor.Email}) ||
			ev.Object != (tlog.EventObject{Type: "ai_system", ID: s.ID, Ref: "SYS-1"}) {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"description": {`"Trees"`, `"Gradient boosted trees"`},
			"ai_roles":    {`["provider"]`, `["provider","customer"]`},
			"owner_id":    {servicetest.JSONString(owner.UserID), servicetest.JSONString(contributor.UserID)},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}

		// Clearing optional fields.
		e.clock.Advance(time.Hour)
		got, err = e.svc.Update(e.ctx, contributor, s.ID, aisystem.UpdateRequest{Version: 2,
			OwnerID: ptr(""), AffectedStakeholders: ptr([]string{}), HumanOversight: ptr("  ")})
		if err != nil {
			t.Fatal(err)
		}
		if got.OwnerID != "" || got.OwnerName != "" || len(got.AffectedStakeholders) != 0 || got.HumanOversight != "" || got.Version != 3 {
			t.Errorf("after clearing: %+v", got)
		}
		wantCh = map[string][2]string{
			"owner_id":              {servicetest.JSONString(contributor.UserID), `""`},
			"affected_stakeholders": {`["Card holders"]`, "[]"},
			"human_oversight":       {`"Analyst review"`, `""`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, e.d, e.org))); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}

		// A rename changes what search finds; a change of case only is allowed.
		for i, name := range []string{"Payment screening", "PAYMENT SCREENING"} {
			got, err = e.svc.Update(e.ctx, contributor, s.ID, aisystem.UpdateRequest{Version: 3 + i, Name: ptr(name)})
			if err != nil || got.Name != name {
				t.Fatalf("rename to %q: %+v, %v", name, got, err)
			}
		}
		if p := list(t, e, aisystem.ListQuery{Q: "fraud"}); len(p.Items) != 0 {
			t.Errorf("old name still found: %v", refs(p))
		}
		if p := list(t, e, aisystem.ListQuery{Q: "screening"}); !cmp.Equal(refs(p), []string{"SYS-1"}) {
			t.Errorf("new name found %v", refs(p))
		}
		want2 := []string{"ai_system.create", "ai_system.update", "ai_system.update", "ai_system.update", "ai_system.update"}
		if got := historyActions(t, e, "SYS-1"); !cmp.Equal(got, reversed(want2)) {
			t.Errorf("history = %q", got)
		}
	})
}

func TestUpdateRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		s := e.create(t, fullRequest(e.as[aims.RoleOwner].UserID))
		e.create(t, aisystem.CreateRequest{Name: "Chat assistant", IntendedPurpose: "P"})
		if _, err := e.svc.Update(e.ctx, e.as[aims.RoleOwner], s.ID, aisystem.UpdateRequest{Version: 1, Description: ptr("v2")}); err != nil {
			t.Fatal(err)
		}
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		tests := []struct {
			name   string
			key    string
			req    aisystem.UpdateRequest
			code   aims.Code
			fields []string
		}{
			{"stale version", "SYS-1", aisystem.UpdateRequest{Version: 1, Description: ptr("mine")}, aims.CodeConflict, []string{"version"}},
			{"future version", "SYS-1", aisystem.UpdateRequest{Version: 3, Description: ptr("mine")}, aims.CodeConflict, []string{"version"}},
			{"no version", "SYS-1", aisystem.UpdateRequest{Description: ptr("mine")}, aims.CodeConflict, []string{"version"}},
			{"empty name", "SYS-1", aisystem.UpdateRequest{Version: 2, Name: ptr(" ")}, aims.CodeInvalid, []string{"name"}},
			{"bad values", "SYS-1", aisystem.UpdateRequest{Version: 2, IntendedPurpose: ptr(""), LifecycleStage: ptr("done"),
				EUAIActClass: ptr(""), AIRoles: ptr([]string{"owner"}), Description: ptr(strings.Repeat("x", 10001))},
				aims.CodeInvalid, []string{"ai_roles", "description", "eu_ai_act_class", "intended_purpose", "lifecycle_stage"}},
			{"another stage", "SYS-1", aisystem.UpdateRequest{Version: 2, LifecycleStage: ptr("operation_and_monitoring")},
				aims.CodeInvalid, []string{"lifecycle_stage"}},
			{"another system's name", "SYS-1", aisystem.UpdateRequest{Version: 2, Name: ptr(" chat  ASSISTANT")}, aims.CodeConflict, []string{"name"}},
			{"owner not a member", "SYS-1", aisystem.UpdateRequest{Version: 2, OwnerID: ptr(outsider.UserID)}, aims.CodeInvalid, []string{"owner_id"}},
			{"owner not an id", "SYS-1", aisystem.UpdateRequest{Version: 2, OwnerID: ptr("olivia")}, aims.CodeInvalid, []string{"owner_id"}},
			{"unknown system", "SYS-9", aisystem.UpdateRequest{Version: 1, Description: ptr("x")}, aims.CodeNotFound, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					_, err := e.svc.Update(e.ctx, e.as[aims.RoleManager], tc.key, tc.req)
					servicetest.WantFields(t, err, tc.code, tc.fields...)
				})
			})
		}
		_, err := e.svc.Update(e.ctx, e.as[aims.RoleManager], "SYS-1", aisystem.UpdateRequest{Version: 1, Description: ptr("mine")})
		if msg := servicetest.WantCode(t, err, aims.CodeConflict).Fields[0].Message; msg != "is 2, not 1" {
			t.Errorf("version message = %q", msg)
		}
	})
}

func TestUpdateWithoutChangeKeepsTheVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		s := e.create(t, fullRequest(e.as[aims.RoleOwner].UserID))
		e.clock.Advance(time.Hour)
		for _, req := range []aisystem.UpdateRequest{
			{Version: 1},
			{Version: 1, Name: ptr("Fraud detector"), Description: ptr(" Trees "), AIRoles: ptr([]string{"provider", "provider"}),
				AffectedStakeholders: ptr([]string{" Card   holders ", "card holders", ""}), OwnerID: ptr(" " + s.OwnerID + " ")},
		} {
			servicetest.Unchanged(t, e.d, func() {
				got, err := e.svc.Update(e.ctx, e.as[aims.RoleContributor], "SYS-1", req)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(s, got); diff != "" {
					t.Errorf("after a no-op update (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestArchiveAndRestore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		s := e.create(t, fullRequest(""))
		manager := e.as[aims.RoleManager]

		e.clock.Advance(time.Hour)
		got, err := e.svc.Archive(e.ctx, manager, "SYS-1")
		if err != nil {
			t.Fatal(err)
		}
		archivedAt := t0.Add(time.Hour)
		want := *s
		want.Status, want.ArchivedAt, want.Version, want.UpdatedAt = "archived", &archivedAt, 2, archivedAt
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("archived (-want +got):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Action != "ai_system.archive" || ev.Object != (tlog.EventObject{Type: "ai_system", ID: s.ID, Ref: "SYS-1"}) ||
			ev.Actor.ID != manager.UserID || !cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"status": {`"active"`, `"archived"`}}) {
			t.Errorf("event = %+v", ev)
		}

		// Archiving again changes nothing; an archived system cannot be updated.
		e.clock.Advance(time.Hour)
		servicetest.Unchanged(t, e.d, func() {
			again, err := e.svc.Archive(e.ctx, manager, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&want, again); diff != "" {
				t.Errorf("archived twice (-want +got):\n%s", diff)
			}
			_, err = e.svc.Update(e.ctx, manager, "SYS-1", aisystem.UpdateRequest{Version: 2, Description: ptr("x")})
			servicetest.WantFields(t, err, aims.CodeConflict)
		})

		got, err = e.svc.Restore(e.ctx, manager, "SYS-1")
		if err != nil {
			t.Fatal(err)
		}
		want.Status, want.ArchivedAt, want.Version, want.UpdatedAt = "active", nil, 3, t0.Add(2*time.Hour)
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("restored (-want +got):\n%s", diff)
		}
		ev = servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Action != "ai_system.restore" || !cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"status": {`"archived"`, `"active"`}}) {
			t.Errorf("event = %+v", ev)
		}
		servicetest.Unchanged(t, e.d, func() {
			if _, err := e.svc.Restore(e.ctx, manager, "SYS-1"); err != nil {
				t.Fatal(err)
			}
		})
		// After restoring, it can be updated again from its new version.
		if _, err := e.svc.Update(e.ctx, manager, "SYS-1", aisystem.UpdateRequest{Version: 3, Description: ptr("x")}); err != nil {
			t.Errorf("update after restore: %v", err)
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Archive(e.ctx, manager, "SYS-2")
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
	})
}

func TestHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		owner := e.as[aims.RoleOwner]
		s := e.create(t, aisystem.CreateRequest{Name: "One", IntendedPurpose: "P"})
		e.create(t, aisystem.CreateRequest{Name: "Two", IntendedPurpose: "P"})
		if _, err := e.svc.Update(e.ctx, owner, "SYS-1", aisystem.UpdateRequest{Version: 1, Description: ptr("d")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Archive(e.ctx, owner, "SYS-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Archive(e.ctx, owner, "SYS-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Restore(e.ctx, owner, "SYS-1"); err != nil {
			t.Fatal(err)
		}
		hist, err := e.svc.History(e.ctx, e.as[aims.RoleViewer], "sys-1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, ev := range hist {
			got = append(got, ev.Action)
			if ev.Object.ID != s.ID || ev.Object.Ref != "SYS-1" {
				t.Errorf("history holds an event about %+v", ev.Object)
			}
			if i > 0 && ev.Index >= hist[i-1].Index {
				t.Errorf("history is not newest first: %d after %d", ev.Index, hist[i-1].Index)
			}
		}
		want := []string{"ai_system.restore", "ai_system.archive", "ai_system.update", "ai_system.create"}
		if !cmp.Equal(got, want) {
			t.Errorf("history = %q, want %q", got, want)
		}
		_, err = e.svc.History(e.ctx, e.as[aims.RoleViewer], "SYS-3")
		servicetest.WantCode(t, err, aims.CodeNotFound)
	})
}

func historyActions(t *testing.T, e *env, key string) []string {
	t.Helper()
	hist, err := e.svc.History(e.ctx, e.as[aims.RoleViewer], key)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range hist {
		out = append(out, ev.Action)
	}
	return out
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[len(s)-1-i] = x
	}
	return out
}

// TestOwnerWhoLeftDoesNotBlockUpdates: when a system's owner leaves the
// organisation, other fields can still change; a new owner must be a member.
func TestOwnerWhoLeftDoesNotBlockUpdates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		leaver := e.as[aims.RoleContributor]
		s := e.create(t, aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "P", OwnerID: leaver.UserID})
		if err := e.ids.RemoveMember(e.ctx, e.as[aims.RoleOwner], leaver.UserID); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Update(e.ctx, e.as[aims.RoleManager], s.Ref, aisystem.UpdateRequest{Version: 1, Description: ptr("still owned by the leaver")})
		if err != nil {
			t.Fatalf("update of a system whose owner left: %v", err)
		}
		if got.OwnerID != leaver.UserID || got.Version != 2 {
			t.Errorf("owner %q version %d", got.OwnerID, got.Version)
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Update(e.ctx, e.as[aims.RoleManager], s.Ref, aisystem.UpdateRequest{Version: 2, OwnerID: ptr(aims.NewID())})
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id")
		})
	})
}
