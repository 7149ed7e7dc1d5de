package document_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestFailClosed proves that a change whose audit event cannot be written
// is refused whole: with log appends failing in the database, every change
// returns the failure and every table, reference counters included, stays
// exactly as it was.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c, m, v := e.contributor(), e.manager(), e.viewer()
		e.policy(t, true)
		if _, err := e.svc.StartDraft(e.ctx, c, "DOC-1", document.DraftRequest{}); err != nil {
			t.Fatal(err)
		}
		e.create(t, document.CreateRequest{Title: "Withdrawn", Kind: "other"})
		if _, err := e.svc.Archive(e.ctx, m, "DOC-2", document.ArchiveRequest{}); err != nil {
			t.Fatal(err)
		}
		before := e.get(t, v, "DOC-1")
		servicetest.FailAuditAppends(t, d)
		ops := map[string]func() error{
			"Create": func() error {
				_, err := e.svc.Create(e.ctx, c, document.CreateRequest{Title: "New", Kind: "other", Text: "x"})
				return err
			},
			"Update": func() error {
				_, err := e.svc.Update(e.ctx, c, "DOC-1", document.UpdateRequest{Version: before.Version, Title: ptr("Renamed")})
				return err
			},
			"UpdateDraft": func() error {
				_, err := e.svc.UpdateDraft(e.ctx, c, "DOC-1", document.DraftUpdate{Revision: 1, Text: ptr("Changed")})
				return err
			},
			"DiscardDraft": func() error { _, err := e.svc.DiscardDraft(e.ctx, c, "DOC-1", 1); return err },
			"Approve": func() error {
				_, err := e.svc.Approve(e.ctx, m, "DOC-1", document.ApproveRequest{Number: 2, Revision: 1})
				return err
			},
			"Review":  func() error { _, err := e.svc.Review(e.ctx, m, "DOC-1", document.ReviewRequest{}); return err },
			"Archive": func() error { _, err := e.svc.Archive(e.ctx, m, "DOC-1", document.ArchiveRequest{}); return err },
			"Restore": func() error { _, err := e.svc.Restore(e.ctx, m, "DOC-2"); return err },
			"Acknowledge": func() error {
				_, err := e.svc.Acknowledge(e.ctx, v, "DOC-1", document.AcknowledgeRequest{Number: 1})
				return err
			},
		}
		for name, op := range ops {
			t.Run(name, func(t *testing.T) {
				e.unchanged(t, func() {
					err := op()
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if _, err := e.svc.DiscardDraft(e.ctx, c, "DOC-1", 1); err == nil {
			t.Error("a draft was discarded without its event")
		}
		if diff := cmp.Diff(before, e.get(t, v, "DOC-1")); diff != "" {
			t.Errorf("DOC-1 changed (-before +after):\n%s", diff)
		}
		// Reads still work.
		if _, err := e.svc.ToRead(e.ctx, v); err != nil {
			t.Error(err)
		}
		if _, err := e.svc.Reminders(e.ctx, e.org); err != nil {
			t.Error(err)
		}
	})
}
