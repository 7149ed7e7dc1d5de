package web

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/monitor"
)

// The monitoring charts are drawn as SVG on the server, so they need no
// script. Lines are told apart by colour (Okabe–Ito, safe for colour
// blindness) and by dash pattern, named in a legend; every chart has a
// title, a description and a table of its data beside it.

// Geometry of the time charts, in SVG units.
const (
	tcW, tcLeft, tcRight = 640, 52, 14
	tcPlotH, tcBottom    = 180, 28
	tcLegendRow          = 18
	tcLegendItem         = 145
	tcLegendPerRow       = 4
	// tcDotsMax is the most points a line is drawn with a dot on each.
	tcDotsMax = 120
)

// lineStyles are the colours and dash patterns of a chart's lines, in order.
var lineStyles = []struct{ Color, Dash string }{
	{"#0072B2", ""}, {"#D55E00", "7 3"}, {"#009E73", "2 3"}, {"#CC79A7", "9 3 2 3"},
	{"#E69F00", "4 2"}, {"#56B4E9", "12 4"}, {"#000000", "1 3"},
}

// timeChart is lines of values per window over a range.
type timeChart struct {
	// ID tells the chart's title and description apart from the others'.
	ID, Title, Desc string
	Width, Height   int
	// Left, Right and Bottom are the edges of the plot.
	Left, Right, Bottom string
	Ticks               []chartTick
	XLabels             []chartXLabel
	Lines               []chartLine
	Legend              []legendEntry
}

// chartXLabel is a label under the horizontal axis.
type chartXLabel struct {
	X, Anchor, Text string
}

// chartLine is one named line, broken where a window has no value.
type chartLine struct {
	Name, Color, Dash string
	Segments          []string
	Dots              []chartDot
}

// legendEntry is a line's sample and name in the legend.
type legendEntry struct {
	X1, X2, Y, TextX  string
	Name, Color, Dash string
}

// seriesIn is the values of one line, window by window.
type seriesIn struct {
	Name   string
	Points []pointIn
}

// pointIn is one window's value; nil when it is undefined.
type pointIn struct {
	Window time.Time
	Value  *float64
	Note   string
}

// windowLength is the length of a window; a longer gap between two points breaks the line.
func windowLength(w string) time.Duration {
	switch w {
	case monitor.WindowHour:
		return time.Hour
	case monitor.WindowWeek:
		return 7 * 24 * time.Hour
	}
	return 24 * time.Hour
}

// windowLabel names a window by its start.
func windowLabel(t time.Time, w string) string {
	t = t.UTC()
	switch w {
	case monitor.WindowHour:
		return t.Format("2 Jan 2006 15:00")
	case monitor.WindowWeek:
		return "week of " + t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan 2006")
}

// plotArea maps windows and values to SVG coordinates.
type plotArea struct {
	first, last    time.Time
	left, width    float64
	top, height    float64
	lo, hi         float64
	windowDuration time.Duration
}

func (a plotArea) x(t time.Time) float64 {
	span := a.last.Sub(a.first)
	if span <= 0 {
		return a.left + a.width/2
	}
	return a.left + a.width*float64(t.Sub(a.first))/float64(span)
}

func (a plotArea) y(v float64) float64 {
	v = math.Max(a.lo, math.Min(a.hi, v))
	return a.top + a.height*(a.hi-v)/(a.hi-a.lo)
}

func (a plotArea) bottom() float64 { return a.top + a.height }

// ticks are five grid lines from the bottom of the range to its top.
func (a plotArea) ticks() []chartTick {
	var out []chartTick
	for k := 0; k <= 4; k++ {
		v := a.lo + (a.hi-a.lo)*float64(k)/4
		out = append(out, chartTick{Y: coord(a.y(v)), Label: fixed3(v)})
	}
	return out
}

// xLabels name the first and last windows under the axis.
func (a plotArea) xLabels(window string) []chartXLabel {
	if a.last.Equal(a.first) {
		return []chartXLabel{{X: coord(a.x(a.first)), Anchor: "middle", Text: windowLabel(a.first, window)}}
	}
	return []chartXLabel{{X: coord(a.left), Anchor: "start", Text: windowLabel(a.first, window)},
		{X: coord(a.left + a.width), Anchor: "end", Text: windowLabel(a.last, window)}}
}

// span finds the first and last window of the series.
func span(series []seriesIn) (first, last time.Time, ok bool) {
	for _, s := range series {
		for _, p := range s.Points {
			if !ok || p.Window.Before(first) {
				first = p.Window
			}
			if !ok || p.Window.After(last) {
				last = p.Window
			}
			ok = true
		}
	}
	return first, last, ok
}

// layoutTimeChart draws the series on a vertical range from lo to hi, over
// the windows from first to last, or over the series' own when first is zero.
func layoutTimeChart(id, title, desc, window string, series []seriesIn, lo, hi float64, first, last time.Time) timeChart {
	rows := (len(series) + tcLegendPerRow - 1) / tcLegendPerRow
	top := 12 + rows*tcLegendRow
	c := timeChart{ID: id, Title: title, Desc: desc, Width: tcW, Height: top + tcPlotH + tcBottom,
		Left: strconv.Itoa(tcLeft), Right: strconv.Itoa(tcW - tcRight), Bottom: strconv.Itoa(top + tcPlotH)}
	f, l, ok := span(series)
	if !ok {
		return c
	}
	if first.IsZero() {
		first, last = f, l
	}
	a := plotArea{first: first, last: last, left: tcLeft, width: tcW - tcLeft - tcRight, top: float64(top), height: tcPlotH,
		lo: lo, hi: hi, windowDuration: windowLength(window)}
	c.Ticks, c.XLabels = a.ticks(), a.xLabels(window)
	for i, s := range series {
		st := lineStyles[i%len(lineStyles)]
		l := chartLine{Name: s.Name, Color: st.Color, Dash: st.Dash}
		pts := append([]pointIn(nil), s.Points...)
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].Window.Before(pts[j].Window) })
		sg := segmenter{line: &l, gap: a.windowDuration, dots: len(pts) <= tcDotsMax}
		for _, p := range pts {
			if p.Value == nil || math.IsNaN(*p.Value) || math.IsInf(*p.Value, 0) {
				sg.end()
				continue
			}
			t := s.Name + ", " + windowLabel(p.Window, window) + ": " + fixed3(*p.Value)
			if p.Note != "" {
				t += " (" + p.Note + ")"
			}
			sg.add(p.Window, chartDot{X: coord(a.x(p.Window)), Y: coord(a.y(*p.Value)), Title: t}, true)
		}
		sg.end()
		c.Lines = append(c.Lines, l)
		col, row := i%tcLegendPerRow, i/tcLegendPerRow
		x := tcLeft + col*tcLegendItem
		y := 12 + row*tcLegendRow
		c.Legend = append(c.Legend, legendEntry{X1: strconv.Itoa(x), X2: strconv.Itoa(x + 24), Y: strconv.Itoa(y), TextX: strconv.Itoa(x + 30),
			Name: shorten(s.Name, 20), Color: st.Color, Dash: st.Dash})
	}
	return c
}

// segmenter joins a line's points into segments, breaking the line where a
// window is missing. A point alone in its segment, which a polyline cannot
// show, gets a dot even when the line's points have none.
type segmenter struct {
	line *chartLine
	gap  time.Duration
	// dots gives every point a dot.
	dots bool
	seg  []string
	prev time.Time
	// first is the segment's first point; firstDot says it may have a dot.
	first    chartDot
	firstDot bool
}

// add extends the line to a point; dot says whether the point may be drawn as a dot.
func (s *segmenter) add(t time.Time, d chartDot, dot bool) {
	if len(s.seg) > 0 && t.Sub(s.prev) > s.gap {
		s.end()
	}
	if len(s.seg) == 0 {
		s.first, s.firstDot = d, dot
	}
	s.seg, s.prev = append(s.seg, d.X+","+d.Y), t
	if s.dots && dot {
		s.line.Dots = append(s.line.Dots, d)
	}
}

// end closes the segment.
func (s *segmenter) end() {
	switch {
	case len(s.seg) > 1:
		s.line.Segments = append(s.line.Segments, strings.Join(s.seg, " "))
	case len(s.seg) == 1 && s.firstDot && !s.dots:
		s.line.Dots = append(s.line.Dots, s.first)
	}
	s.seg = nil
}

// monitoringCharts are the charts of a system's report.
type monitoringCharts struct {
	Calibration calibrationChart
	Series      timeChart
	// Groups holds one chart of the groups' selection rates per feature, with its table.
	Groups []groupChart
}

// groupChart is one feature's chart of its groups' selection rates, and the data as a table.
type groupChart struct {
	Feature string
	Chart   timeChart
	Groups  []string
	Rows    []groupRow
}

// groupRow is one window of a feature's groups: each group's selection rate and count.
type groupRow struct {
	Window time.Time
	Cells  []string
}

// layoutMonitoring draws the charts of a report.
func layoutMonitoring(r *monitor.Report) monitoringCharts {
	var c monitoringCharts
	if len(r.Performance) > 0 {
		c.Calibration = layoutCalibration("calibration-chart", r.Performance[0].Calibration)
	}
	if len(r.Series) > 0 {
		names := []string{"Selection rate", "Accuracy", "Recall", "False positive rate"}
		series := make([]seriesIn, len(names))
		for i, n := range names {
			series[i].Name = n
		}
		for _, p := range r.Series {
			note := plural(p.N, "decision", "decisions") + ", " + strconv.FormatInt(p.Labelled, 10) + " labelled"
			for i, v := range []*float64{p.SelectionRate, p.Accuracy, p.Recall, p.FPR} {
				series[i].Points = append(series[i].Points, pointIn{Window: p.Window, Value: v, Note: note})
			}
		}
		desc := "Selection rate, accuracy, recall and false positive rate in each " + r.Window + " from " +
			windowLabel(r.Series[0].Window, r.Window) + " to " + windowLabel(r.Series[len(r.Series)-1].Window, r.Window) +
			", on a scale from 0 to 1. A line is broken where a window has no decisions or no labelled outcome."
		c.Series = layoutTimeChart("series-chart", "Rates per "+r.Window, desc, r.Window, series, 0, 1, time.Time{}, time.Time{})
	}
	// The groups' charts share the range of the rates' chart, so that their windows line up.
	var first, last time.Time
	if len(r.Series) > 0 {
		first, last = r.Series[0].Window, r.Series[len(r.Series)-1].Window
	}
	var features []string
	byFeature := map[string][]monitor.GroupSeries{}
	for _, g := range r.Groups {
		if _, ok := byFeature[g.Feature]; !ok {
			features = append(features, g.Feature)
		}
		byFeature[g.Feature] = append(byFeature[g.Feature], g)
	}
	for i, f := range features {
		c.Groups = append(c.Groups, layoutGroups("group-chart-"+strconv.Itoa(i+1), f, r.Window, byFeature[f], first, last))
	}
	return c
}

// layoutGroups draws the selection rate of each group of a feature per window, and tabulates it.
func layoutGroups(id, feature, window string, gs []monitor.GroupSeries, first, last time.Time) groupChart {
	g := groupChart{Feature: feature}
	rows := map[time.Time][]string{}
	var windows []time.Time
	series := make([]seriesIn, 0, len(gs))
	for i, s := range gs {
		g.Groups = append(g.Groups, s.Group)
		in := seriesIn{Name: s.Group}
		for _, p := range s.Points {
			in.Points = append(in.Points, pointIn{Window: p.Window, Value: p.SelectionRate, Note: plural(p.N, "decision", "decisions")})
			if _, ok := rows[p.Window]; !ok {
				windows = append(windows, p.Window)
				rows[p.Window] = make([]string, len(gs))
				for k := range rows[p.Window] {
					rows[p.Window][k] = "—"
				}
			}
			rows[p.Window][i] = num3(p.SelectionRate) + " (n " + strconv.FormatInt(p.N, 10) + ")"
		}
		series = append(series, in)
	}
	sort.Slice(windows, func(i, j int) bool { return windows[i].Before(windows[j]) })
	for _, w := range windows {
		g.Rows = append(g.Rows, groupRow{Window: w, Cells: rows[w]})
	}
	desc := "The selection rate of each group of " + feature + " (" + strings.Join(g.Groups, ", ") + ") in each " + window +
		", on a scale from 0 to 1. A line is broken where the group had no decisions."
	g.Chart = layoutTimeChart(id, "Selection rate by "+feature+" per "+window, desc, window, series, 0, 1, first, last)
	return g
}

// Geometry of the calibration chart, in SVG units: a square plot.
const (
	calW, calH     = 440, 420
	calLeft, calTp = 56, 14
	calPlot        = 340
)

// calibrationChart is a reliability diagram: each bin's observed share of
// positive outcomes against its mean score, beside the diagonal of perfect calibration.
type calibrationChart struct {
	ID, Desc string
	Ticks    []calTick
	Line     string
	Dots     []calDot
	// Diagonal runs from (X0, Y0) to (X1, Y1).
	X0, Y0, X1, Y1 string
	Bins           []monitor.CalibrationBin
}

// calTick is a tick of both axes at the same value.
type calTick struct {
	X, Y, Label string
}

// calDot is one bin, its area growing with its count.
type calDot struct {
	X, Y, R, Title string
}

// layoutCalibration places the bins of a calibration curve.
func layoutCalibration(id string, bins []monitor.CalibrationBin) calibrationChart {
	c := calibrationChart{ID: id, Bins: bins}
	x := func(v float64) float64 { return calLeft + calPlot*math.Max(0, math.Min(1, v)) }
	y := func(v float64) float64 { return calTp + calPlot*(1-math.Max(0, math.Min(1, v))) }
	c.X0, c.Y0, c.X1, c.Y1 = coord(x(0)), coord(y(0)), coord(x(1)), coord(y(1))
	for _, v := range []float64{0, .2, .4, .6, .8, 1} {
		c.Ticks = append(c.Ticks, calTick{X: coord(x(v)), Y: coord(y(v)), Label: strconv.FormatFloat(v, 'f', 1, 64)})
	}
	if len(bins) == 0 {
		return c
	}
	largest := 0.0
	for _, b := range bins {
		largest = math.Max(largest, b.N)
	}
	var pts []string
	for _, b := range bins {
		px, py := coord(x(b.MeanScore)), coord(y(b.Observed))
		pts = append(pts, px+","+py)
		r := 3.0
		if largest > 0 {
			r += 7 * math.Sqrt(b.N/largest)
		}
		c.Dots = append(c.Dots, calDot{X: px, Y: py, R: coord(r), Title: "Scores " + fixed3(b.Lo) + "–" + fixed3(b.Hi) + ": mean score " +
			fixed3(b.MeanScore) + ", observed " + fixed3(b.Observed) + ", n " + fmtValue(b.N)})
	}
	c.Line = strings.Join(pts, " ")
	c.Desc = strconv.Itoa(len(bins)) + " bins of the scores of labelled decisions, each at its mean score (across) and its share of positive outcomes (up); " +
		"a well calibrated model keeps to the dashed diagonal. Larger circles hold more decisions."
	return c
}

// resultChart is a monitor's value per window against its threshold: a
// line broken at windows not judged, the breaches marked with squares and
// the side of the threshold that breaches shaded.
type resultChart struct {
	timeChart
	Line                               chartLine
	Breaches, Insufficient             []chartDot
	ThresholdY, ThresholdLabel, LabelY string
	BandY, BandH                       string
	Judged, BreachCount, NotJudged     int
}

// layoutResults draws a monitor's results, oldest first.
func layoutResults(id string, m *monitor.Monitor, res []monitor.Result) resultChart {
	top := 16
	c := resultChart{timeChart: timeChart{ID: id, Title: metricLabel(m.Metric) + " per " + m.Window + " of " + m.Ref,
		Width: tcW, Height: top + tcPlotH + tcBottom, Left: strconv.Itoa(tcLeft), Right: strconv.Itoa(tcW - tcRight),
		Bottom: strconv.Itoa(top + tcPlotH)}}
	if len(res) == 0 {
		return c
	}
	// The vertical range covers the values and the threshold, with a
	// margin that does not go below zero for a measure that never does.
	lo, hi := m.Threshold, m.Threshold
	for _, r := range res {
		if r.Value != nil && !math.IsNaN(*r.Value) && !math.IsInf(*r.Value, 0) {
			lo, hi = math.Min(lo, *r.Value), math.Max(hi, *r.Value)
		}
	}
	pad := (hi - lo) * 0.1
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*0.1, 0.1)
	}
	nonNegative := lo >= 0
	lo, hi = lo-pad, hi+pad
	if nonNegative && lo < 0 {
		lo = 0
	}
	a := plotArea{first: res[0].Window, last: res[len(res)-1].Window, left: tcLeft, width: tcW - tcLeft - tcRight,
		top: float64(top), height: tcPlotH, lo: lo, hi: hi, windowDuration: windowLength(m.Window)}
	c.Ticks, c.XLabels = a.ticks(), a.xLabels(m.Window)
	ty := a.y(m.Threshold)
	c.ThresholdY, c.ThresholdLabel, c.LabelY = coord(ty), "Threshold "+fixed3(m.Threshold), coord(ty-5)
	if m.Direction == monitor.Above {
		c.BandY, c.BandH = coord(a.top), coord(ty-a.top)
	} else {
		c.BandY, c.BandH = coord(ty), coord(a.bottom()-ty)
	}
	c.Line = chartLine{Name: metricLabel(m.Metric), Color: lineStyles[0].Color}
	sg := segmenter{line: &c.Line, gap: a.windowDuration, dots: len(res) <= tcDotsMax}
	for _, r := range res {
		label := windowLabel(r.Window, m.Window)
		if r.Status == monitor.StatusInsufficient || r.Value == nil || math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0) {
			sg.end()
			c.NotJudged++
			c.Insufficient = append(c.Insufficient, chartDot{X: coord(a.x(r.Window)), Y: coord(a.bottom()),
				Title: label + ": not judged, " + plural(r.N, "sample", "samples")})
			continue
		}
		c.Judged++
		d := chartDot{X: coord(a.x(r.Window)), Y: coord(a.y(*r.Value)), Title: label + ": " + fixed3(*r.Value) + ", " + plural(r.N, "sample", "samples")}
		breach := r.Status == monitor.StatusBreach
		if breach {
			c.BreachCount++
			d.Title += ", breach"
			c.Breaches = append(c.Breaches, d)
		}
		sg.add(r.Window, d, !breach)
	}
	sg.end()
	c.Desc = strconv.Itoa(len(res)) + " windows from " + windowLabel(res[0].Window, m.Window) + " to " +
		windowLabel(res[len(res)-1].Window, m.Window) + ": " + strconv.Itoa(c.Judged) + " judged, of which " +
		plural(int64(c.BreachCount), "breach", "breaches") + " (squares), and " + strconv.Itoa(c.NotJudged) +
		" not judged (gaps, ticked on the axis). The dashed line is the threshold, " + fixed3(m.Threshold) +
		"; a value " + m.Direction + " it is a breach, the shaded side."
	return c
}

// squareAt is the top left corner of a 9-unit square mark centred on a point.
func squareAt(d chartDot) (x, y string) {
	fx, _ := strconv.ParseFloat(d.X, 64)
	fy, _ := strconv.ParseFloat(d.Y, 64)
	return coord(fx - 4.5), coord(fy - 4.5)
}

// squareX and squareY place a breach's square mark.
func squareX(d chartDot) string { x, _ := squareAt(d); return x }
func squareY(d chartDot) string { _, y := squareAt(d); return y }

// driftRow is one input's drift in words and numbers.
type driftRow struct {
	Feature, Kind string
	PSI, JS       string
	// JSBase names the logarithm of the Jensen–Shannon distance.
	JSBase string
	// Test names the test of the distributions (KS D or chi-square), Stat and P its statistic and p-value.
	Test, Stat, P string
	NRef, NCur    string
	Drifted       bool
}

// driftRows lays out the drift of each input, in the report's order (largest PSI first).
func driftRows(ds []monitor.Drift) []driftRow {
	out := make([]driftRow, 0, len(ds))
	for _, d := range ds {
		r := driftRow{Feature: d.Feature, Kind: d.Kind, PSI: "—", JS: "—", Stat: "—", P: "—", NRef: "—", NCur: "—", Drifted: d.Drifted}
		for _, m := range d.Measures {
			if r.NRef == "—" {
				r.NRef, r.NCur = fmtValue(m.NRef), fmtValue(m.NCur)
			}
			switch m.Method {
			case "psi":
				r.PSI = fixed3(m.Value)
			case "jensen_shannon":
				r.JS, r.JSBase = fixed3(m.Value), logBase(m.LogBase)
			case "ks":
				r.Test, r.Stat, r.P = "KS D", fixed3(m.Value), num3(m.PValue)
			case "chi_square":
				r.Test, r.Stat, r.P = "Chi-square", fixed3(m.Value), num3(m.PValue)
				if m.DF > 0 {
					r.Test += " (df " + strconv.Itoa(m.DF) + ")"
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// logBase names the base of a logarithm.
func logBase(b float64) string {
	switch {
	case b == 0 || math.Abs(b-math.E) < 1e-9:
		return "natural log"
	case b == 2:
		return "log base 2"
	}
	return "log base " + fmtValue(b)
}

// dashOf is a dash pattern for stroke-dasharray: none for a solid line.
func dashOf(d string) string {
	if d == "" {
		return "none"
	}
	return d
}

// tickTop is the top of the tick that marks a window not judged, above the axis at d.
func tickTop(d chartDot) string {
	y, _ := strconv.ParseFloat(d.Y, 64)
	return coord(y - 8)
}
