package decision_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
)

// baselineLog is the log number the baseline writes under; no decision log has it.
const baselineLog = int64(1) << 40

// benchBatch is how many records one request of the benchmark carries.
const benchBatch = 10000

var (
	benchColumns = []string{"log_no", "idx", "client_id", "decided_at", "received_at", "model_version_id",
		"output_label", "output_score", "confidence", "review", "subject", "record_hash", "payload"}
	benchAttributeColumns = []string{"log_no", "idx", "salt", "attributes"}
)

// BenchmarkIngest measures recording decisions in batches of 10,000, durable
// and with Merkle hashing, against a baseline that stores the very same rows
// (read back from the database) into the same tables with the same indexes:
// a plain batched INSERT on SQLite, pgx CopyFrom on PostgreSQL. It reports
// both rates and their ratio, measured in the same run.
//
// Two kinds of record are measured: "full" ones as sample makes them (about
// 500 bytes: inputs, explanation, sensitive attributes on half, reviews) and
// "compact" ones that carry the hash of their inputs, the output and the
// model version only (about 200 bytes), as a high-volume service may send.
func BenchmarkIngest(b *testing.B) {
	kinds := []struct {
		name string
		make func(prefix string, n int) []decision.Record
	}{{"full", sample}, {"compact", compactSample}}
	for _, dialect := range dbtest.Dialects(b) {
		for _, kind := range kinds {
			b.Run(string(dialect)+"/"+kind.name, func(b *testing.B) {
				benchIngest(b, dialect, kind.make)
			})
		}
	}
}

// compactSample returns n records with only an inputs hash, an output and a model.
func compactSample(prefix string, n int) []decision.Record {
	recs := sample(prefix, n)
	for i := range recs {
		r := &recs[i]
		r.InputsHash = fmt.Sprintf("%064x", i)
		r.Inputs, r.Explanation, r.Sensitive, r.Review, r.Subject, r.Confidence = nil, nil, nil, nil, "", nil
	}
	return recs
}

// benchIngest measures one dialect and kind of record for BenchmarkIngest.
func benchIngest(b *testing.B, dialect db.Dialect, newRecords func(prefix string, n int) []decision.Record) {
	d := dbtest.New(b, dialect)
	e := newEnv(b, d)
	var aimsTime, baseTime time.Duration
	records := 0
	for i := 0; b.Loop(); i++ {
		recs := newRecords(fmt.Sprintf("bench%d", i), benchBatch)
		start := time.Now()
		res, err := e.svc.Record(e.ctx, e.contributor(), "SYS-1", recs, decision.RecordOptions{})
		if err != nil {
			b.Fatal(err)
		}
		aimsTime += time.Since(start)
		b.StopTimer()
		rows, attrs := storedRows(b, e, res.Size-benchBatch, res.Size)
		b.StartTimer()
		start = time.Now()
		err = d.WithBulkTx(e.ctx, func(tx *db.Tx) error {
			if err := tx.Insert(e.ctx, "decisions", benchColumns, rows); err != nil {
				return err
			}
			return tx.Insert(e.ctx, "decision_attributes", benchAttributeColumns, attrs)
		})
		if err != nil {
			b.Fatal(err)
		}
		baseTime += time.Since(start)
		records += benchBatch
	}
	b.ReportMetric(float64(records)/aimsTime.Seconds(), "records/s")
	b.ReportMetric(float64(records)/baseTime.Seconds(), "baseline-records/s")
	b.ReportMetric(baseTime.Seconds()/aimsTime.Seconds(), "ratio")
}

// storedRows reads back the decision and attribute rows of indexes [from,
// to), renumbered into the baseline's log.
func storedRows(b *testing.B, e *env, from, to int64) (rows, attrs [][]any) {
	b.Helper()
	read := func(q string, n int, out *[][]any) {
		rs, err := e.d.QueryContext(e.ctx, q, from, to)
		if err != nil {
			b.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			v := make([]any, n)
			p := make([]any, n)
			for i := range v {
				p[i] = &v[i]
			}
			if err := rs.Scan(p...); err != nil {
				b.Fatal(err)
			}
			v[0] = baselineLog
			*out = append(*out, v)
		}
		if err := rs.Err(); err != nil {
			b.Fatal(err)
		}
	}
	read(`SELECT `+strings.Join(benchColumns, ", ")+` FROM decisions WHERE idx >= ? AND idx < ? AND log_no < `+
		fmt.Sprint(baselineLog)+` ORDER BY idx`, len(benchColumns), &rows)
	read(`SELECT `+strings.Join(benchAttributeColumns, ", ")+` FROM decision_attributes WHERE idx >= ? AND idx < ? AND log_no < `+
		fmt.Sprint(baselineLog)+` ORDER BY idx`, len(benchAttributeColumns), &attrs)
	return rows, attrs
}

// BenchmarkIngestMonitoring measures what keeping the monitoring statistics
// costs: batches of 10,000 full records recorded with the statistics and
// without them, alternately into two systems, in the same run, each
// first every other time. The ratio
// is the rate with statistics over the rate without (the target is at
// least 0.9).
func BenchmarkIngestMonitoring(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.New(b, dialect)
			e := newEnv(b, d)
			var with, without time.Duration
			records := 0
			for i := 0; b.Loop(); i++ {
				// Alternate which goes first, so that neither always follows the other's writes.
				order := []bool{false, true}
				if i%2 == 1 {
					order = []bool{true, false}
				}
				for _, off := range order {
					e.svc.SetWithoutStats(off)
					sys := "SYS-1"
					if off {
						sys = "SYS-2"
					}
					recs := sample(fmt.Sprintf("mon%d", i), benchBatch)
					if off {
						for j := range recs {
							recs[j].Model = "2.0.0"
						}
					}
					start := time.Now()
					if _, err := e.svc.Record(e.ctx, e.contributor(), sys, recs, decision.RecordOptions{}); err != nil {
						b.Fatal(err)
					}
					if off {
						without += time.Since(start)
					} else {
						with += time.Since(start)
					}
				}
				records += benchBatch
			}
			e.svc.SetWithoutStats(false)
			b.ReportMetric(float64(records)/with.Seconds(), "records/s")
			b.ReportMetric(float64(records)/without.Seconds(), "without-stats-records/s")
			b.ReportMetric(without.Seconds()/with.Seconds(), "ratio")
		})
	}
}
