package supplier

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Reminders lists, without an actor of its own, the suppliers whose
// assessment is due (as Due decides) as reminders for the organisation's
// owners and managers. The key names the supplier and its next-assessment
// date, so a new assessment with a new date makes a new reminder. It is for
// the notification centre, which sweeps every organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	due, err := s.Due(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID, Name: "reminders"})
	if err != nil {
		return nil, err
	}
	today, _ := time.Parse(DateLayout, s.today())
	out := make([]aims.Reminder, 0, len(due))
	for _, d := range due {
		r := aims.Reminder{Kind: aims.ReminderReviewDue, Ref: d.Party.Ref, Link: "/suppliers/" + d.Party.Ref, Due: today,
			Key: "supplier:" + d.Party.ID + ":never"}
		switch d.Reason {
		case DueNeverAssessed:
			r.Title = "Supplier " + d.Party.Name + " has never been assessed"
		default:
			r.Due, _ = time.Parse(DateLayout, d.Party.NextAssessmentOn)
			r.Key = "supplier:" + d.Party.ID + ":" + d.Party.NextAssessmentOn
			r.Title = "Supplier " + d.Party.Name + " is due for assessment since " + d.Party.NextAssessmentOn
		}
		out = append(out, r)
	}
	return out, nil
}
