package web

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/risk"
)

// riskAssessmentsData is what the list of risk assessments shows.
type riskAssessmentsData struct {
	Items   []risk.AssessmentSummary
	Systems []aisystem.System
	Open    riskOpenForm
}

// riskOpenForm opens an assessment, as typed.
type riskOpenForm struct {
	Name, Scope, Note string
	Systems           []string
	Errs              formErrors
}

func (f riskOpenForm) fields(systems []aisystem.System) (name, scope, sys, note field) {
	name = riskField("open-", "name", "text", f.Name, "Such as Annual 2026, or the change that calls for it.", f.Errs)
	name.Required = true
	scope = riskField("open-", "scope", "radio", f.Scope, "", f.Errs)
	scope.Options = []option{{Value: risk.ScopeAll, Label: "Every risk of the register", Selected: f.Scope == "" || f.Scope == risk.ScopeAll},
		{Value: risk.ScopeSystems, Label: "The risks of the AI systems chosen below", Selected: f.Scope == risk.ScopeSystems}}
	sys = riskField("open-", "systems", "checkbox", "", "", f.Errs)
	ticked := map[string]bool{}
	for _, s := range f.Systems {
		ticked[strings.ToUpper(s)] = true
	}
	for _, s := range systems {
		sys.Options = append(sys.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: ticked[s.Ref]})
	}
	note = riskField("open-", "note", "textarea", f.Note, "Why the assessment is made: planned, or the change that triggers it (ISO/IEC 42001 8.2).", f.Errs)
	note.Rows = 2
	return
}

var riskOpenIDs = map[string]string{"name": "open-name", "scope": "open-scope", "systems": "open-systems", "note": "open-note"}

// riskAssessments lists the risk assessments and offers to open one.
func (h *handler) riskAssessments(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showAssessments(w, r, a, http.StatusOK, riskOpenForm{})
}

func (h *handler) showAssessments(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, f riskOpenForm) {
	d := riskAssessmentsData{Open: f}
	var err error
	if d.Items, err = h.Risks.Assessments(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Systems, err = h.riskSystems(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Risk assessments", "risks", func(v view) templ.Component { return riskAssessmentsView(v, d) })
}

// riskAssessmentOpen opens an assessment from the posted form.
func (h *handler) riskAssessmentOpen(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	f := riskOpenForm{Name: v.Get("name"), Scope: v.Get("scope"), Note: v.Get("note"), Systems: v["systems"]}
	req := risk.OpenAssessmentRequest{Name: f.Name, Scope: f.Scope, Note: f.Note}
	if f.Scope == risk.ScopeSystems {
		req.Systems = f.Systems
	}
	x, err := h.Risks.OpenAssessment(r.Context(), a, req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showAssessments(w, r, a, status, f)
		return
	}
	h.flash(r.Context(), x.Ref+" "+x.Name+" is open. Review the risks in its scope, then close it to record their state.")
	seeOther(w, r, "/risk-assessments/"+x.Ref)
}

// riskAssessmentData is what an assessment's page shows.
type riskAssessmentData struct {
	A     *risk.Assessment
	Close riskCloseAssessmentForm
}

// riskCloseAssessmentForm closes an assessment, as typed.
type riskCloseAssessmentForm struct {
	Note string
	Errs formErrors
}

func (f riskCloseAssessmentForm) field() field {
	fl := riskField("close-", "note", "textarea", f.Note, "Optional: the conclusion of the assessment.", f.Errs)
	fl.Rows = 3
	return fl
}

// riskAssessmentDetail shows an assessment: open with its live risks, or
// closed with its frozen results and checkpoint.
func (h *handler) riskAssessmentDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showAssessment(w, r, a, http.StatusOK, riskCloseAssessmentForm{})
}

func (h *handler) showAssessment(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, f riskCloseAssessmentForm) {
	x, err := h.Risks.Assessment(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := riskAssessmentData{A: x, Close: f}
	h.show(w, r, status, x.Ref+" "+x.Name, "risks", func(v view) templ.Component { return riskAssessmentView(v, d) })
}

// riskAssessmentClose closes an assessment.
func (h *handler) riskAssessmentClose(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := riskCloseAssessmentForm{Note: r.PostForm.Get("note")}
	x, err := h.Risks.CloseAssessment(r.Context(), a, r.PathValue("ref"), risk.CloseAssessmentRequest{Note: f.Note})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showAssessment(w, r, a, status, f)
		return
	}
	h.flash(r.Context(), x.Ref+" is closed: the state of "+plural(int64(len(x.Risks)), "risk", "risks")+
		" is recorded, with an audit checkpoint that covers the closing.")
	seeOther(w, r, "/risk-assessments/"+x.Ref)
}

// riskAssessmentExport downloads a closed assessment.
func (h *handler) riskAssessmentExport(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	f, err := h.Risks.ExportAssessment(r.Context(), a, r.PathValue("ref"), r.URL.Query().Get("format"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	riskDownload(w, f)
}

// riskCompareData is what the comparison page shows.
type riskCompareData struct {
	Closed   []risk.AssessmentSummary
	From, To string
	Result   *risk.Comparison
	Errs     formErrors
}

// riskAssessmentCompare compares two closed assessments; by default the
// two latest.
func (h *handler) riskAssessmentCompare(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	all, err := h.Risks.Assessments(ctx, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := riskCompareData{From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	for _, s := range all {
		if s.Status == risk.AssessmentClosed {
			d.Closed = append(d.Closed, s)
		}
	}
	if d.From == "" && d.To == "" && len(d.Closed) >= 2 {
		d.From, d.To = d.Closed[1].Ref, d.Closed[0].Ref
	}
	status := http.StatusOK
	if d.From != "" || d.To != "" {
		d.Result, err = h.Risks.CompareAssessments(ctx, a, d.From, d.To)
		if err != nil {
			fe, st, ok := formProblem(err)
			if !ok && aims.CodeOf(err) != aims.CodeNotFound {
				h.fail(w, r, err)
				return
			}
			if !ok {
				fe, st = formErrors{Message: sentence(aims.AsError(err).Message) + "."}, http.StatusNotFound
			}
			d.Errs, status = fe, st
		}
	}
	h.show(w, r, status, "Compare risk assessments", "risks", func(v view) templ.Component { return riskCompareView(v, d) })
}

// riskAssessmentOptions are the closed assessments as choices of a side.
func riskAssessmentOptions(items []risk.AssessmentSummary, chosen string) []option {
	out := []option{{Value: "", Label: "Choose an assessment", Selected: chosen == ""}}
	for _, s := range items {
		out = append(out, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, chosen)})
	}
	return out
}

// riskCompareValue words a compared field's value.
func riskCompareValue(field, v string) string {
	switch field {
	case "status":
		return risk.Label(risk.Statuses, v)
	case "option":
		return risk.Label(risk.TreatmentOptions, v)
	}
	return v
}

// riskScopeWords words an assessment's scope.
func riskScopeWords(a *risk.Assessment) string {
	if a.Scope != risk.ScopeSystems {
		return "Scope: every risk"
	}
	var refs []string
	for _, s := range a.Systems {
		refs = append(refs, s.Ref+" "+s.Name)
	}
	return "Scope: the risks of " + strings.Join(refs, ", ")
}
