package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/review"
)

func init() {
	for k, v := range map[string]string{
		review.ActionCreate: "Planned the management review", review.ActionUpdate: "Changed the management review",
		review.ActionSignOff: "Signed off the management review", review.ActionDecisionAdd: "Recorded a review decision",
		review.ActionDecisionRemove: "Removed a review decision", review.ActionActionAdd: "Recorded a review action",
		review.ActionActionUpdate: "Changed a review action", review.ActionActionRemove: "Removed a review action",
	} {
		actionLabels[k] = v
	}
}

// reviewRoutes adds the management review pages.
func (h *handler) reviewRoutes(signed route) {
	signed("GET /reviews", h.reviewList)
	signed("POST /reviews", h.reviewCreate)
	signed("GET /reviews/new", h.reviewNew)
	signed("GET /reviews/{ref}", h.reviewDetail)
	signed("POST /reviews/{ref}", h.reviewUpdate)
	signed("GET /reviews/{ref}/edit", h.reviewEdit)
	signed("GET /reviews/{ref}/minutes.pdf", h.reviewMinutes)
	signed("POST /reviews/{ref}/sign-off", h.reviewSignOff)
	signed("POST /reviews/{ref}/decisions", h.reviewDecisionAdd)
	signed("POST /reviews/{ref}/decisions/{number}/remove", h.reviewDecisionRemove)
	signed("POST /reviews/{ref}/actions", h.reviewActionAdd)
	signed("POST /reviews/{ref}/actions/{number}", h.reviewActionStatus)
	signed("POST /reviews/{ref}/actions/{number}/remove", h.reviewActionRemove)
}

// reviewList lists the management reviews.
func (h *handler) reviewList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	items, err := h.Reviews.List(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sum, err := h.Reviews.Summary(r.Context(), a.OrgID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Management reviews", "reviews", func(v view) templ.Component { return reviewListView(v, items, sum) })
}

// mrForm is the review form as typed.
type mrForm struct {
	Title, PlannedOn, HeldOn, Chair, Guests, Notes, Version string
	Attendees                                               []string
}

func mrFormFrom(v url.Values) mrForm {
	return mrForm{Title: v.Get("title"), PlannedOn: v.Get("planned_on"), HeldOn: v.Get("held_on"), Chair: v.Get("chair"),
		Guests: v.Get("guests"), Notes: v.Get("notes"), Version: v.Get("version"), Attendees: v["attendees"]}
}

func mrFormOf(rv *review.Review) mrForm {
	f := mrForm{Title: rv.Title, PlannedOn: rv.PlannedOn, HeldOn: rv.HeldOn, Chair: rv.Chair.UserID, Guests: strings.Join(rv.Guests, "\n"),
		Notes: rv.Notes, Version: strconv.Itoa(rv.Version)}
	for _, p := range rv.Attendees {
		f.Attendees = append(f.Attendees, p.UserID)
	}
	return f
}

func (f mrForm) guests() []string { return strings.Split(strings.ReplaceAll(f.Guests, "\r", ""), "\n") }

func (f mrForm) request() review.Request {
	return review.Request{Title: f.Title, PlannedOn: f.PlannedOn, HeldOn: f.HeldOn, Chair: f.Chair, Attendees: f.Attendees,
		Guests: f.guests(), Notes: f.Notes}
}

func (f mrForm) update() review.Update {
	attendees, guests := append([]string{}, f.Attendees...), f.guests()
	return review.Update{Version: formInt(f.Version), Title: &f.Title, PlannedOn: &f.PlannedOn, HeldOn: &f.HeldOn, Chair: &f.Chair,
		Attendees: &attendees, Guests: &guests, Notes: &f.Notes}
}

// mrFormData is what the review form shows.
type mrFormData struct {
	// Review is the stored review when editing, nil when planning.
	Review  *review.Review
	Form    mrForm
	Members []identity.Membership
	Errs    formErrors
}

var mrFormFields = []string{"title", "planned_on", "held_on", "chair", "attendees", "guests", "notes"}

// mrLabels name the fields of reviews, decisions and actions.
var mrLabels = map[string]string{"planned_on": "Planned date", "held_on": "Held on", "chair": "Chair", "attendees": "Attendees",
	"guests": "Guests", "notes": "Discussion", "kind": "About", "text": "Decision", "owner": "Owner", "due_on": "Due date",
	"done_on": "Done on", "decisions": "Decisions", "description": "Action"}

func mrLabel(f string) string {
	if l, ok := mrLabels[f]; ok {
		return l
	}
	return fieldLabel(f)
}

// mrSummary lists a form's problems, linking each to its control.
func mrSummary(fe formErrors, prefix string, fields []string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: mrLabel(f.Field) + " " + f.Message}
		for _, on := range fields {
			if on == f.Field {
				it.Href = "#" + prefix + f.Field
			}
		}
		out = append(out, it)
	}
	return out
}

func rvField(prefix, name, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + name, Name: name, Label: mrLabel(name), Type: typ, Value: value, Hint: hint, Err: errs.For(name),
		Wide: typ == "textarea"}
}

func (d mrFormData) action() string {
	if d.Review == nil {
		return "/reviews"
	}
	return "/reviews/" + d.Review.Ref
}

func (d mrFormData) field(name, typ, value, hint string) field {
	f := rvField("review-", name, typ, value, hint, d.Errs)
	f.Required = name == "title" || name == "planned_on" || name == "chair"
	return f
}

// chair is the select of members who may chair: owners and managers.
func (d mrFormData) chair() field {
	f := d.field("chair", "select", d.Form.Chair, "An owner or manager: only the chair signs the review off.")
	f.Options = append(f.Options, option{Value: "", Label: "Choose the chair", Selected: d.Form.Chair == ""})
	for _, m := range d.Members {
		if m.Role == aims.RoleOwner || m.Role == aims.RoleManager {
			f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: m.UserID == d.Form.Chair})
		}
	}
	return f
}

// attendees is the checkbox group of members.
func (d mrFormData) attendees() field {
	f := d.field("attendees", "checkbox", "", "Members who attend.")
	on := map[string]bool{}
	for _, id := range d.Form.Attendees {
		on[id] = true
	}
	for _, m := range d.Members {
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: on[m.UserID]})
	}
	return f
}

func (h *handler) showReviewForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d mrFormData) {
	var err error
	if d.Members, err = h.Identity.ListMembers(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	title := "Plan a management review"
	if d.Review != nil {
		title = "Edit " + d.Review.Ref
	}
	h.show(w, r, status, title, "reviews", func(v view) templ.Component { return reviewFormView(v, d) })
}

// reviewNew shows the form that plans a review, chaired by the person when they may sign off.
func (h *handler) reviewNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActReviewEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	f := mrForm{Title: "Management review " + strconv.Itoa(time.Now().UTC().Year()), Attendees: []string{a.UserID}}
	if identity.Can(a, identity.ActReviewSignOff) {
		f.Chair = a.UserID
	}
	h.showReviewForm(w, r, a, http.StatusOK, mrFormData{Form: f})
}

// reviewCreate plans a review from the posted form.
func (h *handler) reviewCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := mrFormFrom(r.PostForm)
	rv, err := h.Reviews.Create(r.Context(), a, f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showReviewForm(w, r, a, status, mrFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), rv.Ref+" is planned. Its inputs below are compiled from the records; record decisions and actions as the meeting goes.")
	seeOther(w, r, "/reviews/"+rv.Ref)
}

// reviewEdit shows the edit form of a draft review.
func (h *handler) reviewEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActReviewEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	rv, err := h.Reviews.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showReviewForm(w, r, a, http.StatusOK, mrFormData{Review: rv, Form: mrFormOf(rv)})
}

// reviewUpdate saves the edit form; every field is sent, with the version it was based on.
func (h *handler) reviewUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	rv, err := h.Reviews.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := mrFormFrom(r.PostForm)
	updated, err := h.Reviews.Update(ctx, a, rv.ID, f.update())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showReviewForm(w, r, a, status, mrFormData{Review: rv, Form: f, Errs: fe})
		return
	}
	if updated.Version == rv.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+updated.Ref+" are saved (version "+strconv.Itoa(updated.Version)+").")
	}
	seeOther(w, r, "/reviews/"+updated.Ref)
}

// reviewMinutes sends the minutes as PDF.
func (h *handler) reviewMinutes(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	f, err := h.Reviews.Minutes(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("Content-Length", strconv.Itoa(len(f.Data)))
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}
