package impact_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestFailClosed makes the audit log fail and proves that every change is
// refused and leaves nothing behind: no approved version, no checkpoint,
// no risk, no link.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		inReview := e.readyFRIA(t, "SYS-1")
		e.submit(t, inReview.Ref, "")
		draft := e.readyFRIA(t, "SYS-1")
		if _, err := e.svc.CreateRisk(e.ctx, e.contributor(), draft.Ref, "1", impact.RiskCreateRequest{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CopyTemplate(e.ctx, e.owner(), "eu-fria", impact.CopyRequest{}); err != nil {
			t.Fatal(err)
		}
		extra := e.addImpact(t, draft.Ref, unfair())
		servicetest.FailAuditAppends(t, d)
		owner, contributor := e.owner(), e.contributor()
		rv := e.get(t, inReview.Ref).Version
		ops := []struct {
			name string
			do   func() error
		}{
			{"Start", func() error {
				return second(e.svc.Start(e.ctx, contributor, impact.StartRequest{System: "SYS-1", Template: "eu-fria"}))
			}},
			{"Update", func() error {
				return second(e.svc.Update(e.ctx, contributor, draft.Ref, impact.UpdateRequest{Version: draft.Version, Title: ptr("Changed")}))
			}},
			{"AddImpact", func() error { return second(e.svc.AddImpact(e.ctx, contributor, draft.Ref, unfair())) }},
			{"UpdateImpact", func() error {
				return second(e.svc.UpdateImpact(e.ctx, contributor, draft.Ref, "1", withVersion(impact.ImpactRequest{Group: "All", Harm: "x",
					Severity: "low", Likelihood: "rare", Reversibility: "reversible", Scale: "individual"}, 1)))
			}},
			{"RemoveImpact", func() error { return e.svc.RemoveImpact(e.ctx, contributor, draft.Ref, extra.ID, 0) }},
			{"CreateRisk", func() error {
				return second(e.svc.CreateRisk(e.ctx, contributor, draft.Ref, "1", impact.RiskCreateRequest{}))
			}},
			{"LinkRisk", func() error {
				return second(e.svc.LinkRisk(e.ctx, contributor, inReview.Ref, "1", impact.LinkRequest{Risk: "RISK-1"}))
			}},
			{"Submit", func() error {
				return second(e.svc.Submit(e.ctx, contributor, draft.Ref, impact.ReviewRequest{Version: draft.Version}))
			}},
			{"Return", func() error {
				return second(e.svc.Return(e.ctx, owner, inReview.Ref, impact.ReviewRequest{Version: rv, Note: "No"}))
			}},
			{"Approve", func() error {
				return second(e.svc.Approve(e.ctx, owner, inReview.Ref, impact.ApproveRequest{Version: rv}))
			}},
			{"CopyTemplate", func() error { return second(e.svc.CopyTemplate(e.ctx, owner, "iso-42005", impact.CopyRequest{})) }},
			{"UpdateTemplate", func() error {
				return second(e.svc.UpdateTemplate(e.ctx, owner, "IAT-1", impact.TemplateRequest{Version: 1, Name: "x", Sections: validSections()}))
			}},
			{"ArchiveTemplate", func() error { return second(e.svc.ArchiveTemplate(e.ctx, owner, "IAT-1")) }},
		}
		risks := servicetest.Count(t, d, `SELECT count(*) FROM test_risks`)
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					if err := op.do(); err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM impact_assessment_versions`) + servicetest.Count(t, d, `SELECT count(*) FROM log_checkpoints`); n != 0 {
			t.Errorf("%d versions and checkpoints after failed approvals", n)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM test_risks`); n != risks {
			t.Errorf("%d risks after failed creations, want %d", n, risks)
		}
		if _, err := e.svc.Get(e.ctx, owner, draft.Ref); err != nil {
			t.Errorf("reads fail too: %v", err)
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

// TestOneTransaction proves that when signing the checkpoint or storing
// the version fails, the approval's audit event goes too; and that when
// the risk register refuses a risk, or the link cannot be stored, neither
// the risk nor the link nor either event stays.
func TestOneTransaction(t *testing.T) {
	for _, table := range []string{"log_checkpoints", "impact_assessment_versions", "impact_risk_links", "test_risks"} {
		t.Run(table, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := newEnv(t, d)
				e.system(t, "Hiring screening")
				a := e.readyFRIA(t, "SYS-1")
				e.submit(t, a.Ref, "")
				failInserts(t, d, table)
				servicetest.Unchanged(t, d, func() {
					var err error
					if strings.HasPrefix(table, "impact_assessment") || table == "log_checkpoints" {
						_, err = e.svc.Approve(e.ctx, e.owner(), a.Ref, impact.ApproveRequest{Version: e.get(t, a.Ref).Version})
					} else {
						_, err = e.svc.CreateRisk(e.ctx, e.contributor(), a.Ref, "1", impact.RiskCreateRequest{})
					}
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
				if n := servicetest.Count(t, d, `SELECT count(*) FROM test_risks`); n != 0 {
					t.Errorf("%d risks stored", n)
				}
				if got := servicetest.Actions(t, e.ctx, d, e.org); got[len(got)-1] != "impact.submit" {
					t.Errorf("last action %q", got[len(got)-1])
				}
			})
		})
	}
	// A risk register that fails after writing its risk takes it back too.
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		a := e.readyFRIA(t, "SYS-1")
		e.sources.fail = aims.Errorf(aims.CodeInternal, "the risk register is not built yet")
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.CreateRisk(e.ctx, e.contributor(), a.Ref, "1", impact.RiskCreateRequest{})
			var ae *aims.Error
			if !errors.As(err, &ae) || ae.Code != aims.CodeInternal {
				t.Fatalf("got %v", err)
			}
		})
		if n := servicetest.Count(t, d, `SELECT count(*) FROM test_risks`); n != 0 {
			t.Errorf("%d risks stored", n)
		}
	})
}
