package cli

import (
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/spf13/cobra"
)

// newAuditProgramme is the group of audit programme commands.
func newAuditProgramme(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "programme",
		Short: "Audit programmes, one per three-year certification cycle",
	}
	cmd.AddCommand(newAuditProgrammeList(e), newAuditProgrammeAdd(e), newAuditProgrammeUpdate(e))
	return cmd
}

func newAuditProgrammeList(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List audit programmes with the years of their cycles",
		Example: "  aims internal-audit programme list\n  aims internal-audit programme list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct{ Items []internalaudit.Programme }
			if err := c.do(cmd.Context(), "GET", "/api/v1/internal-audit-programmes", nil, &out); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, out.Items)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tYEAR\tFROM\tTO\tCERTIFICATION AUDIT\tINTERNAL AUDITS")
			for _, g := range out.Items {
				for _, y := range g.Years {
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\n", g.Ref, y.Number, y.From, y.To, strings.ReplaceAll(y.Purpose, "_", " "), y.Audits)
				}
				fmt.Fprintf(tw, "%s\t-\t%s\t\trecertification due\t\n", g.Ref, g.RecertificationDue)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletion("table", "json"))
	return cmd
}

func programmeFlags(cmd *cobra.Command, req *internalaudit.ProgrammeRequest) {
	f := cmd.Flags()
	f.StringVar(&req.CycleStart, "start", "", "first day of the certification cycle, YYYY-MM-DD")
	f.StringVar(&req.Objectives, "objectives", "", "what the programme sets out to establish")
	f.StringVar(&req.Methods, "methods", "", "how audits are carried out")
	f.StringVar(&req.Responsibilities, "responsibilities", "", "who plans, conducts, reports and follows up")
	f.StringVar(&req.FrequencyBasis, "frequency", "", "how frequency weighs the importance of processes and earlier results")
	f.StringVar(&req.ManagerID, "manager", "", "user id of the member who manages the programme")
}

func newAuditProgrammeAdd(e env) *cobra.Command {
	var req internalaudit.ProgrammeRequest
	cmd := &cobra.Command{
		Use:     "add",
		Short:   "Record the audit programme of a certification cycle",
		Example: `  aims internal-audit programme add --start 2026-01-01 --objectives "Show conformity before certification" --methods "Interviews and sampling"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var g internalaudit.Programme
			if err := c.do(cmd.Context(), "POST", "/api/v1/internal-audit-programmes", req, &g); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s recorded: cycle %s to %s, recertification due %s\n", g.Ref, g.Years[0].From, g.Years[2].To, g.RecertificationDue)
			return nil
		},
	}
	programmeFlags(cmd, &req)
	return cmd
}

func newAuditProgrammeUpdate(e env) *cobra.Command {
	var req internalaudit.ProgrammeRequest
	cmd := &cobra.Command{
		Use:     "update IAP-n",
		Short:   "Change an audit programme",
		Example: `  aims internal-audit programme update IAP-1 --frequency "Risk processes twice a year, others yearly"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/internal-audit-programmes/" + url.PathEscape(strings.TrimSpace(args[0]))
			var cur internalaudit.Programme
			if err := c.do(cmd.Context(), "GET", path, nil, &cur); err != nil {
				return err
			}
			u := internalaudit.ProgrammeUpdate{Version: cur.Version}
			fl := cmd.Flags()
			for name, dst := range map[string]**string{"start": &u.CycleStart, "objectives": &u.Objectives, "methods": &u.Methods,
				"responsibilities": &u.Responsibilities, "frequency": &u.FrequencyBasis, "manager": &u.ManagerID} {
				if fl.Changed(name) {
					v, _ := fl.GetString(name)
					*dst = &v
				}
			}
			var g internalaudit.Programme
			if err := c.do(cmd.Context(), "PATCH", path, u, &g); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is at version %d\n", g.Ref, g.Version)
			return nil
		},
	}
	programmeFlags(cmd, &req)
	return cmd
}
