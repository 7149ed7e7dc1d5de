package web

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/decision"
)

// attributionChart is a decision's feature attributions as horizontal bars,
// drawn as SVG on the server, the largest in absolute value first. Bars to
// the right of the axis push towards the output and are solid; bars to the
// left push against it and are hatched; each carries its signed value as
// text, so colour is never the only sign.
type attributionChart struct {
	// Rows are all attributions in the chart's order; Bars the ones drawn.
	Rows []attributionBar
	Bars []attributionBar
	// Hidden counts the attributions too small to be among the bars drawn.
	Hidden int
	Width  int
	Height int
	// AxisX is where the zero line is.
	AxisX string
	// Towards and Against head the sides of the axis that have bars.
	Towards, Against string
}

// attributionBar is one feature's bar and its words.
type attributionBar struct {
	Feature string
	// Label is the feature's name, shortened to fit beside the bar.
	Label string
	// Value is the signed value, such as +0.4 or −0.1.
	Value string
	// Direction says which way the feature pushed, in words.
	Direction string
	Negative  bool
	X, Y, W   string
	// TextY is the baseline of the bar's texts.
	TextY string
}

// Geometry of the attribution chart, in SVG units.
const (
	attrW       = 640
	attrLabelW  = 180
	attrValueW  = 80
	attrTop     = 28
	attrRowH    = 26
	attrBarH    = 16
	attrBottom  = 8
	attrMaxBars = 25
	attrLabelN  = 24
)

// layoutAttributions places the attributions of a decision whose output is
// label: sorted by absolute value, largest first, ties by feature name.
func layoutAttributions(as []decision.Attribution, label string) attributionChart {
	var c attributionChart
	if len(as) == 0 {
		return c
	}
	sorted := append([]decision.Attribution(nil), as...)
	sort.SliceStable(sorted, func(i, j int) bool {
		ai, aj := math.Abs(sorted[i].Value), math.Abs(sorted[j].Value)
		if ai != aj {
			return ai > aj
		}
		return sorted[i].Feature < sorted[j].Feature
	})
	out := "the output"
	if label != "" {
		out = label
	}
	var pos, neg bool
	for _, a := range sorted {
		pos, neg = pos || a.Value > 0, neg || a.Value < 0
		c.Rows = append(c.Rows, attributionBar{Feature: a.Feature, Label: shorten(a.Feature, attrLabelN), Value: signedValue(a.Value),
			Direction: direction(a.Value, out), Negative: a.Value < 0})
	}
	drawn := sorted
	if len(drawn) > attrMaxBars {
		drawn, c.Hidden = drawn[:attrMaxBars], len(drawn)-attrMaxBars
	}
	plotL, plotR := float64(attrLabelW), float64(attrW-attrValueW)
	axis, span := plotL, plotR-plotL
	switch {
	case pos && neg:
		axis, span = (plotL+plotR)/2, (plotR-plotL)/2
	case neg:
		axis = plotR
	}
	if pos {
		c.Towards = "towards " + out + " (+) →"
	}
	if neg {
		c.Against = "← against " + out + " (−)"
	}
	largest := math.Abs(drawn[0].Value)
	c.Width, c.Height = attrW, attrTop+len(drawn)*attrRowH+attrBottom
	c.AxisX = coord(axis)
	for i, a := range drawn {
		b := c.Rows[i]
		w := 0.0
		if largest > 0 {
			w = span * math.Abs(a.Value) / largest
		}
		if a.Value != 0 && w < 1 {
			w = 1
		}
		x := axis
		if a.Value < 0 {
			x = axis - w
		}
		top := float64(attrTop + i*attrRowH)
		b.X, b.W = coord(x), coord(w)
		b.Y = coord(top + float64(attrRowH-attrBarH)/2)
		b.TextY = coord(top + float64(attrRowH)/2)
		c.Bars = append(c.Bars, b)
	}
	return c
}

// signedValue writes an attribution with its sign: +0.4, −0.1 or 0.
func signedValue(v float64) string {
	switch {
	case v > 0:
		return "+" + fmtValue(v)
	case v < 0:
		return "−" + fmtValue(-v)
	}
	return "0"
}

// direction says in words which way an attribution pushed the output.
func direction(v float64, out string) string {
	switch {
	case v > 0:
		return "pushed towards " + out
	case v < 0:
		return "pushed against " + out
	}
	return "no effect"
}

// shorten cuts a text to n characters, ending it with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// decisionInput is one feature the model saw.
type decisionInput struct {
	Feature string
	Value   string
}

// decisionInputs lists a record's inputs by feature name; a text is shown
// as it is, any other value as JSON.
func decisionInputs(raw json.RawMessage) []decisionInput {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return []decisionInput{{Feature: "(inputs)", Value: string(raw)}}
	}
	out := make([]decisionInput, 0, len(m))
	for k, v := range m {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			var b bytes.Buffer
			if json.Compact(&b, v) == nil {
				v = b.Bytes()
			}
			s = string(v)
		}
		out = append(out, decisionInput{Feature: k, Value: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Feature < out[j].Feature })
	return out
}

// decisionPercent writes a share as a percentage with one decimal.
func decisionPercent(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" }

// optNumber writes an optional number, or a dash.
func optNumber(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmtValue(*v)
}

// reviewLabel words a decision's review result.
func reviewLabel(review string) string {
	switch review {
	case decision.ReviewAgreed:
		return "Agreed"
	case decision.ReviewOverridden:
		return "Overridden"
	}
	return "Not reviewed"
}

// reviewClass is the badge class of a review result.
func reviewClass(review string) string {
	switch review {
	case decision.ReviewAgreed:
		return "badge badge-ok"
	case decision.ReviewOverridden:
		return "badge badge-warn"
	}
	return "badge badge-muted"
}
