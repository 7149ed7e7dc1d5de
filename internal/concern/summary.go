package concern

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// Summary sums up concerns for readiness and management review.
type Summary struct {
	// Reported counts the concerns reported since the time asked.
	Reported int
	// Open counts those not answered yet; Answered those answered since the time asked.
	Open, Answered int
	// OldestOpen is when the oldest unanswered concern was reported; zero when none is open.
	OldestOpen time.Time
	// Overdue counts the open concerns reported more than 7 days ago.
	Overdue int
}

// AnswerWithin is how long a concern may wait for an answer before handlers are reminded.
const AnswerWithin = 7 * 24 * time.Hour

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
// A concern is open while it is received or under review.
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	out := &Summary{}
	var oldest *time.Time
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM concerns WHERE org_id = ? AND created_at >= ?),
		(SELECT count(*) FROM concerns WHERE org_id = ? AND status IN ('received', 'under_review')),
		(SELECT count(*) FROM concerns WHERE org_id = ? AND answered_at IS NOT NULL AND answered_at >= ?),
		(SELECT count(*) FROM concerns WHERE org_id = ? AND status IN ('received', 'under_review') AND created_at < ?)`,
		orgID, since, orgID, orgID, since, orgID, s.clock().Add(-AnswerWithin)).
		Scan(&out.Reported, &out.Open, &out.Answered, &out.Overdue)
	if err != nil {
		return nil, fmt.Errorf("cannot sum up concerns: %w", err)
	}
	// min() of a time comes back as text from SQLite, so the oldest is read as a row.
	err = s.db.QueryRowContext(ctx, `SELECT created_at FROM concerns WHERE org_id = ? AND status IN ('received', 'under_review')
		ORDER BY created_at LIMIT 1`, orgID).Scan(&oldest)
	if err != nil && !db.IsNoRows(err) {
		return nil, fmt.Errorf("cannot sum up concerns: %w", err)
	}
	if oldest != nil {
		out.OldestOpen = oldest.UTC()
	}
	return out, nil
}

// Reminders lists what is due in the organisation: each concern received
// or under review for more than 7 days, to the owners and managers. The
// title names only the reference, never the concern's contents.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, ref, created_at FROM concerns
		WHERE org_id = ? AND status IN ('received', 'under_review') AND created_at < ? ORDER BY created_at, id`,
		orgID, s.clock().Add(-AnswerWithin))
	if err != nil {
		return nil, fmt.Errorf("cannot list concerns' reminders: %w", err)
	}
	defer rows.Close()
	var out []aims.Reminder
	for rows.Next() {
		var id, ref string
		var at time.Time
		if err := rows.Scan(&id, &ref, &at); err != nil {
			return nil, err
		}
		due := at.UTC().Add(AnswerWithin)
		out = append(out, aims.Reminder{
			Key: "concern-unanswered:" + id, Kind: aims.ReminderActionOverdue, Ref: ref,
			Title: ref + ", reported on " + at.UTC().Format("2 January 2006") + ", has had no answer for more than 7 days",
			Due:   due, Link: "/concerns/" + ref,
		})
	}
	return out, rows.Err()
}
