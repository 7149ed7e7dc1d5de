package incident

import (
	"context"
	"sort"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Query filters and pages incidents.
type Query struct {
	Status  string `query:"status" enum:"open,contained,resolved,closed,unclosed" doc:"Only those with this status; unclosed for every one not closed."`
	Serious bool   `query:"serious" doc:"Only serious incidents under the EU AI Act."`
	Limit   int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset  int    `query:"offset" minimum:"0"`
}

// Page is one page of incidents, newest awareness first, and the number of matches.
type Page struct {
	Items  []Incident `json:"items"`
	Total  int        `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// List returns a page of the organisation's incidents with their notification duties, the most recent first.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q Query) (*Page, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	if q.Status != "" && q.Status != "unclosed" && !allowed(Statuses, q.Status) {
		p.Add("status", "must be one of %s or unclosed", values(Statuses))
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
	if err := p.Err(); err != nil {
		return nil, err
	}
	where, args := "org_id = ?", []any{actor.OrgID}
	switch q.Status {
	case "":
	case "unclosed":
		where += " AND status <> 'closed'"
	default:
		where += " AND status = ?"
		args = append(args, q.Status)
	}
	if q.Serious {
		where += " AND serious = 1"
	}
	page := &Page{Items: []Incident{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM incidents WHERE `+where, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectIncident+` WHERE `+where+` ORDER BY aware_at DESC, ref DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanIncident(rows.Scan)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *in)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range page.Items {
		if page.Items[i].Notifications, err = s.notifications(ctx, s.db, actor.OrgID, &page.Items[i]); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// History returns the audit events about an incident and its notification duties, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	in, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	evs, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectIncident, ObjectID: in.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, n := range in.Notifications {
		more, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectNotification, ObjectID: n.ID, Limit: 100})
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].Index > evs[j].Index })
	return evs, nil
}
