package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/risk"
)

// riskSourceOther is the choice of a risk source in own words.
const riskSourceOther = "other"

// riskForm is the form that records or describes a risk, as typed.
type riskForm struct {
	Title, Description string
	// Systems are the references of the AI systems ticked.
	Systems []string
	// Source is the choice of risk source: empty, an Annex C id or other,
	// which SourceText then words.
	Source, SourceText string
	// Objectives are the Annex C objectives ticked; OwnObjectives the own ones, one per line.
	Objectives    []string
	OwnObjectives string
	ConsOrg       string
	ConsInd       string
	ConsSoc       string
	OwnerID       string
	Version       string
}

// riskFormOf fills the form from a risk.
func riskFormOf(r *risk.Risk) riskForm {
	f := riskForm{Title: r.Title, Description: r.Description, ConsOrg: r.ConsequencesOrganisation, ConsInd: r.ConsequencesIndividuals,
		ConsSoc: r.ConsequencesSociety, OwnerID: r.OwnerID, Version: strconv.Itoa(r.Version)}
	for _, s := range r.Systems {
		f.Systems = append(f.Systems, s.Ref)
	}
	switch {
	case r.RiskSource.Title != "":
		f.Source = r.RiskSource.Value
	case r.RiskSource.Value != "":
		f.Source, f.SourceText = riskSourceOther, r.RiskSource.Value
	}
	var own []string
	for _, o := range r.Objectives {
		if o.Title != "" {
			f.Objectives = append(f.Objectives, o.Value)
		} else {
			own = append(own, o.Value)
		}
	}
	f.OwnObjectives = strings.Join(own, "\n")
	return f
}

// riskFormFrom reads a posted risk form.
func riskFormFrom(v url.Values) riskForm {
	return riskForm{Title: v.Get("title"), Description: v.Get("description"), Systems: v["systems"], Source: v.Get("risk_source"),
		SourceText: v.Get("risk_source_text"), Objectives: v["objectives"], OwnObjectives: v.Get("objectives_own"),
		ConsOrg: v.Get("consequences_organisation"), ConsInd: v.Get("consequences_individuals"),
		ConsSoc: v.Get("consequences_society"), OwnerID: v.Get("owner_id"), Version: v.Get("version")}
}

// source is the risk source the form names.
func (f riskForm) source() string {
	if f.Source == riskSourceOther {
		return f.SourceText
	}
	return f.Source
}

// objectives are the Annex C objectives ticked and the own ones typed.
func (f riskForm) objectives() []string {
	out := append([]string{}, f.Objectives...)
	for _, line := range strings.Split(f.OwnObjectives, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func (f riskForm) create() risk.CreateRequest {
	return risk.CreateRequest{Title: f.Title, Description: f.Description, Systems: f.Systems, RiskSource: f.source(),
		Objectives: f.objectives(), ConsequencesOrganisation: f.ConsOrg, ConsequencesIndividuals: f.ConsInd,
		ConsequencesSociety: f.ConsSoc, OwnerID: f.OwnerID}
}

func (f riskForm) update() risk.UpdateRequest {
	systems, objectives := append([]string{}, f.Systems...), f.objectives()
	source := f.source()
	return risk.UpdateRequest{Version: formInt(f.Version), Title: &f.Title, Description: &f.Description, Systems: &systems,
		RiskSource: &source, Objectives: &objectives, ConsequencesOrganisation: &f.ConsOrg, ConsequencesIndividuals: &f.ConsInd,
		ConsequencesSociety: &f.ConsSoc, OwnerID: &f.OwnerID}
}

// riskFormData is what the risk form's page shows.
type riskFormData struct {
	// Risk is the risk being edited; nil for a new one.
	Risk    *risk.Risk
	Form    riskForm
	Errs    formErrors
	Members []identity.Membership
	Systems []aisystem.System
}

// riskFormIDs maps the form's fields to their controls.
var riskFormIDs = map[string]string{"title": "title", "description": "description", "systems": "systems", "risk_source": "risk_source",
	"objectives": "objectives", "consequences_organisation": "consequences_organisation", "consequences_individuals": "consequences_individuals",
	"consequences_society": "consequences_society", "owner_id": "owner_id", "version": "title"}

func (d riskFormData) field(name, typ, value, hint string) field {
	return riskField("", name, typ, value, hint, d.Errs)
}

// systemsField is the choice of AI systems; a system ticked that is no longer
// active stays a choice.
func (d riskFormData) systemsField() field {
	fl := d.field("systems", "checkbox", "", "The AI systems whose development, provision or use gives rise to the risk.")
	ticked := map[string]bool{}
	for _, s := range d.Form.Systems {
		ticked[strings.ToUpper(s)] = true
	}
	for _, s := range d.Systems {
		fl.Options = append(fl.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: ticked[s.Ref]})
		delete(ticked, s.Ref)
	}
	for _, s := range d.Form.Systems {
		if ticked[strings.ToUpper(s)] {
			fl.Options = append(fl.Options, option{Value: s, Label: s, Selected: true})
		}
	}
	return fl
}

// sourceField is the choice of an Annex C risk source or own words.
func (d riskFormData) sourceField() field {
	fl := d.field("risk_source", "select", "", "Where the risk comes from (ISO/IEC 42001 Annex C.3), or choose own words below.")
	fl.Options = []option{{Value: "", Label: "Not stated", Selected: d.Form.Source == ""}}
	for _, it := range catalog.AnnexC() {
		if it.Kind == risk.KindRiskSource {
			fl.Options = append(fl.Options, option{Value: it.ID, Label: it.ID + " " + it.Title, Selected: strings.EqualFold(d.Form.Source, it.ID)})
		}
	}
	fl.Options = append(fl.Options, option{Value: riskSourceOther, Label: "Another source, in our own words", Selected: d.Form.Source == riskSourceOther})
	return fl
}

func (d riskFormData) sourceTextField() field {
	fl := d.field("risk_source_text", "text", d.Form.SourceText, "When another source: name it, at most 500 characters.")
	fl.Label = "Risk source in own words"
	return fl
}

// objectivesField is the choice of Annex C objectives.
func (d riskFormData) objectivesField() field {
	fl := d.field("objectives", "checkbox", "", "The organisation's objectives the risk threatens (ISO/IEC 42001 Annex C.2).")
	ticked := map[string]bool{}
	for _, o := range d.Form.Objectives {
		ticked[strings.ToUpper(o)] = true
	}
	for _, it := range catalog.AnnexC() {
		if it.Kind == risk.KindObjective {
			fl.Options = append(fl.Options, option{Value: it.ID, Label: it.ID + " " + it.Title, Selected: ticked[it.ID]})
		}
	}
	return fl
}

func (d riskFormData) ownObjectivesField() field {
	fl := d.field("objectives_own", "textarea", d.Form.OwnObjectives, "Other objectives affected, one per line.")
	fl.Label, fl.Rows = "Own objectives", 2
	return fl
}

func (d riskFormData) ownerField() field {
	stored := ""
	if d.Risk != nil {
		stored = d.Risk.OwnerName
	}
	return riskOwnerField("", "owner_id", d.Form.OwnerID, stored, d.Members, "The person accountable for the risk.", d.Errs)
}

// riskNew shows the form that records a risk.
func (h *handler) riskNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActRiskEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	f := riskForm{}
	if s := r.URL.Query().Get("system"); s != "" {
		f.Systems = []string{strings.ToUpper(s)}
	}
	h.showRiskForm(w, r, a, http.StatusOK, riskFormData{Form: f})
}

// showRiskForm renders the create or edit form.
func (h *handler) showRiskForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d riskFormData) {
	var err error
	if d.Members, err = h.Identity.ListMembers(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Systems, err = h.riskSystems(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	title := "Record a risk"
	if d.Risk != nil {
		title = "Edit " + d.Risk.Ref
	}
	h.show(w, r, status, title, "risks", func(v view) templ.Component { return riskFormView(v, d) })
}

// riskCreate records a risk from the posted form.
func (h *handler) riskCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := riskFormFrom(r.PostForm)
	x, err := h.Risks.Create(r.Context(), a, f.create())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showRiskForm(w, r, a, status, riskFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), x.Ref+" is recorded. Assess its likelihood and impact next.")
	seeOther(w, r, "/risks/"+x.Ref)
}

// riskEdit shows the edit form filled with the risk's description.
func (h *handler) riskEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActRiskEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	x, err := h.Risks.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showRiskForm(w, r, a, http.StatusOK, riskFormData{Risk: x, Form: riskFormOf(x)})
}

// riskUpdate saves the edit form; every field is sent, with the version it was based on.
func (h *handler) riskUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	x, err := h.Risks.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := riskFormFrom(r.PostForm)
	updated, err := h.Risks.Update(ctx, a, x.ID, f.update())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showRiskForm(w, r, a, status, riskFormData{Risk: x, Form: f, Errs: fe})
		return
	}
	if updated.Version == x.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+updated.Ref+" are saved.")
	}
	seeOther(w, r, "/risks/"+updated.Ref)
}
