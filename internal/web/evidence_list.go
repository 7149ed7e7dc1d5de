package web

import (
	"net/url"
	"strconv"

	"github.com/aims-dev/aims/internal/evidence"
)

// evidenceListData is what the evidence list shows.
type evidenceListData struct {
	Query evidence.ListQuery
	Page  *evidence.EvidencePage
	Errs  formErrors
}

// evidenceListFields maps the list's parameters to the filter controls.
var evidenceListFields = map[string]string{"q": "q", "kind": "kind", "status": "status", "validity": "validity", "target": "target"}

// href is the list's address with the query changed by mod; defaults are left out.
func (d evidenceListData) href(mod func(*evidence.ListQuery)) string {
	q := d.Query
	mod(&q)
	v := url.Values{}
	set := func(k, val, def string) {
		if val != "" && val != def {
			v.Set(k, val)
		}
	}
	set("q", q.Q, "")
	set("kind", q.Kind, "")
	set("status", q.Status, evidence.StatusActive)
	set("validity", q.Validity, "")
	set("target", q.Target, "")
	set("sort", q.Sort, "-added")
	if q.Limit != 0 && q.Limit != 50 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if enc := v.Encode(); enc != "" {
		return "/evidence?" + enc
	}
	return "/evidence"
}

// sortHref sorts by key, or reverses the order when the list is already sorted by it.
func (d evidenceListData) sortHref(key string) string {
	return d.href(func(q *evidence.ListQuery) {
		q.Offset = 0
		if q.Sort == key {
			q.Sort = "-" + key
		} else {
			q.Sort = key
		}
	})
}

// ariaSort tells assistive technology how the list is sorted by a column.
func (d evidenceListData) ariaSort(key string) string {
	switch d.Query.Sort {
	case key:
		return "ascending"
	case "-" + key:
		return "descending"
	}
	return ""
}

// rangeText says which items the page shows.
func (d evidenceListData) rangeText() string {
	p := d.Page
	if p == nil || p.Total == 0 || len(p.Items) == 0 {
		return "No evidence matches"
	}
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

func (d evidenceListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.href(func(q *evidence.ListQuery) { q.Offset = max(0, q.Offset-q.Limit) })
}

func (d evidenceListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.href(func(q *evidence.ListQuery) { q.Offset += q.Limit })
}

// evidenceOptions makes the options of a filter select, with an "any" choice first.
func evidenceOptions(anyLabel string, opts []evidence.Option, value string) []option {
	out := []option{}
	if anyLabel != "" {
		out = append(out, option{Value: "", Label: anyLabel, Selected: value == ""})
	}
	for _, o := range opts {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == value})
	}
	return out
}

// evidenceStatusOptions are the choices of the status filter.
func evidenceStatusOptions(value string) []option {
	if value == "" {
		value = evidence.StatusActive
	}
	return evidenceOptions("", []evidence.Option{{Value: evidence.StatusActive, Label: "Active"},
		{Value: evidence.StatusArchived, Label: "Archived"}, {Value: "all", Label: "Active and archived"}}, value)
}

// validityFilters are the validity states a list can be filtered by.
var validityFilters = []evidence.Option{
	{Value: evidence.ValidityCurrent, Label: "Current"}, {Value: evidence.ValidityExpiring, Label: "Expiring within 30 days"},
	{Value: evidence.ValidityExpired, Label: "Expired"}, {Value: evidence.ValidityNotYet, Label: "Not yet valid"},
}

// validityClass is the badge style of a validity state.
func validityClass(v string) string {
	switch v {
	case evidence.ValidityCurrent:
		return "badge-ok"
	case evidence.ValidityExpiring:
		return "badge-warn"
	case evidence.ValidityExpired:
		return "badge-bad"
	}
	return "badge-muted"
}
