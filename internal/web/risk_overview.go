package web

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/risk"
)

// riskOverview shows the register seen whole: heat maps, what is due, risks
// by AI system and the gaps between risks and controls.
func (h *handler) riskOverview(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	o, err := h.Risks.Overview(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Risk overview", "risks", func(v view) templ.Component { return riskOverviewView(v, o) })
}

// riskSVGText is a text of a chart, placed.
type riskSVGText struct {
	X, Y   int
	Text   string
	Anchor string
}

// riskSVGCell is a cell of a matrix chart: a coloured square with its text and,
// on a heat map, the link to the risks in it.
type riskSVGCell struct {
	X, Y, W, H int
	Fill, Ink  string
	Big, Small string
	Href       string
	Label      string
}

// riskMatrix is a likelihood × impact matrix drawn as SVG with presentation
// attributes only (the content security policy forbids style attributes).
type riskMatrix struct {
	ID            string
	Title         string
	Width, Height int
	Cells         []riskSVGCell
	Rows, Cols    []riskSVGText
	AxisY, AxisX  riskSVGText
}

// Geometry of the matrix charts, in SVG units.
const (
	riskMatrixLeft   = 150
	riskMatrixTop    = 10
	riskMatrixCellW  = 96
	riskMatrixCellH  = 58
	riskMatrixBottom = 62
)

// newRiskMatrix lays out a chart of criteria: likelihood upwards, impact
// to the right. cell fills in each cell's texts and link.
func newRiskMatrix(id, title string, c *risk.Criteria, cell func(l, i int, sc *riskSVGCell)) riskMatrix {
	nl, ni := len(c.Likelihood), len(c.Impact)
	m := riskMatrix{ID: id, Title: title, Width: riskMatrixLeft + ni*riskMatrixCellW + 10, Height: riskMatrixTop + nl*riskMatrixCellH + riskMatrixBottom}
	for l := nl; l >= 1; l-- {
		y := riskMatrixTop + (nl-l)*riskMatrixCellH
		m.Rows = append(m.Rows, riskSVGText{X: riskMatrixLeft - 8, Y: y + riskMatrixCellH/2 + 4, Text: strconv.Itoa(l) + " " + riskShortLabel(c.Likelihood[l-1].Label), Anchor: "end"})
		for i := 1; i <= ni; i++ {
			r := c.Rate(l, i)
			sc := riskSVGCell{X: riskMatrixLeft + (i-1)*riskMatrixCellW, Y: y, W: riskMatrixCellW, H: riskMatrixCellH, Fill: r.Colour, Ink: riskInk(r.Colour), Small: r.Level}
			cell(l, i, &sc)
			m.Cells = append(m.Cells, sc)
		}
	}
	base := riskMatrixTop + nl*riskMatrixCellH
	for i := 1; i <= ni; i++ {
		m.Cols = append(m.Cols, riskSVGText{X: riskMatrixLeft + (i-1)*riskMatrixCellW + riskMatrixCellW/2, Y: base + 18,
			Text: strconv.Itoa(i) + " " + riskShortLabel(c.Impact[i-1].Label), Anchor: "middle"})
	}
	m.AxisX = riskSVGText{X: riskMatrixLeft + ni*riskMatrixCellW/2, Y: base + 44, Text: "Impact →", Anchor: "middle"}
	m.AxisY = riskSVGText{X: 12, Y: riskMatrixTop + 14, Text: "Likelihood ↑", Anchor: "start"}
	return m
}

// riskShortLabel keeps a scale's label short enough for a chart's axis.
func riskShortLabel(s string) string {
	if r := []rune(s); len(r) > 16 {
		return string(r[:15]) + "…"
	}
	return s
}

// riskInk is the text colour that reads on a fill.
func riskInk(fill string) string {
	if risk.Dark(fill) {
		return "#ffffff"
	}
	return "#1b2330"
}

// riskHeatChart draws a heat map whose cells show how many risks are there and
// link to them in the register.
func riskHeatChart(c *risk.Criteria, m *risk.HeatMap) riskMatrix {
	kind, word := "inherent", "Inherent"
	if m.Kind == "residual" {
		kind, word = "residual", "Residual"
	}
	return newRiskMatrix("heatmap-"+kind, word+" risk", c, func(l, i int, sc *riskSVGCell) {
		n := m.Cells[l-1][i-1].Count
		sc.Big = strconv.Itoa(n)
		sc.Href = "/risks?" + kind + "=" + strconv.Itoa(l) + "-" + strconv.Itoa(i)
		sc.Label = word + " likelihood " + strconv.Itoa(l) + " " + c.Likelihood[l-1].Label + ", impact " + strconv.Itoa(i) + " " +
			c.Impact[i-1].Label + ": " + sc.Small + ", " + plural(int64(n), "risk", "risks")
	})
}

// riskCriteriaChart draws the level of every cell of criteria.
func riskCriteriaChart(c *risk.Criteria) riskMatrix {
	return newRiskMatrix("matrix-v"+strconv.Itoa(c.Version), "Risk levels by likelihood and impact", c, func(l, i int, sc *riskSVGCell) {
		sc.Big, sc.Small = sc.Small, ""
		sc.Label = "Likelihood " + strconv.Itoa(l) + " " + c.Likelihood[l-1].Label + ", impact " + strconv.Itoa(i) + " " + c.Impact[i-1].Label + ": " + sc.Big
	})
}

// cellXY are the coordinates of a cell's texts.
func (s riskSVGCell) bigX() string   { return strconv.Itoa(s.X + s.W/2) }
func (s riskSVGCell) bigY() string   { return strconv.Itoa(s.Y + s.H/2 + 4) }
func (s riskSVGCell) smallY() string { return strconv.Itoa(s.Y + s.H - 8) }

// riskHeatRows are the likelihood steps from the highest, for the tables beside the maps.
func riskHeatRows(c *risk.Criteria) []int {
	out := make([]int, len(c.Likelihood))
	for i := range out {
		out[i] = len(c.Likelihood) - i
	}
	return out
}

// riskHeatCount is the number of risks in a cell of a map.
func riskHeatCount(m *risk.HeatMap, l, i int) int { return m.Cells[l-1][i-1].Count }

// riskHeatCaption says how many risks a map shows and which it leaves out.
func riskHeatCaption(m *risk.HeatMap) string {
	s := plural(int64(m.Total), "risk", "risks") + " on the map"
	if m.Unrated > 0 {
		s += "; " + plural(int64(m.Unrated), "risk is", "risks are") + " not rated yet"
	}
	if m.OlderCriteria > 0 {
		s += "; " + plural(int64(m.OlderCriteria), "risk was", "risks were") + " rated under an older criteria version and " +
			map[bool]string{true: "is", false: "are"}[m.OlderCriteria == 1] + " left out"
	}
	return s + "."
}
