package evidence_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestPermissions runs every operation as every role, as an administrative
// actor without a person, as nobody and as the owner of another
// organisation, who must not learn that the evidence exists.
func TestPermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.add(t, fileReq("Card", "card.pdf", pdf, "control:A.6.2.7")) // EV-1
		e.note(t, "Archived", "", "")                                 // EV-2
		if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "EV-2"); err != nil {
			t.Fatal(err)
		}
		other := e.member(t, "Globex", "otto@globex.example", "Otto", aims.RoleOwner)

		ops := []struct {
			name    string
			allowed []aims.Role
			do      func(a *aims.Actor) error
		}{
			{"Get", aims.Roles, func(a *aims.Actor) error { _, err := e.svc.Get(e.ctx, a, "EV-1"); return err }},
			{"History", aims.Roles, func(a *aims.Actor) error { _, err := e.svc.History(e.ctx, a, "EV-1"); return err }},
			{"Open", aims.Roles, func(a *aims.Actor) error {
				_, f, err := e.svc.Open(e.ctx, a, "EV-1")
				if err == nil {
					f.Close()
				}
				return err
			}},
			{"Update", editors, func(a *aims.Actor) error {
				it, err := e.svc.Get(e.ctx, e.as[aims.RoleViewer], "EV-1")
				if err != nil {
					return err
				}
				title := "Card, changed"
				if a != nil {
					title += " by " + string(a.Role)
				}
				_, err = e.svc.Update(e.ctx, a, "EV-1", evidence.EvidenceUpdateRequest{Version: it.Version, Title: &title})
				return err
			}},
			{"Archive", leads, func(a *aims.Actor) error { _, err := e.svc.Archive(e.ctx, a, "EV-1"); return err }},
			{"Restore", leads, func(a *aims.Actor) error { _, err := e.svc.Restore(e.ctx, a, "EV-2"); return err }},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				for _, r := range aims.Roles {
					err := op.do(e.as[r])
					if op.name == "Archive" && err == nil {
						// Put it back for the next role.
						if _, err := e.svc.Restore(e.ctx, e.as[aims.RoleOwner], "EV-1"); err != nil {
							t.Fatal(err)
						}
					}
					if op.name == "Restore" && err == nil {
						if _, err := e.svc.Archive(e.ctx, e.as[aims.RoleOwner], "EV-2"); err != nil {
							t.Fatal(err)
						}
					}
					if allowedRole(op.allowed, r) {
						if err != nil {
							t.Errorf("%s as %s: %v", op.name, r, err)
						}
						continue
					}
					servicetest.Unchanged(t, e.d, func() {
						servicetest.WantCode(t, op.do(e.as[r]), aims.CodeForbidden)
					})
				}
				servicetest.Unchanged(t, e.d, func() {
					servicetest.WantCode(t, op.do(nil), aims.CodeUnauthenticated)
					servicetest.WantCode(t, op.do(&aims.Actor{Kind: aims.ActorUser, UserID: aims.NewID()}), aims.CodeUnauthenticated)
					servicetest.WantCode(t, op.do(other), aims.CodeNotFound)
				})
			})
		}

		// Adding: editors may, the others may not; nor may an actor who is not a person.
		for _, r := range aims.Roles {
			req := evidence.AddRequest{Kind: "note", Title: "By " + string(r), Note: "N"}
			if allowedRole(editors, r) {
				if _, err := e.svc.Add(e.ctx, e.as[r], req); err != nil {
					t.Errorf("Add as %s: %v", r, err)
				}
				continue
			}
			servicetest.Unchanged(t, e.d, func() {
				_, err := e.svc.Add(e.ctx, e.as[r], req)
				servicetest.WantCode(t, err, aims.CodeForbidden)
			})
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Add(e.ctx, nil, evidence.AddRequest{Kind: "note", Title: "T", Note: "N"})
			servicetest.WantCode(t, err, aims.CodeUnauthenticated)
			_, err = e.svc.Add(e.ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "cli:root@host", OrgID: e.org}, evidence.AddRequest{Kind: "note", Title: "T", Note: "N"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			// A file refused for the role is not even stored.
			_, err = e.svc.Add(e.ctx, e.as[aims.RoleViewer], fileReq("T", "new.txt", []byte("new content")))
			servicetest.WantCode(t, err, aims.CodeForbidden)
		})
		if got := e.files(t); len(got) != 1 {
			t.Errorf("files = %q", got)
		}

		// Reading lists: everyone in Acme; another organisation sees none of Acme's evidence.
		for _, r := range aims.Roles {
			if _, err := e.svc.List(e.ctx, e.as[r], evidence.ListQuery{}); err != nil {
				t.Errorf("List as %s: %v", r, err)
			}
			if _, err := e.svc.Expiring(e.ctx, e.as[r]); err != nil {
				t.Errorf("Expiring as %s: %v", r, err)
			}
			if _, err := e.svc.ForTarget(e.ctx, e.as[r], "control", "A.6.2.7"); err != nil {
				t.Errorf("ForTarget as %s: %v", r, err)
			}
		}
		p, err := e.svc.List(e.ctx, other, evidence.ListQuery{Status: "all"})
		if err != nil || p.Total != 0 {
			t.Errorf("another organisation lists %+v, %v", p, err)
		}
		if items, err := e.svc.ForTarget(e.ctx, other, "control", "A.6.2.7"); err != nil || len(items) != 0 {
			t.Errorf("another organisation's evidence for A.6.2.7: %q, %v", refsOf(items), err)
		}
		if due, err := e.svc.Expiring(e.ctx, other); err != nil || len(due.Items) != 0 {
			t.Errorf("another organisation's due evidence: %+v, %v", due, err)
		}
		if m, err := e.svc.CurrentForControls(e.ctx, other.OrgID); err != nil || len(m) != 0 {
			t.Errorf("another organisation's current evidence: %v, %v", m, err)
		}
		for _, f := range []func() error{
			func() error { _, err := e.svc.List(e.ctx, nil, evidence.ListQuery{}); return err },
			func() error { _, err := e.svc.Expiring(e.ctx, nil); return err },
			func() error { _, err := e.svc.ForTarget(e.ctx, nil, "control", "A.6.2.7"); return err },
		} {
			servicetest.WantCode(t, f(), aims.CodeUnauthenticated)
		}
	})
}

var (
	editors = []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor}
	leads   = []aims.Role{aims.RoleOwner, aims.RoleManager}
)

func allowedRole(roles []aims.Role, r aims.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// TestOpenChecksTheHash downloads a file, then changes and removes it
// behind aims' back: every later download is refused as damaged.
func TestOpenChecksTheHash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		it := e.add(t, fileReq("Card", "card.pdf", pdf))
		e.note(t, "A note", "", "")
		got, f, err := e.svc.Open(e.ctx, e.as[aims.RoleAuditor], "ev-1")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil || string(b) != string(pdf) || got.Ref != "EV-1" {
			t.Fatalf("download = %q, %v", b, err)
		}
		if cd := got.ContentDisposition(); cd != "attachment; filename=card.pdf" {
			t.Errorf("Content-Disposition = %q", cd)
		}

		_, _, err = e.svc.Open(e.ctx, e.as[aims.RoleAuditor], "EV-2")
		servicetest.WantCode(t, err, aims.CodeNotFound)

		// Someone with access to the folder changes one byte.
		path := filepath.Join(e.dir, it.FileSHA256[:2], it.FileSHA256)
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		altered := strings.Replace(string(pdf), "Catalog", "Katalog", 1)
		if err := os.WriteFile(path, []byte(altered), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Open(e.ctx, e.as[aims.RoleAuditor], "EV-1")
		ae := servicetest.WantCode(t, err, aims.CodeInternal)
		if !errors.Is(err, evidence.ErrFileDamaged) || !strings.Contains(ae.Message, "the stored file of EV-1 is damaged") {
			t.Errorf("error = %v", err)
		}
		// Uploading the same content again does not overwrite the damaged file.
		e.add(t, fileReq("Card again", "card.pdf", pdf))
		if b, _ := os.ReadFile(path); string(b) != altered {
			t.Error("an upload overwrote a stored file")
		}
		// A missing file is damaged too.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Open(e.ctx, e.as[aims.RoleAuditor], "EV-1")
		if !errors.Is(err, evidence.ErrFileDamaged) || aims.CodeOf(err) != aims.CodeInternal {
			t.Errorf("missing file: %v", err)
		}
	})
}

// TestFailClosed proves that a change whose audit event cannot be written
// is refused whole: the evidence, its links, the reference counter and the
// logs stay as they were. An uploaded file may stay behind, unreferenced.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		owner := e.as[aims.RoleOwner]
		e.note(t, "Note", "", "", "control:A.2.2")
		e.note(t, "Archived", "", "")
		if _, err := e.svc.Archive(e.ctx, owner, "EV-2"); err != nil {
			t.Fatal(err)
		}
		servicetest.FailAuditAppends(t, d)
		ops := []struct {
			name string
			do   func() error
		}{
			{"Add a note", func() error {
				_, err := e.svc.Add(e.ctx, owner, evidence.AddRequest{Kind: "note", Title: "New", Note: "N", Links: []string{"clause:9.2.1"}})
				return err
			}},
			{"Add a file", func() error { _, err := e.svc.Add(e.ctx, owner, fileReq("New", "new.pdf", pdf)); return err }},
			{"Update", func() error {
				_, err := e.svc.Update(e.ctx, owner, "EV-1", evidence.EvidenceUpdateRequest{Version: 1, Title: ptr("Changed"), Links: &[]string{}})
				return err
			}},
			{"Archive", func() error { _, err := e.svc.Archive(e.ctx, owner, "EV-1"); return err }},
			{"Restore", func() error { _, err := e.svc.Restore(e.ctx, owner, "EV-2"); return err }},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					err := op.do()
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if got := e.get(t, "EV-1"); got.Title != "Note" || len(got.Links) != 1 || got.Version != 1 {
			t.Errorf("EV-1 changed: %+v", got)
		}
		// The file of the refused upload is stored, unreferenced and harmless.
		if got := e.files(t); len(got) != 1 {
			t.Errorf("files = %q", got)
		}
	})
}
