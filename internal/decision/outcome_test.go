package decision_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

// TestOutcomes appends outcomes by decision id and by index, stores an
// outcome id once, lists a decision's outcomes in the order observed and
// refuses bad ones by position, storing nothing.
func TestOutcomes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		// Before any decision there is nothing to record outcomes for.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", []decision.OutcomeInput{{Index: ptr(int64(0)), Label: "x", Time: servicetest.T0}})
			servicetest.WantCode(t, err, aims.CodeInvalid)
		})
		e.record(t, e.sys, sample("d", 20))
		e.record(t, e.other, []decision.Record{{ID: "d-5", Time: servicetest.T0, Model: "2.0.0", Output: decision.Output{Label: "ok"}}})
		t1 := servicetest.T0.Add(30 * 24 * time.Hour)
		t2 := t1.Add(24 * time.Hour)
		t0 := t1.Add(-24 * time.Hour)
		res, err := e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", []decision.OutcomeInput{
			{ID: "out-1", Decision: "d-5", Label: "repaid", Time: t1},
			{ID: "out-2", Index: ptr(int64(5)), Label: "defaulted", Score: ptr(0.0), Time: t2},
			{Index: ptr(int64(7)), Score: ptr(1250.5), Time: t1},
			{ID: "out-1", Decision: "d-6", Label: "repaid", Time: t1}, // the same outcome id again: kept once
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 3 || res.Duplicates != 1 || res.System != "SYS-1" {
			t.Fatalf("%+v", res)
		}
		e.clock.Advance(time.Hour)
		// Later: a retry and an outcome observed before the others, of the same decision.
		res, err = e.svc.RecordOutcomes(e.ctx, e.manager(), "SYS-1", []decision.OutcomeInput{
			{ID: "out-2", Index: ptr(int64(5)), Label: "defaulted", Time: t2},
			{ID: "out-0", Decision: "d-5", Label: "late", Time: t0.In(time.FixedZone("X", 3600))},
			{Index: ptr(int64(7)), Score: ptr(1250.5), Time: t1}, // no id: nothing to recognise it by
		})
		if err != nil || res.Accepted != 2 || res.Duplicates != 1 {
			t.Fatal(res, err)
		}
		got, err := e.svc.Get(e.ctx, e.auditor(), "SYS-1", "d-5")
		if err != nil {
			t.Fatal(err)
		}
		t0h := servicetest.T0.Add(time.Hour)
		want := []decision.Outcome{
			{ID: "out-0", DecisionIndex: 5, Label: "late", ObservedAt: t0, RecordedAt: t0h},
			{ID: "out-1", DecisionIndex: 5, Label: "repaid", ObservedAt: t1, RecordedAt: servicetest.T0},
			{ID: "out-2", DecisionIndex: 5, Label: "defaulted", Score: ptr(0.0), ObservedAt: t2, RecordedAt: servicetest.T0},
		}
		if diff := cmp.Diff(want, got.Outcomes); diff != "" {
			t.Fatalf("outcomes of d-5 (-want +got):\n%s", diff)
		}
		got, err = e.svc.Get(e.ctx, e.auditor(), "SYS-1", "7")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Outcomes) != 2 || *got.Outcomes[0].Score != 1250.5 || got.Outcomes[0].ID != "" {
			t.Fatalf("outcomes of 7: %+v", got.Outcomes)
		}
		if got, _ := e.svc.Get(e.ctx, e.auditor(), "SYS-1", "d-6"); len(got.Outcomes) != 0 {
			t.Fatalf("the duplicate outcome id was stored for d-6: %+v", got.Outcomes)
		}
		if n := e.count(t, `SELECT count(*) FROM decision_outcomes`); n != 5 {
			t.Fatalf("%d outcomes stored", n)
		}
		if n := e.count(t, `SELECT count(*) FROM decision_outcomes WHERE recorded_by = ?`, e.contributor().Email); n != 3 {
			t.Fatalf("%d outcomes recorded by the contributor", n)
		}

		// Bad outcomes are named by position; the batch stores nothing.
		nan := math.NaN()
		bad := []decision.OutcomeInput{
			{Decision: "d-1", Label: "ok", Time: t1},                                   // 0: good
			{Decision: "nobody", Label: "ok", Time: t1},                                // 1: unknown decision
			{Index: ptr(int64(20)), Label: "ok", Time: t1},                             // 2: beyond the log
			{Label: "ok", Time: t1},                                                    // 3: names no decision
			{Decision: "d-1", Index: ptr(int64(1)), Label: "ok", Time: t1},             // 4: names it twice
			{Index: ptr(int64(-1)), Label: "ok", Time: t1},                             // 5: negative index
			{Decision: "d-1", Time: t1},                                                // 6: no label or score
			{Decision: "d-1", Label: "ok"},                                             // 7: no time
			{Decision: "d-1", Score: &nan, Time: t1},                                   // 8: not a number
			{ID: string(make([]byte, 201)), Decision: "d-1", Label: "ok", Time: t1},    // 9: id too long
			{Decision: "d-1", Label: string([]byte{0xff}), Time: t1},                   // 10: label not UTF-8
			{Decision: "d-5", Label: "ok", Time: t1, ID: "fresh"},                      // 11: good
			{Decision: "d-2", Label: "ok", Time: t1, ID: "x", Score: ptr(math.Inf(1))}, // 12: infinite
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", bad)
			servicetest.WantFields(t, err, aims.CodeInvalid, "[10].label", "[12].score", "[3].decision", "[4].decision", "[5].index",
				"[6].label", "[7].time", "[8].score", "[9].id")
			// Decisions that do not exist are found once the rest is right.
			_, err = e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", []decision.OutcomeInput{bad[0], bad[1], bad[2], bad[11]})
			servicetest.WantFields(t, err, aims.CodeInvalid, "[1].decision", "[2].index")
			// Another system's decision is not this system's.
			_, err = e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-2", []decision.OutcomeInput{{Decision: "d-1", Label: "ok", Time: t1}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "[0].decision")
			_, err = e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", nil)
			servicetest.WantCode(t, err, aims.CodeInvalid)
		})

		// The table is append-only.
		for _, q := range []string{`UPDATE decision_outcomes SET label = 'repaid' WHERE label = 'defaulted'`,
			`UPDATE decision_outcomes SET observed_at = recorded_at`, `DELETE FROM decision_outcomes WHERE client_id = 'out-1'`,
			`DELETE FROM decision_outcomes`} {
			if _, err := d.ExecContext(e.ctx, q); err == nil {
				t.Errorf("%s was allowed", q)
			}
		}
		if n := e.count(t, `SELECT count(*) FROM decision_outcomes WHERE label = 'defaulted'`); n != 1 {
			t.Fatalf("%d defaulted outcomes after refused changes", n)
		}
		e.verifyAll(t)
	})
}

// TestOutcomeLogVerifies checks that outcomes are leaves of the system's
// outcome log, which verifies, and that an outcome altered behind the
// triggers is found at its entry.
func TestOutcomeLogVerifies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.record(t, e.sys, sample("v", 300))
		var outs []decision.OutcomeInput
		for i := 0; i < 300; i++ {
			o := decision.OutcomeInput{ID: fmt.Sprintf("o-%d", i), Label: []string{"repaid", "defaulted"}[i%2], Time: servicetest.T0}
			if i%3 == 0 {
				o.Index = ptr(int64(i))
			} else {
				o.Decision = fmt.Sprintf("v-%d", i)
			}
			outs = append(outs, o)
		}
		if _, err := e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", outs[:200]); err != nil {
			t.Fatal(err)
		}
		// A resent batch stores only the outcomes it did not hold.
		res, err := e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", outs[150:])
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 100 || res.Duplicates != 50 {
			t.Fatalf("accepted %d, duplicates %d; want 100 and 50", res.Accepted, res.Duplicates)
		}
		reps := e.verifyAll(t)
		r := reps[tlog.KindOutcome+"/"+e.sys.ID]
		if r == nil || r.Size != 300 || r.Entries != 300 {
			t.Fatalf("outcome log report %+v, want 300 verified entries", r)
		}
		if got := e.count(t, `SELECT count(*) FROM decision_outcomes WHERE idx >= 0 AND idx < 300`); got != 300 {
			t.Fatalf("%d outcome rows with indexes 0 to 299, want 300", got)
		}
		stmt := `DROP TRIGGER decision_outcomes_no_update`
		if d.Dialect() == db.Postgres {
			stmt = `ALTER TABLE decision_outcomes DISABLE TRIGGER ALL`
		}
		if _, err := d.ExecContext(e.ctx, stmt); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(e.ctx, `UPDATE decision_outcomes SET label = 'repaid' WHERE idx = 7`); err != nil {
			t.Fatal(err)
		}
		vs := e.verifiers(t)
		rep, err := tlog.VerifyLog(e.ctx, d, r.LogID, tlog.VerifyOptions{Verifiers: vs})
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK() || rep.Problems[0].Index != 7 || !strings.Contains(rep.Problems[0].Message, "outcome row differs") {
			t.Fatalf("an altered outcome was reported as %v", rep.Problems)
		}
	})
}
