package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/tlog"
)

// changeListData is the list of change requests with its filters.
type changeListData struct {
	Query   lifecycle.ChangeQuery
	Page    *lifecycle.ChangePage
	Systems []aisystem.System
	Errs    formErrors
}

// changeList lists change requests, filtered.
func (h *handler) changeList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v := r.URL.Query()
	d := changeListData{Query: lifecycle.ChangeQuery{System: v.Get("system"), Status: v.Get("status"), Classification: v.Get("classification"),
		Kind: v.Get("kind"), Q: v.Get("q"), Limit: 200}}
	var err error
	if d.Systems, err = h.riskSystems(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if d.Page, err = h.Lifecycle.Changes(r.Context(), a, d.Query); err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Change requests", "systems", func(v view) templ.Component { return changeListView(v, d) })
}

// options are the choices of a filter from a list of options.
func lifecycleOptions(opts []lifecycle.Option, any, value string) []option {
	out := []option{{Value: "", Label: any, Selected: value == ""}}
	for _, o := range opts {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == value})
	}
	return out
}

// changeFormData is the form that raises a change request, as typed.
type changeFormData struct {
	Form    changeForm
	Systems []aisystem.System
	Errs    formErrors
}

// changeForm is the change request form as typed.
type changeForm struct {
	System, Title, Description, Justification, ExpectedImpact string
	Kinds                                                     []string
	Significant                                               bool
}

// request is the form as a request.
func (f changeForm) request() lifecycle.ChangeCreate {
	return lifecycle.ChangeCreate{System: f.System, Title: f.Title, Kinds: f.Kinds, Description: f.Description,
		Justification: f.Justification, ExpectedImpact: f.ExpectedImpact, Significant: f.Significant}
}

// systemField is the select of the active AI systems.
func (d changeFormData) systemField() field {
	fl := lifecycleField("", "system", "select", "", "", d.Errs, true)
	fl.Options = riskSystemOptions(d.Systems, d.Form.System)
	fl.Options[0].Label = "Choose an AI system"
	return fl
}

// kindsField is the checkbox group of what changes, with each kind's rule.
func (d changeFormData) kindsField() field {
	fl := field{ID: "kinds", Name: "kinds", Label: lifecycleLabel("kinds"), Err: d.Errs.For("kinds"),
		Hint: "Choose all that apply. The rules decide whether the change is significant."}
	for _, o := range lifecycle.ChangeKinds {
		fl.Options = append(fl.Options, option{Value: o.Value, Label: o.Label, Hint: o.Help, Selected: slices.Contains(d.Form.Kinds, o.Value)})
	}
	return fl
}

// changeNew shows an empty change request form, for the system named in the query.
func (h *handler) changeNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showChangeForm(w, r, a, http.StatusOK, changeFormData{Form: changeForm{System: r.URL.Query().Get("system")}})
}

// showChangeForm renders the change request form.
func (h *handler) showChangeForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d changeFormData) {
	var err error
	if d.Systems, err = h.riskSystems(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Raise a change request", "systems", func(v view) templ.Component { return changeFormView(v, d) })
}

// changeCreate raises a change request.
func (h *handler) changeCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	f := changeForm{System: v.Get("system"), Title: v.Get("title"), Kinds: v["kinds"], Description: v.Get("description"),
		Justification: v.Get("justification"), ExpectedImpact: v.Get("expected_impact"), Significant: v.Get("significant") != ""}
	c, err := h.Lifecycle.CreateChange(r.Context(), a, f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showChangeForm(w, r, a, status, changeFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), c.Ref+" is raised: "+c.ClassificationRule+".")
	seeOther(w, r, "/changes/"+c.Ref)
}

// changeData is a change request's page with its decision forms as typed.
type changeData struct {
	Change    *lifecycle.ChangeRequest
	Requester bool
	// Posted names the form posted with problems: approve, refuse, implement, withdraw or reclassify.
	Posted  string
	Note    string
	Errs    formErrors
	History []eventView
}

// errsFor are the problems of one of the page's forms.
func (d changeData) errsFor(form string) formErrors {
	if d.Posted == form {
		return d.Errs
	}
	return formErrors{}
}

// noteFor is what was typed in one of the page's forms.
func (d changeData) noteFor(form string) string {
	if d.Posted == form {
		return d.Note
	}
	return ""
}

// orphan reports whether the posted form's problems have no form on the
// page to show them; the page shows them at its top.
func (d changeData) orphan(v view) bool {
	lead := v.Can(identity.ActStageDecide)
	switch d.Posted {
	case "":
		return false
	case "approve", "refuse":
		return !lead || d.Change.Status != lifecycle.ChangeRequested
	case "reclassify":
		return !lead || d.Change.Status != lifecycle.ChangeRequested || d.Change.Classification != lifecycle.Minor
	case "implement":
		return !lead || d.Change.Status != lifecycle.ChangeApproved
	}
	return !d.Requester || d.Change.Status != lifecycle.ChangeRequested
}

// kindLabels words what a change changes.
func (d changeData) kindLabels() string {
	var out []string
	for _, k := range d.Change.Kinds {
		out = append(out, lifecycle.Label(lifecycle.ChangeKinds, k))
	}
	return strings.Join(out, ", ")
}

// changePage shows a change request with its decision forms.
func (h *handler) changePage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showChange(w, r, a, http.StatusOK, changeData{})
}

// showChange renders a change request's page; d carries a posted form's problems.
func (h *handler) showChange(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d changeData) {
	var err error
	if d.Change, err = h.Lifecycle.GetChange(r.Context(), a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Requester = d.Change.RequestedBy == tlog.ActorOf(a).ID
	if d.History, err = h.history(r, a, d.Change.ID, h.Lifecycle.ChangeHistory); err != nil {
		h.fail(w, r, err)
		return
	}
	d.History = lifecycleHistory(d.History)
	h.show(w, r, status, d.Change.Ref+" "+d.Change.Title, "systems", func(v view) templ.Component { return changeRequestView(v, d) })
}

// changeDecide approves, refuses, implements, withdraws or reclassifies a change request.
func (h *handler) changeDecide(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx, ref, verb := r.Context(), r.PathValue("ref"), r.PathValue("verb")
	v := r.PostForm
	dec := lifecycle.ChangeDecision{Version: formInt(v.Get("version")), Note: v.Get("note")}
	var c *lifecycle.ChangeRequest
	var err error
	switch verb {
	case "approve":
		c, err = h.Lifecycle.ApproveChange(ctx, a, ref, dec)
	case "refuse":
		c, err = h.Lifecycle.RefuseChange(ctx, a, ref, dec)
	case "implement":
		c, err = h.Lifecycle.ImplementChange(ctx, a, ref, dec)
	case "withdraw":
		c, err = h.Lifecycle.WithdrawChange(ctx, a, ref, dec)
	case "reclassify":
		dec.Note = v.Get("reason")
		c, err = h.Lifecycle.ReclassifyChange(ctx, a, ref, lifecycle.ReclassifyRequest{Version: dec.Version,
			Classification: lifecycle.Significant, Reason: dec.Note})
	default:
		h.notFound(w, r)
		return
	}
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			fe, status, ok = decisionForbidden(err)
		}
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showChange(w, r, a, status, changeData{Posted: verb, Note: dec.Note, Errs: fe})
		return
	}
	msg := c.Ref + " is " + c.Status + "."
	switch {
	case verb == "reclassify":
		msg = c.Ref + " is now significant."
	case verb == "approve" && c.Classification == lifecycle.Significant:
		msg += " Its risks and impact assessments are due for review; the next stage move of " + c.SystemRef + " waits for those reviews."
	}
	h.flash(ctx, msg)
	seeOther(w, r, "/changes/"+c.Ref)
}

// changeStatusClass is the badge class of a change's status.
func changeStatusClass(status string) string {
	switch status {
	case lifecycle.ChangeImplemented:
		return "badge badge-ok"
	case lifecycle.ChangeApproved:
		return "badge badge-info"
	case lifecycle.ChangeRefused:
		return "badge badge-bad"
	case lifecycle.ChangeWithdrawn:
		return "badge badge-muted"
	}
	return "badge badge-warn"
}

// classificationClass is the badge class of a classification.
func classificationClass(c string) string {
	if c == lifecycle.Significant {
		return "badge badge-bad"
	}
	return "badge badge-muted"
}

// changeNewHref is the change request form for a system.
func changeNewHref(systemRef string) string {
	if systemRef == "" {
		return "/changes/new"
	}
	return "/changes/new?" + url.Values{"system": {systemRef}}.Encode()
}
