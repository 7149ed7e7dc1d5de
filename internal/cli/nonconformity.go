package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/nonconformity"
	"github.com/spf13/cobra"
)

// newNonconformity is the nonconformity command.
func newNonconformity(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "nonconformity",
		Aliases: []string{"nc"},
		Short:   "Nonconformities, corrections, root causes, corrective actions and effectiveness checks",
		Long: `Nonconformities (ISO/IEC 42001 10.2): where each was found, the correction, the root
cause, corrective actions with owners and due dates, and the effectiveness check.
A nonconformity is open, then actions planned, then verifying once every action
is done, then closed by an owner or manager after a check found the actions
effective; a check that found them not effective sends it back to planning.
Nonconformities are named NC-1 …, their actions NC-1/A1 … and checks NC-1/E1 ….
These commands talk to an aims server (--server or AIMS_SERVER) with an API token
(--token or AIMS_TOKEN).`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newNCList(e), newNCShow(e), newNCAdd(e), newNCAction(e), newNCDone(e), newNCCheck(e), newNCClose(e))
	return cmd
}

func ncPath(ref string) string {
	return "/api/v1/nonconformities/" + url.PathEscape(strings.TrimSpace(ref))
}

func ncOptions(opts []nonconformity.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func newNCList(e env) *cobra.Command {
	var q nonconformity.Query
	var output string
	cmd := &cobra.Command{
		Use: "list", Short: "List nonconformities", Args: cobra.NoArgs,
		Example: "  aims nc list --status unclosed\n  aims nc list --source audit -o json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{"limit": {strconv.Itoa(q.Limit)}}
			for k, x := range map[string]string{"status": q.Status, "source": q.Source} {
				if x != "" {
					v.Set(k, x)
				}
			}
			var page nonconformity.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/nonconformities?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tSOURCE\tSEVERITY\tSTATUS")
			for _, n := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s\n", n.Ref, n.Title, n.Source, n.SourceRef, n.Severity, n.Status)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&q.Status, "status", "", "open, planned, verifying, closed or unclosed")
	cmd.Flags().StringVar(&q.Source, "source", "", "audit, incident, concern, review, monitoring or other")
	cmd.Flags().IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion(append(ncOptions(nonconformity.Statuses), "unclosed")...))
	_ = cmd.RegisterFlagCompletionFunc("source", fixedCompletion(ncOptions(nonconformity.SourceOptions)...))
	return cmd
}

// ncResult prints a nonconformity as JSON or for people.
func ncResult(e env, output string, n *nonconformity.Nonconformity) error {
	if output == "json" {
		return writeJSON(e.stdout, n)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\nstatus\t%s\nsource\t%s %s\nseverity\t%s\n", n.Ref, n.Title, n.Status, n.Source, n.SourceRef, n.Severity)
	fmt.Fprintf(tw, "correction\t%s\nroot cause\t%s (%s)\n", dash(n.Correction), dash(n.RootCause), dash(n.RCAMethod))
	for _, a := range n.Actions {
		fmt.Fprintf(tw, "%s\t%s, due %s, %s %s\n", a.Ref, a.Description, a.DueOn, a.Status, a.DoneOn)
	}
	for _, c := range n.Checks {
		fmt.Fprintf(tw, "%s\t%s effective=%t %s\n", c.Ref, c.CheckedOn, c.Effective, c.Notes)
	}
	return tw.Flush()
}

func newNCShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use: "show NC-n", Short: "Show a nonconformity with its actions and checks", Args: cobra.ExactArgs(1),
		Example: "  aims nc show NC-1 -o json",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var n nonconformity.Nonconformity
			if err := c.do(cmd.Context(), "GET", ncPath(args[0]), nil, &n); err != nil {
				return err
			}
			return ncResult(e, output, &n)
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newNCAdd(e env) *cobra.Command {
	var req nonconformity.CreateRequest
	var output string
	cmd := &cobra.Command{
		Use: "add", Short: "Raise a nonconformity", Args: cobra.NoArgs,
		Example: `  aims nc add --title "No evaluation before release" --source audit --source-ref IA-1/F2 --severity major --clause 8.1 --control A.6.2.4`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var n nonconformity.Nonconformity
			if err := c.do(cmd.Context(), "POST", "/api/v1/nonconformities", req, &n); err != nil {
				return err
			}
			return ncResult(e, output, &n)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Title, "title", "", "the requirement not fulfilled, in a few words")
	f.StringVar(&req.Description, "description", "", "what was found")
	f.StringVar(&req.Source, "source", "", "audit, incident, concern, review, monitoring or other")
	f.StringVar(&req.SourceRef, "source-ref", "", "the record it came from, such as IA-2/F3")
	f.StringVar(&req.Severity, "severity", "", "minor or major")
	f.StringSliceVar(&req.Clauses, "clause", nil, "clause not fulfilled, such as 7.2; repeat for more")
	f.StringSliceVar(&req.Controls, "control", nil, "control not fulfilled, such as A.6.2.4; repeat for more")
	f.StringSliceVar(&req.Systems, "system", nil, "AI system concerned; repeat for more")
	f.StringVar(&req.OwnerID, "owner", "", "user id of the member handling it; you when left out")
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("title")
	_ = cmd.MarkFlagRequired("source")
	_ = cmd.MarkFlagRequired("severity")
	_ = cmd.RegisterFlagCompletionFunc("source", fixedCompletion(ncOptions(nonconformity.SourceOptions)...))
	_ = cmd.RegisterFlagCompletionFunc("severity", fixedCompletion(ncOptions(nonconformity.Severities)...))
	return cmd
}

func newNCAction(e env) *cobra.Command {
	var req nonconformity.ActionRequest
	cmd := &cobra.Command{
		Use: "action NC-n", Short: "Plan a corrective action", Args: cobra.ExactArgs(1),
		Example: `  aims nc action NC-1 --description "Add an evaluation gate" --owner 0190… --due 2026-04-30`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a nonconformity.Action
			if err := c.do(cmd.Context(), "POST", ncPath(args[0])+"/actions", req, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s planned, due %s\n", a.Ref, a.DueOn)
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Description, "description", "", "what is to be done")
	cmd.Flags().StringVar(&req.OwnerID, "owner", "", "user id of the member who carries it out")
	cmd.Flags().StringVar(&req.DueOn, "due", "", "when it must be done, YYYY-MM-DD")
	return cmd
}

func newNCDone(e env) *cobra.Command {
	var doneOn, note string
	cmd := &cobra.Command{
		Use: "done NC-n/An", Short: "Mark a corrective action done", Args: cobra.ExactArgs(1),
		Example: `  aims nc done NC-1/A2 --note "Gate in place"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, num, ok := strings.Cut(args[0], "/A")
			number, err := strconv.Atoi(num)
			if !ok || err != nil {
				return fmt.Errorf("name the action as NC-1/A2")
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var n nonconformity.Nonconformity
			if err := c.do(cmd.Context(), "GET", ncPath(ref), nil, &n); err != nil {
				return err
			}
			done := nonconformity.ActionStatusDone
			req := nonconformity.ActionUpdate{Status: &done, DoneOn: &doneOn, Note: &note}
			for _, a := range n.Actions {
				if a.Number == number {
					req.Version = a.Version
				}
			}
			var a nonconformity.Action
			if err := c.do(cmd.Context(), "PATCH", ncPath(ref)+"/actions/"+strconv.Itoa(number), req, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s done %s\n", a.Ref, a.DoneOn)
			return nil
		},
	}
	cmd.Flags().StringVar(&doneOn, "on", "", "when it was done, YYYY-MM-DD; today when left out")
	cmd.Flags().StringVar(&note, "note", "", "a note on what was done")
	return cmd
}

func newNCCheck(e env) *cobra.Command {
	var req nonconformity.CheckRequest
	cmd := &cobra.Command{
		Use: "check NC-n", Short: "Record an effectiveness check (owners and managers)", Args: cobra.ExactArgs(1),
		Example: "  aims nc check NC-1 --effective --evidence EV-4\n  aims nc check NC-1 --notes \"Still happens on the chat model\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var chk nonconformity.Check
			if err := c.do(cmd.Context(), "POST", ncPath(args[0])+"/checks", req, &chk); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s effective=%t\n", chk.Ref, chk.Effective)
			return nil
		},
	}
	cmd.Flags().BoolVar(&req.Effective, "effective", false, "the actions were effective")
	cmd.Flags().StringVar(&req.CheckedOn, "on", "", "when it was checked, YYYY-MM-DD; today when left out")
	cmd.Flags().StringSliceVar(&req.Evidence, "evidence", nil, "reference of what shows the result; repeat for more")
	cmd.Flags().StringVar(&req.Notes, "notes", "", "notes; required when not effective")
	return cmd
}

func newNCClose(e env) *cobra.Command {
	var req nonconformity.CloseRequest
	var output string
	cmd := &cobra.Command{
		Use: "close NC-n", Short: "Close a nonconformity (owners and managers)", Args: cobra.ExactArgs(1),
		Example: "  aims nc close NC-1\n  aims nc close NC-1 --aims-change \"Add evaluation to the release procedure\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var n nonconformity.Nonconformity
			if err := c.do(cmd.Context(), "GET", ncPath(args[0]), nil, &n); err != nil {
				return err
			}
			req.Version, req.AIMSChangeNeeded = n.Version, req.AIMSChange != ""
			if err := c.do(cmd.Context(), "POST", ncPath(args[0])+"/close", req, &n); err != nil {
				return err
			}
			return ncResult(e, output, &n)
		},
	}
	cmd.Flags().StringVar(&req.AIMSChange, "aims-change", "", "what must change in the AIMS (10.2 f); leave out when nothing")
	addOutputFlag(cmd, &output)
	return cmd
}
