package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/objective"
)

// objectiveLabels name the fields of objectives, indicators and values for people.
var objectiveLabels = map[string]string{
	"annex_c": "Annex C objectives", "owner": "Owner", "systems": "AI systems", "plan.actions": "What will be done",
	"plan.resources": "Resources", "plan.responsible": "Responsible", "plan.due_on": "Due by", "plan.evaluation": "How results are evaluated",
	"unit": "Unit", "target.kind": "Target", "target.min": "Lowest value on target", "target.max": "Highest value on target",
	"cadence": "Cadence", "method": "How it is measured", "source": "Values come", "starts_on": "First period starts",
	"value": "Value", "measured_on": "Measured for", "evidence": "Evidence", "corrects": "Corrects", "note": "Note",
}

// objectiveLabel names a field for people.
func objectiveLabel(f string) string {
	if l, ok := objectiveLabels[f]; ok {
		return l
	}
	return fieldLabel(f)
}

// objectiveSummary lists a form's problems, linking each to its control.
func objectiveSummary(fe formErrors, prefix string, fields []string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: objectiveLabel(f.Field) + " " + f.Message}
		if slices.Contains(fields, f.Field) {
			it.Href = "#" + prefix + strings.ReplaceAll(f.Field, ".", "-")
		}
		out = append(out, it)
	}
	return out
}

// objField is a control of an objective, indicator or value form.
func objField(prefix, name, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + strings.ReplaceAll(name, ".", "-"), Name: name, Label: objectiveLabel(name), Type: typ, Value: value,
		Hint: hint, Err: errs.For(name), Wide: typ == "textarea"}
}

// objChoice is a select of an enumeration.
func objChoice(prefix, name, value, hint string, opts []objective.Option, errs formErrors) field {
	f := objField(prefix, name, "select", value, hint, errs)
	for _, o := range opts {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Hint: o.Help, Selected: o.Value == value})
	}
	return f
}

// objectiveForm is the objective form as typed.
type objectiveForm struct {
	Title, Description, Owner, Version                 string
	AnnexC, Systems                                    []string
	Actions, Resources, Responsible, DueOn, Evaluation string
}

func objectiveFormFrom(v url.Values) objectiveForm {
	return objectiveForm{Title: v.Get("title"), Description: v.Get("description"), Owner: v.Get("owner"), Version: v.Get("version"),
		AnnexC: v["annex_c"], Systems: v["systems"], Actions: v.Get("plan.actions"), Resources: v.Get("plan.resources"),
		Responsible: v.Get("plan.responsible"), DueOn: v.Get("plan.due_on"), Evaluation: v.Get("plan.evaluation")}
}

func objectiveFormOf(o *objective.Objective) objectiveForm {
	f := objectiveForm{Title: o.Title, Description: o.Description, Owner: o.Owner.UserID, Version: strconv.Itoa(o.Version),
		Actions: o.Plan.Actions, Resources: o.Plan.Resources, Responsible: o.Plan.Responsible, DueOn: o.Plan.DueOn, Evaluation: o.Plan.Evaluation}
	for _, a := range o.AnnexC {
		f.AnnexC = append(f.AnnexC, a.ID)
	}
	for _, s := range o.Systems {
		f.Systems = append(f.Systems, s.Ref)
	}
	return f
}

func (f objectiveForm) plan() objective.ObjectivePlan {
	return objective.ObjectivePlan{Actions: f.Actions, Resources: f.Resources, Responsible: f.Responsible, DueOn: f.DueOn, Evaluation: f.Evaluation}
}

func (f objectiveForm) create() objective.ObjectiveRequest {
	return objective.ObjectiveRequest{Title: f.Title, Description: f.Description, AnnexC: f.AnnexC, Owner: f.Owner, Systems: f.Systems, Plan: f.plan()}
}

func (f objectiveForm) update() objective.ObjectiveUpdate {
	annex, systems, plan := append([]string{}, f.AnnexC...), append([]string{}, f.Systems...), f.plan()
	return objective.ObjectiveUpdate{Version: formInt(f.Version), Title: &f.Title, Description: &f.Description, AnnexC: &annex,
		Owner: &f.Owner, Systems: &systems, Plan: &plan}
}

// objectiveFormData is what the objective form shows.
type objectiveFormData struct {
	// Objective is the stored objective when editing, nil when setting one.
	Objective *objective.Objective
	Form      objectiveForm
	Errs      formErrors
	Members   []identity.Membership
	Systems   []aisystem.System
}

var objectiveFormFields = []string{"title", "description", "annex_c", "owner", "systems", "plan.actions", "plan.resources",
	"plan.responsible", "plan.due_on", "plan.evaluation"}

func (d objectiveFormData) action() string {
	if d.Objective == nil {
		return "/objectives"
	}
	return "/objectives/" + d.Objective.Ref
}

func (d objectiveFormData) field(name, typ, value, hint string) field {
	f := objField("objective-", name, typ, value, hint, d.Errs)
	f.Required = name != "description"
	return f
}

func (d objectiveFormData) owner() field {
	f := d.field("owner", "select", d.Form.Owner, "The member who answers for the objective and hears when values are due.")
	for _, m := range d.Members {
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: m.UserID == d.Form.Owner})
	}
	return f
}

func (d objectiveFormData) annexC() field {
	f := field{ID: "objective-annex_c", Name: "annex_c", Label: objectiveLabel("annex_c"), Err: d.Errs.For("annex_c"),
		Hint: "The potential AI-related objectives of ISO/IEC 42001 Annex C that this objective serves."}
	for _, it := range catalog.AnnexC() {
		if it.Kind == "objective" {
			f.Options = append(f.Options, option{Value: it.ID, Label: it.ID + " " + it.Title, Selected: slices.Contains(d.Form.AnnexC, it.ID)})
		}
	}
	return f
}

func (d objectiveFormData) systems() field {
	f := field{ID: "objective-systems", Name: "systems", Label: objectiveLabel("systems"), Err: d.Errs.For("systems"),
		Hint: "The AI systems it concerns; none when it concerns the organisation as a whole."}
	for _, s := range d.Systems {
		f.Options = append(f.Options, option{Value: s.Ref, Label: s.Ref + " " + s.Name,
			Selected: slices.ContainsFunc(d.Form.Systems, func(x string) bool { return strings.EqualFold(x, s.Ref) || x == s.ID })})
	}
	return f
}

// indicatorView is an indicator with its values and chart.
type indicatorView struct {
	Indicator    objective.Indicator
	Measurements []objective.Measurement
	Chart        indicatorChart
}

// indicatorForm is the form that defines an indicator, as typed.
type indicatorForm struct {
	Name, Unit, TargetKind, TargetMin, TargetMax, Cadence, Method, Source, StartsOn string
}

func indicatorFormFrom(v url.Values) indicatorForm {
	return indicatorForm{Name: v.Get("name"), Unit: v.Get("unit"), TargetKind: v.Get("target.kind"), TargetMin: v.Get("target.min"),
		TargetMax: v.Get("target.max"), Cadence: v.Get("cadence"), Method: v.Get("method"), Source: v.Get("source"), StartsOn: v.Get("starts_on")}
}

// formNumber reads an optional number from a form field, recording a problem when it is not one.
func formNumber(p *aims.Problems, field, s string) *float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		p.Add(field, "must be a number such as 95 or 0.8")
		return nil
	}
	return &v
}

// request turns the form into a request; the problems are those of numbers that do not read.
func (f indicatorForm) request() (objective.IndicatorRequest, aims.Problems) {
	var p aims.Problems
	t := objective.IndicatorTarget{Kind: f.TargetKind}
	// Only the bounds the kind of target uses are read; the other box may keep an old value.
	if f.TargetKind != "at_most" {
		t.Min = formNumber(&p, "target.min", f.TargetMin)
	}
	if f.TargetKind != "at_least" {
		t.Max = formNumber(&p, "target.max", f.TargetMax)
	}
	return objective.IndicatorRequest{Name: f.Name, Unit: f.Unit, Target: t, Cadence: f.Cadence, Method: f.Method, Source: f.Source,
		StartsOn: f.StartsOn}, p
}

// measureForm is the form that records a value, as typed.
type measureForm struct {
	Value, MeasuredOn, Note, Evidence, Corrects string
}

func measureFormFrom(v url.Values) measureForm {
	return measureForm{Value: v.Get("value"), MeasuredOn: v.Get("measured_on"), Note: v.Get("note"), Evidence: v.Get("evidence"),
		Corrects: v.Get("corrects")}
}

func (f measureForm) request() (objective.MeasureRequest, aims.Problems) {
	var p aims.Problems
	v := formNumber(&p, "value", f.Value)
	if v == nil && !p.Has("value") {
		p.Add("value", "is required")
	}
	return objective.MeasureRequest{Value: v, MeasuredOn: f.MeasuredOn, Note: f.Note, Evidence: f.Evidence, Corrects: formInt(f.Corrects)}, p
}

// statusForm is the form that changes an objective's status, as typed.
type statusForm struct {
	Status, Note, Version string
}

// objectivePageData is what an objective's page shows, with its forms as typed.
type objectivePageData struct {
	Objective  *objective.Objective
	Indicators []indicatorView
	History    []eventView
	// MeasureFor is the number of the indicator whose value form Measure and MeasureErrs belong to.
	MeasureFor    int
	Measure       measureForm
	MeasureErrs   formErrors
	Indicator     indicatorForm
	IndicatorErrs formErrors
	Status        statusForm
	StatusErrs    formErrors
}

var indicatorFormFields = []string{"name", "unit", "target.kind", "target.min", "target.max", "cadence", "method", "source", "starts_on"}

var measureFormFields = []string{"value", "measured_on", "note", "evidence", "corrects"}

func (d objectivePageData) indicatorField(name, typ, value, hint string) field {
	f := objField("indicator-new-", name, typ, value, hint, d.IndicatorErrs)
	f.Required = name == "name" || name == "method"
	return f
}

func (d objectivePageData) indicatorChoice(name, value, hint string, opts []objective.Option) field {
	f := objChoice("indicator-new-", name, value, hint, opts, d.IndicatorErrs)
	f.Required = true
	return f
}

// measureOf returns the value form of an indicator as typed, and its problems, when it was the one sent.
func (d objectivePageData) measureOf(number int) (measureForm, formErrors) {
	if d.MeasureFor == number {
		return d.Measure, d.MeasureErrs
	}
	return measureForm{}, formErrors{}
}

// measurePrefix is the prefix of the ids of an indicator's value form.
func measurePrefix(number int) string { return "measure-" + strconv.Itoa(number) + "-" }

func (d objectivePageData) measureField(number int, name, typ, hint string) field {
	f, errs := d.measureOf(number)
	value := map[string]string{"value": f.Value, "measured_on": f.MeasuredOn, "note": f.Note, "evidence": f.Evidence}[name]
	fd := objField(measurePrefix(number), name, typ, value, hint, errs)
	fd.Required = name == "value"
	return fd
}

// correctsField lets a value correct an earlier one that is still in force.
func (d objectivePageData) correctsField(iv indicatorView) field {
	f, errs := d.measureOf(iv.Indicator.Number)
	fd := objField(measurePrefix(iv.Indicator.Number), "corrects", "select", f.Corrects,
		"To correct a mistaken value, choose it; the new value replaces it in the chart, and the note must say what was wrong.", errs)
	fd.Options = append(fd.Options, option{Value: "", Label: "Nothing: a new value", Selected: f.Corrects == ""})
	for _, m := range iv.Measurements {
		if m.CorrectedBy == 0 {
			n := strconv.Itoa(m.Number)
			fd.Options = append(fd.Options, option{Value: n, Label: "M" + n + ": " + objective.FormatValue(m.Value) + " for " + m.MeasuredOn,
				Selected: f.Corrects == n})
		}
	}
	return fd
}

func (d objectivePageData) statusChoice() field {
	value := d.Status.Status
	var opts []objective.Option
	for _, o := range objective.Statuses {
		if o.Value != d.Objective.Status {
			opts = append(opts, o)
		}
	}
	if value == "" && len(opts) > 0 {
		value = opts[0].Value
	}
	f := objChoice("status-", "status", value, "", opts, d.StatusErrs)
	f.Required = true
	return f
}

func (d objectivePageData) statusNote() field {
	f := objField("status-", "note", "textarea", d.Status.Note, "Why: the evaluation that shows it achieved, or the reason to withdraw it or take it up again.", d.StatusErrs)
	f.Required = true
	return f
}

// onTargetText words where an indicator stands against its target.
func onTargetText(in objective.Indicator) (string, string) {
	switch {
	case in.OnTarget == nil:
		return "No value yet", "badge badge-muted"
	case *in.OnTarget:
		return "On target", "badge badge-ok"
	}
	return "Off target", "badge badge-bad"
}

// indicatorDueText words when an indicator's next value is due.
func indicatorDueText(in objective.Indicator) string {
	if in.Status != objective.IndicatorActive {
		return "Retired"
	}
	if in.Due {
		return "Value due since " + in.NextDueOn
	}
	return "Next value due " + in.NextDueOn
}

// unitSuffix writes a unit after a caption, in brackets, or nothing.
func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " (" + unit + ")"
}

// unitOrPlain names the unit values are written in.
func unitOrPlain(unit string) string {
	if unit == "" {
		return "a plain number"
	}
	return unit
}

// objectiveStatusClass is the badge class of an objective's status.
func objectiveStatusClass(status string) string {
	switch status {
	case objective.StatusActive:
		return "badge badge-ok"
	case objective.StatusAchieved:
		return "badge badge-info"
	}
	return "badge badge-muted"
}
