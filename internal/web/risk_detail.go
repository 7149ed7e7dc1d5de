package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/risk"
)

// riskPageData is what a risk's page shows: the risk, its history and the
// forms that assess, treat, act on, accept and close it, as typed.
type riskPageData struct {
	Risk *risk.Risk
	// Criteria are the current criteria, for assessing; Own the version the risk was assessed with.
	Criteria, Own *risk.Criteria
	Members       []identity.Membership
	Controls      []catalog.Control
	History       []eventView
	Assess        riskAssessForm
	Treat         riskTreatForm
	NewAction     riskActionForm
	// Action is a posted form of an existing action with its problems; zero when none.
	Action riskActionForm
	Accept riskAcceptForm
	Close  riskCloseForm
}

// riskAssessForm is the assessment form as typed.
type riskAssessForm struct {
	Likelihood, Impact, NextReview, Version string
	Errs                                    formErrors
	Posted                                  bool
}

// riskTreatForm is the treatment form as typed.
type riskTreatForm struct {
	Option, Plan                       string
	Controls                           []string
	ResidualLikelihood, ResidualImpact string
	Version                            string
	Errs                               formErrors
	Posted                             bool
}

// riskActionForm is an action's form as typed; Number 0 adds one.
type riskActionForm struct {
	Number                                 int
	Description, OwnerID, DueDate, Version string
	Status, CompletedDate                  string
	Errs                                   formErrors
	// Full is set when the whole form was posted, not only a status.
	Full bool
}

// riskAcceptForm is the acceptance form as typed.
type riskAcceptForm struct {
	ValidUntil, Note, Reason, Version string
	Confirmed                         bool
	Errs                              formErrors
}

// riskCloseForm closes or reopens a risk.
type riskCloseForm struct {
	Reason, Version string
	Errs            formErrors
}

// riskDetail shows a risk with its forms and history.
func (h *handler) riskDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showRisk(w, r, a, http.StatusOK, riskPageData{})
}

// showRisk renders a risk's page; the forms of d that were posted stay as typed.
func (h *handler) showRisk(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d riskPageData) {
	ctx := r.Context()
	x, err := h.Risks.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Risk = x
	if d.Criteria, err = h.currentCriteria(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if x.CriteriaVersion > 0 {
		if d.Own, err = h.Risks.CriteriaVersion(ctx, a, x.CriteriaVersion); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Controls, err = h.Catalog.Controls(ctx, a, catalog.ControlQuery{}); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, x.ID, h.Risks.History); err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, m := range d.Members {
		names[m.UserID] = m.Name
	}
	for i := range d.History {
		if l, ok := riskActionLabels[d.History[i].Action]; ok {
			d.History[i].Label = l
		}
		for j := range d.History[i].Changes {
			ch := &d.History[i].Changes[j]
			ch.Label = riskLabel(ch.Field)
			if ch.Field == "accepted_by" && names[ch.After.Text] != "" {
				ch.After.Text = names[ch.After.Text]
			}
		}
	}
	version := strconv.Itoa(x.Version)
	if !d.Assess.Posted {
		d.Assess = riskAssessForm{}
		if x.Inherent != nil && !x.OlderCriteria {
			d.Assess.Likelihood, d.Assess.Impact = strconv.Itoa(x.Inherent.Likelihood), strconv.Itoa(x.Inherent.Impact)
		}
	}
	d.Assess.Version = version
	if !d.Treat.Posted {
		d.Treat = riskTreatForm{Option: x.Treatment.Option, Plan: x.Treatment.Plan}
		for _, c := range x.Treatment.Controls {
			d.Treat.Controls = append(d.Treat.Controls, c.ID)
		}
		if res := x.Treatment.Residual; res != nil {
			d.Treat.ResidualLikelihood, d.Treat.ResidualImpact = strconv.Itoa(res.Likelihood), strconv.Itoa(res.Impact)
		}
	}
	d.Treat.Version, d.NewAction.Version, d.Action.Version, d.Accept.Version, d.Close.Version = version, version, version, version, version
	h.show(w, r, status, x.Ref+" "+x.Title, "risks", func(v view) templ.Component { return riskDetailView(v, d) })
}

// riskFormFailed renders the risk's page with a posted form's problems, or
// fails the request for any other error.
func (h *handler) riskFormFailed(w http.ResponseWriter, r *http.Request, a *aims.Actor, err error, set func(*riskPageData, formErrors)) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	d := riskPageData{}
	set(&d, fe)
	h.showRisk(w, r, a, status, d)
}

// riskDone leaves a message and returns to the risk's page.
func (h *handler) riskDone(w http.ResponseWriter, r *http.Request, x *risk.Risk, msg string) {
	h.flash(r.Context(), msg)
	seeOther(w, r, "/risks/"+x.Ref)
}

// riskAssess saves the assessment form.
func (h *handler) riskAssess(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	f := riskAssessForm{Likelihood: v.Get("likelihood"), Impact: v.Get("impact"), NextReview: v.Get("next_review"), Version: v.Get("version"), Posted: true}
	x, err := h.Risks.Assess(r.Context(), a, r.PathValue("ref"), risk.AssessRequest{Likelihood: formInt(f.Likelihood),
		Impact: formInt(f.Impact), NextReview: f.NextReview, Version: formInt(f.Version)})
	if err != nil {
		h.riskFormFailed(w, r, a, err, func(d *riskPageData, fe formErrors) { f.Errs = fe; d.Assess = f })
		return
	}
	h.riskDone(w, r, x, x.Ref+" is assessed: "+x.Inherent.Level+". Next review on "+x.NextReview+".")
}

// riskTreat saves the treatment form.
func (h *handler) riskTreat(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	f := riskTreatForm{Option: v.Get("option"), Plan: v.Get("plan"), Controls: riskControls(v), ResidualLikelihood: v.Get("residual_likelihood"),
		ResidualImpact: v.Get("residual_impact"), Version: v.Get("version"), Posted: true}
	x, err := h.Risks.SetTreatment(r.Context(), a, r.PathValue("ref"), risk.TreatmentRequest{Option: f.Option, Plan: f.Plan,
		Controls: f.Controls, ResidualLikelihood: formInt(f.ResidualLikelihood), ResidualImpact: formInt(f.ResidualImpact),
		Version: formInt(f.Version)})
	if err != nil {
		h.riskFormFailed(w, r, a, err, func(d *riskPageData, fe formErrors) { f.Errs = fe; d.Treat = f })
		return
	}
	h.riskDone(w, r, x, "The treatment of "+x.Ref+" is saved (plan version "+strconv.Itoa(x.Treatment.PlanVersion)+").")
}

// riskControls reads the controls ticked and those typed as own references.
func riskControls(v url.Values) []string {
	out := append([]string{}, v["controls"]...)
	for _, s := range strings.FieldsFunc(v.Get("controls_other"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		out = append(out, s)
	}
	return out
}

// riskAddAction adds an action to the treatment plan.
func (h *handler) riskAddAction(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	f := riskActionForm{Description: v.Get("description"), OwnerID: v.Get("owner_id"), DueDate: v.Get("due_date"), Version: v.Get("version")}
	x, err := h.Risks.AddAction(r.Context(), a, r.PathValue("ref"), risk.AddActionRequest{Description: f.Description,
		OwnerID: f.OwnerID, DueDate: f.DueDate, Version: formInt(f.Version)})
	if err != nil {
		h.riskFormFailed(w, r, a, err, func(d *riskPageData, fe formErrors) { f.Errs = fe; d.NewAction = f })
		return
	}
	n := x.Treatment.Actions[len(x.Treatment.Actions)-1].Number
	h.riskDone(w, r, x, "Action "+strconv.Itoa(n)+" is added to the treatment plan of "+x.Ref+".")
}

// riskUpdateAction changes an action: its fields, or only its status.
func (h *handler) riskUpdateAction(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		h.fail(w, r, aims.NotFound("action", r.PathValue("n")))
		return
	}
	v := r.PostForm
	f := riskActionForm{Number: n, Version: v.Get("version")}
	req := risk.UpdateActionRequest{Version: formInt(f.Version)}
	opt := func(name string, dst *string) *string {
		if _, ok := v[name]; !ok {
			return nil
		}
		*dst = v.Get(name)
		return dst
	}
	req.Description = opt("description", &f.Description)
	req.OwnerID = opt("owner_id", &f.OwnerID)
	req.DueDate = opt("due_date", &f.DueDate)
	req.Status = opt("status", &f.Status)
	req.CompletedDate = opt("completed_date", &f.CompletedDate)
	f.Full = req.Description != nil
	x, err := h.Risks.UpdateAction(r.Context(), a, r.PathValue("ref"), n, req)
	if err != nil {
		h.riskFormFailed(w, r, a, err, func(d *riskPageData, fe formErrors) { f.Errs = fe; d.Action = f })
		return
	}
	h.riskDone(w, r, x, "Action "+strconv.Itoa(n)+" of "+x.Ref+" is saved.")
}

// riskAccept accepts the residual risk. A refusal because the level is above
// the appetite is shown beside the form, with the status 403.
func (h *handler) riskAccept(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	f := riskAcceptForm{ValidUntil: v.Get("valid_until"), Note: v.Get("note"), Reason: v.Get("above_appetite_reason"),
		Confirmed: v.Get("above_appetite_confirmed") != "", Version: v.Get("version")}
	x, err := h.Risks.Accept(r.Context(), a, r.PathValue("ref"), risk.AcceptRequest{ValidUntil: f.ValidUntil, Note: f.Note,
		AboveAppetiteConfirmed: f.Confirmed, AboveAppetiteReason: f.Reason, Version: formInt(f.Version)})
	if e := aims.AsError(err); err != nil && e.Code == aims.CodeForbidden && len(e.Fields) > 0 {
		f.Errs = formErrors{Message: sentence(e.Message) + ".", Fields: e.Fields}
		h.showRisk(w, r, a, http.StatusForbidden, riskPageData{Accept: f})
		return
	}
	if err != nil {
		h.riskFormFailed(w, r, a, err, func(d *riskPageData, fe formErrors) { f.Errs = fe; d.Accept = f })
		return
	}
	msg := "The residual risk of " + x.Ref + " (" + x.Acceptance.ResidualLevel + ") is accepted until " + x.Acceptance.ValidUntil + "."
	if x.Acceptance.AboveAppetite {
		msg += " It is above the appetite; your reason is recorded."
	}
	h.riskDone(w, r, x, msg)
}

// riskClose closes a risk.
func (h *handler) riskClose(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := riskCloseForm{Reason: r.PostForm.Get("reason"), Version: r.PostForm.Get("version")}
	x, err := h.Risks.Close(r.Context(), a, r.PathValue("ref"), risk.CloseRequest{Reason: f.Reason, Version: formInt(f.Version)})
	if err != nil {
		h.riskFormFailed(w, r, a, err, func(d *riskPageData, fe formErrors) { f.Errs = fe; d.Close = f })
		return
	}
	h.riskDone(w, r, x, x.Ref+" is closed. It stays in the register with its history.")
}

// riskReopen reopens a closed risk.
func (h *handler) riskReopen(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := riskCloseForm{Version: r.PostForm.Get("version")}
	x, err := h.Risks.Reopen(r.Context(), a, r.PathValue("ref"), risk.ReopenRequest{Version: formInt(f.Version)})
	if err != nil {
		h.riskFormFailed(w, r, a, err, func(d *riskPageData, fe formErrors) { f.Errs = fe; d.Close = f })
		return
	}
	h.riskDone(w, r, x, x.Ref+" is open again.")
}

// Fields of the risk page's forms; each form's ids start with its prefix.

func (d riskPageData) assessFields() (likelihood, impact, next field) {
	f := d.Assess
	likelihood = riskField("assess-", "likelihood", "select", "", "", f.Errs)
	likelihood.Required = true
	impact = riskField("assess-", "impact", "select", "", "", f.Errs)
	impact.Required = true
	if c := d.Criteria; c != nil {
		likelihood.Options = riskScaleOptions(c.Likelihood, f.Likelihood, "Choose the likelihood")
		impact.Options = riskScaleOptions(c.Impact, f.Impact, "Choose the impact")
	}
	next = riskField("assess-", "next_review", "date", f.NextReview,
		"Leave empty for the level's review interval from today.", f.Errs)
	return
}

// riskScaleOptions are the steps of a scale as choices.
func riskScaleOptions(steps []risk.ScaleLevel, value, prompt string) []option {
	out := []option{{Value: "", Label: prompt, Selected: value == "" || value == "0"}}
	for i, s := range steps {
		n := strconv.Itoa(i + 1)
		label := n + " " + s.Label
		if s.Description != "" {
			label += ": " + s.Description
		}
		out = append(out, option{Value: n, Label: label, Selected: value == n})
	}
	return out
}

var riskAssessIDs = map[string]string{"likelihood": "assess-likelihood", "impact": "assess-impact", "next_review": "assess-next_review"}

func (d riskPageData) treatFields() (opt, plan, controls, other, resL, resI field) {
	f := d.Treat
	opt = riskField("treat-", "option", "radio", f.Option, "", f.Errs)
	opt.Required = true
	for _, o := range risk.TreatmentOptions {
		opt.Options = append(opt.Options, option{Value: o.Value, Label: o.Label + ": " + o.Help, Selected: f.Option == o.Value})
	}
	plan = riskField("treat-", "plan", "textarea", f.Plan, "What will be done, by whom and how its effect is checked.", f.Errs)
	plan.Rows = 3
	controls = riskField("treat-", "controls", "checkbox", "", "The controls of Annex A, and your own, that treat the risk.", f.Errs)
	ticked := map[string]bool{}
	for _, c := range f.Controls {
		ticked[strings.ToUpper(strings.TrimSpace(c))] = true
	}
	for _, c := range d.Controls {
		controls.Options = append(controls.Options, option{Value: c.ID, Label: c.ID + " " + c.Title, Selected: ticked[c.ID]})
		delete(ticked, c.ID)
	}
	var rest []string
	for _, c := range f.Controls {
		if ticked[strings.ToUpper(strings.TrimSpace(c))] {
			rest = append(rest, c)
		}
	}
	other = riskField("treat-", "controls_other", "text", strings.Join(rest, ", "), "Other controls by id, separated by commas.", f.Errs)
	other.Label = "Other controls"
	resL = riskField("treat-", "residual_likelihood", "select", "", "", f.Errs)
	resI = riskField("treat-", "residual_impact", "select", "", "", f.Errs)
	if c := d.Own; c != nil {
		resL.Options = riskScaleOptions(c.Likelihood, f.ResidualLikelihood, "Not estimated yet")
		resI.Options = riskScaleOptions(c.Impact, f.ResidualImpact, "Not estimated yet")
	}
	return
}

var riskTreatIDs = map[string]string{"option": "treat-option", "plan": "treat-plan", "controls": "treat-controls",
	"residual_likelihood": "treat-residual_likelihood", "residual_impact": "treat-residual_impact"}

// actionForm is the form of an action of the risk: the posted one as
// typed, else its stored values.
func (d riskPageData) actionForm(a risk.Action) riskActionForm {
	stored := riskActionForm{Number: a.Number, Description: a.Description, OwnerID: a.OwnerID, DueDate: a.DueDate, Version: d.NewAction.Version}
	switch {
	case d.Action.Number != a.Number:
		return stored
	case d.Action.Full:
		f := d.Action
		f.Version = d.NewAction.Version
		return f
	}
	stored.Errs = d.Action.Errs
	return stored
}

func (f riskActionForm) prefix() string {
	if f.Number == 0 {
		return "action-new-"
	}
	return "action-" + strconv.Itoa(f.Number) + "-"
}

func (f riskActionForm) ids() map[string]string {
	p := f.prefix()
	return map[string]string{"description": p + "description", "owner_id": p + "owner_id", "due_date": p + "due_date",
		"status": p + "status", "completed_date": p + "completed_date"}
}

func (f riskActionForm) fields(members []identity.Membership, storedOwner string) (desc, owner, due field) {
	desc = riskField(f.prefix(), "description", "text", f.Description, "", f.Errs)
	desc.Required = true
	owner = riskOwnerField(f.prefix(), "owner_id", f.OwnerID, storedOwner, members, "", f.Errs)
	due = riskField(f.prefix(), "due_date", "date", f.DueDate, "", f.Errs)
	return
}

// acceptAbove says whether accepting the risk's residual level needs an
// owner's explicit decision.
func (d riskPageData) acceptAbove() bool {
	x := d.Risk
	return x.Treatment.Residual != nil && x.AboveAppetite
}

// canAccept reports whether the risk has what an acceptance needs.
func (d riskPageData) canAccept() bool {
	x := d.Risk
	return x.Status != risk.StatusClosed && x.Treatment.Option != "" && x.Treatment.Residual != nil
}

func (d riskPageData) acceptFields() (until, note, reason field) {
	f := d.Accept
	until = riskField("accept-", "valid_until", "date", f.ValidUntil, "Leave empty for the review interval of the residual level.", f.Errs)
	note = riskField("accept-", "note", "textarea", f.Note, "Optional: the decision or the meeting that accepted it.", f.Errs)
	note.Rows = 2
	reason = riskField("accept-", "above_appetite_reason", "textarea", f.Reason,
		"Why the organisation accepts a level above its appetite. It is recorded in the audit log.", f.Errs)
	reason.Rows = 3
	return
}

var riskAcceptIDs = map[string]string{"valid_until": "accept-valid_until", "note": "accept-note",
	"above_appetite_reason": "accept-above_appetite_reason", "above_appetite_confirmed": "accept-above_appetite_confirmed",
	"residual_level": "acceptance", "residual": "treat-residual_likelihood"}

// riskAcceptanceClass is the badge class of an acceptance's state.
func riskAcceptanceClass(state string) string {
	switch state {
	case risk.AcceptanceValid:
		return "badge badge-ok"
	case risk.AcceptanceExpired:
		return "badge badge-bad"
	}
	return "badge badge-warn"
}

// riskObjectiveTexts words a risk's objectives.
func riskObjectiveTexts(ns []risk.Named) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Text()
	}
	return out
}
