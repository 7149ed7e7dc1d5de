package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
)

// TestEvidenceCommands adds a file, a link and refused evidence against a
// running server, lists and shows them, and downloads the file with its
// hash checked, including from a server that sends other bytes.
func TestEvidenceCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env := apptest.New(t, dialect)
			sh := &shell{t: t, vars: map[string]string{"AIMS_SERVER": env.URL, "AIMS_TOKEN": env.Token("Acme", env.OwnerEmail)}}
			dir := t.TempDir()
			report := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
			sum := sha256.Sum256(report)
			sha := hex.EncodeToString(sum[:])
			reportPath := filepath.Join(dir, "bias report.pdf")
			if err := os.WriteFile(reportPath, report, 0o600); err != nil {
				t.Fatal(err)
			}

			r := sh.ok("", "evidence", "add", "--title", "Bias report", "--file", reportPath, "--link-to", "control:A.6.2.4",
				"--link-to", "clause:9.1", "--valid-until", "2099-12-31", "--description", "Quarterly fairness test")
			if !strings.Contains(r.stdout, "added EV-1 Bias report") || !strings.Contains(r.stdout, "bias report.pdf, "+strconv.Itoa(len(report))+" bytes, sha256 "+sha) {
				t.Errorf("add said %q", r.stdout)
			}
			r = sh.ok("", "evidence", "add", "--title", "Risk register", "--link", "https://wiki.example.org/risks", "--link-to", "clause:6.1.2", "-o", "json")
			var link struct{ Ref, Kind, URL string }
			if err := json.Unmarshal([]byte(r.stdout), &link); err != nil || link.Ref != "EV-2" || link.Kind != "link" {
				t.Errorf("add -o json: %v %+v", err, link)
			}
			sh.ok("", "evidence", "add", "--title", "Walkthrough", "--note", "Watched three reviews.")

			r = sh.run("", "evidence", "add", "--title", "Both", "--note", "n", "--file", reportPath)
			if r.code != 1 || !strings.Contains(r.stderr, "give exactly one of --file, --link and --note") {
				t.Errorf("two kinds: exit %d, %s", r.code, r.stderr)
			}
			r = sh.run("", "evidence", "add", "--title", "", "--note", "n", "--link-to", "control:A.99", "--valid-from", "someday")
			if r.code != 1 || !strings.Contains(r.stderr, "  title: is required") || !strings.Contains(r.stderr, "  links: ") ||
				!strings.Contains(r.stderr, "  valid_from: ") {
				t.Errorf("invalid add: exit %d, %s", r.code, r.stderr)
			}
			tool := filepath.Join(dir, "tool.pdf")
			os.WriteFile(tool, []byte("\x7fELF\x02\x01\x01\x00"), 0o600)
			r = sh.run("", "evidence", "add", "--title", "Tool", "--file", tool)
			if r.code != 1 || !strings.Contains(r.stderr, "file: is an ELF program") {
				t.Errorf("program: exit %d, %s", r.code, r.stderr)
			}
			r = sh.run("", "evidence", "add", "--title", "Missing", "--file", filepath.Join(dir, "nothing.pdf"))
			if r.code != 1 || !strings.Contains(r.stderr, "--file: open") {
				t.Errorf("missing file: exit %d, %s", r.code, r.stderr)
			}

			r = sh.ok("", "evidence", "list")
			for _, want := range []string{"REF   TITLE          KIND  VALIDITY  UNTIL       LINKS",
				"EV-1  Bias report    file  current   2099-12-31  control:A.6.2.4 clause:9.1", "EV-2  Risk register  link  current   -           clause:6.1.2"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("list lacks %q:\n%s", want, r.stdout)
				}
			}
			if !strings.Contains(r.stderr, "1–3 of 3") {
				t.Errorf("list said %q on stderr", r.stderr)
			}
			r = sh.ok("", "evidence", "list", "--target", "control:a.6.2.4", "-o", "json")
			var page struct {
				Total int
				Items []struct{ Ref string }
			}
			if err := json.Unmarshal([]byte(r.stdout), &page); err != nil || page.Total != 1 || page.Items[0].Ref != "EV-1" {
				t.Errorf("list --target: %v %+v", err, page)
			}
			r = sh.ok("", "evidence", "list", "--validity", "expired")
			if !strings.Contains(r.stderr, "no evidence matches") {
				t.Errorf("list --validity expired said %q", r.stderr)
			}
			r = sh.run("", "evidence", "list", "--validity", "soon")
			if r.code != 1 || !strings.Contains(r.stderr, "validity") {
				t.Errorf("bad validity: exit %d, %s", r.code, r.stderr)
			}

			r = sh.ok("", "evidence", "show", "ev-1")
			for _, want := range []string{"SHA-256       " + sha, "Description   Quarterly fairness test", "control:A.6.2.4",
				"evidence.add by owner@acme.example", `file_sha256: (none) → "` + sha + `"`} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("show lacks %q:\n%s", want, r.stdout)
				}
			}
			r = sh.run("", "evidence", "show", "EV-9")
			if r.code != 1 || !strings.Contains(r.stderr, "not found (HTTP 404)") {
				t.Errorf("show unknown: exit %d, %s", r.code, r.stderr)
			}

			// Download, with the hash checked.
			out := filepath.Join(dir, "copy.pdf")
			r = sh.ok("", "evidence", "download", "EV-1", "-o", out)
			if b, err := os.ReadFile(out); err != nil || !bytes.Equal(b, report) {
				t.Fatalf("downloaded %q, %v", b, err)
			}
			if !strings.Contains(r.stderr, "sha256 "+sha+" verified") {
				t.Errorf("download said %q", r.stderr)
			}
			r = sh.run("", "evidence", "download", "EV-1", "-o", out)
			if r.code != 1 || !strings.Contains(r.stderr, "exists: choose another path with -o") {
				t.Errorf("download over a file: exit %d, %s", r.code, r.stderr)
			}
			r = sh.ok("", "evidence", "download", "EV-1", "-o", "-")
			if r.stdout != string(report) {
				t.Errorf("download to stdout = %q", r.stdout)
			}
			r = sh.run("", "evidence", "download", "EV-2")
			if r.code != 1 || !strings.Contains(r.stderr, "EV-2 is a link and has no file") {
				t.Errorf("download of a link: exit %d, %s", r.code, r.stderr)
			}

			// A server (or anything between) that sends other bytes is caught, and nothing is saved.
			target, _ := url.Parse(env.URL)
			proxy := httputil.NewSingleHostReverseProxy(target)
			proxy.ModifyResponse = func(resp *http.Response) error {
				if strings.HasSuffix(resp.Request.URL.Path, "/file") {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					b = bytes.Replace(b, []byte("Catalog"), []byte("Katalog"), 1)
					resp.Body = io.NopCloser(bytes.NewReader(b))
				}
				return nil
			}
			bad := httptest.NewServer(proxy)
			defer bad.Close()
			sh.vars["AIMS_SERVER"] = bad.URL
			tampered := filepath.Join(dir, "tampered.pdf")
			r = sh.run("", "evidence", "download", "EV-1", "-o", tampered)
			if r.code != 1 || !strings.Contains(r.stderr, "SHA-256 MISMATCH for EV-1") || !strings.Contains(r.stderr, "the file was not saved") {
				t.Errorf("tampered download: exit %d, %s", r.code, r.stderr)
			}
			if _, err := os.Stat(tampered); !os.IsNotExist(err) {
				t.Errorf("a tampered download was saved: %v", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 3 {
				t.Errorf("files left in %s: %v", dir, entries)
			}
			sh.vars["AIMS_SERVER"] = env.URL

			// A file damaged on the server is refused there.
			stored := filepath.Join(env.App.Config.EvidencePath(), sha[:2], sha)
			os.Chmod(stored, 0o600)
			if err := os.WriteFile(stored, []byte("%PDF-1.7 other"), 0o600); err != nil {
				t.Fatal(err)
			}
			r = sh.run("", "evidence", "download", "EV-1", "-o", filepath.Join(dir, "again.pdf"))
			if r.code != 1 || !strings.Contains(r.stderr, "the stored file of EV-1 is damaged") || !strings.Contains(r.stderr, "HTTP 500") {
				t.Errorf("damaged download: exit %d, %s", r.code, r.stderr)
			}
		})
	}
}

func TestEvidenceHelpAndCompletion(t *testing.T) {
	sh := &shell{t: t, vars: map[string]string{}}
	if r := sh.ok("", "--help"); !regexp.MustCompile(`\n  evidence +List, add, show and download evidence`).MatchString(r.stdout) {
		t.Errorf("evidence is not listed in the help:\n%s", r.stdout)
	}
	r := sh.ok("", "evidence", "add", "--help")
	for _, want := range []string{"--file", "--link string", "--note", "--link-to", "--valid-until", "aims evidence add --title"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("add help lacks %q", want)
		}
	}
	r = sh.ok("", "__complete", "evidence", "list", "--validity", "")
	if !strings.Contains(r.stdout, "expiring\tExpiring soon") || strings.Contains(r.stdout, "archived") {
		t.Errorf("validity completion:\n%s", r.stdout)
	}
	r = sh.ok("", "__complete", "evidence", "add", "--link-to", "")
	if !strings.Contains(r.stdout, "control:\t") || !strings.Contains(r.stdout, "ai_system:\t") {
		t.Errorf("link completion:\n%s", r.stdout)
	}
}
