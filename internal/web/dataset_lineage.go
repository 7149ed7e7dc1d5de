package web

import (
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
)

// dsLineageData is what the lineage page shows.
type dsLineageData struct {
	// Asked is what was asked for, as typed.
	Asked   []string
	Lineage *dataset.Lineage
	Graph   dsLineageGraph
	// Trees are the ancestries as nested lists, one per version asked about.
	Trees []dsLineageItem
	Errs  formErrors
}

// dsLineageGraph is the lineage laid out in layers: the oldest generation in
// the leftmost column, the versions asked about on the right.
type dsLineageGraph struct {
	Width, Height int
	Boxes         []dsLineageBox
	Arrows        []dsLineageArrow
}

// dsLineageBox is one version's box.
type dsLineageBox struct {
	X, Y                        int
	Key, Name, Label, Href, Tip string
	Requested, Personal         bool
}

// dsLineageArrow is one derivation, drawn from the source to the version made from it.
type dsLineageArrow struct {
	Path, Title string
}

// dsLineageItem is one version in a nested list of an ancestry.
type dsLineageItem struct {
	Node dataset.LineageNode
	// Preparation are the steps that made the version from its sources.
	Preparation []string
	Parents     []dsLineageItem
	// Repeat marks a version already shown higher up, whose ancestry is not repeated.
	Repeat bool
}

// Box geometry, in SVG user units.
const (
	dsBoxWidth, dsBoxHeight = 210, 52
	dsColGap, dsRowGap      = 70, 16
	dsGraphMargin           = 12
	// dsLaneGap separates the lanes of derivations that skip columns.
	dsLaneGap = 14
)

// datasetLineage shows the ancestry of the versions named in the query: ?version=DS-1@2&version=DS-4@1.
func (h *handler) datasetLineage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	var d dsLineageData
	for _, v := range r.URL.Query()["version"] {
		for _, k := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			d.Asked = append(d.Asked, k)
		}
	}
	status := http.StatusOK
	if len(d.Asked) > 0 {
		l, err := h.Datasets.Lineage(r.Context(), a, d.Asked...)
		if err != nil {
			fe, st, ok := formProblem(err)
			if !ok {
				h.fail(w, r, err)
				return
			}
			d.Errs, status = fe, st
		} else {
			d.Lineage, d.Graph, d.Trees = l, dsLayoutLineage(l), dsLineageTrees(l)
		}
	}
	h.show(w, r, status, "Data lineage", "datasets", func(v view) templ.Component { return dsLineageView(v, d) })
}

// dsLayoutLineage places each generation in a column, ancestors on the
// left, ordering each column by where the versions' sources stand to keep
// arrows from crossing. Each derivation is drawn from its source's right
// edge to the derived version's left edge; one that skips columns runs in a
// lane below the boxes rather than through them.
func dsLayoutLineage(l *dataset.Lineage) dsLineageGraph {
	var g dsLineageGraph
	maxGen := 0
	for _, n := range l.Nodes {
		maxGen = max(maxGen, n.Generation)
	}
	parents := map[string][]string{}
	for _, e := range l.Edges {
		parents[e.Child] = append(parents[e.Child], e.Parent)
	}
	cols := make([][]dataset.LineageNode, maxGen+1)
	for _, n := range l.Nodes { // ordered by generation, then key
		c := maxGen - n.Generation
		cols[c] = append(cols[c], n)
	}
	row := map[string]int{}
	col := map[string]int{}
	for c, nodes := range cols {
		centre := func(n dataset.LineageNode) float64 {
			sum, k := 0.0, 0
			for _, p := range parents[n.Key] {
				if r, ok := row[p]; ok {
					sum, k = sum+float64(r), k+1
				}
			}
			if k == 0 {
				return math.MaxFloat64 // no source drawn: after those that have one
			}
			return sum / float64(k)
		}
		sort.SliceStable(nodes, func(i, j int) bool { return centre(nodes[i]) < centre(nodes[j]) })
		for r, n := range nodes {
			row[n.Key], col[n.Key] = r, c
		}
	}
	most := 0
	for c, nodes := range cols {
		most = max(most, len(nodes))
		for r, n := range nodes {
			tip := n.Key + " " + n.Name
			if n.Label != "" {
				tip += " (" + n.Label + ")"
			}
			tip += ": " + dataset.Label(dataset.Acquisitions, n.Acquisition)
			if n.ContainsPersonalData {
				tip += ", holds personal data"
			}
			g.Boxes = append(g.Boxes, dsLineageBox{X: dsGraphMargin + c*(dsBoxWidth+dsColGap), Y: dsGraphMargin + r*(dsBoxHeight+dsRowGap),
				Key: n.Key, Name: dsClip(n.Name, 28), Label: dsClip(n.Label, 30), Href: dsVersionHref(n.Key), Tip: tip,
				Requested: n.Requested, Personal: n.ContainsPersonalData})
		}
	}
	g.Width = 2*dsGraphMargin + (maxGen+1)*dsBoxWidth + maxGen*dsColGap
	bottom := dsGraphMargin + most*dsBoxHeight + max(most-1, 0)*dsRowGap
	lanes := 0
	itoa := strconv.Itoa
	for _, e := range l.Edges {
		pc, cc := col[e.Parent], col[e.Child]
		x1, y1 := dsGraphMargin+pc*(dsBoxWidth+dsColGap)+dsBoxWidth, dsGraphMargin+row[e.Parent]*(dsBoxHeight+dsRowGap)+dsBoxHeight/2
		x2, y2 := dsGraphMargin+cc*(dsBoxWidth+dsColGap)-4, dsGraphMargin+row[e.Child]*(dsBoxHeight+dsRowGap)+dsBoxHeight/2
		var path string
		if cc-pc <= 1 {
			mid := (x1 + x2) / 2
			path = "M" + itoa(x1) + " " + itoa(y1) + " C" + itoa(mid) + " " + itoa(y1) + " " + itoa(mid) + " " + itoa(y2) + " " + itoa(x2) + " " + itoa(y2)
		} else {
			lanes++
			lane := bottom + lanes*dsLaneGap
			a, b := x1+dsColGap/2, x2-dsColGap/2
			path = "M" + itoa(x1) + " " + itoa(y1) + " C" + itoa(a) + " " + itoa(y1) + " " + itoa(a) + " " + itoa(lane) + " " + itoa(a+dsColGap/2) + " " + itoa(lane) +
				" L" + itoa(b-dsColGap/2) + " " + itoa(lane) + " C" + itoa(b) + " " + itoa(lane) + " " + itoa(b) + " " + itoa(y2) + " " + itoa(x2) + " " + itoa(y2)
		}
		title := e.Child + " derived from " + e.Parent
		if len(e.Preparation) > 0 {
			title += ": " + strings.Join(e.Preparation, "; ")
		}
		g.Arrows = append(g.Arrows, dsLineageArrow{Path: path, Title: title})
	}
	g.Height = bottom + lanes*dsLaneGap + dsGraphMargin
	return g
}

// dsLineageTrees nests each asked-about version's ancestry; a version met a
// second time is named without its ancestry again.
func dsLineageTrees(l *dataset.Lineage) []dsLineageItem {
	nodes := map[string]dataset.LineageNode{}
	for _, n := range l.Nodes {
		nodes[n.Key] = n
	}
	parents := map[string][]dataset.LineageEdge{}
	for _, e := range l.Edges {
		parents[e.Child] = append(parents[e.Child], e)
	}
	seen := map[string]bool{}
	var build func(key string, depth int) dsLineageItem
	build = func(key string, depth int) dsLineageItem {
		it := dsLineageItem{Node: nodes[key]}
		if ps := parents[key]; len(ps) > 0 {
			it.Preparation = ps[0].Preparation // every derivation of a version shares its steps
		}
		if seen[key] || depth > 50 {
			it.Repeat = true
			return it
		}
		seen[key] = true
		for _, e := range parents[key] {
			it.Parents = append(it.Parents, build(e.Parent, depth+1))
		}
		return it
	}
	var out []dsLineageItem
	for _, k := range l.Versions {
		out = append(out, build(k, 0))
	}
	return out
}

// dsNodeFacts words a lineage node's facts after its name.
func dsNodeFacts(n dataset.LineageNode) string {
	parts := []string{dataset.Label(dataset.Acquisitions, n.Acquisition)}
	if n.ContainsPersonalData {
		parts = append(parts, "personal data")
	} else {
		parts = append(parts, "no personal data")
	}
	if p := n.Profile; p != nil {
		parts = append(parts, dsCount(p.Rows)+" rows, "+dsCount(p.DuplicateRows)+" duplicates, "+dsCount(p.RowsWithMissing)+
			" with missing values, SHA-256 "+p.SHA256[:min(12, len(p.SHA256))]+"…")
	} else {
		parts = append(parts, "not profiled")
	}
	return strings.Join(parts, "; ")
}

// dsLineageHref is the lineage page of some versions.
func dsLineageHref(keys ...string) string {
	var b strings.Builder
	b.WriteString("/datasets/lineage")
	for i, k := range keys {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString("version=" + url.QueryEscape(k))
	}
	return b.String()
}

// dsBoxFill colours a version's box: amber when it holds personal data.
func dsBoxFill(b dsLineageBox) string {
	if b.Personal {
		return "#fff4dc"
	}
	return "#ffffff"
}

// dsBoxStroke outlines a version's box, darker for a version asked about.
func dsBoxStroke(b dsLineageBox) string {
	if b.Requested {
		return "#1d4f91"
	}
	return "#8a97a8"
}

// dsBoxStrokeWidth draws a version asked about with a thicker border.
func dsBoxStrokeWidth(b dsLineageBox) string {
	if b.Requested {
		return "3"
	}
	return "1"
}
