package decision_test

import (
	"math"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/servicetest"
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
