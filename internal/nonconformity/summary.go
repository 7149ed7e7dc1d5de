package nonconformity

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up nonconformities for readiness and management review.
type Summary struct {
	// Raised and Closed count those raised and closed since the time asked.
	Raised, Closed int
	// Open counts those not closed.
	Open int
	// ActionsOverdue are the references of corrective actions past their due date.
	ActionsOverdue []string
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
