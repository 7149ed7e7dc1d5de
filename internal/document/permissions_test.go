package document_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/document"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions tries every method as every role: editors write
// documents and drafts; owners and managers approve, archive and restore
// them; the document's owner and leads review it; everyone reads them and
// acknowledges what is distributed to them.
// A refused call changes nothing.
func TestPermissions(t *testing.T) {
	const ok = aims.Code("")
	forbidden := aims.CodeForbidden
	tests := []struct {
		role                  aims.Role
		edit, approve, review aims.Code
	}{
		{aims.RoleOwner, ok, ok, ok},
		{aims.RoleManager, ok, ok, ok},
		{aims.RoleContributor, ok, forbidden, ok}, // the contributor owns the AI policy
		{aims.RoleAuditor, forbidden, forbidden, forbidden},
		{aims.RoleViewer, forbidden, forbidden, forbidden},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.policy(t, true)
		for i, tc := range tests {
			a := e.as[tc.role]
			t.Run(string(tc.role), func(t *testing.T) {
				check := func(method string, want aims.Code, call func() error) {
					t.Helper()
					if want == ok {
						if err := call(); err != nil {
							t.Errorf("%s: %v", method, err)
						}
						return
					}
					e.unchanged(t, func() {
						err := call()
						servicetest.WantCode(t, err, want)
						if !strings.Contains(err.Error(), "document.") {
							t.Errorf("%s: %v does not name the action", method, err)
						}
					})
				}
				title := fmt.Sprintf("Procedure %d", i)
				check("Create", tc.edit, func() error {
					_, err := e.svc.Create(e.ctx, a, document.CreateRequest{Title: title, Kind: "procedure", OwnerID: e.contributor().UserID, Text: "x"})
					return err
				})
				doc := e.get(t, a, "DOC-1")
				check("Update", tc.edit, func() error {
					_, err := e.svc.Update(e.ctx, a, "DOC-1", document.UpdateRequest{Version: doc.Version, Title: ptr(title)})
					return err
				})
				check("StartDraft", tc.edit, func() error {
					_, err := e.svc.StartDraft(e.ctx, a, "DOC-1", document.DraftRequest{Text: ptr(title)})
					return err
				})
				if tc.edit != ok {
					if _, err := e.svc.StartDraft(e.ctx, e.contributor(), "DOC-1", document.DraftRequest{Text: ptr(title)}); err != nil {
						t.Fatal(err)
					}
				}
				doc = e.get(t, a, "DOC-1")
				check("UpdateDraft", tc.edit, func() error {
					_, err := e.svc.UpdateDraft(e.ctx, a, "DOC-1", document.DraftUpdate{Revision: doc.Draft.Revision, ChangeNote: ptr(title)})
					return err
				})
				doc = e.get(t, a, "DOC-1")
				check("DiscardDraft", tc.edit, func() error {
					_, err := e.svc.DiscardDraft(e.ctx, a, "DOC-1", doc.Draft.Revision)
					return err
				})
				if tc.edit == ok {
					if _, err := e.svc.StartDraft(e.ctx, a, "DOC-1", document.DraftRequest{Text: ptr(title)}); err != nil {
						t.Fatal(err)
					}
				}
				doc = e.get(t, a, "DOC-1")
				check("Approve", tc.approve, func() error {
					_, err := e.svc.Approve(e.ctx, a, "DOC-1", document.ApproveRequest{Number: doc.Draft.Number, Revision: doc.Draft.Revision})
					return err
				})
				if tc.approve != ok {
					e.approve(t, "DOC-1")
				}
				check("Review", tc.review, func() error {
					_, err := e.svc.Review(e.ctx, a, "DOC-1", document.ReviewRequest{})
					return err
				})
				check("Archive", tc.approve, func() error {
					_, err := e.svc.Archive(e.ctx, a, "DOC-1", document.ArchiveRequest{})
					return err
				})
				if tc.approve != ok {
					if _, err := e.svc.Archive(e.ctx, e.owner(), "DOC-1", document.ArchiveRequest{}); err != nil {
						t.Fatal(err)
					}
				}
				check("Restore", tc.approve, func() error {
					_, err := e.svc.Restore(e.ctx, a, "DOC-1")
					return err
				})
				if tc.approve != ok {
					if _, err := e.svc.Restore(e.ctx, e.owner(), "DOC-1"); err != nil {
						t.Fatal(err)
					}
				}
				// Everyone acknowledges what is distributed to them, and reads everything.
				doc = e.get(t, a, "DOC-1")
				check("Acknowledge", ok, func() error {
					_, err := e.svc.Acknowledge(e.ctx, a, "DOC-1", document.AcknowledgeRequest{Number: doc.Current.Number})
					return err
				})
				for name, read := range map[string]func() error{
					"List":     func() error { _, err := e.svc.List(e.ctx, a, document.Query{}); return err },
					"Versions": func() error { _, err := e.svc.Versions(e.ctx, a, "DOC-1"); return err },
					"Version":  func() error { _, err := e.svc.Version(e.ctx, a, "DOC-1", 1); return err },
					"Compare":  func() error { _, err := e.svc.Compare(e.ctx, a, "DOC-1", 1, doc.Current.Number); return err },
					"Readers":  func() error { _, err := e.svc.Readers(e.ctx, a, "DOC-1", 0); return err },
					"Reviews":  func() error { _, err := e.svc.Reviews(e.ctx, a, "DOC-1"); return err },
					"History":  func() error { _, err := e.svc.History(e.ctx, a, "DOC-1"); return err },
					"ToRead":   func() error { _, err := e.svc.ToRead(e.ctx, a); return err },
				} {
					check(name, ok, read)
				}
			})
		}
		// Nobody without an organisation does anything.
		for name, call := range map[string]func() error{
			"Get": func() error { _, err := e.svc.Get(e.ctx, nil, "DOC-1"); return err },
			"Create": func() error {
				_, err := e.svc.Create(e.ctx, nil, document.CreateRequest{Title: "x", Kind: "other"})
				return err
			},
			"Acknowledge": func() error {
				_, err := e.svc.Acknowledge(e.ctx, nil, "DOC-1", document.AcknowledgeRequest{Number: 1})
				return err
			},
		} {
			if err := call(); aims.CodeOf(err) != aims.CodeUnauthenticated {
				t.Errorf("%s without an actor: %v", name, err)
			}
		}
	})
}

// TestOtherOrganisation proves that a member of another organisation can
// neither read nor change Acme's documents, nor acknowledge them.
func TestOtherOrganisation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		doc := e.policy(t, true)
		g := e.member(t, "Globex", "owner@globex.example", "Globex owner", aims.RoleOwner)
		e.unchanged(t, func() {
			for name, call := range map[string]func() error{
				"Get":      func() error { _, err := e.svc.Get(e.ctx, g, doc.ID); return err },
				"Versions": func() error { _, err := e.svc.Versions(e.ctx, g, "DOC-1"); return err },
				"Readers":  func() error { _, err := e.svc.Readers(e.ctx, g, "DOC-1", 1); return err },
				"History":  func() error { _, err := e.svc.History(e.ctx, g, "DOC-1"); return err },
				"Update": func() error {
					_, err := e.svc.Update(e.ctx, g, "DOC-1", document.UpdateRequest{Version: doc.Version, Title: ptr("x")})
					return err
				},
				"StartDraft": func() error { _, err := e.svc.StartDraft(e.ctx, g, "DOC-1", document.DraftRequest{}); return err },
				"Review":     func() error { _, err := e.svc.Review(e.ctx, g, "DOC-1", document.ReviewRequest{}); return err },
				"Archive":    func() error { _, err := e.svc.Archive(e.ctx, g, doc.ID, document.ArchiveRequest{}); return err },
				"Acknowledge": func() error {
					_, err := e.svc.Acknowledge(e.ctx, g, "DOC-1", document.AcknowledgeRequest{Number: 1})
					return err
				},
			} {
				if err := call(); aims.CodeOf(err) != aims.CodeNotFound {
					t.Errorf("%s from Globex: %v", name, err)
				}
			}
		})
		// Globex's own AI policy is its own DOC-1.
		own, err := e.svc.Create(e.ctx, g, document.CreateRequest{Title: "Globex AI policy", Kind: "ai_policy"})
		if err != nil || own.Ref != "DOC-1" {
			t.Errorf("Globex's policy %+v, %v", own, err)
		}
		if items, _ := e.svc.ToRead(e.ctx, g); len(items) != 0 {
			t.Errorf("Globex is to read %+v", items)
		}
	})
}
