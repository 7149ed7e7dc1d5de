package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/readiness"
	"github.com/spf13/cobra"
)

func newReadiness(e env) *cobra.Command {
	var all bool
	var output string
	cmd := &cobra.Command{
		Use:   "readiness",
		Short: "How ready the organisation is for certification, and why (talks to a server)",
		Long: `Show the readiness figure computed from your records, and what to work on: every
requirement not met, with the reasons and the page that fixes it. Requirements whose
records aims does not hold yet are not measurable and count as not met.`,
		Example: `  aims readiness
  aims readiness --all -o json
  aims readiness trend --days 30
  aims readiness coverage eu-ai-act`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var rep api.ReadinessReport
			if err := c.do(cmd.Context(), "GET", "/api/v1/readiness", nil, &rep); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, rep)
			}
			total := len(rep.Clauses) + len(rep.Controls)
			fmt.Fprintf(e.stdout, "Readiness: %s of %d requirements (%s of what aims can measure)\n", pct(rep.Score), total, pct(rep.MeasurableScore))
			fmt.Fprintf(e.stdout, "Met %d, partly met %d, gaps %d, not measurable yet %d\n\n",
				rep.Counts.Met, rep.Counts.Partial, rep.Counts.Gaps, rep.Counts.NotMeasurable)
			items := rep.Gaps
			title := "To work on"
			if all {
				items, title = append(append([]readiness.Requirement{}, rep.Clauses...), rep.Controls...), "All requirements"
			}
			fmt.Fprintln(e.stdout, title+":")
			printRequirements(e.stdout, items)
			return nil
		},
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.Flags().BoolVar(&all, "all", false, "list every requirement, not only the gaps")
	addOutputFlag(cmd, &output)
	cmd.AddCommand(newReadinessTrend(e), newReadinessCoverage(e))
	return cmd
}

func printRequirements(w io.Writer, items []readiness.Requirement) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tWHY")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", it.ID, strings.ReplaceAll(string(it.State), "_", " "), strings.Join(it.Reasons, " "))
	}
	tw.Flush()
}

func pct(x float64) string { return strconv.Itoa(int(x*100+0.5)) + "%" }

func newReadinessTrend(e env) *cobra.Command {
	var days int
	var output string
	cmd := &cobra.Command{
		Use:   "trend",
		Short: "The readiness figure per day",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct{ Items []readiness.Point }
			if err := c.do(cmd.Context(), "GET", "/api/v1/readiness/trend?days="+strconv.Itoa(days), nil, &out); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, out)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DAY\tOVERALL\tMEASURABLE\tMET\tPARTLY\tGAPS")
			for _, p := range out.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", p.Day, pct(p.Score), pct(p.MeasurableScore), p.Counts.Met, p.Counts.Partial, p.Counts.Gaps)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&days, "days", 30, "how many days back (1–730)")
	addOutputFlag(cmd, &output)
	return cmd
}

func newReadinessCoverage(e env) *cobra.Command {
	var output string
	var ids []string
	for _, f := range catalog.Frameworks() {
		ids = append(ids, f.ID+"\t"+f.Title)
	}
	cmd := &cobra.Command{
		Use:   "coverage FRAMEWORK",
		Short: "Which items of another framework your controls cover (nist-ai-rmf, eu-ai-act, iso27001)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cov readiness.Coverage
			if err := c.do(cmd.Context(), "GET", "/api/v1/readiness/frameworks/"+url.PathEscape(args[0]), nil, &cov); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, cov)
			}
			fmt.Fprintf(e.stdout, "%s: %d covered, %d partly, %d not covered\n\n", cov.Title, cov.Covered, cov.Partial, cov.Uncovered)
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ITEM\tCOVERAGE\tBY\tPARTLY BY")
			for _, it := range cov.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.ID, it.State, strings.Join(it.By, " "), strings.Join(it.Partly, " "))
			}
			return tw.Flush()
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}
