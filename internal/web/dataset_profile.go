package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/profile"
)

// dsProfileView is a stored profile ready to show: its figures as text and its charts as SVG shapes.
type dsProfileView struct {
	P          *dataset.StoredProfile
	Columns    []dsColumnView
	Histograms []dsHistogramView
	Label      *dsLabelView
	Features   []dsFeatureView
}

// dsColumnView is one row of the table of columns.
type dsColumnView struct {
	Name, Type, Missing, Distinct, Min, Mean, Max string
	Approximate                                   bool
}

// dsHistogramView is the histogram of a numeric column.
type dsHistogramView struct {
	Column, Low, High, Desc string
	Bars                    []dsBar
}

// dsBar is one bar of a chart, in the chart's coordinates.
type dsBar struct {
	X, Y, W, H, Fill, Title string
}

// dsLabelView is the balance of the label column as one stacked bar.
type dsLabelView struct {
	Column, Positive, PositiveRate, Missing string
	Segments                                []dsBar
	Values                                  []dsLabelValueView
}

// dsLabelValueView is one label value with its dsCount, share and colour.
type dsLabelValueView struct {
	Value, Count, Share, Fill string
}

// dsFeatureView is a sensitive feature's groups as a table and a bar chart of their base rates.
type dsFeatureView struct {
	Column, Missing string
	Groups          []dsGroupView
	// Height is the chart's height; Rows its bars; Overall the x of the overall positive rate, if any.
	Height  int
	Rows    []dsRateRow
	Overall string
}

// dsGroupView is one group of a sensitive feature.
type dsGroupView struct {
	Value, Size, Share, BaseRate, Reference, Difference string
}

// dsRateRow is one group's bar in a base-rate chart.
type dsRateRow struct {
	Y, TextY, W, Label, Value, Title string
}

// Chart geometry, in SVG user units.
const (
	dsHistWidth, dsHistHeight = 240, 90
	dsLabelWidth              = 600
	dsRateLeft, dsRateWidth   = 170, 360
	dsRateRowHeight           = 26
)

// dsPalette colours the values of a label.
var dsPalette = []string{"#2f6db5", "#e08a1e", "#3a9a5b", "#b5443b", "#7a5ab8", "#5b6b7f"}

// newDsProfileView prepares a stored profile for its page.
func newDsProfileView(p *dataset.StoredProfile) *dsProfileView {
	res := p.Result
	pv := &dsProfileView{P: p}
	for _, c := range res.Columns {
		cv := dsColumnView{Name: c.Name, Type: string(c.Type), Missing: dsCount(c.Missing), Distinct: dsCount(c.Distinct),
			Min: "—", Mean: "—", Max: "—", Approximate: c.Approximate}
		if res.Rows > 0 && c.Missing > 0 {
			cv.Missing += " (" + dsPct(float64(c.Missing)/float64(res.Rows)) + ")"
		}
		if n := c.Numeric; n != nil {
			cv.Min, cv.Mean, cv.Max = dsNumber(n.Min), dsNumber(n.Mean), dsNumber(n.Max)
			if h := dsHistogramOf(c.Name, n.Histogram); len(h.Bars) > 0 {
				pv.Histograms = append(pv.Histograms, h)
			}
		}
		pv.Columns = append(pv.Columns, cv)
	}
	if l := res.Label; l != nil {
		pv.Label = dsLabelOf(l)
	}
	for _, f := range res.Sensitive {
		pv.Features = append(pv.Features, dsFeatureOf(f, res.Label))
	}
	return pv
}

// dsHistogramOf draws a column's histogram as bars scaled to the largest bin.
func dsHistogramOf(column string, bins []profile.Bin) dsHistogramView {
	h := dsHistogramView{Column: column}
	if len(bins) == 0 {
		return h
	}
	var top int64
	for _, b := range bins {
		top = max(top, b.Count)
	}
	w := float64(dsHistWidth) / float64(len(bins))
	for i, b := range bins {
		bh := 0.0
		if top > 0 {
			bh = float64(dsHistHeight) * float64(b.Count) / float64(top)
		}
		h.Bars = append(h.Bars, dsBar{X: dsF1(float64(i) * w), Y: dsF1(dsHistHeight - bh), W: dsF1(math.Max(w-1, 0.5)), H: dsF1(bh),
			Fill: dsPalette[0], Title: dsNumber(b.Low) + " to " + dsNumber(b.High) + ": " + dsCount(b.Count)})
	}
	h.Low, h.High = dsNumber(bins[0].Low), dsNumber(bins[len(bins)-1].High)
	h.Desc = fmt.Sprintf("%d bins from %s to %s; the largest holds %s rows.", len(bins), h.Low, h.High, dsCount(top))
	return h
}

// dsLabelOf draws the label's balance as one bar split by value.
func dsLabelOf(l *profile.Label) *dsLabelView {
	lv := &dsLabelView{Column: l.Column, Positive: l.Positive, Missing: dsCount(l.Missing)}
	if l.PositiveRate != nil {
		lv.PositiveRate = dsPct(*l.PositiveRate)
	}
	x := 0.0
	for i, v := range l.Values {
		fill := dsPalette[i%len(dsPalette)]
		w := float64(dsLabelWidth) * v.Share
		lv.Segments = append(lv.Segments, dsBar{X: dsF1(x), Y: "0", W: dsF1(w), H: "28", Fill: fill,
			Title: v.Value + ": " + dsCount(v.Count) + " (" + dsPct(v.Share) + ")"})
		lv.Values = append(lv.Values, dsLabelValueView{Value: v.Value, Count: dsCount(v.Count), Share: dsPct(v.Share), Fill: fill})
		x += w
	}
	return lv
}

// dsFeatureOf prepares a sensitive feature's groups and the chart of their base rates.
func dsFeatureOf(f profile.Feature, l *profile.Label) dsFeatureView {
	fv := dsFeatureView{Column: f.Column, Missing: dsCount(f.Missing)}
	for i, g := range f.Groups {
		gv := dsGroupView{Value: g.Value, Size: dsCount(g.Size), Share: dsPct(g.Share), BaseRate: "—", Reference: "—", Difference: "—"}
		if g.BaseRate != nil {
			gv.BaseRate = dsPct(*g.BaseRate)
		}
		if g.Reference != nil {
			gv.Reference = dsPct(*g.Reference)
		}
		if g.Difference != nil {
			gv.Difference = dsPoints(*g.Difference)
		}
		fv.Groups = append(fv.Groups, gv)
		if g.BaseRate != nil {
			y := i * dsRateRowHeight
			fv.Rows = append(fv.Rows, dsRateRow{Y: strconv.Itoa(y + 4), TextY: strconv.Itoa(y + 18), W: dsF1(dsRateWidth * *g.BaseRate),
				Label: dsClip(g.Value, 24), Value: gv.BaseRate, Title: g.Value + ": base rate " + gv.BaseRate + " of " + dsCount(g.Labelled) + " labelled"})
		}
	}
	fv.Height = max(len(fv.Groups)*dsRateRowHeight+8, 30)
	if l != nil && l.PositiveRate != nil && len(fv.Rows) > 0 {
		fv.Overall = dsF1(dsRateLeft + dsRateWidth**l.PositiveRate)
	}
	return fv
}

// dsCount writes a whole dsNumber with thousands separated by commas.
func dsCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// dsNumber writes a measured value: whole numbers as they are, others with two decimals or four significant digits.
func dsNumber(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "—"
	case x == math.Trunc(x) && math.Abs(x) < 1e15:
		return dsCount(int64(x))
	case math.Abs(x) >= 1:
		whole, frac, _ := strings.Cut(strconv.FormatFloat(x, 'f', 2, 64), ".")
		n, _ := strconv.ParseInt(whole, 10, 64)
		if n == 0 && strings.HasPrefix(whole, "-") {
			return whole + "." + frac
		}
		return dsCount(n) + "." + frac
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// dsPct writes a share as a percentage with one decimal.
func dsPct(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" }

// dsPoints writes a difference of shares in percentage dsPoints, with its sign.
func dsPoints(x float64) string {
	s := strconv.FormatFloat(x*100, 'f', 1, 64)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s + " pp"
}

// dsF1 writes a coordinate with one decimal.
func dsF1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// dsClip shortens a text to at most n characters for a chart, marking the cut.
func dsClip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// dsOptionsText sums up how a file was read, for the page.
func dsOptionsText(o dataset.ProfileOptions) string {
	var parts []string
	if o.NoHeader {
		parts = append(parts, "no header line")
	} else {
		parts = append(parts, "a header line")
	}
	if len(o.Columns) > 0 {
		parts = append(parts, "columns named "+strings.Join(o.Columns, ", "))
	}
	switch o.Separator {
	case "":
	case "\t":
		parts = append(parts, "separated by tabs")
	default:
		parts = append(parts, "separated by "+strconv.Quote(o.Separator))
	}
	if len(o.Missing) > 0 {
		parts = append(parts, "missing values written "+strings.Join(o.Missing, " or "))
	}
	if o.Label != "" {
		l := "label " + o.Label
		if o.Positive != "" {
			l += ", positive " + o.Positive
		}
		parts = append(parts, l)
	}
	if len(o.Sensitive) > 0 {
		parts = append(parts, "sensitive features "+strings.Join(o.Sensitive, ", "))
	}
	if len(o.Reference) > 0 {
		parts = append(parts, "reference shares "+strings.ReplaceAll(dataset.ReferenceText(o.Reference), "\n", ", "))
	}
	return sentence(strings.Join(parts, "; ")) + "."
}
