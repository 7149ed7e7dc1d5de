package app

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/review"
)

// reviewSources gives management reviews the members of the organisation and
// the summaries of the other capabilities they compile their inputs from.
type reviewSources struct{ a *App }

func (s reviewSources) Members(ctx context.Context, actor *aims.Actor) ([]review.Member, error) {
	ms, err := s.a.Identity.ListMembers(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]review.Member, len(ms))
	for i, m := range ms {
		out[i] = review.Member{UserID: m.UserID, Name: m.Name, Email: m.Email, Role: m.Role}
	}
	return out, nil
}

func (s reviewSources) OrgName(ctx context.Context, actor *aims.Actor) (string, error) {
	o, err := s.a.Identity.Org(ctx, actor)
	if err != nil {
		return "", err
	}
	return o.Name, nil
}

func (s reviewSources) Context(ctx context.Context, orgID string, since time.Time) (*review.ContextState, error) {
	c, err := s.a.Context.Summary(ctx, orgID, since)
	if err != nil {
		return nil, err
	}
	return &review.ContextState{Version: c.Version, ApprovedAt: c.ApprovedAt, InternalIssues: c.InternalIssues,
		ExternalIssues: c.ExternalIssues, Parties: c.Parties, IssueChanges: c.IssueChanges, PartyChanges: c.PartyChanges}, nil
}

func (s reviewSources) Documents(ctx context.Context, orgID string) (*review.DocumentState, error) {
	d, err := s.a.Documents.Summary(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := &review.DocumentState{Documents: d.Documents, Approved: d.Approved, ReviewsOverdue: d.ReviewsOverdue,
		AcknowledgementsRequired: d.AcknowledgementsRequired, Acknowledged: d.Acknowledged}
	if p := d.Policy; p != nil {
		out.PolicyRef, out.PolicyVersion, out.PolicyApprovedAt = p.Ref, p.Version, p.ApprovedAt
	}
	return out, nil
}

func (s reviewSources) People(ctx context.Context, orgID string, since time.Time) (*review.PeopleState, error) {
	p, err := s.a.People.Summary(ctx, orgID, since)
	if err != nil {
		return nil, err
	}
	return &review.PeopleState{Roles: p.Roles, Unassigned: p.Unassigned, People: p.People, Gaps: p.Gaps, TrainingSince: p.TrainingSince}, nil
}

func (s reviewSources) Concerns(ctx context.Context, orgID string, since time.Time) (*review.ConcernState, error) {
	c, err := s.a.Concerns.Summary(ctx, orgID, since)
	if err != nil {
		return nil, err
	}
	return &review.ConcernState{Reported: c.Reported, Open: c.Open, Answered: c.Answered, OldestOpen: c.OldestOpen}, nil
}

func (s reviewSources) Objectives(ctx context.Context, orgID string) (*review.ObjectiveState, error) {
	o, err := s.a.Objectives.Summary(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := &review.ObjectiveState{Objectives: o.Objectives}
	for _, in := range o.Indicators {
		out.Indicators = append(out.Indicators, review.Indicator{ObjectiveRef: in.ObjectiveRef, Objective: in.Objective, Name: in.Name,
			Target: in.Target, Measured: in.Measured, Latest: in.Latest, MeasuredOn: in.MeasuredOn, OnTarget: in.OnTarget, Due: in.Due})
	}
	return out, nil
}

func (s reviewSources) Incidents(ctx context.Context, orgID string, since time.Time) (*review.IncidentState, error) {
	in, err := s.a.Incidents.Summary(ctx, orgID, since)
	if err != nil {
		return nil, err
	}
	return &review.IncidentState{Raised: in.Raised, Open: in.Open, Serious: in.Serious, NotificationsOverdue: in.NotificationsOverdue}, nil
}

func (s reviewSources) Nonconformities(ctx context.Context, orgID string, since time.Time) (*review.NonconformityState, error) {
	n, err := s.a.Nonconformities.Summary(ctx, orgID, since)
	if err != nil {
		return nil, err
	}
	return &review.NonconformityState{Raised: n.Raised, Closed: n.Closed, Open: n.Open, ActionsOverdue: n.ActionsOverdue}, nil
}

func (s reviewSources) Audits(ctx context.Context, orgID string, since time.Time) (*review.AuditState, error) {
	au, err := s.a.InternalAudits.Summary(ctx, orgID, since)
	if err != nil {
		return nil, err
	}
	return &review.AuditState{Programme: au.Programme, Planned: au.Planned, Completed: au.Completed, LastReportedOn: au.LastReportedOn,
		Findings: au.Findings, Overdue: au.Overdue}, nil
}

func (s reviewSources) Risks(ctx context.Context, orgID string) (*review.RiskState, error) {
	snap, err := s.a.Risks.Snapshot(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := &review.RiskState{Open: snap.Risks, Assessed: snap.Assessed, Treated: snap.WithTreatment,
		AboveAppetiteUntreated: snap.AboveAppetiteUntreated, OverdueReviews: snap.OverdueReviews, OverdueActions: snap.OverdueActions}
	if snap.Criteria != nil {
		out.CriteriaVersion = snap.Criteria.Version
	}
	if la := snap.LatestAssessment; la != nil {
		out.LatestAssessment, out.LatestAssessmentClosedAt = la.Ref+" ("+la.Name+")", la.ClosedAt
	}
	return out, nil
}

func (s reviewSources) Readiness(ctx context.Context, actor *aims.Actor) (*review.ReadinessState, error) {
	r, err := s.a.Readiness.Compute(ctx, actor)
	if err != nil {
		return nil, err
	}
	return &review.ReadinessState{Score: r.Score, Met: r.Counts.Met, Partial: r.Counts.Partial, Gaps: r.Counts.Gaps}, nil
}
