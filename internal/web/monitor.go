package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/monitor"
)

func init() {
	for k, v := range map[string]string{
		"monitor.create":         "Added a monitor",
		"monitor.update":         "Changed the monitor",
		"monitor.archive":        "Archived the monitor",
		"monitor.evaluate":       "Judged the monitor's windows",
		"monitor_settings.set":   "Set how the system's decisions count for monitoring",
		"monitor_alert.open":     "A monitor's threshold was breached: alert raised",
		"monitor_alert.recover":  "A monitor's alert recovered",
		"monitor_alert.incident": "A monitor's alert opened an incident",
	} {
		actionLabels[k] = v
	}
}

// monitorRoutes adds the monitoring pages: a system's report, its
// monitors, every monitor of the organisation and their alerts.
func (h *handler) monitorRoutes(signed route) {
	signed("GET /systems/{ref}/monitoring", h.monitoringPage)
	signed("POST /systems/{ref}/monitoring/settings", h.monitoringSettings)
	signed("POST /systems/{ref}/monitors", h.monitorCreate)
	signed("GET /monitors", h.monitorList)
	signed("GET /monitors/{ref}", h.monitorDetail)
	signed("POST /monitors/{ref}", h.monitorUpdate)
	signed("POST /monitors/{ref}/archive", h.monitorArchive)
	signed("POST /monitors/{ref}/evaluate", h.monitorEvaluate)
	signed("GET /alerts", h.alertList)
}

// monitoringHref is the address of a system's monitoring page.
func monitoringHref(ref string) string { return "/systems/" + url.PathEscape(ref) + "/monitoring" }

// monitorHref is the address of a monitor's page.
func monitorHref(ref string) string { return "/monitors/" + url.PathEscape(ref) }

// withQuery appends a query string, when there is one.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// monitoringDays is how many days the report covers when no range is given.
const monitoringDays = 30

// monitoringQuery is the report's range form as typed.
type monitoringQuery struct {
	From, To, Window, ModelVersion, ReferenceFrom, ReferenceTo, ReferenceDataset string
}

// monitoringQueryFrom reads the range form, filling in the last 30 days
// up to today and daily windows where nothing was given.
func monitoringQueryFrom(v url.Values, today time.Time) monitoringQuery {
	q := monitoringQuery{From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")), Window: v.Get("window"),
		ModelVersion: v.Get("model_version"), ReferenceFrom: v.Get("reference_from"), ReferenceTo: v.Get("reference_to"),
		ReferenceDataset: strings.TrimSpace(v.Get("reference_dataset"))}
	day := today.UTC().Truncate(24 * time.Hour)
	switch {
	case q.From == "" && q.To == "":
		q.To, q.From = day.Format(time.DateOnly), day.AddDate(0, 0, 1-monitoringDays).Format(time.DateOnly)
	case q.To == "":
		q.To = day.Format(time.DateOnly)
	case q.From == "":
		if t, err := time.Parse(time.DateOnly, q.To); err == nil {
			q.From = t.AddDate(0, 0, 1-monitoringDays).Format(time.DateOnly)
		}
	}
	if q.Window == "" {
		q.Window = monitor.WindowDay
	}
	return q
}

// report turns the form into a report query, recording what does not
// parse. A date in To or ReferenceTo includes that whole day.
func (q monitoringQuery) report(p *aims.Problems) monitor.ReportQuery {
	rq := monitor.ReportQuery{Window: q.Window, ModelVersion: strings.TrimSpace(q.ModelVersion), ReferenceDataset: q.ReferenceDataset}
	rq.From, _ = decisionTime(p, "from", q.From)
	rq.To = endTime(p, "to", q.To)
	if t, _ := decisionTime(p, "reference_from", q.ReferenceFrom); !t.IsZero() {
		rq.ReferenceFrom = &t
	}
	if t := endTime(p, "reference_to", q.ReferenceTo); !t.IsZero() {
		rq.ReferenceTo = &t
	}
	return rq
}

// endTime reads the end of a range: a date includes its whole day.
func endTime(p *aims.Problems, field, v string) time.Time {
	t, dateOnly := decisionTime(p, field, v)
	if dateOnly {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// values are the range form as query parameters, for links and form actions.
func (q monitoringQuery) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", q.From}, {"to", q.To}, {"window", q.Window}, {"model_version", q.ModelVersion},
		{"reference_from", q.ReferenceFrom}, {"reference_to", q.ReferenceTo}, {"reference_dataset", q.ReferenceDataset}} {
		if s := strings.TrimSpace(kv[1]); s != "" {
			v.Set(kv[0], s)
		}
	}
	return v
}

// settingsForm is the monitoring settings form as typed.
type settingsForm struct{ Positive, PositiveOutcome string }

// monitoringData is what a system's monitoring page shows.
type monitoringData struct {
	Sys       *aisystem.System
	Query     monitoringQuery
	QueryErrs formErrors
	// Report is nil when the range form has a problem.
	Report       *monitor.Report
	Settings     *monitor.Settings
	SettingsForm settingsForm
	SettingsErrs formErrors
	Monitors     []monitor.Monitor
	// Alerts are those opened in the range, or every one of the system's when there is no report.
	Alerts []monitor.Alert
	// Versions are the keys of the model versions that have decisions.
	Versions []string
	Members  []identity.Membership
	Form     monitorForm
	FormErrs formErrors
	Charts   monitoringCharts
}

// action is a form's address on this page, keeping the range.
func (d monitoringData) action(path string) string { return withQuery(path, d.Query.values()) }

// monitoringPage shows a system's performance, fairness and drift over a range, its settings, monitors and alerts.
func (h *handler) monitoringPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	d := monitoringData{Query: monitoringQueryFrom(r.URL.Query(), time.Now()), Form: newMonitorForm()}
	h.showMonitoring(w, r, a, http.StatusOK, d)
}

// showMonitoring fills in what the page reads and renders it; status is the
// answer's status unless the range itself has a problem.
func (h *handler) showMonitoring(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d monitoringData) {
	ctx := r.Context()
	var err error
	if d.Sys, err = h.Systems.Get(ctx, a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	ref := d.Sys.Ref
	if d.Settings, err = h.Monitors.Settings(ctx, a, ref); err != nil {
		h.fail(w, r, err)
		return
	}
	if !d.SettingsErrs.Any() {
		d.SettingsForm = settingsForm{Positive: d.Settings.Positive, PositiveOutcome: d.Settings.PositiveOutcome}
	}
	var p aims.Problems
	rq := d.Query.report(&p)
	if err = p.Err(); err == nil {
		d.Report, err = h.Monitors.Report(ctx, a, ref, rq)
	}
	if err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.QueryErrs = fe
		if status == http.StatusOK {
			status = st
		}
	}
	if d.Monitors, err = h.Monitors.List(ctx, a, ref); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Report != nil {
		d.Alerts = d.Report.Alerts
		d.Charts = layoutMonitoring(d.Report)
	} else if d.Alerts, err = h.Monitors.Alerts(ctx, a, monitor.AlertQuery{System: ref}); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Versions, err = h.versionKeys(r, a, ref); err != nil {
		h.fail(w, r, err)
		return
	}
	if identity.Can(a, identity.ActMonitorEdit) {
		if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	title := "Monitoring of " + ref + " " + d.Sys.Name
	h.show(w, r, status, title, "systems", func(v view) templ.Component { return monitoringView(v, d) })
}

// versionKeys lists the keys of the model versions that have a system's decisions.
func (h *handler) versionKeys(r *http.Request, a *aims.Actor, ref string) ([]string, error) {
	o, err := h.Decisions.Oversight(r.Context(), a, ref)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(o.Versions))
	for _, v := range o.Versions {
		out = append(out, v.ModelKey)
	}
	return out, nil
}

// monitoringSettings sets which output and outcome count as positive.
func (h *handler) monitoringSettings(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	if err := identity.Authorize(a, identity.ActMonitorEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	f := settingsForm{Positive: r.PostForm.Get("positive"), PositiveOutcome: r.PostForm.Get("positive_outcome")}
	s, err := h.Monitors.SetSettings(r.Context(), a, r.PathValue("ref"),
		monitor.SettingsRequest{Positive: strings.TrimSpace(f.Positive), PositiveOutcome: strings.TrimSpace(f.PositiveOutcome)})
	if err != nil {
		d := monitoringData{Query: monitoringQueryFrom(r.URL.Query(), time.Now()), Form: newMonitorForm(), SettingsForm: f}
		h.monitoringFailed(w, r, a, err, d, func(d *monitoringData, fe formErrors) { d.SettingsErrs = fe })
		return
	}
	h.flash(r.Context(), "Monitoring of "+s.SystemRef+" now counts "+quoted(s.Positive)+" as the favourable decision and "+
		quoted(positiveOutcome(*s))+" as the positive outcome.")
	seeOther(w, r, withQuery(monitoringHref(s.SystemRef), r.URL.Query()))
}

// monitorCreate adds a monitor to a system.
func (h *handler) monitorCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	if err := identity.Authorize(a, identity.ActMonitorEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	f := monitorFormFrom(r.PostForm)
	var p aims.Problems
	req := f.request(&p)
	err := p.Err()
	var m *monitor.Monitor
	if err == nil {
		m, err = h.Monitors.Create(r.Context(), a, r.PathValue("ref"), req)
	}
	if err != nil {
		d := monitoringData{Query: monitoringQueryFrom(r.URL.Query(), time.Now()), Form: f}
		h.monitoringFailed(w, r, a, err, d, func(d *monitoringData, fe formErrors) { d.FormErrs = fe })
		return
	}
	h.flash(r.Context(), "Added "+m.Ref+" "+m.Name+". It judges each "+m.Window+" once the window has ended; evaluate it now to judge the windows already due.")
	seeOther(w, r, monitorHref(m.Ref))
}

// monitoringFailed shows the monitoring page again with a form's problems, or fails.
func (h *handler) monitoringFailed(w http.ResponseWriter, r *http.Request, a *aims.Actor, err error, d monitoringData,
	set func(*monitoringData, formErrors)) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	set(&d, fe)
	h.showMonitoring(w, r, a, status, d)
}

// monitorListData is what the list of monitors shows.
type monitorListData struct {
	Monitors []monitor.Monitor
	// Open counts the open alerts.
	Open int
}

// monitorList lists every monitor of the organisation.
func (h *handler) monitorList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ms, err := h.Monitors.List(r.Context(), a, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	open, err := h.Monitors.Alerts(r.Context(), a, monitor.AlertQuery{Open: true})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := monitorListData{Monitors: ms, Open: len(open)}
	h.show(w, r, http.StatusOK, "Monitors", "monitors", func(v view) templ.Component { return monitorListView(v, d) })
}

// recentAlerts is how many alerts the alerts page lists besides the open ones.
const recentAlerts = 50

// alertListData is what the alerts page shows.
type alertListData struct {
	Open, Recent []monitor.Alert
	// More counts the recent alerts left off.
	More int
}

// alertList shows the open alerts and the most recent ones.
func (h *handler) alertList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	var d alertListData
	var err error
	if d.Open, err = h.Monitors.Alerts(r.Context(), a, monitor.AlertQuery{Open: true}); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Recent, err = h.Monitors.Alerts(r.Context(), a, monitor.AlertQuery{}); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(d.Recent) > recentAlerts {
		d.More, d.Recent = len(d.Recent)-recentAlerts, d.Recent[:recentAlerts]
	}
	h.show(w, r, http.StatusOK, "Alerts", "monitors", func(v view) templ.Component { return alertListView(v, d) })
}

// monitorResultRows is how many results, newest first, the monitor's page lists.
const monitorResultRows = 100

// monitorPageData is what a monitor's page shows.
type monitorPageData struct {
	Monitor *monitor.Monitor
	// Results are the latest judged windows, newest first; Total counts them all.
	Results []monitor.Result
	Total   int
	Chart   resultChart
	Alerts  []monitor.Alert
	Form    monitorForm
	Errs    formErrors
	// Versions are the system's model versions with decisions; Members the organisation's people.
	Versions []string
	Members  []identity.Membership
}

// monitorDetail shows a monitor, its results over time, its alerts and, for editors, its forms.
func (h *handler) monitorDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showMonitor(w, r, a, http.StatusOK, monitorPageData{})
}

// showMonitor fills in what a monitor's page reads and renders it; a form
// already in d (after a failed change) is kept.
func (h *handler) showMonitor(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d monitorPageData) {
	ctx := r.Context()
	m, err := h.Monitors.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Monitor = m
	if !d.Errs.Any() {
		d.Form = monitorFormOf(m)
	}
	res, err := h.Monitors.Results(ctx, a, m.Ref, time.Time{}, time.Time{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Total = len(res)
	d.Chart = layoutResults("monitor-chart", m, res)
	for i := len(res) - 1; i >= 0 && len(d.Results) < monitorResultRows; i-- {
		d.Results = append(d.Results, res[i])
	}
	all, err := h.Monitors.Alerts(ctx, a, monitor.AlertQuery{System: m.SystemRef})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, al := range all {
		if al.MonitorRef == m.Ref {
			d.Alerts = append(d.Alerts, al)
		}
	}
	if identity.Can(a, identity.ActMonitorEdit) && !m.Archived {
		if d.Versions, err = h.versionKeys(r, a, m.SystemRef); err != nil {
			h.fail(w, r, err)
			return
		}
		if d.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.show(w, r, status, m.Ref+" "+m.Name, "monitors", func(v view) templ.Component { return monitorDetailView(v, d) })
}

// monitorUpdate changes a monitor's fields, if no one changed it since the form was shown.
func (h *handler) monitorUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	if err := identity.Authorize(a, identity.ActMonitorEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	f := monitorFormFrom(r.PostForm)
	var p aims.Problems
	req := f.request(&p)
	version, verr := strconv.Atoi(strings.TrimSpace(f.Version))
	if verr != nil || version < 1 {
		p.Add("version", "is missing: reload the page and make the change again")
	}
	err := p.Err()
	var m *monitor.Monitor
	if err == nil {
		m, err = h.Monitors.Update(r.Context(), a, r.PathValue("ref"), monitor.UpdateRequest{Version: version, Request: req})
	}
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showMonitor(w, r, a, status, monitorPageData{Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), "Saved "+m.Ref+". Windows already judged keep their results; the next ones are judged with the new settings.")
	seeOther(w, r, monitorHref(m.Ref))
}

// monitorArchive stops a monitor; its results and alerts are kept.
func (h *handler) monitorArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	m, err := h.Monitors.Archive(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "Archived "+m.Ref+". It judges no more windows; its results and alerts are kept.")
	seeOther(w, r, monitorHref(m.Ref))
}

// monitorEvaluate judges the monitor's windows that are due now.
func (h *handler) monitorEvaluate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	res, err := h.Monitors.Evaluate(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), evaluationMessage(res))
	seeOther(w, r, monitorHref(res.Monitor))
}

// evaluationMessage says in words what an evaluation judged.
func evaluationMessage(res *monitor.EvaluateResult) string {
	if res.Judged == 0 {
		return "No window was due: every window that has ended (after the monitor's delay) was already judged."
	}
	msg := "Judged " + plural(int64(res.Judged), "window", "windows") + ": " + plural(int64(res.Breaches), "breach", "breaches") + "."
	if n := len(res.Opened); n > 0 {
		msg += " Raised " + plural(int64(n), "alert", "alerts")
		var incs []string
		for _, al := range res.Opened {
			if al.Incident != "" {
				incs = append(incs, al.Incident)
			}
		}
		if len(incs) > 0 {
			msg += " and opened " + strings.Join(incs, ", ")
		}
		msg += "."
	}
	if res.Recovered > 0 {
		msg += " " + plural(int64(res.Recovered), "alert", "alerts") + " recovered."
	}
	return msg
}

// num3 writes a metric's value with three decimals, or a dash when it is undefined.
func num3(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "—"
	}
	return fixed3(*v)
}

// fixed3 writes a number with three decimals; infinities as ∞.
func fixed3(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

// quoted puts a label in quotation marks.
func quoted(s string) string { return "“" + s + "”" }

// positiveOutcome is the outcome label that counts as the positive truth.
func positiveOutcome(s monitor.Settings) string {
	if s.PositiveOutcome != "" {
		return s.PositiveOutcome
	}
	return s.Positive
}
