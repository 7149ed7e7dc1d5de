package nonconformity

import (
	"context"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up nonconformities for readiness and management review.
type Summary struct {
	// Raised and Closed count those raised and closed since the time asked.
	Raised, Closed int
	// Open counts those not closed.
	Open int
	// Major counts the open ones of major severity.
	Major int
	// ActionsOverdue are the references of corrective actions past their due date.
	ActionsOverdue []string
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	out := &Summary{ActionsOverdue: []string{}}
	if err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM nonconformities WHERE org_id = ? AND created_at >= ?),
		(SELECT count(*) FROM nonconformities WHERE org_id = ? AND closed_at IS NOT NULL AND closed_at >= ?),
		(SELECT count(*) FROM nonconformities WHERE org_id = ? AND status <> 'closed'),
		(SELECT count(*) FROM nonconformities WHERE org_id = ? AND status <> 'closed' AND severity = 'major')`,
		orgID, since, orgID, since, orgID, orgID).Scan(&out.Raised, &out.Closed, &out.Open, &out.Major); err != nil {
		return nil, err
	}
	due, err := s.overdueActions(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, d := range due {
		out.ActionsOverdue = append(out.ActionsOverdue, d.ref)
	}
	return out, nil
}

// overdueAction is an open corrective action past its due date.
type overdueAction struct {
	id, ref, ncRef, owner, due, description string
}

// overdueActions lists the open corrective actions of nonconformities not closed whose due date has passed, the oldest due first.
func (s *Service) overdueActions(ctx context.Context, orgID string) ([]overdueAction, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, n.ref, a.number, a.owner_id, a.due_on, a.description
		FROM nc_actions a JOIN nonconformities n ON n.id = a.nc_id
		WHERE a.org_id = ? AND a.status = 'open' AND a.due_on < ? AND n.status <> 'closed'
		ORDER BY a.due_on, n.ref, a.number`, orgID, s.today())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []overdueAction
	for rows.Next() {
		var a overdueAction
		var number int
		if err := rows.Scan(&a.id, &a.ncRef, &number, &a.owner, &a.due, &a.description); err != nil {
			return nil, err
		}
		a.ref = a.ncRef + "/A" + strconv.Itoa(number)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Reminders lists what is due in the organisation: each corrective action
// past its due date, to its owner.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	due, err := s.overdueActions(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := []aims.Reminder{}
	for _, a := range due {
		day, err := time.Parse(DateLayout, a.due)
		if err != nil {
			return nil, err
		}
		title := "Corrective action " + a.ref + " was due on " + a.due + ": " + a.description
		if len([]rune(title)) > 200 {
			title = string([]rune(title)[:199]) + "…"
		}
		out = append(out, aims.Reminder{Key: "nc-action:" + a.id + ":" + a.due, Kind: aims.ReminderActionOverdue, Ref: a.ref,
			Title: title, Due: day, Link: "/nonconformities/" + a.ncRef, UserIDs: []string{a.owner}})
	}
	return out, nil
}
