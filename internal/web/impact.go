package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
)

// impactRoutes adds the impact assessment pages.
func (h *handler) impactRoutes(signed route) {
	signed("GET /impact", h.impactList)
	signed("GET /impact/new", h.impactNew)
	signed("POST /impact", h.impactStart)
	signed("GET /impact/systems/{ref}", h.impactSystem)
	signed("GET /impact/assessments/{ref}", h.impactPage)
	signed("POST /impact/assessments/{ref}", h.impactSave)
	signed("POST /impact/assessments/{ref}/impacts", h.impactAdd)
	signed("GET /impact/assessments/{ref}/impacts/{n}", h.impactEdit)
	signed("POST /impact/assessments/{ref}/impacts/{n}", h.impactUpdate)
	signed("POST /impact/assessments/{ref}/impacts/{n}/remove", h.impactRemove)
	signed("POST /impact/assessments/{ref}/impacts/{n}/risk", h.impactCreateRisk)
	signed("POST /impact/assessments/{ref}/impacts/{n}/link", h.impactLinkRisk)
	signed("POST /impact/assessments/{ref}/submit", h.impactSubmit)
	signed("POST /impact/assessments/{ref}/return", h.impactReturn)
	signed("POST /impact/assessments/{ref}/approve", h.impactApprove)
	signed("GET /impact/assessments/{ref}/export", h.impactExport)
	signed("GET /impact/assessments/{ref}/versions/{n}", h.impactVersion)
	signed("GET /impact/assessments/{ref}/versions/{n}/export", h.impactExport)
	h.impactTemplateRoutes(signed)
}

// impactListData is what the list of assessments shows.
type impactListData struct {
	Query   impact.ListQuery
	Page    *impact.Page
	Due     []impact.DueItem
	Systems []aisystem.System
	Errs    formErrors
	// System, when set, is the AI system whose assessments the page lists.
	System *aisystem.System
}

// impactList lists the organisation's assessments, filtered and paged.
func (h *handler) impactList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	v := r.URL.Query()
	d := impactListData{Query: impact.ListQuery{System: v.Get("system"), Status: v.Get("status"), Due: v.Get("due") == "true",
		Q: v.Get("q"), Limit: formInt(v.Get("limit")), Offset: max(0, formInt(v.Get("offset")))}}
	var err error
	if d.Due, err = h.Impact.Due(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Systems, err = h.activeSystems(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if d.Page, err = h.Impact.List(ctx, a, d.Query); err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Impact assessments", "impact", func(vw view) templ.Component { return impactListView(vw, d) })
}

// activeSystems lists the active AI systems by reference.
func (h *handler) activeSystems(r *http.Request, a *aims.Actor) ([]aisystem.System, error) {
	page, err := h.Systems.List(r.Context(), a, aisystem.ListQuery{Status: aisystem.StatusActive, Sort: "ref", Limit: 200})
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// impactSystem lists one AI system's assessments.
func (h *handler) impactSystem(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	sys, err := h.Systems.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := impactListData{System: sys, Query: impact.ListQuery{System: sys.Ref, Limit: 200}}
	if d.Page, err = h.Impact.List(ctx, a, d.Query); err != nil {
		h.fail(w, r, err)
		return
	}
	all, err := h.Impact.Due(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, it := range all {
		if it.SystemID == sys.ID {
			d.Due = append(d.Due, it)
		}
	}
	h.show(w, r, http.StatusOK, "Impact assessments of "+sys.Ref, "impact", func(vw view) templ.Component { return impactSystemView(vw, d) })
}

// href is the list's address with the query changed by mod.
func (d impactListData) href(mod func(*impact.ListQuery)) string {
	q := d.Query
	mod(&q)
	v := url.Values{}
	for k, val := range map[string]string{"system": q.System, "status": q.Status, "q": q.Q} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if q.Due {
		v.Set("due", "true")
	}
	if q.Limit != 0 && q.Limit != 50 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if enc := v.Encode(); enc != "" {
		return "/impact?" + enc
	}
	return "/impact"
}

func (d impactListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.href(func(q *impact.ListQuery) { q.Offset = max(0, q.Offset-q.Limit) })
}

func (d impactListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.href(func(q *impact.ListQuery) { q.Offset += q.Limit })
}

// rangeText says which assessments the page shows.
func (d impactListData) rangeText() string {
	p := d.Page
	if p == nil || len(p.Items) == 0 {
		return "No impact assessments match"
	}
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

// systemOptions are the choices of an AI system, with an "any" or "choose" choice first.
func systemOptions(first string, systems []aisystem.System, chosen string) []option {
	out := []option{{Value: "", Label: first, Selected: chosen == ""}}
	for _, s := range systems {
		out = append(out, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, chosen)})
	}
	return out
}

// impactOptions are the choices of an enumeration, with a first empty choice when first is set.
func impactOptions(first string, opts []impact.Option, chosen string) []option {
	var out []option
	if first != "" {
		out = append(out, option{Value: "", Label: first, Selected: chosen == ""})
	}
	for _, o := range opts {
		out = append(out, option{Value: o.Value, Label: o.Label, Hint: o.Help, Selected: o.Value == chosen})
	}
	return out
}

// startForm is the form that starts an assessment, as typed.
type startForm struct {
	System, Template, Title, ModelVersion string
	Errs                                  formErrors
}

// startData is what the start page shows.
type startData struct {
	Form      startForm
	Systems   []aisystem.System
	Templates []impact.TemplateSummary
}

// startIDs maps the start form's fields to their controls.
func startIDs(field string) string {
	switch field {
	case "system", "template", "title", "model_version":
		return field
	}
	return ""
}

// impactNew shows the form that starts an assessment, for ?system= when given.
func (h *handler) impactNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActImpactEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showStart(w, r, a, http.StatusOK, startForm{System: r.URL.Query().Get("system"), Template: r.URL.Query().Get("template")})
}

func (h *handler) showStart(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, f startForm) {
	d := startData{Form: f}
	var err error
	if d.Systems, err = h.activeSystems(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Templates, err = h.Impact.Templates(r.Context(), a, impact.TemplateListQuery{}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Start an impact assessment", "impact", func(v view) templ.Component { return impactStartView(v, d) })
}

// impactStart starts an assessment from the posted form.
func (h *handler) impactStart(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := startForm{System: r.PostForm.Get("system"), Template: r.PostForm.Get("template"), Title: r.PostForm.Get("title"),
		ModelVersion: r.PostForm.Get("model_version")}
	as, err := h.Impact.Start(r.Context(), a, impact.StartRequest{System: f.System, Template: f.Template, Title: f.Title,
		ModelVersion: f.ModelVersion})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showStart(w, r, a, status, f)
		return
	}
	h.flash(r.Context(), as.Ref+" is started. Answer its questions and list its impacts, then submit it for review.")
	seeOther(w, r, assessmentPath(as.Ref))
}

// dueLead follows an assessment's name in the list of those due: its
// system, when the list has several, and the colon before the reasons.
func dueLead(it impact.DueItem, withSystem bool) string {
	if withSystem {
		return " (" + it.SystemRef + "):"
	}
	return ":"
}

// assessmentPath is the page of an assessment.
func assessmentPath(ref string) string { return "/impact/assessments/" + ref }

// statusClass is the badge class of an assessment's status.
func statusClass(status string) string {
	switch status {
	case impact.StatusApproved:
		return "badge badge-ok"
	case impact.StatusInReview:
		return "badge badge-info"
	}
	return "badge badge-muted"
}

// severityClass is the badge class of an impact's severity.
func severityClass(s string) string {
	switch s {
	case "critical":
		return "badge badge-bad"
	case "high":
		return "badge badge-class-high"
	case "medium":
		return "badge badge-warn"
	}
	return "badge badge-muted"
}

// impactFieldLabels name the fields of assessments, impacts and templates for people.
var impactFieldLabels = map[string]string{
	"system": "AI system", "template": "Template", "title": "Title", "residual_concerns": "Residual concerns",
	"group": "Who is affected", "harm": "Harm", "severity": "Severity", "likelihood": "Likelihood", "reversibility": "Reversibility",
	"scale": "Scale", "mitigation": "Mitigation", "note": "Note", "next_review_date": "Next review date", "risk": "Risk",
	"version": "Version", "impacts": "Impacts", "name": "Name", "description": "Description", "sections": "Sections",
}

// impactLabel names a field for people; answers.<id> names the question.
func impactLabel(field string, a *impact.Assessment) string {
	if id, ok := strings.CutPrefix(field, "answers."); ok {
		if a != nil {
			if q, found := a.Question(id); found {
				return "The answer to “" + q.Text + "”"
			}
		}
		return "The answer to question " + id
	}
	if l, ok := impactFieldLabels[field]; ok {
		return l
	}
	return fieldLabel(field)
}

// impactSummary lists a form's problems with their labels, linking each to
// its field when ids names it.
func impactSummary(fe formErrors, a *impact.Assessment, ids func(string) string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: impactLabel(f.Field, a) + " " + f.Message}
		if id := ids(f.Field); id != "" {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}
