package soa

import (
	"strings"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the XLSX export.
const (
	SheetSoA     = "Statement of Applicability"
	SheetVersion = "Version"
)

// xlsxColumns are the columns of the decisions sheet and their widths.
var xlsxColumns = []struct {
	title string
	width float64
}{
	{"Control", 10}, {"Category", 34}, {"Title", 40}, {"Applies to", 26}, {"Applicable", 11}, {"Justification", 70},
	{"Implementation status", 22}, {"Owner", 22}, {"Target date", 12}, {"Evidence", 24}, {"Risks", 20},
}

// renderXLSX writes a workbook with a sheet of decisions, one row per
// control and per override under a frozen header, and a sheet describing
// the version.
func renderXLSX(v *Version) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSoA); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(SheetVersion); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#EEF1F5"}},
		Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	header := make([]any, len(xlsxColumns))
	for i, c := range xlsxColumns {
		header[i] = c.title
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(SheetSoA, col, col, c.width); err != nil {
			return nil, err
		}
	}
	if err := f.SetSheetRow(SheetSoA, "A1", &header); err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(xlsxColumns))
	if err := f.SetCellStyle(SheetSoA, "A1", last+"1", bold); err != nil {
		return nil, err
	}
	row := 1
	for _, r := range rowsOf(v) {
		row++
		category := strings.TrimSpace(r.entry.CategoryID + " " + r.entry.CategoryTitle)
		values := []any{r.entry.ControlID, category, r.entry.Title, r.appliesTo(), r.applicable(), r.justification(),
			StatusLabel(r.status()), r.owner(), r.targetDate(), r.evidence(", "), r.risks(", ")}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(SheetSoA, cell, &values); err != nil {
			return nil, err
		}
	}
	if row > 1 {
		end, _ := excelize.CoordinatesToCellName(len(xlsxColumns), row)
		if err := f.SetCellStyle(SheetSoA, "A2", end, wrap); err != nil {
			return nil, err
		}
		if err := f.AutoFilter(SheetSoA, "A1:"+end, nil); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(SheetSoA, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}

	info := meta(v)
	info = append(info[:1], append([][2]string{{"Scope", v.Scope}}, info[1:]...)...)
	if v.Checkpoint != nil {
		info = append(info, [2]string{"Signed checkpoint", strings.TrimRight(v.Checkpoint.Note, "\n")})
	}
	for i, m := range info {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		pair := []any{m[0], m[1]}
		if err := f.SetSheetRow(SheetVersion, cell, &pair); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(SheetVersion, "A", "A", 22); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(SheetVersion, "B", "B", 100); err != nil {
		return nil, err
	}
	end, _ := excelize.CoordinatesToCellName(1, len(info))
	if err := f.SetCellStyle(SheetVersion, "A1", end, bold); err != nil {
		return nil, err
	}
	end, _ = excelize.CoordinatesToCellName(2, len(info))
	if err := f.SetCellStyle(SheetVersion, "B1", end, wrap); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	title := "Statement of Applicability: " + v.Organisation + ", " + versionWords(v)
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "aims", Subject: "ISO/IEC 42001 Statement of Applicability"}); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
