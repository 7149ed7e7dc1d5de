package people

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up roles and competence for readiness and management review.
type Summary struct {
	// Roles counts the AIMS roles defined; Unassigned names those nobody holds.
	Roles      int
	Unassigned []string
	// People counts the members who hold at least one AIMS role.
	People int
	// Gaps counts the competences that people holding a role lack.
	Gaps int
	// TrainingSince counts the training records completed since the time asked.
	TrainingSince int
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
