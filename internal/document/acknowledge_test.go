package document_test

import (
	"strconv"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// readersOf sums up who has and has not acknowledged as "email:+" and "email:-".
func readersOf(t *testing.T, e *env, ref string, number int) []string {
	t.Helper()
	r, err := e.svc.Readers(e.ctx, e.auditor(), ref, number)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range r.People {
		mark := "-"
		if p.AcknowledgedAt != nil {
			mark = "+"
		}
		if !p.Distributed {
			mark += "(not distributed)"
		}
		out = append(out, p.Email+":"+mark)
	}
	return out
}

func toRead(t *testing.T, e *env, a *aims.Actor) []string {
	t.Helper()
	items, err := e.svc.ToRead(e.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.DocumentRef+" v"+strconv.Itoa(it.Number))
	}
	return out
}

// TestAcknowledgements has people acknowledge the version in force once,
// shows who has and has not, asks everyone again for a new version, and
// follows a change of distribution.
func TestAcknowledgements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		v, c := e.viewer(), e.contributor()
		// Nothing is in force yet: nothing to read, nothing to acknowledge.
		e.policy(t, false)
		if got := toRead(t, e, v); len(got) != 0 {
			t.Errorf("to read before approval: %v", got)
		}
		e.unchanged(t, func() {
			_, err := e.svc.Acknowledge(e.ctx, v, "DOC-1", document.AcknowledgeRequest{Number: 1})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		e.approve(t, "DOC-1")
		if got := toRead(t, e, v); !cmp.Equal(got, []string{"DOC-1 v1"}) {
			t.Errorf("to read: %v", got)
		}
		n := e.actionCount(t)
		ack, err := e.svc.Acknowledge(e.ctx, v, "doc-1", document.AcknowledgeRequest{Number: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ack.DocumentRef != "DOC-1" || ack.Number != 1 || ack.Role != "viewer" || !ack.AcknowledgedAt.Equal(t0) {
			t.Errorf("acknowledgement %+v", ack)
		}
		if got := e.actionsSince(t, n); !cmp.Equal(got, []string{"document.acknowledge"}) {
			t.Errorf("actions %v", got)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Object.Type != "document_acknowledgement" || ev.Object.Ref != "DOC-1 v1" || ev.Actor.ID != v.UserID ||
			servicetest.ChangeMap(t, ev)["user_id"][1] != servicetest.JSONString(v.UserID) {
			t.Errorf("event %+v", ev)
		}
		// Once per version; the version read must be the one in force.
		e.unchanged(t, func() {
			_, err := e.svc.Acknowledge(e.ctx, v, "DOC-1", document.AcknowledgeRequest{Number: 1})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.Acknowledge(e.ctx, c, "DOC-1", document.AcknowledgeRequest{Number: 2})
			servicetest.WantFields(t, err, aims.CodeConflict, "number")
			_, err = e.svc.Acknowledge(e.ctx, admin, "DOC-1", document.AcknowledgeRequest{Number: 1})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			if _, err := e.d.ExecContext(e.ctx, `UPDATE document_acknowledgements SET acknowledged_at = ?`, t0); err == nil {
				t.Error("the database let an acknowledgement change")
			}
			if _, err := e.d.ExecContext(e.ctx, `DELETE FROM document_acknowledgements`); err == nil {
				t.Error("the database let an acknowledgement be deleted")
			}
		})
		if got := toRead(t, e, v); len(got) != 0 {
			t.Errorf("to read after acknowledging: %v", got)
		}
		e.clock.Advance(3600e9)
		if _, err := e.svc.Acknowledge(e.ctx, c, "DOC-1", document.AcknowledgeRequest{Number: 1}); err != nil {
			t.Fatal(err)
		}
		want := []string{"auditor@acme.example:-", "manager@acme.example:-", "owner@acme.example:-",
			"contributor@acme.example:+", "viewer@acme.example:+"}
		if diff := cmp.Diff(want, readersOf(t, e, "DOC-1", 0)); diff != "" {
			t.Errorf("readers (-want +got):\n%s", diff)
		}
		doc := e.get(t, v, "DOC-1")
		if doc.Required != 5 || doc.Acknowledged != 2 || doc.AcknowledgedByMe == nil || !*doc.AcknowledgedByMe {
			t.Errorf("counts %d/%d, mine %v", doc.Acknowledged, doc.Required, doc.AcknowledgedByMe)
		}
		if mine := e.get(t, e.owner(), "DOC-1").AcknowledgedByMe; mine == nil || *mine {
			t.Errorf("the owner's acknowledgement %v", mine)
		}

		// A new version in force must be acknowledged again.
		if _, err := e.svc.StartDraft(e.ctx, c, "DOC-1", document.DraftRequest{Text: ptr("# AI policy\n\nVersion two.")}); err != nil {
			t.Fatal(err)
		}
		if got := toRead(t, e, v); len(got) != 0 {
			t.Errorf("a draft is to read: %v", got)
		}
		e.approve(t, "DOC-1")
		items, err := e.svc.ToRead(e.ctx, v)
		if err != nil || len(items) != 1 || items[0].Number != 2 || items[0].Earlier != 1 {
			t.Errorf("to read after version 2: %+v, %v", items, err)
		}
		if got := readersOf(t, e, "DOC-1", 0); len(got) != 5 || got[4] != "viewer@acme.example:-" {
			t.Errorf("readers of version 2 %v", got)
		}
		if got := readersOf(t, e, "DOC-1", 1); got[4] != "viewer@acme.example:+" {
			t.Errorf("readers of version 1 %v", got)
		}
		r, err := e.svc.Readers(e.ctx, e.viewer(), "DOC-1", 0)
		if err != nil || r.Number != 2 || !r.InForce || r.People[4].Earlier != 1 {
			t.Errorf("readers %+v, %v", r, err)
		}
		_, err = e.svc.Readers(e.ctx, e.viewer(), "DOC-1", 7)
		servicetest.WantCode(t, err, aims.CodeNotFound)

		// Distributed to managers and contributors only: viewers need not, and may not, acknowledge.
		doc = e.get(t, c, "DOC-1")
		if _, err := e.svc.Update(e.ctx, c, "DOC-1", document.UpdateRequest{Version: doc.Version, Distribution: &[]string{"manager", "contributor"}}); err != nil {
			t.Fatal(err)
		}
		if got := toRead(t, e, v); len(got) != 0 {
			t.Errorf("viewer still has %v", got)
		}
		e.unchanged(t, func() {
			_, err := e.svc.Acknowledge(e.ctx, v, "DOC-1", document.AcknowledgeRequest{Number: 2})
			servicetest.WantCode(t, err, aims.CodeForbidden)
		})
		if _, err := e.svc.Acknowledge(e.ctx, c, "DOC-1", document.AcknowledgeRequest{Number: 2}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"manager@acme.example:-", "contributor@acme.example:+"}, readersOf(t, e, "DOC-1", 0)); diff != "" {
			t.Errorf("readers of a narrower distribution (-want +got):\n%s", diff)
		}
		if d := e.get(t, v, "DOC-1"); d.Required != 2 || d.Acknowledged != 1 || d.AcknowledgedByMe != nil {
			t.Errorf("counts %d/%d, mine %v", d.Acknowledged, d.Required, d.AcknowledgedByMe)
		}
		// Who acknowledged stays shown after leaving the distribution.
		if _, err := e.ids.ChangeRole(e.ctx, e.owner(), c.UserID, identityRole(aims.RoleViewer)); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"manager@acme.example:-", "contributor@acme.example:+(not distributed)"}, readersOf(t, e, "DOC-1", 0)); diff != "" {
			t.Errorf("readers after a role change (-want +got):\n%s", diff)
		}

		// A withdrawn document needs no acknowledgement.
		if _, err := e.svc.Archive(e.ctx, e.owner(), "DOC-1", document.ArchiveRequest{}); err != nil {
			t.Fatal(err)
		}
		if got := toRead(t, e, e.manager()); len(got) != 0 {
			t.Errorf("an archived document is to read: %v", got)
		}
		e.unchanged(t, func() {
			_, err := e.svc.Acknowledge(e.ctx, e.manager(), "DOC-1", document.AcknowledgeRequest{Number: 2})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
	})
}

// TestReviewWithoutChange lets the document's owner or a lead record that
// the version in force was reviewed and stays, which moves the next review on.
func TestReviewWithoutChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		other := e.member(t, "Acme Ltd", "other@acme.example", "Other contributor", aims.RoleContributor)
		e.create(t, document.CreateRequest{Title: "Incident procedure", Kind: "procedure", ReviewMonths: 6, Text: "Report it."})
		e.unchanged(t, func() {
			_, err := e.svc.Review(e.ctx, c, "DOC-1", document.ReviewRequest{})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		e.approve(t, "DOC-1")
		for _, a := range []*aims.Actor{other, e.viewer(), e.auditor()} {
			e.unchanged(t, func() {
				_, err := e.svc.Review(e.ctx, a, "DOC-1", document.ReviewRequest{})
				servicetest.WantCode(t, err, aims.CodeForbidden)
			})
		}
		e.clock.Advance(40 * 24 * 3600e9) // 11 April 2026
		n := e.actionCount(t)
		doc, err := e.svc.Review(e.ctx, c, "DOC-1", document.ReviewRequest{Note: "Still fits our practice."})
		if err != nil {
			t.Fatal(err)
		}
		if doc.LastReviewedOn != "2026-04-11" || doc.NextReviewOn != "2026-10-11" || doc.Current.Number != 1 {
			t.Errorf("reviewed %s, next %s", doc.LastReviewedOn, doc.NextReviewOn)
		}
		if got := e.actionsSince(t, n); !cmp.Equal(got, []string{"document.review"}) {
			t.Errorf("actions %v", got)
		}
		ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, e.d, e.org))
		if ch["next_review_on"] != [2]string{`"2026-09-02"`, `"2026-10-11"`} || ch["note"][1] != `"Still fits our practice."` || ch["number"][1] != "1" {
			t.Errorf("changes %v", ch)
		}
		if _, err := e.svc.Review(e.ctx, e.manager(), "DOC-1", document.ReviewRequest{}); err != nil {
			t.Errorf("a manager cannot review: %v", err)
		}
		reviews, err := e.svc.Reviews(e.ctx, e.viewer(), "DOC-1")
		if err != nil || len(reviews) != 3 || reviews[0].ReviewerName != "Acme manager" || reviews[1].Outcome != "no_change" ||
			reviews[1].Note != "Still fits our practice." || reviews[2].Outcome != "approved" {
			t.Errorf("reviews %+v, %v", reviews, err)
		}
	})
}

// TestArchiveAndRestore withdraws documents as a lead, keeps one AI policy
// in force on restoring, and refuses changes to a withdrawn document.
func TestArchiveAndRestore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		m := e.manager()
		e.policy(t, true)
		n := e.actionCount(t)
		doc, err := e.svc.Archive(e.ctx, m, "DOC-1", document.ArchiveRequest{Reason: "Replaced by DOC-2"})
		if err != nil {
			t.Fatal(err)
		}
		if doc.Status != "archived" || doc.ArchiveReason != "Replaced by DOC-2" || doc.ArchivedAt == nil || doc.ReviewState != "" {
			t.Errorf("archived %+v", doc)
		}
		again, err := e.svc.Archive(e.ctx, m, "DOC-1", document.ArchiveRequest{})
		if err != nil || again.Version != doc.Version {
			t.Errorf("archiving twice: %v", err)
		}
		if got := e.actionsSince(t, n); !cmp.Equal(got, []string{"document.archive"}) {
			t.Errorf("actions %v", got)
		}
		e.unchanged(t, func() {
			_, err := e.svc.Update(e.ctx, m, "DOC-1", document.UpdateRequest{Version: doc.Version, Title: ptr("x")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.StartDraft(e.ctx, m, "DOC-1", document.DraftRequest{})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.Review(e.ctx, m, "DOC-1", document.ReviewRequest{})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		// A new AI policy can be written now; the old one cannot come back beside it.
		e.policy(t, false)
		e.unchanged(t, func() {
			_, err := e.svc.Restore(e.ctx, m, "DOC-1")
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		if _, err := e.svc.Archive(e.ctx, m, "DOC-2", document.ArchiveRequest{}); err != nil {
			t.Fatal(err)
		}
		doc, err = e.svc.Restore(e.ctx, m, "DOC-1")
		if err != nil || doc.Status != "active" || doc.ArchiveReason != "" || doc.ArchivedAt != nil {
			t.Errorf("restored %+v, %v", doc, err)
		}
	})
}
