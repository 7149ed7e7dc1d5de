package decision_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestStats records decisions over three days, some twice, and outcomes
// that replace, do not replace (observed earlier) or do not count (no
// label), and checks the statistics of several ranges and windows against
// counts made directly from what was sent.
func TestStats(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		rng := rand.New(rand.NewPCG(1, 2))
		start := servicetest.T0.Truncate(24 * time.Hour).Add(-3 * time.Hour) // 21:00 the day before
		var recs []decision.Record
		for i := range 1500 {
			r := decision.Record{ID: fmt.Sprintf("s-%d", i), Time: start.Add(time.Duration(rng.IntN(3*24*3600)) * time.Second),
				Model: []string{"1.0.0", "1.1.0"}[rng.IntN(2)], Output: decision.Output{Label: []string{"approve", "deny"}[rng.IntN(2)]},
				Inputs: fmt.Appendf(nil, `{"income": %d, "purpose": %q, "nested": {"x": 1}, "flag": %t}`,
					10000+rng.IntN(90000), []string{"car", "home", "study"}[rng.IntN(3)], rng.IntN(2) == 0)}
			if rng.IntN(4) > 0 {
				r.Output.Score = ptr(float64(rng.IntN(1000)) / 1000)
			}
			if rng.IntN(5) > 0 {
				r.Sensitive = map[string]string{"sex": []string{"f", "m"}[rng.IntN(2)], "age": []string{"young", "old"}[rng.IntN(2)]}
			}
			recs = append(recs, r)
		}
		e.record(t, e.sys, recs[:1000])
		// Resent with the rest: the first thousand are duplicates and must not count twice.
		e.record(t, e.sys, recs)
		truth := map[int]string{}
		var outs []decision.OutcomeInput
		for i := 0; i < len(recs); i += 3 {
			label := []string{"approve", "deny"}[rng.IntN(2)]
			outs = append(outs, decision.OutcomeInput{Decision: recs[i].ID, Label: label, Time: start.Add(10 * 24 * time.Hour)})
			truth[i] = label
		}
		if _, err := e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", outs); err != nil {
			t.Fatal(err)
		}
		outs = outs[:0]
		for i := 0; i < len(recs); i += 6 {
			later, earlier := []string{"approve", "deny"}[rng.IntN(2)], "earlier"
			outs = append(outs,
				decision.OutcomeInput{Decision: recs[i].ID, Label: later, Time: start.Add(11 * 24 * time.Hour)},
				decision.OutcomeInput{Decision: recs[i].ID, Label: earlier, Time: start.Add(9 * 24 * time.Hour)},
				decision.OutcomeInput{Decision: recs[i].ID, Score: ptr(1.0), Time: start.Add(12 * 24 * time.Hour)})
			truth[i] = later
		}
		if _, err := e.svc.RecordOutcomes(e.ctx, e.contributor(), "SYS-1", outs); err != nil {
			t.Fatal(err)
		}

		mv := map[string]string{"1.0.0": "mv-1", "1.1.0": "mv-2"}
		type rng2 struct {
			from, to time.Time
			window   time.Duration
			model    string
		}
		for _, q := range []rng2{
			{start, start.Add(72 * time.Hour), 0, ""},
			{start.Add(5 * time.Hour), start.Add(50 * time.Hour), 0, ""},                     // partial days around a whole day
			{start.Add(5 * time.Hour), start.Add(9 * time.Hour), 0, "mv-2"},                  // hours only
			{start, start.Add(72 * time.Hour), decision.WindowDay, ""},                       // by day
			{start, start.Add(30 * time.Hour), decision.WindowHour, "mv-1"},                  // by hour
			{start.Add(-48 * time.Hour), start.Add(96 * time.Hour), decision.WindowWeek, ""}, // by week
		} {
			name := fmt.Sprintf("%s..%s/%s/%s", q.from.Format("02T15"), q.to.Format("02T15"), q.window, q.model)
			got, err := e.svc.Stats(e.ctx, e.auditor(), "SYS-1", decision.StatsQuery{From: q.from, To: q.to, Window: q.window,
				ModelVersionID: q.model, Inputs: true})
			if err != nil {
				t.Fatal(name, err)
			}
			counts := map[decision.Count]int64{}
			scores := map[decision.ScoreCount]int64{}
			inputs := map[decision.InputCount]int64{}
			window := func(at time.Time, w time.Duration) time.Time {
				switch w {
				case decision.WindowHour:
					return at.Truncate(time.Hour)
				case decision.WindowDay:
					return at.Truncate(24 * time.Hour)
				case decision.WindowWeek:
					d := at.Truncate(24 * time.Hour)
					return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
				}
				return q.from
			}
			for i, r := range recs {
				if r.Time.Before(q.from) || !r.Time.Before(q.to) || (q.model != "" && mv[r.Model] != q.model) {
					goto inputs
				}
				{
					w := window(r.Time, q.window)
					groups := [][2]string{{"", ""}}
					if s := r.Sensitive; s != nil {
						groups = append(groups, [2]string{"age", s["age"]}, [2]string{"sex", s["sex"]}, [2]string{"age & sex", s["age"] + " & " + s["sex"]})
					}
					for _, g := range groups {
						counts[decision.Count{Window: w, ModelVersionID: mv[r.Model], Feature: g[0], Group: g[1], Predicted: r.Output.Label, Truth: truth[i]}]++
					}
				}
			inputs:
				// Scores and inputs are kept per day: every day the range touches counts whole.
				if !r.Time.Before(q.from.Truncate(24*time.Hour)) && r.Time.Before(q.to.Add(24*time.Hour-1).Truncate(24*time.Hour)) &&
					(q.model == "" || mv[r.Model] == q.model) {
					w := window(r.Time, q.window)
					if q.window == decision.WindowHour {
						w = r.Time.Truncate(24 * time.Hour)
					}
					if r.Output.Score != nil {
						sc, _ := strconv.ParseFloat(fmt.Sprintf("%.2g", *r.Output.Score), 64)
						scores[decision.ScoreCount{Window: w, ModelVersionID: mv[r.Model], Truth: truth[i], Score: sc}]++
					}
					var in struct {
						Income  float64
						Purpose string
						Flag    bool
					}
					if err := json.Unmarshal(r.Inputs, &in); err != nil {
						t.Fatal(err)
					}
					inputs[decision.InputCount{Window: w, Feature: "income", Numeric: true, Value: fmt.Sprintf("%.3g", in.Income)}]++
					inputs[decision.InputCount{Window: w, Feature: "purpose", Value: in.Purpose}]++
					inputs[decision.InputCount{Window: w, Feature: "flag", Value: strconv.FormatBool(in.Flag)}]++
				}
			}
			want := &decision.Stats{From: q.from, To: q.to, Window: q.window}
			for c, n := range counts {
				c.N = n
				want.Counts = append(want.Counts, c)
			}
			for c, n := range scores {
				c.N = n
				want.Scores = append(want.Scores, c)
			}
			for c, n := range inputs {
				c.N = n
				want.Inputs = append(want.Inputs, c)
			}
			sortStats(want)
			sortStats(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: statistics differ (-want +got):\n%s", name, diff)
			}
		}
		// Another organisation's member, and a viewer of another system's scope, cannot read them.
		_, err := e.svc.Stats(e.ctx, e.scoped(t, e.other), "SYS-1", decision.StatsQuery{From: start, To: start.Add(time.Hour)})
		servicetest.WantCode(t, err, aims.CodeForbidden)
		_, err = e.svc.Stats(e.ctx, e.auditor(), "SYS-1", decision.StatsQuery{From: start, To: start})
		servicetest.WantCode(t, err, aims.CodeInvalid)
	})
}

// TestStatsOfBusyInputs sends one request spanning thirty days: a text
// input with four values is counted however many days it spans, and one
// with a value per decision (an identifier) is left out.
func TestStatsOfBusyInputs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		start := servicetest.T0.Truncate(24*time.Hour).AddDate(0, 0, -30)
		var recs []decision.Record
		for i := range 120 {
			recs = append(recs, decision.Record{ID: fmt.Sprintf("b-%d", i), Time: start.Add(time.Duration(i) * 6 * time.Hour), Model: "1.0.0",
				Output: decision.Output{Label: "approve"},
				Inputs: fmt.Appendf(nil, `{"purpose": %q, "ref": "r-%d"}`, []string{"car", "home", "study", "boat"}[i%4], i)})
		}
		e.record(t, e.sys, recs)
		got, err := e.svc.Stats(e.ctx, e.auditor(), "SYS-1", decision.StatsQuery{From: start, To: start.AddDate(0, 0, 30), Inputs: true})
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int64{}
		for _, c := range got.Inputs {
			n[c.Feature+"="+c.Value] += c.N
		}
		want := map[string]int64{"purpose=car": 30, "purpose=home": 30, "purpose=study": 30, "purpose=boat": 30}
		if diff := cmp.Diff(want, n); diff != "" {
			t.Errorf("inputs counted (-want +got):\n%s", diff)
		}
	})
}

func sortStats(s *decision.Stats) {
	key := func(v any) string { return fmt.Sprintf("%+v", v) }
	sort.Slice(s.Counts, func(i, j int) bool { return key(s.Counts[i]) < key(s.Counts[j]) })
	sort.Slice(s.Scores, func(i, j int) bool { return key(s.Scores[i]) < key(s.Scores[j]) })
	sort.Slice(s.Inputs, func(i, j int) bool { return key(s.Inputs[i]) < key(s.Inputs[j]) })
	if s.Counts == nil {
		s.Counts = []decision.Count{}
	}
	if s.Scores == nil {
		s.Scores = []decision.ScoreCount{}
	}
	if s.Inputs == nil {
		s.Inputs = []decision.InputCount{}
	}
}
