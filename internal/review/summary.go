package review

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up management reviews for readiness.
type Summary struct {
	// Held counts the reviews signed off; LastRef and LastSignedOff name the latest.
	Held          int
	LastRef       string
	LastSignedOff time.Time
	// OpenActions and OverdueActions are the references of review actions not done, and of those past their due date.
	OpenActions, OverdueActions []string
	// Drafts are the references of reviews being prepared.
	Drafts []string
}

// reviewInterval is how long after a review's sign-off the next one is due to be held.
const reviewIntervalMonths = 11

// Summary sums up the organisation's records. Actions count once their
// review is signed off: until then they are proposals.
func (s *Service) Summary(ctx context.Context, orgID string) (*Summary, error) {
	out := &Summary{OpenActions: []string{}, OverdueActions: []string{}, Drafts: []string{}}
	rows, err := s.db.QueryContext(ctx, `SELECT ref, status, signed_off_at FROM management_reviews WHERE org_id = ?
		ORDER BY signed_off_at, ref`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ref, status string
		var at *time.Time
		if err := rows.Scan(&ref, &status, &at); err != nil {
			return nil, err
		}
		if status == StatusDraft {
			out.Drafts = append(out.Drafts, ref)
			continue
		}
		out.Held++
		if at != nil && !at.Before(out.LastSignedOff) {
			out.LastRef, out.LastSignedOff = ref, at.UTC()
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	acts, err := s.actions(ctx, s.db, orgID, `r.status = ? AND a.status = ?`, StatusSignedOff, ActionOpen)
	if err != nil {
		return nil, err
	}
	for _, a := range acts {
		out.OpenActions = append(out.OpenActions, a.Ref)
		if a.Overdue {
			out.OverdueActions = append(out.OverdueActions, a.Ref)
		}
	}
	return out, nil
}

// NextDue is when the next review is due: eleven months after the last
// sign-off; zero when none was ever signed off, so one is due now.
func (sum *Summary) NextDue() time.Time {
	if sum.LastSignedOff.IsZero() {
		return time.Time{}
	}
	return sum.LastSignedOff.AddDate(0, reviewIntervalMonths, 0)
}

// Reminders lists what is due in the organisation: agreed review actions
// past their due date, to their owners; and a management review, to the
// owners and managers, when none was ever signed off or the last one is
// more than eleven months old.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	sum, err := s.Summary(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.clock().UTC()
	var out []aims.Reminder
	switch due := sum.NextDue(); {
	case sum.Held == 0:
		out = append(out, aims.Reminder{Key: "review_due:never", Kind: aims.ReminderReviewDue, Ref: "",
			Title: "No management review has been signed off yet: plan and hold one (9.3)",
			Due:   time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), Link: "/reviews", UserIDs: []string{}})
	case now.After(due):
		out = append(out, aims.Reminder{Key: "review_due:" + sum.LastRef, Kind: aims.ReminderReviewDue, Ref: sum.LastRef,
			Title: fmt.Sprintf("The last management review, %s, was signed off on %s: the next one is due", sum.LastRef, sum.LastSignedOff.Format(DateLayout)),
			Due:   due, Link: "/reviews", UserIDs: []string{}})
	}
	acts, err := s.actions(ctx, s.db, orgID, `r.status = ? AND a.status = ? AND a.due_on < ?`, StatusSignedOff, ActionOpen, s.today())
	if err != nil {
		return nil, err
	}
	for _, a := range acts {
		due, err := time.Parse(DateLayout, a.DueOn)
		if err != nil {
			return nil, err
		}
		out = append(out, aims.Reminder{Key: "review_action_overdue:" + a.Ref + ":" + a.DueOn, Kind: aims.ReminderActionOverdue, Ref: a.Ref,
			Title: "Management review action " + a.Ref + " is overdue: " + a.Description, Due: due,
			Link: "/reviews/" + a.ReviewRef + "#actions", UserIDs: []string{a.Owner.UserID}})
	}
	return out, nil
}
