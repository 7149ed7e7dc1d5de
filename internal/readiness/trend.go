package readiness

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// Point is one day's readiness figure.
type Point struct {
	Day             string  `json:"day" doc:"The day, YYYY-MM-DD in UTC."`
	Score           float64 `json:"score"`
	MeasurableScore float64 `json:"measurable_score"`
	Counts          Counts  `json:"counts"`
}

// record keeps today's figure, replacing an earlier one of the same day.
// The figure is derived from records, so keeping it is not a change to the
// management system and writes no audit event.
func (s *Service) record(ctx context.Context, orgID string, r *Report) error {
	day := r.ComputedAt.UTC().Format(time.DateOnly)
	_, err := s.db.ExecContext(ctx, `INSERT INTO readiness_snapshots
		(org_id, day, score, measurable_score, met, partial, gaps, not_measurable, computed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, day) DO UPDATE SET score = excluded.score, measurable_score = excluded.measurable_score,
			met = excluded.met, partial = excluded.partial, gaps = excluded.gaps, not_measurable = excluded.not_measurable,
			computed_at = excluded.computed_at`,
		orgID, day, r.Score, r.MeasurableScore, r.Counts.Met, r.Counts.Partial, r.Counts.Gaps, r.Counts.NotMeasurable, r.ComputedAt)
	if err != nil {
		return fmt.Errorf("cannot record readiness: %w", err)
	}
	return nil
}

// RecordAll computes and records today's figure for every organisation,
// so that the trend has a point for each day even when nobody looks.
func (s *Service) RecordAll(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM organisations ORDER BY id`)
	if err != nil {
		return err
	}
	var orgs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		orgs = append(orgs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range orgs {
		r, err := s.compute(ctx, o)
		if err != nil {
			return err
		}
		if err := s.record(ctx, o, r); err != nil {
			return err
		}
	}
	return nil
}

// MaxTrendDays is the longest trend that can be asked for.
const MaxTrendDays = 730

// Trend returns the organisation's daily figures of the last days, oldest first.
func (s *Service) Trend(ctx context.Context, actor *aims.Actor, days int) ([]Point, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if days < 1 || days > MaxTrendDays {
		return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
			Fields: []aims.FieldError{{Field: "days", Message: fmt.Sprintf("must be between 1 and %d", MaxTrendDays)}}}
	}
	since := s.clock().UTC().AddDate(0, 0, -(days - 1)).Format(time.DateOnly)
	rows, err := s.db.QueryContext(ctx, `SELECT day, score, measurable_score, met, partial, gaps, not_measurable
		FROM readiness_snapshots WHERE org_id = ? AND day >= ? ORDER BY day`, actor.OrgID, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Point{}
	for rows.Next() {
		var p Point
		if err := rows.Scan(&p.Day, &p.Score, &p.MeasurableScore, &p.Counts.Met, &p.Counts.Partial, &p.Counts.Gaps, &p.Counts.NotMeasurable); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
