package dataset

import (
	"context"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// ListQuery filters, searches, sorts and pages the data sets.
type ListQuery struct {
	Q            string `query:"q" doc:"Words that must all appear in the reference, name or description."`
	Status       string `query:"status" enum:"active,archived,all" default:"active"`
	System       string `query:"system" doc:"Only data sets used by this AI system, by reference (SYS-1) or id."`
	PersonalData string `query:"personal_data" enum:"yes,no" doc:"yes: only data sets with a version that holds personal data; no: only those without."`
	Sort         string `query:"sort" enum:"name,-name,ref,-ref,updated,-updated" default:"name"`
	Limit        int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset       int    `query:"offset" minimum:"0"`
}

// Page is one page of data sets and the total number of matches.
type Page struct {
	Items  []Dataset `json:"items"`
	Total  int       `json:"total"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
}

// sortColumns maps a sort key to its ORDER BY expression.
var sortColumns = map[string]string{"name": "d.name_key", "ref": "d.created_at", "updated": "d.updated_at"}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *ListQuery) Normalise() error {
	var p aims.Problems
	if q.Status == "" {
		q.Status = StatusActive
	}
	if q.Status != StatusActive && q.Status != StatusArchived && q.Status != "all" {
		p.Add("status", "must be active, archived or all")
	}
	if q.PersonalData != "" && q.PersonalData != "yes" && q.PersonalData != "no" {
		p.Add("personal_data", "must be yes or no")
	}
	if q.Sort == "" {
		q.Sort = "name"
	}
	if _, ok := sortColumns[strings.TrimPrefix(q.Sort, "-")]; !ok {
		p.Add("sort", "must be one of name, ref, updated, optionally preceded by -")
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

// List returns a page of the organisation's data sets.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q ListQuery) (*Page, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	where := []string{"d.org_id = ?"}
	args := []any{actor.OrgID}
	if q.Status != "all" {
		where = append(where, "d.status = ?")
		args = append(args, q.Status)
	}
	if sys := strings.TrimSpace(q.System); sys != "" {
		id, _, _, err := s.sources.System(ctx, actor.OrgID, sys)
		if aims.CodeOf(err) == aims.CodeNotFound {
			var p aims.Problems
			p.Add("system", "must name an AI system of this organisation: %s is not one", sys)
			return nil, p.Err()
		}
		if err != nil {
			return nil, err
		}
		where = append(where, "EXISTS (SELECT 1 FROM dataset_systems x WHERE x.dataset_id = d.id AND x.system_id = ?)")
		args = append(args, id)
	}
	switch q.PersonalData {
	case "yes":
		where = append(where, "EXISTS (SELECT 1 FROM dataset_versions x WHERE x.dataset_id = d.id AND x.contains_personal_data)")
	case "no":
		where = append(where, "NOT EXISTS (SELECT 1 FROM dataset_versions x WHERE x.dataset_id = d.id AND x.contains_personal_data)")
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where = append(where, `d.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(w)+"%")
	}
	cond := strings.Join(where, " AND ")
	page := &Page{Items: []Dataset{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM datasets d WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	dir := "ASC"
	if strings.HasPrefix(q.Sort, "-") {
		dir = "DESC"
	}
	order := sortColumns[strings.TrimPrefix(q.Sort, "-")] + " " + dir + ", d.created_at " + dir + ", d.id " + dir
	rows, err := s.db.QueryContext(ctx, selectDataset+` WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	var ptrs []*Dataset
	for rows.Next() {
		d, err := scanDataset(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ptrs = append(ptrs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.fillSystems(ctx, s.db, actor.OrgID, ptrs); err != nil {
		return nil, err
	}
	for _, d := range ptrs {
		page.Items = append(page.Items, *d)
	}
	return page, nil
}

// likeEscape makes a search word match literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
