package concern

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up concerns for readiness and management review.
type Summary struct {
	// Reported counts the concerns reported since the time asked.
	Reported int
	// Open counts those not answered yet; Answered those answered since the time asked.
	Open, Answered int
	// OldestOpen is when the oldest unanswered concern was reported; zero when none is open.
	OldestOpen time.Time
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
