package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/auditlog"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/readiness"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/aims-dev/aims/internal/tlog"
)

// countLink is a count of active systems with a link to the list of them.
type countLink struct {
	Label string
	Count int
	Href  string
}

// dashboardData is what the dashboard shows.
type dashboardData struct {
	Active  int
	Stages  []countLink
	Classes []countLink
	// Events and Status are set only for roles that may read the audit log.
	Events []eventView
	Status *auditlog.Status
	// Due is the evidence that has expired or expires soon.
	Due *evidence.Due
	// Readiness is how ready the organisation is for certification.
	Readiness *readiness.Report
	// Review is what is due for review.
	Review reviewDue
}

// reviewDue is what the dashboard lists as due for review: risks and
// impact assessments with their reasons, overdue treatment actions and
// suppliers to assess, each list cut to dashboardDue items with the number
// left out.
type reviewDue struct {
	// ShowRisks, ShowImpact and ShowSuppliers are false for what the actor may not read.
	ShowRisks, ShowImpact, ShowSuppliers bool
	Risks                                []risk.DueRisk
	MoreRisks                            int
	Actions                              []risk.DueAction
	MoreActions                          int
	Impact                               []impact.DueItem
	MoreImpact                           int
	Suppliers                            []supplier.DueSupplier
	MoreSuppliers                        int
}

// Shown reports whether the actor may read any of the registers, and so sees the card.
func (d reviewDue) Shown() bool { return d.ShowRisks || d.ShowImpact || d.ShowSuppliers }

// Empty reports whether nothing shown is due.
func (d reviewDue) Empty() bool {
	return len(d.Risks) == 0 && len(d.Actions) == 0 && len(d.Impact) == 0 && len(d.Suppliers) == 0
}

// supplierDueWords says why a supplier's assessment is due.
func supplierDueWords(x supplier.DueSupplier) string {
	switch x.Reason {
	case supplier.DueNeverAssessed:
		return "supplies something and was never assessed"
	case supplier.DueToday:
		return "its next assessment is due today"
	}
	return "its next assessment is " + plural(int64(x.DaysOverdue), "day", "days") + " overdue"
}

// nothingDue says, for the registers the actor may read, that nothing is due.
func nothingDue(d reviewDue) string {
	switch {
	case d.ShowRisks && d.ShowImpact:
		return "Nothing is due: no risk, impact assessment or supplier needs a review and no treatment action is overdue."
	case d.ShowRisks:
		return "Nothing is due: no risk needs a review and no treatment action is overdue."
	default:
		return "Nothing is due: no impact assessment needs a review."
	}
}

// ownerWords names an owner, or says there is none.
func ownerWords(name string) string {
	if name == "" {
		return "no owner"
	}
	return "owner: " + name
}

// reasonTexts are the texts of reasons, in order.
func reasonTexts[T any](rs []T, text func(T) string) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = text(r)
	}
	return out
}

// dashboardDue is how many items of each kind the "due for review" card lists.
const dashboardDue = 10

// cut keeps the first n items of xs and says how many it left out.
func cut[T any](xs []T, n int) ([]T, int) {
	if len(xs) <= n {
		return xs, 0
	}
	return xs[:n], len(xs) - n
}

// reviewDueFor gathers what is due for review that the actor may read. A
// register the actor may not read is left out rather than failing the
// page.
func (h *handler) reviewDueFor(ctx context.Context, a *aims.Actor) (reviewDue, error) {
	var d reviewDue
	if h.Risks != nil {
		rd, err := h.Risks.Due(ctx, a)
		switch {
		case aims.CodeOf(err) == aims.CodeForbidden:
		case err != nil:
			return d, err
		default:
			d.ShowRisks = true
			d.Risks, d.MoreRisks = cut(rd.Risks, dashboardDue)
			d.Actions, d.MoreActions = cut(rd.Actions, dashboardDue)
		}
	}
	if h.Impact != nil {
		items, err := h.Impact.Due(ctx, a)
		switch {
		case aims.CodeOf(err) == aims.CodeForbidden:
		case err != nil:
			return d, err
		default:
			d.ShowImpact = true
			d.Impact, d.MoreImpact = cut(items, dashboardDue)
		}
	}
	if h.Suppliers != nil {
		items, err := h.Suppliers.Due(ctx, a)
		switch {
		case aims.CodeOf(err) == aims.CodeForbidden:
		case err != nil:
			return d, err
		default:
			d.ShowSuppliers = true
			d.Suppliers, d.MoreSuppliers = cut(items, dashboardDue)
		}
	}
	return d, nil
}

// dashboardEvents is how many audit events the dashboard shows.
const dashboardEvents = 10

// dashboard shows the inventory at a glance and the latest audit events.
func (h *handler) dashboard(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	var d dashboardData
	c, err := h.Systems.Count(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Active = c.Active
	for _, o := range aisystem.LifecycleStages {
		d.Stages = append(d.Stages, countLink{o.Label, c.ByStage[o.Value], "/systems?lifecycle_stage=" + url.QueryEscape(o.Value)})
	}
	for _, o := range aisystem.EUAIActClasses {
		d.Classes = append(d.Classes, countLink{o.Label, c.ByClass[o.Value], "/systems?eu_ai_act_class=" + url.QueryEscape(o.Value)})
	}
	if d.Readiness, err = h.Readiness.Compute(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Review, err = h.reviewDueFor(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if h.Evidence != nil {
		if d.Due, err = h.Evidence.Expiring(ctx, a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if identity.Can(a, identity.ActAuditRead) {
		evs, err := h.Audit.Events(ctx, a, tlog.EventFilter{Limit: dashboardEvents})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		names, err := h.memberNames(r, a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Events = eventsView(evs, names)
		if d.Status, err = h.Audit.QuickStatus(ctx, a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.show(w, r, http.StatusOK, "Dashboard", "dashboard", func(v view) templ.Component { return dashboardView(v, d) })
}

// memberNames maps the ids of the organisation's members to their names.
func (h *handler) memberNames(r *http.Request, a *aims.Actor) (map[string]string, error) {
	ms, err := h.Identity.ListMembers(r.Context(), a)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(ms))
	for _, m := range ms {
		names[m.UserID] = m.Name
	}
	return names, nil
}

// history is the change history of the record with id, read by of, with
// the names of the members who made each change.
func (h *handler) history(r *http.Request, a *aims.Actor, id string,
	of func(ctx context.Context, a *aims.Actor, id string) ([]tlog.Event, error)) ([]eventView, error) {
	evs, err := of(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	names, err := h.memberNames(r, a)
	if err != nil {
		return nil, err
	}
	return eventsView(evs, names), nil
}
