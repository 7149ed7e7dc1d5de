package review

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/pdftext"
	"github.com/go-pdf/fpdf"
)

// File is a rendered document.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

const (
	pdfMargin = 18.0
	pdfBottom = 16.0
)

// Minutes renders a review as minutes in PDF: the meeting, the inputs
// management saw (stored at sign-off, or as compiled now for a draft,
// marked as such), the decisions, the actions with their status today, and
// the sign-off.
func (s *Service) Minutes(ctx context.Context, actor *aims.Actor, idOrRef string) (*File, error) {
	r, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	org, err := s.sources.OrgName(ctx, actor)
	if err != nil {
		return nil, err
	}
	d := &minutes{Fpdf: fpdf.New("P", "mm", "A4", ""), r: r, org: org}
	created := s.clock().UTC()
	d.SetCreationDate(created)
	d.SetModificationDate(created)
	d.SetTitle(r.Ref+" "+r.Title+": "+org, true)
	d.SetAuthor(org, true)
	d.SetCreator("aims", false)
	d.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	d.SetAutoPageBreak(true, pdfBottom)
	d.AliasNbPages("{nb}")
	d.SetFooterFunc(d.footer)
	d.AddPage()
	d.write()
	if err := d.Error(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := d.Output(&b); err != nil {
		return nil, err
	}
	return &File{Name: "management-review-" + r.Ref + ".pdf", ContentType: "application/pdf", Data: b.Bytes()}, nil
}

// minutes writes one review as a PDF.
type minutes struct {
	*fpdf.Fpdf
	r   *Review
	org string
}

func (d *minutes) footer() {
	d.SetY(-pdfBottom + 4)
	d.SetFont("Helvetica", "", 7.5)
	d.SetTextColor(90, 100, 115)
	d.CellFormat(0, 5, pdftext.Latin(d.org+" · Minutes of "+d.r.Ref), "", 0, "L", false, 0, "")
	d.SetX(pdfMargin)
	d.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

func (d *minutes) heading(s string) {
	d.Ln(3)
	d.SetFont("Helvetica", "B", 12)
	d.CellFormat(0, 7, pdftext.Latin(s), "", 0, "L", false, 0, "")
	d.Ln(8)
}

func (d *minutes) para(size float64, style, s string) {
	d.SetFont("Helvetica", style, size)
	d.MultiCell(0, size*0.5, pdftext.Latin(s), "", "L", false)
}

// field writes a label and its value, which may wrap.
func (d *minutes) field(label, value string) {
	d.SetFont("Helvetica", "B", 10)
	d.CellFormat(40, 5.5, pdftext.Latin(label), "", 0, "L", false, 0, "")
	d.SetFont("Helvetica", "", 10)
	d.MultiCell(0, 5.5, pdftext.Latin(value), "", "L", false)
}

func names(ps []Person, guests []string) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	out = append(out, guests...)
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (d *minutes) write() {
	r := d.r
	d.SetFont("Helvetica", "B", 18)
	d.MultiCell(0, 9, pdftext.Latin("Management review "+r.Ref+": "+r.Title), "", "L", false)
	d.SetFont("Helvetica", "", 12)
	d.CellFormat(0, 7, pdftext.Latin(d.org), "", 0, "L", false, 0, "")
	d.Ln(10)
	if r.Status == StatusDraft {
		d.SetTextColor(160, 40, 40)
		d.para(10, "B", "DRAFT: not signed off. The inputs below are compiled from the records as they stand now and will be frozen at sign-off.")
		d.SetTextColor(0, 0, 0)
		d.Ln(2)
	}
	d.field("Planned for", r.PlannedOn)
	d.field("Held on", orDash(r.HeldOn))
	d.field("Chair", r.Chair.Name+" <"+r.Chair.Email+">")
	d.field("Attendees", names(r.Attendees, r.Guests))
	period := "from the start of the AIMS"
	if r.PeriodFrom != "" {
		period = "since " + r.PeriodFrom + ", when the previous review was signed off"
	}
	d.field("Period covered", period)
	if r.SignedOffBy != nil && r.SignedOffAt != nil {
		d.field("Signed off", r.SignedOffBy.Name+" on "+r.SignedOffAt.UTC().Format("2006-01-02 15:04")+" UTC")
	}
	if r.Notes != "" {
		d.heading("Discussion")
		d.para(10, "", r.Notes)
	}
	d.heading("Inputs (ISO/IEC 42001 9.3.2)")
	if r.Inputs != nil {
		for _, sec := range r.Inputs.Sections {
			title := sec.Title
			if sec.Clause != "" {
				title = sec.Clause + " " + title
			}
			d.para(10, "B", title)
			if !sec.Present {
				d.para(9.5, "I", "Missing: "+sec.Missing)
			}
			for _, f := range sec.Facts {
				d.para(9.5, "", "- "+f)
			}
			d.Ln(1.5)
		}
	}
	d.heading("Decisions (9.3.3)")
	if len(r.Decisions) == 0 {
		d.para(10, "", "No decisions are recorded.")
	}
	for _, dec := range r.Decisions {
		d.para(10, "B", dec.Ref+" "+Label(DecisionKinds, dec.Kind))
		d.para(10, "", dec.Text)
		d.Ln(1)
	}
	d.heading("Actions")
	if len(r.Actions) == 0 {
		d.para(10, "", "No actions are recorded.")
	}
	for _, a := range r.Actions {
		status := "open"
		switch {
		case a.Status == ActionDone:
			status = "done on " + a.DoneOn
		case a.Overdue:
			status = "open, overdue"
		}
		d.para(10, "B", fmt.Sprintf("%s, owner %s, due %s: %s", a.Ref, a.Owner.Name, a.DueOn, status))
		d.para(10, "", a.Description)
		d.Ln(1)
	}
}
