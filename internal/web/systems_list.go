package web

import (
	"net/url"
	"strconv"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
)

// listData is what the inventory list shows.
type listData struct {
	Query   aisystem.ListQuery
	Page    *aisystem.Page
	Members []identity.Membership
	Errs    formErrors
}

// values are the query's parameters that differ from the defaults.
func (d listData) values(q aisystem.ListQuery) url.Values {
	v := url.Values{}
	set := func(k, val, def string) {
		if val != "" && val != def {
			v.Set(k, val)
		}
	}
	set("q", q.Q, "")
	set("status", q.Status, aisystem.StatusActive)
	set("lifecycle_stage", q.LifecycleStage, "")
	set("eu_ai_act_class", q.EUAIActClass, "")
	set("ai_role", q.AIRole, "")
	set("owner", q.OwnerID, "")
	set("sort", q.Sort, "name")
	if q.Limit != 0 && q.Limit != 50 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	return v
}

// href is the list's address with the query changed by mod.
func (d listData) href(mod func(*aisystem.ListQuery)) string {
	q := d.Query
	mod(&q)
	if enc := d.values(q).Encode(); enc != "" {
		return "/systems?" + enc
	}
	return "/systems"
}

// sortHref sorts by key, or reverses the order when the list is already sorted by it.
func (d listData) sortHref(key string) string {
	return d.href(func(q *aisystem.ListQuery) {
		q.Offset = 0
		if q.Sort == key {
			q.Sort = "-" + key
		} else {
			q.Sort = key
		}
	})
}

// ariaSort tells assistive technology how the list is sorted by a column.
func (d listData) ariaSort(key string) string {
	switch d.Query.Sort {
	case key:
		return "ascending"
	case "-" + key:
		return "descending"
	}
	return ""
}

// sortMark shows the direction of the sorted column.
func (d listData) sortMark(key string) string {
	switch d.ariaSort(key) {
	case "ascending":
		return " ▲"
	case "descending":
		return " ▼"
	}
	return ""
}

// rangeText says which items the page shows: "1–50 of 120".
func (d listData) rangeText() string {
	p := d.Page
	if p == nil || p.Total == 0 || len(p.Items) == 0 {
		return "No AI systems match"
	}
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

// prevHref is the previous page, or "" on the first.
func (d listData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.href(func(q *aisystem.ListQuery) { q.Offset = max(0, q.Offset-q.Limit) })
}

// nextHref is the next page, or "" on the last.
func (d listData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.href(func(q *aisystem.ListQuery) { q.Offset += q.Limit })
}

// filterOptions makes the options of a filter select, with an "any" choice first.
func filterOptions(anyLabel string, opts []aisystem.Option, value string) []option {
	out := []option{{Value: "", Label: anyLabel, Selected: value == ""}}
	for _, o := range opts {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == value})
	}
	return out
}

// ownerFilter makes the options of the owner filter.
func ownerFilter(ms []identity.Membership, value string) []option {
	out := []option{{Value: "", Label: "Anyone", Selected: value == ""}}
	for _, m := range ms {
		out = append(out, option{Value: m.UserID, Label: m.Name, Selected: m.UserID == value})
	}
	return out
}

// statusFilter is the options of the status filter.
var statusFilter = []aisystem.Option{
	{Value: aisystem.StatusActive, Label: "Active"},
	{Value: aisystem.StatusArchived, Label: "Archived"},
	{Value: "all", Label: "Active and archived"},
}

// listFields maps the list's parameters to the filter controls.
var listFields = map[string]string{"q": "q", "status": "status", "lifecycle_stage": "lifecycle_stage",
	"eu_ai_act_class": "eu_ai_act_class", "ai_role": "ai_role", "owner_id": "owner"}

// statusOptions makes the options of the status filter.
func statusOptions(value string) []option {
	out := make([]option, 0, len(statusFilter))
	for _, o := range statusFilter {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == value})
	}
	return out
}
