// Package catalog is ISO/IEC 42001 as data: the sub-clauses of clauses 4–10,
// the Annex A controls in their categories, Annex C's objectives and risk
// sources, and crosswalks to other frameworks; plus the controls an
// organisation adds of its own. Ids and titles are facts; every
// description is written for aims, in its own words.
package catalog

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed data/*.tsv
var dataFS embed.FS

// Clause is a leaf sub-clause of clauses 4–10: a requirement an
// organisation is certified against.
type Clause struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Group is the top-level clause (4 to 10); Heading the intermediate
	// heading (such as 6.1) when there is one.
	Group   string `json:"group"`
	Heading string `json:"heading,omitempty"`
	// DocumentedInformation says whether the clause itself requires a document or record.
	DocumentedInformation bool   `json:"documented_information"`
	Asks                  string `json:"asks" doc:"What the clause asks, in aims' words."`
	Evidence              string `json:"evidence" doc:"Which records show it is met."`
	AuditorSamples        string `json:"auditor_samples" doc:"What a certification auditor will sample."`
	// AnnexA lists the controls the clause points to.
	AnnexA []string `json:"annex_a"`
}

// Heading is a clause heading that groups sub-clauses: 4 to 10, and 6.1, 7.5, 9.2 and 9.3.
type Heading struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
}

// Category is one of Annex A's nine control categories, A.2 to A.10.
type Category struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Objective string `json:"objective"`
}

// AnnexCItem is one of Annex C's potential AI-related objectives or risk sources.
type AnnexCItem struct {
	ID          string `json:"id"`
	Kind        string `json:"kind" enum:"objective,risk_source"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// catalogue is the built-in content, parsed once from the embedded files.
type catalogue struct {
	clauses    []Clause
	headings   []Heading
	categories []Category
	controls   []Control
	annexC     []AnnexCItem
	frameworks []Framework
	byID       map[string]int // clause and control ids to their index
	serves     map[string][]ItemRef
}

var builtin = mustLoad()

func mustLoad() *catalogue {
	c, err := load()
	if err != nil {
		panic(fmt.Sprintf("the built-in catalogue is malformed: %v", err))
	}
	return c
}

func load() (*catalogue, error) {
	c := &catalogue{byID: map[string]int{}, serves: map[string][]ItemRef{}}
	err := readTSV("clauses.tsv", []string{"id", "title", "documented_information", "asks", "evidence", "auditor_samples", "annex_a"}, func(r []string) error {
		group, _, _ := strings.Cut(r[0], ".")
		heading := ""
		if parts := strings.Split(r[0], "."); len(parts) == 3 {
			heading = parts[0] + "." + parts[1]
		}
		c.byID[r[0]] = len(c.clauses)
		c.clauses = append(c.clauses, Clause{ID: r[0], Title: r[1], Group: group, Heading: heading,
			DocumentedInformation: r[2] == "yes", Asks: r[3], Evidence: r[4], AuditorSamples: r[5], AnnexA: fields(r[6])})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := readTSV("clause_groups.tsv", []string{"id", "title", "summary"}, func(r []string) error {
		c.headings = append(c.headings, Heading{ID: r[0], Title: r[1], Summary: r[2]})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := readTSV("categories.tsv", []string{"id", "title", "objective"}, func(r []string) error {
		c.categories = append(c.categories, Category{ID: r[0], Title: r[1], Objective: r[2]})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := readTSV("controls.tsv", []string{"id", "category_id", "title", "asks", "evidence", "auditor_samples"}, func(r []string) error {
		c.byID[r[0]] = len(c.controls)
		c.controls = append(c.controls, Control{ID: r[0], CategoryID: r[1], Title: r[2], Asks: r[3], Evidence: r[4], AuditorSamples: r[5]})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := readTSV("annex_c.tsv", []string{"id", "kind", "title", "description"}, func(r []string) error {
		c.annexC = append(c.annexC, AnnexCItem{ID: r[0], Kind: r[1], Title: r[2], Description: r[3]})
		return nil
	}); err != nil {
		return nil, err
	}
	fws, err := loadFrameworks()
	if err != nil {
		return nil, err
	}
	c.frameworks = fws
	for _, fw := range fws {
		for _, it := range fw.Items {
			for _, ref := range it.Refs {
				c.serves[ref] = append(c.serves[ref], ItemRef{Framework: fw.ID, ID: it.ID, Title: it.Title})
			}
		}
	}
	return c, c.check()
}

// check makes sure every reference names a clause or control.
func (c *catalogue) check() error {
	for _, cl := range c.clauses {
		for _, id := range cl.AnnexA {
			if _, ok := c.byID[id]; !ok {
				return fmt.Errorf("clause %s points to unknown control %s", cl.ID, id)
			}
		}
	}
	for ref := range c.serves {
		if _, ok := c.byID[ref]; !ok {
			return fmt.Errorf("a crosswalk names unknown clause or control %s", ref)
		}
	}
	return nil
}

// readTSV reads an embedded file with a header row and calls row for each record.
func readTSV(name string, header []string, row func([]string) error) error {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		r := strings.Split(line, "\t")
		if n == 1 {
			if strings.Join(r, ",") != strings.Join(header, ",") {
				return fmt.Errorf("%s: header is %q, want %q", name, r, header)
			}
			continue
		}
		if len(r) != len(header) {
			return fmt.Errorf("%s:%d: %d fields, want %d", name, n, len(r), len(header))
		}
		for i := range r {
			r[i] = strings.TrimSpace(r[i])
		}
		if err := row(r); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	return sc.Err()
}

func fields(s string) []string {
	f := strings.Fields(s)
	if f == nil {
		return []string{}
	}
	return f
}

// Clauses returns the 32 sub-clauses of clauses 4–10 in order.
func Clauses() []Clause { return append([]Clause(nil), builtin.clauses...) }

// Headings returns the clause headings in order.
func Headings() []Heading { return append([]Heading(nil), builtin.headings...) }

// Categories returns Annex A's nine categories in order.
func Categories() []Category { return append([]Category(nil), builtin.categories...) }

// AnnexC returns Annex C's objectives and risk sources in order.
func AnnexC() []AnnexCItem { return append([]AnnexCItem(nil), builtin.annexC...) }

// BuiltinControls returns the 38 Annex A controls in order.
func BuiltinControls() []Control { return append([]Control(nil), builtin.controls...) }

// ClauseByID returns a sub-clause.
func ClauseByID(id string) (Clause, bool) {
	i, ok := builtin.byID[id]
	if !ok || strings.HasPrefix(id, "A.") {
		return Clause{}, false
	}
	return builtin.clauses[i], true
}

// BuiltinControl returns an Annex A control.
func BuiltinControl(id string) (Control, bool) {
	i, ok := builtin.byID[id]
	if !ok || !strings.HasPrefix(id, "A.") {
		return Control{}, false
	}
	return builtin.controls[i], true
}

// CategoryByID returns an Annex A category.
func CategoryByID(id string) (Category, bool) {
	for _, c := range builtin.categories {
		if c.ID == id {
			return c, true
		}
	}
	return Category{}, false
}

// IsBuiltin reports whether id names a sub-clause or an Annex A control.
func IsBuiltin(id string) bool {
	_, ok := builtin.byID[id]
	return ok
}

// Serves lists the items of other frameworks that a clause or control serves.
func Serves(id string) []ItemRef { return append([]ItemRef(nil), builtin.serves[id]...) }

// matches reports whether every word of q appears in one of the texts.
func matches(q string, texts ...string) bool {
	all := strings.ToLower(strings.Join(texts, "\n"))
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if !strings.Contains(all, w) {
			return false
		}
	}
	return true
}

// SearchClauses returns the sub-clauses whose id, title or texts contain every word of q.
func SearchClauses(q string) []Clause {
	var out []Clause
	for _, c := range builtin.clauses {
		if matches(q, c.ID, c.Title, c.Asks, c.Evidence, c.AuditorSamples) {
			out = append(out, c)
		}
	}
	return out
}

// sortIDs orders clause and control ids numerically part by part (A.6.2.10 after A.6.2.9).
func sortIDs(ids []string) {
	sort.SliceStable(ids, func(i, j int) bool { return lessID(ids[i], ids[j]) })
}

func lessID(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		var na, nb int
		_, ea := fmt.Sscanf(pa[i], "%d", &na)
		_, eb := fmt.Sscanf(pb[i], "%d", &nb)
		if ea == nil && eb == nil {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}
