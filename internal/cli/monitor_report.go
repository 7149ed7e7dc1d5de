package cli

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/monitor"
)

// fourFifthsLabel names the four-fifths ratio for what it is.
const fourFifthsLabel = "four-fifths ratio (US employment-selection heuristic)"

// fmtValue writes a metric's value with three decimals, or — when it is undefined.
func fmtValue(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 3, 64)
}

// fmtNumber writes a threshold compactly.
func fmtNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// fmtTime writes a window's start: the date at midnight UTC, the time otherwise.
func fmtTime(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04Z")
}

// monitorRule says what a monitor watches and when a window breaches.
func monitorRule(m *monitor.Monitor) string {
	var b strings.Builder
	b.WriteString(m.Metric)
	switch {
	case m.Group != "":
		fmt.Fprintf(&b, " of %s=%s", m.Feature, m.Group)
	case m.Feature != "":
		fmt.Fprintf(&b, " of %s", m.Feature)
	}
	if m.Method != "" {
		b.WriteString(" " + m.Method)
	}
	if m.Agg != "" {
		b.WriteString(" " + m.Agg)
	}
	if m.ModelVersion != "" {
		b.WriteString(" (" + m.ModelVersion + ")")
	}
	fmt.Fprintf(&b, " per %s, breach %s %s", m.Window, m.Direction, fmtNumber(m.Threshold))
	return b.String()
}

// printReport writes a monitoring report for people.
func printReport(w io.Writer, r *monitor.Report) error {
	versions := "every model version"
	if r.ModelVersion != "" {
		versions = "model version " + r.ModelVersion
	}
	fmt.Fprintf(w, "%s %s\n", r.System, r.SystemName)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "range\t%s to %s, by %s, %s\n", fmtTime(r.From), fmtTime(r.To), r.Window, versions)
	if r.ReferenceDataset != "" {
		fmt.Fprintf(tw, "drift reference\tthe profile of %s\n", r.ReferenceDataset)
	} else {
		fmt.Fprintf(tw, "drift reference\t%s to %s\n", fmtTime(r.ReferenceFrom), fmtTime(r.ReferenceTo))
	}
	if r.Settings.Positive == "" {
		fmt.Fprintf(tw, "positive\tnot set: rates need 'aims monitor settings --system %s --positive LABEL'\n", r.System)
	} else {
		outcome := r.Settings.PositiveOutcome
		if outcome == "" {
			outcome = r.Settings.Positive
		}
		fmt.Fprintf(tw, "positive\tdecision %s, outcome %s\n", r.Settings.Positive, outcome)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nPERFORMANCE")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL VERSION\tDECISIONS\tLABELLED\tSELECTION RATE\tACCURACY\tPRECISION\tRECALL\tFPR\tAUC\tECE")
	for _, p := range r.Performance {
		name := p.ModelVersion
		if name == "" {
			name = "every version"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, p.N, p.Labelled, fmtValue(p.SelectionRate), fmtValue(p.Accuracy),
			fmtValue(p.Precision), fmtValue(p.Recall), fmtValue(p.FPR), fmtValue(p.AUC), fmtValue(p.ECE))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	for _, f := range r.Fairness {
		if err := printFairness(w, &f); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\nDRIFT (largest PSI first)")
	if len(r.Drift) == 0 {
		fmt.Fprintln(w, "no inputs seen in both the range and the reference")
	} else {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FEATURE\tKIND\tPSI\tJENSEN-SHANNON\tTEST\tSTATISTIC\tP\tN REFERENCE\tN CURRENT\tDRIFTED")
		for _, d := range r.Drift {
			psi, js, test, stat, p := "—", "—", "—", "—", "—"
			var nRef, nCur float64
			for _, m := range d.Measures {
				v := m.Value
				nRef, nCur = m.NRef, m.NCur
				switch m.Method {
				case "psi":
					psi = fmtValue(&v)
				case "jensen_shannon":
					js = fmtValue(&v)
					if m.LogBase != 0 && math.Abs(m.LogBase-math.E) > 1e-9 {
						js += " (log " + fmtNumber(m.LogBase) + ")"
					}
				default:
					test, stat, p = m.Method, fmtValue(&v), fmtValue(m.PValue)
				}
			}
			drifted := "no"
			if d.Drifted {
				drifted = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Feature, d.Kind, psi, js, test, stat, p,
				fmtNumber(nRef), fmtNumber(nCur), drifted)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, "(drifted: PSI at least 0.1, the threshold Evidently applies to PSI; the p-values do not decide)")
	}

	if err := printSeries(w, r); err != nil {
		return err
	}

	if len(r.Monitors) > 0 {
		fmt.Fprintln(w, "\nMONITORS")
		if err := printMonitors(w, r.Monitors); err != nil {
			return err
		}
	}
	if len(r.Alerts) > 0 {
		fmt.Fprintln(w, "\nALERTS IN THE RANGE")
		return printAlerts(w, r.Alerts)
	}
	return nil
}

// printFairness writes one sensitive feature's groups and disparities.
func printFairness(w io.Writer, f *monitor.Fairness) error {
	fmt.Fprintf(w, "\nFAIRNESS BY %s\n", f.Feature)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tDECISIONS\tLABELLED\tSELECTION RATE\tTPR\tFPR")
	row := func(name string, g monitor.GroupRates) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", name, g.N, g.Labelled, fmtValue(g.SelectionRate), fmtValue(g.TPR), fmtValue(g.FPR))
	}
	for _, g := range f.Groups {
		row(dash(g.Group), g)
	}
	row("(everyone)", f.Overall)
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(f.Disparities) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DISPARITY\tMETHOD\tAGG\tVALUE")
		for _, d := range f.Disparities {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Metric, d.Method, dash(d.Agg), fmtValue(d.Value))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	verdict := ""
	switch {
	case f.FourFifths == nil:
	case f.FourFifthsAdverse:
		verdict = ", below 0.8: evidence of adverse impact under that rule"
	default:
		verdict = ", at least 0.8"
	}
	fmt.Fprintf(w, "%s: %s%s (29 CFR 1607.4(D); a rule of thumb, not a fairness criterion)\n", fourFifthsLabel, fmtValue(f.FourFifths), verdict)
	return nil
}

// printSeries writes the windows of the range that hold decisions.
func printSeries(w io.Writer, r *monitor.Report) error {
	fmt.Fprintf(w, "\nSERIES BY %s\n", strings.ToUpper(r.Window))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WINDOW\tDECISIONS\tLABELLED\tSELECTION RATE\tACCURACY\tRECALL\tFPR")
	empty := 0
	for _, p := range r.Series {
		if p.N == 0 {
			empty++
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\n", fmtTime(p.Window), p.N, p.Labelled, fmtValue(p.SelectionRate),
			fmtValue(p.Accuracy), fmtValue(p.Recall), fmtValue(p.FPR))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if empty > 0 {
		fmt.Fprintf(w, "(%d of %d windows without decisions not shown)\n", empty, len(r.Series))
	}
	return nil
}

// printMonitors writes a table of monitors.
func printMonitors(w io.Writer, ms []monitor.Monitor) error {
	if len(ms) == 0 {
		fmt.Fprintln(w, "no monitors")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSYSTEM\tNAME\tRULE\tSTATE\tJUDGED UNTIL")
	for _, m := range ms {
		state := m.State
		if m.Archived {
			state = "archived"
		}
		until := "-"
		if m.EvaluatedUntil != nil {
			until = fmtTime(*m.EvaluatedUntil)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Ref, m.SystemRef, m.Name, monitorRule(&m), state, until)
	}
	return tw.Flush()
}

// printMonitor writes a monitor, its recent results and its alerts;
// owner names the member who owns the incidents it opens.
func printMonitor(w io.Writer, m *monitor.Monitor, owner string, results []monitor.Result, total int, alerts []monitor.Alert) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\n", m.Ref, m.Name)
	fmt.Fprintf(tw, "system\t%s\n", m.SystemRef)
	fmt.Fprintf(tw, "rule\t%s\n", monitorRule(m))
	fmt.Fprintf(tw, "minimum samples\t%d\n", m.MinSamples)
	fmt.Fprintf(tw, "judged\t%d hour(s) after a window ends\n", m.DelayHours)
	if m.ReferenceDataset != "" {
		fmt.Fprintf(tw, "reference\tthe profile of %s\n", m.ReferenceDataset)
	} else if m.ReferenceFrom != nil && m.ReferenceTo != nil {
		fmt.Fprintf(tw, "reference\t%s to %s\n", fmtTime(*m.ReferenceFrom), fmtTime(*m.ReferenceTo))
	}
	incident := "none"
	if m.Severity != "" {
		incident = m.Severity + " severity, owned by " + owner
	}
	fmt.Fprintf(tw, "incident on breach\t%s\n", incident)
	state := m.State
	if m.Archived {
		state += ", archived"
	}
	fmt.Fprintf(tw, "state\t%s\n", state)
	if m.EvaluatedUntil != nil {
		fmt.Fprintf(tw, "judged until\t%s\n", fmtTime(*m.EvaluatedUntil))
	}
	fmt.Fprintf(tw, "version\t%d, created by %s %s\n", m.Version, m.CreatedBy, m.CreatedAt.UTC().Format(time.RFC3339))
	if err := tw.Flush(); err != nil {
		return err
	}
	if total == 0 {
		fmt.Fprintln(w, "\nno windows judged yet")
	} else {
		fmt.Fprintf(w, "\nTHE LAST %d OF %d JUDGED WINDOWS\n", len(results), total)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "WINDOW\tVALUE\tN\tSTATUS")
		for _, r := range results {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", fmtTime(r.Window), fmtValue(r.Value), r.N, r.Status)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(alerts) > 0 {
		fmt.Fprintln(w, "\nALERTS")
		return printAlerts(w, alerts)
	}
	return nil
}

// printAlerts writes a table of alerts.
func printAlerts(w io.Writer, as []monitor.Alert) error {
	if len(as) == 0 {
		fmt.Fprintln(w, "no alerts")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MONITOR\tSYSTEM\tWINDOW\tVALUE\tTHRESHOLD\tINCIDENT\tRECOVERED")
	for _, a := range as {
		recovered := "open"
		if a.RecoveredAt != nil {
			recovered = "recovered"
			if a.RecoveryWindow != nil {
				recovered += " in " + fmtTime(*a.RecoveryWindow)
			}
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s %s\t%s\t%s\n", a.MonitorRef, a.MonitorName, a.SystemRef, fmtTime(a.Window), fmtValue(a.Value),
			a.Direction, fmtNumber(a.Threshold), dash(a.Incident), recovered)
	}
	return tw.Flush()
}
