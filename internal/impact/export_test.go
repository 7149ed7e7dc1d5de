package impact_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
)

func TestExportPDF(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		a := e.readyFRIA(t, "SYS-1")
		e.answer(t, a.Ref, map[string]string{"oversight_strength": "3", "rights": "Non-discrimination — Art. 21 of the Charter."})
		if _, err := e.svc.CreateRisk(e.ctx, e.contributor(), a.Ref, "1", impact.RiskCreateRequest{Title: "Unfair rejection"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Update(e.ctx, e.contributor(), a.Ref, impact.UpdateRequest{Version: e.get(t, a.Ref).Version,
			ResidualConcerns: ptr("Bias against career breaks may remain (watch it).")}); err != nil {
			t.Fatal(err)
		}
		e.submit(t, a.Ref, "")
		e.clock.Advance(time.Hour)
		v1, err := e.svc.Approve(e.ctx, e.manager(), a.Ref, impact.ApproveRequest{Version: e.get(t, a.Ref).Version, Note: "Board — 2 March"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			number int
			name   string
		}{{1, "IA-1-v1.pdf"}, {0, "IA-1-v1.pdf"}} {
			f, err := e.svc.Export(e.ctx, e.as[aims.RoleAuditor], "ia-1", tc.number)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name != tc.name || f.ContentType != "application/pdf" || !bytes.HasPrefix(f.Data, []byte("%PDF-")) ||
				!bytes.Contains(f.Data[len(f.Data)-8:], []byte("%%EOF")) {
				t.Fatalf("export %d = %s %s %q", tc.number, f.Name, f.ContentType, f.Data[:8])
			}
		}
		f, _ := e.svc.Export(e.ctx, e.viewer(), "IA-1", 1)
		text := servicetest.PDFText(t, f.Data)
		for _, s := range []string{
			"AI system impact assessment", "IA-1 EU AI Act Art. 27 FRIA: Hiring screening", orgName, "SYS-1 Hiring screening",
			"EU AI Act Art. 27 FRIA (eu-fria, version 1)", "Approved by", "Max Manager", "Board — 2 March", "Next review", "2027-03-02",
			v1.ApprovedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
			base64.StdEncoding.EncodeToString(v1.Checkpoint.Root), "aims/audit/" + e.org, itoa(int(v1.Checkpoint.Size)), "— aims-",
			orgName + " · Impact assessment IA-1 · version 1", "Page 1 of",
			"Art. 27(1)(a)  Your process and the system's part in it", "Art. 27(1)(d)  Specific risks of harm",
			friaAnswers["process"], "Every day", "3 of 4: Effective", "Non-discrimination — Art. 21 of the Charter.", "Not answered.",
			"1 impact is listed in the table of impacts below.", "Who is affected", "Reversibility",
			"Job applicants", "Qualified", "Partly", "Possible", "Group", "RISK-1", "Unfair",
			"Residual concerns", "Bias against career breaks may remain (watch it).",
		} {
			if !strings.Contains(text, servicetest.InPDF(t, s)) {
				t.Errorf("the PDF does not show %q", s)
			}
		}
		if strings.Contains(text, "DRAFT") {
			t.Error("an approved version is marked DRAFT")
		}
		for _, line := range strings.Split(strings.TrimSpace(v1.Checkpoint.Note), "\n") {
			if line != "" && !strings.Contains(text, servicetest.InPDF(t, line)) {
				t.Errorf("the PDF lacks the signed note's line %q", line)
			}
		}

		// Changed after approval: the current content is a draft, marked so.
		e.answer(t, a.Ref, map[string]string{"volume": "About 400 applicants"})
		f, err = e.svc.Export(e.ctx, e.viewer(), "IA-1", 0)
		if err != nil || f.Name != "IA-1-draft.pdf" {
			t.Fatalf("draft export = %v, %v", f, err)
		}
		text = servicetest.PDFText(t, f.Data)
		for _, s := range []string{"DRAFT: not approved", "DRAFT (not approved)", orgName + " · Impact assessment IA-1 · DRAFT",
			"About 400 applicants", "2027-03-02 (set at the latest approval)"} {
			if !strings.Contains(text, servicetest.InPDF(t, s)) {
				t.Errorf("the draft PDF does not show %q", s)
			}
		}
		if strings.Contains(text, "Audit checkpoint") || strings.Contains(text, servicetest.InPDF(t, "Max Manager")) {
			t.Error("the draft PDF names an approval")
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Export(e.ctx, e.viewer(), "IA-1", 2)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = e.svc.Export(e.ctx, e.viewer(), "IA-1", -1)
			servicetest.WantFields(t, err, aims.CodeInvalid, "version")
		})
	})
}

// TestExportPDFLongText proves that a long harm continues on the next page
// instead of being cut, with the column titles repeated.
func TestExportPDFLongText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		a := e.start(t, "SYS-1", "iso-42005")
		var words []string
		for i := 0; i < 120; i++ {
			words = append(words, "word"+itoa(i))
		}
		req := unfair()
		req.Harm = strings.Join(words, " ") + " The end."
		req.Mitigation = strings.Repeat("Review. ", 400)
		for i := 0; i < 3; i++ {
			e.addImpact(t, a.Ref, req)
		}
		f, err := e.svc.Export(e.ctx, e.owner(), a.Ref, 0)
		if err != nil {
			t.Fatal(err)
		}
		text := servicetest.PDFText(t, f.Data)
		for _, s := range []string{"word0 ", "word60 ", "word119 The end."} {
			if !strings.Contains(text, s) {
				t.Errorf("the long harm lost %q", s)
			}
		}
		if !strings.Contains(text, "Page 4 of") || strings.Count(text, "(Who is affected)") < 3 {
			t.Errorf("long impacts did not take more pages with their column titles: %d titles", strings.Count(text, "(Who is affected)"))
		}
	})
}
