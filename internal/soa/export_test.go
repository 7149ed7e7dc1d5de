package soa_test

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// exportEnv has a Statement with an approved version 2, evidence, an
// override and texts that exports must keep intact.
func exportEnv(t *testing.T, d *db.DB) (*env, *soa.Version) {
	e := newEnv(t, d)
	e.system(t, "Chat assistant")
	e.scope(t, "All AI systems of Zoë Analytics – the EU business (2026).")
	e.set(t, "A.2.2", "", soa.EntryRequest{Applicable: ptr(true), Justification: "Policy | approved by the board — see \"AI policy\".",
		Status: soa.StatusImplemented, OwnerID: e.owner().UserID, TargetDate: "2026-06-30"})
	e.set(t, "A.10.4", "", excluded("We have no customers of our AI.\nNot now, anyway."))
	e.set(t, "A.7.4", "SYS-1", excluded("Uses no data of ours."))
	e.sources.setEvidence("A.2.2", soa.EvidenceRef{Ref: "EV-1", Title: "AI policy"}, soa.EvidenceRef{Ref: "EV-3", Title: "Board minutes"})
	e.sources.setRisks("A.2.2", soa.RiskRef{Ref: "R-2", Title: "Biased screening"}, soa.RiskRef{Ref: "R-5", Title: "Opaque reasons"})
	e.decideAll(t)
	e.approve(t, "")
	e.set(t, "A.3.2", "", soa.EntryRequest{Applicable: ptr(true), Justification: "Roles are set.", Status: soa.StatusImplemented, Version: 1})
	e.clock.Advance(time.Hour)
	v2, err := e.svc.Approve(e.ctx, e.as[aims.RoleManager], soa.ApproveRequest{Note: "Second — after review"})
	if err != nil {
		t.Fatal(err)
	}
	return e, v2
}

func TestExportFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, v2 := exportEnv(t, d)
		auditor := e.as[aims.RoleAuditor]
		tests := []struct {
			number      int
			format      string
			name, ctype string
		}{
			{2, "pdf", "soa-v2.pdf", "application/pdf"},
			{2, "XLSX", "soa-v2.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
			{1, "csv", "soa-v1.csv", "text/csv; charset=utf-8"},
			{0, "md", "soa-draft.md", "text/markdown; charset=utf-8"},
			{0, "pdf", "soa-draft.pdf", "application/pdf"},
		}
		for _, tc := range tests {
			f, err := e.svc.Export(e.ctx, auditor, tc.number, tc.format)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name != tc.name || f.ContentType != tc.ctype || len(f.Data) == 0 {
				t.Errorf("export %d %s = %s %s (%d bytes)", tc.number, tc.format, f.Name, f.ContentType, len(f.Data))
			}
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Export(e.ctx, auditor, 2, "docx")
			servicetest.WantFields(t, err, aims.CodeInvalid, "format")
			_, err = e.svc.Export(e.ctx, auditor, -1, "")
			servicetest.WantFields(t, err, aims.CodeInvalid, "format", "number")
			_, err = e.svc.Export(e.ctx, auditor, 3, "pdf")
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		_ = v2
	})
}

func TestExportPDF(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, v2 := exportEnv(t, d)
		f, err := e.svc.Export(e.ctx, e.as[aims.RoleViewer], 2, "pdf")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(f.Data, []byte("%PDF-")) || !bytes.Contains(f.Data[len(f.Data)-8:], []byte("%%EOF")) {
			t.Fatalf("not a PDF: %q … %q", f.Data[:8], f.Data[len(f.Data)-8:])
		}
		text := servicetest.PDFText(t, f.Data)
		root := base64.StdEncoding.EncodeToString(v2.Checkpoint.Root)
		for _, s := range []string{
			"Statement of Applicability", orgName, "All AI systems of Zoë Analytics – the EU business (2026).",
			"Version", "Max Manager", "Second — after review", fmtTime(v2.ApprovedAt),
			root, "aims/audit/" + e.org, itoa(int(v2.Checkpoint.Size)), "— aims-", // the signature line of the note
			orgName + " · Statement of Applicability · version 2", "Page 1 of",
			"A.2 Policies related to AI", "A.10 Third-party and customer relationships",
			"Policy | approved by the board — see \"AI policy\".", "EV-1, EV-3", "Implemented", "Zoë Owner", "2026-06-30",
			"for SYS-1", "SYS-1 Chat assistant", "R-2, R-5", "Uses no data of ours.", "We have no customers of our AI.", "Not now, anyway.",
		} {
			if !strings.Contains(text, servicetest.InPDF(t, s)) {
				t.Errorf("the PDF does not show %q", s)
			}
		}
		if strings.Contains(text, "DRAFT") {
			t.Error("an approved version is marked DRAFT")
		}
		// The note's lines are in the PDF as they were signed.
		for _, line := range strings.Split(strings.TrimSpace(v2.Checkpoint.Note), "\n") {
			if line != "" && !strings.Contains(text, servicetest.InPDF(t, line)) {
				t.Errorf("the PDF lacks the signed note's line %q", line)
			}
		}

		f, err = e.svc.Export(e.ctx, e.as[aims.RoleViewer], 0, "pdf")
		if err != nil {
			t.Fatal(err)
		}
		text = servicetest.PDFText(t, f.Data)
		for _, s := range []string{"DRAFT: not approved", "DRAFT (not approved)", orgName + " · Statement of Applicability · DRAFT", "Roles are set."} {
			if !strings.Contains(text, servicetest.InPDF(t, s)) {
				t.Errorf("the draft PDF does not show %q", s)
			}
		}
	})
}

// TestExportPDFLongText proves that a justification taller than a page
// continues on the next one instead of being cut.
func TestExportPDFLongText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var words []string
		for i := 0; i < 450; i++ {
			words = append(words, "word"+itoa(i))
		}
		e.set(t, "A.2.2", "", applies(strings.Join(words, " ")+" The end.", soa.StatusPlanned))
		f, err := e.svc.Export(e.ctx, e.owner(), 0, "pdf")
		if err != nil {
			t.Fatal(err)
		}
		text := servicetest.PDFText(t, f.Data)
		for _, s := range []string{"word0 ", "word250 ", "word449 The end."} {
			if !strings.Contains(text, s) {
				t.Errorf("the long justification lost %q", s)
			}
		}
		if !strings.Contains(text, "Page 3 of") {
			t.Error("a long justification did not take more pages")
		}
	})
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func TestExportXLSX(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, v2 := exportEnv(t, d)
		f, err := e.svc.Export(e.ctx, e.as[aims.RoleViewer], 2, "xlsx")
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(f.Data))
		if err != nil {
			t.Fatalf("the workbook does not open: %v", err)
		}
		defer x.Close()
		if diff := cmp.Diff([]string{"Statement of Applicability", "Version"}, x.GetSheetList()); diff != "" {
			t.Errorf("sheets (-want +got):\n%s", diff)
		}
		rows, err := x.GetRows("Statement of Applicability")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+38+1 {
			t.Fatalf("%d rows, want a header, 38 controls and 1 override", len(rows))
		}
		want := [][]string{
			{"Control", "Category", "Title", "Applies to", "Applicable", "Justification", "Implementation status", "Owner", "Target date", "Evidence", "Risks"},
			{"A.2.2", "A.2 Policies related to AI", "AI policy", "Organisation", "yes", "Policy | approved by the board — see \"AI policy\".",
				"Implemented", "Zoë Owner", "2026-06-30", "EV-1, EV-3", "R-2, R-5"},
		}
		if diff := cmp.Diff(want, rows[:2]); diff != "" {
			t.Errorf("first rows (-want +got):\n%s", diff)
		}
		var override, last []string
		for _, r := range rows {
			if len(r) > 3 && r[3] == "SYS-1 Chat assistant" {
				override = r
			}
		}
		last = rows[len(rows)-1]
		if diff := cmp.Diff([]string{"A.7.4", "A.7 Data for AI systems", "Quality of data for AI systems", "SYS-1 Chat assistant", "no",
			"Uses no data of ours."}, override); diff != "" {
			t.Errorf("override row (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"A.10.4", "A.10 Third-party and customer relationships", "Customers", "Organisation", "no",
			"We have no customers of our AI.\nNot now, anyway."}, last); diff != "" {
			t.Errorf("last row (-want +got):\n%s", diff)
		}
		panes, err := x.GetPanes("Statement of Applicability")
		if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("the header is not frozen: %+v, %v", panes, err)
		}
		if w, _ := x.GetColWidth("Statement of Applicability", "F"); w != 70 {
			t.Errorf("justification column width %v", w)
		}
		info, err := x.GetRows("Version")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range info {
			if len(r) == 2 {
				got[r[0]] = r[1]
			}
		}
		for k, v := range map[string]string{
			"Organisation": orgName, "Scope": "All AI systems of Zoë Analytics – the EU business (2026).", "Version": "2",
			"Approved by": "Max Manager", "Approved at": fmtTime(v2.ApprovedAt), "Approval note": "Second — after review",
			"Checkpoint origin": "aims/audit/" + e.org, "Checkpoint size": itoa(int(v2.Checkpoint.Size)),
			"Checkpoint root":   base64.StdEncoding.EncodeToString(v2.Checkpoint.Root),
			"Signed checkpoint": strings.TrimRight(v2.Checkpoint.Note, "\n"),
			"Controls":          "38 controls: 37 applicable, 1 not applicable; 1 AI system override",
		} {
			if got[k] != v {
				t.Errorf("Version sheet %s = %q, want %q", k, got[k], v)
			}
		}
	})
}

func TestExportCSVAndMarkdown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, _ := exportEnv(t, d)
		f, err := e.svc.Export(e.ctx, e.as[aims.RoleViewer], 2, "csv")
		if err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(bytes.NewReader(f.Data)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v", err)
		}
		if len(records) != 40 || !bytes.Contains(f.Data, []byte("\r\n")) {
			t.Fatalf("%d records", len(records))
		}
		want := [][]string{
			{"control_id", "category_id", "title", "applies_to", "system_name", "applicable", "justification", "status", "owner", "target_date", "evidence", "risks"},
			{"A.2.2", "A.2", "AI policy", "organisation", "", "yes", "Policy | approved by the board — see \"AI policy\".", "implemented", "Zoë Owner", "2026-06-30", "EV-1 EV-3", "R-2 R-5"},
		}
		if diff := cmp.Diff(want, records[:2]); diff != "" {
			t.Errorf("CSV (-want +got):\n%s", diff)
		}
		for _, r := range records {
			if r[0] == "A.7.4" && r[3] == "SYS-1" {
				if diff := cmp.Diff([]string{"A.7.4", "A.7", "Quality of data for AI systems", "SYS-1", "Chat assistant", "no", "Uses no data of ours.", "", "", "", "", ""}, r); diff != "" {
					t.Errorf("override (-want +got):\n%s", diff)
				}
			}
		}
		if got := records[39]; got[0] != "A.10.4" || got[6] != "We have no customers of our AI.\nNot now, anyway." {
			t.Errorf("last record = %q", got)
		}

		f, err = e.svc.Export(e.ctx, e.as[aims.RoleViewer], 2, "md")
		if err != nil {
			t.Fatal(err)
		}
		md := string(f.Data)
		for _, s := range []string{
			"# Statement of Applicability: Zoë Analytics – Europe, version 2\n",
			"| Approved by | Max Manager |\n", "| Approval note | Second — after review |\n",
			"## Scope\n\n> All AI systems of Zoë Analytics – the EU business (2026).\n",
			"## Audit checkpoint\n", "```\naims/audit/" + e.org + "\n",
			"## A.2 Policies related to AI\n\n| Control | Title | Applies to | Applicable | Justification | Status | Owner | Target date | Evidence | Risks |\n|---|---|---|---|---|---|---|---|---|---|\n",
			"| A.2.2 | AI policy | Organisation | yes | Policy \\| approved by the board — see \"AI policy\". | Implemented | Zoë Owner | 2026-06-30 | EV-1, EV-3 | R-2, R-5 |\n",
			"| A.7.4 | Quality of data for AI systems | SYS-1 Chat assistant | no | Uses no data of ours. |  |  |  |  |  |\n",
			"| A.10.4 | Customers | Organisation | no | We have no customers of our AI.<br>Not now, anyway. |  |  |  |  |  |\n",
		} {
			if !strings.Contains(md, s) {
				t.Errorf("the Markdown lacks %q\n%s", s, md[:min(len(md), 1500)])
			}
		}
		f, _ = e.svc.Export(e.ctx, e.owner(), 0, "md")
		if !strings.Contains(string(f.Data), "# Statement of Applicability: Zoë Analytics – Europe (DRAFT)\n") ||
			!strings.Contains(string(f.Data), "| Version | DRAFT (not approved) |") || strings.Contains(string(f.Data), "Audit checkpoint") {
			t.Errorf("draft Markdown:\n%s", f.Data[:400])
		}
	})
}
