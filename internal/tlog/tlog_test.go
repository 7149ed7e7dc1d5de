package tlog_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// fixedClock advances one second per call from a known instant.
func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

type fixture struct {
	db    *db.DB
	logs  *tlog.Logs
	key   *tlog.Key
	logID string
	org   string
}

// newFixture makes an organisation with an empty audit log.
func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	key, err := tlog.LoadOrCreateKey(t.TempDir() + "/log.key")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: d, key: key, org: "org-1", logs: tlog.New(d, key.Signer, fixedClock())}
	err = d.WithTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, name_key, created_at) VALUES (?, ?, ?, ?)`,
			f.org, "Org", "org", time.Now()); err != nil {
			return err
		}
		f.logID, err = f.logs.Create(ctx, tx, f.org, tlog.KindAudit, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) append(t *testing.T, payload []byte) int64 {
	t.Helper()
	var n int64
	err := f.db.WithTx(context.Background(), func(tx *db.Tx) error {
		var err error
		n, err = f.logs.Append(context.Background(), tx, f.logID, payload)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func leafData(i int) []byte { return fmt.Appendf(nil, "payload %d", i) }

// TestTreeMatchesIndependentImplementation checks every root hash and proof
// against transparency-dev/merkle, which shares no code with x/mod/sumdb/tlog.
func TestTreeMatchesIndependentImplementation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		h := rfc6962.DefaultHasher
		rf := compact.RangeFactory{Hash: h.HashChildren}
		cr := rf.NewEmptyRange(0)
		const n = 40
		var leaves [][]byte
		roots := map[int64][]byte{}
		for i := 0; i < n; i++ {
			if got := f.append(t, leafData(i)); got != int64(i) {
				t.Fatalf("append %d returned index %d", i, got)
			}
			ph := sha256.Sum256(leafData(i))
			leaf := h.HashLeaf(ph[:])
			leaves = append(leaves, leaf)
			if err := cr.Append(leaf, nil); err != nil {
				t.Fatal(err)
			}
			want, err := cr.GetRootHash(nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tlog.TreeHash(ctx, d, f.logID, int64(i+1))
			if err != nil {
				t.Fatal(err)
			}
			if string(got[:]) != string(want) {
				t.Fatalf("root at size %d = %x, transparency-dev says %x", i+1, got, want)
			}
			roots[int64(i+1)] = want
		}
		for size := int64(1); size <= n; size++ {
			for idx := int64(0); idx < size; idx++ {
				p, leaf, root, err := tlog.InclusionProof(ctx, d, f.logID, idx, size)
				if err != nil {
					t.Fatal(err)
				}
				if string(leaf[:]) != string(leaves[idx]) || string(root[:]) != string(roots[size]) {
					t.Fatalf("inclusion(%d,%d): wrong leaf or root", idx, size)
				}
				if err := proof.VerifyInclusion(h, uint64(idx), uint64(size), leaves[idx], raw(p), roots[size]); err != nil {
					t.Fatalf("transparency-dev rejects inclusion proof (%d,%d): %v", idx, size, err)
				}
			}
			for old := int64(1); old <= size; old++ {
				p, oldRoot, newRoot, err := tlog.ConsistencyProof(ctx, d, f.logID, old, size)
				if err != nil {
					t.Fatal(err)
				}
				if string(oldRoot[:]) != string(roots[old]) || string(newRoot[:]) != string(roots[size]) {
					t.Fatalf("consistency(%d,%d): wrong roots", old, size)
				}
				if err := proof.VerifyConsistency(h, uint64(old), uint64(size), raw(p), roots[old], roots[size]); err != nil {
					t.Fatalf("transparency-dev rejects consistency proof (%d,%d): %v", old, size, err)
				}
			}
		}
	})
}

// TestCorruptedProofsAreRejected alters proofs in every way a forger might
// and expects both our checker and transparency-dev's to refuse them.
func TestCorruptedProofsAreRejected(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		for i := 0; i < 13; i++ {
			f.append(t, leafData(i))
		}
		h := rfc6962.DefaultHasher
		const idx, size = 5, 13
		p, leaf, root, err := tlog.InclusionProof(ctx, d, f.logID, idx, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckInclusion(p, size, root, idx, leaf); err != nil {
			t.Fatalf("genuine proof rejected: %v", err)
		}
		type inclusion struct {
			name       string
			proof      []tlog.Hash
			idx, size  int64
			leaf, root tlog.Hash
		}
		flipped := append([]tlog.Hash(nil), p...)
		flipped[1][0] ^= 1
		otherLeaf := leaf
		otherLeaf[31] ^= 0x80
		otherRoot := root
		otherRoot[0] ^= 1
		cases := []inclusion{
			{"bit flipped in a proof hash", flipped, idx, size, leaf, root},
			{"proof hash dropped", p[:len(p)-1], idx, size, leaf, root},
			{"proof hash added", append(append([]tlog.Hash(nil), p...), p[0]), idx, size, leaf, root},
			{"wrong index", p, idx + 1, size, leaf, root},
			{"wrong size", p, idx, 7, leaf, root},
			{"wrong leaf", p, idx, size, otherLeaf, root},
			{"wrong root", p, idx, size, leaf, otherRoot},
		}
		for _, c := range cases {
			if err := tlog.CheckInclusion(c.proof, c.size, c.root, c.idx, c.leaf); err == nil {
				t.Errorf("%s: our checker accepted a corrupted inclusion proof", c.name)
			}
			if err := proof.VerifyInclusion(h, uint64(c.idx), uint64(c.size), c.leaf[:], raw(c.proof), c.root[:]); err == nil {
				t.Errorf("%s: transparency-dev accepted a corrupted inclusion proof", c.name)
			}
		}

		cp, oldRoot, newRoot, err := tlog.ConsistencyProof(ctx, d, f.logID, 6, 13)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckConsistency(cp, 13, newRoot, 6, oldRoot); err != nil {
			t.Fatalf("genuine consistency proof rejected: %v", err)
		}
		bad := append([]tlog.Hash(nil), cp...)
		bad[0][5] ^= 4
		badOld := oldRoot
		badOld[2] ^= 1
		for _, c := range []struct {
			name       string
			proof      []tlog.Hash
			old, new   int64
			oldR, newR tlog.Hash
		}{
			{"bit flipped", bad, 6, 13, oldRoot, newRoot},
			{"truncated", cp[:len(cp)-1], 6, 13, oldRoot, newRoot},
			{"wrong old size", cp, 7, 13, oldRoot, newRoot},
			{"forked old root", cp, 6, 13, badOld, newRoot},
		} {
			if err := tlog.CheckConsistency(c.proof, c.new, c.newR, c.old, c.oldR); err == nil {
				t.Errorf("%s: our checker accepted a corrupted consistency proof", c.name)
			}
			if err := proof.VerifyConsistency(h, uint64(c.old), uint64(c.new), raw(c.proof), c.oldR[:], c.newR[:]); err == nil {
				t.Errorf("%s: transparency-dev accepted a corrupted consistency proof", c.name)
			}
		}

		// Requests outside the tree name the bad parameter.
		if _, _, _, err := tlog.InclusionProof(ctx, d, f.logID, 13, 13); err == nil {
			t.Error("inclusion proof for index == size was produced")
		}
		if _, _, _, err := tlog.ConsistencyProof(ctx, d, f.logID, 5, 14); err == nil {
			t.Error("consistency proof beyond the log was produced")
		}
	})
}

func raw(p []tlog.Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = append([]byte(nil), p[i][:]...)
	}
	return out
}
