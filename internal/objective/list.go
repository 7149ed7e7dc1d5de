package objective

import (
	"context"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// ObjectiveQuery filters, searches and pages the objectives.
type ObjectiveQuery struct {
	Q      string `query:"q" doc:"Words that must all appear in the reference, title, description, plan or Annex C ids."`
	Status string `query:"status" enum:"active,achieved,withdrawn,all" default:"active"`
	System string `query:"system" doc:"Only objectives that concern this AI system (reference or id)."`
	Due    bool   `query:"due" doc:"Only objectives with an indicator due for a value."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset int    `query:"offset" minimum:"0"`
}

// ObjectivePage is one page of objectives and the total number of matches.
type ObjectivePage struct {
	Items  []Objective `json:"items"`
	Total  int         `json:"total"`
	Limit  int         `json:"limit"`
	Offset int         `json:"offset"`
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *ObjectiveQuery) Normalise() error {
	var p aims.Problems
	if q.Status == "" {
		q.Status = StatusActive
	}
	if q.Status != "all" && !isOneOf(Statuses, q.Status) {
		p.Add("status", "must be active, achieved, withdrawn or all")
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

// List returns a page of the organisation's objectives, by reference number.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q ObjectiveQuery) (*ObjectivePage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	where := []string{"o.org_id = ?"}
	args := []any{actor.OrgID}
	if q.Status != "all" {
		where = append(where, "o.status = ?")
		args = append(args, q.Status)
	}
	if ref := strings.TrimSpace(q.System); ref != "" {
		sys, err := s.sources.System(ctx, actor, ref)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			var p aims.Problems
			p.Add("system", "names %s, which is not an AI system of this organisation", ref)
			return nil, p.Err()
		}
		if err != nil {
			return nil, err
		}
		where = append(where, "EXISTS (SELECT 1 FROM objective_systems x WHERE x.objective_id = o.id AND x.system_id = ?)")
		args = append(args, sys.ID)
	}
	if q.Due {
		ids, err := s.dueObjectives(ctx, actor.OrgID)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return &ObjectivePage{Items: []Objective{}, Limit: q.Limit, Offset: q.Offset}, nil
		}
		where = append(where, "o.id IN ("+placeholders(len(ids))+")")
		args = append(args, anyOf(ids)...)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where = append(where, `o.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(w)+"%")
	}
	cond := strings.Join(where, " AND ")
	page := &ObjectivePage{Items: []Objective{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM objectives o WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectObjective+` WHERE `+cond+` ORDER BY length(o.ref), o.ref LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	var objs []*Objective
	for rows.Next() {
		o, err := scanObjective(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		objs = append(objs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.fill(ctx, s.db, actor, objs); err != nil {
		return nil, err
	}
	for _, o := range objs {
		page.Items = append(page.Items, *o)
	}
	return page, nil
}

// dueObjectives lists the ids of the active objectives with an indicator due for a value.
func (s *Service) dueObjectives(ctx context.Context, orgID string) ([]string, error) {
	states, err := s.states(ctx, orgID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, st := range states {
		if st.in.Due && !seen[st.o.ID] {
			seen[st.o.ID] = true
			out = append(out, st.o.ID)
		}
	}
	return out, nil
}

// History returns the audit events about an objective, its indicators and
// their values (among the latest thousand values of the organisation), newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	o, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	evs, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectObjective, ObjectID: o.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, in := range o.Indicators {
		more, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectIndicator, ObjectID: in.ID, Limit: 100})
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	values, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectMeasurement, Limit: 1000})
	if err != nil {
		return nil, err
	}
	for _, e := range values {
		if strings.HasPrefix(e.Object.Ref, o.Ref+"/") {
			evs = append(evs, e)
		}
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].Index > evs[j].Index })
	return evs, nil
}
