package decision_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// signedRoot signs a checkpoint of the log's current size and returns the
// size and root the signed note states.
func (e *env) signedRoot(t testing.TB, logID string) (int64, []byte) {
	t.Helper()
	cp, err := e.logs.Sign(e.ctx, logID, true)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open([]byte(cp.Note), e.verifiers(t))
	if err != nil {
		t.Fatal(err)
	}
	origin, size, root, err := tlog.ParseCheckpoint(n.Text)
	if err != nil {
		t.Fatal(err)
	}
	if origin != tlog.Origin(tlog.KindDecision, e.org, e.sys.ID) || size != cp.Size {
		t.Fatalf("checkpoint %q of size %d", origin, size)
	}
	return size, root[:]
}

// TestLogMatchesIndependentImplementation records batches that cross the
// boundaries of the stored tree levels (256 and 65,536 entries) and checks
// the signed roots, inclusion proofs (from receipts) and consistency proofs
// against transparency-dev/merkle, computed from the payloads the database
// holds at the indexes the service answered.
func TestLogMatchesIndependentImplementation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sizes := []int{1, 2, 253, 1, 255, 513}
		for range 10 {
			sizes = append(sizes, 7000)
		}
		var ids []string // by index
		var cps []int64
		signed := map[int64][]byte{}
		var logID string
		for b, n := range sizes {
			recs := sample(fmt.Sprintf("p%d", b), n)
			res := e.record(t, e.sys, recs)
			for i, x := range indexes(res) {
				if x != int64(len(ids)) {
					t.Fatalf("batch %d record %d has index %d, want %d", b, i, x, len(ids))
				}
				ids = append(ids, recs[i].ID)
			}
			if logID == "" {
				logID = e.logOf(t, e.sys).LogID
			}
			if b%3 == 0 || b == len(sizes)-1 || b == 5 {
				size, root := e.signedRoot(t, logID)
				if size != int64(len(ids)) {
					t.Fatalf("signed size %d after %d records", size, len(ids))
				}
				cps = append(cps, size)
				signed[size] = root
			}
		}
		total := int64(len(ids))
		if total <= 65536+256 {
			t.Fatalf("only %d records", total)
		}

		// The independent tree, from the payloads the database holds.
		h := rfc6962.DefaultHasher
		cr := (&compact.RangeFactory{Hash: h.HashChildren}).NewEmptyRange(0)
		leaves := make([][]byte, 0, total)
		roots := map[int64][]byte{}
		rows, err := d.QueryContext(e.ctx, `SELECT idx, client_id, record_hash, payload FROM decisions WHERE log_no = ? ORDER BY idx`, e.logNo(t, e.sys))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var idx int64
			var id string
			var hash, payload []byte
			if err := rows.Scan(&idx, &id, &hash, &payload); err != nil {
				t.Fatal(err)
			}
			if idx != int64(len(leaves)) || id != ids[idx] {
				t.Fatalf("row %d holds %s at index %d", len(leaves), id, idx)
			}
			sum := sha256.Sum256(payload)
			if !bytes.Equal(hash, sum[:]) || !bytes.Contains(payload, []byte(`"id":"`+id+`"`)) {
				t.Fatalf("index %d: record hash %x, payload %s", idx, hash, payload)
			}
			leaf := h.HashLeaf(sum[:])
			leaves = append(leaves, leaf)
			if err := cr.Append(leaf, nil); err != nil {
				t.Fatal(err)
			}
			if signed[int64(len(leaves))] != nil {
				r, err := cr.GetRootHash(nil)
				if err != nil {
					t.Fatal(err)
				}
				roots[int64(len(leaves))] = r
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if int64(len(leaves)) != total {
			t.Fatalf("%d rows for %d records", len(leaves), total)
		}
		for _, size := range cps {
			if !bytes.Equal(roots[size], signed[size]) {
				t.Fatalf("signed root at %d is %x, transparency-dev computes %x", size, signed[size], roots[size])
			}
		}

		// Inclusion proofs from receipts, at the tree level boundaries and at random.
		rng := rand.New(rand.NewPCG(7, 11))
		picks := []int64{0, 1, 2, 255, 256, 257, 511, 512, 1023, 1024, 65535, 65536, 65537, total - 2, total - 1}
		for range 12 {
			picks = append(picks, rng.Int64N(total))
		}
		vs := e.verifiers(t)
		for _, idx := range picks {
			rc, err := e.svc.Receipt(e.ctx, e.auditor(), "SYS-1", fmt.Sprint(idx))
			if err != nil {
				t.Fatal(err)
			}
			if rc.Index != idx || rc.TreeSize != total {
				t.Fatalf("receipt of %d: index %d, tree size %d", idx, rc.Index, rc.TreeSize)
			}
			hash, err := base64.StdEncoding.DecodeString(rc.RecordHash)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(h.HashLeaf(hash), leaves[idx]) {
				t.Fatalf("receipt of %d commits to another record", idx)
			}
			p := make([][]byte, len(rc.Proof))
			for i, s := range rc.Proof {
				if p[i], err = base64.StdEncoding.DecodeString(s); err != nil {
					t.Fatal(err)
				}
			}
			if err := proof.VerifyInclusion(h, uint64(idx), uint64(total), leaves[idx], p, roots[total]); err != nil {
				t.Fatalf("transparency-dev rejects the receipt's proof of %d: %v", idx, err)
			}
			b, _ := json.Marshal(rc)
			if v, err := decision.VerifyReceipt(b, vs); err != nil || v.Record.ID != ids[idx] {
				t.Fatalf("receipt of %d: %+v, %v", idx, v, err)
			}
			// And in every earlier signed tree that holds it.
			for _, size := range cps {
				if size <= idx {
					continue
				}
				ip, leaf, root, err := tlog.InclusionProof(e.ctx, d, logID, idx, size)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(leaf[:], leaves[idx]) || !bytes.Equal(root[:], roots[size]) {
					t.Fatalf("inclusion of %d in %d: another leaf or root", idx, size)
				}
				if err := proof.VerifyInclusion(h, uint64(idx), uint64(size), leaves[idx], raw(ip), roots[size]); err != nil {
					t.Fatalf("transparency-dev rejects the proof of %d in %d: %v", idx, size, err)
				}
			}
		}

		// Consistency proofs between every two signed trees.
		for i, old := range cps {
			for _, size := range cps[i:] {
				cp, oldRoot, newRoot, err := tlog.ConsistencyProof(e.ctx, d, logID, old, size)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(oldRoot[:], roots[old]) || !bytes.Equal(newRoot[:], roots[size]) {
					t.Fatalf("consistency %d→%d: other roots", old, size)
				}
				if err := proof.VerifyConsistency(h, uint64(old), uint64(size), raw(cp), roots[old], roots[size]); err != nil {
					t.Fatalf("transparency-dev rejects the consistency proof %d→%d: %v", old, size, err)
				}
			}
		}

		r := e.verifyAll(t)["decision/"+e.sys.ID]
		if r.Size != total || r.Entries != total || r.Verified != len(cps) || !bytes.Equal(r.Root[:], roots[total]) {
			t.Fatalf("report: size %d, entries %d, %d of %d checkpoints verified", r.Size, r.Entries, r.Verified, len(cps))
		}
		t.Logf("%d records in %d batches, %d checkpoints", total, len(sizes), len(cps))
	})
}

// disableTriggers lets the test change decision rows as an operator with
// direct database access could.
func disableTriggers(t testing.TB, e *env) {
	t.Helper()
	stmts := []string{`DROP TRIGGER decisions_erase_only`, `DROP TRIGGER decisions_no_delete`,
		`DROP TRIGGER decision_attributes_erase_only`, `DROP TRIGGER decision_attributes_no_delete`}
	if e.d.Dialect() == db.Postgres {
		stmts = []string{`ALTER TABLE decisions DISABLE TRIGGER ALL`, `ALTER TABLE decision_attributes DISABLE TRIGGER ALL`}
	}
	for _, s := range stmts {
		if _, err := e.d.SQL.ExecContext(e.ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

// exec runs a statement, failing the test on error.
func (e *env) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if _, err := e.d.ExecContext(e.ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestTamperingIsDetected changes the decision rows behind aims' back, one
// way at a time, and expects verification to name the entry; each change is
// then undone and the log verifies again.
func TestTamperingIsDetected(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.record(t, e.sys, sample("t", 300))
		e.record(t, e.sys, sample("u", 300))
		e.verifyAll(t)
		logID := e.logOf(t, e.sys).LogID
		no := e.logNo(t, e.sys)
		// The database itself refuses such changes while its triggers stand.
		for _, q := range []string{`UPDATE decisions SET output_label = 'x' WHERE idx = 1`, `DELETE FROM decisions WHERE idx = 1`,
			`UPDATE decisions SET payload = NULL WHERE idx = 1`, `UPDATE decisions SET record_hash = payload WHERE idx = 1`,
			`UPDATE decision_attributes SET attributes = '{}' WHERE idx = 2`, `DELETE FROM decision_attributes WHERE idx = 2`} {
			if _, err := d.ExecContext(e.ctx, q); err == nil {
				t.Fatalf("%s was allowed", q)
			}
		}
		disableTriggers(t, e)

		payloadAt := func(idx int64) []byte {
			var b []byte
			if err := d.QueryRowContext(e.ctx, `SELECT payload FROM decisions WHERE log_no = ? AND idx = ?`, no, idx).Scan(&b); err != nil {
				t.Fatal(err)
			}
			return b
		}
		rewrite := func(idx int64) func() {
			// A forger who keeps row, payload and hash in step.
			old := payloadAt(idx)
			label := map[bool]string{true: "approve", false: "deny"}[bytes.Contains(old, []byte(`"label":"deny"`))]
			forged := bytes.Replace(old, []byte(`"label":"`+map[string]string{"approve": "deny", "deny": "approve"}[label]+`"`),
				[]byte(`"label":"`+label+`"`), 1)
			sum, oldSum := sha256.Sum256(forged), sha256.Sum256(old)
			var oldLabel string
			if err := d.QueryRowContext(e.ctx, `SELECT output_label FROM decisions WHERE log_no = ? AND idx = ?`, no, idx).Scan(&oldLabel); err != nil {
				t.Fatal(err)
			}
			e.exec(t, `UPDATE decisions SET payload = ?, record_hash = ?, output_label = ? WHERE log_no = ? AND idx = ?`, forged, sum[:], label, no, idx)
			return func() {
				e.exec(t, `UPDATE decisions SET payload = ?, record_hash = ?, output_label = ? WHERE log_no = ? AND idx = ?`, old, oldSum[:], oldLabel, no, idx)
			}
		}
		cases := []struct {
			name   string
			tamper func() (undo func())
			// lo and hi bound the entry a problem must name.
			lo, hi int64
			say    string
		}{
			{"payload", func() func() {
				old := payloadAt(100)
				e.exec(t, `UPDATE decisions SET payload = ? WHERE log_no = ? AND idx = ?`, bytes.Replace(old, []byte("SHAP"), []byte("LIME"), 1), no, 100)
				return func() { e.exec(t, `UPDATE decisions SET payload = ? WHERE log_no = ? AND idx = ?`, old, no, 100) }
			}, 100, 100, "payload was altered"},
			{"output label", func() func() {
				e.exec(t, `UPDATE decisions SET output_label = 'approve-all' WHERE log_no = ? AND idx = 101`, no)
				return func() { e.exec(t, `UPDATE decisions SET output_label = 'deny' WHERE log_no = ? AND idx = 101`, no) }
			}, 101, 101, "output differs"},
			{"review", func() func() {
				e.exec(t, `UPDATE decisions SET review = '' WHERE log_no = ? AND idx = 110`, no)
				return func() { e.exec(t, `UPDATE decisions SET review = 'overridden' WHERE log_no = ? AND idx = 110`, no) }
			}, 110, 110, "review differs"},
			{"subject", func() func() {
				e.exec(t, `UPDATE decisions SET subject = 's-9' WHERE log_no = ? AND idx = 111`, no)
				return func() { e.exec(t, `UPDATE decisions SET subject = 's-1' WHERE log_no = ? AND idx = 111`, no) }
			}, 111, 111, "subject differs"},
			{"record hash", func() func() {
				var old []byte
				if err := d.QueryRowContext(e.ctx, `SELECT record_hash FROM decisions WHERE log_no = ? AND idx = 102`, no).Scan(&old); err != nil {
					t.Fatal(err)
				}
				other := sha256.Sum256([]byte("another record"))
				e.exec(t, `UPDATE decisions SET record_hash = ? WHERE log_no = ? AND idx = 102`, other[:], no)
				return func() { e.exec(t, `UPDATE decisions SET record_hash = ? WHERE log_no = ? AND idx = 102`, old, no) }
			}, 102, 102, "payload was altered"},
			{"deleted row", func() func() {
				e.exec(t, fmt.Sprintf(`CREATE TABLE saved_decisions AS SELECT * FROM decisions WHERE log_no = %d AND idx = 103`, no))
				e.exec(t, `DELETE FROM decisions WHERE log_no = ? AND idx = 103`, no)
				return func() {
					e.exec(t, `INSERT INTO decisions SELECT * FROM saved_decisions`)
					e.exec(t, `DROP TABLE saved_decisions`)
				}
			}, 103, 103, "missing"},
			{"sensitive attributes altered", func() func() {
				var old string
				if err := d.QueryRowContext(e.ctx, `SELECT attributes FROM decision_attributes WHERE log_no = ? AND idx = 104`, no).Scan(&old); err != nil {
					t.Fatal(err)
				}
				e.exec(t, `UPDATE decision_attributes SET attributes = ? WHERE log_no = ? AND idx = 104`, strings.Replace(old, "female", "male", 1), no)
				return func() {
					e.exec(t, `UPDATE decision_attributes SET attributes = ? WHERE log_no = ? AND idx = 104`, old, no)
				}
			}, 104, 104, "sensitive attributes were altered"},
			{"sensitive attributes removed", func() func() {
				e.exec(t, fmt.Sprintf(`CREATE TABLE saved_attributes AS SELECT * FROM decision_attributes WHERE log_no = %d AND idx = 106`, no))
				e.exec(t, `DELETE FROM decision_attributes WHERE log_no = ? AND idx = 106`, no)
				return func() {
					e.exec(t, `INSERT INTO decision_attributes SELECT * FROM saved_attributes`)
					e.exec(t, `DROP TABLE saved_attributes`)
				}
			}, 106, 106, "sensitive attributes are missing"},
			{"sensitive attributes added", func() func() {
				e.exec(t, `INSERT INTO decision_attributes (log_no, idx, salt, attributes) VALUES (?, 107, ?, '{"sex":"male"}')`, no, []byte("0123456789abcdef"))
				return func() { e.exec(t, `DELETE FROM decision_attributes WHERE log_no = ? AND idx = 107`, no) }
			}, 107, 107, "has none"},
			// A consistent forgery is caught by the stored tree hash of its 256 entries…
			{"record rewritten", func() func() { return rewrite(300) }, 256, 511, ""},
			// …or, past the last stored one, by the signed checkpoint.
			{"latest record rewritten", func() func() { return rewrite(590) }, 599, 599, "does not match"},
			{"rows appended behind aims' back", func() func() {
				e.exec(t, fmt.Sprintf(`CREATE TABLE saved_decisions AS SELECT * FROM decisions WHERE log_no = %d AND idx = 5`, no))
				e.exec(t, `UPDATE saved_decisions SET idx = 600, client_id = 'smuggled'`)
				e.exec(t, `INSERT INTO decisions SELECT * FROM saved_decisions`)
				return func() {
					e.exec(t, `DELETE FROM decisions WHERE log_no = ? AND idx = 600`, no)
					e.exec(t, `DROP TABLE saved_decisions`)
				}
			}, -1, -1, "beyond the recorded log size"},
			{"log truncated", func() func() {
				e.exec(t, fmt.Sprintf(`CREATE TABLE saved_decisions AS SELECT * FROM decisions WHERE log_no = %d AND idx >= 590`, no))
				e.exec(t, `DELETE FROM decisions WHERE log_no = ? AND idx >= 590`, no)
				e.exec(t, `UPDATE logs SET size = 590 WHERE id = ?`, logID)
				return func() {
					e.exec(t, `INSERT INTO decisions SELECT * FROM saved_decisions`)
					e.exec(t, `DROP TABLE saved_decisions`)
					e.exec(t, `UPDATE logs SET size = 600 WHERE id = ?`, logID)
				}
			}, -1, -1, "covers more entries"},
		}
		vs := e.verifiers(t)
		for _, c := range cases {
			undo := c.tamper()
			r, err := tlog.VerifyLog(e.ctx, d, logID, tlog.VerifyOptions{Verifiers: vs})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			found := false
			for _, p := range r.Problems {
				if p.Index >= c.lo && p.Index <= c.hi && strings.Contains(p.Message, c.say) {
					found = true
				}
				// Besides the entry itself, the entry that completes its stored
				// subtree of 256, and the last one, that of the signed checkpoint.
				if p.Index >= 0 && (p.Index < c.lo || p.Index > c.hi) && c.lo >= 0 && p.Index != c.hi|255 && p.Index != 599 {
					t.Errorf("%s: a problem names an unchanged entry: %v", c.name, p)
				}
			}
			if !found {
				t.Errorf("%s: no problem names entries %d to %d saying %q: %v", c.name, c.lo, c.hi, c.say, r.Problems)
			}
			undo()
			r, err = tlog.VerifyLog(e.ctx, d, logID, tlog.VerifyOptions{Verifiers: vs})
			if err != nil || !r.OK() {
				t.Fatalf("after undoing %s: %v %v", c.name, err, r.Problems)
			}
		}
	})
}
