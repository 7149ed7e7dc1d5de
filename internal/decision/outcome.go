package decision

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// OutcomeInput is the ground truth for one decision, learnt later.
type OutcomeInput struct {
	ID string `json:"id,omitempty" maxLength:"200" doc:"The client's own id of the outcome; an outcome whose id was seen before is not stored again."`
	// Decision names the decision by the client's id; Index by its log index.
	Decision string    `json:"decision,omitempty" maxLength:"200" doc:"The client's id of the decision this outcome is for."`
	Index    *int64    `json:"index,omitempty" doc:"The log index of the decision, instead of its id."`
	Label    string    `json:"label,omitempty" maxLength:"200" doc:"What actually happened, such as repaid or defaulted."`
	Score    *float64  `json:"score,omitempty" doc:"The true value, for a regression."`
	Time     time.Time `json:"time" doc:"When the outcome was observed (RFC 3339)."`
}

// Outcome is an outcome as stored.
type Outcome struct {
	ID            string    `json:"id,omitempty"`
	DecisionIndex int64     `json:"decision_index"`
	Label         string    `json:"label,omitempty"`
	Score         *float64  `json:"score,omitempty"`
	ObservedAt    time.Time `json:"observed_at"`
	RecordedAt    time.Time `json:"recorded_at"`
}

// OutcomeResult says how many outcomes a request stored.
type OutcomeResult struct {
	System     string `json:"system"`
	Accepted   int    `json:"accepted"`
	Duplicates int    `json:"duplicates" doc:"Outcomes whose id was stored before."`
}

// RecordOutcomes appends outcomes to decisions of a system. Outcomes are
// never edited: a later outcome for the same decision stands beside the
// earlier one, and monitoring reads the latest. The batch is all or nothing.
func (s *Service) RecordOutcomes(ctx context.Context, actor *aims.Actor, systemRef string, in []OutcomeInput) (*OutcomeResult, error) {
	sys, err := s.system(ctx, actor, identity.ActDecisionWrite, systemRef)
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, aims.Errorf(aims.CodeInvalid, "the batch holds no outcomes")
	}
	if len(in) > s.Limits.Records {
		return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{
			Field: "outcomes", Message: fmt.Sprintf("must hold at most %d outcomes; split the batch", s.Limits.Records)}}}
	}
	var p aims.Problems
	for i := range in {
		o := &in[i]
		f := func(n string) string { return field{pos: i, name: n}.String() }
		checkShort(&p, field{pos: i, name: "id"}, o.ID, false)
		checkShort(&p, field{pos: i, name: "decision"}, o.Decision, false)
		checkShort(&p, field{pos: i, name: "label"}, o.Label, false)
		checkNumber(&p, field{pos: i, name: "score"}, o.Score)
		if (o.Decision == "") == (o.Index == nil) {
			p.Add(f("decision"), "name the decision by its id, or give its index, not both")
		}
		if o.Index != nil && *o.Index < 0 {
			p.Add(f("index"), "must not be negative")
		}
		if o.Label == "" && o.Score == nil {
			p.Add(f("label"), "an outcome needs a label, a score or both")
		}
		if o.Time.IsZero() {
			p.Add(f("time"), "is required: when the outcome was observed")
		} else if !timeInRange(o.Time) {
			p.Add(f("time"), "must be a time between 1970 and 9999")
		}
		o.Time = o.Time.UTC().Truncate(time.Microsecond)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	l, err := findLog(ctx, s.db, actor.OrgID, sys)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, aims.Errorf(aims.CodeInvalid, "%s has recorded no decisions yet: there is nothing to record outcomes for", sys.Ref)
	}
	res := &OutcomeResult{System: sys.Ref}
	now := s.clock()
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		var size int64
		if err := tx.QueryRowContext(ctx, `UPDATE logs SET size = size WHERE id = ? RETURNING size`, l.OutcomeLogID).Scan(&size); err != nil {
			return fmt.Errorf("cannot lock the outcome log: %w", err)
		}
		idx, err := resolveDecisions(ctx, tx, l, in)
		if err != nil {
			return err
		}
		var ids []string
		for _, o := range in {
			if o.ID != "" {
				ids = append(ids, o.ID)
			}
		}
		known, err := indexesOf(ctx, tx, "decision_outcomes", l.No, ids)
		if err != nil {
			return err
		}
		f, err := tlog.SparseFrontier(ctx, tx, l.OutcomeLogID, size)
		if err != nil {
			return err
		}
		var hidx []int64
		var hashes []tlog.Hash
		keep := func(i int64, h tlog.Hash) { hidx, hashes = append(hidx, i), append(hashes, h) }
		seen := map[string]bool{}
		rows := make([][]any, 0, len(in))
		var labelled []truthChange
		res.Accepted, res.Duplicates = 0, 0
		for i, o := range in {
			if _, ok := known[o.ID]; o.ID != "" && (ok || seen[o.ID]) {
				res.Duplicates++
				continue
			}
			seen[o.ID] = true
			var label *string
			if o.Label != "" {
				label = &o.Label
			}
			payload, err := json.Marshal(storedOutcome{V: recordVersion, System: sys.ID, Decision: idx[i], ID: o.ID,
				Label: label, Score: o.Score, Time: o.Time})
			if err != nil {
				return err
			}
			h := tlog.Hash(sha256.Sum256(payload))
			rows = append(rows, []any{l.No, f.Size, idx[i], o.ID, nullable(o.Label), number(o.Score), o.Time, now, actor.Label(), h[:], payload})
			if o.Label != "" {
				labelled = append(labelled, truthChange{decision: idx[i], label: o.Label, observed: o.Time, idx: f.Size})
			}
			f.Add(h, keep)
			res.Accepted++
		}
		// The statistics move by the outcomes' labels from those stored before.
		stats, err := outcomeStats(ctx, tx, l.No, labelled)
		if err != nil {
			return err
		}
		if err := tx.Insert(ctx, "decision_outcomes", outcomeColumns, rows); err != nil {
			return fmt.Errorf("cannot store outcomes: %w", err)
		}
		if err := tlog.StoreHashes(ctx, tx, l.OutcomeLogID, hidx, hashes); err != nil {
			return err
		}
		if err := stats.store(ctx, tx, l.No); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE logs SET size = ? WHERE id = ?`, f.Size, l.OutcomeLogID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record outcomes of %s: %w", sys.Ref, err)
	}
	return res, nil
}

var outcomeColumns = []string{"log_no", "idx", "decision_idx", "client_id", "label", "score", "observed_at", "recorded_at",
	"recorded_by", "record_hash", "payload"}

// storedOutcome is an outcome's canonical record, which its log's leaf
// commits to, and also how a row's columns are compared with it.
type storedOutcome struct {
	V        int       `json:"v"`
	System   string    `json:"system"`
	Decision int64     `json:"decision"`
	ID       string    `json:"id,omitempty"`
	Label    *string   `json:"label,omitempty"`
	Score    *float64  `json:"score,omitempty"`
	Time     time.Time `json:"time"`
}

// check compares an outcome row with the outcome it stores; an empty answer
// means they agree.
func (row *storedOutcome) check(payload []byte) string {
	var o storedOutcome
	if err := json.Unmarshal(payload, &o); err != nil {
		return "its payload is not an outcome: " + err.Error()
	}
	if o.Decision != row.Decision || o.ID != row.ID || deref(o.Label) != deref(row.Label) ||
		!sameNumber(o.Score, row.Score) || !o.Time.Equal(row.Time) {
		return "its outcome row differs from the signed outcome"
	}
	return ""
}

// resolveDecisions finds the log index of each outcome's decision.
func resolveDecisions(ctx context.Context, q db.Queryer, l *Log, in []OutcomeInput) ([]int64, error) {
	var size int64
	if err := q.QueryRowContext(ctx, `SELECT size FROM logs WHERE id = ?`, l.LogID).Scan(&size); err != nil {
		return nil, err
	}
	out := make([]int64, len(in))
	var p aims.Problems
	byID := map[string][]int{}
	for i, o := range in {
		if o.Index != nil {
			if *o.Index >= size {
				p.Add(fmt.Sprintf("[%d].index", i), "names no decision: the log holds %d", size)
			}
			out[i] = *o.Index
			continue
		}
		byID[o.Decision] = append(byID[o.Decision], i)
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	found, err := indexesOf(ctx, q, "decisions", l.No, ids)
	if err != nil {
		return nil, err
	}
	for id, idx := range found {
		for _, i := range byID[id] {
			out[i] = idx
		}
		delete(byID, id)
	}
	for _, is := range byID {
		for _, i := range is {
			p.Add(fmt.Sprintf("[%d].decision", i), "names no decision of this system")
		}
	}
	return out, p.Err()
}

// outcomesOf lists the outcomes of one decision, oldest first.
func outcomesOf(ctx context.Context, q db.Queryer, logNo, idx int64) ([]Outcome, error) {
	rows, err := q.QueryContext(ctx, `SELECT client_id, decision_idx, label, score, observed_at, recorded_at
		FROM decision_outcomes WHERE log_no = ? AND decision_idx = ? ORDER BY observed_at, idx`, logNo, idx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Outcome{}
	for rows.Next() {
		var o Outcome
		var label *string
		if err := rows.Scan(&o.ID, &o.DecisionIndex, &label, &o.Score, &o.ObservedAt, &o.RecordedAt); err != nil {
			return nil, err
		}
		o.Label = deref(label)
		o.ObservedAt, o.RecordedAt = o.ObservedAt.UTC(), o.RecordedAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}
