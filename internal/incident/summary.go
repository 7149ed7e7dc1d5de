package incident

import (
	"context"
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
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
