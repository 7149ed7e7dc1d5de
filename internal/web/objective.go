package web

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/objective"
)

func init() {
	for k, v := range map[string]string{
		objective.ActionCreate: "Set the objective", objective.ActionUpdate: "Changed the objective",
		objective.ActionStatus: "Changed the objective's status", objective.ActionIndicatorCreate: "Defined an indicator",
		objective.ActionIndicatorUpdate: "Changed an indicator", objective.ActionMeasure: "Recorded a value",
		objective.ActionCorrect: "Corrected a value",
	} {
		actionLabels[k] = v
	}
}

// objectiveNav is the navigation key of the objective pages.
const objectiveNav = "objectives"

// objectiveRoutes adds the objective pages.
func (h *handler) objectiveRoutes(signed route) {
	signed("GET /objectives", h.objectiveList)
	signed("POST /objectives", h.objectiveCreate)
	signed("GET /objectives/new", h.objectiveNew)
	signed("GET /objectives/{ref}", h.objectiveDetail)
	signed("POST /objectives/{ref}", h.objectiveUpdate)
	signed("GET /objectives/{ref}/edit", h.objectiveEdit)
	signed("POST /objectives/{ref}/status", h.objectiveStatus)
	signed("POST /objectives/{ref}/indicators", h.indicatorAdd)
	signed("POST /objectives/{ref}/indicators/{number}/measurements", h.indicatorMeasure)
}

// objectiveListData is what the list of objectives shows.
type objectiveListData struct {
	Query objective.ObjectiveQuery
	Page  *objective.ObjectivePage
	Errs  formErrors
}

// objectiveList lists the objectives, filtered.
func (h *handler) objectiveList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v := r.URL.Query()
	d := objectiveListData{Query: objective.ObjectiveQuery{Q: v.Get("q"), Status: v.Get("status"), Due: v.Get("due") == "1",
		Offset: max(0, formInt(v.Get("offset")))}}
	status := http.StatusOK
	var err error
	if d.Page, err = h.Objectives.List(r.Context(), a, d.Query); err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "AI objectives", objectiveNav, func(v view) templ.Component { return objectiveListView(v, d) })
}

// statusFilterOptions are the list filter's choices of status.
func (d objectiveListData) statusFilterOptions() []option {
	out := []option{}
	for _, o := range append(append([]objective.Option{}, objective.Statuses...), objective.Option{Value: "all", Label: "All"}) {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == d.Query.Status})
	}
	return out
}

// objectiveNew shows the form that sets an objective.
func (h *handler) objectiveNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActObjectiveEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showObjectiveForm(w, r, a, http.StatusOK, objectiveFormData{Form: objectiveForm{Owner: a.UserID}})
}

// showObjectiveForm renders the objective form with the members and systems to choose from.
func (h *handler) showObjectiveForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d objectiveFormData) {
	ctx := r.Context()
	var err error
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Systems, err = h.modelSystems(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	title := "Set an AI objective"
	if d.Objective != nil {
		title = "Edit " + d.Objective.Ref
	}
	h.show(w, r, status, title, objectiveNav, func(v view) templ.Component { return objectiveFormView(v, d) })
}

// objectiveCreate sets an objective from the posted form.
func (h *handler) objectiveCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := objectiveFormFrom(r.PostForm)
	o, err := h.Objectives.Create(r.Context(), a, f.create())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showObjectiveForm(w, r, a, status, objectiveFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), o.Ref+" is set. Define how it is measured below.")
	seeOther(w, r, "/objectives/"+o.Ref)
}

// objectiveEdit shows the edit form filled with the objective's values.
func (h *handler) objectiveEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActObjectiveEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	o, err := h.Objectives.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showObjectiveForm(w, r, a, http.StatusOK, objectiveFormData{Objective: o, Form: objectiveFormOf(o)})
}

// objectiveUpdate saves the edit form; every field is sent, with the version it was based on.
func (h *handler) objectiveUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	o, err := h.Objectives.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := objectiveFormFrom(r.PostForm)
	updated, err := h.Objectives.Update(ctx, a, o.ID, f.update())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showObjectiveForm(w, r, a, status, objectiveFormData{Objective: o, Form: f, Errs: fe})
		return
	}
	if updated.Version == o.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+updated.Ref+" are saved (version "+strconv.Itoa(updated.Version)+").")
	}
	seeOther(w, r, "/objectives/"+updated.Ref)
}

// objectiveDetail shows an objective with its plan, indicators, charts and history.
func (h *handler) objectiveDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showObjective(w, r, a, http.StatusOK, objectivePageData{})
}

// showObjective renders an objective's page; d carries a form as typed and its problems.
func (h *handler) showObjective(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d objectivePageData) {
	ctx := r.Context()
	var err error
	if d.Objective, err = h.Objectives.Get(ctx, a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	for i, in := range d.Objective.Indicators {
		ms, err := h.Objectives.Measurements(ctx, a, d.Objective.ID, in.Number)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Indicators = append(d.Indicators, indicatorView{Indicator: d.Objective.Indicators[i], Measurements: ms,
			Chart: layoutIndicator("indicator-chart-"+strconv.Itoa(in.Number), &d.Objective.Indicators[i], objective.InForce(ms))})
	}
	if d.History, err = h.history(r, a, d.Objective.ID, h.Objectives.History); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Indicator.Cadence == "" {
		d.Indicator = indicatorForm{Cadence: "quarterly", TargetKind: "at_least", Source: "manual"}
	}
	h.show(w, r, status, d.Objective.Ref+" "+d.Objective.Title, objectiveNav, func(v view) templ.Component { return objectiveDetailView(v, d) })
}

// objectiveStatus marks an objective achieved, withdrawn or active again.
func (h *handler) objectiveStatus(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := statusForm{Status: r.PostForm.Get("status"), Note: r.PostForm.Get("note"), Version: r.PostForm.Get("version")}
	o, err := h.Objectives.SetStatus(r.Context(), a, r.PathValue("ref"), objective.ObjectiveStatusRequest{Version: formInt(f.Version),
		Status: f.Status, Note: f.Note})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showObjective(w, r, a, status, objectivePageData{Status: f, StatusErrs: fe})
		return
	}
	h.flash(r.Context(), o.Ref+" is now "+objective.Label(objective.Statuses, o.Status)+".")
	seeOther(w, r, "/objectives/"+o.Ref)
}

// indicatorAdd defines an indicator from the form on the objective's page.
func (h *handler) indicatorAdd(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := indicatorFormFrom(r.PostForm)
	req, p := f.request()
	var in *objective.Indicator
	err := p.Err()
	if err == nil {
		in, err = h.Objectives.AddIndicator(r.Context(), a, r.PathValue("ref"), req)
	}
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showObjective(w, r, a, status, objectivePageData{Indicator: f, IndicatorErrs: fe})
		return
	}
	h.flash(r.Context(), in.Ref+" is defined. Its first value is due on "+in.NextDueOn+".")
	seeOther(w, r, "/objectives/"+in.ObjectiveRef+"#indicator-"+strconv.Itoa(in.Number))
}

// indicatorMeasure records a value, or a correction, from an indicator's form.
func (h *handler) indicatorMeasure(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	number := formInt(r.PathValue("number"))
	f := measureFormFrom(r.PostForm)
	req, p := f.request()
	var m *objective.Measurement
	err := p.Err()
	if err == nil {
		m, err = h.Objectives.Measure(r.Context(), a, r.PathValue("ref"), number, req)
	}
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showObjective(w, r, a, status, objectivePageData{MeasureFor: number, Measure: f, MeasureErrs: fe})
		return
	}
	what := " is recorded."
	if m.Corrects > 0 {
		what = " is recorded; it corrects M" + strconv.Itoa(m.Corrects) + "."
	}
	h.flash(r.Context(), m.Ref+": "+objective.FormatValue(m.Value)+" for "+m.MeasuredOn+what)
	ref, _, _ := objective.ParseIndicatorRef(m.IndicatorRef)
	seeOther(w, r, "/objectives/"+ref+"#indicator-"+strconv.Itoa(number))
}
