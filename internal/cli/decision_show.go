package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/decision"
)

// barWidth is the width of the largest attribution's bar.
const barWidth = 20

// printDecision writes a decision for people: what was decided, on what,
// and why.
func printDecision(w io.Writer, d *decision.Decision) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "decision %d of %s\t%s\n", d.Index, d.System, d.ID)
	fmt.Fprintf(tw, "time\t%s (received %s)\n", d.Time.UTC().Format(time.RFC3339Nano), d.ReceivedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(tw, "model version\t%s\n", dash(d.ModelKey))
	fmt.Fprintf(tw, "record hash\t%s\n", d.RecordHash)
	r := d.Record
	if r == nil {
		when := ""
		if d.ErasedAt != nil {
			when = " on " + d.ErasedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "erased\tthe record was erased%s: only its hash is kept, which the log still proves\n", when)
		if err := tw.Flush(); err != nil {
			return err
		}
		return printOutcomes(w, d.Outcomes)
	}
	if r.Subject != "" {
		fmt.Fprintf(tw, "subject\t%s\n", r.Subject)
	}
	fmt.Fprintf(tw, "output\t%s\n", outputText(r.Output))
	if r.Confidence != nil {
		fmt.Fprintf(tw, "confidence\t%s\n", number(r.Confidence))
	}
	if v := r.Review; v != nil {
		text := v.Result + " by " + v.Reviewer
		if v.Time != nil {
			text += " at " + v.Time.UTC().Format(time.RFC3339)
		}
		if v.Final != "" {
			text += "; final decision: " + v.Final
		}
		if v.Reason != "" {
			text += "; reason: " + v.Reason
		}
		fmt.Fprintf(tw, "human review\t%s\n", text)
	} else {
		fmt.Fprintf(tw, "human review\tnone\n")
	}
	if d.Sensitive {
		fmt.Fprintf(tw, "sensitive attributes\trecorded for fairness monitoring; stored apart and not shown\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := printInputs(w, r); err != nil {
		return err
	}
	printExplanation(w, r.Explanation)
	return printOutcomes(w, d.Outcomes)
}

func outputText(o decision.Output) string {
	var parts []string
	if o.Label != "" {
		parts = append(parts, o.Label)
	}
	if o.Score != nil {
		parts = append(parts, "score "+number(o.Score))
	}
	return strings.Join(parts, ", ")
}

// printInputs lists the features the model saw, in the canonical (sorted) order.
func printInputs(w io.Writer, r *decision.Stored) error {
	fmt.Fprintln(w, "\ninputs")
	if len(r.Inputs) == 0 {
		if r.InputsHash != "" {
			fmt.Fprintf(w, "  withheld; their SHA-256 is %s\n", r.InputsHash)
		} else {
			fmt.Fprintln(w, "  not recorded")
		}
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Inputs, &m); err != nil {
		fmt.Fprintf(w, "  %s\n", r.Inputs)
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range keys {
		v := string(m[k])
		var s string
		if json.Unmarshal(m[k], &s) == nil {
			v = s
		}
		fmt.Fprintf(tw, "  %s\t%s\n", k, v)
	}
	return tw.Flush()
}

// printExplanation writes the attributions, largest in absolute value
// first, each with a bar proportional to its size.
func printExplanation(w io.Writer, e *decision.Explanation) {
	fmt.Fprint(w, "\nexplanation")
	if e == nil {
		fmt.Fprintln(w, "\n  none recorded")
		return
	}
	if e.Method != "" {
		fmt.Fprintf(w, " (%s)", e.Method)
	}
	fmt.Fprintln(w)
	attrs := append([]decision.Attribution(nil), e.Attributions...)
	sort.SliceStable(attrs, func(i, j int) bool { return math.Abs(attrs[i].Value) > math.Abs(attrs[j].Value) })
	largest := 0.0
	for _, a := range attrs {
		largest = max(largest, math.Abs(a.Value))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range attrs {
		fmt.Fprintf(tw, "  %s\t%+.4g\t%s\n", a.Feature, a.Value, bar(a.Value, largest))
	}
	_ = tw.Flush()
	if len(e.ReasonCodes) > 0 {
		fmt.Fprintf(w, "  reason codes: %s\n", strings.Join(e.ReasonCodes, ", "))
	}
	if e.Text != "" {
		fmt.Fprintf(w, "  %s\n", e.Text)
	}
}

// bar draws |v| against the largest value: '+' towards the output, '-' away.
func bar(v, largest float64) string {
	if largest == 0 {
		return ""
	}
	n := int(math.Round(math.Abs(v) / largest * barWidth))
	if n == 0 && v != 0 {
		n = 1
	}
	c := "+"
	if v < 0 {
		c = "-"
	}
	return strings.Repeat(c, n)
}

func printOutcomes(w io.Writer, outcomes []decision.Outcome) error {
	if len(outcomes) == 0 {
		fmt.Fprintln(w, "\noutcomes\n  none recorded yet")
		return nil
	}
	fmt.Fprintln(w, "\noutcomes")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, o := range outcomes {
		what := o.Label
		if o.Score != nil {
			what = strings.TrimPrefix(what+", score "+number(o.Score), ", ")
		}
		fmt.Fprintf(tw, "  %s\t%s\t(recorded %s)\n", o.ObservedAt.UTC().Format(time.RFC3339), what, o.RecordedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}
