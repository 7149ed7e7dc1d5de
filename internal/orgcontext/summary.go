package orgcontext

import (
	"context"
	"fmt"
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
	// IssueChanges and PartyChanges say the same of the issues (with the
	// scope and the climate decision) and of the interested parties alone.
	IssueChanges, PartyChanges []string
	// NextReviewOn is when the version in force is next to be reviewed, YYYY-MM-DD; empty when none is approved.
	NextReviewOn string
	// ReviewDue tells whether that review is within 30 days or past.
	ReviewDue bool
}

// reviewWarning is how long before the next review date the review becomes due.
const reviewWarning = 30 * 24 * time.Hour

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	vs, err := s.all(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot sum up the context: %w", err)
	}
	out := &Summary{Changes: []string{}, IssueChanges: []string{}, PartyChanges: []string{}}
	if len(vs) == 0 {
		return out, nil
	}
	in := vs[len(vs)-1]
	c := in.Content
	out.Version, out.ApprovedAt = in.Number, in.ApprovedAt
	out.InternalIssues, out.ExternalIssues, out.Parties = len(c.InternalIssues), len(c.ExternalIssues), len(c.Parties)
	out.Scope = c.Scope.Statement != ""
	out.ClimateDecided = c.Climate.Decision != ClimateUndecided
	out.NextReviewOn = in.NextReviewOn
	out.ReviewDue = s.reviewDue(in.NextReviewOn)
	prev := empty()
	for i := range vs {
		v := &vs[i]
		if v.ApprovedAt.After(since) {
			diffs := compare(&prev, &v.Content)
			out.Changes = append(out.Changes, describe(v, diffs))
			var issues, parties []Difference
			for _, d := range diffs {
				if d.Part == "interested_party" {
					parties = append(parties, d)
				} else {
					issues = append(issues, d)
				}
			}
			if v.Number == 1 || len(issues) > 0 {
				out.IssueChanges = append(out.IssueChanges, describe(v, issues))
			}
			if v.Number == 1 || len(parties) > 0 {
				out.PartyChanges = append(out.PartyChanges, describe(v, parties))
			}
		}
		prev = v.Content
	}
	return out, nil
}

// reviewDue tells whether a review date is within 30 days of the clock's day, or past.
func (s *Service) reviewDue(next string) bool {
	due, err := time.Parse(DateLayout, next)
	if err != nil {
		return false
	}
	today := s.clock().UTC().Truncate(24 * time.Hour)
	return !due.After(today.Add(reviewWarning))
}

// Reminders lists what is due in the organisation: the review of the
// context in force, from 30 days before its date, to the owners and managers.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	v, err := s.latest(ctx, s.db, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot list the context's reminders: %w", err)
	}
	if v == nil || !s.reviewDue(v.NextReviewOn) {
		return nil, nil
	}
	due, _ := time.Parse(DateLayout, v.NextReviewOn)
	title := "The organisation's context (" + v.Ref + ") is due for review on " + longDate(due)
	if due.Before(s.clock().UTC().Truncate(24 * time.Hour)) {
		title = "The organisation's context (" + v.Ref + ") was due for review on " + longDate(due)
	}
	return []aims.Reminder{{
		Key:  fmt.Sprintf("context-review:%s:v%d:%s", orgID, v.Number, v.NextReviewOn),
		Kind: aims.ReminderReviewDue, Ref: v.Ref, Title: title, Due: due, Link: "/context",
	}}, nil
}
