package risk

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the XLSX exports.
const (
	SheetRisks    = "Risks"
	SheetPlan     = "Treatment plan"
	SheetCriteria = "Criteria"
	SheetAbout    = "About"
)

// xlsxRiskWidths and xlsxActionWidths are the widths of the tables' columns.
var (
	xlsxRiskWidths   = []float64{10, 40, 16, 30, 30, 20, 12, 22, 18, 18, 22, 44, 12}
	xlsxActionWidths = []float64{10, 8, 60, 22, 12, 16, 12}
)

// renderXLSX writes a workbook with the risks, the treatment plan, the
// criteria and a sheet describing the document.
func renderXLSX(r *report) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetRisks); err != nil {
		return nil, err
	}
	sheets := []string{SheetPlan}
	if r.Criteria != nil {
		sheets = append(sheets, SheetCriteria)
	}
	for _, s := range append(sheets, SheetAbout) {
		if _, err := f.NewSheet(s); err != nil {
			return nil, err
		}
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
	rows := make([][]string, len(r.Risks))
	for i := range r.Risks {
		rows[i] = riskCells(&r.Risks[i])
	}
	if err := sheetTable(f, SheetRisks, riskColumns, xlsxRiskWidths, rows, bold, wrap); err != nil {
		return nil, err
	}
	if err := sheetTable(f, SheetPlan, actionColumns, xlsxActionWidths, actionCells(r.Risks), bold, wrap); err != nil {
		return nil, err
	}
	if c := r.Criteria; c != nil {
		if err := criteriaSheet(f, c, bold); err != nil {
			return nil, err
		}
	}
	info := append([][2]string{}, r.Meta...)
	if r.CheckpointNote != "" {
		info = append(info, [2]string{"Signed checkpoint", strings.TrimRight(r.CheckpointNote, "\n")})
	}
	for i, m := range info {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		pair := []any{m[0], m[1]}
		if err := f.SetSheetRow(SheetAbout, cell, &pair); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(SheetAbout, "A", "A", 22); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(SheetAbout, "B", "B", 100); err != nil {
		return nil, err
	}
	end, _ := excelize.CoordinatesToCellName(1, len(info))
	if err := f.SetCellStyle(SheetAbout, "A1", end, bold); err != nil {
		return nil, err
	}
	end, _ = excelize.CoordinatesToCellName(2, len(info))
	if err := f.SetCellStyle(SheetAbout, "B1", end, wrap); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: r.Title + ": " + r.Organisation, Creator: "aims",
		Subject: "ISO/IEC 42001 AI risk management"}); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetTable writes a table with a frozen, filtered header row.
func sheetTable(f *excelize.File, sheet string, titles []string, widths []float64, rows [][]string, bold, wrap int) error {
	header := make([]any, len(titles))
	for i, t := range titles {
		header[i] = t
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, widths[i]); err != nil {
			return err
		}
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(titles))
	if err := f.SetCellStyle(sheet, "A1", last+"1", bold); err != nil {
		return err
	}
	for i, cells := range rows {
		values := make([]any, len(cells))
		for j, c := range cells {
			values[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &values); err != nil {
			return err
		}
	}
	if len(rows) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(titles), len(rows)+1)
		if err := f.SetCellStyle(sheet, "A2", end, wrap); err != nil {
			return err
		}
		if err := f.AutoFilter(sheet, "A1:"+end, nil); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// criteriaSheet writes the matrix, highest likelihood on top, each cell in
// its level's colour, and the levels with their review intervals below.
func criteriaSheet(f *excelize.File, c *Criteria, bold int) error {
	title := []any{fmt.Sprintf("Risk criteria, version %d; appetite %s", c.Version, c.Appetite)}
	if err := f.SetSheetRow(SheetCriteria, "A1", &title); err != nil {
		return err
	}
	head := []any{"Likelihood \\ impact"}
	for i, s := range c.Impact {
		head = append(head, fmt.Sprintf("%d %s", i+1, s.Label))
	}
	if err := f.SetSheetRow(SheetCriteria, "A3", &head); err != nil {
		return err
	}
	if err := f.SetColWidth(SheetCriteria, "A", "A", 28); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(c.Impact) + 1)
	if err := f.SetColWidth(SheetCriteria, "B", last, 16); err != nil {
		return err
	}
	if err := f.SetCellStyle(SheetCriteria, "A3", last+"3", bold); err != nil {
		return err
	}
	styles := map[string]int{}
	for _, l := range c.Levels {
		font := "#000000"
		if dark(l.Colour) {
			font = "#FFFFFF"
		}
		st, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{l.Colour}},
			Font: &excelize.Font{Color: font}, Alignment: &excelize.Alignment{Horizontal: "center"}})
		if err != nil {
			return err
		}
		styles[l.Name] = st
	}
	row := 4
	for l := len(c.Likelihood); l >= 1; l-- {
		values := []any{fmt.Sprintf("%d %s", l, c.Likelihood[l-1].Label)}
		for i := 1; i <= len(c.Impact); i++ {
			values = append(values, c.Matrix[l-1][i-1])
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(SheetCriteria, cell, &values); err != nil {
			return err
		}
		for i := 1; i <= len(c.Impact); i++ {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if err := f.SetCellStyle(SheetCriteria, cell, cell, styles[c.Matrix[l-1][i-1]]); err != nil {
				return err
			}
		}
		row++
	}
	row++
	head = []any{"Level", "Colour", "Review every (days)"}
	cell, _ := excelize.CoordinatesToCellName(1, row)
	if err := f.SetSheetRow(SheetCriteria, cell, &head); err != nil {
		return err
	}
	for _, lv := range c.Levels {
		row++
		values := []any{lv.Name, lv.Colour, lv.ReviewDays}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(SheetCriteria, cell, &values); err != nil {
			return err
		}
	}
	return nil
}
