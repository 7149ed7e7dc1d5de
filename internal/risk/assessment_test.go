package risk_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"
)

// closeEvent returns the risk_assessment.close event of an assessment.
func closeEvent(t *testing.T, e *env, ref string) tlog.Event {
	t.Helper()
	for _, ev := range servicetest.Events(t, e.ctx, e.d, e.org) {
		if ev.Action == "risk_assessment.close" && ev.Object.Ref == ref {
			return ev
		}
	}
	t.Fatalf("no risk_assessment.close event for %s", ref)
	return tlog.Event{}
}

// checkCheckpoint proves that a closed assessment's checkpoint is signed by
// the installation's key, names the audit log's root at its size, and that
// the closing event is its last entry.
func checkCheckpoint(t *testing.T, e *env, a *risk.Assessment) {
	t.Helper()
	ev := closeEvent(t, e, a.Ref)
	cp := a.Checkpoint
	if cp.Size != ev.Index+1 {
		t.Errorf("checkpoint size %d, want the closing event's index %d + 1", cp.Size, ev.Index)
	}
	vs, err := tlog.Verifiers(e.key.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open([]byte(cp.Note), vs)
	if err != nil {
		t.Fatalf("the checkpoint does not verify: %v\n%s", err, cp.Note)
	}
	origin, size, root, err := tlog.ParseCheckpoint(n.Text)
	if err != nil {
		t.Fatal(err)
	}
	logID, err := tlog.LogID(e.ctx, e.d, e.org, tlog.KindAudit, "")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := tlog.TreeHash(e.ctx, e.d, logID, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "aims/audit/"+e.org || cp.Origin != origin || size != cp.Size || string(root[:]) != string(cp.Root) || root != tree {
		t.Errorf("checkpoint %q %d %x, stored %q %d %x, tree %x", origin, size, root, cp.Origin, cp.Size, cp.Root, tree)
	}
	entries, err := tlog.Entries(e.ctx, e.d, logID, ev.Index, 1)
	if err != nil || len(entries) != 1 {
		t.Fatal(err)
	}
	got, err := tlog.DecodeEvent(entries[0].Payload)
	if err != nil || got.Action != "risk_assessment.close" || got.Object.Ref != a.Ref {
		t.Errorf("entry %d = %+v, %v", ev.Index, got, err)
	}
}

func TestOpenAssessment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: " ", Scope: "some", Note: strings.Repeat("n", 4001)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "name", "note", "scope")
			_, err = e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "x", Scope: "systems"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "systems")
			_, err = e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "x", Scope: "systems", Systems: []string{"SYS-4"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "systems")
			_, err = e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "x", Systems: []string{"SYS-1"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "systems")
			_, err = e.svc.OpenAssessment(e.ctx, e.viewer(), risk.OpenAssessmentRequest{Name: "x"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
		})
		a, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "New screening model", Scope: "systems",
			Systems: []string{"sys-1"}, Note: "The model changes in April."})
		if err != nil {
			t.Fatal(err)
		}
		if a.Ref != "RA-1" || a.Status != "open" || a.Scope != "systems" || !cmp.Equal(a.Systems, []risk.SystemRef{{ID: sys.ID, Ref: "SYS-1", Name: "Hiring screening"}}) ||
			a.OpenedByName != "Carla Contributor" || !a.OpenedAt.Equal(t0) || a.Organisation != orgName || len(a.Risks) != 0 || a.Checkpoint != nil {
			t.Errorf("opened = %+v", a)
		}
		wantCh := map[string][2]string{"name": {"null", js("New screening model")}, "scope": {"null", `"systems"`},
			"systems": {"null", `["SYS-1"]`}, "note": {"null", js("The model changes in April.")}, "status": {"null", `"open"`}}
		ev := e.lastEvent(t)
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "risk_assessment.open" || ev.Object.Type != "risk_assessment" {
			t.Errorf("%s changes (-want +got):\n%s", ev.Action, diff)
		}
		// While open it shows the risks in scope as they are.
		e.create(t, risk.CreateRequest{Title: "In scope", Systems: []string{"SYS-1"}})
		e.create(t, risk.CreateRequest{Title: "Out of scope"})
		a, err = e.svc.Assessment(e.ctx, e.viewer(), "ra-1")
		if err != nil || len(a.Risks) != 1 || a.Risks[0].Title != "In scope" {
			t.Errorf("open assessment = %+v, %v", a, err)
		}
		_, err = e.svc.Assessment(e.ctx, e.viewer(), "RA-2")
		servicetest.WantCode(t, err, aims.CodeNotFound)
	})
}

func TestCloseAndCompareAssessments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.setCriteria(t, fourByFour())
		e.system(t, "Hiring screening")
		e.system(t, "Chat assistant")
		r1 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Unfair ranking", Systems: []string{"SYS-1"}}), 3, 4)
		r2 := e.assess(t, e.create(t, risk.CreateRequest{Title: "Wrong advice", Systems: []string{"SYS-2"}}), 2, 2)
		if _, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "Annual 2026"}); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CloseAssessment(e.ctx, e.contributor(), "RA-1", risk.CloseAssessmentRequest{})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.CloseAssessment(e.ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "cli:root@host", OrgID: e.org}, "RA-1", risk.CloseAssessmentRequest{})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.CloseAssessment(e.ctx, e.manager(), "RA-1", risk.CloseAssessmentRequest{Note: strings.Repeat("n", 4001)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "note")
			_, err = e.svc.ExportAssessment(e.ctx, e.viewer(), "RA-1", "pdf")
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		live, err := e.svc.Assessment(e.ctx, e.viewer(), "RA-1")
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		a, err := e.svc.CloseAssessment(e.ctx, e.manager(), "RA-1", risk.CloseAssessmentRequest{Note: "Both risks reviewed."})
		if err != nil {
			t.Fatal(err)
		}
		closedAt := t0.Add(time.Hour)
		if a.Status != "closed" || a.ClosedBy != e.manager().UserID || a.ClosedByName != "Max Manager" || !a.ClosedAt.Equal(closedAt) ||
			a.CloseNote != "Both risks reviewed." || a.CriteriaVersion != 1 || a.Organisation != orgName {
			t.Errorf("closed = %+v", a)
		}
		// The frozen risks are the risks as they were.
		if diff := cmp.Diff(live.Risks, a.Risks); diff != "" {
			t.Errorf("frozen risks differ from the live ones (-live +frozen):\n%s", diff)
		}
		ev := closeEvent(t, e, "RA-1")
		content := servicetest.RowsOf(t, d, `SELECT content FROM risk_assessment_results`)[0]
		sum := sha256.Sum256([]byte(strings.TrimPrefix(content, "content=")))
		wantCh := map[string][2]string{"status": {`"open"`, `"closed"`}, "risks": {"null", "2"}, "criteria_version": {"null", "1"},
			"content_sha256": {"null", js(hex.EncodeToString(sum[:]))}, "note": {"null", js("Both risks reviewed.")}}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Actor.ID != e.manager().UserID {
			t.Errorf("close changes (-want +got):\n%s", diff)
		}
		checkCheckpoint(t, e, a)

		// Later changes do not touch it, and it cannot be closed or changed again.
		e.clock.Advance(time.Hour)
		r1 = e.treat(t, r1, risk.TreatmentRequest{Option: "modify", Controls: []string{"A.9.3"}, ResidualLikelihood: 2, ResidualImpact: 2})
		r1, err = e.svc.Accept(e.ctx, e.manager(), "RISK-1", risk.AcceptRequest{ValidUntil: "2026-09-01", Version: r1.Version})
		if err != nil {
			t.Fatal(err)
		}
		r1, err = e.svc.AddAction(e.ctx, e.contributor(), "RISK-1", risk.AddActionRequest{Description: "Audit", Version: r1.Version})
		if err != nil {
			t.Fatal(err)
		}
		e.assess(t, r2, 3, 2)
		e.create(t, risk.CreateRequest{Title: "Prompt injection", Systems: []string{"SYS-1"}})
		again, err := e.svc.Assessment(e.ctx, e.as[aims.RoleAuditor], "RA-1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, again); diff != "" {
			t.Errorf("RA-1 changed (-closed +now):\n%s", diff)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CloseAssessment(e.ctx, e.owner(), "RA-1", risk.CloseAssessmentRequest{})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		for _, q := range []string{`UPDATE risk_assessment_results SET note = 'forged'`, `DELETE FROM risk_assessment_results`,
			`UPDATE risk_assessments SET name = 'forged'`, `DELETE FROM risk_assessments`} {
			if _, err := d.ExecContext(e.ctx, q); err == nil {
				t.Errorf("%s was accepted", q)
			}
		}

		// RA-2 covers the hiring system only; close it and compare.
		if _, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "Model change", Scope: "systems",
			Systems: []string{"SYS-1"}}); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CompareAssessments(e.ctx, e.viewer(), "RA-1", "RA-2")
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.CompareAssessments(e.ctx, e.viewer(), "", " ")
			servicetest.WantFields(t, err, aims.CodeInvalid, "from", "to")
		})
		b, err := e.svc.CloseAssessment(e.ctx, e.owner(), "RA-2", risk.CloseAssessmentRequest{})
		if err != nil {
			t.Fatal(err)
		}
		checkCheckpoint(t, e, b)
		c, err := e.svc.CompareAssessments(e.ctx, e.viewer(), "ra-1", "RA-2")
		if err != nil {
			t.Fatal(err)
		}
		want := &risk.Comparison{From: "RA-1", To: "RA-2", FromName: "Annual 2026", ToName: "Model change",
			Added:   []risk.RiskRef{{Ref: "RISK-3", Title: "Prompt injection"}},
			Removed: []risk.RiskRef{{Ref: "RISK-2", Title: "Wrong advice"}},
			Changed: []risk.RiskChange{{Ref: "RISK-1", Title: "Unfair ranking", Fields: []risk.FieldChange{
				{Field: "status", Before: "assessed", After: "treated"},
				{Field: "residual_level", Before: "", After: "medium"},
				{Field: "residual_rating", Before: "", After: "likelihood 2 × impact 2: medium"},
				{Field: "option", Before: "", After: "modify"},
				{Field: "plan_version", Before: "", After: "2"},
				{Field: "controls", Before: "", After: "A.9.3"},
				{Field: "actions", Before: "", After: "1 open, 0 done"},
				{Field: "acceptance", Before: "", After: "stale: medium accepted by Max Manager for plan v1 until 2026-09-01"},
			}}}}
		if diff := cmp.Diff(want, c); diff != "" {
			t.Errorf("RA-1 → RA-2 (-want +got):\n%s", diff)
		}
		// Backwards, the other way round; against itself, nothing.
		c, _ = e.svc.CompareAssessments(e.ctx, e.viewer(), "RA-2", "RA-1")
		if len(c.Added) != 1 || c.Added[0].Ref != "RISK-2" || c.Removed[0].Ref != "RISK-3" || c.Changed[0].Fields[0].Before != "treated" {
			t.Errorf("RA-2 → RA-1 = %+v", c)
		}
		if c, _ = e.svc.CompareAssessments(e.ctx, e.viewer(), "RA-2", "RA-2"); len(c.Added)+len(c.Removed)+len(c.Changed) != 0 {
			t.Errorf("RA-2 → RA-2 = %+v", c)
		}
		_, err = e.svc.CompareAssessments(e.ctx, e.viewer(), "RA-1", "RA-9")
		servicetest.WantCode(t, err, aims.CodeNotFound)

		list, err := e.svc.Assessments(e.ctx, e.viewer())
		if err != nil {
			t.Fatal(err)
		}
		closed2 := t0.Add(2 * time.Hour)
		wantList := []risk.AssessmentSummary{
			{Ref: "RA-2", Name: "Model change", Scope: "systems", Status: "closed", OpenedByName: "Carla Contributor", OpenedAt: closed2,
				ClosedByName: "Zoë Owner", ClosedAt: &closed2, Risks: 2},
			{Ref: "RA-1", Name: "Annual 2026", Scope: "all", Status: "closed", OpenedByName: "Carla Contributor", OpenedAt: t0,
				ClosedByName: "Max Manager", ClosedAt: &closedAt, Risks: 2},
		}
		if diff := cmp.Diff(wantList, list); diff != "" {
			t.Errorf("assessments (-want +got):\n%s", diff)
		}
		s, _ := e.svc.Snapshot(e.ctx, e.org)
		if s.LatestAssessment == nil || *s.LatestAssessment != (risk.AssessmentInfo{Ref: "RA-2", Name: "Model change", ClosedAt: closed2}) {
			t.Errorf("latest assessment = %+v", s.LatestAssessment)
		}
		// The whole log still verifies, with both checkpoints.
		logID, _ := tlog.LogID(e.ctx, d, e.org, tlog.KindAudit, "")
		vs, _ := tlog.Verifiers(e.key.VerifierKey)
		if r, err := tlog.VerifyLog(e.ctx, d, logID, tlog.VerifyOptions{Verifiers: vs}); err != nil || !r.OK() || r.Checkpoints != 2 {
			t.Errorf("verify = %+v, %v", r, err)
		}
	})
}

// failInserts makes every later insert into table fail with "injected".
func failInserts(t *testing.T, d *db.DB, table string) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER test_fail_` + table + ` BEFORE INSERT ON ` + table + ` BEGIN SELECT RAISE(ABORT, 'injected'); END`}
	if d.Dialect() == db.Postgres {
		stmts = []string{
			`CREATE OR REPLACE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END; $$`,
			`CREATE TRIGGER test_fail_` + table + ` BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION test_fail()`,
		}
	}
	for _, s := range stmts {
		if _, err := d.SQL.ExecContext(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCloseIsOneTransaction proves that when signing the checkpoint or
// storing the results fails, the closing and its audit event go too.
func TestCloseIsOneTransaction(t *testing.T) {
	for _, table := range []string{"log_checkpoints", "risk_assessment_results"} {
		t.Run(table, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := newEnv(t, d)
				e.create(t, risk.CreateRequest{Title: "One"})
				if _, err := e.svc.OpenAssessment(e.ctx, e.contributor(), risk.OpenAssessmentRequest{Name: "Annual"}); err != nil {
					t.Fatal(err)
				}
				failInserts(t, d, table)
				servicetest.Unchanged(t, d, func() {
					_, err := e.svc.CloseAssessment(e.ctx, e.owner(), "RA-1", risk.CloseAssessmentRequest{})
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
				if got := servicetest.Actions(t, e.ctx, d, e.org); got[len(got)-1] != "risk_assessment.open" {
					t.Errorf("last action %q", got[len(got)-1])
				}
			})
		})
	}
}
