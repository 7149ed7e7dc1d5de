package catalog

import (
	"strings"
)

// Framework is another framework crosswalked to ISO/IEC 42001, with how
// authoritative the crosswalk is.
type Framework struct {
	ID    string `json:"id" enum:"nist-ai-rmf,eu-ai-act,iso27001"`
	Title string `json:"title"`
	// Authority says where the crosswalk comes from and how far to trust it.
	Authority string          `json:"authority" enum:"official,analyst,indicative"`
	Source    string          `json:"source"`
	Items     []FrameworkItem `json:"items"`
	// Notes qualify the crosswalk per ISO/IEC 42001 control, such as "gap".
	Notes map[string]string `json:"notes,omitempty"`
}

// FrameworkItem is one item of another framework: a NIST AI RMF subcategory, an EU
// AI Act article or an ISO/IEC 27001 control.
type FrameworkItem struct {
	ID    string `json:"id"`
	Group string `json:"group,omitempty" doc:"The NIST AI RMF function, for example GOVERN."`
	Title string `json:"title,omitempty"`
	// Text is the item's own wording (NIST's, in the public domain) or, for
	// the EU AI Act, where ISO/IEC 42001 falls short of the article.
	Text string `json:"text,omitempty"`
	// Refs are the ISO/IEC 42001 clauses and controls that serve the item.
	Refs []string `json:"refs"`
}

// ItemRef names an item of another framework.
type ItemRef struct {
	Framework string `json:"framework"`
	ID        string `json:"id"`
	Title     string `json:"title,omitempty"`
}

// Frameworks returns the crosswalked frameworks.
func Frameworks() []Framework { return append([]Framework(nil), builtin.frameworks...) }

// FrameworkByID returns one crosswalked framework.
func FrameworkByID(id string) (Framework, bool) {
	for _, f := range builtin.frameworks {
		if f.ID == id {
			return f, true
		}
	}
	return Framework{}, false
}

func loadFrameworks() ([]Framework, error) {
	nist := Framework{ID: "nist-ai-rmf", Title: "NIST AI Risk Management Framework 1.0", Authority: "official",
		Source: "The crosswalk NIST hosts (NIST AI RMF to ISO/IEC FDIS 42001), with Annex B ids read as Annex A."}
	index := map[string]int{}
	err := readTSV("nist_ai_rmf.tsv", []string{"nist_subcategory", "nist_function", "iso42001_ref", "iso42001_ref_type",
		"iso42001_title", "ref_as_published", "nist_subcategory_text"}, func(r []string) error {
		i, ok := index[r[0]]
		if !ok {
			i = len(nist.Items)
			index[r[0]] = i
			nist.Items = append(nist.Items, FrameworkItem{ID: r[0], Group: r[1], Text: r[6], Refs: []string{}})
		}
		nist.Items[i].Refs = append(nist.Items[i].Refs, r[2])
		return nil
	})
	if err != nil {
		return nil, err
	}

	euAct := Framework{ID: "eu-ai-act", Title: "EU AI Act (Regulation (EU) 2024/1689)", Authority: "analyst",
		Source: "aims' analysis of each article, checked against three public crosswalks; ISO/IEC 42001 gives no presumption of conformity."}
	err = readTSV("eu_ai_act.tsv", []string{"article", "title", "anchors", "gap"}, func(r []string) error {
		euAct.Items = append(euAct.Items, FrameworkItem{ID: r[0], Title: r[1], Text: r[3], Refs: fields(r[2])})
		return nil
	})
	if err != nil {
		return nil, err
	}

	iso := Framework{ID: "iso27001", Title: "ISO/IEC 27001:2022 Annex A", Authority: "indicative",
		Source: "aims' judgement: no authoritative public control-level crosswalk exists; treat the pairs as hints.",
		Notes:  map[string]string{}}
	isoIndex := map[string]int{}
	err = readTSV("iso27001.tsv", []string{"control", "iso27001", "note"}, func(r []string) error {
		if r[2] != "" {
			iso.Notes[r[0]] = r[2]
		}
		for _, part := range strings.Split(r[1], ";") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, title := splitItem(part)
			i, ok := isoIndex[id]
			if !ok {
				i = len(iso.Items)
				isoIndex[id] = i
				iso.Items = append(iso.Items, FrameworkItem{ID: id, Title: title, Refs: []string{}})
			}
			iso.Items[i].Refs = appendNew(iso.Items[i].Refs, r[0])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(iso.Items))
	for _, it := range iso.Items {
		ids = append(ids, it.ID)
	}
	sortIDs(ids)
	sorted := make([]FrameworkItem, 0, len(ids))
	for _, id := range ids {
		sorted = append(sorted, iso.Items[isoIndex[id]])
	}
	iso.Items = sorted
	return []Framework{nist, euAct, iso}, nil
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// splitItem splits "5.1 Policies for information security" into its id and
// title; a clause reference keeps its word: "clause 7.2 Competence".
func splitItem(s string) (id, title string) {
	prefix := ""
	if rest, ok := strings.CutPrefix(s, "clause "); ok {
		prefix, s = "clause ", rest
	}
	id, title, _ = strings.Cut(s, " ")
	return prefix + id, title
}
