package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/incident"
)

func init() {
	for k, v := range map[string]string{
		incident.ActionCreate: "recorded incident", incident.ActionUpdate: "changed incident", incident.ActionStatus: "moved incident forward",
		incident.ActionClose: "closed incident", incident.ActionRaiseNC: "raised a nonconformity from incident",
		incident.ActionNoticeAdd: "added notification duty", incident.ActionNoticeNotified: "recorded notification as made",
		incident.ActionNoticeDeadline: "moved notification deadline",
	} {
		actionLabels[k] = v
	}
}

// incidentTimeLayout is how a datetime-local control writes a time; incidents read it as UTC.
const incidentTimeLayout = "2006-01-02T15:04"

// incidentRoutes adds the incident pages.
func (h *handler) incidentRoutes(signed route) {
	signed("GET /incidents", h.incidentList)
	signed("POST /incidents", h.incidentCreate)
	signed("GET /incidents/new", h.incidentNew)
	signed("GET /incidents/{ref}", h.incidentDetail)
	signed("POST /incidents/{ref}/status", h.incidentStatus)
	signed("POST /incidents/{ref}/notifications", h.incidentNotice)
	signed("POST /incidents/{ref}/notifications/{number}/notified", h.incidentNotified)
	signed("POST /incidents/{ref}/nonconformity", h.incidentRaise)
}

// incidentListData is what the list of incidents shows.
type incidentListData struct {
	Query incident.Query
	Page  *incident.Page
	Now   time.Time
}

// incidentList lists the incidents with the countdown of their nearest open duty.
func (h *handler) incidentList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	q := incident.Query{Status: r.URL.Query().Get("status"), Serious: r.URL.Query().Get("serious") == "1"}
	page, err := h.Incidents.List(r.Context(), a, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Incidents", "incidents", func(v view) templ.Component { return incidentListView(v, incidentListData{Query: q, Page: page}) })
}

// incidentNextDuty is the incident's open notification duty with the nearest deadline, or nil.
func incidentNextDuty(in incident.Incident) *incident.Notification {
	var next *incident.Notification
	for i, n := range in.Notifications {
		if n.NotifiedAt == nil && (next == nil || n.DueAt.Before(next.DueAt)) {
			next = &in.Notifications[i]
		}
	}
	return next
}

// incidentForm is the incident form as typed.
type incidentForm struct {
	Title, Description, OccurredAt, AwareAt, ReportedBy, Severity, AffectedCount, AffectedWho string
	Systems, ModelVersions, Containment, Category, Lessons                                    string
	Harms                                                                                     []string
	Serious                                                                                   bool
}

func incidentFormFrom(v url.Values) incidentForm {
	return incidentForm{Title: v.Get("title"), Description: v.Get("description"), OccurredAt: v.Get("occurred_at"), AwareAt: v.Get("aware_at"),
		ReportedBy: v.Get("reported_by"), Severity: v.Get("severity"), AffectedCount: v.Get("affected_count"), AffectedWho: v.Get("affected_who"),
		Systems: v.Get("systems"), ModelVersions: v.Get("model_versions"), Containment: v.Get("containment"),
		Category: v.Get("serious_category"), Lessons: v.Get("lessons"), Harms: v["harms"], Serious: v.Get("serious") == "yes"}
}

// request turns the form into a request, recording times that do not parse.
func (f incidentForm) request(p *aims.Problems) incident.Request {
	req := incident.Request{Title: f.Title, Description: f.Description, ReportedBy: f.ReportedBy, Severity: f.Severity,
		AffectedWho: f.AffectedWho, Systems: incidentWords(f.Systems), ModelVersions: incidentWords(f.ModelVersions), Containment: f.Containment,
		Serious: f.Serious, SeriousCategory: f.Category, Lessons: f.Lessons, Harms: f.Harms}
	req.OccurredAt = incidentTime(p, "occurred_at", f.OccurredAt)
	req.AwareAt = incidentTime(p, "aware_at", f.AwareAt)
	if strings.TrimSpace(f.AffectedCount) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(f.AffectedCount))
		if err != nil {
			p.Add("affected_count", "must be a whole number")
		}
		req.AffectedCount = n
	}
	return req
}

// incidentTime reads a datetime-local value as UTC; blank gives the zero time.
func incidentTime(p *aims.Problems, field, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(incidentTimeLayout, v)
	if err != nil {
		p.Add(field, "must be a date and time such as 2026-03-02T09:00")
	}
	return t
}

// incidentWords splits a comma- or line-separated list.
func incidentWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' })
}

// incidentFormData is what the incident form shows.
type incidentFormData struct {
	Form incidentForm
	Errs formErrors
}

func (h *handler) incidentNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActIncidentEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	now := time.Now().UTC().Format(incidentTimeLayout)
	h.showIncidentForm(w, r, http.StatusOK, incidentFormData{Form: incidentForm{Severity: "medium", OccurredAt: now, AwareAt: now}})
}

func (h *handler) showIncidentForm(w http.ResponseWriter, r *http.Request, status int, d incidentFormData) {
	h.show(w, r, status, "Record an incident", "incidents", func(v view) templ.Component { return incidentFormView(v, d) })
}

// incidentCreate records an incident from the posted form.
func (h *handler) incidentCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := incidentFormFrom(r.PostForm)
	var p aims.Problems
	req := f.request(&p)
	err := p.Err()
	var in *incident.Incident
	if err == nil {
		in, err = h.Incidents.Create(r.Context(), a, req)
	}
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showIncidentForm(w, r, status, incidentFormData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), in.Ref+" is recorded.")
	seeOther(w, r, "/incidents/"+in.Ref)
}

// incidentData is what an incident's page shows, with its forms as typed.
type incidentData struct {
	Incident *incident.Incident
	History  []eventView
	Notice   incidentNoticeForm
	Errs     formErrors
	// ErrsFor names the form Errs belong to: notice, notified-N, status or raise.
	ErrsFor string
}

// incidentNoticeForm is the form that adds a notification duty, as typed.
type incidentNoticeForm struct{ Recipient, RecipientName, DueAt string }

func (h *handler) incidentDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showIncident(w, r, a, http.StatusOK, incidentData{Notice: incidentNoticeForm{Recipient: incident.RecipientAuthority}})
}

func (h *handler) showIncident(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d incidentData) {
	var err error
	if d.Incident, err = h.Incidents.Get(r.Context(), a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(r, a, d.Incident.ID, h.Incidents.History); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, d.Incident.Ref+" "+d.Incident.Title, "incidents", func(v view) templ.Component { return incidentDetailView(v, d) })
}

// incidentFormFailed shows the incident's page again with a sub-form's problems, or fails.
func (h *handler) incidentFormFailed(w http.ResponseWriter, r *http.Request, a *aims.Actor, err error, d incidentData) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	d.Errs = fe
	h.showIncident(w, r, a, status, d)
}

func (h *handler) incidentStatus(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	in, err := h.Incidents.SetStatus(r.Context(), a, r.PathValue("ref"), incident.StatusRequest{Version: formInt(r.PostForm.Get("version")),
		Status: r.PostForm.Get("status")})
	if err != nil {
		h.incidentFormFailed(w, r, a, err, incidentData{ErrsFor: "status"})
		return
	}
	h.flash(r.Context(), in.Ref+" is "+strings.ToLower(incident.Label(incident.Statuses, in.Status))+".")
	seeOther(w, r, "/incidents/"+in.Ref)
}

func (h *handler) incidentNotice(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := incidentNoticeForm{Recipient: r.PostForm.Get("recipient"), RecipientName: r.PostForm.Get("recipient_name"), DueAt: r.PostForm.Get("due_at")}
	var p aims.Problems
	req := incident.NotificationRequest{Recipient: f.Recipient, RecipientName: f.RecipientName}
	if due := incidentTime(&p, "due_at", f.DueAt); !due.IsZero() {
		req.DueAt = &due
	}
	err := p.Err()
	var n *incident.Notification
	if err == nil {
		n, err = h.Incidents.AddNotification(r.Context(), a, r.PathValue("ref"), req)
	}
	if err != nil {
		h.incidentFormFailed(w, r, a, err, incidentData{Notice: f, ErrsFor: "notice"})
		return
	}
	h.flash(r.Context(), n.Ref+" is due "+fmtTime(n.DueAt)+".")
	seeOther(w, r, "/incidents/"+r.PathValue("ref"))
}

func (h *handler) incidentNotified(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	var p aims.Problems
	req := incident.NotifiedRequest{Version: formInt(r.PostForm.Get("version")), Method: r.PostForm.Get("method"), Reference: r.PostForm.Get("reference")}
	if at := incidentTime(&p, "notified_at", r.PostForm.Get("notified_at")); !at.IsZero() {
		req.NotifiedAt = &at
	}
	err := p.Err()
	var n *incident.Notification
	if err == nil {
		n, err = h.Incidents.RecordNotified(r.Context(), a, r.PathValue("ref"), formInt(r.PathValue("number")), req)
	}
	if err != nil {
		h.incidentFormFailed(w, r, a, err, incidentData{ErrsFor: "notified-" + r.PathValue("number")})
		return
	}
	h.flash(r.Context(), n.Ref+" is recorded as notified.")
	seeOther(w, r, "/incidents/"+r.PathValue("ref"))
}

func (h *handler) incidentRaise(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	in, err := h.Incidents.RaiseNonconformity(r.Context(), a, r.PathValue("ref"), incident.RaiseRequest{
		Version: formInt(r.PostForm.Get("version")), Title: r.PostForm.Get("title"), Severity: r.PostForm.Get("severity")})
	if err != nil {
		h.incidentFormFailed(w, r, a, err, incidentData{ErrsFor: "raise"})
		return
	}
	h.flash(r.Context(), in.NCRef+" is raised from "+in.Ref+".")
	seeOther(w, r, "/nonconformities/"+in.NCRef)
}

// incidentField is a control of an incident form.
func incidentField(prefix, name, label, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + strings.ReplaceAll(name, "_", "-"), Name: name, Label: label, Type: typ, Value: value, Hint: hint,
		Err: errs.For(name), Wide: typ == "textarea"}
}

// incidentChoice is a select of an enumeration.
func incidentChoice(prefix, name, label, value, blank string, opts []incident.Option, errs formErrors) field {
	f := incidentField(prefix, name, label, "select", value, "", errs)
	if blank != "" {
		f.Options = append(f.Options, option{Value: "", Label: blank, Selected: value == ""})
	}
	for _, o := range opts {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Hint: o.Help, Selected: o.Value == value})
	}
	return f
}

// incidentCategories are the serious incident categories with their deadlines.
func incidentCategories() []incident.Option {
	out := make([]incident.Option, len(incident.SeriousCategories))
	for i, c := range incident.SeriousCategories {
		out[i] = incident.Option{Value: c.Value, Label: c.Label + " (report within " + strconv.Itoa(c.Days) + " days)"}
	}
	return out
}

// harmChoices are the harm checkboxes with those typed ticked.
func (d incidentFormData) harmChoices() field {
	f := incidentField("incident-", "harms", "Harm", "", "", "Every kind of harm done or risked.", d.Errs)
	for _, o := range incident.Harms {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Selected: incidentHas(d.Form.Harms, o.Value)})
	}
	return f
}

func incidentHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// incidentSummary lists a form's problems.
func incidentSummary(fe formErrors, prefix string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		out = append(out, summaryItem{Text: strings.ReplaceAll(fieldLabel(f.Field), "_", " ") + " " + f.Message,
			Href: "#" + prefix + strings.ReplaceAll(f.Field, "_", "-")})
	}
	return out
}

// statusBadge is the badge class of an incident status.
func incidentStatusClass(s string) string {
	switch s {
	case incident.StatusClosed:
		return "badge badge-muted"
	case incident.StatusOpen:
		return "badge badge-warn"
	}
	return "badge badge-info"
}

// incidentNextStatuses are the statuses an incident may move to next.
func incidentNextStatuses(in *incident.Incident) []incident.Option {
	var out []incident.Option
	after := false
	for _, o := range incident.Statuses {
		if after {
			out = append(out, o)
		}
		after = after || o.Value == in.Status
	}
	return out
}

// incidentErrs returns the page's form problems when they belong to the named form.
func incidentErrs(d incidentData, form string) formErrors {
	if d.ErrsFor == form {
		return d.Errs
	}
	return formErrors{}
}

// incidentBasis says how a deadline was set.
func incidentBasis(basis string) string {
	switch basis {
	case incident.BasisArt73:
		return "EU AI Act Art. 73, from awareness"
	case incident.BasisGDPR33:
		return "GDPR Art. 33, 72 hours from awareness"
	}
	return "entered"
}

// incidentStatusFilter are the status filter's choices.
func incidentStatusFilter(current string) []option {
	out := []option{{Value: "", Label: "Any status", Selected: current == ""}, {Value: "unclosed", Label: "Not closed", Selected: current == "unclosed"}}
	for _, o := range incident.Statuses {
		out = append(out, option{Value: o.Value, Label: o.Label, Selected: o.Value == current})
	}
	return out
}

// incidentRaiseSeverity is the severity choice of the nonconformity raised from an incident.
func incidentRaiseSeverity(d incidentData) field {
	return field{ID: "raise-severity", Name: "severity", Label: "Severity", Type: "select", Err: incidentErrs(d, "raise").For("severity"),
		Options: []option{{Value: "minor", Label: "Minor"}, {Value: "major", Label: "Major", Selected: true}}}
}
