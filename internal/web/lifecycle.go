package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/tlog"
)

// lifecycleRoutes adds the pages of stage gates, transitions and change requests.
func (h *handler) lifecycleRoutes(signed route) {
	signed("GET /lifecycle", h.lifecycleOverview)
	signed("GET /lifecycle/gates", h.gatesPage)
	signed("POST /lifecycle/gates", h.gatesSave)
	signed("GET /lifecycle/requests", h.stageRequestList)
	signed("GET /lifecycle/requests/{ref}", h.stageRequestPage)
	signed("POST /lifecycle/requests/{ref}/{verb}", h.stageRequestDecide)
	signed("GET /systems/{ref}/stage", h.stagePage)
	signed("POST /systems/{ref}/stage", h.stageRequestCreate)
	signed("GET /changes", h.changeList)
	signed("POST /changes", h.changeCreate)
	signed("GET /changes/new", h.changeNew)
	signed("GET /changes/{ref}", h.changePage)
	signed("POST /changes/{ref}/{verb}", h.changeDecide)
}

// lifecycleNavItems are the pages of the life cycle.
var lifecycleNavItems = []navItem{{"overview", "/lifecycle", "Overview"}, {"gates", "/lifecycle/gates", "Stage gates"},
	{"requests", "/lifecycle/requests", "Stage moves"}, {"changes", "/changes", "Change requests"}}

// stageLabel names a stage for people.
func stageLabel(s string) string { return lifecycle.Label(lifecycle.Stages, s) }

// checkRefHref links a record a check names: a model version, evidence, an impact assessment or a risk.
func checkRefHref(ref string) string {
	switch {
	case strings.Contains(ref, "@"):
		m, label, _ := strings.Cut(ref, "@")
		return "/models/" + m + "/versions/" + url.PathEscape(label)
	case strings.HasPrefix(ref, "EV-"):
		return "/evidence/" + ref
	case strings.HasPrefix(ref, "IA-"):
		return "/impact/assessments/" + ref
	case strings.HasPrefix(ref, "RISK-"):
		return "/risks/" + ref
	}
	return ""
}

// fixLink is where a check that is not met can be put right.
type fixLink struct {
	Text string
	Href string
}

// fixOf names the page where a missing requirement of a system's move is met.
func fixOf(c lifecycle.Check, systemRef, to string) *fixLink {
	if c.Met {
		return nil
	}
	link := func(control string) string {
		return "/evidence/new?" + url.Values{"link": {"control:" + control, "ai_system:" + systemRef}}.Encode()
	}
	switch c.Kind {
	case lifecycle.KindModelVersion:
		return &fixLink{"Register or approve a model version of " + systemRef, "/models?system=" + systemRef}
	case lifecycle.KindVVRecord, lifecycle.KindEvidence:
		return &fixLink{"Add evidence linked to " + c.Control + " and " + systemRef, link(c.Control)}
	case lifecycle.KindImpact:
		return &fixLink{"See the impact assessments of " + systemRef, "/impact/systems/" + systemRef}
	case lifecycle.KindRisksAssessed:
		return &fixLink{"Assess the risks of " + systemRef, "/risks?system=" + systemRef}
	case lifecycle.KindRetirementPlan:
		return &fixLink{"Request the move again with a retirement plan", "/systems/" + systemRef + "/stage?to=" + to}
	case lifecycle.KindNoChangeReview:
		return &fixLink{"Review the risks and impact assessments named, then come back", "/risks?system=" + systemRef}
	}
	return nil
}

// lifecycleLabels name the fields of the life cycle's forms and records for people.
var lifecycleLabels = map[string]string{
	"to": "Stage to move into", "from": "Current stage", "justification": "Justification", "plan": "Retirement plan",
	"note": "Note", "reason": "Reason", "system": "AI system", "title": "Title", "kinds": "What changes",
	"description": "Description", "expected_impact": "Expected impact", "significant": "Significant",
	"classification": "Classification", "version": "Version", "checks_met": "Every check met", "decision_note": "Decision note",
	"overridden": "Overridden", "unmet": "Unmet requirements", "classification_rule": "Rule", "raised_reason": "Reason raised",
	"implementation_note": "What was done", "marked_significant": "Marked significant", "status": "Status",
}

// lifecycleLabel names a field of the life cycle for people.
func lifecycleLabel(f string) string {
	if l, ok := lifecycleLabels[f]; ok {
		return l
	}
	if allowedStage(f) {
		return "Into " + stageLabel(f)
	}
	return fieldLabel(f)
}

func allowedStage(s string) bool {
	return slices.ContainsFunc(lifecycle.Stages, func(o lifecycle.Option) bool { return o.Value == s })
}

// lifecycleSummary lists a form's problems, linking each to its field when ids names it.
func lifecycleSummary(fe formErrors, ids map[string]string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: lifecycleLabel(f.Field) + " " + f.Message}
		if id, ok := ids[f.Field]; ok {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}

// lifecycleField is one control of a life-cycle form, labelled and with its problem.
func lifecycleField(prefix, name, typ, value, hint string, errs formErrors, required bool) field {
	return field{ID: prefix + name, Name: name, Label: lifecycleLabel(name), Type: typ, Value: value, Hint: hint,
		Err: errs.For(name), Wide: typ == "textarea", Required: required, Rows: 3}
}

// lifecycleHistory words the events of a life-cycle record with its own
// field names, and stages by their names.
func lifecycleHistory(evs []eventView) []eventView {
	for i := range evs {
		for j := range evs[i].Changes {
			ch := &evs[i].Changes[j]
			ch.Label = lifecycleLabel(ch.Field)
			if ch.Field == "from" || ch.Field == "to" {
				for _, v := range []*value{&ch.Before, &ch.After} {
					if allowedStage(v.Text) {
						v.Text = stageLabel(v.Text)
					}
				}
			}
		}
	}
	return evs
}

// lifecycleOverview shows each active system's stage, open move and open changes.
func (h *handler) lifecycleOverview(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	o, err := h.Lifecycle.Overview(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Life cycle", "systems", func(v view) templ.Component { return lifecycleOverviewView(v, o) })
}

// gatesData is the stage gates page: the gates, their history and, for leads, the form as typed.
type gatesData struct {
	Gates   *lifecycle.Gates
	Form    gatesForm
	Errs    formErrors
	History []eventView
}

// gatesForm is the gates form as typed: per stage the kinds ticked and the controls typed.
type gatesForm struct {
	Version  string
	Kinds    map[string][]string
	Controls map[string]string
}

// gatesFormOf fills the form from the gates.
func gatesFormOf(g *lifecycle.Gates) gatesForm {
	f := gatesForm{Version: strconv.Itoa(g.Version), Kinds: map[string][]string{}, Controls: map[string]string{}}
	for _, x := range g.Gates {
		var controls []string
		for _, r := range x.Requirements {
			if r.Kind == lifecycle.KindEvidence {
				controls = append(controls, r.Control)
			} else {
				f.Kinds[x.Stage] = append(f.Kinds[x.Stage], r.Kind)
			}
		}
		f.Controls[x.Stage] = strings.Join(controls, ", ")
	}
	return f
}

// gatesFormFrom reads the posted form.
func gatesFormFrom(v url.Values) gatesForm {
	f := gatesForm{Version: v.Get("version"), Kinds: map[string][]string{}, Controls: map[string]string{}}
	for _, st := range lifecycle.Stages {
		f.Kinds[st.Value] = v["kinds-"+st.Value]
		f.Controls[st.Value] = v.Get("controls-" + st.Value)
	}
	return f
}

// request is the form as a request with every stage, in life-cycle order.
func (f gatesForm) request() lifecycle.GatesRequest {
	req := lifecycle.GatesRequest{Version: formInt(f.Version)}
	for _, st := range lifecycle.Stages {
		g := lifecycle.Gate{Stage: st.Value, Requirements: []lifecycle.Requirement{}}
		for _, k := range f.Kinds[st.Value] {
			g.Requirements = append(g.Requirements, lifecycle.Requirement{Kind: k})
		}
		for _, c := range strings.FieldsFunc(f.Controls[st.Value], func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == ';' }) {
			g.Requirements = append(g.Requirements, lifecycle.Requirement{Kind: lifecycle.KindEvidence, Control: c})
		}
		req.Gates = append(req.Gates, g)
	}
	return req
}

// stageErrors maps the service's problems with a request built by request()
// onto each stage's fields: kinds-STAGE and controls-STAGE.
func stageErrors(fe formErrors, req lifecycle.GatesRequest) formErrors {
	out := formErrors{Message: fe.Message}
	for _, f := range fe.Fields {
		parts := strings.Split(f.Field, ".")
		if len(parts) >= 2 && parts[0] == "gates" {
			i, err := strconv.Atoi(parts[1])
			if err == nil && i >= 0 && i < len(req.Gates) {
				field, msg := "kinds-"+req.Gates[i].Stage, f.Message
				if parts[len(parts)-1] == "control" {
					field = "controls-" + req.Gates[i].Stage
					if len(parts) >= 4 {
						if j, err := strconv.Atoi(parts[3]); err == nil && j < len(req.Gates[i].Requirements) {
							msg = req.Gates[i].Requirements[j].Control + ": " + msg
						}
					}
				}
				out.Fields = append(out.Fields, aims.FieldError{Field: field, Message: msg})
				continue
			}
		}
		out.Fields = append(out.Fields, f)
	}
	return out
}

// gatesPage shows the stage gates, with the form for leads.
func (h *handler) gatesPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showGates(w, r, a, http.StatusOK, nil, formErrors{})
}

// showGates renders the gates page; a posted form stays as typed.
func (h *handler) showGates(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, posted *gatesForm, errs formErrors) {
	g, err := h.Lifecycle.Gates(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := gatesData{Gates: g, Form: gatesFormOf(g), Errs: errs}
	if posted != nil {
		d.Form = *posted
	}
	if d.History, err = h.history(r, a, "", func(ctx context.Context, a *aims.Actor, _ string) ([]tlog.Event, error) {
		return h.Lifecycle.GatesHistory(ctx, a)
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	d.History = lifecycleHistory(d.History)
	h.show(w, r, status, "Stage gates", "systems", func(v view) templ.Component { return gatesView(v, d) })
}

// gatesSave sets the stage gates from the form.
func (h *handler) gatesSave(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := gatesFormFrom(r.PostForm)
	req := f.request()
	g, err := h.Lifecycle.SetGates(r.Context(), a, req)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showGates(w, r, a, status, &f, stageErrors(fe, req))
		return
	}
	h.flash(r.Context(), "The stage gates are saved as version "+strconv.Itoa(g.Version)+".")
	seeOther(w, r, "/lifecycle/gates")
}

// kindOptions are the checkboxes of a stage's requirement kinds, evidence aside.
func (d gatesData) kindOptions(stage string) []option {
	var out []option
	for _, o := range lifecycle.RequirementKinds {
		if o.Value == lifecycle.KindEvidence || (o.Value == lifecycle.KindRetirementPlan && stage != "retirement") {
			continue
		}
		out = append(out, option{Value: o.Value, Label: o.Label, Hint: o.Help, Selected: slices.Contains(d.Form.Kinds[stage], o.Value)})
	}
	return out
}

// kindsField is the checkbox group of a stage.
func (d gatesData) kindsField(stage string) field {
	return field{ID: "kinds-" + stage, Name: "kinds-" + stage, Label: "Requirements", Options: d.kindOptions(stage),
		Err: d.Errs.For("kinds-" + stage)}
}

// controlsField is the text field of the controls whose evidence a stage needs.
func (d gatesData) controlsField(stage string) field {
	return field{ID: "controls-" + stage, Name: "controls-" + stage, Label: "Evidence for controls", Type: "text",
		Value: d.Form.Controls[stage], Err: d.Errs.For("controls-" + stage),
		Hint: "Controls whose current evidence, linked to the system, the move needs: A.6.2.6, CTL-2 …, separated by commas."}
}

// gatesIDs link the gates form's problems to their fields.
func gatesIDs() map[string]string {
	ids := map[string]string{"version": "save-gates"}
	for _, st := range lifecycle.Stages {
		ids["kinds-"+st.Value] = "kinds-" + st.Value
		ids["controls-"+st.Value] = "controls-" + st.Value
	}
	return ids
}

// gatesSummary lists the gates form's problems with the stage they concern.
func gatesSummary(fe formErrors) []summaryItem {
	ids := gatesIDs()
	var out []summaryItem
	for _, f := range fe.Fields {
		stage := f.Field[strings.Index(f.Field, "-")+1:]
		text := lifecycleLabel(f.Field) + " " + f.Message
		if allowedStage(stage) {
			text = "Into " + stageLabel(stage) + ": " + f.Message
		}
		it := summaryItem{Text: text}
		if id, ok := ids[f.Field]; ok {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}

// joinWords lists texts in a sentence.
func joinWords(texts []string) string { return strings.Join(texts, "; ") }
