package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/spf13/cobra"
)

// requestCompletion completes the reference of an open stage-move request.
func requestCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var page lifecycle.RequestPage
		if err := c.do(cmd.Context(), "GET", "/api/v1/stage-requests?status=open&limit=200", nil, &page); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, r := range page.Items {
			out = append(out, r.Ref+"\t"+r.SystemRef+" → "+r.To)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// getStageRequest reads a stage-move request.
func (c *client) getStageRequest(cmd *cobra.Command, ref string) (*lifecycle.StageRequest, error) {
	var r lifecycle.StageRequest
	if err := c.do(cmd.Context(), "GET", "/api/v1/stage-requests/"+url.PathEscape(ref), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func newLifecycleRequests(e env) *cobra.Command {
	var q lifecycle.RequestQuery
	var output string
	cmd := &cobra.Command{
		Use:     "requests",
		Short:   "List stage-move requests, newest first",
		Example: "  aims lifecycle requests --status open\n  aims lifecycle requests --system SYS-1 -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{"limit": {strconv.Itoa(q.Limit)}, "offset": {strconv.Itoa(q.Offset)}}
			if q.System != "" {
				v.Set("system", q.System)
			}
			if q.Status != "" {
				v.Set("status", q.Status)
			}
			var page lifecycle.RequestPage
			if err := c.do(cmd.Context(), "GET", "/api/v1/stage-requests?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tSYSTEM\tFROM\tTO\tSTATUS\tREQUESTED BY\tREQUESTED")
			for _, r := range page.Items {
				status := r.Status
				if r.Overridden {
					status += " (override)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, r.SystemRef, r.From, r.To, status, r.RequestedByName,
					r.RequestedAt.Format(time.DateOnly))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no stage-move requests match")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.System, "system", "", "only the requests of this AI system")
	f.StringVar(&q.Status, "status", "", "open, approved, refused or withdrawn")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("open", "approved", "refused", "withdrawn"))
	return cmd
}

func newLifecycleShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "show REQUEST",
		Short:             "Show a stage-move request and its checks",
		Example:           "  aims lifecycle show MOVE-3",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: requestCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			r, err := c.getStageRequest(cmd, args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, r)
			}
			printStageRequest(e.stdout, r)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// printStageRequest writes a request for people.
func printStageRequest(w io.Writer, r *lifecycle.StageRequest) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, orDash(oneLine(v, 120))) }
	row("Request", r.Ref)
	row("AI system", r.SystemRef+" "+r.SystemName)
	row("Move", r.From+" → "+r.To)
	row("Status", r.Status)
	row("Justification", r.Justification)
	if r.Plan != "" {
		row("Retirement plan", r.Plan)
	}
	row("Requested", r.RequestedByName+", "+r.RequestedAt.Format(time.RFC3339))
	if r.DecidedAt != nil {
		row("Decided", r.DecidedByName+", "+r.DecidedAt.Format(time.RFC3339))
		label := "Note"
		switch {
		case r.Overridden:
			label = "Override reason"
		case r.Status == lifecycle.RequestRefused:
			label = "Reason"
		}
		row(label, r.DecisionNote)
	}
	_ = tw.Flush()
	if r.Checks != nil {
		if r.ChecksLive {
			fmt.Fprintln(w, "\nChecks, evaluated now:")
		} else {
			fmt.Fprintln(w, "\nChecks, as they stood at the decision:")
		}
		printChecks(w, r.Checks)
	}
}

func newLifecycleDecide(e env, verb string) *cobra.Command {
	var note, reason string
	var override bool
	var output string
	short := map[string]string{
		"approve":  "Approve a stage move once its checks are met, or as an owner override them with --override --reason",
		"refuse":   "Refuse a stage move, with --reason",
		"withdraw": "Withdraw your own open stage-move request",
	}[verb]
	cmd := &cobra.Command{
		Use:               verb + " REQUEST",
		Short:             short,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: requestCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			r, err := c.getStageRequest(cmd, args[0])
			if err != nil {
				return err
			}
			var body any = lifecycle.DecisionRequest{Version: r.Version, Note: note}
			path := "/api/v1/stage-requests/" + url.PathEscape(r.Ref) + "/" + verb
			switch {
			case verb == "approve" && override:
				if reason == "" {
					return fmt.Errorf("--override needs --reason: why the system may move although requirements are unmet")
				}
				body, path = lifecycle.OverrideRequest{Version: r.Version, Reason: reason}, "/api/v1/stage-requests/"+url.PathEscape(r.Ref)+"/override"
			case verb == "refuse":
				body = lifecycle.DecisionRequest{Version: r.Version, Note: reason}
			}
			var out lifecycle.StageRequest
			if err := c.do(cmd.Context(), "POST", path, body, &out); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, out)
			}
			fmt.Fprintf(e.stdout, "%s %s: %s %s → %s\n", out.Ref, out.Status, out.SystemRef, out.From, out.To)
			if out.Overridden {
				fmt.Fprintf(e.stdout, "overridden: %s\n", out.DecisionNote)
			}
			return nil
		},
	}
	f := cmd.Flags()
	switch verb {
	case "approve":
		cmd.Example = "  aims lifecycle approve MOVE-3 --note \"Board minute 12\"\n  aims lifecycle approve MOVE-3 --override --reason \"Pilot starts Monday; V&V report follows\""
		f.StringVar(&note, "note", "", "a note with the approval")
		f.BoolVar(&override, "override", false, "approve although requirements are unmet (owners only; needs --reason)")
		f.StringVar(&reason, "reason", "", "with --override: why the system may move")
	case "refuse":
		cmd.Example = "  aims lifecycle refuse MOVE-3 --reason \"Validate on the 2026 data first\""
		f.StringVar(&reason, "reason", "", "why the move is refused (required)")
		_ = cmd.MarkFlagRequired("reason")
	default:
		cmd.Example = "  aims lifecycle withdraw MOVE-3"
		f.StringVar(&note, "note", "", "why you withdraw it")
	}
	addOutputFlag(cmd, &output)
	return cmd
}
