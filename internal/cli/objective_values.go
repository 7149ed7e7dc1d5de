package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/objective"
	"github.com/spf13/cobra"
)

func newIndicatorAdd(e env) *cobra.Command {
	var req objective.IndicatorRequest
	var min, max float64
	cmd := &cobra.Command{
		Use:   "indicator OBJ-n",
		Short: "Define an indicator of an objective (owners and managers)",
		Example: `  aims objective indicator OBJ-1 --name "Refusals explained" --unit % --target at_least --min 95 --cadence monthly \
    --method "Share of refusals sent with reasons, from the letters log"
  aims objective indicator OBJ-1 --name "Approval ratio" --target between --min 0.8 --max 1.25 --cadence quarterly --method "..." --source api`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("min") {
				req.Target.Min = &min
			}
			if cmd.Flags().Changed("max") {
				req.Target.Max = &max
			}
			var in objective.Indicator
			if err := c.do(cmd.Context(), "POST", objectivePath(args[0])+"/indicators", req, &in); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "defined %s %s: %s, %s; first value due %s\n", in.Ref, in.Name, in.TargetText, in.Cadence, in.NextDueOn)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Name, "name", "", "what is measured")
	f.StringVar(&req.Unit, "unit", "", "unit of the values, such as % or ms")
	f.StringVar(&req.Target.Kind, "target", "", "at_least, at_most or between")
	f.Float64Var(&min, "min", 0, "the lowest value on target (at_least, between)")
	f.Float64Var(&max, "max", 0, "the highest value on target (at_most, between)")
	f.StringVar(&req.Cadence, "cadence", "", "monthly, quarterly, half_yearly or yearly")
	f.StringVar(&req.Method, "method", "", "how the value is measured")
	f.StringVar(&req.Source, "source", "", "manual (default) or api")
	f.StringVar(&req.StartsOn, "starts-on", "", "start of the first period, YYYY-MM-DD (default today)")
	for _, name := range []string{"name", "target", "cadence"} {
		_ = cmd.MarkFlagRequired(name)
	}
	_ = cmd.RegisterFlagCompletionFunc("target", fixedCompletion(objectiveOptions(objective.TargetKinds)...))
	_ = cmd.RegisterFlagCompletionFunc("cadence", fixedCompletion(objectiveOptions(objective.Cadences)...))
	_ = cmd.RegisterFlagCompletionFunc("source", fixedCompletion(objectiveOptions(objective.ValueSources)...))
	return cmd
}

func newObjectiveMeasure(e env) *cobra.Command {
	var req objective.MeasureRequest
	var value float64
	var file string
	cmd := &cobra.Command{
		Use:   "measure [OBJ-n/In]",
		Short: "Record a value of an indicator, a correction, or a batch of values from a file",
		Long: `Records the value of an indicator for the period ending on --on (today when left
out). To correct a mistaken value, record the right one with --corrects set to the
mistaken value's number and a --note saying what was wrong. With --file, records
a batch (JSON: {"items":[{"indicator":"OBJ-1/I2","value":0.93,"measured_on":"2026-02-28"}, …]},
or - for standard input): all values or, when any is wrong, none.`,
		Example: `  aims objective measure OBJ-1/I1 --value 96.5 --on 2026-02-28 --evidence EV-4
  aims objective measure OBJ-1/I1 --value 94 --corrects 3 --note "A batch was counted twice"
  aims objective measure --file values.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			if file != "" {
				if len(args) > 0 {
					return fmt.Errorf("give either an indicator or --file, not both")
				}
				body, err := readBatch(file, e)
				if err != nil {
					return err
				}
				var out struct{ Items []objective.Measurement }
				if err := c.do(cmd.Context(), "POST", "/api/v1/objective-measurements", json.RawMessage(body), &out); err != nil {
					return err
				}
				for _, m := range out.Items {
					fmt.Fprintf(e.stdout, "recorded %s: %s for %s\n", m.Ref, objective.FormatValue(m.Value), m.MeasuredOn)
				}
				return nil
			}
			if len(args) == 0 {
				return fmt.Errorf("name the indicator, such as OBJ-1/I2, or give --file")
			}
			path, err := indicatorPath(args[0])
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("value") {
				req.Value = &value
			}
			var m objective.Measurement
			if err := c.do(cmd.Context(), "POST", path+"/measurements", req, &m); err != nil {
				return err
			}
			what := ""
			if m.Corrects > 0 {
				what = ", correcting M" + strconv.Itoa(m.Corrects)
			}
			fmt.Fprintf(e.stdout, "recorded %s: %s for %s%s\n", m.Ref, objective.FormatValue(m.Value), m.MeasuredOn, what)
			return nil
		},
	}
	f := cmd.Flags()
	f.Float64Var(&value, "value", 0, "the measured value")
	f.StringVar(&req.MeasuredOn, "on", "", "the date the value is for, YYYY-MM-DD (default today)")
	f.StringVar(&req.Note, "note", "", "remarks; required for a correction")
	f.StringVar(&req.Evidence, "evidence", "", "evidence behind the value, such as EV-4")
	f.IntVar(&req.Corrects, "corrects", 0, "the number of the value this one corrects")
	f.StringVar(&file, "file", "", "a JSON batch of values to record, or - for standard input")
	return cmd
}

// readBatch reads a batch of values from a file, or standard input for "-".
func readBatch(file string, e env) ([]byte, error) {
	if file == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(file)
}

func newObjectiveMeasurements(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "values OBJ-n/In",
		Short:   "List the values of an indicator, corrections included",
		Example: `  aims objective values OBJ-1/I1 -o json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			path, err := indicatorPath(args[0])
			if err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct{ Items []objective.Measurement }
			if err := c.do(cmd.Context(), "GET", path+"/measurements", nil, &out); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, out.Items)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tFOR\tVALUE\tSTATE\tNOTE")
			for _, m := range out.Items {
				state := "in force"
				if m.CorrectedBy > 0 {
					state = "corrected by M" + strconv.Itoa(m.CorrectedBy)
				} else if m.Corrects > 0 {
					state = "corrects M" + strconv.Itoa(m.Corrects)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Ref, m.MeasuredOn, objective.FormatValue(m.Value), state, dash(m.Note))
			}
			return tw.Flush()
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}
