package catalog_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/catalog"
	"github.com/google/go-cmp/cmp"
)

// readReference reads a reference TSV into rows of fields, without its header.
func readReference(t *testing.T, name string) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference", name))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for first := true; sc.Scan(); first = false {
		if first || sc.Text() == "" {
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	return rows
}

// TestReferenceCopiesAreCurrent compares the copies in testdata with the
// project's shared reference files, where this machine has them.
func TestReferenceCopiesAreCurrent(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "reference")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("no shared reference folder at %s", shared)
	}
	for _, name := range []string{"iso42001-clauses.tsv", "iso42001-annex-a.tsv", "iso42001-nist-ai-rmf-crosswalk.tsv"} {
		want, err := os.ReadFile(filepath.Join(shared, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("testdata", "reference", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, got) {
			t.Errorf("testdata/reference/%s differs from the shared reference", name)
		}
	}
}

func TestClausesMatchTheReference(t *testing.T) {
	var want, got [][3]string
	for _, r := range readReference(t, "iso42001-clauses.tsv") {
		want = append(want, [3]string{r[0], r[1], r[3]})
	}
	for _, c := range catalog.Clauses() {
		di := "no"
		if c.DocumentedInformation {
			di = "yes"
		}
		got = append(got, [3]string{c.ID, c.Title, di})
		if c.Asks == "" || c.Evidence == "" || c.AuditorSamples == "" {
			t.Errorf("clause %s lacks a description", c.ID)
		}
	}
	if len(got) != 32 {
		t.Errorf("%d sub-clauses, want 32", len(got))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("clauses differ from the reference (-want +got):\n%s", diff)
	}
}

func TestControlsMatchTheReference(t *testing.T) {
	var want, got [][3]string
	categories := map[string]string{}
	for _, r := range readReference(t, "iso42001-annex-a.tsv") {
		want = append(want, [3]string{r[0], r[1], r[3]})
		categories[r[1]] = r[2]
	}
	for _, c := range catalog.BuiltinControls() {
		got = append(got, [3]string{c.ID, c.CategoryID, c.Title})
		if c.Asks == "" || c.Evidence == "" || c.AuditorSamples == "" || c.Custom {
			t.Errorf("control %s lacks a description or is marked custom", c.ID)
		}
	}
	if len(got) != 38 {
		t.Errorf("%d controls, want 38", len(got))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("controls differ from the reference (-want +got):\n%s", diff)
	}
	cats := catalog.Categories()
	if len(cats) != 9 {
		t.Errorf("%d categories, want 9", len(cats))
	}
	for _, c := range cats {
		if categories[c.ID] != c.Title || c.Objective == "" {
			t.Errorf("category %s %q: reference says %q", c.ID, c.Title, categories[c.ID])
		}
	}
}

func TestAnnexC(t *testing.T) {
	var objectives, sources []string
	for _, it := range catalog.AnnexC() {
		switch it.Kind {
		case "objective":
			objectives = append(objectives, it.ID+" "+it.Title)
		case "risk_source":
			sources = append(sources, it.ID+" "+it.Title)
		default:
			t.Errorf("%s has kind %q", it.ID, it.Kind)
		}
	}
	if len(objectives) != 11 || len(sources) != 7 {
		t.Fatalf("%d objectives and %d risk sources, want 11 and 7", len(objectives), len(sources))
	}
	if objectives[4] != "C.2.5 Fairness" || sources[2] != "C.3.3 Level of automation" {
		t.Errorf("unexpected items: %q, %q", objectives[4], sources[2])
	}
}

// TestNISTCrosswalk rebuilds the official crosswalk's pairs from the
// reference file and compares them with the framework aims serves, and with
// the reverse index per control.
func TestNISTCrosswalk(t *testing.T) {
	want := map[string][]string{}
	functions := map[string]int{}
	for _, r := range readReference(t, "iso42001-nist-ai-rmf-crosswalk.tsv") {
		if _, ok := want[r[0]]; !ok {
			functions[r[1]]++
		}
		want[r[0]] = append(want[r[0]], r[2])
	}
	fw, ok := catalog.FrameworkByID("nist-ai-rmf")
	if !ok || fw.Authority != "official" {
		t.Fatalf("NIST AI RMF framework: %v %+v", ok, fw.Authority)
	}
	got := map[string][]string{}
	for _, it := range fw.Items {
		got[it.ID] = it.Refs
		if it.Text == "" || it.Group == "" {
			t.Errorf("%s lacks its text or function", it.ID)
		}
	}
	if len(got) != 72 {
		t.Errorf("%d subcategories, want 72", len(got))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("crosswalk differs from the reference (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}, functions); diff != "" {
		t.Errorf("subcategories per function:\n%s", diff)
	}
	// Every Annex A control is cited at least once, and the reverse index agrees.
	for _, c := range catalog.BuiltinControls() {
		var served []string
		for _, ref := range catalog.Serves(c.ID) {
			if ref.Framework == "nist-ai-rmf" {
				served = append(served, ref.ID)
			}
		}
		var cited []string
		for sub, refs := range want {
			if slices.Contains(refs, c.ID) {
				cited = append(cited, sub)
			}
		}
		slices.Sort(served)
		slices.Sort(cited)
		if len(cited) == 0 || !slices.Equal(served, cited) {
			t.Errorf("%s serves %q, the reference cites it in %q", c.ID, served, cited)
		}
	}
	// A value published in the reference write-up: A.2.2 serves GV1.1, GV1.2, MP1.4 and MP4.1.
	var a22 []string
	for _, ref := range catalog.Serves("A.2.2") {
		if ref.Framework == "nist-ai-rmf" {
			a22 = append(a22, ref.ID)
		}
	}
	slices.Sort(a22)
	if diff := cmp.Diff([]string{"GOVERN 1.1", "GOVERN 1.2", "MAP 1.4", "MAP 4.1"}, a22); diff != "" {
		t.Errorf("A.2.2 serves:\n%s", diff)
	}
}

func TestOtherCrosswalks(t *testing.T) {
	eu, ok := catalog.FrameworkByID("eu-ai-act")
	if !ok || eu.Authority != "analyst" {
		t.Fatal("EU AI Act crosswalk missing or mislabelled")
	}
	var articles []string
	for _, it := range eu.Items {
		articles = append(articles, it.ID)
		if len(it.Refs) == 0 || it.Title == "" || it.Text == "" {
			t.Errorf("%s lacks refs, title or gap", it.ID)
		}
	}
	want := []string{"Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 13", "Art. 14", "Art. 15", "Art. 17", "Art. 26", "Art. 27", "Art. 72", "Art. 73"}
	if diff := cmp.Diff(want, articles); diff != "" {
		t.Errorf("articles:\n%s", diff)
	}
	iso, ok := catalog.FrameworkByID("iso27001")
	if !ok || iso.Authority != "indicative" {
		t.Fatal("ISO/IEC 27001 crosswalk missing or mislabelled")
	}
	byID := map[string]catalog.FrameworkItem{}
	for _, it := range iso.Items {
		byID[it.ID] = it
	}
	if it := byID["8.15"]; it.Title != "Logging" || !slices.Contains(it.Refs, "A.6.2.8") {
		t.Errorf("27001 8.15 = %+v, want Logging serving A.6.2.8", it)
	}
	if !strings.Contains(iso.Notes["A.7.4"], "gap") {
		t.Errorf("A.7.4 has no 27001 counterpart and should say so: %q", iso.Notes["A.7.4"])
	}
	// Items sort numerically: 5.9 before 5.10.
	i9, i10 := -1, -1
	for i, it := range iso.Items {
		switch it.ID {
		case "5.9":
			i9 = i
		case "5.10":
			i10 = i
		}
	}
	if i9 < 0 || i10 < 0 || i9 > i10 {
		t.Errorf("5.9 at %d, 5.10 at %d", i9, i10)
	}
}

func TestClausePointersAndSearch(t *testing.T) {
	c, ok := catalog.ClauseByID("7.1")
	if !ok || c.Group != "7" || c.Heading != "" {
		t.Fatalf("7.1 = %+v", c)
	}
	if diff := cmp.Diff([]string{"A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6"}, c.AnnexA); diff != "" {
		t.Errorf("7.1 points to:\n%s", diff)
	}
	if c, _ := catalog.ClauseByID("9.2.2"); c.Heading != "9.2" || c.Group != "9" {
		t.Errorf("9.2.2 heading %q group %q", c.Heading, c.Group)
	}
	if _, ok := catalog.ClauseByID("A.2.2"); ok {
		t.Error("a control was returned as a clause")
	}
	if _, ok := catalog.BuiltinControl("6.1.3"); ok {
		t.Error("a clause was returned as a control")
	}
	var ids []string
	for _, c := range catalog.SearchClauses("internal audit") {
		ids = append(ids, c.ID)
	}
	if !slices.Contains(ids, "9.2.2") {
		t.Errorf("searching 'internal audit' finds %q", ids)
	}
	if len(catalog.Headings()) != 11 {
		t.Errorf("%d headings, want 11", len(catalog.Headings()))
	}
}
