package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/risk"
)

// systemList shows the inventory, searched, filtered, sorted and paged.
func (h *handler) systemList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	members, err := h.Identity.ListMembers(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := listData{Members: members}
	status := http.StatusOK
	d.Query, err = listQueryFrom(r.URL.Query())
	if err == nil {
		d.Page, err = h.Systems.List(ctx, a, d.Query)
	}
	if err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "AI systems", "systems", func(v view) templ.Component { return systemListView(v, d) })
}

// listQueryFrom decodes the list's query parameters and fills the defaults.
func listQueryFrom(v url.Values) (aisystem.ListQuery, error) {
	q := aisystem.ListQuery{Q: v.Get("q"), Status: v.Get("status"), LifecycleStage: v.Get("lifecycle_stage"),
		EUAIActClass: v.Get("eu_ai_act_class"), AIRole: v.Get("ai_role"), OwnerID: v.Get("owner"), Sort: v.Get("sort")}
	var p aims.Problems
	number := func(name string, dst *int) {
		if s := v.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				p.Add(name, "must be a whole number")
			}
			*dst = n
		}
	}
	number("limit", &q.Limit)
	number("offset", &q.Offset)
	if err := p.Err(); err != nil {
		return q, err
	}
	return q, q.Normalise()
}

// systemNew shows the form that registers a system.
func (h *handler) systemNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActSystemCreate); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showSystemForm(w, r, a, http.StatusOK, systemFormData{})
}

// showSystemForm renders the create or edit form with the organisation's members as possible owners.
func (h *handler) showSystemForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d systemFormData) {
	var err error
	if d.Members, err = h.Identity.ListMembers(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	title := "Register an AI system"
	if d.Sys != nil {
		title = "Edit " + d.Sys.Ref
	}
	h.show(w, r, status, title, "systems", func(v view) templ.Component { return systemFormView(v, d) })
}

// systemCreate registers a system from the posted form.
func (h *handler) systemCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := systemFormFrom(r.PostForm)
	sys, err := h.Systems.Create(r.Context(), a, f.create())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showSystemForm(w, r, a, status, systemFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), sys.Ref+" "+sys.Name+" is now in the inventory.")
	seeOther(w, r, "/systems/"+sys.Ref)
}

// systemData is what a system's page shows.
type systemData struct {
	Sys     *aisystem.System
	History []eventView
	Records systemRecords
	// Oversight is how often people review the system's decisions; nil without decision logs.
	Oversight *decisionOversight
}

// systemRecords sums up a system's risks and impact assessments in a line.
type systemRecords struct {
	// ShowRisks and ShowImpact are false for what the actor may not read.
	ShowRisks, ShowImpact bool
	// OpenRisks counts the risks concerning the system that are not closed.
	OpenRisks int
	// Assessments counts the system's impact assessments; Due those whose
	// latest approved version is due for review.
	Assessments, Due int
	// Approved is the most recently approved assessment; nil when none.
	Approved *impact.Summary
}

// impactState words how many of the assessments are due for review and
// which was approved last, after their count: ", 1 due for review; latest
// approved: IA-1 version 2, next review 2027-01-31".
func (d systemRecords) impactState() string {
	var b strings.Builder
	if d.Due > 0 {
		b.WriteString(", " + strconv.Itoa(d.Due) + " due for review")
	}
	if d.Approved != nil {
		b.WriteString("; latest approved: " + d.Approved.Ref + " version " + strconv.Itoa(d.Approved.LatestVersion))
		if d.Approved.NextReviewDate != "" {
			b.WriteString(", next review " + d.Approved.NextReviewDate)
		}
	}
	return b.String()
}

// systemRecordsFor sums up the risks and impact assessments of a system,
// leaving out what the actor may not read.
func (h *handler) systemRecordsFor(ctx context.Context, a *aims.Actor, sys *aisystem.System) (systemRecords, error) {
	var d systemRecords
	if h.Risks != nil {
		p, err := h.Risks.List(ctx, a, risk.ListQuery{System: sys.ID, Limit: 1})
		switch {
		case aims.CodeOf(err) == aims.CodeForbidden:
		case err != nil:
			return d, err
		default:
			d.ShowRisks, d.OpenRisks = true, p.Total
		}
	}
	if h.Impact != nil {
		// A system has a handful of assessments; the largest page holds them all.
		p, err := h.Impact.List(ctx, a, impact.ListQuery{System: sys.ID, Limit: 200})
		switch {
		case aims.CodeOf(err) == aims.CodeForbidden:
		case err != nil:
			return d, err
		default:
			d.ShowImpact, d.Assessments = true, p.Total
			for i, it := range p.Items {
				if it.Due {
					d.Due++
				}
				if it.ApprovedAt != nil && (d.Approved == nil || it.ApprovedAt.After(*d.Approved.ApprovedAt)) {
					d.Approved = &p.Items[i]
				}
			}
		}
	}
	return d, nil
}

// systemDetail shows a system and its change history.
func (h *handler) systemDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	sys, err := h.Systems.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hist, err := h.history(r, a, sys.ID, h.Systems.History)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := systemData{Sys: sys, History: hist}
	if d.Records, err = h.systemRecordsFor(ctx, a, sys); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Oversight, err = h.decisionOversightFor(r, a, sys.Ref); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, sys.Ref+" "+sys.Name, "systems", func(v view) templ.Component { return systemDetailView(v, d) })
}

// systemEdit shows the edit form filled with the system's current values.
func (h *handler) systemEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActSystemUpdate); err != nil {
		h.fail(w, r, err)
		return
	}
	sys, err := h.Systems.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showSystemForm(w, r, a, http.StatusOK, systemFormData{Sys: sys, Form: systemFormOf(sys)})
}

// systemUpdate saves the edit form; every field is sent, with the version it was based on.
func (h *handler) systemUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	sys, err := h.Systems.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := systemFormFrom(r.PostForm)
	updated, err := h.Systems.Update(ctx, a, sys.ID, f.update())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showSystemForm(w, r, a, status, systemFormData{Sys: sys, Form: f, Errs: fe})
		return
	}
	if updated.Version == sys.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+updated.Ref+" are saved (version "+strconv.Itoa(updated.Version)+").")
	}
	seeOther(w, r, "/systems/"+updated.Ref)
}

// systemArchive takes a system out of the active inventory.
func (h *handler) systemArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setSystemStatus(w, r, a, h.Systems.Archive, "is archived. Its records and history are kept.")
}

// systemRestore brings an archived system back into the active inventory.
func (h *handler) systemRestore(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setSystemStatus(w, r, a, h.Systems.Restore, "is back in the active inventory.")
}

// setSystemStatus archives or restores a system and returns to its page.
func (h *handler) setSystemStatus(w http.ResponseWriter, r *http.Request, a *aims.Actor,
	change func(ctx context.Context, a *aims.Actor, ref string) (*aisystem.System, error), done string) {
	if !h.parseForm(w, r) {
		return
	}
	sys, err := change(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), sys.Ref+" "+done)
	seeOther(w, r, "/systems/"+sys.Ref)
}

// systemRecordLinks are the pages of the records kept about a system, in the
// order of its life: what it is made of, what it risks, how it is governed.
func systemRecordLinks(ref string) []navItem {
	return []navItem{
		{"models", "/models?system=" + ref, "Models"},
		{"datasets", "/datasets?system=" + ref, "Data sets"},
		{"risks", "/risks?system=" + ref, "Risks"},
		{"impact", "/impact/systems/" + ref, "Impact assessments"},
		{"soa", "/soa/systems/" + ref, "Applicability"},
		{"evidence", "/evidence?target=ai_system:" + ref, "Evidence"},
		{"changes", "/changes?system=" + ref, "Changes"},
		{"raci", "/systems/" + ref + "/responsibilities", "Responsibilities"},
		{"aibom", "/systems/" + ref + "/aibom", "AI-BOM"},
	}
}
