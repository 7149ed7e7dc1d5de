package web

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/objective"
)

// indicatorChart is a line chart of an indicator's values in force over
// time against its target, drawn as SVG on the server with the geometry
// and styles of the model metric charts; the target is a shaded band
// (between) or a band from its line to the edge of the plot (at least, at most).
type indicatorChart struct {
	// ID tells the chart's title and description apart from the others'.
	ID    string
	Title string
	Desc  string
	Line  string
	Dots  []chartDot
	Ticks []chartTick
	// BandY and BandH place the target band; TargetY lists the target's lines.
	BandY, BandH string
	TargetY      []string
	First, Last  string
	Count        int
}

// layoutIndicator places an indicator's values in force (ordered by date) and its target on the chart.
func layoutIndicator(id string, in *objective.Indicator, ms []objective.Measurement) indicatorChart {
	c := indicatorChart{ID: id, Title: in.Name + " over time", Count: len(ms)}
	if len(ms) == 0 {
		return c
	}
	c.First, c.Last = ms[0].MeasuredOn, ms[len(ms)-1].MeasuredOn
	c.Desc = strconv.Itoa(len(ms)) + " values from " + c.First + " to " + c.Last + "; the target is " + in.TargetText + ", shown shaded. " +
		"The latest value, " + objective.FormatValue(ms[len(ms)-1].Value) + ", is " + map[bool]string{true: "on", false: "off"}[in.Target.Met(ms[len(ms)-1].Value)] + " target."
	// The vertical range covers the values and the target's bounds, with a margin.
	lo, hi := ms[0].Value, ms[0].Value
	for _, m := range ms {
		lo, hi = math.Min(lo, m.Value), math.Max(hi, m.Value)
	}
	for _, b := range []*float64{in.Target.Min, in.Target.Max} {
		if b != nil {
			lo, hi = math.Min(lo, *b), math.Max(hi, *b)
		}
	}
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
	// The band is where values meet the target: above the line, below it, or between the two.
	top, bottom := float64(metricTop), float64(metricTop)+plotH
	switch in.Target.Kind {
	case "at_least":
		bottom = y(*in.Target.Min)
		c.TargetY = []string{coord(bottom)}
	case "at_most":
		top = y(*in.Target.Max)
		c.TargetY = []string{coord(top)}
	case "between":
		top, bottom = y(*in.Target.Max), y(*in.Target.Min)
		c.TargetY = []string{coord(top), coord(bottom)}
	}
	c.BandY, c.BandH = coord(top), coord(bottom-top)
	// x: days since the first value; values of one day are spread evenly.
	day := func(s string) float64 {
		t, err := time.Parse(objective.DateLayout, s)
		if err != nil {
			return 0
		}
		return float64(t.Unix() / 86400)
	}
	first, span := day(c.First), day(c.Last)-day(c.First)
	var pts []string
	for i, m := range ms {
		frac := 0.5
		switch {
		case span > 0:
			frac = (day(m.MeasuredOn) - first) / span
		case len(ms) > 1:
			frac = float64(i) / float64(len(ms)-1)
		}
		x, yv := coord(float64(metricLeft)+plotW*frac), coord(y(m.Value))
		pts = append(pts, x+","+yv)
		c.Dots = append(c.Dots, chartDot{X: x, Y: yv, Title: m.Ref + ", " + m.MeasuredOn + ": " + objective.FormatValue(m.Value)})
	}
	c.Line = strings.Join(pts, " ")
	return c
}
