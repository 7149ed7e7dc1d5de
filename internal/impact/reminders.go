package impact

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Reminders lists, without an actor of its own, each reason an approved
// impact assessment is due for review (as Due decides) as a reminder for
// the organisation's owners and managers. The key names the assessment,
// the reason and its date, so a new review date or a new change of the AI
// system is told again. It is for the notification centre.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	due, err := s.Due(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID, Name: "reminders"})
	if err != nil {
		return nil, err
	}
	var out []aims.Reminder
	for _, d := range due {
		for _, why := range d.Reasons {
			r := aims.Reminder{Kind: aims.ReminderReviewDue, Ref: d.AssessmentRef, Link: "/impact/assessments/" + d.AssessmentRef,
				Title: "Impact assessment " + d.AssessmentRef + " " + d.Title + " (" + d.SystemRef + ") is due for review: " + why.Text}
			if why.At != nil {
				r.Due = why.At.UTC()
				r.Key = "impact:" + d.AssessmentID + ":" + why.Kind + ":" + why.Field + ":" + r.Due.Format(time.RFC3339Nano)
			} else {
				r.Due, _ = time.Parse(time.DateOnly, d.NextReviewDate)
				r.Key = "impact:" + d.AssessmentID + ":" + why.Kind + ":" + d.NextReviewDate
			}
			out = append(out, r)
		}
	}
	return out, nil
}
