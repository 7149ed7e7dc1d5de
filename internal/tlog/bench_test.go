package tlog_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/tlog"
)

// BenchmarkVerify measures full verification of an audit log against the
// baseline of hashing the same payload bytes once with SHA-256, in the same
// run; DESIGN.md asks for verification within 3× of that baseline. It
// reports the ratio as "x-sha256".
func BenchmarkVerify(b *testing.B) {
	const n = 20000
	d := dbtest.New(b, db.SQLite)
	f := newBenchFixture(b, d)
	ctx := context.Background()
	actor := &aims.Actor{Kind: aims.ActorUser, UserID: "u1", Email: "ada@example.org", OrgID: f.org}
	err := d.WithTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < n; i++ {
			ch, err := tlog.Changes(nil, map[string]any{"name": fmt.Sprintf("system %d", i), "stage": "deployment"})
			if err != nil {
				return err
			}
			if err := f.logs.Record(ctx, tx, f.org, actor, "ai_system.create", tlog.EventObject{Type: "ai_system", ID: aims.NewID(), Ref: fmt.Sprintf("SYS-%d", i)}, ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.logs.Sign(ctx, f.logID, false); err != nil {
		b.Fatal(err)
	}
	var payloads [][]byte
	rows, err := d.QueryContext(ctx, `SELECT payload FROM log_payloads ORDER BY idx`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var p []byte
		rows.Scan(&p)
		payloads = append(payloads, p)
	}
	rows.Close()
	vs, _ := tlog.Verifiers(f.key.VerifierKey)

	b.ResetTimer()
	var verify, baseline float64
	for i := 0; i < b.N; i++ {
		start := nanotime()
		var sink [32]byte
		for _, p := range payloads {
			sink = sha256.Sum256(p)
		}
		_ = sink
		baseline += float64(nanotime() - start)
		start = nanotime()
		r, err := tlog.VerifyLog(ctx, d, f.logID, tlog.VerifyOptions{Verifiers: vs})
		if err != nil || !r.OK() {
			b.Fatalf("verify: %v %v", err, r.Problems)
		}
		verify += float64(nanotime() - start)
	}
	b.ReportMetric(verify/baseline, "x-sha256")
	b.ReportMetric(verify/float64(b.N)/n, "ns/entry")
}

func newBenchFixture(b *testing.B, d *db.DB) *fixture {
	key, err := tlog.LoadOrCreateKey(b.TempDir() + "/log.key")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	f := &fixture{db: d, key: key, org: "org-1", logs: tlog.New(d, key.Signer, nil)}
	err = d.WithTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, created_at) VALUES (?, ?, ?, ?)`,
			f.org, "Org", "org", aims.SystemClock()); err != nil {
			return err
		}
		f.logID, err = f.logs.Create(ctx, tx, f.org, tlog.KindAudit, "")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func nanotime() int64 { return time.Now().UnixNano() }
