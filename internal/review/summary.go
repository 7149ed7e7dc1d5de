package review

import (
	"context"
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
}

// Summary sums up the organisation's records.
func (s *Service) Summary(ctx context.Context, orgID string) (*Summary, error) {
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
