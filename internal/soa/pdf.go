package soa

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/pdftext"
	"github.com/go-pdf/fpdf"
)

// The PDF is A4 landscape, in millimetres.
const (
	pdfMargin     = 10.0
	pdfBottom     = 14.0 // space kept for the footer
	pdfLine       = 3.6  // line height of the table
	pdfPad        = 1.0  // cell padding
	pdfTableFont  = 7.5
	pdfHeaderFont = 7.5
)

// pdfColumns are the table's columns and their widths; they fill the 277 mm
// between the margins.
var pdfColumns = []struct {
	title string
	width float64
}{
	{"Control", 18}, {"Title", 40}, {"Applies to", 28}, {"Applicable", 16}, {"Justification", 61},
	{"Status", 24}, {"Owner", 26}, {"Target date", 17}, {"Evidence", 24}, {"Risks", 23},
}

// pdfDoc writes one Statement as a PDF.
type pdfDoc struct {
	*fpdf.Fpdf
	v *Version
}

// renderPDF renders a version as a PDF without a browser: a first page
// naming the organisation, the scope, the version, the approver and the
// audit checkpoint, then the controls grouped by Annex A category.
func renderPDF(v *Version) ([]byte, error) {
	d := &pdfDoc{Fpdf: fpdf.New("L", "mm", "A4", ""), v: v}
	created := v.ApprovedAt
	if v.Draft || created.IsZero() {
		created = time.Now().UTC()
	}
	d.SetCreationDate(created)
	d.SetModificationDate(created)
	d.SetTitle("Statement of Applicability: "+v.Organisation+", "+versionWords(v), true)
	d.SetAuthor(v.Organisation, true)
	d.SetCreator("aims", false)
	d.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	d.SetAutoPageBreak(true, pdfBottom)
	d.AliasNbPages("{nb}")
	d.SetFooterFunc(d.footer)

	d.AddPage()
	d.cover()
	d.AddPage()
	d.table()
	if err := d.Error(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := d.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func versionWords(v *Version) string {
	if v.Draft {
		return "DRAFT"
	}
	return "version " + itoa(v.Number)
}

// text writes a cell of one line.
func (d *pdfDoc) text(w, h float64, s, align string) {
	d.CellFormat(w, h, pdftext.Latin(s), "", 0, align, false, 0, "")
}

func (d *pdfDoc) footer() {
	d.SetY(-pdfBottom + 4)
	d.SetFont("Helvetica", "", 7.5)
	d.SetTextColor(90, 100, 115)
	d.text(0, 5, d.v.Organisation+" · Statement of Applicability · "+versionWords(d.v), "L")
	d.SetX(pdfMargin)
	d.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// cover is the first page: what the document is and how to check it.
func (d *pdfDoc) cover() {
	v := d.v
	d.SetFont("Helvetica", "B", 20)
	d.text(0, 10, "Statement of Applicability", "L")
	d.Ln(11)
	d.SetFont("Helvetica", "", 14)
	d.text(0, 8, v.Organisation, "L")
	d.Ln(10)
	if v.Draft {
		d.SetFont("Helvetica", "B", 14)
		d.SetTextColor(179, 38, 30)
		d.text(0, 8, "DRAFT: not approved", "L")
		d.SetTextColor(0, 0, 0)
		d.Ln(10)
	}
	for _, m := range meta(v) {
		d.field(m[0], m[1], false)
	}
	d.Ln(3)
	d.heading("Scope")
	d.SetFont("Helvetica", "", 10)
	scope := v.Scope
	if strings.TrimSpace(scope) == "" {
		scope = "No scope recorded."
	}
	d.MultiCell(0, 5, pdftext.Latin(scope), "", "L", false)
	if v.Checkpoint != nil {
		d.Ln(3)
		d.heading("Audit checkpoint")
		d.SetFont("Helvetica", "", 9)
		d.MultiCell(0, 4.5, pdftext.Latin(fmt.Sprintf("The approval was recorded as entry %d of the organisation's audit log. "+
			"This checkpoint was signed in the same transaction and covers it: verify it with the installation's public key "+
			"(aims audit verify, or GET /api/v1/audit/key).", v.Checkpoint.Size-1)), "", "L", false)
		d.Ln(1)
		d.field("Origin", v.Checkpoint.Origin, true)
		d.field("Size", fmt.Sprintf("%d", v.Checkpoint.Size), true)
		d.field("Root hash", base64.StdEncoding.EncodeToString(v.Checkpoint.Root), true)
		d.Ln(1)
		d.SetFont("Helvetica", "B", 9)
		d.text(0, 5, "Signed note", "L")
		d.Ln(5)
		d.SetFont("Courier", "", 8)
		d.SetFillColor(240, 242, 245)
		d.MultiCell(0, 3.8, pdftext.Latin(strings.TrimRight(v.Checkpoint.Note, "\n")), "", "L", true)
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

// table writes the controls by category, with their overrides beneath them.
func (d *pdfDoc) table() {
	d.SetAutoPageBreak(false, pdfBottom)
	d.heading("Controls")
	d.header()
	for _, c := range categories(d.v) {
		d.ensure(3 * pdfLine * 2)
		d.SetFont("Helvetica", "B", 9)
		d.SetFillColor(223, 231, 243)
		d.CellFormat(0, 6, pdftext.Latin(c.heading()), "1", 1, "L", true, 0, "")
		for _, e := range c.entries {
			for _, r := range rowsOf(&Version{Controls: []Entry{*e}}) {
				id, title := r.entry.ControlID, r.entry.Title
				if r.system != nil {
					id, title = "", "for "+r.system.SystemRef
				}
				d.row([]string{id, title, r.appliesTo(), r.applicable(), r.justification(), StatusLabel(r.status()),
					r.owner(), r.targetDate(), r.evidence(", "), r.risks(", ")}, r.system != nil)
			}
		}
	}
}

// header writes the table's column titles.
func (d *pdfDoc) header() {
	d.SetFont("Helvetica", "B", pdfHeaderFont)
	d.SetFillColor(238, 241, 245)
	for _, c := range pdfColumns {
		d.CellFormat(c.width, 6, c.title, "1", 0, "L", true, 0, "")
	}
	d.Ln(6)
}

// ensure starts a new page, with the column titles, unless h millimetres fit.
func (d *pdfDoc) ensure(h float64) {
	_, pageH := d.GetPageSize()
	if d.GetY()+h > pageH-pdfBottom {
		d.AddPage()
		d.header()
	}
}

// row writes one decision; a row taller than the rest of the page
// continues on the next, so long justifications are never cut.
func (d *pdfDoc) row(cells []string, override bool) {
	d.SetFont("Helvetica", "", pdfTableFont)
	lines := make([][][]byte, len(cells))
	n := 1
	for i, c := range cells {
		lines[i] = d.SplitLines([]byte(pdftext.Latin(c)), pdfColumns[i].width-2*pdfPad+2*d.GetCellMargin())
		n = max(n, len(lines[i]))
	}
	_, pageH := d.GetPageSize()
	for done := 0; done < n; {
		d.ensure(pdfLine + 2*pdfPad)
		fit := int((pageH - pdfBottom - d.GetY() - 2*pdfPad) / pdfLine)
		take := min(n-done, max(fit, 1))
		h := float64(take)*pdfLine + 2*pdfPad
		x, y := pdfMargin, d.GetY()
		if override {
			d.SetFillColor(248, 249, 251)
		}
		for i, c := range pdfColumns {
			style := "D"
			if override {
				style = "FD"
			}
			d.Rect(x, y, c.width, h, style)
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
