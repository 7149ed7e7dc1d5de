package web

import (
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/readiness"
)

// readinessRoutes adds the readiness and crosswalk coverage pages.
func (h *handler) readinessRoutes(signed route) {
	signed("GET /readiness", h.readinessPage)
	signed("GET /readiness/frameworks/{id}", h.coveragePage)
}

// trendDays is how far back the readiness chart looks.
const trendDays = 90

// readinessData is what the readiness page shows.
type readinessData struct {
	R     *readiness.Report
	Gaps  []readiness.Requirement
	Trend []readiness.Point
	Chart chart
}

// readinessPage shows how ready the organisation is, why, and how it changed.
func (h *handler) readinessPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	rep, err := h.Readiness.Compute(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	trend, err := h.Readiness.Trend(ctx, a, trendDays)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := readinessData{R: rep, Gaps: rep.Gaps(), Trend: trend, Chart: trendChart(trend)}
	h.show(w, r, http.StatusOK, "Readiness", "readiness", func(v view) templ.Component { return readinessView(v, d) })
}

// coveragePage shows how far the organisation's controls cover another framework.
func (h *handler) coveragePage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	c, err := h.Readiness.Coverage(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Coverage of "+c.Title, "readiness", func(v view) templ.Component { return coverageView(v, c) })
}

// percent shows a share from 0 to 1 as a whole percentage.
func percent(x float64) string { return fmt.Sprintf("%.0f%%", math.Floor(x*100+0.5)) }

// stateLabel words a readiness state.
func stateLabel(s readiness.State) string {
	switch s {
	case readiness.Met:
		return "Met"
	case readiness.Partial:
		return "Partly met"
	case readiness.Gap:
		return "Gap"
	default:
		return "Not measurable yet"
	}
}

// stateBadge is the badge class of a readiness state.
func stateBadge(s readiness.State) string {
	switch s {
	case readiness.Met:
		return "badge badge-ok"
	case readiness.Partial:
		return "badge badge-warn"
	case readiness.Gap:
		return "badge badge-bad"
	default:
		return "badge badge-muted"
	}
}

// coverageBadge is the badge class of a coverage state.
func coverageBadge(s string) string {
	switch s {
	case readiness.Covered:
		return "badge badge-ok"
	case readiness.Partly:
		return "badge badge-warn"
	default:
		return "badge badge-bad"
	}
}

// chart is a line chart of the readiness figure, drawn as SVG on the server.
type chart struct {
	Width, Height int
	// Line is the polyline of the overall figure; Measurable that of the measurable one.
	Line, Measurable string
	Dots             []chartDot
	// Ticks label the vertical axis.
	Ticks []chartTick
	First string
	Last  string
}

type chartDot struct {
	X, Y  string
	Title string
}

type chartTick struct {
	Y     string
	Label string
}

// Chart geometry, in SVG units.
const (
	chartW, chartH       = 640, 200
	chartLeft, chartTop  = 44, 10
	chartRight, chartBot = 10, 26
)

// trendChart lays out the daily figures; days without a figure are skipped.
func trendChart(pts []readiness.Point) chart {
	c := chart{Width: chartW, Height: chartH}
	plotW := float64(chartW - chartLeft - chartRight)
	plotH := float64(chartH - chartTop - chartBot)
	y := func(v float64) float64 { return float64(chartTop) + plotH*(1-v) }
	for _, v := range []float64{0, .25, .5, .75, 1} {
		c.Ticks = append(c.Ticks, chartTick{Y: fmt.Sprintf("%.1f", y(v)), Label: percent(v)})
	}
	if len(pts) == 0 {
		return c
	}
	c.First, c.Last = pts[0].Day, pts[len(pts)-1].Day
	var line, meas []string
	for i, p := range pts {
		x := float64(chartLeft)
		if len(pts) > 1 {
			x += plotW * float64(i) / float64(len(pts)-1)
		} else {
			x += plotW / 2
		}
		xs := fmt.Sprintf("%.1f", x)
		line = append(line, xs+","+fmt.Sprintf("%.1f", y(p.Score)))
		meas = append(meas, xs+","+fmt.Sprintf("%.1f", y(p.MeasurableScore)))
		c.Dots = append(c.Dots, chartDot{X: xs, Y: fmt.Sprintf("%.1f", y(p.Score)), Title: p.Day + ": " + percent(p.Score)})
	}
	c.Line, c.Measurable = strings.Join(line, " "), strings.Join(meas, " ")
	return c
}
