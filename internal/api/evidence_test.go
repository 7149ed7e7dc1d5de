package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Limits of the evidence test servers: files up to 2 KiB, other bodies up to 8 KiB.
const (
	evidenceLimit = 2048
	bodyLimit     = 8192
)

// newEvidenceWorld is a world whose server accepts small evidence files.
func newEvidenceWorld(t *testing.T, dialect db.Dialect) *world {
	e := apptest.NewWithConfig(t, apptest.Config(t, dialect, map[string]string{
		"AIMS_EVIDENCE_MAX_BYTES": "2048", "AIMS_MAX_BODY_BYTES": "8192"}))
	w := &world{Env: e, tokens: map[string]string{"none": ""}}
	w.tokens["owner"] = e.Token("Acme", e.OwnerEmail)
	for _, r := range []aims.Role{aims.RoleManager, aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer} {
		w.tokens[string(r)] = e.Member("Acme", string(r)+"@acme.example", r)
	}
	w.tokens["globex"] = e.Member("Globex", "owner@globex.example", aims.RoleOwner)
	if err := e.App.DB.QueryRowContext(context.Background(), `SELECT id FROM organisations WHERE name = 'Globex'`).Scan(&w.globex); err != nil {
		t.Fatal(err)
	}
	return w
}

// form is a multipart form: fields in order, and at most one file.
type form struct {
	fields   [][2]string
	fileName string
	file     []byte
}

// encode writes the form and returns its content type and bytes.
func (f form) encode(t *testing.T) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, kv := range f.fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if f.fileName != "" {
		fw, err := mw.CreateFormFile("file", f.fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.file)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

// send makes a request with a body of a content type.
func (w *world) send(t *testing.T, who, method, path, contentType string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, w.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if tok := w.tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// evStep is a step whose body may be a multipart form.
type evStep struct {
	step
	form *form
}

func (w *world) runEvidence(t *testing.T, steps []evStep) {
	t.Helper()
	for _, s := range steps {
		if s.form == nil {
			w.run(t, []step{s.step})
			continue
		}
		before := len(w.Actions(w.Org.ID))
		ct, body := s.form.encode(t)
		r := w.send(t, s.who, s.method, s.path, ct, bytes.NewReader(body))
		if r.status != s.status {
			t.Errorf("%s: %s %s as %s = %d, want %d\n%s", s.name, s.method, s.path, s.who, r.status, s.status, r.body)
			continue
		}
		for _, h := range s.has {
			if !bytes.Contains(r.body, []byte(h)) {
				t.Errorf("%s: answer lacks %q:\n%s", s.name, h, r.body)
			}
		}
		if s.fields != nil {
			if diff := cmp.Diff(s.fields, locations(t, r), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("%s: error locations (-want +got):\n%s", s.name, diff)
			}
		}
		if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: error answered with %s, want application/problem+json", s.name, r.header.Get("Content-Type"))
		}
		got := w.Actions(w.Org.ID)[before:]
		if diff := cmp.Diff(s.actions, got, cmpEmpty); diff != "" {
			t.Errorf("%s: audit actions (-want +got):\n%s", s.name, diff)
		}
	}
}

var cardPDF = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func fileForm(title, name string, content []byte, links ...string) *form {
	f := &form{fields: [][2]string{{"kind", "file"}, {"title", title}}, fileName: name, file: content}
	for _, l := range links {
		f.fields = append(f.fields, [2]string{"links", l})
	}
	return f
}

func eachEvidenceWorld(t *testing.T, f func(t *testing.T, w *world)) {
	for _, d := range dbtest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { f(t, newEvidenceWorld(t, d)) })
	}
}

// TestEvidenceEndpoints runs the evidence operations as each kind of caller
// and checks the status, the answer and the audit events written.
func TestEvidenceEndpoints(t *testing.T) {
	eachEvidenceWorld(t, func(t *testing.T, w *world) {
		w.run(t, []step{{name: "a system to link to", who: "owner", method: "POST", path: "/api/v1/systems", body: validSystem,
			status: 201, actions: []string{"ai_system.create"}}})
		add := []string{"evidence.add"}
		card := fileForm("Model card", "model card.pdf", cardPDF, "control:A.6.2.7", "ai_system:SYS-1", "clause:7.5.3")
		note := &form{fields: [][2]string{{"kind", "note"}, {"title", "Review walkthrough"}, {"note", "Watched three reviews."},
			{"valid_until", "2000-01-31"}, {"links", "control:A.6.2.6"}}}
		w.runEvidence(t, []evStep{
			{step: step{name: "anonymous add", who: "none", method: "POST", path: "/api/v1/evidence", status: 401}, form: card},
			{step: step{name: "viewer add", who: "viewer", method: "POST", path: "/api/v1/evidence", status: 403}, form: card},
			{step: step{name: "auditor add", who: "auditor", method: "POST", path: "/api/v1/evidence", status: 403}, form: card},
			{step: step{name: "contributor adds a file", who: "contributor", method: "POST", path: "/api/v1/evidence", status: 201,
				has: []string{`"ref":"EV-1"`, `"kind":"file"`, `"file_sha256":"` + sha(cardPDF) + `"`, `"file_name":"model card.pdf"`,
					`"content_type":"application/pdf"`, `"validity":"current"`, `"type":"ai_system"`, `"ref":"SYS-1"`,
					`"title":"Credit scoring"`, `"added_by_name"`}, actions: add}, form: card},
			{step: step{name: "manager adds a link", who: "manager", method: "POST", path: "/api/v1/evidence", status: 201,
				has: []string{`"ref":"EV-2"`, `"url":"https://wiki.example.org/risk"`}, actions: add},
				form: &form{fields: [][2]string{{"kind", "link"}, {"title", "Risk register"}, {"url", "https://wiki.example.org/risk"},
					{"valid_from", "2020-01-01"}, {"links", "clause:6.1.2"}}}},
			{step: step{name: "owner adds a note, expired", who: "owner", method: "POST", path: "/api/v1/evidence", status: 201,
				has: []string{`"ref":"EV-3"`, `"validity":"expired"`}, actions: add}, form: note},
			{step: step{name: "every bad field named", who: "owner", method: "POST", path: "/api/v1/evidence", status: 422,
				fields: []string{"body.description", "body.file", "body.links", "body.title", "body.url", "body.valid_from", "body.valid_until"}},
				form: &form{fields: [][2]string{{"kind", "link"}, {"title", " "}, {"description", strings.Repeat("d", 4001)},
					{"url", "ftp://example.org"}, {"valid_from", "2026-13-01"}, {"valid_until", "soon"}, {"links", "control:A.99"},
					{"links", "ai_system:SYS-9"}}, fileName: "x.txt", file: []byte("x")}},
			{step: step{name: "bad kind", who: "owner", method: "POST", path: "/api/v1/evidence", status: 422, fields: []string{"body.kind"}},
				form: &form{fields: [][2]string{{"kind", "photo"}, {"title", "T"}}}},
			{step: step{name: "no kind", who: "owner", method: "POST", path: "/api/v1/evidence", status: 422, fields: []string{"body.kind"}},
				form: &form{fields: [][2]string{{"title", "T"}}}},
			{step: step{name: "a program", who: "owner", method: "POST", path: "/api/v1/evidence", status: 422, fields: []string{"body.file"},
				has: []string{"is an ELF program"}}, form: fileForm("Tool", "tool.pdf", []byte("\x7fELF\x02\x01\x01"+strings.Repeat("\x00", 60)))},
			{step: step{name: "a type not accepted", who: "owner", method: "POST", path: "/api/v1/evidence", status: 422, fields: []string{"body.file"},
				has: []string{".exe files are not accepted"}}, form: fileForm("Setup", "setup.exe", []byte("hello"))},
			{step: step{name: "a file without a file", who: "owner", method: "POST", path: "/api/v1/evidence", status: 422, fields: []string{"body.file"}},
				form: &form{fields: [][2]string{{"kind", "file"}, {"title", "T"}}}},
			{step: step{name: "a file over the evidence limit", who: "owner", method: "POST", path: "/api/v1/evidence", status: 413,
				fields: []string{"body.file"}, has: []string{"is larger than the limit of 2 KiB (2048 bytes)"}},
				form: fileForm("Big", "big.txt", bytes.Repeat([]byte("a"), evidenceLimit+1))},
			{step: step{name: "a body over the request limit", who: "owner", method: "POST", path: "/api/v1/evidence", status: 413,
				fields: []string{"body.file"}}, form: fileForm("Huge", "huge.txt", bytes.Repeat([]byte("a"), evidenceLimit+bodyLimit+1))},
			{step: step{name: "a file at the limit", who: "owner", method: "POST", path: "/api/v1/evidence", status: 201,
				has: []string{`"ref":"EV-4"`, `"file_size":2048`}, actions: add}, form: fileForm("At the limit", "full.txt", bytes.Repeat([]byte("a"), evidenceLimit))},
			{step: step{name: "JSON is not a form", who: "owner", method: "POST", path: "/api/v1/evidence", body: `{"kind":"note","title":"T","note":"N"}`,
				status: 422, fields: []string{"body"}}},

			{step: step{name: "list as viewer", who: "viewer", method: "GET", path: "/api/v1/evidence", status: 200,
				has: []string{`"total":4`, `"ref":"EV-4"`}}},
			{step: step{name: "search", who: "auditor", method: "GET", path: "/api/v1/evidence?q=walkthrough", status: 200, has: []string{`"total":1`, `"EV-3"`}}},
			{step: step{name: "target", who: "viewer", method: "GET", path: "/api/v1/evidence?target=ai_system:sys-1", status: 200, has: []string{`"total":1`, `"EV-1"`}}},
			{step: step{name: "expired", who: "viewer", method: "GET", path: "/api/v1/evidence?validity=expired", status: 200, has: []string{`"total":1`, `"EV-3"`}}},
			{step: step{name: "kind and sort", who: "viewer", method: "GET", path: "/api/v1/evidence?kind=file&sort=title", status: 200, has: []string{`"total":2`}}},
			{step: step{name: "bad query", who: "viewer", method: "GET", path: "/api/v1/evidence?validity=soon&limit=500&target=policy", status: 422,
				fields: []string{"query.limit", "query.validity"}}},
			{step: step{name: "bad target", who: "viewer", method: "GET", path: "/api/v1/evidence?target=policy:1", status: 422, fields: []string{"query.target"}}},
			{step: step{name: "other organisation sees none", who: "globex", method: "GET", path: "/api/v1/evidence?status=all", status: 200, has: []string{`"total":0`}}},
			{step: step{name: "get by ref", who: "viewer", method: "GET", path: "/api/v1/evidence/ev-2", status: 200, has: []string{`"title":"Risk register"`}}},
			{step: step{name: "other organisation gets 404", who: "globex", method: "GET", path: "/api/v1/evidence/EV-1", status: 404}},
			{step: step{name: "unknown gets 404", who: "owner", method: "GET", path: "/api/v1/evidence/EV-99", status: 404}},
			{step: step{name: "no token", who: "none", method: "GET", path: "/api/v1/evidence/EV-1", status: 401}},

			{step: step{name: "update", who: "contributor", method: "PATCH", path: "/api/v1/evidence/EV-1", status: 200,
				body: `{"version":1,"title":"Model card v2","valid_until":"2099-12-31","links":["control:A.6.2.7","control:a.6.2.8"]}`,
				has:  []string{`"version":2`, `"title":"Model card v2"`, `"ref":"A.6.2.8"`}, actions: []string{"evidence.update"}}},
			{step: step{name: "stale version", who: "owner", method: "PATCH", path: "/api/v1/evidence/EV-1", status: 409,
				body: `{"version":1,"title":"Overwritten"}`, fields: []string{"body.version"}}},
			{step: step{name: "bad update", who: "owner", method: "PATCH", path: "/api/v1/evidence/EV-1", status: 422,
				body: `{"version":2,"title":"","valid_from":"2100-01-01","links":["clause:99"]}`, fields: []string{"body.links", "body.title", "body.valid_until"}}},
			{step: step{name: "the file cannot change", who: "owner", method: "PATCH", path: "/api/v1/evidence/EV-1", status: 422,
				body: `{"version":2,"file_sha256":"00"}`, fields: []string{"body.file_sha256"}}},
			{step: step{name: "viewer update", who: "viewer", method: "PATCH", path: "/api/v1/evidence/EV-1", body: `{"version":2,"title":"X"}`, status: 403}},
			{step: step{name: "foreign update", who: "globex", method: "PATCH", path: "/api/v1/evidence/EV-1", body: `{"version":2,"title":"X"}`, status: 404}},
			{step: step{name: "update missing version", who: "owner", method: "PATCH", path: "/api/v1/evidence/EV-1", body: `{"title":"X"}`, status: 422,
				fields: []string{"body.version"}}},

			{step: step{name: "contributor archive", who: "contributor", method: "POST", path: "/api/v1/evidence/EV-2/archive", status: 403}},
			{step: step{name: "foreign archive", who: "globex", method: "POST", path: "/api/v1/evidence/EV-2/archive", status: 404}},
			{step: step{name: "manager archive", who: "manager", method: "POST", path: "/api/v1/evidence/EV-2/archive", status: 200,
				has: []string{`"status":"archived"`, `"validity":"archived"`}, actions: []string{"evidence.archive"}}},
			{step: step{name: "archived hidden by default", who: "viewer", method: "GET", path: "/api/v1/evidence", status: 200, has: []string{`"total":3`}}},
			{step: step{name: "restore", who: "owner", method: "POST", path: "/api/v1/evidence/EV-2/restore", status: 200,
				has: []string{`"status":"active"`}, actions: []string{"evidence.restore"}}},
			{step: step{name: "foreign restore", who: "globex", method: "POST", path: "/api/v1/evidence/EV-2/restore", status: 404}},

			{step: step{name: "history", who: "viewer", method: "GET", path: "/api/v1/evidence/EV-1/history", status: 200,
				has: []string{`"action":"evidence.update"`, `"action":"evidence.add"`, `"field":"title","before":"Model card","after":"Model card v2"`,
					`"field":"file_sha256","after":"` + sha(cardPDF) + `"`, `"label":"contributor@acme.example"`}}},
			{step: step{name: "foreign history", who: "globex", method: "GET", path: "/api/v1/evidence/EV-1/history", status: 404}},
		})
		// Refused uploads left nothing behind; the limit test's temporary files are gone.
		var n int
		if err := w.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM evidence`).Scan(&n); err != nil || n != 4 {
			t.Errorf("evidence stored: %d (%v)", n, err)
		}
		if files := storedFiles(t, w.App.Config.EvidencePath()); len(files) != 2 {
			t.Errorf("evidence files = %q, want the card and the full file", files)
		}
	})
}

// storedFiles lists every file under the evidence folder.
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return out
}

// TestEvidenceDownload downloads a file with its headers, and refuses it
// once it has been changed on the server's disk.
func TestEvidenceDownload(t *testing.T) {
	eachEvidenceWorld(t, func(t *testing.T, w *world) {
		w.runEvidence(t, []evStep{
			{step: step{name: "add", who: "contributor", method: "POST", path: "/api/v1/evidence", status: 201, actions: []string{"evidence.add"}},
				form: fileForm("Page", "saved page.html", []byte("<!DOCTYPE html><script>alert(1)</script>"))},
			{step: step{name: "note", who: "contributor", method: "POST", path: "/api/v1/evidence", status: 201, actions: []string{"evidence.add"}},
				form: &form{fields: [][2]string{{"kind", "note"}, {"title", "N"}, {"note", "n"}}}},
		})
		content := []byte("<!DOCTYPE html><script>alert(1)</script>")
		r := w.call(t, "auditor", "GET", "/api/v1/evidence/EV-1/file", "")
		if r.status != 200 || !bytes.Equal(r.body, content) {
			t.Fatalf("download = %d %q", r.status, r.body)
		}
		digest := sha256.Sum256(content)
		for h, want := range map[string]string{
			"Content-Type":            "text/html; charset=utf-8",
			"Content-Disposition":     `attachment; filename="saved page.html"`,
			"X-Content-Type-Options":  "nosniff",
			"Content-Length":          "40",
			"Repr-Digest":             "sha-256=:" + base64.StdEncoding.EncodeToString(digest[:]) + ":",
			"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
		} {
			if got := r.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		w.run(t, []step{
			{name: "no token", who: "none", method: "GET", path: "/api/v1/evidence/EV-1/file", status: 401},
			{name: "another organisation", who: "globex", method: "GET", path: "/api/v1/evidence/EV-1/file", status: 404},
			{name: "a note has no file", who: "viewer", method: "GET", path: "/api/v1/evidence/EV-2/file", status: 404, has: []string{"has no file"}},
		})

		// Someone changes the stored file behind aims' back.
		path := filepath.Join(w.App.Config.EvidencePath(), sha(content)[:2], sha(content))
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("<!DOCTYPE html><p>changed</p>"), 0o600); err != nil {
			t.Fatal(err)
		}
		w.run(t, []step{{name: "damaged", who: "viewer", method: "GET", path: "/api/v1/evidence/EV-1/file", status: 500,
			has: []string{"the stored file of EV-1 is damaged", "restore it from a backup"}}})
	})
}

// TestUploadWithoutLength sends an upload of unknown length over the
// limit: it is cut off at the limit and answered 413.
func TestUploadWithoutLength(t *testing.T) {
	w := newEvidenceWorld(t, db.SQLite)
	ct, body := fileForm("Stream", "stream.txt", bytes.Repeat([]byte("s"), evidenceLimit+bodyLimit+100)).encode(t)
	pr, pw := io.Pipe()
	go func() {
		pw.Write(body)
		pw.Close()
	}()
	r := w.send(t, "owner", "POST", "/api/v1/evidence", ct, pr)
	pr.Close()
	if r.status != 413 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("upload without length = %d %s", r.status, r.body)
	}
	if files := storedFiles(t, w.App.Config.EvidencePath()); len(files) != 0 {
		t.Errorf("files = %q", files)
	}
}

// TestEvidenceMatchesTheDocument validates real evidence answers, the
// upload and the download included, against the OpenAPI document.
func TestEvidenceMatchesTheDocument(t *testing.T) {
	w := newEvidenceWorld(t, db.SQLite)
	doc := loadDocument(t, w, "/api/openapi.json")
	doc.Servers = openapi3.Servers{{URL: w.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	card := fileForm("Model card", "card.pdf", cardPDF, "control:A.6.2.7")
	for _, c := range []struct {
		who, method, path, body string
		form                    *form
	}{
		{"owner", "POST", "/api/v1/evidence", "", card},
		{"owner", "POST", "/api/v1/evidence", "", &form{fields: [][2]string{{"kind", "link"}, {"title", ""}}}},
		{"owner", "POST", "/api/v1/evidence", "", fileForm("Big", "big.txt", bytes.Repeat([]byte("b"), evidenceLimit+1))},
		{"viewer", "POST", "/api/v1/evidence", "", card},
		{"owner", "GET", "/api/v1/evidence?validity=current&target=control:A.6.2.7", "", nil},
		{"owner", "GET", "/api/v1/evidence?validity=someday", "", nil},
		{"owner", "GET", "/api/v1/evidence/EV-1", "", nil},
		{"globex", "GET", "/api/v1/evidence/EV-1", "", nil},
		{"owner", "PATCH", "/api/v1/evidence/EV-1", `{"version":1,"links":["clause:7.5.3"]}`, nil},
		{"owner", "PATCH", "/api/v1/evidence/EV-1", `{"version":1,"title":"Stale"}`, nil},
		{"owner", "POST", "/api/v1/evidence/EV-1/archive", "", nil},
		{"owner", "POST", "/api/v1/evidence/EV-1/restore", "", nil},
		{"owner", "GET", "/api/v1/evidence/EV-1/history", "", nil},
		{"owner", "GET", "/api/v1/evidence/EV-1/file", "", nil},
		{"owner", "GET", "/api/v1/evidence/EV-9/file", "", nil},
	} {
		var r response
		ct, body := "", []byte(c.body)
		if c.form != nil {
			ct, body = c.form.encode(t)
		} else if c.body != "" {
			ct = "application/json"
		}
		req, _ := http.NewRequest(c.method, w.URL+c.path, bytes.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		r = w.send(t, c.who, c.method, c.path, ct, bytes.NewReader(body))
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true,
				// The download's bytes are whatever was uploaded.
				ExcludeResponseBody: strings.HasSuffix(c.path, "/file") && r.status == 200},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s as %s → %d does not match the document: %v\n%s", c.method, c.path, c.who, r.status, err, r.body)
		}
	}
}
