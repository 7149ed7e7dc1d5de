package risk_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/xuri/excelize/v2"
)

// exportEnv has a register with an assessed, treated and accepted risk
// with an action, a second risk, a signed checkpoint and a closed assessment.
func exportEnv(t *testing.T, d *db.DB) *env {
	e := newEnv(t, d)
	e.setCriteria(t, fourByFour())
	e.system(t, "Hiring screening")
	r := e.assess(t, e.create(t, hiring(e.manager().UserID)), 3, 4)
	r = e.treat(t, r, risk.TreatmentRequest{Option: "modify", Plan: "Audit (twice) — then retrain.", Controls: []string{"A.9.3"},
		ResidualLikelihood: 2, ResidualImpact: 2})
	r, err := e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Run a bias audit on the ranking",
		OwnerID: e.manager().UserID, DueDate: "2026-04-01", Version: r.Version})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Accept(e.ctx, e.manager(), "RISK-1", risk.AcceptRequest{ValidUntil: "2026-09-01", Version: r.Version}); err != nil {
		t.Fatal(err)
	}
	e.create(t, risk.CreateRequest{Title: "Chatbot gives wrong advice"})
	if _, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "Annual 2026"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.CloseAssessment(e.ctx, e.owner(), "RA-1", risk.CloseAssessmentRequest{Note: "All reviewed."}); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestExportRegister(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := exportEnv(t, d)
		e.clock.Advance(24 * time.Hour)
		logID, _ := tlog.LogID(e.ctx, d, e.org, tlog.KindAudit, "")
		cp, err := e.logs.Sign(e.ctx, logID, true)
		if err != nil {
			t.Fatal(err)
		}
		f, err := e.svc.ExportRegister(e.ctx, e.viewer(), "PDF")
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "risk-register-2026-03-03.pdf" || f.ContentType != "application/pdf" || !bytes.HasPrefix(f.Data, []byte("%PDF-")) {
			t.Errorf("file = %s %s", f.Name, f.ContentType)
		}
		text := servicetest.PDFLines(t, f.Data)
		for _, s := range []string{"Risk register", orgName, "Risk register with treatment plan", "2026-03-03 10:00:00 UTC",
			"version 1 (4×4, appetite medium), set 2026-03-02", "2: 2 not closed, 0 closed", "Checkpoint origin", cp.Origin,
			fmt.Sprintf("%d", cp.Size), base64.StdEncoding.EncodeToString(cp.Root[:]), "Risk criteria, version 1",
			"RISK-1", "Screening rejects qualified women", "SYS-1", "C.3.4 Risk sources related to machine learning", "Max Manager",
			"critical (L3 × I4)", "Modify (plan v2)", "A.9.3", "medium (L2 × I2)",
			"valid: medium accepted by Max Manager for plan v2 until 2026-09-01", "RISK-2", "Chatbot gives wrong advice",
			"Treatment plan", "Run a bias audit on the ranking", "2026-04-01", "Likelihood 3, Likely: About once a year."} {
			if !strings.Contains(text, s) {
				t.Errorf("the register PDF lacks %q", s)
			}
		}
		x, err := e.svc.ExportRegister(e.ctx, e.as[aims.RoleAuditor], "xlsx")
		if err != nil {
			t.Fatal(err)
		}
		if x.Name != "risk-register-2026-03-03.xlsx" || x.ContentType != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("file = %s %s", x.Name, x.ContentType)
		}
		book, err := excelize.OpenReader(bytes.NewReader(x.Data))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		if got := book.GetSheetList(); strings.Join(got, "|") != "Risks|Treatment plan|Criteria|About" {
			t.Errorf("sheets = %q", got)
		}
		rows, _ := book.GetRows("Risks")
		if len(rows) != 3 || strings.Join(rows[0], "|") != "Risk|Title|AI systems|Risk source|Objectives|Owner|Status|Inherent|Treatment|Controls|Residual|Acceptance|Next review" ||
			strings.Join(rows[1], "|") != "RISK-1|Screening rejects qualified women|SYS-1|C.3.4 Risk sources related to machine learning|"+
				"C.2.5 Fairness; Hire the best people|Max Manager|Accepted|critical (L3 × I4)|Modify (plan v2)|A.9.3|medium (L2 × I2)|"+
				"valid: medium accepted by Max Manager for plan v2 until 2026-09-01|2026-04-01" || rows[2][0] != "RISK-2" {
			t.Errorf("risks sheet = %q", rows)
		}
		plan, _ := book.GetRows("Treatment plan")
		if len(plan) != 2 || strings.Join(plan[1], "|") != "RISK-1|1|Run a bias audit on the ranking|Max Manager|2026-04-01|Open" {
			t.Errorf("plan sheet = %q", plan)
		}
		crit, _ := book.GetRows("Criteria")
		if crit[0][0] != "Risk criteria, version 1; appetite medium" || strings.Join(crit[3], "|") != "4 Almost certain|medium|high|critical|critical" {
			t.Errorf("criteria sheet = %q", crit)
		}
		about, _ := book.GetRows("About")
		if about[0][1] != orgName || about[5][0] != "Checkpoint origin" || about[5][1] != cp.Origin || about[len(about)-1][0] != "Signed checkpoint" {
			t.Errorf("about sheet = %q", about)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.ExportRegister(e.ctx, e.viewer(), "docx")
			servicetest.WantFields(t, err, aims.CodeInvalid, "format")
		})
	})
}

func TestExportRegisterWithoutCheckpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		f, err := e.svc.ExportRegister(e.ctx, e.viewer(), "pdf")
		if err != nil {
			t.Fatal(err)
		}
		text := servicetest.PDFText(t, f.Data)
		for _, s := range []string{"none set yet", "none signed yet", "No risks are recorded.", "No treatment actions are recorded."} {
			if !strings.Contains(text, servicetest.InPDF(t, s)) {
				t.Errorf("the empty register PDF lacks %q", s)
			}
		}
	})
}

func TestExportAssessment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := exportEnv(t, d)
		a, err := e.svc.Assessment(e.ctx, e.viewer(), "RA-1")
		if err != nil {
			t.Fatal(err)
		}
		// The register changes after the closing; the export does not.
		e.create(t, risk.CreateRequest{Title: "Added later"})
		f, err := e.svc.ExportAssessment(e.ctx, e.viewer(), "ra-1", "pdf")
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "risk-assessment-RA-1.pdf" {
			t.Errorf("name = %s", f.Name)
		}
		text := servicetest.PDFLines(t, f.Data)
		for _, s := range []string{"Risk assessment RA-1: Annual 2026", orgName, "All risks of the register", "Carla Contributor, 2026-03-02 09:00:00 UTC",
			"Closed by", "Zoë Owner", "2026-03-02 10:00:00 UTC", "All reviewed.", "version 1",
			fmt.Sprintf("closing was recorded as entry %d", a.Checkpoint.Size-1), a.Checkpoint.Origin,
			base64.StdEncoding.EncodeToString(a.Checkpoint.Root), "RISK-1", "RISK-2", "Run a bias audit on the ranking"} {
			if !strings.Contains(text, s) {
				t.Errorf("the assessment PDF lacks %q", s)
			}
		}
		if strings.Contains(text, "Added later") {
			t.Error("the assessment PDF shows a risk recorded after the closing")
		}
		x, err := e.svc.ExportAssessment(e.ctx, e.viewer(), "RA-1", "xlsx")
		if err != nil || x.Name != "risk-assessment-RA-1.xlsx" {
			t.Fatalf("xlsx: %v", err)
		}
		book, err := excelize.OpenReader(bytes.NewReader(x.Data))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		about, _ := book.GetRows("About")
		got := map[string]string{}
		for _, r := range about {
			if len(r) == 2 {
				got[r[0]] = r[1]
			}
		}
		if got["Closed by"] != "Zoë Owner" || got["Checkpoint origin"] != a.Checkpoint.Origin || got["Checkpoint size"] != fmt.Sprintf("%d", a.Checkpoint.Size) ||
			!strings.HasPrefix(got["Signed checkpoint"], a.Checkpoint.Origin+"\n") || got["Risks"] != "2" {
			t.Errorf("about = %q", got)
		}
		rows, _ := book.GetRows("Risks")
		if len(rows) != 3 {
			t.Errorf("%d rows of risks, want 2 and the header", len(rows))
		}
		_, err = e.svc.ExportAssessment(e.ctx, e.viewer(), "RA-7", "pdf")
		servicetest.WantCode(t, err, aims.CodeNotFound)
	})
}
