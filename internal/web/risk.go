package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/risk"
)

// riskRoutes adds the risk pages.
func (h *handler) riskRoutes(signed route) {
	signed("GET /risks", h.riskList)
	signed("POST /risks", h.riskCreate)
	signed("GET /risks/new", h.riskNew)
	signed("GET /risks/overview", h.riskOverview)
	signed("GET /risks/export", h.riskExport)
	signed("GET /risks/{ref}", h.riskDetail)
	signed("POST /risks/{ref}", h.riskUpdate)
	signed("GET /risks/{ref}/edit", h.riskEdit)
	signed("POST /risks/{ref}/assess", h.riskAssess)
	signed("POST /risks/{ref}/treatment", h.riskTreat)
	signed("POST /risks/{ref}/actions", h.riskAddAction)
	signed("POST /risks/{ref}/actions/{n}", h.riskUpdateAction)
	signed("POST /risks/{ref}/accept", h.riskAccept)
	signed("POST /risks/{ref}/close", h.riskClose)
	signed("POST /risks/{ref}/reopen", h.riskReopen)

	signed("GET /risk-criteria", h.riskCriteriaPage)
	signed("POST /risk-criteria", h.riskCriteriaSave)
	signed("GET /risk-criteria/versions/{n}", h.riskCriteriaVersion)

	signed("GET /risk-assessments", h.riskAssessments)
	signed("POST /risk-assessments", h.riskAssessmentOpen)
	signed("GET /risk-assessments/compare", h.riskAssessmentCompare)
	signed("GET /risk-assessments/{ref}", h.riskAssessmentDetail)
	signed("POST /risk-assessments/{ref}/close", h.riskAssessmentClose)
	signed("GET /risk-assessments/{ref}/export", h.riskAssessmentExport)
}

// riskListData is what the register's list shows.
type riskListData struct {
	Query    risk.ListQuery
	Page     *risk.Page
	Criteria *risk.Criteria
	Members  []identity.Membership
	Systems  []aisystem.System
	Errs     formErrors
}

// riskList shows the register, searched, filtered, sorted and paged.
func (h *handler) riskList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	d := riskListData{}
	var err error
	if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Systems, err = h.riskSystems(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Criteria, err = h.currentCriteria(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	d.Query, err = riskQueryFrom(r.URL.Query())
	if err == nil {
		d.Page, err = h.Risks.List(ctx, a, d.Query)
	}
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
	h.show(w, r, status, "Risks", "risks", func(v view) templ.Component { return riskListView(v, d) })
}

// riskSystems lists the active AI systems, for choices.
func (h *handler) riskSystems(r *http.Request, a *aims.Actor) ([]aisystem.System, error) {
	page, err := h.Systems.List(r.Context(), a, aisystem.ListQuery{Status: aisystem.StatusActive, Sort: "ref", Limit: 200})
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// currentCriteria reads the current criteria, or nil when there are none.
func (h *handler) currentCriteria(r *http.Request, a *aims.Actor) (*risk.Criteria, error) {
	c, err := h.Risks.Criteria(r.Context(), a)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return nil, nil
	}
	return c, err
}

// riskQueryFrom decodes the list's query parameters and fills the defaults.
func riskQueryFrom(v url.Values) (risk.ListQuery, error) {
	q := risk.ListQuery{Q: v.Get("q"), Status: v.Get("status"), Inherent: v.Get("inherent"), Residual: v.Get("residual"),
		Level: v.Get("level"), System: v.Get("system"), OwnerID: v.Get("owner"), Control: v.Get("control"),
		NoControls: v.Get("no_controls") != "", Sort: v.Get("sort")}
	var p aims.Problems
	number := func(name string, dst *int) {
		if s := v.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				p.Add(name, "must be a whole number")
			}
			*dst = n
		}
	}
	number("limit", &q.Limit)
	number("offset", &q.Offset)
	if err := p.Err(); err != nil {
		return q, err
	}
	return q, q.Normalise()
}

// values are the query's parameters that differ from the defaults.
func (d riskListData) values(q risk.ListQuery) url.Values {
	v := url.Values{}
	set := func(k, val, def string) {
		if val != "" && val != def {
			v.Set(k, val)
		}
	}
	set("q", q.Q, "")
	set("status", q.Status, "open")
	set("inherent", q.Inherent, "")
	set("residual", q.Residual, "")
	set("level", q.Level, "")
	set("system", q.System, "")
	set("owner", q.OwnerID, "")
	set("control", q.Control, "")
	if q.NoControls {
		v.Set("no_controls", "1")
	}
	set("sort", q.Sort, "ref")
	if q.Limit != 0 && q.Limit != 50 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	return v
}

// href is the list's address with the query changed by mod.
func (d riskListData) href(mod func(*risk.ListQuery)) string {
	q := d.Query
	mod(&q)
	if enc := d.values(q).Encode(); enc != "" {
		return "/risks?" + enc
	}
	return "/risks"
}

func (d riskListData) sortHref(key string) string {
	return d.href(func(q *risk.ListQuery) {
		q.Offset = 0
		if q.Sort == key {
			q.Sort = "-" + key
		} else {
			q.Sort = key
		}
	})
}

func (d riskListData) ariaSort(key string) string {
	switch d.Query.Sort {
	case key:
		return "ascending"
	case "-" + key:
		return "descending"
	}
	return ""
}

func (d riskListData) sortMark(key string) string {
	switch d.ariaSort(key) {
	case "ascending":
		return " ▲"
	case "descending":
		return " ▼"
	}
	return ""
}

func (d riskListData) rangeText() string {
	p := d.Page
	if p == nil || p.Total == 0 || len(p.Items) == 0 {
		return "No risks match"
	}
	return strconv.Itoa(p.Offset+1) + "–" + strconv.Itoa(p.Offset+len(p.Items)) + " of " + strconv.Itoa(p.Total)
}

func (d riskListData) prevHref() string {
	if d.Page == nil || d.Page.Offset == 0 {
		return ""
	}
	return d.href(func(q *risk.ListQuery) { q.Offset = max(0, q.Offset-q.Limit) })
}

func (d riskListData) nextHref() string {
	if d.Page == nil || d.Page.Offset+len(d.Page.Items) >= d.Page.Total {
		return ""
	}
	return d.href(func(q *risk.ListQuery) { q.Offset += q.Limit })
}

// cellFilter words the heat-map cell the list is narrowed to, if any.
func (d riskListData) cellFilter() string {
	word := func(kind, cell string) string {
		l, i, _ := strings.Cut(cell, "-")
		return kind + " likelihood " + l + " × impact " + i
	}
	switch {
	case d.Query.Inherent != "":
		return word("Inherent rating:", d.Query.Inherent)
	case d.Query.Residual != "":
		return word("Residual rating:", d.Query.Residual)
	case d.Query.NoControls:
		return "Risks that no control treats"
	case d.Query.Control != "":
		return "Risks treated by " + d.Query.Control
	}
	return ""
}

// clearCellHref is the list without the cell and control filters.
func (d riskListData) clearCellHref() string {
	return d.href(func(q *risk.ListQuery) {
		q.Inherent, q.Residual, q.NoControls, q.Control, q.Offset = "", "", false, "", 0
	})
}

// riskStatusOptions are the choices of the status filter.
func riskStatusOptions(value string) []option {
	out := []option{{Value: "open", Label: "Not closed", Selected: value == "open" || value == ""}}
	for _, o := range risk.Statuses {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: value == o.Value})
	}
	return append(out, option{Value: "all", Label: "All", Selected: value == "all"})
}

// riskSystemOptions are the choices of the system filter.
func riskSystemOptions(systems []aisystem.System, value string) []option {
	out := []option{{Value: "", Label: "Any AI system", Selected: value == ""}}
	for _, s := range systems {
		out = append(out, option{Value: s.Ref, Label: s.Ref + " " + s.Name, Selected: strings.EqualFold(s.Ref, value)})
	}
	return out
}

// riskLevelOptions are the choices of the level filter.
func riskLevelOptions(c *risk.Criteria, value string) []option {
	out := []option{{Value: "", Label: "Any level", Selected: value == ""}}
	if c != nil {
		for _, l := range c.Levels {
			out = append(out, option{Value: l.Name, Label: sentence(l.Name), Selected: l.Name == value})
		}
	}
	return out
}

// riskStatusClass is the badge class of a status.
func riskStatusClass(s string) string {
	switch s {
	case risk.StatusAccepted:
		return "badge badge-ok"
	case risk.StatusClosed:
		return "badge badge-muted"
	case risk.StatusIdentified:
		return "badge badge-warn"
	}
	return "badge"
}

// riskExport downloads the register.
func (h *handler) riskExport(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	f, err := h.Risks.ExportRegister(r.Context(), a, r.URL.Query().Get("format"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	riskDownload(w, f)
}

// riskDownload answers a file as an attachment.
func riskDownload(w http.ResponseWriter, f *risk.File) {
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("Content-Length", strconv.Itoa(len(f.Data)))
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}

// riskExportFormats are the downloads offered.
var riskExportFormats = []option{{Value: "pdf", Label: "PDF"}, {Value: "xlsx", Label: "XLSX"}}

// riskActionLabels describe the register's audit actions for people.
var riskActionLabels = map[string]string{
	risk.ActionCreate:          "Recorded the risk",
	risk.ActionUpdate:          "Changed the risk",
	risk.ActionAssess:          "Assessed the risk",
	risk.ActionTreatmentChange: "Changed the treatment",
	risk.ActionActionAdd:       "Added a treatment action",
	risk.ActionActionUpdate:    "Changed a treatment action",
	risk.ActionAccept:          "Accepted the residual risk",
	risk.ActionClose:           "Closed the risk",
	risk.ActionReopen:          "Reopened the risk",
}

// riskFieldLabels name the fields of risks and their forms for people.
var riskFieldLabels = map[string]string{
	"title": "Title", "description": "Description", "systems": "AI systems", "risk_source": "Risk source",
	"objectives": "Objectives affected", "consequences_organisation": "Consequences for the organisation",
	"consequences_individuals": "Consequences for individuals and groups", "consequences_society": "Consequences for society",
	"owner_id": "Owner", "status": "Status", "version": "Version", "likelihood": "Likelihood", "impact": "Impact",
	"next_review": "Next review", "option": "Treatment option", "plan": "Treatment plan", "controls": "Controls",
	"residual_likelihood": "Residual likelihood", "residual_impact": "Residual impact", "residual": "Residual rating",
	"residual_level": "Residual level", "due_date": "Due date", "completed_date": "Completed on", "action_status": "Action status",
	"valid_until": "Valid until", "note": "Note", "above_appetite_confirmed": "Confirmation",
	"above_appetite_reason": "Reason for accepting above the appetite", "reason": "Reason", "name": "Name", "scope": "Scope",
	"appetite": "Appetite", "levels": "Levels", "matrix": "Matrix", "from": "From", "to": "To",
	"criteria_version": "Criteria version", "inherent_level": "Inherent level", "plan_version": "Plan version",
	"closed_reason": "Reason for closing", "accepted_by": "Accepted by", "above_appetite": "Above the appetite",
	"action": "Action", "assessed_at": "Assessed", "likelihood_descriptions": "Likelihood descriptions",
	"impact_descriptions": "Impact descriptions", "risks": "Risks", "content_sha256": "Content SHA-256",
	"owner": "Owner", "inherent_rating": "Inherent rating", "residual_rating": "Residual rating", "actions": "Actions",
	"acceptance": "Acceptance", "appetite_reason": "Reason",
}

// riskLabel names a field of the register for people.
func riskLabel(f string) string {
	if l, ok := riskFieldLabels[f]; ok {
		return l
	}
	// Numbered fields of the criteria: likelihood.2.label, levels.1.colour, matrix.3.2.
	parts := strings.Split(f, ".")
	switch {
	case len(parts) == 3 && parts[0] == "matrix":
		return "The cell of likelihood " + parts[1] + " and impact " + parts[2]
	case len(parts) == 3 && parts[0] == "levels":
		return "Level " + parts[1] + " " + strings.ReplaceAll(parts[2], "_", " ")
	case len(parts) == 3:
		return sentence(parts[0]) + " step " + parts[1] + " " + parts[2]
	}
	return fieldLabel(f)
}

// riskSummary lists a form's problems with the register's labels, linking
// each to its field when ids names it.
func riskSummary(fe formErrors, ids map[string]string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: riskLabel(f.Field) + " " + f.Message}
		if id, ok := ids[f.Field]; ok {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}

// riskField is one control of a register form, labelled and with its problem.
func riskField(prefix, name, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + name, Name: name, Label: riskLabel(name), Type: typ, Value: value, Hint: hint,
		Err: errs.For(name), Wide: typ == "textarea"}
}

// riskOwnerField is the select of the organisation's members; a former
// member who still owns the record stays a choice.
func riskOwnerField(prefix, name, value, storedName string, members []identity.Membership, hint string, errs formErrors) field {
	fl := riskField(prefix, name, "select", "", hint, errs)
	fl.Label = "Owner"
	fl.Options = []option{{Value: "", Label: "No owner yet", Selected: value == ""}}
	found := value == ""
	for _, m := range members {
		sel := strings.EqualFold(m.UserID, value)
		found = found || sel
		fl.Options = append(fl.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: sel})
	}
	if !found {
		label := "A former member"
		if storedName != "" {
			label = storedName + " (no longer a member)"
		}
		fl.Options = append(fl.Options, option{Value: value, Label: label, Selected: true})
	}
	return fl
}

// riskNavItems are the pages of risk management.
var riskNavItems = []navItem{{"register", "/risks", "Register"}, {"overview", "/risks/overview", "Heat maps and gaps"},
	{"criteria", "/risk-criteria", "Criteria"}, {"assessments", "/risk-assessments", "Assessments"}}

// riskRequired marks a field required.
func riskRequired(f field) field {
	f.Required = true
	return f
}

// riskRows sets the height of a textarea.
func riskRows(f field, n int) field {
	f.Rows = n
	return f
}
