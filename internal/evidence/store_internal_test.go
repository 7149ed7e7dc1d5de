package evidence

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                      "report.pdf",
		"/etc/passwd.txt":                 "passwd.txt",
		`C:\Users\ada\My Docs\card.pdf`:   "card.pdf",
		"../../secret.txt":                "secret.txt",
		"..":                              "",
		"/":                               "",
		"":                                "",
		".hidden.txt":                     "hidden.txt",
		"  two\tspaces\n here .txt ":      "two spaces here .txt",
		"quote\"d.txt":                    "quoted.txt",
		"bell\x07.txt":                    "bell.txt",
		"Überprüfung.pdf":                 "Überprüfung.pdf",
		strings.Repeat("ä", 200) + ".pdf": strings.Repeat("ä", 125) + ".pdf",
		"bad\xffutf8.txt":                 "badutf8.txt",
		"report.pdf\u202egnp.exe":         "report.pdfgnp.exe",
	} {
		if got := cleanFileName(in); got != want {
			t.Errorf("cleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareRefs(t *testing.T) {
	ls := []EvidenceLink{{Type: "ai_system", Ref: "SYS-10"}, {Type: "ai_system", Ref: "SYS-9"}, {Type: "clause", Ref: "10.2"},
		{Type: "clause", Ref: "9.1"}, {Type: "control", Ref: "CTL-2"}, {Type: "control", Ref: "A.10.2"}, {Type: "control", Ref: "A.6.2.4"}}
	sortLinks(ls)
	var got []string
	for _, l := range ls {
		got = append(got, l.Ref)
	}
	if want := "A.6.2.4 A.10.2 CTL-2 9.1 10.2 SYS-9 SYS-10"; strings.Join(got, " ") != want {
		t.Errorf("order %q, want %q", got, want)
	}
}

// TestConcurrentIdenticalUploads stores the same content from several
// uploads at once: one file results, and every upload reports its hash.
func TestConcurrentIdenticalUploads(t *testing.T) {
	s := &store{dir: t.TempDir(), maxBytes: 1 << 20}
	content := bytes.Repeat([]byte("evidence "), 1000)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := s.stage(bytes.NewReader(content))
			if err == nil {
				err = s.place(st)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	filepath.WalkDir(s.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	if len(names) != 1 {
		t.Fatalf("files = %q", names)
	}
	f, err := s.open(filepath.Base(names[0]))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := s.open("not-a-hash"); !errors.Is(err, ErrFileDamaged) {
		t.Errorf("open of a bad name: %v", err)
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{52428800: "50 MiB (52428800 bytes)", 4096: "4 KiB (4096 bytes)", 1000: "1000 bytes", 1536: "1536 bytes"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
