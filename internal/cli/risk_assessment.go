package cli

import (
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/risk"
	"github.com/spf13/cobra"
)

// riskAssessmentCompletion completes a risk assessment's reference.
func riskAssessmentCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var list struct{ Items []risk.AssessmentSummary }
		if err := c.do(cmd.Context(), "GET", "/api/v1/risk-assessments", nil, &list); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, a := range list.Items {
			out = append(out, a.Ref+"\t"+a.Name+" ("+a.Status+")")
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func newRiskAssessment(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assessment",
		Short: "Open, close, compare and export named risk assessments",
		Long: `A risk assessment is made at planned intervals or on significant change
(ISO/IEC 42001 8.2). Open one for every risk or for the risks of some AI systems;
closing it (owners and managers) records the state of every risk in its scope,
with an audit checkpoint signed in the same transaction.`,
	}
	var output string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the risk assessments",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var l struct {
				Items []risk.AssessmentSummary `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/risk-assessments", nil, &l); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, l)
			}
			if len(l.Items) == 0 {
				fmt.Fprintln(e.stderr, "no risk assessment has been made yet")
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tNAME\tSCOPE\tSTATUS\tCLOSED BY\tCLOSED AT\tRISKS")
			for _, a := range l.Items {
				closed, n := "-", "-"
				if a.ClosedAt != nil {
					closed, n = a.ClosedAt.UTC().Format(time.RFC3339), fmt.Sprint(a.Risks)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Ref, a.Name, a.Scope, a.Status, orDash(a.ClosedByName), closed, n)
			}
			return tw.Flush()
		},
	}
	addOutputFlag(list, &output)

	var open risk.OpenAssessmentRequest
	openCmd := &cobra.Command{
		Use:   "open NAME",
		Short: "Open a risk assessment",
		Example: `  aims risk assessment open "Annual 2026"
  aims risk assessment open "New screening model" --system SYS-3 --note "The model changes in April."`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			open.Name = args[0]
			if len(open.Systems) > 0 {
				open.Scope = risk.ScopeSystems
			}
			var a risk.Assessment
			if err := c.do(cmd.Context(), "POST", "/api/v1/risk-assessments", open, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %s opened: %d risk(s) in scope\n", a.Ref, a.Name, len(a.Risks))
			return nil
		},
	}
	openCmd.Flags().StringSliceVar(&open.Systems, "system", nil, "assess only the risks of this AI system (repeatable)")
	openCmd.Flags().StringVar(&open.Note, "note", "", "why the assessment is made")
	_ = openCmd.RegisterFlagCompletionFunc("system", systemCompletion(e))

	var showOutput string
	show := &cobra.Command{
		Use:               "show REF",
		Short:             "Show a risk assessment and its risks",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskAssessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(showOutput); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a risk.Assessment
			if err := c.do(cmd.Context(), "GET", "/api/v1/risk-assessments/"+url.PathEscape(args[0]), nil, &a); err != nil {
				return err
			}
			if showOutput == "json" {
				return writeJSON(e.stdout, a)
			}
			printRiskAssessment(e.stdout, &a)
			return nil
		},
	}
	addOutputFlag(show, &showOutput)

	var note string
	closeCmd := &cobra.Command{
		Use:               "close REF",
		Short:             "Close a risk assessment, recording the state of its risks (owners and managers)",
		Example:           `  aims risk assessment close RA-2 --note "All risks reviewed by the AI board."`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskAssessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a risk.Assessment
			if err := c.do(cmd.Context(), "POST", "/api/v1/risk-assessments/"+url.PathEscape(args[0])+"/close",
				risk.CloseAssessmentRequest{Note: note}, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s closed: %d risk(s) recorded; audit checkpoint %s at size %d\n", a.Ref, len(a.Risks),
				a.Checkpoint.Origin, a.Checkpoint.Size)
			return nil
		},
	}
	closeCmd.Flags().StringVar(&note, "note", "", "the conclusion of the assessment")

	var cmpOutput string
	compare := &cobra.Command{
		Use:               "compare FROM TO",
		Short:             "Show what differs between two closed risk assessments",
		Example:           `  aims risk assessment compare RA-1 RA-2`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: riskAssessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(cmpOutput); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cmp risk.Comparison
			if err := c.do(cmd.Context(), "GET", "/api/v1/risk-assessments/"+url.PathEscape(args[0])+"/compare?to="+url.QueryEscape(args[1]),
				nil, &cmp); err != nil {
				return err
			}
			if cmpOutput == "json" {
				return writeJSON(e.stdout, cmp)
			}
			printRiskComparison(e.stdout, &cmp)
			return nil
		},
	}
	addOutputFlag(compare, &cmpOutput)

	var format, file string
	export := &cobra.Command{
		Use:   "export REF --format pdf|xlsx",
		Short: "Export a closed risk assessment as PDF or XLSX",
		Example: `  aims risk assessment export RA-2 --format pdf
  aims risk assessment export RA-2 --format xlsx -o ra-2.xlsx`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskAssessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			return riskDownload(cmd, e, "/api/v1/risk-assessments/"+url.PathEscape(args[0])+"/export?format="+url.QueryEscape(format), file)
		},
	}
	export.Flags().StringVar(&format, "format", "", "pdf or xlsx (required)")
	export.Flags().StringVarP(&file, "output", "o", "", "file to write; - for standard output (default: the name the server gives)")
	_ = export.MarkFlagRequired("format")
	_ = export.RegisterFlagCompletionFunc("format", fixedCompletion("pdf\tPDF document", "xlsx\tExcel workbook"))

	cmd.AddCommand(list, openCmd, show, closeCmd, compare, export)
	return cmd
}

// printRiskAssessment writes an assessment for people.
func printRiskAssessment(w io.Writer, a *risk.Assessment) {
	fmt.Fprintf(w, "%s %s (%s)\n", a.Ref, a.Name, a.Status)
	fmt.Fprintf(w, "Opened by %s at %s\n", a.OpenedByName, a.OpenedAt.UTC().Format(time.RFC3339))
	if a.ClosedAt != nil {
		fmt.Fprintf(w, "Closed by %s at %s\n", a.ClosedByName, a.ClosedAt.UTC().Format(time.RFC3339))
		if a.CloseNote != "" {
			fmt.Fprintf(w, "Conclusion: %s\n", oneLine(a.CloseNote, 200))
		}
		fmt.Fprintf(w, "Signed checkpoint:\n%s", a.Checkpoint.Note)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tTITLE\tSTATUS\tINHERENT\tTREATMENT\tRESIDUAL\tACCEPTANCE")
	for _, r := range a.Risks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, oneLine(r.Title, 40), r.Status, riskRating(r.Inherent),
			orDash(r.Treatment.Option), riskRating(r.Treatment.Residual), orDash(oneLine(risk.AcceptanceText(r.Acceptance), 60)))
	}
	tw.Flush()
}

// printRiskComparison writes what differs between two assessments.
func printRiskComparison(w io.Writer, c *risk.Comparison) {
	fmt.Fprintf(w, "From %s to %s: %d added, %d removed, %d changed\n", c.From, c.To, len(c.Added), len(c.Removed), len(c.Changed))
	for _, r := range c.Added {
		fmt.Fprintf(w, "+ %s %s\n", r.Ref, r.Title)
	}
	for _, r := range c.Removed {
		fmt.Fprintf(w, "- %s %s\n", r.Ref, r.Title)
	}
	for _, ch := range c.Changed {
		fmt.Fprintf(w, "~ %s %s\n", ch.Ref, ch.Title)
		for _, f := range ch.Fields {
			fmt.Fprintf(w, "    %s: %q → %q\n", f.Field, f.Before, f.After)
		}
	}
}
