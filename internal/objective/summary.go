package objective

import (
	"context"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up objectives for readiness and management review.
type Summary struct {
	// Objectives counts the active objectives.
	Objectives int
	// Indicators gives the state of each of their indicators.
	Indicators []IndicatorStatus
}

// IndicatorStatus is where one indicator stands against its target.
type IndicatorStatus struct {
	ObjectiveRef string
	Objective    string
	Name         string
	// Target says the target in words, such as "at least 95 %".
	Target string
	// Measured tells whether any value is recorded; Latest and MeasuredOn are the latest one.
	Measured   bool
	Latest     float64
	MeasuredOn string
	// OnTarget tells whether the latest value meets the target.
	OnTarget bool
	// Due tells whether the next measurement is due by the cadence.
	Due bool
}

// Summary sums up the organisation's records.
func (s *Service) Summary(ctx context.Context, orgID string) (*Summary, error) {
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
