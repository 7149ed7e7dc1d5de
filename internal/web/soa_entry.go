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
	"github.com/aims-dev/aims/internal/soa"
)

// entryForm is a decision's form as typed: for the organisation, for one
// AI system's override, or for a new override.
type entryForm struct {
	// Key tells the page's forms apart: "org", "new", or a system's reference.
	Key string
	// System is the AI system's reference; empty for the organisation.
	System        string
	Applicable    string
	Justification string
	Status        string
	OwnerID       string
	TargetDate    string
	Version       string
	Errs          formErrors
	// Stored shows the stored decision with these problems, rather than typed values.
	Stored bool
}

// entryFormOf fills a form from a stored decision.
func entryFormOf(key, system string, d *soa.Decision) entryForm {
	f := entryForm{Key: key, System: system, Version: "0"}
	if d != nil {
		f.Applicable = yesNo(d.Applicable)
		f.Justification, f.Status, f.OwnerID, f.TargetDate = d.Justification, d.Status, d.OwnerID, d.TargetDate
		f.Version = strconv.Itoa(d.Version)
	}
	return f
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// entryFormFrom reads a posted decision form.
func entryFormFrom(v url.Values) entryForm {
	f := entryForm{System: strings.TrimSpace(v.Get("system")), Applicable: v.Get("applicable"), Justification: v.Get("justification"),
		Status: v.Get("status"), OwnerID: v.Get("owner_id"), TargetDate: v.Get("target_date"), Version: v.Get("version")}
	switch {
	case v.Get("new") != "":
		f.Key = "new"
	case f.System != "":
		f.Key = strings.ToUpper(f.System)
	default:
		f.Key = "org"
	}
	return f
}

// request is the form as a service request.
func (f entryForm) request() soa.EntryRequest {
	req := soa.EntryRequest{Justification: f.Justification, Status: f.Status, OwnerID: f.OwnerID, TargetDate: f.TargetDate,
		Version: formInt(f.Version)}
	switch f.Applicable {
	case "yes":
		req.Applicable = ptrTo(true)
	case "no":
		req.Applicable = ptrTo(false)
	}
	// A status chosen before switching to "does not apply" is not an error of the person's.
	if f.Applicable == "no" {
		req.Status = ""
	}
	return req
}

func ptrTo[T any](v T) *T { return &v }

// soaControlData is what a control's decision page shows.
type soaControlData struct {
	Entry *soa.Entry
	// Org is the organisation's decision form; Overrides one per AI system
	// with an override; New the form that adds one.
	Org       entryForm
	Overrides []overrideView
	New       entryForm
	Members   []identity.Membership
	// Systems are the active AI systems without an override, for the new override's choice.
	Systems []aisystem.System
	// Prev and Next are the neighbouring controls, for moving along.
	Prev, Next *soa.Entry
}

// overrideView is one override with its form.
type overrideView struct {
	Override soa.Override
	Form     entryForm
}

// soaControl shows a control's decisions and their forms.
func (h *handler) soaControl(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showControl(w, r, a, http.StatusOK, entryForm{})
}

// showControl renders a control's page; posted, when it has a key, is the
// form that was sent, shown as typed with its problems.
func (h *handler) showControl(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, posted entryForm) {
	ctx := r.Context()
	dr, err := h.SoA.Draft(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id := strings.TrimSpace(r.PathValue("id"))
	d := soaControlData{}
	for i := range dr.Entries {
		if strings.EqualFold(dr.Entries[i].ControlID, id) {
			d.Entry = &dr.Entries[i]
			if i > 0 {
				d.Prev = &dr.Entries[i-1]
			}
			if i < len(dr.Entries)-1 {
				d.Next = &dr.Entries[i+1]
			}
		}
	}
	if d.Entry == nil {
		h.fail(w, r, aims.NotFound("control", id))
		return
	}
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.Systems.List(ctx, a, aisystem.ListQuery{Status: aisystem.StatusActive, Sort: "ref", Limit: 200})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	taken := map[string]bool{}
	d.Org = entryFormOf("org", "", d.Entry.Decision)
	for _, o := range d.Entry.Overrides {
		dec := o.Decision
		d.Overrides = append(d.Overrides, overrideView{Override: o, Form: entryFormOf(o.SystemRef, o.SystemRef, &dec)})
		taken[o.SystemID] = true
	}
	for _, s := range page.Items {
		if !taken[s.ID] {
			d.Systems = append(d.Systems, s)
		}
	}
	d.New = entryForm{Key: "new", Version: "0"}
	switch posted.Key {
	case "":
	case "org":
		d.Org = posted
	case "new":
		d.New = posted
	default:
		found := false
		for i := range d.Overrides {
			if strings.EqualFold(d.Overrides[i].Override.SystemRef, posted.Key) {
				found = true
				if posted.Stored {
					d.Overrides[i].Form.Errs = posted.Errs
				} else {
					d.Overrides[i].Form = posted
				}
			}
		}
		if !found && !posted.Stored {
			// The override went away meanwhile: offer the typed values as a new one.
			posted.Key, posted.Version = "new", "0"
			d.New = posted
		}
	}
	e := d.Entry
	h.show(w, r, status, e.ControlID+" "+e.Title, "soa", func(v view) templ.Component { return soaControlView(v, d) })
}

// soaSetEntry saves one of a control's decision forms.
func (h *handler) soaSetEntry(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := entryFormFrom(r.PostForm)
	if f.Key == "new" && f.System == "" {
		f.Errs = formErrors{Message: "Some values need your attention. Correct them and send the form again.",
			Fields: []aims.FieldError{{Field: "system", Message: "is required: choose the AI system"}}}
		h.showControl(w, r, a, http.StatusUnprocessableEntity, f)
		return
	}
	e, err := h.SoA.SetEntry(r.Context(), a, r.PathValue("id"), f.System, f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showControl(w, r, a, status, f)
		return
	}
	what := e.ControlID
	if f.System != "" {
		what += " for " + strings.ToUpper(f.System)
	}
	h.flash(r.Context(), "The decision on "+what+" is saved.")
	seeOther(w, r, "/soa/controls/"+url.PathEscape(e.ControlID))
}

// soaRemoveOverride removes an AI system's override of a control.
func (h *handler) soaRemoveOverride(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	system := r.PathValue("system")
	e, err := h.SoA.RemoveOverride(r.Context(), a, r.PathValue("id"), system, formInt(r.PostForm.Get("version")))
	if err != nil {
		if aims.CodeOf(err) == aims.CodeConflict {
			f := entryForm{Key: strings.ToUpper(system), Stored: true}
			f.Errs, _, _ = formProblem(err)
			h.showControl(w, r, a, http.StatusConflict, f)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "The override for "+strings.ToUpper(system)+" is removed; the organisation's decision on "+e.ControlID+" applies to it again.")
	seeOther(w, r, "/soa/controls/"+url.PathEscape(e.ControlID))
}

// prefix starts the ids of a form's controls, so that several forms can
// share a page: none for the organisation's decision.
func (f entryForm) prefix() string {
	if f.Key == "org" || f.Key == "" {
		return ""
	}
	return strings.ToLower(f.Key) + "-"
}

// ids maps the form's fields to the ids of their controls.
func (f entryForm) ids() map[string]string {
	p := f.prefix()
	out := map[string]string{"applicable": p + "applicable", "justification": p + "justification", "status": p + "status",
		"owner_id": p + "owner_id", "target_date": p + "target_date"}
	if f.Key == "new" {
		out["system"] = p + "system"
	}
	return out
}

// field is one control of the form, labelled and with its problem.
func (f entryForm) field(name, typ, value, hint string) field {
	return field{ID: f.prefix() + name, Name: name, Label: soaLabel(name), Type: typ, Value: value, Hint: hint,
		Err: f.Errs.For(name), Wide: typ == "textarea"}
}

// applicable is the yes/no choice.
func (f entryForm) applicable() field {
	fl := f.field("applicable", "radio", f.Applicable, "")
	fl.Required = true
	fl.Label = "Does the control apply?"
	if f.System != "" || f.Key == "new" {
		fl.Label = "Does the control apply to this AI system?"
	}
	fl.Options = []option{
		{Value: "yes", Label: "Yes, it applies", Selected: f.Applicable == "yes"},
		{Value: "no", Label: "No, it is excluded", Selected: f.Applicable == "no"},
	}
	return fl
}

func (f entryForm) justification() field {
	fl := f.field("justification", "textarea", f.Justification,
		"Why the control is included or excluded. Auditors read this; at most 4000 characters.")
	fl.Required, fl.Rows = true, 4
	return fl
}

func (f entryForm) status() field {
	fl := f.field("status", "select", "", "Required when the control applies; leave it empty when it does not.")
	fl.Options = []option{{Value: "", Label: "No status (the control does not apply)", Selected: f.Status == ""}}
	for _, o := range soa.Statuses {
		fl.Options = append(fl.Options, option{Value: o.Value, Label: o.Label, Selected: o.Value == f.Status})
	}
	return fl
}

// owner is the select of the organisation's members; a former member who
// still owns the decision stays a choice.
func (f entryForm) owner(members []identity.Membership, storedName string) field {
	fl := f.field("owner_id", "select", "", "The person responsible for the control.")
	fl.Options = []option{{Value: "", Label: "No owner yet", Selected: f.OwnerID == ""}}
	found := f.OwnerID == ""
	for _, m := range members {
		label := m.Name + " (" + m.Email + ")"
		sel := m.UserID == f.OwnerID
		found = found || sel
		fl.Options = append(fl.Options, option{Value: m.UserID, Label: label, Selected: sel})
	}
	if !found {
		name := "A former member"
		if storedName != "" {
			name = storedName + " (no longer a member)"
		}
		fl.Options = append(fl.Options, option{Value: f.OwnerID, Label: name, Selected: true})
	}
	return fl
}

func (f entryForm) targetDate() field {
	return f.field("target_date", "date", f.TargetDate, "When the control is to be implemented, if it is not yet.")
}

// system is the choice of AI system for a new override.
func (f entryForm) system(systems []aisystem.System) field {
	fl := f.field("system", "select", "", "The AI system whose decision differs from the organisation's.")
	fl.Required = true
	fl.Options = []option{{Value: "", Label: "Choose an AI system", Selected: f.System == ""}}
	for _, s := range systems {
		fl.Options = append(fl.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, f.System)})
	}
	return fl
}

// ownerNameOf is the stored owner's name of a decision, for a former member.
func ownerNameOf(d *soa.Decision) string {
	if d == nil {
		return ""
	}
	return d.OwnerName
}
