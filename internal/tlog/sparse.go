package tlog

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"

	"github.com/aims-dev/aims/internal/db"
	"golang.org/x/mod/sumdb/tlog"
)

// Kinds of sparse log, whose entries live in the decision package's own rows.
const (
	KindDecision = "decision" // an AI system's decision records
	KindOutcome  = "outcome"  // the outcomes later reported for those decisions
)

// sparseStep is how far apart the levels are whose tree hashes a sparse log
// stores: leaves are the domain's rows, and only levels 8, 16, 24 … are kept
// in log_hashes. A hash at any other level is recomputed from at most 128
// hashes of the level below it that is kept. Appends so write one tree hash
// per 128 entries instead of two per entry.
const sparseStep = 8

// Leaves is where a kind of sparse log keeps its entries: a domain package
// that stores records at high volume keeps the SHA-256 of each record in its
// own row and registers how to read them.
type Leaves interface {
	// PayloadHashes returns the payload hashes of entries [from, to) in order;
	// fewer than asked means entries are missing.
	PayloadHashes(ctx context.Context, q db.Queryer, logID string, from, to int64) ([]Hash, error)
	// Entries returns entries [from, to) with their payloads, for verification.
	Entries(ctx context.Context, q db.Queryer, logID string, from, to int64) ([]Entry, error)
	// Extra counts entries stored at or beyond size, which no append made.
	Extra(ctx context.Context, q db.Queryer, logID string, size int64) (int64, error)
}

var (
	layoutsMu sync.RWMutex
	layouts   = map[string]Leaves{}
)

// RegisterLeaves makes logs of kind sparse, with entries read from leaves.
// Domain packages call it from init.
func RegisterLeaves(kind string, leaves Leaves) {
	layoutsMu.Lock()
	defer layoutsMu.Unlock()
	layouts[kind] = leaves
}

func leavesOf(kind string) Leaves {
	layoutsMu.RLock()
	defer layoutsMu.RUnlock()
	return layouts[kind]
}

// readerFor returns the hash reader for a log of either layout.
func readerFor(ctx context.Context, q db.Queryer, logID string) (tlog.HashReader, error) {
	var kind string
	if err := q.QueryRowContext(ctx, `SELECT kind FROM logs WHERE id = ?`, logID).Scan(&kind); err != nil {
		if db.IsNoRows(err) {
			return nil, fmt.Errorf("log %s does not exist", logID)
		}
		return nil, err
	}
	if src := leavesOf(kind); src != nil {
		return sparseReader(ctx, q, logID, src), nil
	}
	return hashReader(ctx, q, logID), nil
}

// sparseKept reports whether a sparse log stores the tree hash at level.
func sparseKept(level int) bool { return level > 0 && level%sparseStep == 0 }

// sparseReader reads any tree hash of a sparse log: level 0 from the
// domain's rows, kept levels from log_hashes, and the levels between by
// hashing up from the kept level below.
func sparseReader(ctx context.Context, q db.Queryer, logID string, src Leaves) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]Hash, error) {
		out := make([]Hash, len(indexes))
		for i, x := range indexes {
			level, n := tlog.SplitStoredHashIndex(x)
			base := level - level%sparseStep
			lo, hi := n<<(level-base), (n+1)<<(level-base)
			hs, err := sparseLevel(ctx, q, logID, src, base, lo, hi)
			if err != nil {
				return nil, err
			}
			for len(hs) > 1 {
				for j := 0; j < len(hs); j += 2 {
					hs[j/2] = tlog.NodeHash(hs[j], hs[j+1])
				}
				hs = hs[:len(hs)/2]
			}
			out[i] = hs[0]
		}
		return out, nil
	})
}

// sparseLevel reads the hashes of nodes [lo, hi) at a kept level, or at level 0.
func sparseLevel(ctx context.Context, q db.Queryer, logID string, src Leaves, level int, lo, hi int64) ([]Hash, error) {
	if level == 0 {
		phs, err := src.PayloadHashes(ctx, q, logID, lo, hi)
		if err != nil {
			return nil, err
		}
		if int64(len(phs)) != hi-lo {
			return nil, fmt.Errorf("entries %d to %d are missing", lo, hi-1)
		}
		for i := range phs {
			phs[i] = tlog.RecordHash(phs[i][:])
		}
		return phs, nil
	}
	idx := make([]int64, 0, hi-lo)
	for m := lo; m < hi; m++ {
		idx = append(idx, tlog.StoredHashIndex(level, m))
	}
	return hashReader(ctx, q, logID).ReadHashes(idx)
}

// Frontier is the right edge of a tree: the roots of its complete subtrees,
// largest first. Folding leaves into it yields every hash the tree gains.
type Frontier struct {
	Size  int64
	Roots []Hash
}

// SparseFrontier reads the right edge of a sparse log's tree of the given size.
func SparseFrontier(ctx context.Context, q db.Queryer, logID string, size int64) (*Frontier, error) {
	src, err := sparseLeaves(ctx, q, logID)
	if err != nil {
		return nil, err
	}
	r := sparseReader(ctx, q, logID, src)
	f := &Frontier{Size: size}
	var idx []int64
	start := int64(0)
	for level := 62; level >= 0; level-- {
		if size&(1<<level) == 0 {
			continue
		}
		idx = append(idx, tlog.StoredHashIndex(level, start>>level))
		start += 1 << level
	}
	if len(idx) > 0 {
		if f.Roots, err = r.ReadHashes(idx); err != nil {
			return nil, fmt.Errorf("cannot read the right edge of log %s at %d: %w", logID, size, err)
		}
	}
	return f, nil
}

func sparseLeaves(ctx context.Context, q db.Queryer, logID string) (Leaves, error) {
	var kind string
	if err := q.QueryRowContext(ctx, `SELECT kind FROM logs WHERE id = ?`, logID).Scan(&kind); err != nil {
		return nil, fmt.Errorf("cannot read log %s: %w", logID, err)
	}
	src := leavesOf(kind)
	if src == nil {
		return nil, fmt.Errorf("log %s of kind %s is not sparse", logID, kind)
	}
	return src, nil
}

// Add folds the leaf of the next entry, given its payload hash, into the
// frontier and calls keep with each tree hash a sparse log stores that the
// entry completes.
func (f *Frontier) Add(payloadHash Hash, keep func(storedIndex int64, h Hash)) {
	h := leafHash(payloadHash)
	n := f.Size
	level := 0
	for ; (n>>level)&1 == 1; level++ {
		h = nodeHash(f.Roots[len(f.Roots)-1], h)
		f.Roots = f.Roots[:len(f.Roots)-1]
		if sparseKept(level + 1) {
			keep(tlog.StoredHashIndex(level+1, n>>(level+1)), h)
		}
	}
	f.Roots = append(f.Roots, h)
	f.Size++
}

// leafHash is RFC 6962's leaf hash, SHA-256(0x00 || data), computed without
// allocating: appends fold every record through it.
func leafHash(data Hash) Hash {
	var b [1 + len(data)]byte
	copy(b[1:], data[:])
	return sha256.Sum256(b[:])
}

// nodeHash is RFC 6962's interior node hash, SHA-256(0x01 || left || right).
func nodeHash(left, right Hash) Hash {
	var b [1 + 2*len(left)]byte
	b[0] = 1
	copy(b[1:], left[:])
	copy(b[1+len(left):], right[:])
	return sha256.Sum256(b[:])
}

// Root returns the root hash of the tree the frontier ends.
func (f *Frontier) Root() Hash {
	if len(f.Roots) == 0 {
		return emptyRoot
	}
	h := f.Roots[len(f.Roots)-1]
	for i := len(f.Roots) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.Roots[i], h)
	}
	return h
}

// StoreHashes writes tree hashes of a sparse log, as Frontier.Add yields them, in tx.
func StoreHashes(ctx context.Context, tx *db.Tx, logID string, idx []int64, hs []Hash) error {
	const per = 300
	for start := 0; start < len(idx); start += per {
		end := min(start+per, len(idx))
		args := make([]any, 0, 3*(end-start))
		for i := start; i < end; i++ {
			args = append(args, logID, idx[i], hs[i][:])
		}
		q := `INSERT INTO log_hashes (log_id, hidx, hash) VALUES (?, ?, ?)` + strings.Repeat(", (?, ?, ?)", end-start-1)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("cannot store tree hashes: %w", err)
		}
	}
	return nil
}

// RecordLeaf is the tree's leaf for an entry whose payload hash is h.
func RecordLeaf(h Hash) Hash { return tlog.RecordHash(h[:]) }
