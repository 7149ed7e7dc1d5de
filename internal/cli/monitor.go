package cli

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/monitor"
	"github.com/spf13/cobra"
)

// newMonitor is the monitoring command.
func newMonitor(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "monitor",
		Aliases: []string{"monitoring"},
		Short:   "Performance, fairness and drift of AI systems in use; monitors, thresholds and alerts",
		Long: `Monitoring of AI systems in use (ISO/IEC 42001 A.6.2.6, 9.1), computed from the
decisions in each system's decision log and the outcomes learnt later. First say
which output label is the favourable decision and which outcome label is the
positive truth ('settings'); then 'report' shows performance per model version,
fairness per sensitive feature, drift of each input against a reference range,
and the rates window by window.

A monitor (MON-1, MON-2 …) watches one metric window by window against a
threshold: a breach raises an alert and, with --severity, opens an incident; the
alert recovers when a later window is back within the threshold. Windows are
judged every minute once they have ended and waited --delay-hours for late
outcomes; 'evaluate' judges the due ones now.

These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN).`,
		Example: `  aims monitor settings --system SYS-1 --positive approve --positive-outcome repaid
  aims monitor report --system SYS-1 --from 2026-11-01 --to 2026-12-01
  aims monitor add --system SYS-1 --name "Parity by sex" --metric demographic_parity_ratio --feature sex \
    --window day --threshold 0.8 --direction below --severity medium
  aims monitor alerts --open`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newMonitorReport(e), newMonitorSettings(e), newMonitorAdd(e), newMonitorList(e), newMonitorShow(e),
		newMonitorArchive(e), newMonitorEvaluate(e), newMonitorAlerts(e))
	return cmd
}

// monitorPath is the API path of a monitor.
func monitorPath(ref string) string {
	return "/api/v1/monitors/" + url.PathEscape(strings.TrimSpace(ref))
}

// Completions of the monitors' enumerations.
var (
	monitorWindows    = []string{"hour\tone hour", "day\tone day (UTC)", "week\tMonday to Sunday (UTC)"}
	monitorDirections = []string{"above\ta value above the threshold is a breach", "below\ta value below the threshold is a breach"}
	monitorMethods    = []string{"between_groups\tthe largest gap between two groups", "to_overall\tthe largest gap between a group and everyone"}
	monitorAggs       = []string{"worst_case\tthe larger of the TPR and FPR parts", "mean\tthe mean of the TPR and FPR parts"}
	monitorSeverities = []string{"low", "medium", "high", "critical"}
)

func newMonitorReport(e env) *cobra.Command {
	var system, from, to, window, version, refFrom, refTo, refData, output string
	cmd := &cobra.Command{
		Use:   "report --system SYS",
		Short: "Show a system's performance, fairness and drift over a range",
		Long: `Compute a system's report from its decision log: performance per model version
(accuracy, precision, recall, false positive rate, ROC AUC, expected calibration
error), fairness per sensitive feature (each group's selection rate, TPR and FPR,
then the disparities between groups), drift of each input and of the output
against the reference range, largest PSI first, and the headline rates window by
window. The range is [from, to): dates are midnight UTC; the last 30 days by day
when left out. The drift reference is the range of the same length just before
--from unless given, or the profile of a data set version (--reference-dataset).`,
		Example: `  aims monitor report --system SYS-1
  aims monitor report --system SYS-1 --from 2026-11-01 --to 2026-12-01 --window week
  aims monitor report --system SYS-1 --model-version MDL-1@1.4.0 --reference-from 2026-01-01 --reference-to 2026-02-01 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			v := url.Values{}
			for _, p := range [][2]string{{"from", from}, {"to", to}, {"reference-from", refFrom}, {"reference-to", refTo}} {
				t, err := timeFlag(p[0], p[1])
				if err != nil {
					return err
				}
				if t != "" {
					v.Set(strings.ReplaceAll(p[0], "-", "_"), t)
				}
			}
			if window != "" {
				v.Set("window", window)
			}
			if version != "" {
				v.Set("model_version", version)
			}
			if refData != "" {
				v.Set("reference_dataset", refData)
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := systemPath(system) + "/monitoring/report"
			if len(v) > 0 {
				path += "?" + v.Encode()
			}
			var rep monitor.Report
			if err := c.do(cmd.Context(), "GET", path, nil, &rep); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, rep)
			}
			return printReport(e.stdout, &rep)
		},
	}
	f := cmd.Flags()
	systemFlag(e, cmd, &system)
	f.StringVar(&from, "from", "", "start of the range (a date or RFC 3339); 30 days before --to when left out")
	f.StringVar(&to, "to", "", "end of the range, not included (a date or RFC 3339); the end of today (UTC) when left out")
	f.StringVar(&window, "window", "", "hour, day or week: how the series splits the range (day when left out)")
	f.StringVar(&version, "model-version", "", "only this model version, such as MDL-1@1.4.0")
	f.StringVar(&refFrom, "reference-from", "", "start of the drift reference (a date or RFC 3339)")
	f.StringVar(&refTo, "reference-to", "", "end of the drift reference, not included")
	f.StringVar(&refData, "reference-dataset", "", "a data set version, such as DS-3@2, whose profile is the drift reference instead of a range")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("window", fixedCompletion(monitorWindows...))
	return cmd
}

func newMonitorSettings(e env) *cobra.Command {
	var system, output string
	var req monitor.SettingsRequest
	cmd := &cobra.Command{
		Use:   "settings --system SYS",
		Short: "Show or set which decisions and outcomes count as positive",
		Long: `Show a system's monitoring settings, or set them with --positive (the output
label of a favourable decision, such as approve) and --positive-outcome (the
outcome label that is the positive truth, such as repaid; the same as
--positive when left out). Selection rates count favourable decisions; accuracy,
precision, recall and false positive rates compare them with positive outcomes.`,
		Example: "  aims monitor settings --system SYS-1\n  aims monitor settings --system SYS-1 --positive approve --positive-outcome repaid",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := systemPath(system) + "/monitoring/settings"
			var st monitor.Settings
			if err := c.do(cmd.Context(), "GET", path, nil, &st); err != nil {
				return err
			}
			if cmd.Flags().Changed("positive") || cmd.Flags().Changed("positive-outcome") {
				if !cmd.Flags().Changed("positive") {
					req.Positive = st.Positive
				}
				if err := c.do(cmd.Context(), "PUT", path, req, &st); err != nil {
					return err
				}
			}
			if output == "json" {
				return writeJSON(e.stdout, st)
			}
			if st.Version == 0 {
				fmt.Fprintf(e.stdout, "%s: no monitoring settings yet; set them with --positive\n", st.SystemRef)
				return nil
			}
			outcome := st.PositiveOutcome
			if outcome == "" {
				outcome = st.Positive + " (the same as the decision)"
			}
			fmt.Fprintf(e.stdout, "%s: positive decision %s, positive outcome %s (version %d)\n", st.SystemRef, st.Positive, outcome, st.Version)
			return nil
		},
	}
	systemFlag(e, cmd, &system)
	cmd.Flags().StringVar(&req.Positive, "positive", "", "the output label of a favourable decision, such as approve")
	cmd.Flags().StringVar(&req.PositiveOutcome, "positive-outcome", "", "the outcome label that is the positive truth, such as repaid")
	addOutputFlag(cmd, &output)
	return cmd
}

func newMonitorAdd(e env) *cobra.Command {
	var system, refFrom, refTo, owner, output string
	var req monitor.Request
	cmd := &cobra.Command{
		Use:   "add --system SYS",
		Short: "Add a monitor that judges a metric window by window",
		Long: `Add a monitor of a system's metric. Performance metrics (accuracy, precision,
recall, fpr) and selection_rate watch everyone, or one --group of a sensitive
--feature; auc and ece watch everyone. Fairness metrics compare the groups of a
sensitive --feature, --method between_groups (the default) or to_overall, and
equalized odds combines its TPR and FPR parts by --agg worst_case (the default)
or mean. Drift metrics (psi, jensen_shannon, ks_statistic, ks_p_value,
chi_square_p_value) compare an input, or output.label or output.score, with the
reference range given by --reference-from and --reference-to, or with the
profile of a data set version given by --reference-dataset.

--direction below makes a value below --threshold a breach (for accuracy or a
parity ratio), above one above it (for a difference or a drift). Windows with
fewer than --min-samples decisions (with outcomes, for performance metrics) are
not judged. With --severity a breach opens an incident owned by --owner (you
when left out).`,
		Example: `  aims monitor add --system SYS-1 --name Accuracy --metric accuracy --window week --threshold 0.85 --direction below
  aims monitor add --system SYS-1 --name "Parity by sex" --metric demographic_parity_ratio --feature sex \
    --window day --threshold 0.8 --direction below --severity medium --owner ada@example.org
  aims monitor add --system SYS-1 --name "Income drift" --metric psi --feature income --window week \
    --threshold 0.25 --direction above --reference-from 2026-01-01 --reference-to 2026-04-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if math.IsNaN(req.Threshold) || math.IsInf(req.Threshold, 0) {
				return fmt.Errorf("--threshold must be a finite number, such as 0.8")
			}
			if req.MinSamples < 1 {
				return fmt.Errorf("--min-samples must be at least 1")
			}
			for _, p := range []struct {
				name, v string
				to      **time.Time
			}{{"reference-from", refFrom, &req.ReferenceFrom}, {"reference-to", refTo, &req.ReferenceTo}} {
				s, err := timeFlag(p.name, p.v)
				if err != nil {
					return err
				}
				if s != "" {
					t, _ := time.Parse(time.RFC3339Nano, s)
					*p.to = &t
				}
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			req.OwnerID = strings.TrimSpace(owner)
			if strings.Contains(req.OwnerID, "@") {
				if req.OwnerID, err = memberID(cmd, c, req.OwnerID); err != nil {
					return err
				}
			}
			var m monitor.Monitor
			if err := c.do(cmd.Context(), "POST", systemPath(system)+"/monitors", req, &m); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, m)
			}
			fmt.Fprintf(e.stdout, "added %s %s: %s\n", m.Ref, m.Name, monitorRule(&m))
			return nil
		},
	}
	f := cmd.Flags()
	systemFlag(e, cmd, &system)
	f.StringVar(&req.Name, "name", "", "what the monitor watches, in a few words")
	f.StringVar(&req.Metric, "metric", "", "the metric: "+strings.Join(monitor.Metrics, ", "))
	f.StringVar(&req.Feature, "feature", "", "the sensitive feature (fairness, a group's rates) or the input, output.label or output.score (drift)")
	f.StringVar(&req.Group, "group", "", "the group of --feature a performance or selection-rate monitor watches")
	f.StringVar(&req.Method, "method", "", "how fairness metrics compare groups: between_groups or to_overall")
	f.StringVar(&req.Agg, "agg", "", "how equalized odds combines TPR and FPR: worst_case or mean")
	f.StringVar(&req.ModelVersion, "model-version", "", "only this model version, such as MDL-1@1.4.0")
	f.StringVar(&req.Window, "window", "day", "hour, day or week")
	f.Float64Var(&req.Threshold, "threshold", 0, "the value a window is judged against")
	f.StringVar(&req.Direction, "direction", "", "below: a value below the threshold is a breach; above: one above it")
	f.IntVar(&req.MinSamples, "min-samples", monitor.DefaultMinSamples, "windows with fewer samples are not judged")
	f.IntVar(&req.DelayHours, "delay-hours", 0, "hours to wait after a window ends before judging it, for late outcomes")
	f.StringVar(&refFrom, "reference-from", "", "start of the reference range of a drift metric (a date or RFC 3339)")
	f.StringVar(&refTo, "reference-to", "", "end of the reference range of a drift metric, not included")
	f.StringVar(&req.ReferenceDataset, "reference-dataset", "", "a data set version, such as DS-3@2, whose profile is the reference of a drift metric instead of a range")
	f.StringVar(&req.Severity, "severity", "", "low, medium, high or critical: the severity of the incident a breach opens; none when left out")
	f.StringVar(&owner, "owner", "", "the member (email or id) who owns the incidents; you when left out")
	addOutputFlag(cmd, &output)
	for _, name := range []string{"name", "metric", "threshold", "direction"} {
		_ = cmd.MarkFlagRequired(name)
	}
	_ = cmd.RegisterFlagCompletionFunc("metric", fixedCompletion(monitor.Metrics...))
	_ = cmd.RegisterFlagCompletionFunc("window", fixedCompletion(monitorWindows...))
	_ = cmd.RegisterFlagCompletionFunc("direction", fixedCompletion(monitorDirections...))
	_ = cmd.RegisterFlagCompletionFunc("method", fixedCompletion(monitorMethods...))
	_ = cmd.RegisterFlagCompletionFunc("agg", fixedCompletion(monitorAggs...))
	_ = cmd.RegisterFlagCompletionFunc("severity", fixedCompletion(monitorSeverities...))
	return cmd
}

func newMonitorList(e env) *cobra.Command {
	var system, output string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List monitors with their threshold and state",
		Example: "  aims monitor list\n  aims monitor list --system SYS-1 -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/monitors"
			if system != "" {
				path = systemPath(system) + "/monitors"
			}
			var list struct {
				Items []monitor.Monitor `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", path, nil, &list); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, list)
			}
			return printMonitors(e.stdout, list.Items)
		},
	}
	cmd.Flags().StringVar(&system, "system", "", "only this AI system's monitors (SYS-1 or its id)")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	addOutputFlag(cmd, &output)
	return cmd
}

func newMonitorShow(e env) *cobra.Command {
	var output string
	var last int
	cmd := &cobra.Command{
		Use:               "show MON-n",
		Short:             "Show a monitor with its most recent judged windows",
		Example:           "  aims monitor show MON-1\n  aims monitor show MON-1 --last 30\n  aims monitor show MON-1 -o json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if last < 0 {
				return fmt.Errorf("--last must not be negative")
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var m monitor.Monitor
			if err := c.do(cmd.Context(), "GET", monitorPath(args[0]), nil, &m); err != nil {
				return err
			}
			var results struct {
				Items []monitor.Result `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", monitorPath(args[0])+"/results", nil, &results); err != nil {
				return err
			}
			var alerts struct {
				Items []monitor.Alert `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/alerts?"+url.Values{"system": {m.SystemRef}}.Encode(), nil, &alerts); err != nil {
				return err
			}
			mine := []monitor.Alert{}
			for _, a := range alerts.Items {
				if a.MonitorRef == m.Ref {
					mine = append(mine, a)
				}
			}
			recent := results.Items
			if len(recent) > last {
				recent = recent[len(recent)-last:]
			}
			if output == "json" {
				return writeJSON(e.stdout, struct {
					monitor.Monitor
					Results []monitor.Result `json:"results"`
					Alerts  []monitor.Alert  `json:"alerts"`
				}{m, recent, mine})
			}
			owner := m.OwnerID
			var ms struct {
				Items []identity.Membership `json:"items"`
			}
			if m.OwnerID != "" && c.do(cmd.Context(), "GET", "/api/v1/members", nil, &ms) == nil {
				for _, mb := range ms.Items {
					if mb.UserID == m.OwnerID {
						owner = mb.Email
					}
				}
			}
			return printMonitor(e.stdout, &m, owner, recent, len(results.Items), mine)
		},
	}
	cmd.Flags().IntVar(&last, "last", 14, "how many of the most recent judged windows to show")
	addOutputFlag(cmd, &output)
	return cmd
}

func newMonitorArchive(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:               "archive MON-n",
		Short:             "Stop a monitor; its results and alerts are kept",
		Example:           "  aims monitor archive MON-1",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var m monitor.Monitor
			if err := c.do(cmd.Context(), "POST", monitorPath(args[0])+"/archive", nil, &m); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "archived %s %s; it judges no more windows\n", m.Ref, m.Name)
			return nil
		},
	}
	return cmd
}

func newMonitorEvaluate(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "evaluate MON-n",
		Short:             "Judge a monitor's due windows now",
		Example:           "  aims monitor evaluate MON-1",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var res monitor.EvaluateResult
			if err := c.do(cmd.Context(), "POST", monitorPath(args[0])+"/evaluate", nil, &res); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, res)
			}
			fmt.Fprintf(e.stdout, "%s: judged %d window(s): %d breach(es), %d alert(s) opened, %d recovered\n",
				res.Monitor, res.Judged, res.Breaches, len(res.Opened), res.Recovered)
			for _, a := range res.Opened {
				fmt.Fprintf(e.stdout, "  alert: %s = %s in the window of %s, %s %s", a.MonitorName, fmtValue(a.Value),
					fmtTime(a.Window), a.Direction, fmtNumber(a.Threshold))
				if a.Incident != "" {
					fmt.Fprintf(e.stdout, "; incident %s", a.Incident)
				}
				fmt.Fprintln(e.stdout)
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newMonitorAlerts(e env) *cobra.Command {
	var system, output string
	var open bool
	cmd := &cobra.Command{
		Use:     "alerts",
		Short:   "List monitoring alerts, newest first",
		Example: "  aims monitor alerts\n  aims monitor alerts --system SYS-1 --open",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{}
			if system != "" {
				v.Set("system", system)
			}
			if open {
				v.Set("open", "true")
			}
			path := "/api/v1/alerts"
			if len(v) > 0 {
				path += "?" + v.Encode()
			}
			var list struct {
				Items []monitor.Alert `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", path, nil, &list); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, list)
			}
			return printAlerts(e.stdout, list.Items)
		},
	}
	cmd.Flags().StringVar(&system, "system", "", "only this AI system's alerts (SYS-1 or its id)")
	cmd.Flags().BoolVar(&open, "open", false, "only alerts not yet recovered")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	addOutputFlag(cmd, &output)
	return cmd
}
