package objective

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Indicator is a measurable indicator of an objective, with its target and
// how often it is measured.
type Indicator struct {
	ID           string          `json:"id"`
	Ref          string          `json:"ref" doc:"Short reference such as OBJ-1/I2."`
	ObjectiveID  string          `json:"objective_id"`
	ObjectiveRef string          `json:"objective_ref"`
	Number       int             `json:"number" doc:"The indicator's number within its objective."`
	Name         string          `json:"name"`
	Unit         string          `json:"unit" doc:"Unit of the values, such as %, ms or count; empty for a plain number."`
	Target       IndicatorTarget `json:"target"`
	// TargetText says the target in words.
	TargetText string `json:"target_text" doc:"The target in words, such as at least 95 %."`
	Cadence    string `json:"cadence" enum:"monthly,quarterly,half_yearly,yearly"`
	Method     string `json:"method" doc:"How the value is measured."`
	Source     string `json:"source" enum:"manual,api" doc:"Whether values are entered by people or posted by an automated feed."`
	StartsOn   string `json:"starts_on" doc:"Start of the first period, YYYY-MM-DD; the first value is due one cadence later."`
	Status     string `json:"status" enum:"active,retired"`
	// Latest is the latest value in force: corrected values do not count.
	Latest       *Measurement `json:"latest" doc:"The latest value in force (by the date it refers to); null when none is recorded."`
	OnTarget     *bool        `json:"on_target" doc:"Whether the latest value meets the target; null when none is recorded."`
	NextDueOn    string       `json:"next_due_on" doc:"When the next value is due, YYYY-MM-DD: one cadence after the latest value's date, or after starts_on when none is recorded."`
	Due          bool         `json:"due" doc:"Whether an active indicator's next value is due today or earlier."`
	Measurements int          `json:"measurements" doc:"How many values are recorded, corrections included."`
	Version      int          `json:"version" doc:"Increases with every change; send it back when updating."`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// IndicatorTarget is what an indicator's values should be: at least Min, at most
// Max, or between Min and Max, bounds included.
type IndicatorTarget struct {
	Kind string   `json:"kind" enum:"at_least,at_most,between" doc:"at_least needs min, at_most needs max, between needs both."`
	Min  *float64 `json:"min,omitempty" doc:"The lowest value that meets the target."`
	Max  *float64 `json:"max,omitempty" doc:"The highest value that meets the target."`
}

// TargetKinds are the kinds of target.
var TargetKinds = []Option{
	{"at_least", "At least", "values at or above the target meet it"},
	{"at_most", "At most", "values at or below the target meet it"},
	{"between", "Between", "values within the range, bounds included, meet it"},
}

// Cadences are how often indicators are measured.
var Cadences = []Option{
	{"monthly", "Monthly", "a value every month"},
	{"quarterly", "Quarterly", "a value every three months"},
	{"half_yearly", "Half-yearly", "a value every six months"},
	{"yearly", "Yearly", "a value every year"},
}

// cadenceMonths is how many months a cadence spans.
var cadenceMonths = map[string]int{"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}

// ValueSources say where values come from.
var ValueSources = []Option{
	{"manual", "Entered by people", "someone records each value on the page or with the command line"},
	{"api", "Posted through the API", "an automated feed, such as an ML pipeline, posts the values"},
}

// Indicator statuses.
const (
	IndicatorActive  = "active"
	IndicatorRetired = "retired"
)

// Met reports whether a value meets the target.
func (t IndicatorTarget) Met(v float64) bool {
	switch t.Kind {
	case "at_least":
		return t.Min != nil && v >= *t.Min
	case "at_most":
		return t.Max != nil && v <= *t.Max
	case "between":
		return t.Min != nil && t.Max != nil && v >= *t.Min && v <= *t.Max
	}
	return false
}

// Text says the target in words, with the unit.
func (t IndicatorTarget) Text(unit string) string {
	with := func(f *float64) string {
		if f == nil {
			return "?"
		}
		return strings.TrimSpace(FormatValue(*f) + " " + unit)
	}
	switch t.Kind {
	case "at_least":
		return "at least " + with(t.Min)
	case "at_most":
		return "at most " + with(t.Max)
	case "between":
		if t.Min == nil {
			return "between ? and " + with(t.Max)
		}
		return "between " + FormatValue(*t.Min) + " and " + with(t.Max)
	}
	return ""
}

// normalise checks the target and records every problem under field.
func (t *IndicatorTarget) normalise(p *aims.Problems, field string) {
	t.Kind = strings.TrimSpace(t.Kind)
	if !isOneOf(TargetKinds, t.Kind) {
		p.Add(field+".kind", "must be one of %s", valueList(TargetKinds))
		return
	}
	needMin, needMax := t.Kind != "at_most", t.Kind != "at_least"
	for _, b := range []struct {
		name string
		v    *float64
		need bool
	}{{"min", t.Min, needMin}, {"max", t.Max, needMax}} {
		switch {
		case b.need && b.v == nil:
			p.Add(field+"."+b.name, "is required when the target is %s", strings.ToLower(Label(TargetKinds, t.Kind)))
		case !b.need && b.v != nil:
			p.Add(field+"."+b.name, "must be left out when the target is %s", strings.ToLower(Label(TargetKinds, t.Kind)))
		case b.v != nil && (math.IsNaN(*b.v) || math.IsInf(*b.v, 0)):
			p.Add(field+"."+b.name, "must be a finite number")
		}
	}
	if t.Kind == "between" && t.Min != nil && t.Max != nil && !p.Has(field+".min") && !p.Has(field+".max") && *t.Min >= *t.Max {
		p.Add(field+".max", "must be greater than the lower bound %s", FormatValue(*t.Min))
	}
}

// FormatValue writes a value as briefly as it is exact, up to ten significant digits.
func FormatValue(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }

// NextDue returns when the value after one for the period ending on date
// is due at a cadence: the same day of the month cadence months later. A
// date on the last day of its month is followed by the last day of the
// later month (2026-02-28 monthly is followed by 2026-03-31), and a day
// the later month lacks becomes its last day (2026-01-30 monthly is
// followed by 2026-02-28).
func NextDue(date time.Time, cadence string) time.Time {
	y, m, d := date.Date()
	first := time.Date(y, m+time.Month(cadenceMonths[cadence]), 1, 0, 0, 0, 0, time.UTC)
	last := daysIn(first.Year(), first.Month())
	if d == daysIn(y, m) || d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}

// daysIn is the number of days of a month.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// settle works out the indicator's due date and standing on the day today
// from its latest value in force; active tells whether its objective is active.
func (in *Indicator) settle(today string, active bool) {
	from := in.StartsOn
	in.OnTarget = nil
	if in.Latest != nil {
		from = in.Latest.MeasuredOn
		ok := in.Target.Met(in.Latest.Value)
		in.OnTarget = &ok
	}
	in.TargetText = in.Target.Text(in.Unit)
	if t, err := time.Parse(DateLayout, from); err == nil {
		in.NextDueOn = NextDue(t, in.Cadence).Format(DateLayout)
	}
	in.Due = active && in.Status == IndicatorActive && in.NextDueOn != "" && in.NextDueOn <= today
}

// IndicatorRequest defines a new indicator of an objective.
type IndicatorRequest struct {
	Name     string          `json:"name" minLength:"1" maxLength:"200" doc:"What is measured, such as Share of decisions explained."`
	Unit     string          `json:"unit,omitempty" maxLength:"40" doc:"Unit of the values, such as %, ms or count."`
	Target   IndicatorTarget `json:"target"`
	Cadence  string          `json:"cadence" enum:"monthly,quarterly,half_yearly,yearly"`
	Method   string          `json:"method" minLength:"1" maxLength:"2000" doc:"How the value is measured: the data, the calculation and who or what measures it."`
	Source   string          `json:"source,omitempty" enum:"manual,api" doc:"manual when left out."`
	StartsOn string          `json:"starts_on,omitempty" doc:"Start of the first period, YYYY-MM-DD; today when left out."`
}

// IndicatorUpdate changes the fields it names, if the indicator has not
// changed since the version it is based on. A target replaces the whole target.
type IndicatorUpdate struct {
	Version  int              `json:"version" minimum:"1" doc:"The version this change is based on."`
	Name     *string          `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Unit     *string          `json:"unit,omitempty" maxLength:"40"`
	Target   *IndicatorTarget `json:"target,omitempty"`
	Cadence  *string          `json:"cadence,omitempty" enum:"monthly,quarterly,half_yearly,yearly"`
	Method   *string          `json:"method,omitempty" minLength:"1" maxLength:"2000"`
	Source   *string          `json:"source,omitempty" enum:"manual,api"`
	StartsOn *string          `json:"starts_on,omitempty"`
	Status   *string          `json:"status,omitempty" enum:"active,retired" doc:"retired stops the indicator being due; its values stay."`
}

// normalise trims the indicator's fields and records every problem with them.
func (in *Indicator) normalise(p *aims.Problems) {
	trimText(p, "name", &in.Name, true, maxTitle)
	trimText(p, "unit", &in.Unit, false, maxUnit)
	in.Target.normalise(p, "target")
	in.Cadence = strings.TrimSpace(in.Cadence)
	if !isOneOf(Cadences, in.Cadence) {
		p.Add("cadence", "must be one of %s", valueList(Cadences))
	}
	trimText(p, "method", &in.Method, true, maxText)
	in.Source = strings.TrimSpace(in.Source)
	if !isOneOf(ValueSources, in.Source) {
		p.Add("source", "must be one of %s", valueList(ValueSources))
	}
	if _, ok := parseDate(p, "starts_on", &in.StartsOn); !ok && !p.Has("starts_on") {
		p.Add("starts_on", "is required")
	}
	if in.Status != IndicatorActive && in.Status != IndicatorRetired {
		p.Add("status", "must be active or retired")
	}
}

// auditIndicator is what the audit log records of an indicator's fields.
type auditIndicator struct {
	Ref       string   `json:"ref"`
	Name      string   `json:"name"`
	Unit      string   `json:"unit"`
	Kind      string   `json:"target.kind"`
	TargetMin *float64 `json:"target.min"`
	TargetMax *float64 `json:"target.max"`
	Cadence   string   `json:"cadence"`
	Method    string   `json:"method"`
	Source    string   `json:"source"`
	StartsOn  string   `json:"starts_on"`
	Status    string   `json:"status"`
}

func (in *Indicator) audit() auditIndicator {
	return auditIndicator{Ref: in.Ref, Name: in.Name, Unit: in.Unit, Kind: in.Target.Kind, TargetMin: in.Target.Min,
		TargetMax: in.Target.Max, Cadence: in.Cadence, Method: in.Method, Source: in.Source, StartsOn: in.StartsOn, Status: in.Status}
}

// indicatorRef is the reference of an objective's indicator.
func indicatorRef(objectiveRef string, n int) string { return objectiveRef + "/I" + strconv.Itoa(n) }
