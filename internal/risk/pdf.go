package risk

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/pdftext"
	"github.com/go-pdf/fpdf"
)

// The PDF is A4 landscape, in millimetres.
const (
	pdfMargin = 10.0
	pdfBottom = 14.0 // space kept for the footer
	pdfLine   = 3.6  // line height of the tables
	pdfPad    = 1.0  // cell padding
	pdfFont   = 7.5
)

// column is a table's column: its title and width.
type column struct {
	title string
	width float64
}

// The tables' columns fill the 277 mm between the margins.
var (
	pdfRiskWidths   = []float64{14, 34, 18, 22, 22, 18, 15, 22, 18, 18, 22, 36, 18}
	pdfActionWidths = []float64{16, 12, 139, 40, 22, 26, 22}
)

func columns(titles []string, widths []float64) []column {
	out := make([]column, len(titles))
	for i := range titles {
		out[i] = column{titles[i], widths[i]}
	}
	return out
}

// pdfDoc writes one report as a PDF.
type pdfDoc struct {
	*fpdf.Fpdf
	r    *report
	cols []column // the columns of the table being written
}

// renderPDF renders a report without a browser: a first page naming the
// organisation, what the document is and the audit checkpoint, the risk
// criteria, then the risks and the treatment plan, on numbered pages.
func renderPDF(r *report) ([]byte, error) {
	d := &pdfDoc{Fpdf: fpdf.New("L", "mm", "A4", ""), r: r}
	d.SetCreationDate(r.Created)
	d.SetModificationDate(r.Created)
	d.SetTitle(r.Title+": "+r.Organisation, true)
	d.SetAuthor(r.Organisation, true)
	d.SetCreator("aims", false)
	d.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	d.SetAutoPageBreak(true, pdfBottom)
	d.AliasNbPages("{nb}")
	d.SetFooterFunc(d.footer)

	d.AddPage()
	d.cover()
	if r.Criteria != nil {
		d.AddPage()
		d.criteria(r.Criteria)
	}
	d.AddPage()
	d.SetAutoPageBreak(false, pdfBottom)
	d.heading("Risks")
	rows := make([][]string, len(r.Risks))
	for i := range r.Risks {
		rows[i] = riskCells(&r.Risks[i])
	}
	if len(rows) == 0 {
		d.SetFont("Helvetica", "", 10)
		d.text(0, 6, "No risks are recorded.", "L")
		d.Ln(8)
	} else {
		d.table(columns(riskColumns, pdfRiskWidths), rows)
	}
	d.Ln(4)
	d.ensureRoom(20)
	d.heading("Treatment plan")
	if actions := actionCells(r.Risks); len(actions) == 0 {
		d.SetFont("Helvetica", "", 10)
		d.text(0, 6, "No treatment actions are recorded.", "L")
	} else {
		d.table(columns(actionColumns, pdfActionWidths), actions)
	}
	if err := d.Error(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := d.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// text writes a cell of one line.
func (d *pdfDoc) text(w, h float64, s, align string) {
	d.CellFormat(w, h, pdftext.Latin(s), "", 0, align, false, 0, "")
}

func (d *pdfDoc) footer() {
	d.SetY(-pdfBottom + 4)
	d.SetFont("Helvetica", "", 7.5)
	d.SetTextColor(90, 100, 115)
	d.text(0, 5, d.r.Organisation+" · "+d.r.Title, "L")
	d.SetX(pdfMargin)
	d.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// cover is the first page: what the document is and how to check it.
func (d *pdfDoc) cover() {
	d.SetFont("Helvetica", "B", 20)
	d.MultiCell(0, 10, pdftext.Latin(d.r.Title), "", "L", false)
	d.Ln(1)
	d.SetFont("Helvetica", "", 14)
	d.text(0, 8, d.r.Organisation, "L")
	d.Ln(10)
	for _, m := range d.r.Meta {
		d.field(m[0], m[1], strings.HasPrefix(m[0], "Checkpoint "))
	}
	if d.r.CheckpointNote != "" {
		d.Ln(3)
		d.heading("Audit checkpoint")
		d.SetFont("Helvetica", "", 9)
		d.MultiCell(0, 4.5, pdftext.Latin(d.r.CheckpointText), "", "L", false)
		d.Ln(1)
		d.SetFont("Courier", "", 8)
		d.SetFillColor(240, 242, 245)
		d.MultiCell(0, 3.8, pdftext.Latin(strings.TrimRight(d.r.CheckpointNote, "\n")), "", "L", true)
	}
}

func (d *pdfDoc) heading(s string) {
	d.SetFont("Helvetica", "B", 12)
	d.text(0, 7, s, "L")
	d.Ln(8)
}

// field writes a label and its value, which may wrap.
func (d *pdfDoc) field(label, value string, mono bool) {
	d.SetFont("Helvetica", "B", 10)
	d.text(42, 5.5, label, "L")
	if mono {
		d.SetFont("Courier", "", 9)
	} else {
		d.SetFont("Helvetica", "", 10)
	}
	d.MultiCell(0, 5.5, pdftext.Latin(value), "", "L", false)
}

// criteria writes the criteria version: its levels and the matrix, each
// cell in its level's colour.
func (d *pdfDoc) criteria(c *Criteria) {
	d.heading(fmt.Sprintf("Risk criteria, version %d", c.Version))
	d.SetFont("Helvetica", "", 9)
	d.MultiCell(0, 4.5, pdftext.Latin(fmt.Sprintf("Set %s by %s. Risk appetite: %s, the highest level accepted without escalation to an owner.",
		c.CreatedAt.Format(DateLayout), c.CreatedByName, c.Appetite)), "", "L", false)
	d.Ln(2)
	d.SetFont("Helvetica", "B", 9)
	d.text(0, 5, "Levels, from lowest to highest, with the review interval", "L")
	d.Ln(5)
	d.SetFont("Helvetica", "", 9)
	for _, l := range c.Levels {
		r, g, b := rgb(l.Colour)
		d.SetFillColor(r, g, b)
		d.Rect(d.GetX(), d.GetY()+1, 4, 3.5, "F")
		d.SetX(d.GetX() + 6)
		d.text(0, 5.5, fmt.Sprintf("%s: review every %d days", l.Name, l.ReviewDays), "L")
		d.Ln(5.5)
	}
	d.Ln(3)
	first := 60.0
	w := (277 - first) / float64(len(c.Impact))
	h := 9.0
	d.SetFont("Helvetica", "B", 8)
	d.SetFillColor(238, 241, 245)
	d.CellFormat(first, h, "Likelihood \\ impact", "1", 0, "L", true, 0, "")
	for i, s := range c.Impact {
		d.CellFormat(w, h, pdftext.Latin(fmt.Sprintf("%d %s", i+1, s.Label)), "1", 0, "C", true, 0, "")
	}
	d.Ln(h)
	for l := len(c.Likelihood); l >= 1; l-- {
		d.SetFont("Helvetica", "B", 8)
		d.SetFillColor(238, 241, 245)
		d.CellFormat(first, h, pdftext.Latin(fmt.Sprintf("%d %s", l, c.Likelihood[l-1].Label)), "1", 0, "L", true, 0, "")
		d.SetFont("Helvetica", "", 8)
		for i := 1; i <= len(c.Impact); i++ {
			name := c.Matrix[l-1][i-1]
			lv, _ := c.Level(name)
			r, g, b := rgb(lv.Colour)
			d.SetFillColor(r, g, b)
			if dark(lv.Colour) {
				d.SetTextColor(255, 255, 255)
			}
			d.CellFormat(w, h, pdftext.Latin(name), "1", 0, "C", true, 0, "")
			d.SetTextColor(0, 0, 0)
		}
		d.Ln(h)
	}
	d.Ln(3)
	d.SetFont("Helvetica", "", 8)
	for _, scale := range []struct {
		name  string
		steps []ScaleLevel
	}{{"Likelihood", c.Likelihood}, {"Impact", c.Impact}} {
		for i, s := range scale.steps {
			if s.Description != "" {
				d.MultiCell(0, 4, pdftext.Latin(fmt.Sprintf("%s %d, %s: %s", scale.name, i+1, s.Label, s.Description)), "", "L", false)
			}
		}
	}
}

// table writes rows under the columns' titles; a row taller than the rest
// of the page continues on the next, so long texts are never cut.
func (d *pdfDoc) table(cols []column, rows [][]string) {
	d.cols = cols
	d.header()
	for _, cells := range rows {
		d.row(cells)
	}
	d.cols = nil
}

func (d *pdfDoc) header() {
	d.SetFont("Helvetica", "B", pdfFont)
	d.SetFillColor(238, 241, 245)
	for _, c := range d.cols {
		d.CellFormat(c.width, 6, c.title, "1", 0, "L", true, 0, "")
	}
	d.Ln(6)
}

// ensure starts a new page, with the column titles, unless h millimetres fit.
func (d *pdfDoc) ensure(h float64) {
	_, pageH := d.GetPageSize()
	if d.GetY()+h > pageH-pdfBottom {
		d.AddPage()
		if d.cols != nil {
			d.header()
		}
	}
}

// ensureRoom starts a new page unless h millimetres fit, outside a table.
func (d *pdfDoc) ensureRoom(h float64) {
	_, pageH := d.GetPageSize()
	if d.GetY()+h > pageH-pdfBottom {
		d.AddPage()
	}
}

func (d *pdfDoc) row(cells []string) {
	d.SetFont("Helvetica", "", pdfFont)
	lines := make([][][]byte, len(cells))
	n := 1
	for i, c := range cells {
		lines[i] = d.SplitLines([]byte(pdftext.Latin(c)), d.cols[i].width-2*pdfPad+2*d.GetCellMargin())
		n = max(n, len(lines[i]))
	}
	_, pageH := d.GetPageSize()
	for done := 0; done < n; {
		d.ensure(pdfLine + 2*pdfPad)
		fit := int((pageH - pdfBottom - d.GetY() - 2*pdfPad) / pdfLine)
		take := min(n-done, max(fit, 1))
		h := float64(take)*pdfLine + 2*pdfPad
		x, y := pdfMargin, d.GetY()
		for i, c := range d.cols {
			d.Rect(x, y, c.width, h, "D")
			for k := done; k < done+take && k < len(lines[i]); k++ {
				d.SetXY(x+pdfPad-d.GetCellMargin(), y+pdfPad+float64(k-done)*pdfLine)
				d.CellFormat(c.width-2*pdfPad+2*d.GetCellMargin(), pdfLine, string(lines[i][k]), "", 0, "L", false, 0, "")
			}
			x += c.width
		}
		d.SetXY(pdfMargin, y+h)
		done += take
	}
}

// rgb reads a #rrggbb colour.
func rgb(c string) (int, int, int) {
	if len(c) != 7 {
		return 255, 255, 255
	}
	v, err := strconv.ParseUint(c[1:], 16, 32)
	if err != nil {
		return 255, 255, 255
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}

// dark reports whether white text reads better than black on a colour,
// by its relative luminance (WCAG).
func dark(c string) bool {
	r, g, b := rgb(c)
	lum := func(v int) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	l := 0.2126*lum(r) + 0.7152*lum(g) + 0.0722*lum(b)
	// Contrast with white (1.05/(l+0.05)) against with black ((l+0.05)/0.05).
	return 1.05/(l+0.05) > (l+0.05)/0.05
}

// Dark reports whether a level's colour needs white text.
func Dark(colour string) bool { return dark(colour) }
