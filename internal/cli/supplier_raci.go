package cli

import (
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/spf13/cobra"
)

// newRACI is the group of commands on a system's responsibility matrix.
func newRACI(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "raci",
		Short: "Show and set who is responsible, accountable, consulted and informed for a system",
		Long: `The responsibility matrix of an AI system (ISO/IEC 42001 A.10.2): for each stage of
its life cycle, the members (by email) and third parties (TP-n) responsible,
accountable, consulted and informed. A stage with anyone named has exactly one
accountable party. These commands talk to an aims server (--server or
AIMS_SERVER) with an API token (--token or AIMS_TOKEN).`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newRACIShow(e), newRACISet(e))
	return cmd
}

func raciPath(system string) string {
	return "/api/v1/systems/" + url.PathEscape(strings.TrimSpace(system)) + "/raci"
}

func newRACIShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "show SYS-n",
		Short:   "Show a system's responsibility matrix",
		Example: `  aims raci show SYS-1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var m supplier.RACIMatrix
			if err := c.do(cmd.Context(), "GET", raciPath(args[0]), nil, &m); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, m)
			}
			fmt.Fprintf(e.stdout, "Responsibilities for %s %s (version %d)\n\n", m.SystemRef, m.SystemName, m.Version)
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "STAGE\tRESPONSIBLE\tACCOUNTABLE\tCONSULTED\tINFORMED")
			for _, st := range m.Stages {
				names := func(as []supplier.Assignee) string {
					var out []string
					for _, a := range as {
						out = append(out, a.Ref)
					}
					return dash(strings.Join(out, ", "))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.Stage, names(st.Responsible), names(st.Accountable), names(st.Consulted), names(st.Informed))
			}
			return tw.Flush()
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newRACISet(e env) *cobra.Command {
	var stage string
	var req supplier.RACIRequest
	cmd := &cobra.Command{
		Use:   "set SYS-n --stage STAGE",
		Short: "Set who holds each role at one stage, replacing what was there",
		Example: `  aims raci set SYS-1 --stage deployment --accountable ada@example.org --responsible TP-2 --responsible bob@example.org --informed TP-3
  aims raci set SYS-1 --stage retirement     # clears the stage`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var m supplier.RACIMatrix
			if err := c.do(cmd.Context(), "GET", raciPath(args[0]), nil, &m); err != nil {
				return err
			}
			req.Version = m.Version
			var out supplier.RACIMatrix
			if err := c.do(cmd.Context(), "PUT", raciPath(m.SystemRef)+"/"+url.PathEscape(stage), req, &out); err != nil {
				return err
			}
			if out.Version == m.Version {
				fmt.Fprintf(e.stdout, "nothing changed at %s of %s\n", stage, out.SystemRef)
			} else {
				fmt.Fprintf(e.stdout, "set the responsibilities at %s of %s (version %d)\n", stage, out.SystemRef, out.Version)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&stage, "stage", "", "the life-cycle stage, such as deployment")
	f.StringArrayVar(&req.Responsible, "responsible", nil, "a member's email or a third party (TP-n) responsible (repeatable)")
	f.StringArrayVar(&req.Accountable, "accountable", nil, "the one member or third party accountable")
	f.StringArrayVar(&req.Consulted, "consulted", nil, "a member or third party consulted (repeatable)")
	f.StringArrayVar(&req.Informed, "informed", nil, "a member or third party informed (repeatable)")
	_ = cmd.MarkFlagRequired("stage")
	_ = cmd.RegisterFlagCompletionFunc("stage", fixedCompletion(optionsOf(supplier.Stages)...))
	return cmd
}
