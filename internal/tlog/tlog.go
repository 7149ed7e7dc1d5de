// Package tlog keeps verifiable, append-only logs: RFC 6962 Merkle trees
// whose leaves commit to payloads stored apart, signed checkpoints (C2SP
// signed notes), inclusion and consistency proofs, and full verification.
//
// A leaf is the RFC 6962 leaf hash of the SHA-256 of its payload, so a
// payload can be erased while the tree and every proof stay valid.
package tlog

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Hash is a SHA-256 tree hash.
type Hash = tlog.Hash

// Kinds of log.
const (
	KindAudit = "audit" // every change in an organisation's management system
)

// Logs appends to, signs and proves the logs kept in one database.
type Logs struct {
	db     *db.DB
	signer note.Signer
	clock  aims.Clock
}

// New returns the logs kept in d, whose checkpoints signer signs; signer
// may be nil where nothing is signed.
func New(d *db.DB, signer note.Signer, clock aims.Clock) *Logs {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Logs{db: d, signer: signer, clock: clock}
}

// Origin returns the checkpoint origin line for a log: aims, the kind, the
// organisation and, for per-subject logs, the subject. Ids are UUIDs, so
// origins are unique across installations.
func Origin(kind, orgID, subjectID string) string {
	o := "aims/" + kind + "/" + orgID
	if subjectID != "" {
		o += "/" + subjectID
	}
	return o
}

// Create makes a new, empty log in the caller's transaction and returns its id.
func (l *Logs) Create(ctx context.Context, tx *db.Tx, orgID, kind, subjectID string) (string, error) {
	id := aims.NewID()
	_, err := tx.ExecContext(ctx,
		`INSERT INTO logs (id, org_id, kind, subject_id, origin, size, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)`,
		id, orgID, kind, subjectID, Origin(kind, orgID, subjectID), l.clock())
	if err != nil {
		return "", fmt.Errorf("cannot create %s log: %w", kind, err)
	}
	return id, nil
}

// LogID finds the log of a kind for an organisation (and subject).
func LogID(ctx context.Context, q db.Queryer, orgID, kind, subjectID string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM logs WHERE org_id = ? AND kind = ? AND subject_id = ?`,
		orgID, kind, subjectID).Scan(&id)
	if db.IsNoRows(err) {
		return "", aims.NotFound(kind+" log", orgID)
	}
	return id, err
}

// Append adds payload as the next leaf of the log in the caller's
// transaction and returns its index. The log row is locked by the size
// update, so appends to one log are serialised while other logs proceed.
func (l *Logs) Append(ctx context.Context, tx *db.Tx, logID string, payload []byte) (int64, error) {
	var size int64
	err := tx.QueryRowContext(ctx, `UPDATE logs SET size = size + 1 WHERE id = ? RETURNING size`, logID).Scan(&size)
	if db.IsNoRows(err) {
		return 0, fmt.Errorf("cannot append: log %s does not exist", logID)
	}
	if err != nil {
		return 0, fmt.Errorf("cannot append to log %s: %w", logID, err)
	}
	n := size - 1
	payloadHash := sha256.Sum256(payload)
	hashes, err := tlog.StoredHashesForRecordHash(n, tlog.RecordHash(payloadHash[:]), hashReader(ctx, tx, logID))
	if err != nil {
		return 0, fmt.Errorf("cannot compute tree hashes for entry %d: %w", n, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO log_entries (log_id, idx, payload_hash, created_at) VALUES (?, ?, ?, ?)`,
		logID, n, payloadHash[:], l.clock()); err != nil {
		return 0, fmt.Errorf("cannot store log entry %d: %w", n, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO log_payloads (log_id, idx, payload) VALUES (?, ?, ?)`, logID, n, payload); err != nil {
		return 0, fmt.Errorf("cannot store log payload %d: %w", n, err)
	}
	first := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO log_hashes (log_id, hidx, hash) VALUES (?, ?, ?)`, logID, first+int64(i), h[:]); err != nil {
			return 0, fmt.Errorf("cannot store tree hash: %w", err)
		}
	}
	return n, nil
}

// LeafHash is the tree's leaf for a payload: the RFC 6962 leaf hash of its SHA-256.
func LeafHash(payload []byte) Hash {
	h := sha256.Sum256(payload)
	return tlog.RecordHash(h[:])
}

// Size returns the number of entries in the log.
func Size(ctx context.Context, q db.Queryer, logID string) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT size FROM logs WHERE id = ?`, logID).Scan(&n)
	if db.IsNoRows(err) {
		return 0, aims.NotFound("log", logID)
	}
	return n, err
}

// TreeHash returns the root hash of the log's first n entries.
func TreeHash(ctx context.Context, q db.Queryer, logID string, n int64) (Hash, error) {
	r, err := readerFor(ctx, q, logID)
	if err != nil {
		return Hash{}, err
	}
	return tlog.TreeHash(n, r)
}

// hashReader reads stored tree hashes of one log, in q's transaction if it is one.
func hashReader(ctx context.Context, q db.Queryer, logID string) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]Hash, error) {
		if len(indexes) == 0 {
			return nil, nil
		}
		args := make([]any, 0, len(indexes)+1)
		args = append(args, logID)
		for _, x := range indexes {
			args = append(args, x)
		}
		rows, err := q.QueryContext(ctx,
			`SELECT hidx, hash FROM log_hashes WHERE log_id = ? AND hidx IN (?`+strings.Repeat(", ?", len(indexes)-1)+`)`,
			args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		found := make(map[int64]Hash, len(indexes))
		for rows.Next() {
			var idx int64
			var b []byte
			if err := rows.Scan(&idx, &b); err != nil {
				return nil, err
			}
			var h Hash
			if len(b) != len(h) {
				return nil, fmt.Errorf("stored hash %d has %d bytes", idx, len(b))
			}
			copy(h[:], b)
			found[idx] = h
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out := make([]Hash, len(indexes))
		for i, x := range indexes {
			h, ok := found[x]
			if !ok {
				return nil, errMissingHash{x}
			}
			out[i] = h
		}
		return out, nil
	})
}

type errMissingHash struct{ index int64 }

func (e errMissingHash) Error() string {
	level, n := tlog.SplitStoredHashIndex(e.index)
	return fmt.Sprintf("stored tree hash %d (level %d, node %d) is missing", e.index, level, n)
}
