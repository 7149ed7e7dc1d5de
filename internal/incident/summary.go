package incident

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up incidents for readiness and management review.
type Summary struct {
	// Raised counts the incidents raised since the time asked.
	Raised int
	// Open counts those not closed; Serious those of them that are serious incidents.
	Open, Serious int
	// NotificationsOverdue are the references of incidents with a notification past its deadline.
	NotificationsOverdue []string
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	out := &Summary{NotificationsOverdue: []string{}}
	if err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM incidents WHERE org_id = ? AND created_at >= ?),
		(SELECT count(*) FROM incidents WHERE org_id = ? AND status <> 'closed'),
		(SELECT count(*) FROM incidents WHERE org_id = ? AND status <> 'closed' AND serious = 1)`,
		orgID, since, orgID, orgID).Scan(&out.Raised, &out.Open, &out.Serious); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT i.ref FROM incident_notifications n JOIN incidents i ON i.id = n.incident_id
		WHERE n.org_id = ? AND n.notified_at IS NULL AND n.due_at < ? ORDER BY i.ref`, orgID, s.clock())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		out.NotificationsOverdue = append(out.NotificationsOverdue, ref)
	}
	return out, rows.Err()
}

// reminderWindow is how long before its deadline a notification duty is reminded of.
const reminderWindow = 48 * time.Hour

// Reminders lists what is due in the organisation: each notification duty
// not yet done whose deadline is within 48 hours or past, to the leads and
// the incident's owner.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	now := s.clock()
	rows, err := s.db.QueryContext(ctx, `SELECT n.id, i.ref, n.number, n.recipient, n.due_at, i.owner_id, i.title
		FROM incident_notifications n JOIN incidents i ON i.id = n.incident_id
		WHERE n.org_id = ? AND n.notified_at IS NULL AND n.due_at <= ? ORDER BY n.due_at, i.ref, n.number`, orgID, now.Add(reminderWindow))
	if err != nil {
		return nil, err
	}
	type due struct {
		id, ref, recipient, owner, title string
		number                           int
		at                               time.Time
	}
	var dues []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.ref, &d.number, &d.recipient, &d.at, &d.owner, &d.title); err != nil {
			rows.Close()
			return nil, err
		}
		dues = append(dues, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []aims.Reminder{}
	if len(dues) == 0 {
		return out, nil
	}
	leads, err := s.sources.Leads(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, d := range dues {
		at := d.at.UTC()
		users := append([]string{}, leads...)
		if !slices.Contains(users, d.owner) {
			users = append(users, d.owner)
		}
		ref := d.ref + "/N" + strconv.Itoa(d.number)
		out = append(out, aims.Reminder{Key: "incident-notice:" + d.id + ":" + at.Format(time.RFC3339), Kind: aims.ReminderIncidentDeadline,
			Ref: ref, Title: "Notify " + Label(Recipients, d.recipient) + " of " + d.ref + " " + d.title + ": " + Countdown(now, at),
			Due: at, Link: "/incidents/" + d.ref, UserIDs: users})
	}
	return out, nil
}
