package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/monitor"
)

// monitorForm is the form of a monitor as typed.
type monitorForm struct {
	Name, Metric, Feature, Group, Method, Agg, ModelVersion, Window, Threshold, Direction            string
	MinSamples, DelayHours, ReferenceFrom, ReferenceTo, ReferenceDataset, Severity, OwnerID, Version string
}

// monitorFormFields are the form's fields in the order they appear.
var monitorFormFields = []string{"name", "metric", "feature", "group", "method", "agg", "model_version", "window", "threshold",
	"direction", "min_samples", "delay_hours", "reference_from", "reference_to", "reference_dataset", "severity", "owner_id"}

// newMonitorForm is the form of a new monitor, with the usual choices made.
func newMonitorForm() monitorForm {
	return monitorForm{Metric: monitor.MetricDPRatio, Window: monitor.WindowDay, Direction: monitor.Below, MinSamples: "30", DelayHours: "0"}
}

func monitorFormFrom(v url.Values) monitorForm {
	return monitorForm{Name: v.Get("name"), Metric: v.Get("metric"), Feature: v.Get("feature"), Group: v.Get("group"),
		Method: v.Get("method"), Agg: v.Get("agg"), ModelVersion: v.Get("model_version"), Window: v.Get("window"),
		Threshold: v.Get("threshold"), Direction: v.Get("direction"), MinSamples: v.Get("min_samples"), DelayHours: v.Get("delay_hours"),
		ReferenceFrom: v.Get("reference_from"), ReferenceTo: v.Get("reference_to"), ReferenceDataset: v.Get("reference_dataset"),
		Severity: v.Get("severity"),
		OwnerID:  v.Get("owner_id"), Version: v.Get("version")}
}

// monitorFormOf is the edit form of a monitor as it is.
func monitorFormOf(m *monitor.Monitor) monitorForm {
	f := monitorForm{Name: m.Name, Metric: m.Metric, Feature: m.Feature, Group: m.Group, Method: m.Method, Agg: m.Agg,
		ModelVersion: m.ModelVersion, Window: m.Window, Threshold: strconv.FormatFloat(m.Threshold, 'g', -1, 64), Direction: m.Direction,
		MinSamples: strconv.Itoa(m.MinSamples), DelayHours: strconv.Itoa(m.DelayHours), ReferenceDataset: m.ReferenceDataset,
		Severity: m.Severity, OwnerID: m.OwnerID,
		Version: strconv.Itoa(m.Version)}
	if m.ReferenceFrom != nil {
		f.ReferenceFrom = formDate(*m.ReferenceFrom, false)
	}
	if m.ReferenceTo != nil {
		f.ReferenceTo = formDate(*m.ReferenceTo, true)
	}
	return f
}

// formDate writes a time for a date field: a midnight as its date (the
// day before, for the exclusive end of a range), any other time as a
// datetime-local field holds it, in UTC.
func formDate(t time.Time, end bool) string {
	t = t.UTC()
	if !t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format("2006-01-02T15:04")
	}
	if end {
		t = t.AddDate(0, 0, -1)
	}
	return t.Format(time.DateOnly)
}

// dateInput is the input type that holds a formDate value: a date, or a
// date and time.
func dateInput(v string) string {
	if strings.Contains(v, "T") {
		return "datetime-local"
	}
	return "date"
}

// request turns the form into a monitor request, recording what does not parse.
func (f monitorForm) request(p *aims.Problems) monitor.Request {
	req := monitor.Request{Name: strings.TrimSpace(f.Name), Metric: f.Metric, Feature: strings.TrimSpace(f.Feature),
		Group: strings.TrimSpace(f.Group), Method: f.Method, Agg: f.Agg, ModelVersion: strings.TrimSpace(f.ModelVersion),
		Window: f.Window, Direction: f.Direction, ReferenceDataset: strings.TrimSpace(f.ReferenceDataset), Severity: f.Severity,
		OwnerID: f.OwnerID}
	if s := strings.TrimSpace(f.Threshold); s == "" {
		p.Add("threshold", "is required: the value a window's metric is compared with, such as 0.8")
	} else if x, err := strconv.ParseFloat(s, 64); err != nil {
		p.Add("threshold", "must be a number such as 0.8")
	} else {
		req.Threshold = x
	}
	if req.MinSamples = monitorInt(p, "min_samples", f.MinSamples); req.MinSamples == 0 && strings.TrimSpace(f.MinSamples) != "" {
		p.Add("min_samples", "must be at least 1; leave it empty for 30")
	}
	req.DelayHours = monitorInt(p, "delay_hours", f.DelayHours)
	if t, _ := decisionTime(p, "reference_from", f.ReferenceFrom); !t.IsZero() {
		req.ReferenceFrom = &t
	}
	if t := endTime(p, "reference_to", f.ReferenceTo); !t.IsZero() {
		req.ReferenceTo = &t
	}
	return req
}

// monitorInt reads an optional whole number; blank is 0.
func monitorInt(p *aims.Problems, field, v string) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.Add(field, "must be a whole number")
	}
	return n
}

// monitorLabels name the form's fields in its error summary.
var monitorLabels = map[string]string{"name": "Name", "metric": "Metric", "feature": "Feature", "group": "Group",
	"method": "Comparison", "agg": "Combining TPR and FPR", "model_version": "Model version", "window": "Window",
	"threshold": "Threshold", "direction": "Breach when", "min_samples": "Minimum samples", "delay_hours": "Delay (hours)",
	"reference_from": "Reference from", "reference_to": "Reference to", "reference_dataset": "Reference data set version", "severity": "Incident severity", "owner_id": "Incident owner",
	"version": "Version", "positive": "Favourable decision", "positive_outcome": "Positive outcome",
	"from": "From", "to": "To", "reference": "Reference"}

// metricLabels name the metrics for people.
var metricLabels = map[string]string{
	monitor.MetricAccuracy: "Accuracy", monitor.MetricPrecision: "Precision", monitor.MetricRecall: "Recall (true positive rate)",
	monitor.MetricFPR: "False positive rate", monitor.MetricAUC: "ROC AUC", monitor.MetricECE: "Expected calibration error",
	monitor.MetricSelectionRate: "Selection rate",
	monitor.MetricDPDifference:  "Demographic parity difference", monitor.MetricDPRatio: "Demographic parity ratio",
	monitor.MetricEODifference: "Equalized odds difference", monitor.MetricEORatio: "Equalized odds ratio",
	monitor.MetricEOpDiff: "Equal opportunity difference", monitor.MetricEOpRatio: "Equal opportunity ratio",
	monitor.MetricPSI: "Population stability index (drift)", monitor.MetricJS: "Jensen–Shannon distance (drift)",
	monitor.MetricKS: "Kolmogorov–Smirnov statistic (drift)", monitor.MetricKSP: "Kolmogorov–Smirnov p-value (drift)",
	monitor.MetricChiSquare: "Chi-square p-value (drift)",
}

// metricLabel names a metric, falling back to its code.
func metricLabel(m string) string {
	if l, ok := metricLabels[m]; ok {
		return l
	}
	return m
}

// monitorField is a text control of the monitor form; prefix tells the new-monitor form from the edit form.
func monitorField(prefix, name, typ, value, hint string, errs formErrors) field {
	return field{ID: prefix + name, Name: name, Label: monitorLabels[name], Type: typ, Value: value, Hint: hint, Err: errs.For(name)}
}

// monitorSelect is a select of the monitor form; a typed value that is not among the choices is kept.
func monitorSelect(prefix, name, value, hint string, choices [][2]string, errs formErrors) field {
	f := monitorField(prefix, name, "select", value, hint, errs)
	found := false
	for _, c := range choices {
		f.Options = append(f.Options, option{Value: c[0], Label: c[1], Selected: c[0] == value})
		found = found || c[0] == value
	}
	if !found {
		f.Options = append(f.Options, option{Value: value, Label: value, Selected: true})
	}
	return f
}

// metricChoices are the metrics in the order forms offer them.
func metricChoices() [][2]string {
	out := make([][2]string, 0, len(monitor.Metrics))
	for _, m := range monitor.Metrics {
		out = append(out, [2]string{m, metricLabel(m)})
	}
	return out
}

// Choices of the monitor form's selects.
var (
	windowChoices    = [][2]string{{monitor.WindowHour, "Hour"}, {monitor.WindowDay, "Day"}, {monitor.WindowWeek, "Week"}}
	directionChoices = [][2]string{{monitor.Below, "The value is below the threshold"}, {monitor.Above, "The value is above the threshold"}}
	methodChoices    = [][2]string{{"", "Between groups (default)"}, {"between_groups", "Between groups"}, {"to_overall", "Each group to everyone"}}
	aggChoices       = [][2]string{{"", "Worst case (default)"}, {"worst_case", "Worst case"}, {"mean", "Mean"}}
	severityChoices  = [][2]string{{"", "Open no incident"}, {"low", "Low"}, {"medium", "Medium"}, {"high", "High"}, {"critical", "Critical"}}
)

// versionChoices are every model version, then the versions with decisions.
func versionChoices(keys []string) [][2]string {
	out := [][2]string{{"", "Every model version"}}
	for _, k := range keys {
		out = append(out, [2]string{k, k})
	}
	return out
}

// ownerChoices are the organisation's members, "you" first.
func ownerChoices(ms []identity.Membership) [][2]string {
	out := [][2]string{{"", "You"}}
	for _, m := range ms {
		out = append(out, [2]string{m.UserID, m.Name + " (" + m.Email + ")"})
	}
	return out
}

// monitorSummary lists a monitor form's problems, each linking to its field.
func monitorSummary(fe formErrors, prefix string) []summaryItem {
	fields := map[string]string{}
	for _, f := range append([]string{"positive", "positive_outcome"}, monitorFormFields...) {
		fields[f] = prefix + f
	}
	var out []summaryItem
	for _, f := range fe.Fields {
		label, ok := monitorLabels[f.Field]
		if !ok {
			label = fieldLabel(f.Field)
		}
		it := summaryItem{Text: label + " " + f.Message}
		if id, ok := fields[f.Field]; ok {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}

// queryField is a control of the report's range form.
func queryField(name, label, typ, value, hint string, errs formErrors) field {
	return field{ID: "range-" + name, Name: name, Label: label, Type: typ, Value: value, Hint: hint, Err: errs.For(name)}
}

// querySummary lists the range form's problems, each linking to its field.
func querySummary(fe formErrors) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		label, ok := monitorLabels[f.Field]
		if !ok {
			label = fieldLabel(f.Field)
		}
		it := summaryItem{Text: label + " " + f.Message}
		switch f.Field {
		case "from", "to", "window", "model_version", "reference_from", "reference_to", "reference_dataset":
			it.Href = "#range-" + f.Field
		}
		out = append(out, it)
	}
	return out
}

// monitorWhat says what a monitor watches, such as "Selection rate of sex = f, MDL-1@1.4.0".
func monitorWhat(m monitor.Monitor) string {
	s := metricLabel(m.Metric)
	if m.Feature != "" {
		s += " of " + m.Feature
		if m.Group != "" {
			s += " = " + m.Group
		}
	} else if m.Group != "" {
		s += " of group " + m.Group
	}
	if m.ModelVersion != "" {
		s += ", " + m.ModelVersion
	}
	return s
}

// breachWhen says which values breach a threshold, such as "below 0.800".
func breachWhen(direction string, threshold float64) string {
	return direction + " " + fixed3(threshold)
}

// monitorStateLabel words a monitor's state.
func monitorStateLabel(m monitor.Monitor) string {
	switch {
	case m.Archived:
		return "Archived"
	case m.State == "alert":
		return "Alert"
	}
	return "OK"
}

// monitorStateClass is the badge class of a monitor's state.
func monitorStateClass(m monitor.Monitor) string {
	switch {
	case m.Archived:
		return "badge badge-muted monitor-state"
	case m.State == "alert":
		return "badge badge-bad monitor-state"
	}
	return "badge badge-ok monitor-state"
}

// monitorResultLabel words a window's judgement.
func monitorResultLabel(s string) string {
	switch s {
	case monitor.StatusBreach:
		return "Breach"
	case monitor.StatusInsufficient:
		return "Not judged"
	}
	return "OK"
}

// monitorResultClass is the badge class of a window's judgement.
func monitorResultClass(s string) string {
	switch s {
	case monitor.StatusBreach:
		return "badge badge-bad"
	case monitor.StatusInsufficient:
		return "badge badge-muted"
	}
	return "badge badge-ok"
}

// monitorSelectField is a select with its own label.
func monitorSelectField(prefix, name, label, value string, choices [][2]string, errs formErrors) field {
	f := monitorSelect(prefix, name, value, "", choices, errs)
	f.Label = label
	return f
}

// methodLabel words how a disparity compares groups.
func methodLabel(m string) string {
	switch m {
	case "between_groups":
		return "Between groups"
	case "to_overall":
		return "Each group to everyone"
	}
	return m
}
