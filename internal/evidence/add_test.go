package evidence_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestAddAFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		contributor := e.as[aims.RoleContributor]
		sys := e.systems
		s1, err := sys.Get(e.ctx, contributor, "SYS-1")
		if err != nil {
			t.Fatal(err)
		}
		it, err := e.svc.Add(e.ctx, contributor, evidence.AddRequest{
			Kind: " file ", Title: "  Model card v3 ", Description: " Signed off by the board. ",
			ValidFrom: "2026-03-01", ValidUntil: "2027-02-28",
			Links: []string{"control:a.6.2.7", " clause:7.5.3", "ai_system:sys-1", "control:A.6.2.7", "ai_system:" + s1.ID, "control:CTL-1", "control:A.10.2", ""},
			File:  strings.NewReader(string(pdf)), FileName: `C:\Users\ada\Documents\model card "v3".pdf`,
		})
		if err != nil {
			t.Fatal(err)
		}
		want := &evidence.Evidence{ID: it.ID, Ref: "EV-1", Kind: "file", Title: "Model card v3", Description: "Signed off by the board.",
			FileSHA256: sum(pdf), FileName: "model card v3.pdf", FileSize: int64(len(pdf)), ContentType: "application/pdf",
			ValidFrom: "2026-03-01", ValidUntil: "2027-02-28", Validity: "current",
			Links: []evidence.EvidenceLink{
				{Type: "control", ID: "A.6.2.7", Ref: "A.6.2.7"},
				{Type: "control", ID: "A.10.2", Ref: "A.10.2"},
				{Type: "control", ID: "CTL-1", Ref: "CTL-1"},
				{Type: "clause", ID: "7.5.3", Ref: "7.5.3"},
				{Type: "ai_system", ID: s1.ID, Ref: "SYS-1", Title: "Credit scoring"},
			},
			AddedBy: contributor.UserID, AddedByName: "Acme contributor", Status: "active", Version: 1, CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, it); diff != "" || !aims.ValidID(it.ID) {
			t.Errorf("added (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, e.get(t, "ev-1")); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}

		// The file is stored once, under its hash, read-only.
		sha := sum(pdf)
		if got := e.files(t); !cmp.Equal(got, []string{sha[:2] + "/" + sha}) {
			t.Errorf("stored files = %q", got)
		}
		b, err := os.ReadFile(e.dir + "/" + sha[:2] + "/" + sha)
		if err != nil || string(b) != string(pdf) {
			t.Errorf("stored bytes differ: %v", err)
		}
		if fi, err := os.Stat(e.dir + "/" + sha[:2] + "/" + sha); err != nil || fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("stored file mode = %v, %v; want read-only", fi.Mode(), err)
		}

		// The audit event records the fields, the file's hash, name, size and type; never its content.
		ev := servicetest.LastEvent(t, e.ctx, e.d, e.org)
		if ev.Action != "evidence.add" || !ev.Time.Equal(t0) ||
			ev.Actor != (tlog.EventActor{Kind: "user", ID: contributor.UserID, Label: contributor.Email}) ||
			ev.Object != (tlog.EventObject{Type: "evidence", ID: it.ID, Ref: "EV-1"}) {
			t.Errorf("event = %+v", ev)
		}
		wantCh := map[string][2]string{
			"ref":          {"null", `"EV-1"`},
			"kind":         {"null", `"file"`},
			"title":        {"null", `"Model card v3"`},
			"description":  {"null", `"Signed off by the board."`},
			"file_sha256":  {"null", `"` + sha + `"`},
			"file_name":    {"null", `"model card v3.pdf"`},
			"file_size":    {"null", strconv.Itoa(len(pdf))},
			"content_type": {"null", `"application/pdf"`},
			"valid_from":   {"null", `"2026-03-01"`},
			"valid_until":  {"null", `"2027-02-28"`},
			"links":        {"null", `["control:A.6.2.7","control:A.10.2","control:CTL-1","clause:7.5.3","ai_system:SYS-1"]`},
			"status":       {"null", `"active"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		if servicetest.PayloadsContain(t, e.d, "/Catalog") {
			t.Error("the file's content reached the audit log")
		}
		if got := servicetest.RowsOf(t, d, `SELECT target_type, target_id FROM evidence_links WHERE evidence_id = ?`, it.ID); len(got) != 5 {
			t.Errorf("links stored = %q", got)
		}

		// The same content again is stored once and shared.
		e.clock.Advance(time.Minute)
		it2 := e.add(t, fileReq("Same card", "copy.PDF", pdf))
		if it2.Ref != "EV-2" || it2.FileSHA256 != sha || it2.FileName != "copy.PDF" || len(it2.Links) != 0 || it2.Links == nil {
			t.Errorf("second upload = %+v", it2)
		}
		if got := e.files(t); len(got) != 1 {
			t.Errorf("stored files after an identical upload = %q", got)
		}
	})
}

func TestAddALinkAndANote(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		manager := e.as[aims.RoleManager]
		link, err := e.svc.Add(e.ctx, manager, evidence.AddRequest{Kind: "link", Title: "Risk register",
			URL: " https://wiki.example.org/risk?id=7#top ", Links: []string{"clause:6.1.2"}})
		if err != nil {
			t.Fatal(err)
		}
		if link.Ref != "EV-1" || link.URL != "https://wiki.example.org/risk?id=7#top" || link.FileSHA256 != "" || link.Note != "" ||
			link.Validity != "current" || link.AddedByName != "Acme manager" {
			t.Errorf("link = %+v", link)
		}
		note, err := e.svc.Add(e.ctx, e.as[aims.RoleOwner], evidence.AddRequest{Kind: "note", Title: "Walkthrough",
			Note: "\n  Watched the review of three loan declines.\n\nAll had a named reviewer. ", ValidUntil: "2026-03-02"})
		if err != nil {
			t.Fatal(err)
		}
		if note.Ref != "EV-2" || note.Note != "Watched the review of three loan declines.\n\nAll had a named reviewer." ||
			note.URL != "" || note.Validity != "expiring" {
			t.Errorf("note = %+v", note)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-2:], []string{"evidence.add", "evidence.add"}) {
			t.Errorf("actions = %q", got)
		}
		ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if ch["note"][1] != `"Watched the review of three loan declines.\n\nAll had a named reviewer."` || ch["kind"][1] != `"note"` {
			t.Errorf("note changes = %v", ch)
		}
		if _, ok := ch["file_size"]; ok {
			t.Errorf("a note records a file size: %v", ch)
		}
		if got := e.files(t); len(got) != 0 {
			t.Errorf("files stored for a link and a note: %q", got)
		}
	})
}

func TestAddValidates(t *testing.T) {
	tests := []struct {
		name   string
		req    evidence.AddRequest
		fields []string
	}{
		{"everything wrong at once", evidence.AddRequest{Kind: "link", Title: " ", Description: strings.Repeat("d", 4001),
			URL: "ftp://example.org/x", Note: "not for a link", ValidFrom: "2026-13-01", ValidUntil: "tomorrow",
			Links: []string{"control:A.99", "policy:1"}, File: strings.NewReader("x"), FileName: "x.txt"},
			[]string{"description", "file", "links", "note", "title", "url", "valid_from", "valid_until"}},
		{"no kind", evidence.AddRequest{Title: "T"}, []string{"kind"}},
		{"unknown kind", evidence.AddRequest{Kind: "photo", Title: "T"}, []string{"kind"}},
		{"kind in the wrong case", evidence.AddRequest{Kind: "Note", Title: "T", Note: "N"}, []string{"kind"}},
		{"title too long", evidence.AddRequest{Kind: "note", Title: strings.Repeat("ä", 201), Note: "N"}, []string{"title"}},
		{"NUL in the title", evidence.AddRequest{Kind: "note", Title: "a\x00b", Note: "N"}, []string{"title"}},
		{"a link without a URL", evidence.AddRequest{Kind: "link", Title: "T"}, []string{"url"}},
		{"a javascript URL", evidence.AddRequest{Kind: "link", Title: "T", URL: "javascript:alert(1)"}, []string{"url"}},
		{"a URL without a host", evidence.AddRequest{Kind: "link", Title: "T", URL: "https:///path"}, []string{"url"}},
		{"a relative URL", evidence.AddRequest{Kind: "link", Title: "T", URL: "/evidence/EV-1"}, []string{"url"}},
		{"a URL with a password", evidence.AddRequest{Kind: "link", Title: "T", URL: "https://ada:secret@example.org/"}, []string{"url"}},
		{"a URL too long", evidence.AddRequest{Kind: "link", Title: "T", URL: "https://example.org/" + strings.Repeat("a", 1981)}, []string{"url"}},
		{"a URL on a note", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", URL: "https://example.org"}, []string{"url"}},
		{"a note without text", evidence.AddRequest{Kind: "note", Title: "T", Note: " \n "}, []string{"note"}},
		{"a note too long", evidence.AddRequest{Kind: "note", Title: "T", Note: strings.Repeat("n", 20001)}, []string{"note"}},
		{"a file without a file", evidence.AddRequest{Kind: "file", Title: "T"}, []string{"file"}},
		{"a file on a note", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", File: strings.NewReader("x"), FileName: "x.txt"}, []string{"file"}},
		{"a date in another form", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", ValidFrom: "02/03/2026"}, []string{"valid_from"}},
		{"a day that does not exist", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", ValidUntil: "2026-02-29"}, []string{"valid_until"}},
		{"until before from", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", ValidFrom: "2026-03-02", ValidUntil: "2026-03-01"}, []string{"valid_until"}},
		{"an unknown control", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", Links: []string{"control:A.6.2.99"}}, []string{"links"}},
		{"an unknown own control", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", Links: []string{"control:CTL-2"}}, []string{"links"}},
		{"a clause id of Annex A", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", Links: []string{"clause:A.6.2.4"}}, []string{"links"}},
		{"a control id that is a clause", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", Links: []string{"control:6.1.3"}}, []string{"links"}},
		{"an unknown system", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", Links: []string{"ai_system:SYS-9"}}, []string{"links"}},
		{"a link without a type", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", Links: []string{"A.6.2.4"}}, []string{"links"}},
		{"a link without an id", evidence.AddRequest{Kind: "note", Title: "T", Note: "N", Links: []string{"control:"}}, []string{"links"}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				servicetest.Unchanged(t, e.d, func() {
					_, err := e.svc.Add(e.ctx, e.as[aims.RoleOwner], tc.req)
					servicetest.WantFields(t, err, aims.CodeInvalid, tc.fields...)
				})
			})
		}
		// Another organisation's system is unknown here.
		other := e.member(t, "Globex", "otto@globex.example", "Otto", aims.RoleOwner)
		theirs, err := e.systems.Create(e.ctx, other, aisystem.CreateRequest{Name: "Globex scoring", IntendedPurpose: "P"})
		if err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Add(e.ctx, e.as[aims.RoleOwner], evidence.AddRequest{Kind: "note", Title: "T", Note: "N", Links: []string{"ai_system:" + theirs.ID}})
			ae := servicetest.WantCode(t, err, aims.CodeInvalid)
			if len(ae.Fields) != 1 || !contains(ae.Fields[0].Message, "ai_system:"+theirs.ID+" (no such AI system)") {
				t.Errorf("fields = %+v", ae.Fields)
			}
		})
		// The limits themselves are allowed, counted in characters.
		it := e.add(t, evidence.AddRequest{Kind: "link", Title: strings.Repeat("ä", 200), Description: strings.Repeat("€", 4000),
			URL: "https://example.org/" + strings.Repeat("a", 1980), ValidFrom: "2026-03-02", ValidUntil: "2026-03-02"})
		if it.Ref != "EV-1" {
			t.Errorf("evidence at the limits: %s", it.Ref)
		}
		if got := e.files(t); len(got) != 0 {
			t.Errorf("refused requests left files: %q", got)
		}
	})
}

func TestFileChecks(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00" + strings.Repeat("z", 40))
	tests := []struct {
		name, file string
		content    []byte
		problem    string // "" when the file is accepted
		typ        string
	}{
		{"pdf", "report.pdf", pdf, "", "application/pdf"},
		{"png in capitals", "SCREEN.PNG", png, "", "image/png"},
		{"text", "notes.txt", []byte("plain notes\n"), "", "text/plain; charset=utf-8"},
		{"csv", "metrics.csv", []byte("a,b\n1,2\n"), "", "text/csv; charset=utf-8"},
		{"json", "eval.json", []byte(`{"accuracy": 0.91}`), "", "application/json; charset=utf-8"},
		{"markdown", "README.md", []byte("# Model card\n"), "", "text/markdown; charset=utf-8"},
		{"html kept, served as an attachment", "page.html", []byte("<!DOCTYPE html><script>alert(1)</script>"), "", "text/html; charset=utf-8"},
		{"xml", "feed.xml", []byte(`<?xml version="1.0"?><a/>`), "", "application/xml; charset=utf-8"},
		{"mail", "approval.eml", []byte("From: ada@example.org\r\nSubject: approved\r\n\r\nYes.\r\n"), "", "message/rfc822; charset=utf-8"},
		{"docx", "policy.docx", zip, "", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"zip", "export.zip", zip, "", "application/zip"},
		{"an ELF program named .pdf", "report.pdf", []byte("\x7fELF\x02\x01\x01\x00" + strings.Repeat("\x00", 40)), "is an ELF program", ""},
		{"a Windows program named .txt", "notes.txt", []byte("MZ\x90\x00\x03\x00\x00\x00" + strings.Repeat("\x00", 40)), "is a Windows program", ""},
		{"a script named .txt", "notes.txt", []byte("#!/bin/sh\nrm -rf /\n"), "is a script", ""},
		{"an .exe", "setup.exe", []byte("hello"), ".exe files are not accepted", ""},
		{"no extension", "README", []byte("hello"), "needs a name with one of the extensions", ""},
		{"a PNG named .pdf", "report.pdf", png, "does not look like a .pdf file: its content is image/png", ""},
		{"binary named .csv", "data.csv", []byte{0, 1, 2, 3, 4, 5}, "does not look like a .csv file: its content is unrecognised binary data", ""},
		{"text named .docx", "policy.docx", []byte("not a zip"), "does not look like a .docx file", ""},
		{"empty", "empty.txt", nil, "is empty", ""},
		{"only folders", "../..", []byte("x"), "needs a file name", ""},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if tc.problem == "" {
					it := e.add(t, fileReq(tc.name, tc.file, tc.content))
					if it.ContentType != tc.typ || it.FileSize != int64(len(tc.content)) {
						t.Errorf("stored as %q, %d bytes; want %q", it.ContentType, it.FileSize, tc.typ)
					}
					return
				}
				before := e.files(t)
				servicetest.Unchanged(t, e.d, func() {
					_, err := e.svc.Add(e.ctx, e.as[aims.RoleOwner], fileReq(tc.name, tc.file, tc.content))
					servicetest.WantFields(t, err, aims.CodeInvalid, "file")
					if !strings.Contains(err.Error(), tc.problem) {
						t.Errorf("error %q does not say %q", err, tc.problem)
					}
				})
				if got := e.files(t); !cmp.Equal(got, before) {
					t.Errorf("a refused file changed the store: %q → %q", before, got)
				}
			})
		}
	})
}

func TestFileLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		at := []byte(strings.Repeat("a", maxBytes))
		over := append(at, 'b')
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Add(e.ctx, e.as[aims.RoleOwner], evidence.AddRequest{Kind: "file", Title: "", File: strings.NewReader(string(over)), FileName: "big.txt"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "file", "title")
			if !errors.Is(err, evidence.ErrFileTooLarge) || !strings.Contains(err.Error(), "file is larger than the limit of 4 KiB (4096 bytes)") {
				t.Errorf("error = %v; want it marked ErrFileTooLarge", err)
			}
		})
		// Nothing is stored and no temporary file is left.
		if got := e.files(t); len(got) != 0 {
			t.Errorf("an upload over the limit left %q", got)
		}
		it := e.add(t, fileReq("At the limit", "big.txt", at))
		if it.FileSize != maxBytes {
			t.Errorf("size = %d", it.FileSize)
		}
		if got := e.files(t); len(got) != 1 || strings.Contains(got[0], ".upload") {
			t.Errorf("files = %q", got)
		}
		// An invalid request with a good file leaves no file behind either.
		servicetest.Unchanged(t, e.d, func() {
			_, err := e.svc.Add(e.ctx, e.as[aims.RoleOwner], fileReq("Linked badly", "other.txt", []byte("other"), "control:A.1"))
			servicetest.WantFields(t, err, aims.CodeInvalid, "links")
			if errors.Is(err, evidence.ErrFileTooLarge) {
				t.Error("a small file marked too large")
			}
		})
		if got := e.files(t); len(got) != 1 {
			t.Errorf("files after a refused request = %q", got)
		}
	})
}

func TestGet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		n1 := e.note(t, "One", "", "")
		e.note(t, "Two", "", "")
		for _, key := range []string{n1.ID, strings.ToUpper(n1.ID), "EV-1", "ev-1", " Ev-1 "} {
			got, err := e.svc.Get(e.ctx, e.as[aims.RoleViewer], key)
			if err != nil {
				t.Errorf("Get(%q): %v", key, err)
				continue
			}
			if diff := cmp.Diff(n1, got); diff != "" {
				t.Errorf("Get(%q) (-want +got):\n%s", key, diff)
			}
		}
		for _, key := range []string{"EV-3", "EV-01", "EV1", "", aims.NewID(), "SYS-1"} {
			_, err := e.svc.Get(e.ctx, e.as[aims.RoleViewer], key)
			servicetest.WantCode(t, err, aims.CodeNotFound)
		}
		_, err := e.svc.Get(e.ctx, nil, "EV-1")
		servicetest.WantCode(t, err, aims.CodeUnauthenticated)
	})
}
