package tlog

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a signed statement of a log's size and root hash.
type Checkpoint struct {
	LogID    string
	Origin   string
	Size     int64
	Root     Hash
	KeyName  string
	SignedAt time.Time
	// Note is the whole signed note, as published.
	Note string
}

// FormatCheckpoint returns the C2SP checkpoint body: origin, size and the
// base64 root hash, one per line.
func FormatCheckpoint(origin string, size int64, root Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ParseCheckpoint reads the origin, size and root hash of a checkpoint body.
func ParseCheckpoint(text string) (origin string, size int64, root Hash, err error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return "", 0, root, errors.New("malformed checkpoint: want origin, size and root lines")
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, root, fmt.Errorf("malformed checkpoint size %q", lines[1])
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != len(root) {
		return "", 0, root, fmt.Errorf("malformed checkpoint root %q", lines[2])
	}
	copy(root[:], b)
	return lines[0], size, root, nil
}

// RegisterKey records the signer's verifier key so that readers can find it.
func (l *Logs) RegisterKey(ctx context.Context, vkey string) error {
	if l.signer == nil {
		return errors.New("cannot register a key: no signing key loaded")
	}
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM log_keys WHERE vkey = ?`, vkey).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	_, err := l.db.ExecContext(ctx, `INSERT INTO log_keys (vkey, name, created_at) VALUES (?, ?, ?) ON CONFLICT (vkey) DO NOTHING`,
		vkey, l.signer.Name(), l.clock())
	return err
}

// VerifierKeys lists the verifier keys recorded in the database, oldest first.
func VerifierKeys(ctx context.Context, q db.Queryer) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT vkey FROM log_keys ORDER BY created_at, vkey`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Sign signs a checkpoint of the log's current size. Unless force is set it
// does nothing (and returns nil) when the latest checkpoint already covers
// that size. The log row is locked while signing, so replicas never sign the
// same size twice.
func (l *Logs) Sign(ctx context.Context, logID string, force bool) (*Checkpoint, error) {
	var cp *Checkpoint
	err := l.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		cp, err = l.SignTx(ctx, tx, logID, force)
		return err
	})
	return cp, err
}

// SignTx is Sign in the caller's transaction, so that a record can name the
// checkpoint that covers its own audit event.
func (l *Logs) SignTx(ctx context.Context, tx *db.Tx, logID string, force bool) (*Checkpoint, error) {
	if l.signer == nil {
		return nil, errors.New("cannot sign checkpoints: no signing key loaded")
	}
	var size int64
	var origin string
	// A no-op update takes the row lock in both dialects.
	err := tx.QueryRowContext(ctx, `UPDATE logs SET size = size WHERE id = ? RETURNING size, origin`, logID).Scan(&size, &origin)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("log", logID)
	}
	if err != nil {
		return nil, err
	}
	if size == 0 {
		if force {
			return nil, aims.Errorf(aims.CodeInvalid, "the log is empty: there is nothing to sign")
		}
		return nil, nil
	}
	if !force {
		var last int64 = -1
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(size), -1) FROM log_checkpoints WHERE log_id = ?`, logID).Scan(&last); err != nil {
			return nil, err
		}
		if last >= size {
			return nil, nil
		}
	}
	root, err := TreeHash(ctx, tx, logID, size)
	if err != nil {
		return nil, fmt.Errorf("cannot compute tree hash of %s at %d: %w", origin, size, err)
	}
	signed, err := note.Sign(&note.Note{Text: FormatCheckpoint(origin, size, root)}, l.signer)
	if err != nil {
		return nil, fmt.Errorf("cannot sign checkpoint: %w", err)
	}
	c := &Checkpoint{LogID: logID, Origin: origin, Size: size, Root: root, KeyName: l.signer.Name(),
		SignedAt: l.clock(), Note: string(signed)}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO log_checkpoints (id, log_id, size, root_hash, note, key_name, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		aims.NewID(), logID, size, root[:], c.Note, c.KeyName, c.SignedAt)
	if err != nil {
		return nil, fmt.Errorf("cannot store checkpoint: %w", err)
	}
	return c, nil
}

// SignAll signs a checkpoint for every log that has grown since its latest
// checkpoint and returns how many it signed.
func (l *Logs) SignAll(ctx context.Context) (int, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id FROM logs l
		WHERE size > COALESCE((SELECT MAX(size) FROM log_checkpoints c WHERE c.log_id = l.id), 0)`)
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		cp, err := l.Sign(ctx, id, false)
		if err != nil {
			return n, err
		}
		if cp != nil {
			n++
		}
	}
	return n, nil
}

const checkpointColumns = `log_id, size, root_hash, note, key_name, signed_at`

func scanCheckpoint(scan func(...any) error, origin string) (*Checkpoint, error) {
	var c Checkpoint
	var root []byte
	if err := scan(&c.LogID, &c.Size, &root, &c.Note, &c.KeyName, &c.SignedAt); err != nil {
		return nil, err
	}
	copy(c.Root[:], root)
	c.Origin = origin
	return &c, nil
}

// LatestCheckpoint returns the log's most recent checkpoint, or a not-found error.
func LatestCheckpoint(ctx context.Context, q db.Queryer, logID string) (*Checkpoint, error) {
	var origin string
	if err := q.QueryRowContext(ctx, `SELECT origin FROM logs WHERE id = ?`, logID).Scan(&origin); err != nil {
		if db.IsNoRows(err) {
			return nil, aims.NotFound("log", logID)
		}
		return nil, err
	}
	c, err := scanCheckpoint(q.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
		WHERE log_id = ? ORDER BY size DESC, signed_at DESC LIMIT 1`, logID).Scan, origin)
	if db.IsNoRows(err) {
		return nil, aims.Errorf(aims.CodeNotFound, "no checkpoint has been signed yet")
	}
	return c, err
}
