package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/review"
)

// mrData is what a review's page shows, with its forms as typed and their problems.
type mrData struct {
	Review       *review.Review
	Members      []identity.Membership
	History      []eventView
	Decision     review.DecisionRequest
	DecisionErrs formErrors
	Action       review.ActionRequest
	ActionErrs   formErrors
	SignOff      review.SignOffRequest
	SignOffErrs  formErrors
}

// draft reports whether the review can still change.
func (d mrData) draft() bool { return d.Review.Status == review.StatusDraft }

// isChair reports whether the person is the review's chair and may sign off.
func (d mrData) isChair(v view) bool {
	return v.Actor != nil && v.Actor.UserID == d.Review.Chair.UserID && v.Can(identity.ActReviewSignOff)
}

func (d mrData) decisionKind() field {
	f := rvField("decision-", "kind", "select", d.Decision.Kind, "", d.DecisionErrs)
	for _, o := range review.DecisionKinds {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Hint: o.Help, Selected: o.Value == d.Decision.Kind})
	}
	return f
}

func (d mrData) actionOwner() field {
	f := rvField("action-", "owner", "select", d.Action.Owner, "", d.ActionErrs)
	f.Options = append(f.Options, option{Value: "", Label: "Choose the owner", Selected: d.Action.Owner == ""})
	for _, m := range d.Members {
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: m.UserID == d.Action.Owner})
	}
	return f
}

// reviewDetail shows a review with its inputs, decisions, actions and history.
func (h *handler) reviewDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showReview(w, r, a, http.StatusOK, mrData{Decision: review.DecisionRequest{Kind: "improvement"}})
}

func (h *handler) showReview(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d mrData) {
	ctx := r.Context()
	var err error
	if d.Review, err = h.Reviews.Get(ctx, a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, d.Review.ID, h.Reviews.History); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.SignOff.HeldOn == "" {
		d.SignOff.HeldOn = d.Review.HeldOn
	}
	h.show(w, r, status, d.Review.Ref+" "+d.Review.Title, "reviews", func(v view) templ.Component { return reviewDetailView(v, d) })
}

// reviewProblem shows the review's page with a form's problems, or fails for any other error.
func (h *handler) reviewProblem(w http.ResponseWriter, r *http.Request, a *aims.Actor, err error, d mrData, set func(*mrData, formErrors)) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	set(&d, fe)
	h.showReview(w, r, a, status, d)
}

// reviewSignOff signs the review off as its chair.
func (h *handler) reviewSignOff(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	req := review.SignOffRequest{Version: formInt(r.PostForm.Get("version")), HeldOn: r.PostForm.Get("held_on")}
	rv, err := h.Reviews.SignOff(r.Context(), a, r.PathValue("ref"), req)
	if err != nil {
		h.reviewProblem(w, r, a, err, mrData{SignOff: req}, func(d *mrData, fe formErrors) { d.SignOffErrs = fe })
		return
	}
	h.flash(r.Context(), rv.Ref+" is signed off. Its inputs, decisions and actions are frozen as management saw them.")
	seeOther(w, r, "/reviews/"+rv.Ref)
}

// reviewDecisionAdd records a decision from the form on the review's page.
func (h *handler) reviewDecisionAdd(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	req := review.DecisionRequest{Kind: r.PostForm.Get("kind"), Text: r.PostForm.Get("text")}
	dec, err := h.Reviews.AddDecision(r.Context(), a, r.PathValue("ref"), req)
	if err != nil {
		h.reviewProblem(w, r, a, err, mrData{Decision: req}, func(d *mrData, fe formErrors) { d.DecisionErrs = fe })
		return
	}
	h.flash(r.Context(), dec.Ref+" is recorded.")
	seeOther(w, r, "/reviews/"+r.PathValue("ref")+"#decisions")
}

// reviewDecisionRemove removes a decision of a draft review.
func (h *handler) reviewDecisionRemove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	if err := h.Reviews.RemoveDecision(r.Context(), a, r.PathValue("ref"), formInt(r.PathValue("number"))); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "The decision is removed; the history keeps what it said.")
	seeOther(w, r, "/reviews/"+url.PathEscape(r.PathValue("ref"))+"#decisions")
}

// reviewActionAdd records an action from the form on the review's page.
func (h *handler) reviewActionAdd(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	req := review.ActionRequest{Description: r.PostForm.Get("description"), Owner: r.PostForm.Get("owner"), DueOn: r.PostForm.Get("due_on")}
	act, err := h.Reviews.AddAction(r.Context(), a, r.PathValue("ref"), req)
	if err != nil {
		h.reviewProblem(w, r, a, err, mrData{Action: req}, func(d *mrData, fe formErrors) { d.ActionErrs = fe })
		return
	}
	h.flash(r.Context(), act.Ref+" is recorded.")
	seeOther(w, r, "/reviews/"+act.ReviewRef+"#actions")
}

// reviewActionStatus marks an action done or open again.
func (h *handler) reviewActionStatus(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	status := r.PostForm.Get("status")
	act, err := h.Reviews.UpdateAction(r.Context(), a, r.PathValue("ref"), formInt(r.PathValue("number")),
		review.ActionChange{Version: formInt(r.PostForm.Get("version")), Status: &status})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if act.Status == review.ActionDone {
		h.flash(r.Context(), act.Ref+" is done.")
	} else {
		h.flash(r.Context(), act.Ref+" is open again.")
	}
	seeOther(w, r, "/reviews/"+act.ReviewRef+"#actions")
}

// reviewActionRemove removes an action of a draft review.
func (h *handler) reviewActionRemove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	n := formInt(r.PathValue("number"))
	if err := h.Reviews.RemoveAction(r.Context(), a, r.PathValue("ref"), n, formInt(r.PostForm.Get("version"))); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "Action "+strconv.Itoa(n)+" is removed; the history keeps what it said.")
	seeOther(w, r, "/reviews/"+url.PathEscape(r.PathValue("ref"))+"#actions")
}
