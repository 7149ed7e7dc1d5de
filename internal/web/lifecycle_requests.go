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
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/tlog"
)

// stageData is the page that requests a move of a system: the stage
// chosen, what the move needs now, and the request form as typed.
type stageData struct {
	Sys    *aisystem.System
	Gates  *lifecycle.Gates
	Checks *lifecycle.Checks
	// Open is the system's open request, which must be decided first.
	Open *lifecycle.StageRequest
	Form stageForm
	Errs formErrors
}

// stageForm is the request form as typed.
type stageForm struct {
	To, Justification, Plan string
}

// stageOptions are the stages a system can move into.
func (d stageData) stageOptions() []option {
	out := []option{{Value: "", Label: "Choose a stage", Selected: d.Form.To == ""}}
	for _, o := range lifecycle.Stages {
		if o.Value == d.Sys.LifecycleStage {
			continue
		}
		label := o.Label
		if n := len(d.Gates.Gate(o.Value)); n > 0 {
			label += " (" + strconv.Itoa(n) + " requirement" + map[bool]string{true: "", false: "s"}[n == 1] + ")"
		}
		out = append(out, option{Value: o.Value, Label: label, Selected: o.Value == d.Form.To})
	}
	return out
}

// needsPlan reports whether the chosen stage's gate asks for a retirement plan.
func (d stageData) needsPlan() bool {
	for _, r := range d.Gates.Gate(d.Form.To) {
		if r.Kind == lifecycle.KindRetirementPlan {
			return true
		}
	}
	return false
}

// stagePage shows what a move into the chosen stage needs, and the request form.
func (h *handler) stagePage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showStage(w, r, a, http.StatusOK, stageForm{To: r.URL.Query().Get("to")}, formErrors{})
}

// showStage renders the stage page with the form as typed and its problems.
func (h *handler) showStage(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, f stageForm, errs formErrors) {
	ctx := r.Context()
	sys, err := h.Systems.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := stageData{Sys: sys, Form: f, Errs: errs}
	if d.Gates, err = h.Lifecycle.Gates(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	open, err := h.Lifecycle.Requests(ctx, a, lifecycle.RequestQuery{System: sys.ID, Status: lifecycle.RequestOpen, Limit: 1})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(open.Items) > 0 {
		d.Open = &open.Items[0]
	}
	if f.To != "" {
		d.Checks, err = h.Lifecycle.Preview(ctx, a, sys.Ref, lifecycle.CheckQuery{To: f.To, Plan: f.Plan})
		if err != nil {
			fe, st, ok := formProblem(err)
			if !ok {
				h.fail(w, r, err)
				return
			}
			if !d.Errs.Any() {
				d.Errs, status = fe, st
			}
		}
	}
	h.show(w, r, status, "Move "+sys.Ref+" to another stage", "systems", func(v view) templ.Component { return stageView(v, d) })
}

// stageRequestCreate records a request to move the system.
func (h *handler) stageRequestCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	f := stageForm{To: v.Get("to"), Justification: v.Get("justification"), Plan: v.Get("plan")}
	req, err := h.Lifecycle.CreateRequest(r.Context(), a, lifecycle.StageRequestCreate{System: r.PathValue("ref"), To: f.To,
		Justification: f.Justification, Plan: f.Plan})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showStage(w, r, a, status, f, fe)
		return
	}
	msg := req.Ref + " asks to move " + req.SystemRef + " into " + stageLabel(req.To) + "."
	if req.Checks != nil && !req.Checks.Met {
		msg += " It waits until every requirement below is met."
	}
	h.flash(r.Context(), msg)
	seeOther(w, r, "/lifecycle/requests/"+req.Ref)
}

// requestListData is the list of stage-move requests.
type requestListData struct {
	Query   lifecycle.RequestQuery
	Page    *lifecycle.RequestPage
	Systems []aisystem.System
	Errs    formErrors
}

// stageRequestList lists the stage-move requests, filtered.
func (h *handler) stageRequestList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v := r.URL.Query()
	d := requestListData{Query: lifecycle.RequestQuery{System: v.Get("system"), Status: v.Get("status"), Limit: 200}}
	var err error
	if d.Systems, err = h.riskSystems(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if d.Page, err = h.Lifecycle.Requests(r.Context(), a, d.Query); err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Stage moves", "systems", func(v view) templ.Component { return requestListView(v, d) })
}

// requestData is a stage-move request's page with its decision forms as typed.
type requestData struct {
	Req *lifecycle.StageRequest
	// Requester is true when the person viewing asked for the move.
	Requester bool
	// Posted names the form that was posted with problems: approve, refuse, override or withdraw.
	Posted  string
	Note    string
	Errs    formErrors
	History []eventView
}

// errsFor are the problems of one of the page's forms.
func (d requestData) errsFor(form string) formErrors {
	if d.Posted == form {
		return d.Errs
	}
	return formErrors{}
}

// noteFor is what was typed in one of the page's forms.
func (d requestData) noteFor(form string) string {
	if d.Posted == form {
		return d.Note
	}
	return ""
}

// orphan reports whether the posted form's problems have no form on the
// page to show them, as when a manager tries an override or the request
// was decided meanwhile; the page shows them at its top.
func (d requestData) orphan(v view) bool {
	open := d.Req.Status == lifecycle.RequestOpen
	met := d.Req.Checks != nil && d.Req.Checks.Met
	switch d.Posted {
	case "":
		return false
	case "approve", "refuse":
		return !open || !canDecide(v)
	case "override":
		return !open || met || !v.Can(identity.ActGateOverride)
	}
	return !open || !d.Requester
}

// stageRequestPage shows a request with its checks and decision forms.
func (h *handler) stageRequestPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showRequest(w, r, a, http.StatusOK, requestData{})
}

// showRequest renders a request's page; d carries a posted form's problems.
func (h *handler) showRequest(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d requestData) {
	var err error
	if d.Req, err = h.Lifecycle.GetRequest(r.Context(), a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Requester = d.Req.RequestedBy == tlog.ActorOf(a).ID
	if d.History, err = h.history(r, a, d.Req.ID, h.Lifecycle.RequestHistory); err != nil {
		h.fail(w, r, err)
		return
	}
	d.History = lifecycleHistory(d.History)
	h.show(w, r, status, d.Req.Ref+" "+d.Req.SystemRef+" into "+stageLabel(d.Req.To), "systems",
		func(v view) templ.Component { return requestView(v, d) })
}

// stageRequestDecide approves, overrides, refuses or withdraws a request.
func (h *handler) stageRequestDecide(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx, ref, verb := r.Context(), r.PathValue("ref"), r.PathValue("verb")
	v := r.PostForm
	version, note := formInt(v.Get("version")), v.Get("note")
	var req *lifecycle.StageRequest
	var err error
	switch verb {
	case "approve":
		req, err = h.Lifecycle.ApproveRequest(ctx, a, ref, lifecycle.DecisionRequest{Version: version, Note: note})
	case "override":
		note = v.Get("reason")
		req, err = h.Lifecycle.OverrideRequest(ctx, a, ref, lifecycle.OverrideRequest{Version: version, Reason: note})
	case "refuse":
		req, err = h.Lifecycle.RefuseRequest(ctx, a, ref, lifecycle.DecisionRequest{Version: version, Note: note})
	case "withdraw":
		req, err = h.Lifecycle.WithdrawRequest(ctx, a, ref, lifecycle.DecisionRequest{Version: version, Note: note})
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
		h.showRequest(w, r, a, status, requestData{Posted: verb, Note: note, Errs: fe})
		return
	}
	msg := map[string]string{
		"approve":  req.Ref + " is approved: " + req.SystemRef + " is now in " + stageLabel(req.To) + ".",
		"override": req.Ref + " is approved by override: " + req.SystemRef + " is now in " + stageLabel(req.To) + ".",
		"refuse":   req.Ref + " is refused.",
		"withdraw": req.Ref + " is withdrawn.",
	}[verb]
	h.flash(ctx, msg)
	seeOther(w, r, "/lifecycle/requests/"+req.Ref)
}

// decisionForbidden words on the page a refusal that is not about the
// person's role in general, such as withdrawing another's request or an
// override by a manager; ok is false for any other error.
func decisionForbidden(err error) (formErrors, int, bool) {
	e := aims.AsError(err)
	if e.Code != aims.CodeForbidden || strings.HasPrefix(e.Message, "your role does not allow") {
		return formErrors{}, 0, false
	}
	return formErrors{Message: sentence(e.Message) + "."}, http.StatusForbidden, true
}

// canDecide reports whether the person may approve or refuse stage moves.
func canDecide(v view) bool { return v.Can(identity.ActStageDecide) }

// requestStatusClass is the badge class of a request's status.
func requestStatusClass(status string) string {
	switch status {
	case lifecycle.RequestApproved:
		return "badge badge-ok"
	case lifecycle.RequestRefused:
		return "badge badge-bad"
	case lifecycle.RequestWithdrawn:
		return "badge badge-muted"
	}
	return "badge badge-warn"
}

// requestFilterOptions are the choices of the status filter.
func requestFilterOptions(value string) []option {
	out := []option{{Value: "", Label: "Any status", Selected: value == ""}}
	for _, o := range lifecycle.RequestStatuses {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == value})
	}
	return out
}

// stageHref is the stage page with a stage chosen.
func stageHref(systemRef, to string) string {
	return "/systems/" + systemRef + "/stage?" + url.Values{"to": {to}}.Encode()
}
