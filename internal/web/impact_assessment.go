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
	"github.com/aims-dev/aims/internal/impact"
)

// impactPageData is what an assessment's page shows, with its forms as typed.
type impactPageData struct {
	A        *impact.Assessment
	Versions []impact.VersionSummary
	History  []eventView
	Answers  answersForm
	Add      impactForm
	Review   reviewForm
	// ImpactsErrs is the problem of an action on one impact of the table.
	ImpactsErrs formErrors
}

// modelVersionHref links to the model version a key such as MDL-1@1.4.0 names.
func modelVersionHref(key string) string {
	ref, label, _ := strings.Cut(key, "@")
	return "/models/" + url.PathEscape(ref) + "/versions/" + url.PathEscape(label)
}

// answersForm is the questionnaire as typed.
type answersForm struct {
	Title    string
	Residual string
	Version  string
	Values   map[string]string
	Errs     formErrors
	// Typed tells a form sent back with problems from one filled from the record.
	Typed bool
}

// impactForm is an impact's form as typed.
type impactForm struct {
	Group, Harm, Severity, Likelihood, Reversibility, Scale, Mitigation, Version string
	Errs                                                                         formErrors
}

// reviewForm is the submission, approval or return form as typed; Which says which was sent.
type reviewForm struct {
	Which      string
	Note       string
	NextReview string
	Errs       formErrors
}

// impactPage shows an assessment: its questionnaire, impacts, review and history.
func (h *handler) impactPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showImpact(w, r, a, http.StatusOK, impactPageData{})
}

// showImpact renders an assessment's page; forms not sent are filled from the record.
func (h *handler) showImpact(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d impactPageData) {
	ctx := r.Context()
	as, err := h.Impact.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.A = as
	if d.Versions, err = h.Impact.Versions(ctx, a, as.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, as.ID, h.Impact.History); err != nil {
		h.fail(w, r, err)
		return
	}
	if !d.Answers.Typed {
		d.Answers = answersForm{Title: as.Title, Residual: as.ResidualConcerns, Values: as.Answers}
	}
	d.Answers.Version = strconv.Itoa(as.Version)
	if d.Review.NextReview == "" {
		d.Review.NextReview = time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	}
	h.show(w, r, status, as.Ref+" "+as.Title, "impact", func(v view) templ.Component { return impactPageView(v, d) })
}

// impactSave saves the questionnaire: the title, the answers sent and the residual concerns.
func (h *handler) impactSave(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := answersForm{Title: r.PostForm.Get("title"), Residual: r.PostForm.Get("residual_concerns"), Values: map[string]string{}, Typed: true}
	req := impact.UpdateRequest{Version: formInt(r.PostForm.Get("version")), Title: &f.Title, ResidualConcerns: &f.Residual, Answers: map[string]string{}}
	for k, vs := range r.PostForm {
		if id, ok := strings.CutPrefix(k, "a."); ok && len(vs) > 0 {
			req.Answers[id], f.Values[id] = vs[0], vs[0]
		}
	}
	as, err := h.Impact.Update(r.Context(), a, r.PathValue("ref"), req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showImpact(w, r, a, status, impactPageData{Answers: f})
		return
	}
	msg := "Your answers are saved."
	if len(as.Missing) == 0 {
		msg += " Every required question is answered: you can submit the assessment for review."
	}
	h.flash(r.Context(), msg)
	seeOther(w, r, assessmentPath(as.Ref))
}

// impactFormFrom reads a posted impact form.
func impactFormFrom(v url.Values) impactForm {
	return impactForm{Group: v.Get("group"), Harm: v.Get("harm"), Severity: v.Get("severity"), Likelihood: v.Get("likelihood"),
		Reversibility: v.Get("reversibility"), Scale: v.Get("scale"), Mitigation: v.Get("mitigation"), Version: v.Get("version")}
}

func (f impactForm) request() impact.ImpactRequest {
	return impact.ImpactRequest{Group: f.Group, Harm: f.Harm, Severity: f.Severity, Likelihood: f.Likelihood,
		Reversibility: f.Reversibility, Scale: f.Scale, Mitigation: f.Mitigation, Version: formInt(f.Version)}
}

// impactAdd adds an impact from the form below the table.
func (h *handler) impactAdd(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := impactFormFrom(r.PostForm)
	ref := strings.ToUpper(r.PathValue("ref"))
	i, err := h.Impact.AddImpact(r.Context(), a, ref, f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showImpact(w, r, a, status, impactPageData{Add: f})
		return
	}
	h.flash(r.Context(), "Impact #"+strconv.Itoa(i.Number)+" is added.")
	seeOther(w, r, assessmentPath(ref)+"#impacts")
}

// impactEditData is what an impact's page shows.
type impactEditData struct {
	A    *impact.Assessment
	I    *impact.Impact
	Form impactForm
	Link linkForm
}

// linkForm links an impact to a risk of the register, as typed.
type linkForm struct {
	Risk string
	Errs formErrors
}

// impactEdit shows an impact's form and its risks.
func (h *handler) impactEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showImpactEdit(w, r, a, http.StatusOK, impactEditData{})
}

func (h *handler) showImpactEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d impactEditData) {
	as, err := h.Impact.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	i, ok := as.Impact(r.PathValue("n"))
	if !ok {
		h.fail(w, r, aims.NotFound("impact", r.PathValue("n")))
		return
	}
	d.A, d.I = as, i
	if d.Form.Version == "" && !d.Form.Errs.Any() {
		d.Form = impactForm{Group: i.Group, Harm: i.Harm, Severity: i.Severity, Likelihood: i.Likelihood, Reversibility: i.Reversibility,
			Scale: i.Scale, Mitigation: i.Mitigation, Version: strconv.Itoa(i.Version)}
	}
	h.show(w, r, status, "Impact #"+strconv.Itoa(i.Number)+" of "+as.Ref, "impact", func(v view) templ.Component { return impactEditView(v, d) })
}

// impactUpdate saves an impact's form.
func (h *handler) impactUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := impactFormFrom(r.PostForm)
	ref := strings.ToUpper(r.PathValue("ref"))
	i, err := h.Impact.UpdateImpact(r.Context(), a, ref, r.PathValue("n"), f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showImpactEdit(w, r, a, status, impactEditData{Form: f})
		return
	}
	h.flash(r.Context(), "Impact #"+strconv.Itoa(i.Number)+" is saved.")
	seeOther(w, r, assessmentPath(ref)+"#impacts")
}

// impactRemove removes an impact.
func (h *handler) impactRemove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ref, n := strings.ToUpper(r.PathValue("ref")), r.PathValue("n")
	if err := h.Impact.RemoveImpact(r.Context(), a, ref, n, formInt(r.PostForm.Get("version"))); err != nil {
		h.impactsProblem(w, r, a, err)
		return
	}
	h.flash(r.Context(), "Impact #"+strings.TrimPrefix(n, "#")+" is removed; the risks it raised stay in the register.")
	seeOther(w, r, assessmentPath(ref)+"#impacts")
}

// impactsProblem shows the page with the problem of an action on the
// impacts table, or the error page for anything else.
func (h *handler) impactsProblem(w http.ResponseWriter, r *http.Request, a *aims.Actor, err error) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	if fe.Message == "" || aims.CodeOf(err) == aims.CodeInvalid {
		fe.Message = sentence(aims.AsError(err).Error()) + "."
	}
	h.showImpact(w, r, a, status, impactPageData{ImpactsErrs: fe})
}

// impactCreateRisk raises a risk in the register from an impact.
func (h *handler) impactCreateRisk(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ref := strings.ToUpper(r.PathValue("ref"))
	i, err := h.Impact.CreateRisk(r.Context(), a, ref, r.PathValue("n"), impact.RiskCreateRequest{})
	if err != nil {
		h.impactsProblem(w, r, a, err)
		return
	}
	rk := i.Risks[len(i.Risks)-1]
	h.flash(r.Context(), rk.Ref+" "+rk.Title+" is recorded in the risk register and linked to impact #"+strconv.Itoa(i.Number)+".")
	seeOther(w, r, assessmentPath(ref)+"#impact-"+strconv.Itoa(i.Number))
}

// impactLinkRisk links an impact to a risk already in the register.
func (h *handler) impactLinkRisk(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ref := strings.ToUpper(r.PathValue("ref"))
	f := linkForm{Risk: r.PostForm.Get("risk")}
	i, err := h.Impact.LinkRisk(r.Context(), a, ref, r.PathValue("n"), impact.LinkRequest{Risk: f.Risk})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showImpactEdit(w, r, a, status, impactEditData{Link: f})
		return
	}
	h.flash(r.Context(), "Impact #"+strconv.Itoa(i.Number)+" is linked to "+strings.ToUpper(strings.TrimSpace(f.Risk))+".")
	seeOther(w, r, assessmentPath(ref)+"#impact-"+strconv.Itoa(i.Number))
}

// impactSubmit submits the assessment for review.
func (h *handler) impactSubmit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.decide(w, r, a, "submit")
}

// impactReturn sends the assessment back to draft.
func (h *handler) impactReturn(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.decide(w, r, a, "return")
}

// impactApprove approves the assessment as its next version.
func (h *handler) impactApprove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.decide(w, r, a, "approve")
}

// decide sends one of the review forms.
func (h *handler) decide(w http.ResponseWriter, r *http.Request, a *aims.Actor, which string) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	ref := strings.ToUpper(r.PathValue("ref"))
	f := reviewForm{Which: which, Note: r.PostForm.Get("note"), NextReview: r.PostForm.Get("next_review_date")}
	version := formInt(r.PostForm.Get("version"))
	var err error
	var msg, to string
	switch which {
	case "submit":
		_, err = h.Impact.Submit(ctx, a, ref, impact.ReviewRequest{Version: version, Note: f.Note})
		msg, to = ref+" is submitted for review. An owner or manager approves it or sends it back.", assessmentPath(ref)
	case "return":
		_, err = h.Impact.Return(ctx, a, ref, impact.ReviewRequest{Version: version, Note: f.Note})
		msg, to = ref+" is sent back to draft with your note.", assessmentPath(ref)
	default:
		var v *impact.Version
		v, err = h.Impact.Approve(ctx, a, ref, impact.ApproveRequest{Version: version, Note: f.Note, NextReviewDate: f.NextReview})
		if err == nil {
			msg = "Version " + strconv.Itoa(v.Number) + " of " + ref + " is approved; its next review is due on " + v.NextReviewDate +
				". The audit checkpoint signed with it covers " + plural(v.Checkpoint.Size, "entry", "entries") + " of the audit log, the approval last."
			to = assessmentPath(ref) + "/versions/" + strconv.Itoa(v.Number)
		}
	}
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showImpact(w, r, a, status, impactPageData{Review: f})
		return
	}
	h.flash(ctx, msg)
	seeOther(w, r, to)
}

// impactVersion shows an approved version, read-only.
func (h *handler) impactVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		h.fail(w, r, aims.NotFound("version of the impact assessment", r.PathValue("n")))
		return
	}
	v, err := h.Impact.Version(r.Context(), a, r.PathValue("ref"), n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, v.AssessmentRef+", version "+strconv.Itoa(n), "impact", func(vw view) templ.Component { return impactVersionView(vw, v) })
}

// impactExport downloads an assessment as PDF: the version in the path, or the current content.
func (h *handler) impactExport(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n := 0
	if s := r.PathValue("n"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			h.fail(w, r, aims.NotFound("version of the impact assessment", s))
			return
		}
	}
	f, err := h.Impact.Export(r.Context(), a, r.PathValue("ref"), n)
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
