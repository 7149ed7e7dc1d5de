package risk

import (
	"context"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// ListQuery filters, searches, sorts and pages the register.
type ListQuery struct {
	Q          string `query:"q" doc:"Words that must all appear in the reference, title, description, risk source or consequences."`
	Status     string `query:"status" enum:"open,identified,assessed,treated,accepted,closed,all" default:"open" doc:"open is every status but closed."`
	Inherent   string `query:"inherent" doc:"A cell of the current criteria as likelihood-impact, such as 3-2: risks assessed there under the current criteria."`
	Residual   string `query:"residual" doc:"A cell of the current criteria as likelihood-impact: risks whose residual rating is there."`
	Level      string `query:"level" doc:"A level of the current criteria: risks assessed under it whose current level (residual when set, else inherent) is this one."`
	System     string `query:"system" doc:"An AI system's reference or id: the risks that concern it."`
	OwnerID    string `query:"owner_id" doc:"User id of the risk owner."`
	Control    string `query:"control" doc:"A control's id: the risks it treats."`
	NoControls bool   `query:"no_controls" doc:"Only risks that no control treats."`
	Sort       string `query:"sort" enum:"ref,-ref,title,-title,inherent,-inherent,residual,-residual,next_review,-next_review,updated,-updated" default:"ref"`
	Limit      int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset     int    `query:"offset" minimum:"0"`
}

// Page is one page of the register and the number of matches.
type Page struct {
	Items  []Risk `json:"items"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	// CriteriaVersion is the current criteria version the cell and level filters use; 0 when none.
	CriteriaVersion int `json:"criteria_version"`
}

var riskSorts = map[string]string{
	"ref":         "r.created_at %[1]s, r.id %[1]s",
	"title":       "lower(r.title) %[1]s, r.created_at %[1]s",
	"inherent":    "r.inherent_rank %[1]s, r.likelihood * r.impact %[1]s, r.created_at %[1]s",
	"residual":    "r.residual_rank %[1]s, r.residual_likelihood * r.residual_impact %[1]s, r.created_at %[1]s",
	"next_review": "CASE WHEN r.next_review = '' THEN 1 ELSE 0 END, r.next_review %[1]s, r.created_at %[1]s",
	"updated":     "r.updated_at %[1]s, r.created_at %[1]s",
}

// parseCell reads a cell written likelihood-impact, such as 3-2.
func parseCell(s string) (int, int, bool) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	l, err1 := strconv.Atoi(a)
	i, err2 := strconv.Atoi(b)
	return l, i, ok && err1 == nil && err2 == nil && l > 0 && i > 0
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *ListQuery) Normalise() error {
	var p aims.Problems
	if q.Status == "" {
		q.Status = "open"
	}
	if q.Status != "open" && q.Status != "all" && !allowed(Statuses, q.Status) {
		p.Add("status", "must be open, all or one of %s", values(Statuses))
	}
	for name, v := range map[string]string{"inherent": q.Inherent, "residual": q.Residual} {
		if _, _, ok := parseCell(v); v != "" && !ok {
			p.Add(name, "must be a cell written likelihood-impact, such as 3-2")
		}
	}
	if q.Sort == "" {
		q.Sort = "ref"
	}
	if _, ok := riskSorts[strings.TrimPrefix(q.Sort, "-")]; !ok {
		p.Add("sort", "must be one of ref, title, inherent, residual, next_review, updated, optionally preceded by -")
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

// List returns a page of the organisation's risks.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q ListQuery) (*Page, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	rd, err := s.reader(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	cv := rd.criteria.currentVersion()
	where := []string{"r.org_id = ?"}
	args := []any{actor.OrgID}
	switch q.Status {
	case "all":
	case "open":
		where = append(where, "r.status <> ?")
		args = append(args, StatusClosed)
	default:
		where = append(where, "r.status = ?")
		args = append(args, q.Status)
	}
	if l, i, ok := parseCell(q.Inherent); ok {
		where = append(where, "r.criteria_version = ? AND r.likelihood = ? AND r.impact = ?")
		args = append(args, cv, l, i)
	}
	if l, i, ok := parseCell(q.Residual); ok {
		where = append(where, "r.criteria_version = ? AND r.residual_likelihood = ? AND r.residual_impact = ?")
		args = append(args, cv, l, i)
	}
	if q.Level != "" {
		where = append(where, `r.criteria_version = ? AND ((r.residual_level <> '' AND r.residual_level = ?) OR (r.residual_level = '' AND r.inherent_level = ?))`)
		args = append(args, cv, q.Level, q.Level)
	}
	if sys := strings.TrimSpace(q.System); sys != "" {
		id, _, _, err := s.sources.System(ctx, actor.OrgID, sys)
		if err != nil {
			return nil, err
		}
		where = append(where, "EXISTS (SELECT 1 FROM risk_systems x WHERE x.risk_id = r.id AND x.system_id = ?)")
		args = append(args, id)
	}
	if q.OwnerID != "" {
		where = append(where, "r.owner_id = ?")
		args = append(args, strings.ToLower(strings.TrimSpace(q.OwnerID)))
	}
	if c := strings.TrimSpace(q.Control); c != "" {
		where = append(where, "EXISTS (SELECT 1 FROM risk_controls x WHERE x.risk_id = r.id AND x.control_id = ?)")
		args = append(args, strings.ToUpper(c))
	}
	if q.NoControls {
		where = append(where, "NOT EXISTS (SELECT 1 FROM risk_controls x WHERE x.risk_id = r.id)")
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where = append(where, `r.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(w)+"%")
	}
	cond := strings.Join(where, " AND ")
	page := &Page{Items: []Risk{}, Limit: q.Limit, Offset: q.Offset, CriteriaVersion: cv}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM risks r WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	dir := "ASC"
	if strings.HasPrefix(q.Sort, "-") {
		dir = "DESC"
	}
	order := strings.ReplaceAll(riskSorts[strings.TrimPrefix(q.Sort, "-")], "%[1]s", dir) + ", r.id " + dir
	items, err := rd.risks(ctx, `WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	for _, x := range items {
		page.Items = append(page.Items, *x)
	}
	return page, nil
}

// likeEscape makes a search word match literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
