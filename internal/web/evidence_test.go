package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/evidence"
)

// evidenceMax is the evidence file limit of these tests' servers: larger
// than the form limit, so that an upload between the two proves uploads
// get the evidence limit.
const evidenceMax = 100_000

// eachEvidenceEnv runs f once per dialect with a server whose forms are
// limited to maxBody and evidence files to evidenceMax.
func eachEvidenceEnv(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range dbtest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ae := apptest.Serve(t, apptest.Config(t, d, map[string]string{
				"AIMS_MAX_BODY_BYTES": strconv.Itoa(maxBody), "AIMS_EVIDENCE_MAX_BYTES": strconv.Itoa(evidenceMax)}))
			f(t, &env{t: t, ctx: t.Context(), app: ae.App, srv: ae.Server})
		})
	}
}

// postMultipart posts a multipart form with fields and, when name is set, a file.
func (c *client) postMultipart(path string, fields url.Values, name string, content []byte) response {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(content)
	} else {
		// A browser sends an empty file part when no file was chosen.
		fw, _ := mw.CreateFormFile("file", "")
		fw.Write(nil)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &b)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// today is the date n days from now, as the server's clock sees it.
func today(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(evidence.DateLayout) }

func TestEvidenceFormKeepsInputOnError(t *testing.T) {
	eachEvidenceEnv(t, func(t *testing.T, e *env) {
		e.setup()
		e.createSystem(e.owner(), aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "p"})
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/evidence/new?link=control:A.6.2.4")
		want(t, r, http.StatusOK, "Add evidence", `enctype="multipart/form-data"`, `name="kind" value="file" checked`,
			`type="file"`, `name="url"`, `name="note"`, `type="date"`, "A.6 AI system life cycle",
			`value="control:A.6.2.4" checked`, `value="clause:6.1.3"`, `value="ai_system:SYS-1"`, "SYS-1 Credit scoring",
			"at most 97.7 KB")
		wantCSPSafe(t, r)

		form := url.Values{"kind": {"link"}, "title": {" "}, "url": {"ftp://files.example.org/x"}, "description": {"Kept by IT"},
			"valid_from": {"2026-05-01"}, "valid_until": {"2026-04-01"}, "links": {"control:A.6.2.4", "ai_system:SYS-1", "clause:9.9"}}
		r = c.postMultipart("/evidence", form, "", nil)
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", `href="#title"`,
			`id="title-error"`, "Title is required", `id="url-error"`, "URL must be a web address",
			`id="valid_until-error"`, "Valid until must not be before the first valid day (2026-05-01)",
			`id="links-error"`, "clause:9.9 (no such clause)",
			`value="ftp://files.example.org/x"`, "Kept by IT", `value="2026-05-01"`, `value="2026-04-01"`,
			`name="kind" value="link" checked`, `value="control:A.6.2.4" checked`, `value="ai_system:SYS-1" checked`,
			`value="clause:9.9" checked`, "<details open>")
		wantNot(t, r, `value="file" checked`)
		wantCSPSafe(t, r)

		// A refused file must be chosen again, and the page says so.
		form = url.Values{"kind": {"file"}, "title": {"Installer"}}
		r = c.postMultipart("/evidence", form, "setup.exe", []byte("MZ\x90\x00"))
		want(t, r, http.StatusUnprocessableEntity, `id="file-error"`, "is a Windows program", "Choose setup.exe again", `value="Installer"`)
		if n := strings.Count(r.Body, `aria-invalid="true"`); n != 1 {
			t.Fatalf("%d fields are marked invalid, want 1", n)
		}
		if got := e.app.Evidence; got == nil {
			t.Fatal("no evidence service")
		}
		if p, err := e.app.Evidence.List(e.ctx, e.owner(), evidence.ListQuery{Status: "all"}); err != nil || p.Total != 0 {
			t.Fatalf("refused forms stored evidence: %+v %v", p, err)
		}
	})
}

func TestEvidenceUploadAndDownload(t *testing.T) {
	eachEvidenceEnv(t, func(t *testing.T, e *env) {
		e.setup()
		c := e.client()
		c.login("olivia@example.org")
		// Larger than the form limit, within the evidence limit.
		content := bytes.Repeat([]byte("measured accuracy 0.91\n"), 4000)
		if len(content) <= maxBody || len(content) > evidenceMax {
			t.Fatalf("test file of %d bytes", len(content))
		}
		form := url.Values{"kind": {"file"}, "title": {"Evaluation log"}, "valid_until": {today(10)}, "links": {"control:A.6.2.4", "clause:9.1"}}
		wantRedirect(t, c.postMultipart("/evidence", form, `C:\reports\eval "march".txt`, content), "/evidence/EV-1")
		sum := sha256.Sum256(content)
		sha := hex.EncodeToString(sum[:])
		r := c.get("/evidence/EV-1")
		want(t, r, http.StatusOK, "EV-1 Evaluation log", "EV-1 Evaluation log is added.", "eval march.txt", "89.8 KB",
			sha, "text/plain; charset=utf-8", `href="/evidence/EV-1/file"`, "Expiring soon", today(10),
			`href="/catalog/controls/A.6.2.4"`, "AI system verification and validation", `href="/catalog/clauses/9.1"`,
			"Added the evidence", "evidence.add", "Olivia Owner", "Archive", "Edit")
		wantCSPSafe(t, r)

		r = c.get("/evidence/EV-1/file")
		if r.Status != http.StatusOK || r.Body != string(content) {
			t.Fatalf("download = %d, %d bytes", r.Status, len(r.Body))
		}
		for h, v := range map[string]string{"Content-Type": "text/plain; charset=utf-8", "Content-Disposition": `attachment; filename="eval march.txt"`,
			"X-Content-Type-Options": "nosniff", "Content-Length": strconv.Itoa(len(content)), "Cache-Control": "private, no-store"} {
			if got := r.Header.Get(h); got != v {
				t.Errorf("%s = %q, want %q", h, got, v)
			}
		}

		// Over the evidence limit: the form comes back with the error by the file.
		big := bytes.Repeat([]byte("x"), evidenceMax+1)
		r = c.postMultipart("/evidence", url.Values{"kind": {"file"}, "title": {"Too big"}}, "big.txt", big)
		want(t, r, http.StatusRequestEntityTooLarge, `id="file-error"`, "File is larger than the limit of", "Choose big.txt again", `value="Too big"`)
		// Far over it: the body is cut off and a page explains.
		huge := bytes.Repeat([]byte("x"), evidenceMax+(1<<20)+1)
		r = c.postMultipart("/evidence", url.Values{"kind": {"file"}, "title": {"Huge"}}, "huge.txt", huge)
		want(t, r, http.StatusRequestEntityTooLarge, "The file is too large", "Nothing was stored")
		// Other forms keep the form limit.
		r = c.post("/evidence/EV-1", url.Values{"version": {"1"}, "title": {strings.Repeat("t", maxBody)}})
		want(t, r, http.StatusRequestEntityTooLarge)
		if files := storedFiles(t, e.app.Config.EvidencePath()); len(files) != 1 {
			t.Errorf("stored files = %q", files)
		}

		// A file changed on the server's disk is refused, with a page that says so.
		path := filepath.Join(e.app.Config.EvidencePath(), sha[:2], sha)
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("measured accuracy 0.99\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r = c.get("/evidence/EV-1/file")
		want(t, r, http.StatusInternalServerError, "The file is damaged", "The stored file of EV-1 is damaged")
		wantNot(t, r, "measured accuracy")
	})
}

// storedFiles lists the files under the evidence folder.
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

func TestEvidenceEditArchiveAndRoles(t *testing.T) {
	eachEvidenceEnv(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, contributor, viewer := cs[aims.RoleOwner], cs[aims.RoleContributor], cs[aims.RoleViewer]
		wantRedirect(t, contributor.postMultipart("/evidence", url.Values{"kind": {"link"}, "title": {"Risk register"},
			"url": {"https://wiki.example.org/risk"}, "links": {"clause:6.1.2"}}, "", nil), "/evidence/EV-1")

		r := contributor.get("/evidence/EV-1/edit")
		want(t, r, http.StatusOK, "Edit EV-1", `name="version" value="1"`, `value="Risk register"`, `value="clause:6.1.2" checked`,
			"The link https://wiki.example.org/risk cannot be changed", `action="/evidence/EV-1"`)
		wantNot(t, r, `enctype="multipart/form-data"`, `name="url"`)
		wantCSPSafe(t, r)
		r = contributor.get("/evidence/EV-1")
		want(t, r, http.StatusOK, `href="https://wiki.example.org/risk" rel="noopener noreferrer nofollow"`, "Edit")
		wantNot(t, r, "Archive</button>", "Download")

		form := url.Values{"version": {"1"}, "title": {"Risk register 2026"}, "description": {"Reviewed quarterly"},
			"valid_from": {""}, "valid_until": {today(-1)}, "links": {"clause:6.1.2", "clause:8.2"}}
		wantRedirect(t, contributor.post("/evidence/EV-1", form), "/evidence/EV-1")
		r = contributor.get("/evidence/EV-1")
		want(t, r, http.StatusOK, "EV-1 Risk register 2026", "Version 2", "Expired", "Changed the evidence", "evidence.update",
			`href="/catalog/clauses/8.2"`, "Reviewed quarterly")

		// A stale edit is refused and keeps what was typed; an invalid one names the field.
		form.Set("title", "Overwritten")
		r = owner.post("/evidence/EV-1", form)
		want(t, r, http.StatusConflict, "Someone changed this evidence since you loaded it", `value="Overwritten"`, "Version is 2, not 1")
		form.Set("version", "2")
		form.Set("title", "")
		r = owner.post("/evidence/EV-1", form)
		want(t, r, http.StatusUnprocessableEntity, `id="title-error"`, "Title is required", `value="clause:8.2" checked`)

		// Viewers read; they cannot add, edit or archive, and are not offered to.
		r = viewer.get("/evidence/EV-1")
		want(t, r, http.StatusOK, "Risk register 2026")
		wantNot(t, r, "/evidence/EV-1/edit", "Archive</button>")
		want(t, viewer.get("/evidence"), http.StatusOK, "EV-1")
		wantNot(t, viewer.get("/evidence"), "Add evidence</a>")
		want(t, viewer.get("/evidence/new"), http.StatusForbidden)
		want(t, viewer.postMultipart("/evidence", url.Values{"kind": {"note"}, "title": {"T"}, "note": {"N"}}, "", nil), http.StatusForbidden)
		want(t, viewer.post("/evidence/EV-1", url.Values{"version": {"2"}, "title": {"X"}}), http.StatusForbidden)
		want(t, contributor.post("/evidence/EV-1/archive", nil), http.StatusForbidden)

		// A manager archives, an owner restores.
		wantRedirect(t, cs[aims.RoleManager].post("/evidence/EV-1/archive", nil), "/evidence/EV-1")
		want(t, cs[aims.RoleManager].get("/evidence/EV-1"), http.StatusOK, "EV-1 is archived")
		r = owner.get("/evidence/EV-1")
		want(t, r, http.StatusOK, "Restore", "Archived the evidence")
		wantNot(t, r, "/evidence/EV-1/edit")
		wantRedirect(t, owner.post("/evidence/EV-1/restore", nil), "/evidence/EV-1")
		want(t, owner.get("/evidence/EV-1"), http.StatusOK, "is restored", "Restored the evidence")

		// Another organisation's people find nothing.
		e.addUser("Globex", "gina@globex.example", "Gina", aims.RoleOwner)
		g := e.client()
		g.login("gina@globex.example")
		want(t, g.get("/evidence/EV-1"), http.StatusNotFound)
		want(t, g.get("/evidence/EV-1/file"), http.StatusNotFound)
		want(t, g.post("/evidence/EV-1/archive", nil), http.StatusNotFound)
		wantNot(t, g.get("/evidence"), "EV-1")
	})
}

func TestEvidenceList(t *testing.T) {
	eachEvidenceEnv(t, func(t *testing.T, e *env) {
		e.setup()
		owner := e.owner()
		for _, req := range []evidence.AddRequest{
			{Kind: "note", Title: "Old walkthrough", Note: "n", ValidUntil: today(-3), Links: []string{"control:A.6.2.6"}},
			{Kind: "note", Title: "Soon walkthrough", Note: "n", ValidUntil: today(5), Links: []string{"control:A.6.2.6", "clause:9.2.1"}},
			{Kind: "link", Title: "Policy page", URL: "https://intranet.example.org/policy"},
		} {
			if _, err := e.app.Evidence.Add(e.ctx, owner, req); err != nil {
				t.Fatal(err)
			}
		}
		c := e.client()
		c.login("olivia@example.org")
		r := c.get("/evidence")
		want(t, r, http.StatusOK, "1–3 of 3", `href="/evidence/EV-3"`, "Policy page", "Expired", "Expiring soon", "Current",
			`href="/catalog/controls/A.6.2.6"`, `href="/catalog/clauses/9.2.1"`, "No end", "Add evidence")
		wantCSPSafe(t, r)
		if strings.Index(r.Body, "EV-3") > strings.Index(r.Body, "EV-1<") {
			t.Errorf("the newest evidence is not first")
		}
		r = c.get("/evidence?validity=expired")
		want(t, r, http.StatusOK, "1–1 of 1", "Old walkthrough", `value="expired" selected`)
		wantNot(t, r, "Soon walkthrough")
		r = c.get("/evidence?target=clause:9.2.1&q=walkthrough")
		want(t, r, http.StatusOK, "1–1 of 1", "Soon walkthrough", `value="clause:9.2.1"`)
		r = c.get("/evidence?sort=title")
		want(t, r, http.StatusOK, `aria-sort="ascending"`, `href="/evidence?sort=-title"`)
		if strings.Index(r.Body, "Old walkthrough") > strings.Index(r.Body, "Policy page") {
			t.Errorf("not sorted by title")
		}
		r = c.get("/evidence?validity=someday&target=policy&limit=x")
		want(t, r, http.StatusUnprocessableEntity, "There is a problem", "Page size must be a whole number")
		r = c.get("/evidence?validity=someday&target=policy")
		want(t, r, http.StatusUnprocessableEntity, `id="target-error"`, `id="validity-error"`, `value="policy"`)
	})
}

func TestDashboardEvidenceBox(t *testing.T) {
	eachEvidenceEnv(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		r := cs[aims.RoleViewer].get("/")
		want(t, r, http.StatusOK, "Evidence to renew", "No evidence has expired or expires within the next 30 days.")
		owner := e.owner()
		for _, req := range []evidence.AddRequest{
			{Kind: "note", Title: "Lapsed review", Note: "n", ValidUntil: today(-1)},
			{Kind: "note", Title: "Ending review", Note: "n", ValidUntil: today(30)},
			{Kind: "note", Title: "Later review", Note: "n", ValidUntil: today(31)},
			{Kind: "note", Title: "Open review", Note: "n"},
		} {
			if _, err := e.app.Evidence.Add(e.ctx, owner, req); err != nil {
				t.Fatal(err)
			}
		}
		for role, c := range cs {
			r := c.get("/")
			want(t, r, http.StatusOK, "Evidence to renew", `href="/evidence?validity=expired">1 expired</a>`,
				`href="/evidence?validity=expiring">1 expires within 30 days</a>`, `href="/evidence/EV-1"`, "Lapsed review",
				`href="/evidence/EV-2"`, "Ending review", today(30))
			wantNot(t, r, "Later review", "Open review")
			wantCSPSafe(t, r)
			if strings.Index(r.Body, "Lapsed review") > strings.Index(r.Body, "Ending review") {
				t.Errorf("%s: expired evidence is not listed first", role)
			}
		}
	})
}
