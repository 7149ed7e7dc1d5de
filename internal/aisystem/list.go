package aisystem

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

const selectSystem = `SELECT s.id, s.ref, s.name, s.intended_purpose, s.description, COALESCE(s.owner_id, ''),
	COALESCE(u.name, ''), s.ai_roles, s.lifecycle_stage, s.eu_ai_act_class, s.deployment_context,
	s.affected_stakeholders, s.automation_level, s.human_oversight, s.status, s.version,
	s.created_at, s.updated_at, s.archived_at
	FROM ai_systems s LEFT JOIN users u ON u.id = s.owner_id`

func scanSystem(scan func(...any) error) (*System, error) {
	var s System
	var roles, groups string
	if err := scan(&s.ID, &s.Ref, &s.Name, &s.IntendedPurpose, &s.Description, &s.OwnerID, &s.OwnerName,
		&roles, &s.LifecycleStage, &s.EUAIActClass, &s.DeploymentContext, &groups, &s.AutomationLevel,
		&s.HumanOversight, &s.Status, &s.Version, &s.CreatedAt, &s.UpdatedAt, &s.ArchivedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(roles), &s.AIRoles); err != nil {
		return nil, fmt.Errorf("stored ai_roles of %s: %w", s.Ref, err)
	}
	if err := json.Unmarshal([]byte(groups), &s.AffectedStakeholders); err != nil {
		return nil, fmt.Errorf("stored affected_stakeholders of %s: %w", s.Ref, err)
	}
	return &s, nil
}

// get reads one system of an organisation by id or by reference.
func get(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*System, error) {
	col := "s.id"
	key := strings.TrimSpace(idOrRef)
	if aims.ValidID(key) {
		key = strings.ToLower(key) // ids are stored as NewID writes them, in lower case
	} else {
		col, key = "s.ref", strings.ToUpper(key)
	}
	sys, err := scanSystem(q.QueryRowContext(ctx, selectSystem+` WHERE s.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("AI system", idOrRef)
	}
	return sys, err
}

// ListQuery filters, searches, sorts and pages the inventory.
type ListQuery struct {
	Q              string `query:"q" doc:"Words that must all appear in the reference, name, purpose, description or context."`
	Status         string `query:"status" enum:"active,archived,all" default:"active"`
	LifecycleStage string `query:"lifecycle_stage" enum:"inception,design_and_development,verification_and_validation,deployment,operation_and_monitoring,re_evaluation,retirement"`
	EUAIActClass   string `query:"eu_ai_act_class" enum:"not_classified,prohibited,high,limited,minimal"`
	AIRole         string `query:"ai_role" enum:"provider,producer,customer,partner,subject,relevant_authority"`
	OwnerID        string `query:"owner_id"`
	Sort           string `query:"sort" enum:"name,-name,ref,-ref,updated,-updated,stage,-stage,class,-class" default:"name"`
	Limit          int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset         int    `query:"offset" minimum:"0"`
}

// Page is one page of a list and the total number of matches.
type Page struct {
	Items  []System `json:"items"`
	Total  int      `json:"total"`
	Limit  int      `json:"limit"`
	Offset int      `json:"offset"`
}

// sortColumns maps a sort key to its ORDER BY clause; ties break by reference order.
// Stages sort in the order of the life cycle and classes in the order of
// their list, not alphabetically.
var sortColumns = map[string]string{
	"name":    "s.name_key",
	"ref":     "s.created_at",
	"updated": "s.updated_at",
	"stage":   optionOrder("s.lifecycle_stage", LifecycleStages),
	"class":   optionOrder("s.eu_ai_act_class", EUAIActClasses),
}

// optionOrder is an SQL expression giving each option's position in opts.
func optionOrder(col string, opts []Option) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, o := range opts {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", o.Value, i)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(opts))
	return b.String()
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *ListQuery) Normalise() error {
	var p aims.Problems
	if q.Status == "" {
		q.Status = StatusActive
	}
	if q.Status != StatusActive && q.Status != StatusArchived && q.Status != "all" {
		p.Add("status", "must be active, archived or all")
	}
	if q.LifecycleStage != "" && !allowed(LifecycleStages, q.LifecycleStage) {
		p.Add("lifecycle_stage", "must be one of %s", values(LifecycleStages))
	}
	if q.EUAIActClass != "" && !allowed(EUAIActClasses, q.EUAIActClass) {
		p.Add("eu_ai_act_class", "must be one of %s", values(EUAIActClasses))
	}
	if q.AIRole != "" && !allowed(AIRoles, q.AIRole) {
		p.Add("ai_role", "must be one of %s", values(AIRoles))
	}
	if q.Sort == "" {
		q.Sort = "name"
	}
	if _, ok := sortColumns[strings.TrimPrefix(q.Sort, "-")]; !ok {
		p.Add("sort", "must be one of name, ref, updated, stage, class, optionally preceded by -")
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

// List returns a page of the organisation's systems.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q ListQuery) (*Page, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	where := []string{"s.org_id = ?"}
	args := []any{actor.OrgID}
	if q.Status != "all" {
		where = append(where, "s.status = ?")
		args = append(args, q.Status)
	}
	if q.LifecycleStage != "" {
		where = append(where, "s.lifecycle_stage = ?")
		args = append(args, q.LifecycleStage)
	}
	if q.EUAIActClass != "" {
		where = append(where, "s.eu_ai_act_class = ?")
		args = append(args, q.EUAIActClass)
	}
	if q.AIRole != "" {
		where = append(where, `s.ai_roles LIKE ? ESCAPE '\'`)
		args = append(args, `%"`+likeEscape(q.AIRole)+`"%`)
	}
	if q.OwnerID != "" {
		where = append(where, "s.owner_id = ?")
		args = append(args, q.OwnerID)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where = append(where, `s.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(w)+"%")
	}
	cond := strings.Join(where, " AND ")
	page := &Page{Items: []System{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM ai_systems s WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	dir := "ASC"
	if strings.HasPrefix(q.Sort, "-") {
		dir = "DESC"
	}
	order := sortColumns[strings.TrimPrefix(q.Sort, "-")] + " " + dir + ", s.created_at " + dir + ", s.id " + dir
	rows, err := s.db.QueryContext(ctx, selectSystem+` WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		sys, err := scanSystem(rows.Scan)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *sys)
	}
	return page, rows.Err()
}

// likeEscape makes a search word match literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Counts is how many active systems an organisation has, in all and by
// life-cycle stage and by EU AI Act class.
type Counts struct {
	Active  int
	ByStage map[string]int
	ByClass map[string]int
}

// Count tallies the organisation's active systems in one query.
func (s *Service) Count(ctx context.Context, actor *aims.Actor) (*Counts, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT lifecycle_stage, eu_ai_act_class, count(*) FROM ai_systems
		WHERE org_id = ? AND status = ? GROUP BY lifecycle_stage, eu_ai_act_class`, actor.OrgID, StatusActive)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := &Counts{ByStage: map[string]int{}, ByClass: map[string]int{}}
	for rows.Next() {
		var stage, class string
		var n int
		if err := rows.Scan(&stage, &class, &n); err != nil {
			return nil, err
		}
		c.Active += n
		c.ByStage[stage] += n
		c.ByClass[class] += n
	}
	return c, rows.Err()
}

// ActiveSummaries lists an organisation's active systems for another
// capability whose service has already authorised its actor there.
func (s *Service) ActiveSummaries(ctx context.Context, orgID string) ([]System, error) {
	rows, err := s.db.QueryContext(ctx, selectSystem+` WHERE s.org_id = ? AND s.status = ? ORDER BY s.created_at, s.id`, orgID, StatusActive)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []System
	for rows.Next() {
		sys, err := scanSystem(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *sys)
	}
	return out, rows.Err()
}
