package cli

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/risk"
	"github.com/spf13/cobra"
)

// riskChange reads a risk's current version, sends a change built from it
// and prints the changed risk with say.
func riskChange(cmd *cobra.Command, e env, ref, method, path string, body func(version int) any, say func(*risk.Risk) string) error {
	c, err := newClient(cmd, e)
	if err != nil {
		return err
	}
	cur, err := c.getRisk(cmd, ref)
	if err != nil {
		return err
	}
	var r risk.Risk
	if err := c.do(cmd.Context(), method, "/api/v1/risks/"+url.PathEscape(cur.ID)+path, body(cur.Version), &r); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, say(&r))
	return nil
}

func newRiskAssess(e env) *cobra.Command {
	var req risk.AssessRequest
	cmd := &cobra.Command{
		Use:   "assess RISK --likelihood N --impact N",
		Short: "Rate a risk's likelihood and impact under the current criteria",
		Long: `Rate a risk's likelihood and impact: steps of the current criteria's scales,
from 1. Their cell gives the inherent level, and the next review is the level's
review interval from today unless --next-review says otherwise.`,
		Example:           `  aims risk assess RISK-3 --likelihood 3 --impact 4`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			return riskChange(cmd, e, args[0], "PUT", "/assessment", func(v int) any { req.Version = v; return req },
				func(r *risk.Risk) string {
					return fmt.Sprintf("%s: inherent %s, next review %s", r.Ref, riskRating(r.Inherent), r.NextReview)
				})
		},
	}
	f := cmd.Flags()
	f.IntVar(&req.Likelihood, "likelihood", 0, "a step of the likelihood scale (required)")
	f.IntVar(&req.Impact, "impact", 0, "a step of the impact scale (required)")
	f.StringVar(&req.NextReview, "next-review", "", "YYYY-MM-DD; by default the level's review interval from today")
	_ = cmd.MarkFlagRequired("likelihood")
	_ = cmd.MarkFlagRequired("impact")
	return cmd
}

func newRiskTreat(e env) *cobra.Command {
	var req risk.TreatmentRequest
	cmd := &cobra.Command{
		Use:   "treat RISK --option OPTION",
		Short: "Set a risk's treatment: option, plan, controls and residual rating",
		Long: `Set how a risk is treated. Every flag is set as given: leave one out to clear it.
Changing the option, the plan or the controls makes a new plan version, after
which the residual risk must be accepted again.`,
		Example: `  aims risk treat RISK-3 --option modify --plan "Audit the ranking for bias before each release." \
    --control A.9.3 --control A.6.2.4 --residual-likelihood 2 --residual-impact 2`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			return riskChange(cmd, e, args[0], "PUT", "/treatment", func(v int) any { req.Version = v; return req },
				func(r *risk.Risk) string {
					return fmt.Sprintf("%s: %s, plan version %d, residual %s", r.Ref, r.Treatment.Option, r.Treatment.PlanVersion,
						riskRating(r.Treatment.Residual))
				})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Option, "option", "", "modify, avoid, share or retain (required)")
	f.StringVar(&req.Plan, "plan", "", "the treatment plan in words")
	f.StringSliceVar(&req.Controls, "control", nil, "a control that treats the risk: A.9.3, or an own control such as CTL-2 (repeatable)")
	f.IntVar(&req.ResidualLikelihood, "residual-likelihood", 0, "the likelihood expected after treatment")
	f.IntVar(&req.ResidualImpact, "residual-impact", 0, "the impact expected after treatment")
	_ = cmd.MarkFlagRequired("option")
	_ = cmd.RegisterFlagCompletionFunc("option", fixedCompletion(riskOptionValues(risk.TreatmentOptions)...))
	_ = cmd.RegisterFlagCompletionFunc("control", controlCompletion(e))
	return cmd
}

func newRiskAction(e env) *cobra.Command {
	cmd := &cobra.Command{Use: "action", Short: "Add actions to a risk's treatment plan and record their progress"}
	var add risk.AddActionRequest
	var owner string
	addCmd := &cobra.Command{
		Use:               "add RISK --description TEXT",
		Short:             "Add an action to a risk's treatment plan",
		Example:           `  aims risk action add RISK-3 --description "Run a bias audit" --owner ada@example.org --due 2026-06-30`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if owner != "" {
				c, err := newClient(cmd, e)
				if err != nil {
					return err
				}
				if add.OwnerID, err = memberID(cmd, c, owner); err != nil {
					return err
				}
			}
			return riskChange(cmd, e, args[0], "POST", "/actions", func(v int) any { add.Version = v; return add },
				func(r *risk.Risk) string {
					a := r.Treatment.Actions[len(r.Treatment.Actions)-1]
					return fmt.Sprintf("%s: action %d added, plan version %d", r.Ref, a.Number, r.Treatment.PlanVersion)
				})
		},
	}
	addCmd.Flags().StringVar(&add.Description, "description", "", "what is to be done (required)")
	addCmd.Flags().StringVar(&owner, "owner", "", "email of the member who does it")
	addCmd.Flags().StringVar(&add.DueDate, "due", "", "due date, YYYY-MM-DD")
	_ = addCmd.MarkFlagRequired("description")
	var completed string
	doneCmd := &cobra.Command{
		Use:               "done RISK NUMBER",
		Short:             "Record that an action is done",
		Example:           `  aims risk action done RISK-3 1 --on 2026-03-20`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: riskCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return fmt.Errorf("%q is not an action number", args[1])
			}
			status := risk.ActionDone
			req := risk.UpdateActionRequest{Status: &status}
			if completed != "" {
				req.CompletedDate = &completed
			}
			return riskChange(cmd, e, args[0], "PATCH", "/actions/"+strconv.Itoa(n), func(v int) any { req.Version = v; return req },
				func(r *risk.Risk) string { return fmt.Sprintf("%s: action %d done", r.Ref, n) })
		},
	}
	doneCmd.Flags().StringVar(&completed, "on", "", "the day it was done, YYYY-MM-DD (default today)")
	cmd.AddCommand(addCmd, doneCmd)
	return cmd
}

func newRiskAccept(e env) *cobra.Command {
	var req risk.AcceptRequest
	cmd := &cobra.Command{
		Use:   "accept RISK",
		Short: "Accept a risk's residual level for its current plan (owners and managers)",
		Long: `Accept a risk's residual level for the current version of its treatment plan.
Owners and managers accept a level within the appetite. A level above it only an
owner accepts, with --above-appetite and --reason, both recorded in the audit log.`,
		Example: `  aims risk accept RISK-3 --until 2026-12-31 --note "AI board, 2 March"
  aims risk accept RISK-4 --above-appetite --reason "No alternative before the audit; reviewed monthly."`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			return riskChange(cmd, e, args[0], "POST", "/acceptance", func(v int) any { req.Version = v; return req },
				func(r *risk.Risk) string {
					a := r.Acceptance
					s := fmt.Sprintf("%s: residual %s accepted for plan version %d until %s", r.Ref, a.ResidualLevel, a.PlanVersion, a.ValidUntil)
					if a.AboveAppetite {
						s += ", above the appetite " + a.Appetite
					}
					return s
				})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.ValidUntil, "until", "", "last day the acceptance holds, YYYY-MM-DD (default: the level's review interval)")
	f.StringVar(&req.Note, "note", "", "a note recorded with the acceptance")
	f.BoolVar(&req.AboveAppetiteConfirmed, "above-appetite", false, "confirm accepting a level above the appetite (owners)")
	f.StringVar(&req.AboveAppetiteReason, "reason", "", "why a level above the appetite is accepted")
	return cmd
}

func newRiskClose(e env) *cobra.Command {
	var req risk.CloseRequest
	cmd := &cobra.Command{
		Use:               "close RISK --reason TEXT",
		Short:             "Close a risk that is no longer relevant",
		Example:           `  aims risk close RISK-3 --reason "The screening system was retired."`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			return riskChange(cmd, e, args[0], "POST", "/close", func(v int) any { req.Version = v; return req },
				func(r *risk.Risk) string { return r.Ref + " closed" })
		},
	}
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why the risk is closed (required)")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

func newRiskDue(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "due",
		Short: "List the risks due for review, with the reasons, and overdue actions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d risk.Due
			if err := c.do(cmd.Context(), "GET", "/api/v1/risk-due", nil, &d); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, d)
			}
			if len(d.Risks) == 0 {
				fmt.Fprintln(e.stdout, "no risk is due for review")
			}
			for _, r := range d.Risks {
				fmt.Fprintf(e.stdout, "%s %s\n", r.Ref, r.Title)
				for _, why := range r.Reasons {
					fmt.Fprintf(e.stdout, "  - %s\n", why.Text)
				}
			}
			if len(d.Actions) > 0 {
				fmt.Fprintln(e.stdout, "\nOverdue actions:")
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "RISK\t#\tACTION\tOWNER\tDUE")
				for _, a := range d.Actions {
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", a.RiskRef, a.Number, oneLine(a.Description, 60), orDash(a.OwnerName), a.DueDate)
				}
				return tw.Flush()
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newRiskExport(e env) *cobra.Command {
	var format, file string
	cmd := &cobra.Command{
		Use:   "export --format pdf|xlsx",
		Short: "Export the risk register with its treatment plan as PDF or XLSX",
		Long: `Download the register with its treatment plan, naming the organisation, the
criteria version, the date and the latest signed audit checkpoint. Without -o the
file is saved under the name the server gives it; -o - writes it to standard output.`,
		Example: `  aims risk export --format pdf
  aims risk export --format xlsx -o register.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return riskDownload(cmd, e, "/api/v1/risk-register/export?format="+url.QueryEscape(format), file)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "pdf or xlsx (required)")
	cmd.Flags().StringVarP(&file, "output", "o", "", "file to write; - for standard output (default: the name the server gives)")
	_ = cmd.MarkFlagRequired("format")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion("pdf\tPDF document", "xlsx\tExcel workbook"))
	return cmd
}

// riskDownload fetches an export and writes it to file, standard output
// for -, or the name the server gives.
func riskDownload(cmd *cobra.Command, e env, path, file string) error {
	c, err := newClient(cmd, e)
	if err != nil {
		return err
	}
	name, data, err := c.download(cmd.Context(), path)
	if err != nil {
		return err
	}
	if file == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	if file == "" {
		file = name
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", file, len(data))
	return nil
}
