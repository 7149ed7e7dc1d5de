package objective_test

import (
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/objective"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// explained is a monthly indicator of at least 95 %, started at the end of 2025.
var explained = objective.IndicatorRequest{Name: "Decisions explained", Unit: "%", Target: atLeast(95), Cadence: "monthly",
	Method: "Share of refusals sent with reasons", StartsOn: "2025-12-31"}

// TestMeasurements records values, refuses bad ones field by field,
// corrects a mistaken value with a later one and checks the series in
// force, the latest value and the next due date worked out by hand.
func TestMeasurements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.objective(t, "Explain decisions")
		e.indicator(t, "OBJ-1", explained)
		c := e.contributor()
		m1 := e.measure(t, "OBJ-1", 1, 93.5, "2026-01-31")
		m2 := e.measure(t, "OBJ-1", 1, 96, "2026-02-28")
		if m1.Ref != "OBJ-1/I1/M1" || m2.Ref != "OBJ-1/I1/M2" || m2.RecordedBy != "contributor@acme.example" {
			t.Fatalf("recorded %+v %+v", m1, m2)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Measure(e.ctx, c, "OBJ-1", 1, objective.MeasureRequest{MeasuredOn: "2026-03-03", Evidence: "EV-9", Corrects: 7})
			servicetest.WantFields(t, err, aims.CodeInvalid, "corrects", "evidence", "measured_on", "note", "value")
			_, err = e.svc.Measure(e.ctx, c, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(90.0), Corrects: 2})
			servicetest.WantFields(t, err, aims.CodeInvalid, "note")
			_, err = e.svc.Measure(e.ctx, c, "OBJ-1", 2, objective.MeasureRequest{Value: ptr(90.0)})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})

		// The value of February was double-counted: M3 corrects M2, on M2's date.
		m3, err := e.svc.Measure(e.ctx, c, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(94.0), Corrects: 2, Note: "A batch was counted twice"})
		if err != nil || m3.Ref != "OBJ-1/I1/M3" || m3.MeasuredOn != "2026-02-28" || m3.Corrects != 2 {
			t.Fatalf("correction %+v, %v", m3, err)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		want := map[string][2]string{"corrects": {"null", `"OBJ-1/I1/M2"`}, "value": {"96", "94"}, "measured_on": {`"2026-02-28"`, `"2026-02-28"`},
			"note": {"null", `"A batch was counted twice"`}}
		if diff := cmp.Diff(want, servicetest.ChangeMap(t, ev)); ev.Action != objective.ActionCorrect || ev.Object.Ref != "OBJ-1/I1/M3" || diff != "" {
			t.Errorf("correction event %s %s (-want +got):\n%s", ev.Action, ev.Object.Ref, diff)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Measure(e.ctx, c, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(95.0), Corrects: 2, Note: "again"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "corrects")
		})
		ms, err := e.svc.Measurements(e.ctx, e.viewer(), "OBJ-1", 1)
		if err != nil {
			t.Fatal(err)
		}
		var got [][3]any
		for _, m := range ms {
			got = append(got, [3]any{m.Ref, m.Value, m.CorrectedBy})
		}
		if diff := cmp.Diff([][3]any{{"OBJ-1/I1/M1", 93.5, 0}, {"OBJ-1/I1/M2", 96.0, 3}, {"OBJ-1/I1/M3", 94.0, 0}}, got); diff != "" {
			t.Errorf("measurements (-want +got):\n%s", diff)
		}
		if in := objective.InForce(ms); len(in) != 2 || in[0].Number != 1 || in[1].Number != 3 {
			t.Errorf("in force %+v", in)
		}
		// The latest value in force is M3's 94, which misses at least 95; measured
		// on 2026-02-28, the last day of February, the next is due on 2026-03-31.
		in, err := e.svc.Indicator(e.ctx, e.viewer(), "OBJ-1", 1)
		if err != nil || in.Latest == nil || in.Latest.Ref != "OBJ-1/I1/M3" || in.Latest.Value != 94 || in.OnTarget == nil || *in.OnTarget ||
			in.NextDueOn != "2026-03-31" || in.Due || in.Measurements != 3 {
			t.Fatalf("indicator %+v, %v", in, err)
		}

		// A value with evidence, for an earlier period, does not become the latest.
		e.fakeEvidence(e.org, "EV-1", "Refusal letters sample")
		old, err := e.svc.Measure(e.ctx, c, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(91.0), MeasuredOn: "2025-12-31", Evidence: "ev-1"})
		if err != nil || old.Evidence != "EV-1" {
			t.Fatalf("with evidence %+v, %v", old, err)
		}
		if in, _ := e.svc.Indicator(e.ctx, e.viewer(), "OBJ-1", 1); in.Latest.Number != 3 {
			t.Errorf("latest is %+v", in.Latest)
		}
		if diff := cmp.Diff([]string{objective.ActionCreate, objective.ActionIndicatorCreate, objective.ActionMeasure, objective.ActionMeasure,
			objective.ActionCorrect, objective.ActionMeasure}, objectiveActions(t, e)); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}

		// The database refuses to change or delete a measurement.
		for _, q := range []string{`UPDATE objective_measurements SET value = 100`, `DELETE FROM objective_measurements`} {
			if _, err := d.SQL.ExecContext(e.ctx, q); err == nil {
				t.Errorf("%s is allowed", q)
			}
		}

		// A withdrawn objective takes no values.
		o, _ := e.svc.Get(e.ctx, e.viewer(), "OBJ-1")
		if _, err := e.svc.SetStatus(e.ctx, e.manager(), "OBJ-1", objective.ObjectiveStatusRequest{Version: o.Version, Status: "withdrawn", Note: "Replaced"}); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Measure(e.ctx, c, "OBJ-1", 1, objective.MeasureRequest{Value: ptr(99.0)})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.MeasureBatch(e.ctx, c, []objective.MeasurementItem{{Indicator: "OBJ-1/I1", Value: ptr(99.0)}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "items[0].indicator")
		})
	})
}

// TestBatch records many values at once, or none when any is wrong, naming each bad item.
func TestBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.objective(t, "Accurate scores")
		e.indicator(t, "OBJ-1", explained)
		e.indicator(t, "OBJ-1", objective.IndicatorRequest{Name: "AUC", Target: atLeast(0.75), Cadence: "quarterly", Method: "Holdout set", Source: "api"})
		c := e.contributor()
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.MeasureBatch(e.ctx, c, []objective.MeasurementItem{
				{Indicator: "OBJ-1/I1", Value: ptr(97.0), MeasuredOn: "2026-02-28"},
				{Indicator: "OBJ-1/I9", Value: ptr(1.0)},
				{Indicator: "bogus", Value: ptr(1.0)},
				{Indicator: "OBJ-1/I2", MeasuredOn: "2026-13-01"},
			})
			servicetest.WantFields(t, err, aims.CodeInvalid, "items[1].indicator", "items[2].indicator", "items[3].measured_on", "items[3].value")
			_, err = e.svc.MeasureBatch(e.ctx, c, nil)
			servicetest.WantFields(t, err, aims.CodeInvalid, "items")
		})
		ms, err := e.svc.MeasureBatch(e.ctx, c, []objective.MeasurementItem{
			{Indicator: "obj-1/i2", Value: ptr(0.81), MeasuredOn: "2025-12-31"},
			{Indicator: "OBJ-1/I2", Value: ptr(0.79), MeasuredOn: "2026-03-01", Note: "New features"},
			{Indicator: "OBJ-1/I1", Value: ptr(97.0)},
		})
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, m := range ms {
			refs = append(refs, m.Ref+" "+m.MeasuredOn)
		}
		if diff := cmp.Diff([]string{"OBJ-1/I2/M1 2025-12-31", "OBJ-1/I2/M2 2026-03-01", "OBJ-1/I1/M1 2026-03-02"}, refs); diff != "" {
			t.Errorf("batch (-want +got):\n%s", diff)
		}
		// Two corrections of one value in a batch are refused.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.MeasureBatch(e.ctx, c, []objective.MeasurementItem{{Indicator: "OBJ-1/I2", Value: ptr(0.8), Corrects: 2, Note: "a"},
				{Indicator: "OBJ-1/I2", Value: ptr(0.82), Corrects: 2, Note: "b"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "items[1].corrects")
		})
		if diff := cmp.Diff([]string{objective.ActionCreate, objective.ActionIndicatorCreate, objective.ActionIndicatorCreate,
			objective.ActionMeasure, objective.ActionMeasure, objective.ActionMeasure}, objectiveActions(t, e)); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
	})
}
