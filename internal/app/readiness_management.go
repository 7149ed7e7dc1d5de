package app

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/readiness"
	"github.com/aims-dev/aims/internal/supplier"
)

// Management sums up the management system's records for readiness from
// each capability's summary.
func (s readinessSources) Management(ctx context.Context, orgID string) (*readiness.Management, error) {
	a := s.a
	yearAgo := a.Clock().AddDate(-1, 0, 0)
	m := &readiness.Management{}

	cx, err := a.Context.Summary(ctx, orgID, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("cannot read the context: %w", err)
	}
	m.ContextVersion, m.ContextApprovedAt = cx.Version, cx.ApprovedAt
	m.InternalIssues, m.ExternalIssues, m.Parties = cx.InternalIssues, cx.ExternalIssues, cx.Parties
	m.Scope, m.ClimateDecided = cx.Scope, cx.ClimateDecided

	docs, err := a.Documents.Summary(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot read the documents: %w", err)
	}
	m.Documents, m.DocumentsApproved, m.DocumentReviewsOverdue = docs.Documents, docs.Approved, docs.ReviewsOverdue
	m.AcknowledgementsRequired, m.Acknowledged, m.DocumentsFor = docs.AcknowledgementsRequired, docs.Acknowledged, docs.Addresses
	if p := docs.Policy; p != nil {
		m.Policy, m.PolicyApprovedAt = fmt.Sprintf("%s version %d", p.Ref, p.Version), p.ApprovedAt
	}

	ppl, err := a.People.Summary(ctx, orgID, yearAgo)
	if err != nil {
		return nil, fmt.Errorf("cannot read roles and competence: %w", err)
	}
	m.Roles, m.RolesUnassigned, m.RoleHolders, m.CompetenceGaps, m.TrainingLastYear = ppl.Roles, ppl.Unassigned, ppl.People, ppl.Gaps, ppl.TrainingSince

	res, err := a.Suppliers.ListResources(ctx, &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID, Name: "readiness"}, supplier.ResourceQuery{Status: "active", Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("cannot read the resources: %w", err)
	}
	m.Resources = res.Total

	obj, err := a.Objectives.Summary(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot read the objectives: %w", err)
	}
	m.Objectives, m.Indicators = obj.Objectives, len(obj.Indicators)
	for _, in := range obj.Indicators {
		if in.Measured {
			m.IndicatorsMeasured++
		}
		if in.OnTarget {
			m.IndicatorsOnTarget++
		}
		if in.Due {
			m.IndicatorsDue = append(m.IndicatorsDue, in.ObjectiveRef+" "+in.Name)
		}
	}

	con, err := a.Concerns.Summary(ctx, orgID, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("cannot read the concerns: %w", err)
	}
	m.ConcernsOpen = con.Open

	inc, err := a.Incidents.Summary(ctx, orgID, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("cannot read the incidents: %w", err)
	}
	m.IncidentsOpen, m.NotificationsOverdue = inc.Open, inc.NotificationsOverdue

	nc, err := a.Nonconformities.Summary(ctx, orgID, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("cannot read the nonconformities: %w", err)
	}
	m.NCRaised, m.NCClosed, m.NCOpen, m.NCActionsOverdue = nc.Raised, nc.Closed, nc.Open, nc.ActionsOverdue

	au, err := a.InternalAudits.Summary(ctx, orgID, yearAgo)
	if err != nil {
		return nil, fmt.Errorf("cannot read the internal audits: %w", err)
	}
	m.AuditProgramme, m.AuditsPlanned, m.AuditsLastYear, m.LastAuditReportOn, m.AuditsOverdue = au.Programme, au.Planned, au.Completed, au.LastReportedOn, au.Overdue

	rv, err := a.Reviews.Summary(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot read the management reviews: %w", err)
	}
	m.ReviewsHeld, m.LastReview, m.LastReviewSignedOff = rv.Held, rv.LastRef, rv.LastSignedOff
	m.ReviewActionsOpen, m.ReviewActionsOverdue = rv.OpenActions, rv.OverdueActions
	return m, nil
}
