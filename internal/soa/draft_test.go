package soa_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

func TestEmptyDraftListsEveryControl(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if _, err := e.catalog.CreateControl(e.ctx, e.owner(), catalog.ControlRequest{Title: "Model registry", Asks: "Keep one."}); err != nil {
			t.Fatal(err)
		}
		e.sources.setEvidence("A.2.2", soa.EvidenceRef{Ref: "EV-1", Title: "AI policy v3"})
		dr := e.draft(t)
		if dr.Organisation != orgName || dr.Scope != "" || dr.ScopeVersion != 0 || dr.UpdatedAt != nil || dr.LatestVersion != 0 ||
			dr.Total != 39 || dr.Decided != 0 || dr.Applicable != 0 || !dr.ScopeMissing || len(dr.Blockers) != 39 {
			t.Fatalf("empty draft = %+v", dr)
		}
		want := soa.Entry{ControlID: "A.2.2", CategoryID: "A.2", CategoryTitle: "Policies related to AI", Title: "AI policy",
			Overrides: []soa.Override{}, Evidence: []soa.EvidenceRef{{Ref: "EV-1", Title: "AI policy v3"}}, Risks: []soa.RiskRef{}}
		if diff := cmp.Diff(want, dr.Entries[0]); diff != "" {
			t.Errorf("first entry (-want +got):\n%s", diff)
		}
		if last := dr.Entries[38]; last.ControlID != "CTL-1" || !last.Custom || last.Title != "Model registry" || last.CategoryTitle != "" {
			t.Errorf("own control = %+v", last)
		}
		if dr.Entries[37].ControlID != "A.10.4" || dr.Blockers[0] != "A.2.2" || dr.Blockers[38] != "CTL-1" {
			t.Errorf("order: %s … %v", dr.Entries[37].ControlID, dr.Blockers)
		}
		// Reading changes nothing, not even a draft row.
		if n := servicetest.Count(t, d, `SELECT count(*) FROM soa_drafts`); n != 0 {
			t.Errorf("%d draft rows after reading", n)
		}
	})
}

func TestSetEntry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		contributor, manager := e.as[aims.RoleContributor], e.as[aims.RoleManager]
		e.clock.Advance(time.Hour)
		got, err := e.svc.SetEntry(e.ctx, contributor, "a.6.2.4", "", soa.EntryRequest{Applicable: ptr(true),
			Justification: "  We build and test models.  ", Status: "planned", OwnerID: manager.UserID, TargetDate: "2026-09-30"})
		if err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Hour)
		dec := &soa.Decision{Applicable: true, Justification: "We build and test models.", Status: "planned",
			OwnerID: manager.UserID, OwnerName: "Max Manager", TargetDate: "2026-09-30", Version: 1, UpdatedAt: at,
			UpdatedBy: contributor.UserID, UpdatedByName: "Carla Contributor"}
		want := soa.Entry{ControlID: "A.6.2.4", CategoryID: "A.6", CategoryTitle: "AI system life cycle", Title: "AI system verification and validation",
			Decision: dec, Overrides: []soa.Override{}, Evidence: []soa.EvidenceRef{}, Risks: []soa.RiskRef{}}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("set (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, entry(t, e.draft(t).Entries, "A.6.2.4")); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Action != "soa.entry_set" || !ev.Time.Equal(at) ||
			ev.Actor != (tlog.EventActor{Kind: "user", ID: contributor.UserID, Label: contributor.Email}) ||
			ev.Object != (tlog.EventObject{Type: "soa_entry", ID: "A.6.2.4", Ref: "A.6.2.4"}) {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"applicable":    {"null", "true"},
			"justification": {"null", `"We build and test models."`},
			"status":        {"null", `"planned"`},
			"owner_id":      {"null", servicetest.JSONString(manager.UserID)},
			"target_date":   {"null", `"2026-09-30"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		dr := e.draft(t)
		if dr.Decided != 1 || dr.Applicable != 1 || dr.UpdatedAt == nil || !dr.UpdatedAt.Equal(at) || dr.ScopeVersion != 0 {
			t.Errorf("draft after one decision: %+v", dr)
		}

		// A change records only what changed; the same request again changes nothing.
		e.clock.Advance(time.Hour)
		req := excluded("We buy every model; the supplier verifies it.")
		req.Version = 1
		req.OwnerID = manager.UserID
		req.TargetDate = "2026-09-30"
		got, err = e.svc.SetEntry(e.ctx, manager, "A.6.2.4", "", req)
		if err != nil {
			t.Fatal(err)
		}
		if got.Decision.Version != 2 || got.Decision.Applicable || got.Decision.Status != "" || got.Decision.UpdatedByName != "Max Manager" {
			t.Errorf("after change: %+v", got.Decision)
		}
		wantCh = map[string][2]string{
			"applicable":    {"true", "false"},
			"justification": {`"We build and test models."`, `"We buy every model; the supplier verifies it."`},
			"status":        {`"planned"`, `""`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, e.d, e.org))); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		before := servicetest.Snapshot(t, d)
		req.Version = 2
		req.Justification = "  We buy every model; the supplier verifies it. "
		if got, err = e.svc.SetEntry(e.ctx, manager, "A.6.2.4", "", req); err != nil || got.Decision.Version != 2 {
			t.Fatalf("unchanged set: %+v, %v", got, err)
		}
		if diff := cmp.Diff(before, servicetest.Snapshot(t, d)); diff != "" {
			t.Errorf("a change that changes nothing altered the database:\n%s", diff)
		}

		// Stale versions, and a second creation, are refused.
		for _, v := range []int{0, 1, 3} {
			req.Version = v
			req.Justification = "Overwritten"
			servicetest.Unchanged(t, d, func() {
				_, err := e.svc.SetEntry(e.ctx, manager, "A.6.2.4", "", req)
				servicetest.WantFields(t, err, aims.CodeConflict, "version")
			})
		}
		// Unknown controls are not found.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetEntry(e.ctx, manager, "A.99", "", applies("x", "planned"))
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Entry(e.ctx, manager, "A.99")
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-2:], []string{"soa.entry_set", "soa.entry_set"}) {
			t.Errorf("actions = %q", got)
		}
	})
}

// TestValidation proves that every bad field is named at once, and that
// nothing is stored.
func TestValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		outsider := e.member(t, "Other Org", "otto@other.example", "Otto", aims.RoleOwner)
		tests := []struct {
			name   string
			req    soa.EntryRequest
			fields []string
		}{
			{"everything wrong", soa.EntryRequest{Justification: "  ", Status: "done", OwnerID: "nobody", TargetDate: "30/09/2026", Version: -1},
				[]string{"applicable", "justification", "owner_id", "target_date", "version"}},
			{"applies without status", soa.EntryRequest{Applicable: ptr(true), Justification: "x", OwnerID: outsider.UserID, TargetDate: "2026-02-30"},
				[]string{"owner_id", "status", "target_date"}},
			{"applies with an unknown status", soa.EntryRequest{Applicable: ptr(true), Justification: strings.Repeat("é", 4001), Status: "done"},
				[]string{"justification", "status"}},
			{"excluded with a status", soa.EntryRequest{Applicable: ptr(false), Justification: "No\x00pe", Status: "planned"},
				[]string{"justification", "status"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					_, err := e.svc.SetEntry(e.ctx, e.owner(), "A.2.2", "", tc.req)
					servicetest.WantFields(t, err, aims.CodeInvalid, tc.fields...)
				})
			})
		}
		// The longest allowed justification is fine.
		e.set(t, "A.2.2", "", applies(strings.Repeat("é", 4000), soa.StatusImplemented))
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetScope(e.ctx, e.owner(), soa.ScopeRequest{Scope: strings.Repeat("x", 4001), Version: -1})
			servicetest.WantFields(t, err, aims.CodeInvalid, "scope", "version")
			_, err = e.svc.Approve(e.ctx, e.owner(), soa.ApproveRequest{Note: strings.Repeat("x", 4001)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "note")
		})
	})
}

// TestFormerOwner proves that an owner who left the organisation does not
// block other changes to their decision, but cannot be made the owner of another.
func TestFormerOwner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		manager := e.as[aims.RoleManager]
		e.set(t, "A.2.2", "", soa.EntryRequest{Applicable: ptr(true), Justification: "Policy", Status: soa.StatusPlanned, OwnerID: manager.UserID})
		if err := e.ids.RemoveMember(e.ctx, e.owner(), manager.UserID); err != nil {
			t.Fatal(err)
		}
		en := e.set(t, "A.2.2", "", soa.EntryRequest{Applicable: ptr(true), Justification: "Policy", Status: soa.StatusImplemented,
			OwnerID: manager.UserID, Version: 1})
		if en.Decision.Version != 2 || en.Decision.OwnerID != manager.UserID || en.Decision.OwnerName != "Max Manager" {
			t.Errorf("after a change beside a former owner: %+v", en.Decision)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetEntry(e.ctx, e.owner(), "A.2.3", "", soa.EntryRequest{Applicable: ptr(false), Justification: "x", OwnerID: manager.UserID})
			servicetest.WantFields(t, err, aims.CodeInvalid, "owner_id")
		})
	})
}

func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.clock.Advance(time.Hour)
		dr, err := e.svc.SetScope(e.ctx, e.as[aims.RoleContributor], soa.ScopeRequest{Scope: " All AI systems we build in the EU.\n", Version: 0})
		if err != nil {
			t.Fatal(err)
		}
		if dr.Scope != "All AI systems we build in the EU." || dr.ScopeVersion != 1 || dr.ScopeMissing || !dr.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after first scope: %+v", dr)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != "soa.scope_change" || ev.Object != (tlog.EventObject{Type: "soa_draft", ID: e.org, Ref: "SoA draft"}) {
			t.Errorf("event = %+v", ev)
		}
		if diff := cmp.Diff(map[string][2]string{"scope": {`""`, `"All AI systems we build in the EU."`}}, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetScope(e.ctx, e.owner(), soa.ScopeRequest{Scope: "Overwritten", Version: 0})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			// The same scope again changes nothing.
			if dr, err := e.svc.SetScope(e.ctx, e.owner(), soa.ScopeRequest{Scope: "All AI systems we build in the EU.", Version: 1}); err != nil || dr.ScopeVersion != 1 {
				t.Errorf("same scope: %+v, %v", dr, err)
			}
		})
		if dr, err = e.svc.SetScope(e.ctx, e.owner(), soa.ScopeRequest{Scope: "", Version: 1}); err != nil || dr.ScopeVersion != 2 || !dr.ScopeMissing {
			t.Errorf("cleared scope: %+v, %v", dr, err)
		}
		// Deciding a control does not move the scope's version.
		e.set(t, "A.2.2", "", applies("Policy", soa.StatusImplemented))
		if dr := e.draft(t); dr.ScopeVersion != 2 {
			t.Errorf("scope version after a decision = %d", dr.ScopeVersion)
		}
	})
}

func TestOverrides(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		chat, scoring := e.system(t, "Chat assistant"), e.system(t, "Credit scoring")
		contributor := e.as[aims.RoleContributor]
		e.set(t, "A.7.4", "", applies("We train on our own data.", soa.StatusPartial))
		e.sources.setEvidence("A.7.4", soa.EvidenceRef{Ref: "EV-2", Title: "Data quality report"})

		// An override by reference, then another by id; they list by reference.
		e.clock.Advance(time.Hour)
		if _, err := e.svc.SetEntry(e.ctx, contributor, "A.7.4", "sys-2", excluded("Scoring uses a bought model.")); err != nil {
			t.Fatal(err)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != "soa.entry_set" || ev.Object != (tlog.EventObject{Type: "soa_entry", ID: "A.7.4@" + scoring.ID, Ref: "A.7.4 for SYS-2"}) {
			t.Errorf("event = %+v", ev)
		}
		if diff := cmp.Diff(map[string][2]string{"applicable": {"null", "false"}, "justification": {"null", `"Scoring uses a bought model."`}},
			servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		got, err := e.svc.SetEntry(e.ctx, contributor, "A.7.4", chat.ID, applies("The assistant is fine-tuned on chats.", soa.StatusImplemented))
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, o := range got.Overrides {
			refs = append(refs, o.SystemRef+" "+o.SystemName+" "+yes(o.Applicable)+" v"+itoa(o.Version))
		}
		if diff := cmp.Diff([]string{"SYS-1 Chat assistant yes v1", "SYS-2 Credit scoring no v1"}, refs); diff != "" {
			t.Errorf("overrides (-want +got):\n%s", diff)
		}
		if got.Decision.Justification != "We train on our own data." || got.Overrides[0].UpdatedByName != "Carla Contributor" {
			t.Errorf("entry = %+v", got)
		}

		// The effective view of each system.
		view, err := e.svc.ForSystem(e.ctx, e.as[aims.RoleViewer], "SYS-2")
		if err != nil {
			t.Fatal(err)
		}
		if view.SystemID != scoring.ID || view.SystemRef != "SYS-2" || view.SystemName != "Credit scoring" || view.Overrides != 1 || len(view.Entries) != 38 {
			t.Fatalf("view = %+v", view)
		}
		byID := map[string]soa.SystemEntry{}
		for _, se := range view.Entries {
			byID[se.ControlID] = se
		}
		if se := byID["A.7.4"]; se.Source != soa.SourceSystem || se.Decision.Applicable || se.Decision.Justification != "Scoring uses a bought model." ||
			len(se.Evidence) != 1 || se.CategoryTitle != "Data for AI systems" {
			t.Errorf("A.7.4 for SYS-2 = %+v", se)
		}
		if se := byID["A.2.2"]; se.Source != soa.SourceUndecided || se.Decision != nil {
			t.Errorf("A.2.2 for SYS-2 = %+v", se)
		}
		e.set(t, "A.2.2", "", applies("Policy", soa.StatusImplemented))
		view, _ = e.svc.ForSystem(e.ctx, e.as[aims.RoleViewer], scoring.ID)
		for _, se := range view.Entries {
			if se.ControlID == "A.2.2" && (se.Source != soa.SourceOrganisation || se.Decision.Justification != "Policy") {
				t.Errorf("A.2.2 for SYS-2 = %+v", se)
			}
		}

		// Removing an override is a change too.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.RemoveOverride(e.ctx, contributor, "A.7.4", "SYS-2", 5)
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.RemoveOverride(e.ctx, contributor, "A.7.4", "", 0)
			servicetest.WantFields(t, err, aims.CodeInvalid, "system")
			_, err = e.svc.RemoveOverride(e.ctx, contributor, "A.2.2", "SYS-2", 0)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.RemoveOverride(e.ctx, contributor, "A.7.4", "SYS-9", 0)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.SetEntry(e.ctx, contributor, "A.7.4", "SYS-9", excluded("x"))
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		e.clock.Advance(time.Hour)
		got, err = e.svc.RemoveOverride(e.ctx, contributor, "A.7.4", "SYS-2", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Overrides) != 1 || got.Overrides[0].SystemRef != "SYS-1" {
			t.Errorf("overrides after removal = %+v", got.Overrides)
		}
		ev = servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != "soa.override_remove" || ev.Object.Ref != "A.7.4 for SYS-2" || ev.Object.ID != "A.7.4@"+scoring.ID || !ev.Time.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("event = %+v", ev)
		}
		if diff := cmp.Diff(map[string][2]string{"applicable": {"false", "null"}, "justification": {`"Scoring uses a bought model."`, "null"}},
			servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		// Made again, an override starts at version 1.
		if got, err = e.svc.SetEntry(e.ctx, contributor, "A.7.4", "SYS-2", excluded("Again")); err != nil || got.Overrides[1].Version != 1 {
			t.Errorf("made again: %+v, %v", got, err)
		}
	})
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func itoa(n int) string { return strconv.Itoa(n) }
