package evidence

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Reminders lists, without checking any actor, the organisation's active
// evidence that has expired or expires within ExpiringDays, as reminders
// for its owners and managers. The key names the evidence and its last
// valid day, so a new validity date makes a new reminder. It is for the
// notification centre, which sweeps every organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	today, soon := s.days()
	expired, ea := validityCond(ValidityExpired, today, soon)
	expiring, xa := validityCond(ValidityExpiring, today, soon)
	items, err := s.query(ctx, orgID, ` WHERE e.org_id = ? AND ((`+expired+`) OR (`+expiring+`))
		ORDER BY e.valid_until, e.created_at, e.id`, append(append([]any{orgID}, ea...), xa...)...)
	if err != nil {
		return nil, err
	}
	out := make([]aims.Reminder, 0, len(items))
	for _, it := range items {
		due, err := time.Parse(DateLayout, it.ValidUntil)
		if err != nil {
			return nil, err
		}
		title := it.Ref + " " + it.Title + " is valid until " + it.ValidUntil
		if it.Validity == ValidityExpired {
			title = it.Ref + " " + it.Title + " stopped being valid after " + it.ValidUntil
		}
		out = append(out, aims.Reminder{Key: "evidence:" + it.ID + ":" + it.ValidUntil, Kind: aims.ReminderEvidenceExpiring,
			Ref: it.Ref, Title: title, Due: due, Link: "/evidence/" + it.Ref})
	}
	return out, nil
}
