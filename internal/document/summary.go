package document

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up the documents for readiness and management review.
type Summary struct {
	// Documents counts the documents in force (not archived).
	Documents int
	// Approved counts those of them with an approved version.
	Approved int
	// Policy is the AI policy's approved version in force; nil when there is none.
	Policy *PolicyInfo
	// ReviewsOverdue are the references of documents whose review date has passed.
	ReviewsOverdue []string
	// AcknowledgementsRequired counts, over the approved versions in force,
	// the people they are distributed to; Acknowledged those who acknowledged.
	AcknowledgementsRequired, Acknowledged int
}

// PolicyInfo names the approved version of the AI policy in force.
type PolicyInfo struct {
	Ref        string
	Title      string
	Version    int
	ApprovedAt time.Time
}

// Summary sums up the organisation's records.
func (s *Service) Summary(ctx context.Context, orgID string) (*Summary, error) {
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
