package web

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/internalaudit"
)

func init() {
	for k, v := range map[string]string{
		internalaudit.ActionProgrammeCreate: "recorded the audit programme",
		internalaudit.ActionProgrammeUpdate: "changed the audit programme",
		internalaudit.ActionPlan:            "planned the internal audit",
		internalaudit.ActionUpdate:          "changed the plan of the internal audit",
		internalaudit.ActionStart:           "started the internal audit",
		internalaudit.ActionRecord:          "recorded a result of the audit checklist",
		internalaudit.ActionReport:          "issued the report of the internal audit",
	} {
		actionLabels[k] = v
	}
}

// internalAuditRoutes adds the pages of the internal audit programme and its audits.
func (h *handler) internalAuditRoutes(signed route) {
	signed("GET /internal-audits", h.internalAuditList)
	signed("POST /internal-audits", h.internalAuditPlan)
	signed("GET /internal-audits/new", h.internalAuditNew)
	signed("GET /internal-audit-programmes/new", h.auditProgrammeNew)
	signed("POST /internal-audit-programmes", h.auditProgrammeCreate)
	signed("GET /internal-audit-programmes/{ref}/edit", h.auditProgrammeEdit)
	signed("POST /internal-audit-programmes/{ref}", h.auditProgrammeUpdate)
	signed("GET /internal-audits/{ref}", h.internalAuditDetail)
	signed("POST /internal-audits/{ref}", h.internalAuditUpdate)
	signed("GET /internal-audits/{ref}/edit", h.internalAuditEdit)
	signed("POST /internal-audits/{ref}/start", h.internalAuditStart)
	signed("POST /internal-audits/{ref}/items/{number}", h.internalAuditRecord)
	signed("POST /internal-audits/{ref}/report", h.internalAuditReport)
}

// internalAuditListData is what the programme page shows.
type internalAuditListData struct {
	Programmes []internalaudit.Programme
	Audits     *internalaudit.AuditPage
}

// internalAuditList shows the programmes of the certification cycles and every audit.
func (h *handler) internalAuditList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	var d internalAuditListData
	var err error
	if d.Programmes, err = h.InternalAudits.ListProgrammes(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Audits, err = h.InternalAudits.List(ctx, a, internalaudit.AuditQuery{Limit: 200, Offset: max(0, formInt(r.URL.Query().Get("offset")))}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Internal audits", "internal-audit", func(v view) templ.Component { return internalAuditListView(v, d) })
}

// auditProgrammeNew shows the form that records a programme.
func (h *handler) auditProgrammeNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActAuditPlan); err != nil {
		h.fail(w, r, err)
		return
	}
	h.showProgrammeForm(w, r, a, http.StatusOK, programmeFormData{})
}

func (h *handler) showProgrammeForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d programmeFormData) {
	var err error
	if d.Members, err = h.Identity.ListMembers(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	title := "Record an audit programme"
	if d.Programme != nil {
		title = "Edit " + d.Programme.Ref
	}
	h.show(w, r, status, title, "internal-audit", func(v view) templ.Component { return programmeFormView(v, d) })
}

// auditProgrammeCreate records a programme from the posted form.
func (h *handler) auditProgrammeCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := programmeFormFrom(r.PostForm)
	g, err := h.InternalAudits.CreateProgramme(r.Context(), a, f.create())
	if err != nil {
		h.formFailed(w, r, err, func(fe formErrors, status int) {
			h.showProgrammeForm(w, r, a, status, programmeFormData{Form: f, Errs: fe})
		})
		return
	}
	h.flash(r.Context(), g.Ref+" is recorded: the cycle runs from "+g.Years[0].From+" to "+g.Years[2].To+". Plan its audits.")
	seeOther(w, r, "/internal-audits")
}

// auditProgrammeEdit shows the edit form of a programme.
func (h *handler) auditProgrammeEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActAuditPlan); err != nil {
		h.fail(w, r, err)
		return
	}
	g, err := h.InternalAudits.GetProgramme(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showProgrammeForm(w, r, a, http.StatusOK, programmeFormData{Programme: g, Form: programmeFormOf(g)})
}

// auditProgrammeUpdate saves the edit form of a programme.
func (h *handler) auditProgrammeUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	g, err := h.InternalAudits.GetProgramme(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := programmeFormFrom(r.PostForm)
	if _, err := h.InternalAudits.UpdateProgramme(r.Context(), a, g.ID, f.update()); err != nil {
		h.formFailed(w, r, err, func(fe formErrors, status int) {
			h.showProgrammeForm(w, r, a, status, programmeFormData{Programme: g, Form: f, Errs: fe})
		})
		return
	}
	h.flash(r.Context(), "Your changes to "+g.Ref+" are saved.")
	seeOther(w, r, "/internal-audits")
}

// formFailed shows the form again for invalid input or a conflict, and the error page otherwise.
func (h *handler) formFailed(w http.ResponseWriter, r *http.Request, err error, again func(formErrors, int)) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	again(fe, status)
}

// internalAuditNew shows the form that plans an audit.
func (h *handler) internalAuditNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActAuditPlan); err != nil {
		h.fail(w, r, err)
		return
	}
	f := auditForm{Criteria: "ISO/IEC 42001:2023 and the organisation's own AIMS requirements: the AI policy, procedures and the Statement of Applicability."}
	gs, err := h.InternalAudits.ListProgrammes(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(gs) > 0 {
		f.Programme = gs[0].Ref
	}
	h.showAuditForm(w, r, a, http.StatusOK, auditFormData{Form: f})
}

func (h *handler) showAuditForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d auditFormData) {
	var err error
	if d.Members, err = h.Identity.ListMembers(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Programmes, err = h.InternalAudits.ListProgrammes(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	title := "Plan an internal audit"
	if d.Audit != nil {
		title = "Edit " + d.Audit.Ref
	}
	h.show(w, r, status, title, "internal-audit", func(v view) templ.Component { return auditFormView(v, d) })
}

// internalAuditPlan plans an audit from the posted form.
func (h *handler) internalAuditPlan(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := auditFormFrom(r.PostForm)
	au, err := h.InternalAudits.Plan(r.Context(), a, f.create())
	if err != nil {
		h.formFailed(w, r, err, func(fe formErrors, status int) { h.showAuditForm(w, r, a, status, auditFormData{Form: f, Errs: fe}) })
		return
	}
	h.flash(r.Context(), au.Ref+" is planned. Its auditor starts it, which generates the checklist.")
	seeOther(w, r, "/internal-audits/"+au.Ref)
}

// internalAuditEdit shows the edit form of an audit's plan.
func (h *handler) internalAuditEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActAuditPlan); err != nil {
		h.fail(w, r, err)
		return
	}
	au, err := h.InternalAudits.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showAuditForm(w, r, a, http.StatusOK, auditFormData{Audit: au, Form: auditFormOf(au)})
}

// internalAuditUpdate saves the edit form of an audit's plan.
func (h *handler) internalAuditUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	au, err := h.InternalAudits.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := auditFormFrom(r.PostForm)
	if _, err := h.InternalAudits.Update(r.Context(), a, au.ID, f.update(au.Status == internalaudit.StatusPlanned)); err != nil {
		h.formFailed(w, r, err, func(fe formErrors, status int) {
			h.showAuditForm(w, r, a, status, auditFormData{Audit: au, Form: f, Errs: fe})
		})
		return
	}
	h.flash(r.Context(), "Your changes to "+au.Ref+" are saved.")
	seeOther(w, r, "/internal-audits/"+au.Ref)
}

// internalAuditDetail shows an audit with its checklist and report.
func (h *handler) internalAuditDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showAudit(w, r, a, http.StatusOK, internalAuditData{})
}

// showAudit renders an audit's page; d carries a form as typed and its problems.
func (h *handler) showAudit(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d internalAuditData) {
	var err error
	if d.Audit, err = h.InternalAudits.Get(r.Context(), a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	d.IsAuditor = a.UserID != "" && a.UserID == d.Audit.Auditor.UserID && identity.Can(a, identity.ActAuditConduct)
	h.show(w, r, status, d.Audit.Ref+" "+d.Audit.Title, "internal-audit", func(v view) templ.Component { return auditDetailView(v, d) })
}

// internalAuditStart starts an audit and generates its checklist.
func (h *handler) internalAuditStart(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	au, err := h.InternalAudits.Start(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.formFailed(w, r, err, func(fe formErrors, status int) { h.showAudit(w, r, a, status, internalAuditData{StartErrs: fe}) })
		return
	}
	h.flash(r.Context(), au.Ref+" has started: its checklist has "+strconv.Itoa(len(au.Items))+" items.")
	seeOther(w, r, "/internal-audits/"+au.Ref+"#checklist")
}

// internalAuditRecord records the result of one checklist item.
func (h *handler) internalAuditRecord(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	n := formInt(r.PathValue("number"))
	f := itemFormFrom(r.PostForm)
	it, err := h.InternalAudits.Record(r.Context(), a, r.PathValue("ref"), n, f.update())
	if err != nil {
		h.formFailed(w, r, err, func(fe formErrors, status int) {
			h.showAudit(w, r, a, status, internalAuditData{ItemNumber: n, Item: f, ItemErrs: fe})
		})
		return
	}
	h.flash(r.Context(), it.Ref+" is recorded: "+internalaudit.Label(internalaudit.Results, it.Result)+".")
	seeOther(w, r, "/internal-audits/"+r.PathValue("ref")+"#item-"+strconv.Itoa(n))
}

// internalAuditReport issues the report of an audit.
func (h *handler) internalAuditReport(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := reportForm{Version: r.PostForm.Get("version"), Summary: r.PostForm.Get("summary"), Conclusion: r.PostForm.Get("conclusion")}
	au, err := h.InternalAudits.Report(r.Context(), a, r.PathValue("ref"),
		internalaudit.ReportRequest{Version: formInt(f.Version), Summary: f.Summary, Conclusion: f.Conclusion})
	if err != nil {
		h.formFailed(w, r, err, func(fe formErrors, status int) {
			h.showAudit(w, r, a, status, internalAuditData{Report: f, ReportErrs: fe})
		})
		return
	}
	h.flash(r.Context(), "The report of "+au.Ref+" is issued with "+strconv.Itoa(len(au.Findings))+" findings. The audit is now frozen.")
	seeOther(w, r, "/internal-audits/"+au.Ref+"#findings")
}
