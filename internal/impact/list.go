package impact

import (
	"context"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

// ListQuery filters and pages assessments.
type ListQuery struct {
	System string `query:"system" doc:"Only assessments of this AI system, by reference (SYS-3) or id."`
	Status string `query:"status" enum:"draft,in_review,approved" doc:"Only assessments in this status."`
	Due    bool   `query:"due" doc:"Only assessments whose latest approved version is due for review."`
	Q      string `query:"q" doc:"Words that must all appear in the reference or title."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset int    `query:"offset" minimum:"0"`
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *ListQuery) Normalise() error {
	var p aims.Problems
	q.System, q.Status, q.Q = strings.TrimSpace(q.System), strings.TrimSpace(q.Status), strings.TrimSpace(q.Q)
	if q.Status != "" && !allowed(Statuses, q.Status) {
		p.Add("status", "must be one of %s", values(Statuses))
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if q.Offset < 0 {
		p.Add("offset", "must not be negative")
	}
	return p.Err()
}

// List returns a page of the organisation's assessments, newest first,
// each with whether it is due for review and why.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q ListQuery) (*Page, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	where, args := []string{"a.org_id = ?"}, []any{actor.OrgID}
	if q.System != "" {
		id, _, _, err := s.sources.System(ctx, actor.OrgID, q.System)
		if aims.CodeOf(err) == aims.CodeNotFound {
			return nil, invalid("system", "is not an AI system of this organisation")
		} else if err != nil {
			return nil, err
		}
		where, args = append(where, "a.system_id = ?"), append(args, id)
	}
	if q.Status != "" {
		where, args = append(where, "a.status = ?"), append(args, q.Status)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where, args = append(where, "(lower(a.title) LIKE ? OR lower(a.ref) LIKE ?)"), append(args, "%"+w+"%", "%"+w+"%")
	}
	if q.Due {
		where = append(where, "a.latest_version > 0")
	}
	rows, counts, err := listRows(ctx, s.db, strings.Join(where, " AND "), args)
	if err != nil {
		return nil, err
	}
	due, err := s.dueOf(ctx, s.db, actor.OrgID, rows)
	if err != nil {
		return nil, err
	}
	page := &Page{Items: []Summary{}, Limit: q.Limit, Offset: q.Offset}
	names := map[string][2]string{}
	for _, r := range rows {
		if q.Due && len(due[r.id]) == 0 {
			continue
		}
		page.Total++
		if page.Total <= q.Offset || len(page.Items) >= q.Limit {
			continue
		}
		it, err := s.summary(ctx, actor.OrgID, r, counts[r.id], due[r.id], names)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, it)
	}
	return page, nil
}

// listRows reads the assessments that match a condition, newest first,
// and how many impacts each has.
func listRows(ctx context.Context, q db.Queryer, where string, args []any) ([]*row, map[string]int, error) {
	rs, err := q.QueryContext(ctx, selectRow+` WHERE `+where+` ORDER BY a.created_at DESC, a.id DESC`, args...)
	if err != nil {
		return nil, nil, err
	}
	var out []*row
	for rs.Next() {
		r, err := scanRow(rs.Scan)
		if err != nil {
			rs.Close()
			return nil, nil, err
		}
		out = append(out, r)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, nil, err
	}
	counts := map[string]int{}
	rs, err = q.QueryContext(ctx, `SELECT i.assessment_id, count(*) FROM impact_impacts i JOIN impact_assessments a ON a.id = i.assessment_id
		WHERE `+where+` GROUP BY i.assessment_id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var id string
		var n int
		if err := rs.Scan(&id, &n); err != nil {
			return nil, nil, err
		}
		counts[id] = n
	}
	return out, counts, rs.Err()
}

// summary describes an assessment for a list; names caches the systems' references and names.
func (s *Service) summary(ctx context.Context, orgID string, r *row, impacts int, due []DueReason, names map[string][2]string) (Summary, error) {
	n, ok := names[r.systemID]
	if !ok {
		ref, name, err := s.systemName(ctx, orgID, r.systemID)
		if err != nil {
			return Summary{}, err
		}
		n = [2]string{ref, name}
		names[r.systemID] = n
	}
	tplName := r.templateKey
	if t, err := s.template(ctx, s.db, orgID, r.templateKey, r.templateVersion); err == nil {
		tplName = t.Name
	}
	if due == nil {
		due = []DueReason{}
	}
	return Summary{ID: r.id, Ref: r.ref, Title: r.title, SystemID: r.systemID, SystemRef: n[0], SystemName: n[1],
		Template: TemplateRef{Key: r.templateKey, Version: r.templateVersion, Name: tplName}, Status: r.status, Impacts: impacts,
		LatestVersion: r.latestVersion, ApprovedAt: r.latestApprovedAt, NextReviewDate: r.nextReview, Due: len(due) > 0,
		DueReasons: due, UpdatedAt: r.updatedAt}, nil
}
