package web

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/model"
)

// metricChart is a line chart of one metric's values over time, drawn as
// SVG on the server, with the layout of the readiness chart.
type metricChart struct {
	// ID tells the chart's title and description apart from the others'.
	ID     string
	Metric string
	// Line is the polyline through the values in the order measured.
	Line  string
	Dots  []chartDot
	Ticks []chartTick
	// First and Last are the dates of the first and last values.
	First, Last string
	// Low and High are the smallest and largest values, for the description.
	Low, High string
	Count     int
}

// Geometry of the metric charts, in SVG units; the same as the readiness chart's.
const (
	metricW, metricH       = chartW, chartH
	metricLeft, metricTop  = 56, chartTop
	metricRight, metricBot = chartRight, chartBot
)

// metricCharts draws a chart for each metric with more than one value, in
// the order the metrics were first measured. The horizontal axis is the
// date of measurement; values of one day sit side by side in the order
// recorded.
func metricCharts(evs []model.Evaluation) []metricChart {
	byMetric := map[string][]model.Evaluation{}
	var order []string
	for _, e := range evs {
		if _, ok := byMetric[e.Metric]; !ok {
			order = append(order, e.Metric)
		}
		byMetric[e.Metric] = append(byMetric[e.Metric], e)
	}
	var out []metricChart
	for i, m := range order {
		if len(byMetric[m]) < 2 {
			continue
		}
		out = append(out, layoutMetric("metric-chart-"+strconv.Itoa(i+1), m, byMetric[m]))
	}
	return out
}

// layoutMetric places one metric's values on the chart.
func layoutMetric(id, metric string, evs []model.Evaluation) metricChart {
	evs = append([]model.Evaluation(nil), evs...)
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].MeasuredOn != evs[j].MeasuredOn {
			return evs[i].MeasuredOn < evs[j].MeasuredOn
		}
		return evs[i].Number < evs[j].Number
	})
	c := metricChart{ID: id, Metric: metric, Count: len(evs), First: evs[0].MeasuredOn, Last: evs[len(evs)-1].MeasuredOn}
	lo, hi := evs[0].Value, evs[0].Value
	for _, e := range evs {
		lo, hi = math.Min(lo, e.Value), math.Max(hi, e.Value)
	}
	c.Low, c.High = fmtValue(lo), fmtValue(hi)
	// Leave a margin above and below, and give a flat line some height.
	pad := (hi - lo) * 0.1
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*0.1, 0.5)
	}
	lo, hi = lo-pad, hi+pad
	plotW := float64(metricW - metricLeft - metricRight)
	plotH := float64(metricH - metricTop - metricBot)
	y := func(v float64) float64 { return float64(metricTop) + plotH*(hi-v)/(hi-lo) }
	for k := 0; k <= 4; k++ {
		v := lo + (hi-lo)*float64(k)/4
		c.Ticks = append(c.Ticks, chartTick{Y: coord(y(v)), Label: fmtValue(v)})
	}
	// x: days since the first measurement; values of the same day are spread
	// evenly within the share of the axis one day takes.
	day := func(s string) float64 {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return 0
		}
		return float64(t.Unix() / 86400)
	}
	first, last := day(c.First), day(c.Last)
	span := last - first
	var pts []string
	for i, e := range evs {
		var frac float64
		if span == 0 {
			frac = float64(i) / float64(len(evs)-1)
		} else {
			frac = (day(e.MeasuredOn) - first) / span
		}
		x, yv := coord(float64(metricLeft)+plotW*frac), coord(y(e.Value))
		pts = append(pts, x+","+yv)
		title := e.MeasuredOn + ": " + fmtValue(e.Value)
		if e.Dataset != nil {
			title += " on " + e.Dataset.Key
		}
		c.Dots = append(c.Dots, chartDot{X: x, Y: yv, Title: title})
	}
	c.Line = strings.Join(pts, " ")
	return c
}

// coord writes an SVG coordinate.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// fmtValue writes a metric's value as briefly as it is exact, up to six significant digits.
func fmtValue(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
