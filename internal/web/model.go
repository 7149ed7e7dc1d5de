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
	"github.com/aims-dev/aims/internal/model"
)

// modelRoutes adds the model pages.
func (h *handler) modelRoutes(signed route) {
	signed("GET /models", h.modelList)
	signed("POST /models", h.modelCreate)
	signed("GET /models/new", h.modelNew)
	signed("GET /models/{ref}", h.modelDetail)
	signed("POST /models/{ref}", h.modelUpdate)
	signed("GET /models/{ref}/edit", h.modelEdit)
	signed("POST /models/{ref}/archive", h.modelArchive)
	signed("POST /models/{ref}/restore", h.modelRestore)
	signed("GET /models/{ref}/versions/new", h.versionNew)
	signed("POST /models/{ref}/versions", h.versionCreate)
	signed("GET /models/{ref}/versions/{label}", h.versionDetail)
	signed("POST /models/{ref}/versions/{label}", h.versionUpdate)
	signed("GET /models/{ref}/versions/{label}/edit", h.versionEdit)
	signed("POST /models/{ref}/versions/{label}/evaluations", h.versionEvaluate)
	signed("POST /models/{ref}/versions/{label}/approve", h.versionApprove)
	signed("POST /models/{ref}/versions/{label}/deploy", h.versionDeploy)
	signed("POST /models/{ref}/versions/{label}/withdraw", h.versionWithdraw)
	signed("POST /models/{ref}/versions/{label}/retire", h.versionRetire)
}

// modelLabels name the fields of models and versions where the general names do not fit.
var modelLabels = map[string]string{
	"system": "AI system", "label": "Label", "digest": "Artefact SHA-256", "framework": "Framework",
	"trained_on": "Trained on", "evaluated_on": "Evaluated on", "environment": "Environment", "environments": "Environments",
	"card.intended_use": "Intended use", "card.out_of_scope_uses": "Out-of-scope uses", "card.limitations": "Limitations",
	"card.known_biases": "Known biases", "card.ethical_considerations": "Ethical considerations", "evaluations": "Evaluation results",
	"metric": "Metric", "value": "Value", "dataset": "Data set version", "measured_on": "Measured on", "superseded": "Superseded",
	"owner_id": "Owner", "note": "Note",
}

// modelLabel names a field of a model or version for people.
func modelLabel(f string) string {
	if l, ok := modelLabels[f]; ok {
		return l
	}
	return fieldLabel(f)
}

// modelSummary lists a form's problems with the model's names for fields.
func modelSummary(fe formErrors, fields map[string]string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: modelLabel(f.Field) + " " + f.Message}
		if id, ok := fields[f.Field]; ok {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}

// modelField is a control of a model form.
func modelField(prefix, name, typ, value, hint string, errs formErrors) field {
	id := prefix + strings.ReplaceAll(name, ".", "-")
	return field{ID: id, Name: name, Label: modelLabel(name), Type: typ, Value: value, Hint: hint, Err: errs.For(name),
		Wide: typ == "textarea"}
}

// modelListData is what the list of models shows.
type modelListData struct {
	Query   model.ListQuery
	Page    *model.Page
	Systems []aisystem.System
	Errs    formErrors
}

// modelList lists the models of every system, filtered by system and status.
func (h *handler) modelList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	d := modelListData{}
	var err error
	if d.Systems, err = h.modelSystems(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	v := r.URL.Query()
	d.Query = model.ListQuery{Q: v.Get("q"), System: v.Get("system"), Status: v.Get("status"), Offset: max(0, formInt(v.Get("offset")))}
	status := http.StatusOK
	d.Page, err = h.Models.List(ctx, a, d.Query)
	if err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	_ = d.Query.Normalise()
	h.show(w, r, status, "Models", "models", func(v view) templ.Component { return modelListView(v, d) })
}

// modelSystems lists the active AI systems, for choices.
func (h *handler) modelSystems(ctx context.Context, a *aims.Actor) ([]aisystem.System, error) {
	page, err := h.Systems.List(ctx, a, aisystem.ListQuery{Status: aisystem.StatusActive, Sort: "ref", Limit: 200})
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// systemOptions are the filter's choices of system, with "any" first.
func (d modelListData) systemOptions() []option {
	out := []option{{Value: "", Label: "Any AI system", Selected: d.Query.System == ""}}
	for _, s := range d.Systems {
		out = append(out, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, d.Query.System)})
	}
	return out
}

// pageHref is the list's address at another offset.
func (d modelListData) pageHref(offset int) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": d.Query.Q, "system": d.Query.System} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if d.Query.Status != "" && d.Query.Status != model.StatusActive {
		v.Set("status", d.Query.Status)
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	if len(v) == 0 {
		return "/models"
	}
	return "/models?" + v.Encode()
}

// rangeText says which models the page shows.
func (d modelListData) rangeText() string {
	p := d.Page
	if p == nil || len(p.Items) == 0 {
		return "No models match"
	}
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

// prevHref and nextHref page through the list; "" where there is no such page.
func (d modelListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.pageHref(max(0, d.Page.Offset-d.Page.Limit))
}

func (d modelListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.pageHref(d.Page.Offset + d.Page.Limit)
}

// newModelHref is the address of the form that registers a model, of a system when one is named.
func newModelHref(system string) string {
	if system == "" {
		return "/models/new"
	}
	return "/models/new?" + url.Values{"system": {system}}.Encode()
}

// modelForm is the model form as typed.
type modelForm struct {
	System, Name, Description, OwnerID, Version string
}

// modelFormData is what the model form shows.
type modelFormData struct {
	// Model is the stored model when editing, nil when registering.
	Model   *model.Model
	Form    modelForm
	Errs    formErrors
	Members []identity.Membership
	Systems []aisystem.System
}

// modelFormFields map a model's fields to their controls.
var modelFormFields = map[string]string{"system": "model-system", "name": "model-name", "description": "model-description",
	"owner_id": "model-owner_id", "version": "model-name"}

// action is where the form posts.
func (d modelFormData) action() string {
	if d.Model == nil {
		return "/models"
	}
	return "/models/" + d.Model.Ref
}

// field is a control of the form.
func (d modelFormData) field(name, typ, value, hint string) field {
	return modelField("model-", name, typ, value, hint, d.Errs)
}

// systemField is the select of the system a new model belongs to.
func (d modelFormData) systemField() field {
	f := d.field("system", "select", "", "The AI system the model is part of.")
	f.Required = true
	f.Options = []option{{Value: "", Label: "Choose an AI system", Selected: d.Form.System == ""}}
	for _, s := range d.Systems {
		f.Options = append(f.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, d.Form.System)})
	}
	return f
}

// ownerField is the select of the organisation's members.
func (d modelFormData) ownerField() field {
	stored := ""
	if d.Model != nil {
		stored = d.Model.OwnerName
	}
	f := riskOwnerField("model-", "owner_id", d.Form.OwnerID, stored, d.Members, "The person accountable for the model.", d.Errs)
	return f
}

// modelNew shows the form that registers a model, for the system the address names.
func (h *handler) modelNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActModelEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showModelForm(w, r, a, http.StatusOK, modelFormData{Form: modelForm{System: r.URL.Query().Get("system")}})
}

// showModelForm renders the model form with its choices.
func (h *handler) showModelForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d modelFormData) {
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
	title := "Register a model"
	if d.Model != nil {
		title = "Edit " + d.Model.Ref
	}
	h.show(w, r, status, title, "models", func(v view) templ.Component { return modelFormView(v, d) })
}

// modelFormFrom reads a posted model form.
func modelFormFrom(v url.Values) modelForm {
	return modelForm{System: v.Get("system"), Name: v.Get("name"), Description: v.Get("description"),
		OwnerID: v.Get("owner_id"), Version: v.Get("version")}
}

// modelCreate registers a model from the posted form.
func (h *handler) modelCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := modelFormFrom(r.PostForm)
	m, err := h.Models.Create(r.Context(), a, model.CreateRequest{System: f.System, Name: f.Name, Description: f.Description, OwnerID: f.OwnerID})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showModelForm(w, r, a, status, modelFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), m.Ref+" "+m.Name+" is registered for "+m.SystemRef+". Register its first version next.")
	seeOther(w, r, "/models/"+m.Ref)
}

// modelEdit shows the edit form filled with the model's values.
func (h *handler) modelEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActModelEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := h.Models.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showModelForm(w, r, a, http.StatusOK, modelFormData{Model: m, Form: modelForm{System: m.SystemRef, Name: m.Name,
		Description: m.Description, OwnerID: m.OwnerID, Version: strconv.Itoa(m.Version)}})
}

// modelUpdate saves the edit form with the version it was based on.
func (h *handler) modelUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	m, err := h.Models.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := modelFormFrom(r.PostForm)
	f.System = m.SystemRef
	up, err := h.Models.Update(ctx, a, m.ID, model.UpdateRequest{Version: formInt(f.Version), Name: &f.Name, Description: &f.Description,
		OwnerID: &f.OwnerID})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showModelForm(w, r, a, status, modelFormData{Model: m, Form: f, Errs: fe})
		return
	}
	if up.Version == m.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+up.Ref+" are saved (version "+strconv.Itoa(up.Version)+").")
	}
	seeOther(w, r, "/models/"+up.Ref)
}

// modelPageData is what a model's page shows.
type modelPageData struct {
	Model    *model.Model
	Versions []model.Version
	History  []eventView
}

// modelDetail shows a model, its versions and its history.
func (h *handler) modelDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	m, err := h.Models.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := modelPageData{Model: m}
	if d.Versions, err = h.Models.Versions(ctx, a, m.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, m.ID, h.Models.History); err != nil {
		h.fail(w, r, err)
		return
	}
	labelChanges(d.History)
	h.show(w, r, http.StatusOK, m.Ref+" "+m.Name, "models", func(v view) templ.Component { return modelDetailView(v, d) })
}

// labelChanges names the changed fields of model events for people.
func labelChanges(evs []eventView) {
	for i := range evs {
		for j := range evs[i].Changes {
			evs[i].Changes[j].Label = modelLabel(evs[i].Changes[j].Field)
		}
	}
}

// modelArchive takes a model out of the active list.
func (h *handler) modelArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setModelStatus(w, r, a, h.Models.Archive, "is archived. Its versions, results and history are kept.")
}

// modelRestore brings an archived model back.
func (h *handler) modelRestore(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.setModelStatus(w, r, a, h.Models.Restore, "is active again.")
}

// setModelStatus archives or restores a model and returns to its page.
func (h *handler) setModelStatus(w http.ResponseWriter, r *http.Request, a *aims.Actor,
	change func(ctx context.Context, a *aims.Actor, ref string) (*model.Model, error), done string) {
	if !h.parseForm(w, r) {
		return
	}
	m, err := change(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), m.Ref+" "+done)
	seeOther(w, r, "/models/"+m.Ref)
}

// versionStatusClass is the badge of a version's status.
func versionStatusClass(status string) string {
	switch status {
	case model.VersionDeployed:
		return "badge badge-ok"
	case model.VersionApproved:
		return "badge badge-class-minimal"
	case model.VersionRetired:
		return "badge badge-muted"
	}
	return "badge badge-warn"
}

// versionHref is the address of a version's page.
func versionHref(modelRef, label string) string {
	return "/models/" + modelRef + "/versions/" + url.PathEscape(label)
}
