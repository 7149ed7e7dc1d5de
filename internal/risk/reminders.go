package risk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Reminders lists, without checking any actor, what Due finds in the
// register as reminders: each reason a risk is due for review, for the
// risk's owner, and each overdue treatment action, for the action's owner
// (the organisation's owners and managers when there is none). Each key
// names the record, the reason and its date, so the same reason is told
// once and a new date is told again. It is for the notification centre.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	due, err := s.due(ctx, orgID)
	if err != nil {
		return nil, err
	}
	today, _ := time.Parse(DateLayout, s.today())
	var out []aims.Reminder
	for _, r := range due.Risks {
		for _, why := range r.Reasons {
			rem := aims.Reminder{Kind: aims.ReminderReviewDue, Ref: r.Ref, Title: r.Ref + " " + r.Title + " is due for review: " + why.Text,
				Due: today, Link: "/risks/" + r.Ref, UserIDs: owner(r.OwnerID)}
			switch why.Kind {
			case DueReviewDate:
				rem.Due, _ = time.Parse(DateLayout, r.NextReview)
				rem.Key = "risk:" + r.ID + ":" + why.Kind + ":" + r.NextReview
			case DueSystemChanged:
				rem.Due = *why.ChangedAt
				rem.Key = "risk:" + r.ID + ":" + why.Kind + ":" + why.SystemRef + ":" + why.Field + ":" + why.ChangedAt.UTC().Format(time.RFC3339Nano)
			default:
				sum := sha256.Sum256([]byte(why.Text))
				rem.Key = "risk:" + r.ID + ":" + why.Kind + ":" + hex.EncodeToString(sum[:8])
			}
			out = append(out, rem)
		}
	}
	for _, a := range due.Actions {
		d, _ := time.Parse(DateLayout, a.DueDate)
		n := strconv.Itoa(a.Number)
		out = append(out, aims.Reminder{Key: "risk-action:" + a.RiskRef + ":" + n + ":" + a.DueDate, Kind: aims.ReminderActionOverdue,
			Ref: a.RiskRef, Title: "Treatment action " + n + " of " + a.RiskRef + " was due on " + a.DueDate + ": " + a.Description,
			Due: d, Link: "/risks/" + a.RiskRef, UserIDs: owner(a.OwnerID)})
	}
	return out, nil
}

// owner is the person a reminder is for: the record's owner, or nobody in
// particular (the owners and managers) when it has none.
func owner(id string) []string {
	if id == "" {
		return nil
	}
	return []string{id}
}
