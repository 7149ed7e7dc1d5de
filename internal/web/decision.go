package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/model"
)

func init() {
	for k, v := range map[string]string{
		"decision_log.create":      "Started the AI system's decision log",
		"decision.erase":           "Erased a subject's decision payloads",
		"decision_log.retention":   "Changed how long decision payloads are kept",
		"decision.retention_erase": "Erased decision payloads past their retention",
	} {
		actionLabels[k] = v
	}
}

// decisionRoutes adds the pages of AI systems' decision records.
func (h *handler) decisionRoutes(signed route) {
	signed("GET /systems/{ref}/decisions", h.decisionList)
	signed("POST /systems/{ref}/decisions/erase", h.decisionErase)
	signed("POST /systems/{ref}/decisions/retention", h.decisionRetention)
	signed("GET /systems/{ref}/decisions/{key}", h.decisionDetail)
	signed("GET /systems/{ref}/decisions/{key}/receipt", h.decisionReceipt)
}

// decisionPageSize is how many decisions one page of the search lists.
const decisionPageSize = 50

// decisionsHref is the address of a system's decisions page.
func decisionsHref(ref string) string { return "/systems/" + url.PathEscape(ref) + "/decisions" }

// decisionHref is the address of one decision's page.
func decisionHref(ref string, index int64) string {
	return decisionsHref(ref) + "/" + strconv.FormatInt(index, 10)
}

// decisionSearch is the search form as typed.
type decisionSearch struct {
	From, To, Model, Output, Subject, Review, Before string
}

func decisionSearchFrom(v url.Values) decisionSearch {
	return decisionSearch{From: v.Get("from"), To: v.Get("to"), Model: v.Get("model"), Output: v.Get("output"),
		Subject: v.Get("subject"), Review: v.Get("review"), Before: v.Get("before")}
}

// query turns the form into a search, recording what does not parse. A
// date without a time in To includes that whole day.
func (f decisionSearch) query(p *aims.Problems) decision.Query {
	q := decision.Query{Model: f.Model, Output: f.Output, Subject: f.Subject, Review: f.Review, Limit: decisionPageSize}
	if q.Review == "any" {
		q.Review = ""
	}
	q.From, _ = decisionTime(p, "from", f.From)
	var dateOnly bool
	q.To, dateOnly = decisionTime(p, "to", f.To)
	if dateOnly {
		q.To = q.To.AddDate(0, 0, 1)
	}
	if s := strings.TrimSpace(f.Before); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			p.Add("before", "must be a decision's index")
		}
		q.Before = n
	}
	return q
}

// decisionTime reads a date (2026-03-02), a datetime-local value or an RFC
// 3339 time, as UTC; blank gives the zero time. dateOnly says it was a date.
func decisionTime(p *aims.Problems, field, v string) (t time.Time, dateOnly bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	for i, layout := range []string{time.DateOnly, "2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			if t = t.UTC(); t.Year() < 1970 || t.Year() > 9999 {
				p.Add(field, "must be a date between 1970 and 9999")
				return time.Time{}, false
			}
			return t, i == 0
		}
	}
	p.Add(field, "must be a date such as 2026-03-02")
	return time.Time{}, false
}

// values are the search's filters as query parameters, without the page.
func (f decisionSearch) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", f.From}, {"to", f.To}, {"model", f.Model}, {"output", f.Output},
		{"subject", f.Subject}, {"review", f.Review}} {
		if s := strings.TrimSpace(kv[1]); s != "" && !(kv[0] == "review" && s == "any") {
			v.Set(kv[0], s)
		}
	}
	return v
}

// decisionEraseForm is the form that erases a subject's payloads, as typed.
type decisionEraseForm struct {
	Subject, Reason string
	Confirm         bool
}

// decisionListData is what a system's decisions page shows.
type decisionListData struct {
	Log *decision.Log
	// Forbidden says the person may not read decision records.
	Forbidden bool
	Search    decisionSearch
	Errs      formErrors
	Page      *decision.Page
	// Versions are the model versions that have decisions, for the search.
	Versions []string
	// OlderHref continues the search; NewestHref returns to its first page.
	OlderHref, NewestHref string
	Erase                 decisionEraseForm
	EraseErrs             formErrors
	Retention             string
	RetentionErrs         formErrors
}

// decisionList shows a system's decision log and searches its decisions.
func (h *handler) decisionList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	d := decisionListData{Search: decisionSearchFrom(r.URL.Query())}
	h.showDecisions(w, r, a, http.StatusOK, d)
}

// showDecisions fills in the log and the search's results and renders the
// page; status is the answer's status unless the search itself fails.
func (h *handler) showDecisions(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d decisionListData) {
	ctx := r.Context()
	ref := r.PathValue("ref")
	var err error
	if d.Log, err = h.Decisions.Log(ctx, a, ref); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Retention == "" {
		d.Retention = strconv.Itoa(d.Log.RetentionDays)
	}
	var p aims.Problems
	q := d.Search.query(&p)
	if err = identity.Authorize(a, identity.ActDecisionRead); err == nil {
		err = p.Err()
	}
	if err == nil {
		d.Page, err = h.Decisions.List(ctx, a, d.Log.SystemRef, q)
	}
	switch {
	case aims.CodeOf(err) == aims.CodeForbidden:
		d.Forbidden, status = true, http.StatusForbidden
	case err != nil:
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs = fe
		if status == http.StatusOK {
			status = st
		}
	}
	if !d.Forbidden {
		o, err := h.Decisions.Oversight(ctx, a, d.Log.SystemRef)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, v := range o.Versions {
			d.Versions = append(d.Versions, v.ModelKey)
		}
	}
	if d.Page != nil && d.Page.Next != nil {
		v := d.Search.values()
		v.Set("before", strconv.FormatInt(*d.Page.Next, 10))
		d.OlderHref = decisionsHref(d.Log.SystemRef) + "?" + v.Encode()
	}
	if strings.TrimSpace(d.Search.Before) != "" {
		d.NewestHref = decisionsHref(d.Log.SystemRef)
		if v := d.Search.values(); len(v) > 0 {
			d.NewestHref += "?" + v.Encode()
		}
	}
	title := "Decisions of " + d.Log.SystemRef + " " + d.Log.SystemName
	h.show(w, r, status, title, "systems", func(v view) templ.Component { return decisionListView(v, d) })
}

// decisionFormFailed shows the decisions page again with a form's problems, or fails.
func (h *handler) decisionFormFailed(w http.ResponseWriter, r *http.Request, a *aims.Actor, err error, d decisionListData,
	set func(*decisionListData, formErrors)) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	set(&d, fe)
	h.showDecisions(w, r, a, status, d)
}

// decisionErase erases the payloads of every decision about one subject.
func (h *handler) decisionErase(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := decisionEraseForm{Subject: r.PostForm.Get("subject"), Reason: r.PostForm.Get("reason"), Confirm: r.PostForm.Get("confirm") == "yes"}
	d := decisionListData{Erase: f}
	setErrs := func(d *decisionListData, fe formErrors) { d.EraseErrs = fe }
	var err error
	var res *decision.EraseResult
	if !f.Confirm {
		var p aims.Problems
		p.Add("confirm", "must be ticked: erasing cannot be undone")
		err = p.Err()
	} else {
		res, err = h.Decisions.EraseSubject(r.Context(), a, r.PathValue("ref"), decision.EraseRequest{Subject: f.Subject, Reason: f.Reason})
	}
	if err != nil {
		h.decisionFormFailed(w, r, a, err, d, setErrs)
		return
	}
	if res.Erased == 0 {
		h.flash(r.Context(), "No decision about this subject had a payload left to erase; nothing was changed.")
	} else {
		h.flash(r.Context(), "Erased the payloads of "+plural(res.Erased, "decision", "decisions")+
			" about this subject. Their hashes stay in the log, so every receipt still verifies.")
	}
	seeOther(w, r, decisionsHref(res.System))
}

// decisionRetention sets how many days the system's decision payloads are kept.
func (h *handler) decisionRetention(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	typed := r.PostForm.Get("days")
	d := decisionListData{Retention: typed}
	setErrs := func(d *decisionListData, fe formErrors) { d.RetentionErrs = fe }
	days, err := strconv.Atoi(strings.TrimSpace(typed))
	if err != nil {
		var p aims.Problems
		p.Add("days", "must be a whole number of days")
		h.decisionFormFailed(w, r, a, p.Err(), d, setErrs)
		return
	}
	l, err := h.Decisions.SetRetention(r.Context(), a, r.PathValue("ref"), decision.RetentionRequest{Days: days})
	if err != nil {
		h.decisionFormFailed(w, r, a, err, d, setErrs)
		return
	}
	h.flash(r.Context(), "The decision payloads of "+l.SystemRef+" are now kept for "+plural(int64(l.RetentionDays), "day", "days")+".")
	seeOther(w, r, decisionsHref(l.SystemRef))
}

// decisionData is what one decision's page shows.
type decisionData struct {
	Decision *decision.Decision
	// Inputs are the record's features, by name.
	Inputs []decisionInput
	Chart  attributionChart
	// Version is the model version that decided; nil when it cannot be read.
	Version *model.Version
}

// decisionDetail shows one decision and why it was made.
func (h *handler) decisionDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	dec, err := h.Decisions.Get(ctx, a, r.PathValue("ref"), r.PathValue("key"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := decisionData{Decision: dec}
	if rec := dec.Record; rec != nil {
		d.Inputs = decisionInputs(rec.Inputs)
		if rec.Explanation != nil {
			d.Chart = layoutAttributions(rec.Explanation.Attributions, dec.OutputLabel)
		}
	}
	if dec.ModelKey != "" {
		v, err := h.Models.GetVersion(ctx, a, dec.ModelKey)
		switch c := aims.CodeOf(err); {
		case err == nil:
			d.Version = v
		case c != aims.CodeNotFound && c != aims.CodeForbidden:
			h.fail(w, r, err)
			return
		}
	}
	title := "Decision " + strconv.FormatInt(dec.Index, 10) + " of " + dec.System
	h.show(w, r, http.StatusOK, title, "systems", func(v view) templ.Component { return decisionDetailView(v, d) })
}

// decisionReceiptName is the file name of a decision's receipt.
func decisionReceiptName(system string, index int64) string {
	return system + "-decision-" + strconv.FormatInt(index, 10) + "-receipt.json"
}

// decisionReceipt serves the receipt of one decision as a JSON download.
func (h *handler) decisionReceipt(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	rc, err := h.Decisions.Receipt(r.Context(), a, r.PathValue("ref"), r.PathValue("key"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Disposition", `attachment; filename="`+decisionReceiptName(rc.System, rc.Index)+`"`)
	hd.Set("Cache-Control", "no-store")
	_, _ = w.Write(append(b, '\n'))
}

// decisionOversight is the oversight section of a system's page.
type decisionOversight struct {
	*decision.Oversight
	// Size counts the decisions the system's log holds.
	Size int64
}

// decisionOversightFor reads a system's oversight rates for its page; nil
// when the pages have no decision service.
func (h *handler) decisionOversightFor(r *http.Request, a *aims.Actor, ref string) (*decisionOversight, error) {
	if h.Decisions == nil {
		return nil, nil
	}
	l, err := h.Decisions.Log(r.Context(), a, ref)
	if err != nil {
		return nil, err
	}
	o, err := h.Decisions.Oversight(r.Context(), a, ref)
	if err != nil {
		return nil, err
	}
	return &decisionOversight{Oversight: o, Size: l.Size}, nil
}

// decisionReviewOptions are the choices of the search's review filter.
func decisionReviewOptions(current string) []option {
	out := make([]option, 0, 5)
	for _, o := range [][2]string{{"any", "Any"}, {"none", "Not reviewed"}, {"reviewed", "Reviewed"},
		{decision.ReviewAgreed, "Reviewer agreed"}, {decision.ReviewOverridden, "Reviewer overrode"}} {
		out = append(out, option{Value: o[0], Label: o[1], Selected: o[0] == current || (o[0] == "any" && current == "")})
	}
	return out
}

// decisionModelOptions are the choices of the search's model version filter:
// the versions that have decisions, and what was typed if it is another.
func decisionModelOptions(d decisionListData) []option {
	out := []option{{Value: "", Label: "Any model version", Selected: d.Search.Model == ""}}
	found := d.Search.Model == ""
	for _, k := range d.Versions {
		out = append(out, option{Value: k, Label: k, Selected: k == d.Search.Model})
		found = found || k == d.Search.Model
	}
	if !found {
		out = append(out, option{Value: d.Search.Model, Label: d.Search.Model, Selected: true})
	}
	return out
}

// decisionSearchField is a control of the search form.
func decisionSearchField(name, label, typ, value, hint string, errs formErrors) field {
	return field{ID: "search-" + name, Name: name, Label: label, Type: typ, Value: value, Hint: hint, Err: errs.For(name)}
}

// decisionFormField is a control of the erase or retention form.
func decisionFormField(prefix, name, label, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + name, Name: name, Label: label, Type: typ, Value: value, Hint: hint, Err: errs.For(name),
		Wide: typ == "textarea", Rows: 2}
}

// decisionSummary lists a form's problems, each linking to its field.
func decisionSummary(fe formErrors, prefix string, labels map[string]string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		label, ok := labels[f.Field]
		if !ok {
			label = fieldLabel(f.Field)
		}
		it := summaryItem{Text: label + " " + f.Message}
		if ok {
			it.Href = "#" + prefix + f.Field
		}
		out = append(out, it)
	}
	return out
}

// Labels of the decision forms' fields.
var (
	decisionSearchLabels = map[string]string{"from": "From", "to": "To", "model": "Model version", "output": "Output",
		"subject": "Subject pseudonym", "review": "Review"}
	decisionEraseLabels     = map[string]string{"subject": "Subject pseudonym", "reason": "Reason", "confirm": "Confirmation"}
	decisionRetentionLabels = map[string]string{"days": "Days kept"}
)
