package decision

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

func init() {
	tlog.RegisterLeaves(tlog.KindDecision, decisionLeaves{leaves{table: "decisions", logColumn: "log_id"}})
	tlog.RegisterLeaves(tlog.KindOutcome, outcomeLeaves{leaves{table: "decision_outcomes", logColumn: "outcome_log_id"}})
}

// leaves lets tlog read a sparse log's leaves from the rows of table, whose
// log_no is the decision log whose logColumn names the log.
type leaves struct {
	table, logColumn string
}

// logNo selects the log_no of the log named by the query's first argument.
func (l leaves) logNo() string {
	return `(SELECT no FROM decision_logs WHERE ` + l.logColumn + ` = ?)`
}

// decisionLeaves are the decisions of a system's decision log.
type decisionLeaves struct{ leaves }

// outcomeLeaves are the outcomes of a system's outcome log.
type outcomeLeaves struct{ leaves }

// PayloadHashes returns the record hashes of entries [from, to).
func (l leaves) PayloadHashes(ctx context.Context, q db.Queryer, logID string, from, to int64) ([]tlog.Hash, error) {
	rows, err := q.QueryContext(ctx, `SELECT record_hash FROM `+l.table+` WHERE log_no = `+l.logNo()+`
		AND idx >= ? AND idx < ? ORDER BY idx`, logID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]tlog.Hash, 0, to-from)
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var h tlog.Hash
		if len(b) != len(h) {
			return nil, fmt.Errorf("a stored record hash has %d bytes", len(b))
		}
		copy(h[:], b)
		out = append(out, h)
	}
	return out, rows.Err()
}

// Entries returns entries [from, to) with their payloads, and says where a
// row's searchable columns or sensitive attributes disagree with the record.
func (l decisionLeaves) Entries(ctx context.Context, q db.Queryer, logID string, from, to int64) ([]tlog.Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.idx, d.record_hash, d.payload, d.erased_at, d.received_at,
			d.client_id, d.decided_at, d.model_version_id, d.output_label, d.output_score, d.confidence, d.review, d.subject,
			a.salt, a.attributes, a.erased_at IS NOT NULL
		FROM decisions d LEFT JOIN decision_attributes a ON a.log_no = d.log_no AND a.idx = d.idx
		WHERE d.log_no = `+l.logNo()+` AND d.idx >= ? AND d.idx < ? ORDER BY d.idx`, logID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tlog.Entry
	for rows.Next() {
		var e tlog.Entry
		var hash, salt []byte
		var row indexRow
		var attrs *string
		var attrsErased *bool
		if err := rows.Scan(&e.Index, &hash, &e.Payload, &e.ErasedAt, &e.CreatedAt, &row.clientID, &row.decidedAt,
			&row.modelID, &row.label, &row.score, &row.confidence, &row.review, &row.subject, &salt, &attrs, &attrsErased); err != nil {
			return nil, err
		}
		copy(e.PayloadHash[:], hash)
		if len(hash) != len(e.PayloadHash) {
			e.PayloadHash[0] ^= 0xff
		}
		e.LeafHash = tlog.LeafHash(e.Payload)
		if e.Payload != nil && sha256.Sum256(e.Payload) == e.PayloadHash {
			e.Problem = row.check(e.Payload, salt, attrs, attrsErased != nil && *attrsErased)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Extra counts entries stored at or beyond size.
func (l leaves) Extra(ctx context.Context, q db.Queryer, logID string, size int64) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+l.table+` WHERE log_no = `+l.logNo()+` AND idx >= ?`, logID, size).Scan(&n)
	return n, err
}

// Entries returns outcomes [from, to) and says where a row disagrees with
// the outcome it stores.
func (l outcomeLeaves) Entries(ctx context.Context, q db.Queryer, logID string, from, to int64) ([]tlog.Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT idx, record_hash, payload, recorded_at, decision_idx, client_id, label, score, observed_at
		FROM decision_outcomes WHERE log_no = `+l.logNo()+` AND idx >= ? AND idx < ? ORDER BY idx`, logID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tlog.Entry
	for rows.Next() {
		var e tlog.Entry
		var hash []byte
		var row storedOutcome
		if err := rows.Scan(&e.Index, &hash, &e.Payload, &e.CreatedAt, &row.Decision, &row.ID, &row.Label, &row.Score, &row.Time); err != nil {
			return nil, err
		}
		copy(e.PayloadHash[:], hash)
		if len(hash) != len(e.PayloadHash) {
			e.PayloadHash[0] ^= 0xff
		}
		e.LeafHash = tlog.LeafHash(e.Payload)
		if sha256.Sum256(e.Payload) == e.PayloadHash {
			e.Problem = row.check(e.Payload)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// indexRow is what a decision row repeats of its record for search.
type indexRow struct {
	clientID   string
	decidedAt  time.Time
	modelID    string
	label      *string
	score      *float64
	confidence *float64
	review     string
	subject    *string
}

// check compares the row with the record it indexes; an empty answer means
// they agree.
func (r *indexRow) check(payload, salt []byte, attrs *string, attrsErased bool) string {
	s, err := ParseRecord(payload)
	if err != nil {
		return err.Error()
	}
	review := ReviewNone
	if s.Review != nil {
		review = s.Review.Result
	}
	switch {
	case s.ID != r.clientID:
		return "its decision row names another client id than the signed record"
	case !s.Time.Equal(r.decidedAt):
		return "its decision row's time differs from the signed record's"
	case s.Model.ID != r.modelID:
		return "its decision row names another model version than the signed record"
	case deref(r.label) != s.Output.Label || !sameNumber(r.score, s.Output.Score) || !sameNumber(r.confidence, s.Confidence):
		return "its decision row's output differs from the signed record's"
	case review != r.review:
		return "its decision row's review differs from the signed record's"
	case deref(r.subject) != s.Subject:
		return "its decision row's subject differs from the signed record's"
	case s.Sensitive == "" && attrs != nil:
		return "sensitive attributes are stored for a record that has none"
	case s.Sensitive != "" && attrs == nil && !attrsErased:
		return "the record's sensitive attributes are missing"
	case s.Sensitive != "" && attrs != nil && AttributesCommitment(salt, []byte(*attrs)) != s.Sensitive:
		return "its sensitive attributes were altered: their salted hash differs from the one the record commits to"
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func sameNumber(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
