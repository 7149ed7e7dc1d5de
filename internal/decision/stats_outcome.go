package decision

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/db"
)

// truthChange is a labelled outcome being appended: the decision it is for,
// its label, when it was observed and its index in the outcome log.
type truthChange struct {
	decision int64
	label    string
	observed time.Time
	idx      int64
}

// latestTruth is a decision's latest labelled outcome; the one observed
// last, and of those the one appended last, stands.
type latestTruth struct {
	label    string
	observed time.Time
	idx      int64
}

// newer reports whether c replaces l as the decision's latest outcome.
func (l latestTruth) newer(c truthChange) bool {
	return c.observed.After(l.observed) || (c.observed.Equal(l.observed) && c.idx > l.idx)
}

// outcomeStats is what appending labelled outcomes changes in the
// statistics: each decision whose latest labelled outcome changes moves
// from its former true label (” when it had none) to the new one.
func outcomeStats(ctx context.Context, q db.Queryer, logNo int64, changes []truthChange) (*tally, error) {
	t := newTally()
	if len(changes) == 0 {
		return t, nil
	}
	ids := make([]int64, 0, len(changes))
	seen := map[int64]bool{}
	for _, c := range changes {
		if !seen[c.decision] {
			seen[c.decision] = true
			ids = append(ids, c.decision)
		}
	}
	type decided struct {
		hour             int64
		model, predicted string
		score            *float64
		groups           []group
	}
	decisions := map[int64]*decided{}
	latest := map[int64]latestTruth{}
	const per = 500
	for start := 0; start < len(ids); start += per {
		part := ids[start:min(start+per, len(ids))]
		in := "(?" + strings.Repeat(", ?", len(part)-1) + ")"
		args := make([]any, 0, len(part)+1)
		args = append(args, logNo)
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, `SELECT d.idx, d.decided_at, d.model_version_id, d.output_label, d.output_score, a.attributes
			FROM decisions d LEFT JOIN decision_attributes a ON a.log_no = d.log_no AND a.idx = d.idx
			WHERE d.log_no = ? AND d.idx IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("cannot read decisions for monitoring: %w", err)
		}
		for rows.Next() {
			var idx int64
			var at time.Time
			var d decided
			var label, attrs *string
			if err := rows.Scan(&idx, &at, &d.model, &label, &d.score, &attrs); err != nil {
				rows.Close()
				return nil, err
			}
			d.hour, d.predicted = hourOf(at.UTC()), deref(label)
			var m map[string]string
			if attrs != nil {
				if err := json.Unmarshal([]byte(*attrs), &m); err != nil {
					rows.Close()
					return nil, fmt.Errorf("sensitive attributes of decision %d: %w", idx, err)
				}
			}
			d.groups = groupsOf(m)
			decisions[idx] = &d
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		rows, err = q.QueryContext(ctx, `SELECT decision_idx, label, observed_at, idx FROM decision_outcomes
			WHERE log_no = ? AND label IS NOT NULL AND decision_idx IN `+in, args...)
		if err != nil {
			return nil, fmt.Errorf("cannot read outcomes for monitoring: %w", err)
		}
		for rows.Next() {
			var d int64
			var c truthChange
			if err := rows.Scan(&d, &c.label, &c.observed, &c.idx); err != nil {
				rows.Close()
				return nil, err
			}
			if l, ok := latest[d]; !ok || l.newer(c) {
				latest[d] = latestTruth{label: c.label, observed: c.observed, idx: c.idx}
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	for _, c := range changes {
		d := decisions[c.decision]
		if d == nil {
			return nil, fmt.Errorf("decision %d of an outcome is missing", c.decision)
		}
		l, ok := latest[c.decision]
		if ok && !l.newer(c) {
			continue
		}
		if l.label != c.label {
			t.decision(d.hour, d.model, d.predicted, d.score, d.groups, l.label, -1)
			t.decision(d.hour, d.model, d.predicted, d.score, d.groups, c.label, 1)
		}
		latest[c.decision] = latestTruth{label: c.label, observed: c.observed, idx: c.idx}
	}
	return t, nil
}
