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
	"github.com/aims-dev/aims/internal/readiness"
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
