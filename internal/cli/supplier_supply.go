package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/supplier"
	"github.com/spf13/cobra"
)

// newSupply is the group of commands on what a party supplies or receives.
func newSupply(e env) *cobra.Command {
	cmd := &cobra.Command{Use: "supply", Short: "Record, list and remove what a party supplies or receives"}
	var req supplier.SupplyRequest
	add := &cobra.Command{
		Use:   "add TP-n",
		Short: "Record what a party supplies (or, with --role customer, receives)",
		Example: `  aims supplier supply add TP-1 --kind model --system SYS-1 --model MDL-1
  aims supplier supply add TP-2 --kind data_set --dataset DS-3 --system SYS-1 --description "Monthly credit bureau extract"
  aims supplier supply add TP-3 --role customer --kind service --system SYS-1 --description "Scores as a service"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var sp supplier.Supply
			if err := c.do(cmd.Context(), "POST", partyPath(args[0])+"/supplies", req, &sp); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "recorded %s: %s %s\n", sp.Ref, sp.Role, sp.Kind)
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&req.Role, "role", "", "supplier (they supply us) or customer (we supply them); from the party's kind when empty")
	f.StringVar(&req.Kind, "kind", "", "model, data_set, service, tooling, computing or other")
	f.StringVar(&req.System, "system", "", "the AI system it serves")
	f.StringVar(&req.Model, "model", "", "the model it is (MDL-n), for kind model")
	f.StringVar(&req.Dataset, "dataset", "", "the data set it is (DS-n), for kind data_set")
	f.StringVar(&req.Description, "description", "", "what is supplied, on what terms")
	_ = add.MarkFlagRequired("kind")
	_ = add.RegisterFlagCompletionFunc("kind", fixedCompletion(optionsOf(supplier.SupplyKinds)...))
	_ = add.RegisterFlagCompletionFunc("role", fixedCompletion(optionsOf(supplier.SupplyRoles)...))
	list := &cobra.Command{
		Use:   "list TP-n",
		Short: "List what a party supplies or receives",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct{ Items []supplier.Supply }
			if err := c.do(cmd.Context(), "GET", partyPath(args[0])+"/supplies", nil, &out); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tROLE\tKIND\tSYSTEM\tMODEL/DATA SET\tDESCRIPTION")
			for _, s := range out.Items {
				item := "-"
				if s.Model != nil {
					item = s.Model.Ref
				} else if s.Dataset != nil {
					item = s.Dataset.Ref
				}
				sys := "-"
				if s.System != nil {
					sys = s.System.Ref
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Ref, s.Role, s.Kind, sys, item, dash(s.Description))
			}
			return tw.Flush()
		},
	}
	remove := &cobra.Command{
		Use:     "remove TP-n NUMBER",
		Short:   "Remove a supply that is no longer true; the history keeps it",
		Example: `  aims supplier supply remove TP-1 2`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(args[1]), "S"))
			if err != nil || n < 1 {
				return fmt.Errorf("%q is not a supply number such as 2", args[1])
			}
			path := partyPath(args[0]) + "/supplies/" + strconv.Itoa(n)
			var sp supplier.Supply
			var list struct{ Items []supplier.Supply }
			if err := c.do(cmd.Context(), "GET", partyPath(args[0])+"/supplies", nil, &list); err != nil {
				return err
			}
			for _, s := range list.Items {
				if s.Number == n {
					sp = s
				}
			}
			if sp.Number == 0 {
				return fmt.Errorf("%s has no supply %d", strings.ToUpper(args[0]), n)
			}
			if err := c.do(cmd.Context(), "DELETE", path+"?version="+strconv.Itoa(sp.Version), nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "removed %s\n", sp.Ref)
			return nil
		},
	}
	cmd.AddCommand(add, list, remove)
	return cmd
}
