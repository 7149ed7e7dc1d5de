package impact

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/pdftext"
	"github.com/go-pdf/fpdf"
)

// The PDF is A4 portrait, in millimetres.
const (
	pdfMargin = 15.0
	pdfBottom = 16.0 // space kept for the footer
	pdfLine   = 3.4  // line height of the table
	pdfPad    = 1.0  // cell padding
	pdfFont   = 7.0
)

// pdfColumns are the impacts table's columns; they fill the 180 mm between the margins.
var pdfColumns = []struct {
	title string
	width float64
}{
	{"#", 7}, {"Who is affected", 24}, {"Harm", 33}, {"Severity", 15}, {"Likelihood", 16}, {"Reversibility", 19},
	{"Scale", 15}, {"Mitigation", 31}, {"Risks", 20},
}

// pdfDoc writes one assessment as a PDF.
type pdfDoc struct {
	*fpdf.Fpdf
	v *Version
}

// renderPDF renders a version as a PDF without a browser: what was
// assessed, the version, its approver and the audit checkpoint, then the
// answers by section, the impacts with their risks and the residual concerns.
func renderPDF(v *Version) ([]byte, error) {
	d := &pdfDoc{Fpdf: fpdf.New("P", "mm", "A4", ""), v: v}
	created := v.ApprovedAt
	if v.Draft || created.IsZero() {
		created = time.Now().UTC()
	}
	d.SetCreationDate(created)
	d.SetModificationDate(created)
	d.SetTitle("AI system impact assessment "+v.AssessmentRef+", "+v.Label(), true)
	d.SetAuthor(v.Organisation, true)
	d.SetCreator("aims", false)
	d.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	d.SetAutoPageBreak(true, pdfBottom)
	d.AliasNbPages("{nb}")
	d.SetFooterFunc(d.footer)

	d.AddPage()
	d.cover()
	d.answers()
	d.impacts()
	d.heading("Residual concerns")
	d.SetFont("Helvetica", "", 10)
	residual := v.ResidualConcerns
	if strings.TrimSpace(residual) == "" {
		residual = "None recorded."
	}
	d.MultiCell(0, 5, pdftext.Latin(residual), "", "L", false)
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
	d.text(0, 5, d.v.Organisation+" · Impact assessment "+d.v.AssessmentRef+" · "+d.v.Label(), "L")
	d.SetX(pdfMargin)
	d.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// cover is the start of the document: what was assessed and how to check it.
func (d *pdfDoc) cover() {
	v := d.v
	d.SetFont("Helvetica", "B", 18)
	d.text(0, 9, "AI system impact assessment", "L")
	d.Ln(10)
	d.SetFont("Helvetica", "", 13)
	d.MultiCell(0, 6.5, pdftext.Latin(v.AssessmentRef+" "+v.Title), "", "L", false)
	d.Ln(2)
	if v.Draft {
		d.SetFont("Helvetica", "B", 13)
		d.SetTextColor(179, 38, 30)
		d.text(0, 7, "DRAFT: not approved", "L")
		d.SetTextColor(0, 0, 0)
		d.Ln(9)
	}
	for _, m := range meta(v) {
		d.field(m[0], m[1], false)
	}
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
		d.SetFont("Courier", "", 7.5)
		d.SetFillColor(240, 242, 245)
		d.MultiCell(0, 3.6, pdftext.Latin(strings.TrimRight(v.Checkpoint.Note, "\n")), "", "L", true)
	}
}

func (d *pdfDoc) heading(s string) {
	d.Ln(3)
	d.ensure(20)
	d.SetFont("Helvetica", "B", 12)
	d.MultiCell(0, 6, pdftext.Latin(s), "", "L", false)
	d.Ln(1)
}

// field writes a label and its value, which may wrap.
func (d *pdfDoc) field(label, value string, mono bool) {
	d.SetFont("Helvetica", "B", 9.5)
	d.text(36, 5, label, "L")
	if mono {
		d.SetFont("Courier", "", 8.5)
	} else {
		d.SetFont("Helvetica", "", 9.5)
	}
	d.MultiCell(0, 5, pdftext.Latin(value), "", "L", false)
}

// answers writes each section's questions with their answers.
func (d *pdfDoc) answers() {
	for _, s := range d.v.Sections {
		title := s.Title
		if s.Ref != "" {
			title = s.Ref + "  " + title
		}
		d.heading(title)
		for _, q := range s.Questions {
			d.ensure(14)
			d.SetFont("Helvetica", "B", 9.5)
			label := q.Text
			if q.Ref != "" {
				label += " [" + q.Ref + "]"
			}
			d.MultiCell(0, 4.8, pdftext.Latin(label), "", "L", false)
			d.SetFont("Helvetica", "", 9.5)
			answer := AnswerText(&q, d.v.Answers[q.ID])
			switch {
			case q.Type == TypeImpacts:
				answer = plural(len(d.v.Impacts), "impact is", "impacts are") + " listed in the table of impacts below."
			case answer == "":
				d.SetTextColor(110, 117, 128)
				answer = "Not answered."
			}
			d.MultiCell(0, 4.8, pdftext.Latin(answer), "", "L", false)
			d.SetTextColor(0, 0, 0)
			d.Ln(2)
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// impacts writes the table of impacts with their linked risks.
func (d *pdfDoc) impacts() {
	d.heading("Impacts")
	if len(d.v.Impacts) == 0 {
		d.SetFont("Helvetica", "", 9.5)
		d.MultiCell(0, 5, "No impacts recorded.", "", "L", false)
		return
	}
	d.SetAutoPageBreak(false, pdfBottom)
	defer d.SetAutoPageBreak(true, pdfBottom)
	d.header()
	for _, i := range d.v.Impacts {
		d.row([]string{itoa(i.Number), i.Group, i.Harm, Label(Severities, i.Severity), Label(Likelihoods, i.Likelihood),
			Label(Reversibilities, i.Reversibility), Label(Scales, i.Scale), i.Mitigation, riskRefs(&i)})
	}
}

// header writes the table's column titles.
func (d *pdfDoc) header() {
	d.SetFont("Helvetica", "B", pdfFont)
	d.SetFillColor(238, 241, 245)
	for _, c := range pdfColumns {
		d.CellFormat(c.width, 6, c.title, "1", 0, "L", true, 0, "")
	}
	d.Ln(6)
}

// ensure starts a new page unless h millimetres fit.
func (d *pdfDoc) ensure(h float64) {
	_, pageH := d.GetPageSize()
	if d.GetY()+h > pageH-pdfBottom {
		d.AddPage()
	}
}

// row writes one impact; a row taller than the rest of the page continues
// on the next, with the column titles again, so long texts are never cut.
func (d *pdfDoc) row(cells []string) {
	d.SetFont("Helvetica", "", pdfFont)
	lines := make([][][]byte, len(cells))
	n := 1
	for i, c := range cells {
		lines[i] = d.SplitLines([]byte(pdftext.Latin(c)), pdfColumns[i].width-2*pdfPad+2*d.GetCellMargin())
		n = max(n, len(lines[i]))
	}
	_, pageH := d.GetPageSize()
	for done := 0; done < n; {
		if d.GetY()+pdfLine+2*pdfPad > pageH-pdfBottom {
			d.AddPage()
			d.header()
			d.SetFont("Helvetica", "", pdfFont)
		}
		fit := int((pageH - pdfBottom - d.GetY() - 2*pdfPad) / pdfLine)
		take := min(n-done, max(fit, 1))
		h := float64(take)*pdfLine + 2*pdfPad
		x, y := pdfMargin, d.GetY()
		for i, c := range pdfColumns {
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
