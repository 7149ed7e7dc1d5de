package model

import (
	"context"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// ListQuery filters, searches and pages the models of every system.
type ListQuery struct {
	Q      string `query:"q" doc:"Words that must all appear in the reference, name or description."`
	System string `query:"system" doc:"Only the models of this AI system (reference or id)."`
	Status string `query:"status" enum:"active,archived,all" default:"active"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset int    `query:"offset" minimum:"0"`
}

// Page is one page of models and the total number of matches.
type Page struct {
	Items  []Model `json:"items"`
	Total  int     `json:"total"`
	Limit  int     `json:"limit"`
	Offset int     `json:"offset"`
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *ListQuery) Normalise() error {
	var p aims.Problems
	q.System = strings.TrimSpace(q.System)
	if q.Status == "" {
		q.Status = StatusActive
	}
	if q.Status != StatusActive && q.Status != StatusArchived && q.Status != "all" {
		p.Add("status", "must be active, archived or all")
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

// List returns a page of the organisation's models, by system and name.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q ListQuery) (*Page, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	where := []string{"m.org_id = ?"}
	args := []any{actor.OrgID}
	if q.Status != "all" {
		where = append(where, "m.status = ?")
		args = append(args, q.Status)
	}
	if q.System != "" {
		id, _, _, err := s.sources.System(ctx, actor.OrgID, q.System)
		if aims.CodeOf(err) == aims.CodeNotFound {
			var p aims.Problems
			p.Add("system", "is not an AI system of this organisation")
			return nil, p.Err()
		} else if err != nil {
			return nil, err
		}
		where = append(where, "m.system_id = ?")
		args = append(args, id)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where = append(where, `m.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(w)+"%")
	}
	cond := strings.Join(where, " AND ")
	page := &Page{Items: []Model{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM models m WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectModel+` WHERE `+cond+` ORDER BY m.system_id, m.name_key, m.id LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []*Model
	for rows.Next() {
		m, err := scanModel(rows.Scan)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.complete(ctx, s.db, actor.OrgID, ms); err != nil {
		return nil, err
	}
	for _, m := range ms {
		page.Items = append(page.Items, *m)
	}
	return page, nil
}
