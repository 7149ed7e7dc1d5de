package tlog_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/tlog"
	xtlog "golang.org/x/mod/sumdb/tlog"
)

// withEvents fills the fixture's audit log with n events and signs
// checkpoints after the sizes in signAt.
func withEvents(t *testing.T, f *fixture, n int, signAt ...int) {
	t.Helper()
	ctx := context.Background()
	actor := &aims.Actor{Kind: aims.ActorUser, UserID: "u1", Email: "ada@example.org", OrgID: f.org, Role: aims.RoleOwner}
	for i := 1; i <= n; i++ {
		err := f.db.WithTx(ctx, func(tx *db.Tx) error {
			changes, err := tlog.Changes(nil, map[string]any{"name": "system", "n": i})
			if err != nil {
				return err
			}
			return f.logs.Record(ctx, tx, f.org, actor, "ai_system.create",
				tlog.EventObject{Type: "ai_system", ID: "sys", Ref: "SYS-1"}, changes)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range signAt {
			if s == i {
				if _, err := f.logs.Sign(ctx, f.logID, false); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func (f *fixture) verify(t *testing.T) *tlog.LogReport {
	t.Helper()
	vs, err := tlog.Verifiers(f.key.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tlog.VerifyLog(context.Background(), f.db, f.logID, tlog.VerifyOptions{Verifiers: vs})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// disableTriggers lets a test tamper with the log tables as someone with
// direct database access could.
func disableTriggers(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	if d.Dialect() == db.Postgres {
		for _, table := range []string{"log_entries", "log_hashes", "log_checkpoints", "log_payloads", "audit_events"} {
			if _, err := d.ExecContext(ctx, `ALTER TABLE `+table+` DISABLE TRIGGER USER`); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	rows, err := d.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		if _, err := d.ExecContext(ctx, `DROP TRIGGER `+n); err != nil {
			t.Fatal(err)
		}
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func firstProblem(t *testing.T, r *tlog.LogReport) tlog.Problem {
	t.Helper()
	if r.OK() {
		t.Fatal("verification passed a tampered log")
	}
	return r.Problems[0]
}

func TestVerifyIntactLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withEvents(t, f, 20, 5, 12, 20)
		r := f.verify(t)
		if !r.OK() {
			t.Fatalf("intact log fails verification: %v", r.Problems)
		}
		if r.Entries != 20 || r.Checkpoints != 3 || r.Verified != 3 || r.Latest == nil || r.Latest.Size != 20 {
			t.Errorf("report: entries %d, checkpoints %d/%d, latest %+v", r.Entries, r.Verified, r.Checkpoints, r.Latest)
		}
		want, err := tlog.TreeHash(context.Background(), d, f.logID, 20)
		if err != nil {
			t.Fatal(err)
		}
		if r.Root != want {
			t.Errorf("recomputed root %x, stored tree says %x", r.Root, want)
		}
		// Nothing new to sign: no checkpoint is added.
		if cp, err := f.logs.Sign(context.Background(), f.logID, false); err != nil || cp != nil {
			t.Errorf("Sign without growth = %v, %v; want nothing signed", cp, err)
		}
	})
}

func TestTriggersRefuseChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withEvents(t, f, 3, 3)
		ctx := context.Background()
		for _, q := range []string{
			`UPDATE log_entries SET created_at = created_at`,
			`DELETE FROM log_entries WHERE idx = 2`,
			`UPDATE log_hashes SET hash = hash`,
			`DELETE FROM log_hashes`,
			`UPDATE log_checkpoints SET size = 1`,
			`DELETE FROM log_checkpoints`,
			`UPDATE audit_events SET action = 'nothing'`,
			`DELETE FROM audit_events`,
			`UPDATE log_payloads SET payload = payload`,
			`DELETE FROM log_payloads`,
		} {
			if _, err := d.ExecContext(ctx, q); err == nil {
				t.Errorf("%s: the database allowed it", q)
			}
		}
		if d.Dialect() == db.Postgres {
			if _, err := d.ExecContext(ctx, `TRUNCATE log_checkpoints`); err == nil {
				t.Error("TRUNCATE log_checkpoints: the database allowed it")
			}
		}
		// Erasure is the one change allowed, and the log still verifies.
		exec(t, d, `UPDATE log_payloads SET payload = NULL, erased_at = ? WHERE idx = 1`, aims.SystemClock())
		r := f.verify(t)
		if !r.OK() || r.Erased != 1 {
			t.Errorf("after erasure: problems %v, erased %d", r.Problems, r.Erased)
		}
	})
}

func TestVerifyNamesTheAlteredEntry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withEvents(t, f, 10, 10)
		disableTriggers(t, d)
		var payload []byte
		if err := d.QueryRowContext(context.Background(), `SELECT payload FROM log_payloads WHERE idx = 6`).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		altered := []byte(strings.Replace(string(payload), "ada@example.org", "eve@example.org", 1))
		exec(t, d, `UPDATE log_payloads SET payload = ? WHERE idx = 6`, altered)
		p := firstProblem(t, f.verify(t))
		if p.Index != 6 || !strings.Contains(p.Message, "altered") {
			t.Errorf("first problem %q, want entry 6 altered", p)
		}

		// Recording the new payload's hash as well moves the mismatch to the tree.
		h := sha256.Sum256(altered)
		exec(t, d, `UPDATE log_entries SET payload_hash = ? WHERE idx = 6`, h[:])
		p = firstProblem(t, f.verify(t))
		if p.Index != 6 {
			t.Errorf("first problem %q, want entry 6", p)
		}
	})
}

func TestVerifyCatchesRemovedAndReorderedEntries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withEvents(t, f, 8, 8)
		disableTriggers(t, d)
		// Swap the payloads and payload hashes of entries 2 and 3.
		ctx := context.Background()
		var p2, p3, h2, h3 []byte
		d.QueryRowContext(ctx, `SELECT p.payload, e.payload_hash FROM log_payloads p JOIN log_entries e ON e.idx = p.idx WHERE p.idx = 2`).Scan(&p2, &h2)
		d.QueryRowContext(ctx, `SELECT p.payload, e.payload_hash FROM log_payloads p JOIN log_entries e ON e.idx = p.idx WHERE p.idx = 3`).Scan(&p3, &h3)
		exec(t, d, `UPDATE log_payloads SET payload = ? WHERE idx = 2`, p3)
		exec(t, d, `UPDATE log_payloads SET payload = ? WHERE idx = 3`, p2)
		exec(t, d, `UPDATE log_entries SET payload_hash = ? WHERE idx = 2`, h3)
		exec(t, d, `UPDATE log_entries SET payload_hash = ? WHERE idx = 3`, h2)
		p := firstProblem(t, f.verify(t))
		if p.Index != 2 {
			t.Errorf("after reordering, first problem %q; want entry 2", p)
		}
	})
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withEvents(t, f, 8, 8)
		disableTriggers(t, d)
		exec(t, d, `DELETE FROM audit_events WHERE idx = 4`)
		exec(t, d, `DELETE FROM log_payloads WHERE idx = 4`)
		exec(t, d, `DELETE FROM log_entries WHERE idx = 4`)
		p := firstProblem(t, f.verify(t))
		if p.Index != 4 || !strings.Contains(p.Message, "removed") {
			t.Errorf("after deletion, first problem %q; want entry 4 removed", p)
		}
	})
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		// Cutting off the tail and lowering the size is caught by the checkpoint.
		f := newFixture(t, d)
		withEvents(t, f, 8, 8)
		disableTriggers(t, d)
		exec(t, d, `DELETE FROM audit_events WHERE idx >= 6`)
		exec(t, d, `DELETE FROM log_payloads WHERE idx >= 6`)
		exec(t, d, `DELETE FROM log_entries WHERE idx >= 6`)
		exec(t, d, `DELETE FROM log_hashes WHERE hidx >= ?`, xtlog.StoredHashCount(6))
		exec(t, d, `UPDATE logs SET size = 6`)
		p := firstProblem(t, f.verify(t))
		if !strings.Contains(p.Message, "removed") {
			t.Errorf("after truncation, first problem %q; want removed entries", p)
		}
	})
}

// TestVerifyCatchesAConsistentRewrite rewrites an entry together with every
// hash and index row derived from it, as a careful forger would; only the
// signed checkpoint can then reveal it.
func TestVerifyCatchesAConsistentRewrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		withEvents(t, f, 9, 4, 9)
		disableTriggers(t, d)
		var payload []byte
		if err := d.QueryRowContext(ctx, `SELECT payload FROM log_payloads WHERE idx = 6`).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		altered := []byte(strings.Replace(string(payload), `"n","before":null,"after":7`, `"n","before":null,"after":70`, 1))
		if string(altered) == string(payload) {
			t.Fatalf("test did not alter the payload: %s", payload)
		}
		h := sha256.Sum256(altered)
		exec(t, d, `UPDATE log_payloads SET payload = ? WHERE idx = 6`, altered)
		exec(t, d, `UPDATE log_entries SET payload_hash = ? WHERE idx = 6`, h[:])
		// Recompute every stored hash from the entries.
		rows, err := d.QueryContext(ctx, `SELECT payload_hash FROM log_entries ORDER BY idx`)
		if err != nil {
			t.Fatal(err)
		}
		var stored []xtlog.Hash
		reader := xtlog.HashReaderFunc(func(ix []int64) ([]xtlog.Hash, error) {
			out := make([]xtlog.Hash, len(ix))
			for i, x := range ix {
				out[i] = stored[x]
			}
			return out, nil
		})
		var n int64
		for rows.Next() {
			var ph []byte
			rows.Scan(&ph)
			hs, err := xtlog.StoredHashesForRecordHash(n, xtlog.RecordHash(ph), reader)
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, hs...)
			n++
		}
		rows.Close()
		exec(t, d, `DELETE FROM log_hashes`)
		for i, h := range stored {
			exec(t, d, `INSERT INTO log_hashes (log_id, hidx, hash) VALUES (?, ?, ?)`, f.logID, i, h[:])
		}
		r := f.verify(t)
		p := firstProblem(t, r)
		if !strings.Contains(p.Message, "does not match the tree") || p.Index != 8 {
			t.Errorf("first problem %q; want the checkpoint of size 9 to expose it", p)
		}
		if r.Latest == nil || r.Latest.Size != 4 {
			t.Errorf("the checkpoint of size 4, before the rewrite, should still verify; latest = %+v", r.Latest)
		}
	})
}

func TestVerifyRejectsUntrustedSignatures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		withEvents(t, f, 3)
		forger, err := tlog.LoadOrCreateKey(t.TempDir() + "/forger.key")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tlog.New(d, forger.Signer, nil).Sign(ctx, f.logID, false); err != nil {
			t.Fatal(err)
		}
		p := firstProblem(t, f.verify(t))
		if !strings.Contains(p.Message, "not a trusted key") {
			t.Errorf("first problem %q; want an untrusted key", p)
		}
	})
}

func TestKeyFileRoundTrip(t *testing.T) {
	path := t.TempDir() + "/k"
	a, err := tlog.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tlog.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.VerifierKey != b.VerifierKey || a.Signer.Name() != b.Signer.Name() {
		t.Errorf("reloading the key changed it: %s vs %s", a.VerifierKey, b.VerifierKey)
	}
	if _, err := tlog.Verifiers(a.VerifierKey); err != nil {
		t.Errorf("derived verifier key does not parse: %v", err)
	}
	if _, err := tlog.ParseKey("PRIVATE+KEY+x+00000000+AAAA"); err == nil {
		t.Error("a malformed key was accepted")
	}
}
