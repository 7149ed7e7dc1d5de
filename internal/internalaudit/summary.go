package internalaudit

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up internal audits for readiness and management review.
type Summary struct {
	// Programme tells whether an audit programme is recorded.
	Programme bool
	// Planned counts audits planned and not yet reported; Completed those reported since the time asked.
	Planned, Completed int
	// LastReportedOn is when the latest audit report was issued, YYYY-MM-DD; empty when none.
	LastReportedOn string
	// Findings counts, by result (minor, major, observation, opportunity), the findings of audits reported since the time asked.
	Findings map[string]int
	// Overdue are the references of audits past their planned date without a report.
	Overdue []string
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
