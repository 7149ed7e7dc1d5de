package monitor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/monitor"
)

// BenchmarkReport measures a monitoring report (performance per model
// version, fairness per feature and pair, drift of every input, a series
// per day and per group) over 30 days of statistics standing for
// 10,000,000 decisions with outcomes: the statistics are written as the
// decision log would keep them for decisions spread evenly over the month.
// The target is under a second per report. The baseline is the cheapest
// possible read of those statistics, one SUM over every hour row, and the
// ratio is how many times that read the report takes.
func BenchmarkReport(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			env := apptest.New(b, dialect)
			a, ctx := env.App, context.Background()
			owner := ownerOf(b, env)
			logNo, start := benchSystem(b, env)
			const decisions = 10_000_000
			fillStats(b, a.DB, logNo, start, decisions)
			end := start.AddDate(0, 0, 30)
			if _, err := a.Monitors.SetSettings(ctx, owner, "SYS-1", monitor.SettingsRequest{Positive: "approve", PositiveOutcome: "repaid"}); err != nil {
				b.Fatal(err)
			}
			var report, base time.Duration
			for b.Loop() {
				t0 := time.Now()
				r, err := a.Monitors.Report(ctx, owner, "SYS-1", monitor.ReportQuery{From: start, To: end, Window: monitor.WindowDay,
					ReferenceFrom: &start, ReferenceTo: ptr(start.AddDate(0, 0, 7))})
				if err != nil {
					b.Fatal(err)
				}
				report += time.Since(t0)
				if r.Performance[0].N != decisions {
					b.Fatalf("the report counts %d decisions, want %d", r.Performance[0].N, decisions)
				}
				t0 = time.Now()
				var n int64
				if err := a.DB.QueryRowContext(ctx, `SELECT SUM(n) FROM decision_counts WHERE log_no = ? AND span = 3600 AND feature = '' AND start >= ?`,
					logNo, start.Unix()).Scan(&n); err != nil || n != decisions {
					b.Fatal(n, err)
				}
				base += time.Since(t0)
			}
			b.ReportMetric(report.Seconds()/float64(b.N), "s/report")
			b.ReportMetric(base.Seconds()/float64(b.N), "baseline-s")
			b.ReportMetric(report.Seconds()/base.Seconds(), "ratio")
		})
	}
}

// benchSystem registers SYS-1 with a model version and one decision, so
// that it has a decision log, and returns the log's number and the first
// day of the month its statistics cover.
func benchSystem(b *testing.B, env *apptest.Env) (int64, time.Time) {
	b.Helper()
	a, ctx := env.App, context.Background()
	owner := ownerOf(b, env)
	if _, err := a.Systems.Create(ctx, owner, aisystem.CreateRequest{Name: "Loans", IntendedPurpose: "Decide on loans"}); err != nil {
		b.Fatal(err)
	}
	if _, err := a.Models.Create(ctx, owner, model.CreateRequest{System: "SYS-1", Name: "Scorer"}); err != nil {
		b.Fatal(err)
	}
	if _, err := a.Models.CreateVersion(ctx, owner, "MDL-1", model.VersionRequest{Label: "1.0.0", Digest: strings.Repeat("ab", 32)}); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	if _, err := a.Decisions.Record(ctx, owner, "SYS-1", []decision.Record{{ID: "first", Time: start.AddDate(0, 0, -60), Model: "1.0.0",
		Output: decision.Output{Label: "approve"}}}, decision.RecordOptions{}); err != nil {
		b.Fatal(err)
	}
	var logNo int64
	if err := a.DB.QueryRowContext(ctx, `SELECT no FROM decision_logs`).Scan(&logNo); err != nil {
		b.Fatal(err)
	}
	return logNo, start
}

// fillStats writes the hour and day statistics of n decisions spread over
// 30 days from start: two model versions, sex, age band and their pairs,
// predicted and true labels, scores, and ten inputs.
func fillStats(b *testing.B, d *db.DB, logNo int64, start time.Time, n int64) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	hours := int64(30 * 24)
	perHour := n / hours
	groups := [][2]string{{"", ""}}
	for _, s := range []string{"female", "male"} {
		groups = append(groups, [2]string{"sex", s})
		for _, a := range []string{"18-25", "26-40", "41-60", "61+"} {
			groups = append(groups, [2]string{"age_band & sex", a + " & " + s})
		}
	}
	for _, a := range []string{"18-25", "26-40", "41-60", "61+"} {
		groups = append(groups, [2]string{"age_band", a})
	}
	type key struct {
		span, start                             int64
		model, feature, group, predicted, truth string
	}
	counts := map[key]int64{}
	type skey struct {
		start        int64
		model, truth string
		score        float64
	}
	scores := map[skey]int64{}
	for h := range hours {
		at := start.Unix() + h*3600
		day := at - at%86400
		left := perHour
		if h == hours-1 {
			left = n - perHour*(hours-1)
		}
		// Split the hour's decisions into cells that add up for every feature.
		for i := int64(0); i < 8; i++ {
			share := left / (8 - i)
			left -= share
			model := []string{"mv-a", "mv-b"}[i%2]
			pred := []string{"approve", "deny"}[i/2%2]
			truth := []string{"", "repaid"}[i/4]
			sex, age := []string{"female", "male"}[rng.IntN(2)], []string{"18-25", "26-40", "41-60", "61+"}[rng.IntN(4)]
			for _, g := range [][2]string{{"", ""}, {"sex", sex}, {"age_band", age}, {"age_band & sex", age + " & " + sex}} {
				for _, span := range [][2]int64{{3600, at}, {86400, day}} {
					counts[key{span[0], span[1], model, g[0], g[1], pred, truth}] += share
				}
			}
			for s := range 20 {
				sc := float64(s*5+rng.IntN(5)) / 100
				scores[skey{day, model, truth, sc}] += share / 20
			}
		}
	}
	var rows [][]any
	for k, v := range counts {
		rows = append(rows, []any{logNo, k.span, k.start, k.model, k.feature, k.group, k.predicted, k.truth, v})
	}
	var srows [][]any
	for k, v := range scores {
		srows = append(srows, []any{logNo, k.start, k.model, k.truth, k.score, v})
	}
	var irows [][]any
	for day := range int64(30) {
		at := start.Unix() + day*86400
		for f := range 10 {
			for v := range 100 {
				for _, model := range []string{"mv-a", "mv-b"} {
					irows = append(irows, []any{logNo, at, model, fmt.Sprintf("x%d", f), "n", fmt.Sprint(v*10 + int(day)), n / 30 / 100 / 10 * 5})
				}
			}
		}
	}
	err := d.WithBulkTx(ctx, func(tx *db.Tx) error {
		if err := tx.Insert(ctx, "decision_counts", []string{"log_no", "span", "start", "model_version_id", "feature", "grp", "predicted", "truth", "n"}, rows); err != nil {
			return err
		}
		if err := tx.Insert(ctx, "decision_scores", []string{"log_no", "start", "model_version_id", "truth", "score", "n"}, srows); err != nil {
			return err
		}
		return tx.Insert(ctx, "decision_inputs", []string{"log_no", "start", "model_version_id", "feature", "kind", "value", "n"}, irows)
	})
	if err != nil {
		b.Fatal(err)
	}
}
