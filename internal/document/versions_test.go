package document_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestDraftsAndApproval writes a draft in revisions, approves it, proves
// that the database itself refuses to change or delete an approved
// version, starts a second version from the first, keeps one draft at a
// time, approves it and compares the two.
func TestDraftsAndApproval(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c, m := e.contributor(), e.manager()
		doc := e.create(t, document.CreateRequest{Title: "AI policy", Kind: "ai_policy"})

		// An empty draft cannot be approved.
		e.unchanged(t, func() {
			_, err := e.svc.Approve(e.ctx, m, "DOC-1", document.ApproveRequest{Number: 1, Revision: 1})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		n := e.actionCount(t)
		v, err := e.svc.UpdateDraft(e.ctx, c, "DOC-1", document.DraftUpdate{Revision: 1, Text: ptr("# AI policy\n\nOne.\nTwo.\nThree."),
			ChangeNote: ptr("First issue")})
		if err != nil {
			t.Fatal(err)
		}
		if v.Revision != 2 || v.ChangeNote != "First issue" || v.Status != "draft" || v.Characters != 29 {
			t.Errorf("draft %+v", v.VersionInfo)
		}
		if got := e.actionsSince(t, n); !cmp.Equal(got, []string{"document.draft_update"}) {
			t.Errorf("actions %v", got)
		}
		e.unchanged(t, func() {
			_, err := e.svc.UpdateDraft(e.ctx, c, "DOC-1", document.DraftUpdate{Revision: 1, Text: ptr("Lost update")})
			servicetest.WantFields(t, err, aims.CodeConflict, "revision")
		})
		// Approving a revision other than the one read is refused.
		e.unchanged(t, func() {
			_, err := e.svc.Approve(e.ctx, m, "DOC-1", document.ApproveRequest{Number: 1, Revision: 1})
			servicetest.WantFields(t, err, aims.CodeConflict, "revision")
		})
		e.unchanged(t, func() {
			_, err := e.svc.Approve(e.ctx, m, "DOC-1", document.ApproveRequest{Number: 2, Revision: 2})
			servicetest.WantFields(t, err, aims.CodeConflict, "number")
		})
		n = e.actionCount(t)
		doc, err = e.svc.Approve(e.ctx, m, "DOC-1", document.ApproveRequest{Number: 1, Revision: 2, Note: "Board decision 2026/4"})
		if err != nil {
			t.Fatal(err)
		}
		if doc.Current == nil || doc.Current.Number != 1 || !doc.Current.InForce || doc.Current.ApprovedByName != "Acme manager" ||
			doc.Current.ApprovalNote != "Board decision 2026/4" || doc.Draft != nil || doc.NextReviewOn != "2027-03-02" {
			t.Fatalf("approved %+v, current %+v", doc, doc.Current)
		}
		if got := e.actionsSince(t, n); !cmp.Equal(got, []string{"document.approve"}) {
			t.Errorf("actions %v", got)
		}
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		ch := servicetest.ChangeMap(t, ev)
		if ev.Object.Ref != "DOC-1 v1" || ch["text_sha256"][1] != servicetest.JSONString(doc.Current.TextSHA256) ||
			ch["in_force"] != [2]string{"0", "1"} || ch["next_review_on"][1] != `"2027-03-02"` || ch["note"][1] != `"Board decision 2026/4"` {
			t.Errorf("approval event %s %v", ev.Object.Ref, ch)
		}

		// The approved version is frozen: the service refuses, and so does the database.
		e.unchanged(t, func() {
			_, err := e.svc.UpdateDraft(e.ctx, c, "DOC-1", document.DraftUpdate{Revision: 2, Text: ptr("Changed")})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.DiscardDraft(e.ctx, c, "DOC-1", 2)
			servicetest.WantCode(t, err, aims.CodeConflict)
			for _, q := range []string{
				`UPDATE document_versions SET body = 'tampered' WHERE number = 1`,
				`UPDATE document_versions SET status = 'draft' WHERE number = 1`,
				`UPDATE document_versions SET approval_note = '' WHERE number = 1`,
				`DELETE FROM document_versions WHERE number = 1`,
			} {
				if _, err := e.d.ExecContext(e.ctx, q); err == nil || !strings.Contains(err.Error(), "document_versions") {
					t.Errorf("%s: %v", q, err)
				}
			}
		})

		// A new draft starts from the version in force; there is one draft at a time.
		n = e.actionCount(t)
		v2, err := e.svc.StartDraft(e.ctx, c, "DOC-1", document.DraftRequest{ChangeNote: "Add oversight"})
		if err != nil {
			t.Fatal(err)
		}
		if v2.Number != 2 || v2.Text != "# AI policy\n\nOne.\nTwo.\nThree." || v2.Revision != 1 || v2.InForce {
			t.Errorf("second draft %+v", v2)
		}
		e.unchanged(t, func() {
			_, err := e.svc.StartDraft(e.ctx, c, "DOC-1", document.DraftRequest{})
			servicetest.WantCode(t, err, aims.CodeConflict)
			if _, err := e.d.ExecContext(e.ctx, `INSERT INTO document_versions (id, org_id, document_id, number, status, body, body_sha256,
				change_note, author_id, updated_by, revision, created_at, updated_at, approved_by, approval_note)
				VALUES (?, ?, ?, 3, 'draft', '', '', '', '', '', 1, ?, ?, '', '')`, aims.NewID(), e.org, doc.ID, t0, t0); !db.IsUniqueViolation(err) {
				t.Errorf("a second draft in the database: %v", err)
			}
		})
		// Discarding it and starting again keeps the number.
		if _, err := e.svc.DiscardDraft(e.ctx, c, "DOC-1", 1); err != nil {
			t.Fatal(err)
		}
		v2, err = e.svc.StartDraft(e.ctx, c, "DOC-1", document.DraftRequest{Text: ptr("# AI policy\n\nOne.\nTwo and a half.\nThree.\nFour."), ChangeNote: "Add oversight"})
		if err != nil || v2.Number != 2 {
			t.Fatalf("restarted draft %v, %v", v2, err)
		}
		if got := e.actionsSince(t, n); !cmp.Equal(got, []string{"document.draft", "document.draft_discard", "document.draft"}) {
			t.Errorf("actions %v", got)
		}
		doc = e.get(t, e.viewer(), "DOC-1")
		if doc.Current.Number != 1 || doc.Draft == nil || doc.Draft.Number != 2 {
			t.Errorf("current %+v draft %+v", doc.Current, doc.Draft)
		}
		e.clock.Advance(24 * 3600e9)
		doc = e.approve(t, "DOC-1")
		if doc.Current.Number != 2 || doc.NextReviewOn != "2027-03-03" {
			t.Errorf("second approval: %+v next %s", doc.Current, doc.NextReviewOn)
		}
		vs, err := e.svc.Versions(e.ctx, e.auditor(), "DOC-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].Number != 2 || !vs[0].InForce || vs[1].InForce || vs[1].Status != "approved" {
			t.Errorf("versions %+v", vs)
		}
		old, err := e.svc.Version(e.ctx, e.viewer(), "DOC-1", 1)
		if err != nil || old.Text != "# AI policy\n\nOne.\nTwo.\nThree." || old.InForce {
			t.Errorf("version 1 %+v, %v", old, err)
		}
		_, err = e.svc.Version(e.ctx, e.viewer(), "DOC-1", 3)
		servicetest.WantCode(t, err, aims.CodeNotFound)

		cmpr, err := e.svc.Compare(e.ctx, e.viewer(), "DOC-1", 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range cmpr.Lines {
			lines = append(lines, l.Op+" "+l.Text)
		}
		want := []string{"same # AI policy", "same ", "same One.", "removed Two.", "added Two and a half.", "same Three.", "added Four."}
		if diff := cmp.Diff(want, lines); diff != "" || cmpr.Added != 2 || cmpr.Removed != 1 {
			t.Errorf("comparison (-want +got):\n%s\n+%d -%d", diff, cmpr.Added, cmpr.Removed)
		}
		if l := cmpr.Lines[4]; l.From != 0 || l.To != 4 {
			t.Errorf("added line numbers %+v", l)
		}
		reviews, err := e.svc.Reviews(e.ctx, e.viewer(), "DOC-1")
		if err != nil || len(reviews) != 2 || reviews[0].Number != 2 || reviews[0].Outcome != "approved" || reviews[1].Note != "Board decision 2026/4" {
			t.Errorf("reviews %+v, %v", reviews, err)
		}
		hist, err := e.svc.History(e.ctx, e.viewer(), "DOC-1")
		if err != nil || len(hist) != 8 || hist[0].Action != "document.approve" || hist[len(hist)-1].Action != "document.create" {
			t.Errorf("history of %d, %v", len(hist), err)
		}
	})
}

// TestCompareLongTexts compares texts too long for the line table: the
// differing middle is shown removed and added whole.
func TestCompareLongTexts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var a, b strings.Builder
		for i := 0; i < 3000; i++ {
			a.WriteString("a line\n")
			b.WriteString("b line\n")
		}
		e.create(t, document.CreateRequest{Title: "Long", Kind: "record", Text: "start\n" + a.String() + "end"})
		e.approve(t, "DOC-1")
		if _, err := e.svc.StartDraft(e.ctx, e.contributor(), "DOC-1", document.DraftRequest{Text: ptr("start\n" + b.String() + "end")}); err != nil {
			t.Fatal(err)
		}
		c, err := e.svc.Compare(e.ctx, e.viewer(), "DOC-1", 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		if c.Added != 3000 || c.Removed != 3000 || len(c.Lines) != 6002 || c.Lines[0].Text != "start" || c.Lines[6001].Text != "end" {
			t.Errorf("+%d -%d in %d lines", c.Added, c.Removed, len(c.Lines))
		}
	})
}
