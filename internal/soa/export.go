package soa

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// Export formats.
const (
	FormatPDF      = "pdf"
	FormatXLSX     = "xlsx"
	FormatCSV      = "csv"
	FormatMarkdown = "md"
)

// Formats lists the export formats; each one's Label is its content type.
var Formats = []Option{
	{FormatPDF, "application/pdf"},
	{FormatXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{FormatCSV, "text/csv; charset=utf-8"},
	{FormatMarkdown, "text/markdown; charset=utf-8"},
}

// File is an export ready to be downloaded.
type File struct {
	// Name is the file name offered, such as soa-v2.pdf or soa-draft.xlsx.
	Name        string
	ContentType string
	Data        []byte
}

// Export renders an approved version, or the draft for number 0 (marked
// DRAFT), as a PDF, XLSX, CSV or Markdown file.
func (s *Service) Export(ctx context.Context, actor *aims.Actor, number int, format string) (*File, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	format = strings.ToLower(strings.TrimSpace(format))
	var contentType string
	for _, f := range Formats {
		if f.Value == format {
			contentType = f.Label
		}
	}
	var p aims.Problems
	if contentType == "" {
		p.Add("format", "must be one of pdf, xlsx, csv, md")
	}
	if number < 0 {
		p.Add("number", "must be a version number, or 0 for the draft")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	v, err := s.versionOrDraft(ctx, actor.OrgID, number)
	if err != nil {
		return nil, err
	}
	var data []byte
	switch format {
	case FormatPDF:
		data, err = renderPDF(v)
	case FormatXLSX:
		data, err = renderXLSX(v)
	case FormatCSV:
		data, err = renderCSV(v)
	case FormatMarkdown:
		data = renderMarkdown(v)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot export the Statement of Applicability as %s: %w", format, err)
	}
	return &File{Name: "soa-" + v.Label() + "." + format, ContentType: contentType, Data: data}, nil
}

// exportRow is one decision as the tables of the exports show it.
type exportRow struct {
	entry *Entry
	// system is the override's AI system, nil for the organisation's decision.
	system   *Override
	decision *Decision
}

func (r exportRow) appliesTo() string {
	if r.system == nil {
		return "Organisation"
	}
	return r.system.SystemRef + " " + r.system.SystemName
}

func (r exportRow) applicable() string {
	switch {
	case r.decision == nil:
		return "undecided"
	case r.decision.Applicable:
		return "yes"
	}
	return "no"
}

// d is the row's decision, or an empty one while undecided.
func (r exportRow) d() Decision {
	if r.decision == nil {
		return Decision{}
	}
	return *r.decision
}

func (r exportRow) justification() string { return r.d().Justification }
func (r exportRow) status() string        { return r.d().Status }
func (r exportRow) targetDate() string    { return r.d().TargetDate }

// owner names the owner, or gives the id of one whose name is unknown.
func (r exportRow) owner() string {
	if d := r.d(); d.OwnerName != "" {
		return d.OwnerName
	}
	return r.d().OwnerID
}

// evidence lists the control's evidence references on its organisation row.
func (r exportRow) evidence(sep string) string {
	if r.system != nil {
		return ""
	}
	refs := make([]string, len(r.entry.Evidence))
	for i, e := range r.entry.Evidence {
		refs[i] = e.Ref
	}
	return strings.Join(refs, sep)
}

// risks lists the risks the control treats on its organisation row.
func (r exportRow) risks(sep string) string {
	if r.system != nil {
		return ""
	}
	refs := make([]string, len(r.entry.Risks))
	for i, x := range r.entry.Risks {
		refs[i] = x.Ref
	}
	return strings.Join(refs, sep)
}

// rowsOf is every decision of a version: each control, then its overrides.
func rowsOf(v *Version) []exportRow {
	var out []exportRow
	for i := range v.Controls {
		e := &v.Controls[i]
		out = append(out, exportRow{entry: e, decision: e.Decision})
		for j := range e.Overrides {
			o := &e.Overrides[j]
			out = append(out, exportRow{entry: e, system: o, decision: &o.Decision})
		}
	}
	return out
}

// category is a group of controls of an export.
type category struct {
	id, title string
	entries   []*Entry
}

// categories groups a version's controls by Annex A category, in the order
// they first appear; own controls outside the categories come last.
func categories(v *Version) []*category {
	var out []*category
	byID := map[string]*category{}
	for i := range v.Controls {
		e := &v.Controls[i]
		c, ok := byID[e.CategoryID]
		if !ok {
			c = &category{id: e.CategoryID, title: e.CategoryTitle}
			if c.id == "" {
				c.title = "Own controls"
			}
			byID[e.CategoryID] = c
			out = append(out, c)
		}
		c.entries = append(c.entries, e)
	}
	for i, c := range out {
		if c.id == "" && i < len(out)-1 {
			out = append(append(out[:i:i], out[i+1:]...), c)
			break
		}
	}
	return out
}

// heading is a category's heading: "A.6 AI system life cycle".
func (c *category) heading() string {
	if c.id == "" {
		return c.title
	}
	return strings.TrimSpace(c.id + " " + c.title)
}

// counts sums up a version's organisation-level decisions.
func counts(v *Version) (applicable, notApplicable, undecided, overrides int) {
	for _, e := range v.Controls {
		switch {
		case e.Decision == nil:
			undecided++
		case e.Decision.Applicable:
			applicable++
		default:
			notApplicable++
		}
		overrides += len(e.Overrides)
	}
	return
}

// meta is the version's description, as label and value pairs.
func meta(v *Version) [][2]string {
	a, n, u, o := counts(v)
	summary := fmt.Sprintf("%d controls: %d applicable, %d not applicable", len(v.Controls), a, n)
	if u > 0 {
		summary += fmt.Sprintf(", %d undecided", u)
	}
	summary += fmt.Sprintf("; %d AI system override", o)
	if o != 1 {
		summary += "s"
	}
	out := [][2]string{{"Organisation", v.Organisation}}
	if v.Draft {
		out = append(out, [2]string{"Version", "DRAFT (not approved)"})
	} else {
		out = append(out, [2]string{"Version", itoa(v.Number)},
			[2]string{"Approved by", v.ApprovedByName},
			[2]string{"Approved at", fmtTime(v.ApprovedAt)})
		if v.Note != "" {
			out = append(out, [2]string{"Approval note", v.Note})
		}
	}
	out = append(out, [2]string{"Controls", summary})
	if v.Checkpoint != nil {
		out = append(out, [2]string{"Checkpoint origin", v.Checkpoint.Origin},
			[2]string{"Checkpoint size", fmt.Sprintf("%d", v.Checkpoint.Size)},
			[2]string{"Checkpoint root", base64.StdEncoding.EncodeToString(v.Checkpoint.Root)})
	}
	return out
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// renderCSV writes one row per decision under a header row (RFC 4180, UTF-8).
func renderCSV(v *Version) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	_ = w.Write([]string{"control_id", "category_id", "title", "applies_to", "system_name", "applicable", "justification",
		"status", "owner", "target_date", "evidence", "risks"})
	for _, r := range rowsOf(v) {
		appliesTo, name := "organisation", ""
		if r.system != nil {
			appliesTo, name = r.system.SystemRef, r.system.SystemName
		}
		_ = w.Write([]string{r.entry.ControlID, r.entry.CategoryID, r.entry.Title, appliesTo, name, r.applicable(),
			r.justification(), r.status(), r.owner(), r.targetDate(), r.evidence(" "), r.risks(" ")})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// renderMarkdown writes a heading with the version's description and a
// table of decisions per category.
func renderMarkdown(v *Version) []byte {
	var b strings.Builder
	title := "# Statement of Applicability: " + mdText(v.Organisation)
	if v.Draft {
		title += " (DRAFT)"
	} else {
		title += ", version " + itoa(v.Number)
	}
	b.WriteString(title + "\n\n")
	if v.Draft {
		b.WriteString("**DRAFT: not approved.** This is the Statement as it is being edited.\n\n")
	}
	b.WriteString("| | |\n|---|---|\n")
	for _, m := range meta(v) {
		fmt.Fprintf(&b, "| %s | %s |\n", m[0], mdCell(m[1]))
	}
	b.WriteString("\n## Scope\n\n")
	if strings.TrimSpace(v.Scope) == "" {
		b.WriteString("_No scope recorded._\n")
	} else {
		for _, line := range strings.Split(strings.ReplaceAll(v.Scope, "\r\n", "\n"), "\n") {
			b.WriteString(strings.TrimRight("> "+mdText(line), " ") + "\n")
		}
	}
	if v.Checkpoint != nil {
		b.WriteString("\n## Audit checkpoint\n\nSigned in the same transaction as the approval; it covers the approval's own audit event, entry " +
			fmt.Sprintf("%d", v.Checkpoint.Size-1) + " of the audit log.\n\n```\n" + strings.TrimRight(v.Checkpoint.Note, "\n") + "\n```\n")
	}
	for _, c := range categories(v) {
		b.WriteString("\n## " + mdText(c.heading()) + "\n\n")
		b.WriteString("| Control | Title | Applies to | Applicable | Justification | Status | Owner | Target date | Evidence | Risks |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
		for _, e := range c.entries {
			for _, r := range rowsOf(&Version{Controls: []Entry{*e}}) {
				cells := []string{r.entry.ControlID, r.entry.Title, r.appliesTo(), r.applicable(), r.justification(),
					StatusLabel(r.status()), r.owner(), r.targetDate(), r.evidence(", "), r.risks(", ")}
				for i := range cells {
					cells[i] = mdCell(cells[i])
				}
				b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			}
		}
	}
	return []byte(b.String())
}

// mdText escapes the characters that would start HTML in Markdown text.
func mdText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// mdCell makes a text safe in a Markdown table cell: pipes escaped, line
// breaks as <br>.
func mdCell(s string) string {
	s = mdText(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")))
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}
