package evidence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

func TestUpdate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		it := e.add(t, fileReq("Model card", "card.pdf", pdf, "control:A.6.2.7", "ai_system:SYS-1"))
		e.clock.Advance(time.Hour)
		contributor := e.as[aims.RoleContributor]
		got, err := e.svc.Update(e.ctx, contributor, "EV-1", evidence.EvidenceUpdateRequest{Version: 1,
			Title: ptr(" Model card v2 "), ValidFrom: ptr("2026-03-01"), ValidUntil: ptr("2026-12-31"),
			Links: &[]string{"ai_system:SYS-2", "clause:7.5.3", "control:A.6.2.7"}})
		if err != nil {
			t.Fatal(err)
		}
		want := *it
		want.Title, want.ValidFrom, want.ValidUntil, want.Version, want.UpdatedAt = "Model card v2", "2026-03-01", "2026-12-31", 2, t0.Add(time.Hour)
		s2, _ := e.systems.Get(e.ctx, contributor, "SYS-2")
		want.Links = []evidence.EvidenceLink{{Type: "control", ID: "A.6.2.7", Ref: "A.6.2.7"}, {Type: "clause", ID: "7.5.3", Ref: "7.5.3"},
			{Type: "ai_system", ID: s2.ID, Ref: "SYS-2", Title: "Chat assistant"}}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("updated (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(&want, e.get(t, it.ID)); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Action != "evidence.update" || ev.Object.Ref != "EV-1" || ev.Actor.ID != contributor.UserID || !ev.Time.Equal(t0.Add(time.Hour)) {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"title":       {`"Model card"`, `"Model card v2"`},
			"valid_from":  {`""`, `"2026-03-01"`},
			"valid_until": {`""`, `"2026-12-31"`},
			"links":       {`["control:A.6.2.7","ai_system:SYS-1"]`, `["control:A.6.2.7","clause:7.5.3","ai_system:SYS-2"]`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}

		// Fields not named stay; clearing the links and the dates works.
		got, err = e.svc.Update(e.ctx, contributor, "EV-1", evidence.EvidenceUpdateRequest{Version: 2, Description: ptr("Reviewed"),
			ValidFrom: ptr(""), Links: &[]string{}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 3 || got.Title != "Model card v2" || got.ValidFrom != "" || got.ValidUntil != "2026-12-31" || len(got.Links) != 0 || got.Description != "Reviewed" {
			t.Errorf("second update = %+v", got)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM evidence_links WHERE evidence_id = ?`, it.ID); n != 0 {
			t.Errorf("%d links left", n)
		}

		// A change that changes nothing makes no version and no event.
		servicetest.Unchanged(t, e.d, func() {
			got, err = e.svc.Update(e.ctx, contributor, "EV-1", evidence.EvidenceUpdateRequest{Version: 3, Title: ptr("Model card v2 "), Links: &[]string{}})
			if err != nil || got.Version != 3 {
				t.Errorf("no-op update = %+v, %v", got, err)
			}
		})

		// A change based on an old version is refused.
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Update(e.ctx, e.as[aims.RoleOwner], "EV-1", evidence.EvidenceUpdateRequest{Version: 2, Title: ptr("Overwritten")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})

		// Every bad field is named at once.
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Update(e.ctx, e.as[aims.RoleOwner], "EV-1", evidence.EvidenceUpdateRequest{Version: 3, Title: ptr(""),
				Description: ptr(strings.Repeat("x", 4001)), ValidFrom: ptr("2027-01-01"), Links: &[]string{"clause:99"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "description", "links", "title", "valid_until")
		})

		// The file never changes; archived evidence cannot be changed.
		if got := e.get(t, "EV-1"); got.FileSHA256 != it.FileSHA256 || got.FileName != "card.pdf" {
			t.Errorf("the file changed: %+v", got)
		}
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleManager], "EV-1"); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Update(e.ctx, e.as[aims.RoleOwner], "EV-1", evidence.EvidenceUpdateRequest{Version: 4, Title: ptr("Later")})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Update(e.ctx, e.as[aims.RoleOwner], "EV-9", evidence.EvidenceUpdateRequest{Version: 1, Title: ptr("Later")})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
	})
}

func TestArchiveAndRestore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.note(t, "Walkthrough", "", "2026-05-01", "control:A.6.2.6")
		manager := e.as[aims.RoleManager]
		e.clock.Advance(time.Minute)
		it, err := e.svc.Archive(e.ctx, manager, "EV-1")
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != "archived" || it.Validity != "archived" || it.Version != 2 || it.ArchivedAt == nil || !it.ArchivedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("archived = %+v", it)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Action != "evidence.archive" || ev.Object.Ref != "EV-1" ||
			!cmp.Equal(servicetest.ChangeMap(t, ev), map[string][2]string{"status": {`"active"`, `"archived"`}}) {
			t.Errorf("event = %+v", ev)
		}
		// Archived evidence no longer counts as current.
		if m, err := e.svc.CurrentForControls(e.ctx, e.org); err != nil || len(m) != 0 {
			t.Errorf("current evidence of archived = %v, %v", m, err)
		}
		// Archiving again changes nothing.
		servicetest.Unchanged(t, e.d, func() {
			if again, err := e.svc.Archive(e.ctx, manager, "ev-1"); err != nil || again.Version != 2 {
				t.Errorf("archive again = %+v, %v", again, err)
			}
		})
		it, err = e.svc.Restore(e.ctx, e.as[aims.RoleOwner], "EV-1")
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != "active" || it.ArchivedAt != nil || it.Version != 3 || it.Validity != "current" {
			t.Errorf("restored = %+v", it)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-3:], []string{"evidence.add", "evidence.archive", "evidence.restore"}) {
			t.Errorf("actions = %q", got)
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Restore(e.ctx, manager, "EV-1")
			if err != nil {
				t.Error(err)
			}
		})
		hist, err := e.svc.History(e.ctx, e.as[aims.RoleViewer], "EV-1")
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, h := range hist {
			actions = append(actions, h.Action)
		}
		if !cmp.Equal(actions, []string{"evidence.restore", "evidence.archive", "evidence.add"}) {
			t.Errorf("history = %q", actions)
		}
	})
}
