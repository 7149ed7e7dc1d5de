package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/nonconformity"
)

func init() {
	for k, v := range map[string]string{
		nonconformity.ActionCreate: "raised nonconformity", nonconformity.ActionNCUpdate: "recorded handling of nonconformity",
		nonconformity.ActionClose: "closed nonconformity", nonconformity.ActionActionAdd: "planned corrective action",
		nonconformity.ActionActionUpdate: "changed corrective action", nonconformity.ActionCheck: "checked effectiveness of",
	} {
		actionLabels[k] = v
	}
}

// nonconformityRoutes adds the nonconformity pages.
func (h *handler) nonconformityRoutes(signed route) {
	signed("GET /nonconformities", h.ncList)
	signed("POST /nonconformities", h.ncCreate)
	signed("GET /nonconformities/new", h.ncNew)
	signed("GET /nonconformities/{ref}", h.ncDetail)
	signed("POST /nonconformities/{ref}", h.ncUpdate)
	signed("POST /nonconformities/{ref}/actions", h.ncAddAction)
	signed("POST /nonconformities/{ref}/actions/{number}/done", h.ncActionDone)
	signed("POST /nonconformities/{ref}/checks", h.ncCheck)
	signed("POST /nonconformities/{ref}/close", h.ncClose)
}

func (h *handler) ncList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	q := nonconformity.Query{Status: r.URL.Query().Get("status")}
	page, err := h.Nonconformities.List(r.Context(), a, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Nonconformities", "nonconformities", func(v view) templ.Component { return ncListView(v, q, page) })
}

// ncForm is a nonconformity form as typed: raising one, or recording its handling.
type ncForm struct {
	Title, Description, Source, SourceRef, Severity, Clauses, Controls, Systems, Correction string
	RootCause, RCAMethod, Similar, Version                                                  string
}

func ncFormFrom(v url.Values) ncForm {
	return ncForm{Title: v.Get("title"), Description: v.Get("description"), Source: v.Get("source"), SourceRef: v.Get("source_ref"),
		Severity: v.Get("severity"), Clauses: v.Get("clauses"), Controls: v.Get("controls"), Systems: v.Get("systems"),
		Correction: v.Get("correction"), RootCause: v.Get("root_cause"), RCAMethod: v.Get("rca_method"), Similar: v.Get("similar"),
		Version: v.Get("version")}
}

func ncFormOf(n *nonconformity.Nonconformity) ncForm {
	systems := make([]string, len(n.Systems))
	for i, s := range n.Systems {
		systems[i] = s.Ref
	}
	return ncForm{Title: n.Title, Description: n.Description, Severity: n.Severity, SourceRef: n.SourceRef,
		Clauses: strings.Join(n.Clauses, ", "), Controls: strings.Join(n.Controls, ", "), Systems: strings.Join(systems, ", "),
		Correction: n.Correction, RootCause: n.RootCause, RCAMethod: n.RCAMethod, Similar: n.Similar, Version: strconv.Itoa(n.Version)}
}

// ncFormData is what the raise form shows.
type ncFormData struct {
	Form ncForm
	Errs formErrors
}

func (h *handler) ncNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActNCEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showNCForm(w, r, http.StatusOK, ncFormData{Form: ncForm{Source: nonconformity.SourceAudit, Severity: "minor"}})
}

func (h *handler) showNCForm(w http.ResponseWriter, r *http.Request, status int, d ncFormData) {
	h.show(w, r, status, "Raise a nonconformity", "nonconformities", func(v view) templ.Component { return ncFormView(v, d) })
}

func (h *handler) ncCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := ncFormFrom(r.PostForm)
	n, err := h.Nonconformities.Create(r.Context(), a, nonconformity.CreateRequest{Title: f.Title, Description: f.Description,
		Source: f.Source, SourceRef: f.SourceRef, Severity: f.Severity, Clauses: incidentWords(f.Clauses), Controls: incidentWords(f.Controls),
		Systems: incidentWords(f.Systems), Correction: f.Correction})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showNCForm(w, r, status, ncFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), n.Ref+" is raised. Record the correction and root cause, then plan corrective actions.")
	seeOther(w, r, "/nonconformities/"+n.Ref)
}

// ncData is what a nonconformity's page shows, with its forms as typed.
type ncData struct {
	NC      *nonconformity.Nonconformity
	Members map[string]string
	History []eventView
	Form    ncForm
	Action  ncActionForm
	Errs    formErrors
	// ErrsFor names the form Errs belong to: handling, action, done-N, check or close.
	ErrsFor string
}

// ncActionForm is the form that plans a corrective action, as typed.
type ncActionForm struct{ Description, OwnerID, DueOn string }

func (d ncData) errs(form string) formErrors {
	if d.ErrsFor == form {
		return d.Errs
	}
	return formErrors{}
}

func (h *handler) ncDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showNC(w, r, a, http.StatusOK, ncData{})
}

func (h *handler) showNC(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d ncData) {
	var err error
	if d.NC, err = h.Nonconformities.Get(r.Context(), a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, d.NC.ID, h.Nonconformities.History); err != nil {
		h.fail(w, r, err)
		return
	}
	ms, err := h.Identity.ListMembers(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Members = map[string]string{}
	for _, m := range ms {
		d.Members[m.UserID] = m.Name
	}
	if d.ErrsFor != "handling" {
		d.Form = ncFormOf(d.NC)
	}
	if d.Action.OwnerID == "" {
		d.Action.OwnerID = a.UserID
	}
	h.show(w, r, status, d.NC.Ref+" "+d.NC.Title, "nonconformities", func(v view) templ.Component { return ncDetailView(v, d) })
}

// ncDone shows the result of a change: the page again with the form's problems, or a flash and a redirect.
func (h *handler) ncDone(w http.ResponseWriter, r *http.Request, a *aims.Actor, err error, d ncData, msg string) {
	if err == nil {
		h.flash(r.Context(), msg)
		seeOther(w, r, "/nonconformities/"+r.PathValue("ref"))
		return
	}
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	d.Errs = fe
	h.showNC(w, r, a, status, d)
}

func (h *handler) ncUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := ncFormFrom(r.PostForm)
	clauses, controls, systems := incidentWords(f.Clauses), incidentWords(f.Controls), incidentWords(f.Systems)
	_, err := h.Nonconformities.Update(r.Context(), a, r.PathValue("ref"), nonconformity.UpdateRequest{Version: formInt(f.Version),
		Title: &f.Title, Description: &f.Description, Severity: &f.Severity, SourceRef: &f.SourceRef, Clauses: &clauses, Controls: &controls,
		Systems: &systems, Correction: &f.Correction, RootCause: &f.RootCause, RCAMethod: &f.RCAMethod, Similar: &f.Similar})
	h.ncDone(w, r, a, err, ncData{Form: f, ErrsFor: "handling"}, "Your changes are saved.")
}

func (h *handler) ncAddAction(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := ncActionForm{Description: r.PostForm.Get("description"), OwnerID: r.PostForm.Get("owner_id"), DueOn: r.PostForm.Get("due_on")}
	act, err := h.Nonconformities.AddAction(r.Context(), a, r.PathValue("ref"), nonconformity.ActionRequest(f))
	msg := ""
	if err == nil {
		msg = act.Ref + " is planned, due " + act.DueOn + "."
	}
	h.ncDone(w, r, a, err, ncData{Action: f, ErrsFor: "action"}, msg)
}

func (h *handler) ncActionDone(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	done, doneOn, note := nonconformity.ActionStatusDone, r.PostForm.Get("done_on"), r.PostForm.Get("note")
	act, err := h.Nonconformities.UpdateAction(r.Context(), a, r.PathValue("ref"), formInt(r.PathValue("number")),
		nonconformity.ActionUpdate{Version: formInt(r.PostForm.Get("version")), Status: &done, DoneOn: &doneOn, Note: &note})
	msg := ""
	if err == nil {
		msg = act.Ref + " is done."
	}
	h.ncDone(w, r, a, err, ncData{ErrsFor: "done-" + r.PathValue("number")}, msg)
}

func (h *handler) ncCheck(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	c, err := h.Nonconformities.AddCheck(r.Context(), a, r.PathValue("ref"), nonconformity.CheckRequest{CheckedOn: r.PostForm.Get("checked_on"),
		Effective: r.PostForm.Get("effective") == "yes", Evidence: incidentWords(r.PostForm.Get("evidence")), Notes: r.PostForm.Get("notes")})
	msg := ""
	if err == nil && c.Effective {
		msg = c.Ref + " found the actions effective: the nonconformity can be closed."
	} else if err == nil {
		msg = c.Ref + " found the actions not effective: plan further corrective actions."
	}
	h.ncDone(w, r, a, err, ncData{ErrsFor: "check"}, msg)
}

func (h *handler) ncClose(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	n, err := h.Nonconformities.Close(r.Context(), a, r.PathValue("ref"), nonconformity.CloseRequest{Version: formInt(r.PostForm.Get("version")),
		AIMSChangeNeeded: r.PostForm.Get("aims_change_needed") == "yes", AIMSChange: r.PostForm.Get("aims_change")})
	msg := ""
	if err == nil {
		msg = n.Ref + " is closed."
	}
	h.ncDone(w, r, a, err, ncData{ErrsFor: "close"}, msg)
}

// ncField is a control of a nonconformity form.
func ncField(prefix, name, label, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + strings.ReplaceAll(name, "_", "-"), Name: name, Label: label, Type: typ, Value: value, Hint: hint,
		Err: errs.For(name), Wide: typ == "textarea"}
}

// ncChoice is a select of an enumeration.
func ncChoice(prefix, name, label, value string, opts []nonconformity.Option, errs formErrors) field {
	f := ncField(prefix, name, label, "select", value, "", errs)
	for _, o := range opts {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Hint: o.Help, Selected: o.Value == value})
	}
	return f
}

// ncOwnerChoice is a select of the organisation's members.
func ncOwnerChoice(prefix, value string, members map[string]string, errs formErrors) field {
	f := ncField(prefix, "owner_id", "Owner", "select", value, "", errs)
	for id, name := range members {
		f.Options = append(f.Options, option{Value: id, Label: name, Selected: id == value})
	}
	ncSortOptions(f.Options)
	return f
}

func ncSortOptions(opts []option) {
	for i := range opts {
		for j := i + 1; j < len(opts); j++ {
			if opts[j].Label < opts[i].Label {
				opts[i], opts[j] = opts[j], opts[i]
			}
		}
	}
}

// ncStatusClass is the badge class of a nonconformity status.
func ncStatusClass(s string) string {
	switch s {
	case nonconformity.StatusClosed:
		return "badge badge-muted"
	case nonconformity.StatusOpen:
		return "badge badge-warn"
	}
	return "badge badge-info"
}

// ncStatusFilter are the status filter's choices.
func ncStatusFilter(current string) []option {
	out := []option{{Value: "", Label: "Any status", Selected: current == ""}, {Value: "unclosed", Label: "Not closed", Selected: current == "unclosed"}}
	for _, o := range nonconformity.Statuses {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == current})
	}
	return out
}
