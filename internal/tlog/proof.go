package tlog

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"golang.org/x/mod/sumdb/tlog"
)

// InclusionProof proves that entry index is in the log's tree of the given
// size. It returns the proof, the entry's leaf hash and the tree's root hash.
func InclusionProof(ctx context.Context, q db.Queryer, logID string, index, size int64) (proof []Hash, leaf, root Hash, err error) {
	current, err := Size(ctx, q, logID)
	if err != nil {
		return nil, leaf, root, err
	}
	var p aims.Problems
	if size < 1 || size > current {
		p.Add("size", "must be between 1 and the log size %d", current)
	}
	if index < 0 || (index >= size && !p.Has("size")) {
		p.Add("index", "must be at least 0 and less than size")
	}
	if err := p.Err(); err != nil {
		return nil, leaf, root, err
	}
	r, err := readerFor(ctx, q, logID)
	if err != nil {
		return nil, leaf, root, err
	}
	hs, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return nil, leaf, root, err
	}
	if root, err = tlog.TreeHash(size, r); err != nil {
		return nil, leaf, root, err
	}
	rp, err := tlog.ProveRecord(size, index, r)
	if err != nil {
		return nil, leaf, root, err
	}
	return rp, hs[0], root, nil
}

// ConsistencyProof proves that the log's tree of size old is a prefix of
// its tree of size new, and returns both root hashes.
func ConsistencyProof(ctx context.Context, q db.Queryer, logID string, old, new int64) (proof []Hash, oldRoot, newRoot Hash, err error) {
	current, err := Size(ctx, q, logID)
	if err != nil {
		return nil, oldRoot, newRoot, err
	}
	var p aims.Problems
	if new < 1 || new > current {
		p.Add("new", "must be between 1 and the log size %d", current)
	}
	if old < 1 || (old > new && !p.Has("new")) {
		p.Add("old", "must be at least 1 and at most new")
	}
	if err := p.Err(); err != nil {
		return nil, oldRoot, newRoot, err
	}
	r, err := readerFor(ctx, q, logID)
	if err != nil {
		return nil, oldRoot, newRoot, err
	}
	if oldRoot, err = tlog.TreeHash(old, r); err != nil {
		return nil, oldRoot, newRoot, err
	}
	if newRoot, err = tlog.TreeHash(new, r); err != nil {
		return nil, oldRoot, newRoot, err
	}
	tp, err := tlog.ProveTree(new, old, r)
	if err != nil {
		return nil, oldRoot, newRoot, err
	}
	return tp, oldRoot, newRoot, nil
}

// CheckInclusion verifies an inclusion proof against a root hash.
func CheckInclusion(proof []Hash, size int64, root Hash, index int64, leaf Hash) error {
	return tlog.CheckRecord(proof, size, root, index, leaf)
}

// CheckConsistency verifies a consistency proof between two root hashes.
func CheckConsistency(proof []Hash, newSize int64, newRoot Hash, oldSize int64, oldRoot Hash) error {
	return tlog.CheckTree(proof, newSize, newRoot, oldSize, oldRoot)
}

// Entry is one log entry as stored.
type Entry struct {
	Index       int64
	PayloadHash Hash
	LeafHash    Hash
	// Payload is nil when it was erased.
	Payload   []byte
	ErasedAt  *time.Time
	CreatedAt time.Time
	// Problem, set by a sparse log's Leaves, says how the entry's searchable
	// row disagrees with its payload; empty when they agree.
	Problem string
}

// Entries returns up to limit entries starting at index from.
func Entries(ctx context.Context, q db.Queryer, logID string, from int64, limit int) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.idx, e.payload_hash, p.payload, p.erased_at, e.created_at
		FROM log_entries e JOIN log_payloads p ON p.log_id = e.log_id AND p.idx = e.idx
		WHERE e.log_id = ? AND e.idx >= ? ORDER BY e.idx LIMIT ?`, logID, from, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var ph []byte
		if err := rows.Scan(&e.Index, &ph, &e.Payload, &e.ErasedAt, &e.CreatedAt); err != nil {
			return nil, err
		}
		copy(e.PayloadHash[:], ph)
		e.LeafHash = tlog.RecordHash(ph)
		out = append(out, e)
	}
	return out, rows.Err()
}
