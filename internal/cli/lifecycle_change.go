package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/spf13/cobra"
)

// newChange is the group of change-request commands.
func newChange(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "change",
		Short: "Raise, classify, decide and record change requests of AI systems (talks to a server)",
		Long: `Change control of ISO/IEC 42001 6.3, 8.1 and A.6.2.5. A change request says what
changes (model_version, training_data, intended_purpose, affected_population,
supplier, other), why and with what expected impact. It is significant by rule
for a new model version, new training data, a changed purpose or affected
population; a change of supplier or other is minor unless marked --significant.
A lead may raise a minor change to significant, never lower one. Approving a
significant change makes the system's risks and impact assessments due for
review, and its next stage move waits for those reviews.
These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN). Each decision reads the change's current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newChangeAdd(e), newChangeList(e), newChangeShow(e), newChangeReclassify(e),
		newChangeDecide(e, "approve"), newChangeDecide(e, "refuse"), newChangeDecide(e, "implement"), newChangeDecide(e, "withdraw"))
	return cmd
}

// changeKindValues are the kinds of change as completions.
func changeKindValues() []string {
	out := make([]string, len(lifecycle.ChangeKinds))
	for i, o := range lifecycle.ChangeKinds {
		out[i] = o.Value + "\t" + o.Help
	}
	return out
}

// changeCompletion completes the reference of an open change request.
func changeCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var page lifecycle.ChangePage
		if err := c.do(cmd.Context(), "GET", "/api/v1/changes?status=open&limit=200", nil, &page); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, x := range page.Items {
			out = append(out, x.Ref+"\t"+x.Title)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// getChange reads a change request.
func (c *client) getChange(cmd *cobra.Command, ref string) (*lifecycle.ChangeRequest, error) {
	var x lifecycle.ChangeRequest
	if err := c.do(cmd.Context(), "GET", "/api/v1/changes/"+url.PathEscape(ref), nil, &x); err != nil {
		return nil, err
	}
	return &x, nil
}

func newChangeAdd(e env) *cobra.Command {
	var req lifecycle.ChangeCreate
	var output string
	cmd := &cobra.Command{
		Use:   "add SYSTEM --kind KIND --title TEXT --justification TEXT",
		Short: "Raise a change request and see how it is classified",
		Example: `  aims change add SYS-1 --kind model_version --title "Ranking model 2" --justification "Better recall"
  aims change add SYS-1 --kind supplier --title "New hosting" --justification "Cost" --significant`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: systemCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			req.System = args[0]
			var x lifecycle.ChangeRequest
			if err := c.do(cmd.Context(), "POST", "/api/v1/changes", req, &x); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, x)
			}
			fmt.Fprintf(e.stdout, "raised %s %s for %s: %s\n", x.Ref, x.Title, x.SystemRef, x.ClassificationRule)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&req.Kinds, "kind", nil, "what changes (repeatable, required): model_version, training_data, intended_purpose, affected_population, supplier, other")
	f.StringVar(&req.Title, "title", "", "what the change is, in a line (required)")
	f.StringVar(&req.Description, "description", "", "the change in detail")
	f.StringVar(&req.Justification, "justification", "", "why it is needed (required)")
	f.StringVar(&req.ExpectedImpact, "impact", "", "what it is expected to do to the system, its users and the people it affects")
	f.BoolVar(&req.Significant, "significant", false, "mark a supplier or other change significant")
	addOutputFlag(cmd, &output)
	for _, name := range []string{"kind", "title", "justification"} {
		_ = cmd.MarkFlagRequired(name)
	}
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(changeKindValues()...))
	return cmd
}

func newChangeList(e env) *cobra.Command {
	var q lifecycle.ChangeQuery
	var output string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List change requests, newest first",
		Example: "  aims change list --status open\n  aims change list --system SYS-1 --classification significant",
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
			for k, x := range map[string]string{"system": q.System, "status": q.Status, "classification": q.Classification, "kind": q.Kind, "q": q.Q} {
				if x != "" {
					v.Set(k, x)
				}
			}
			var page lifecycle.ChangePage
			if err := c.do(cmd.Context(), "GET", "/api/v1/changes?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tSYSTEM\tTITLE\tKINDS\tCLASS\tSTATUS\tREQUESTED")
			for _, x := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.Ref, x.SystemRef, oneLine(x.Title, 50), strings.Join(x.Kinds, ","),
					x.Classification, x.Status, x.RequestedAt.Format(time.DateOnly))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no change requests match")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.System, "system", "", "only the changes of this AI system")
	f.StringVar(&q.Status, "status", "", "open (requested or approved), requested, approved, refused, implemented or withdrawn")
	f.StringVar(&q.Classification, "classification", "", "significant or minor")
	f.StringVar(&q.Kind, "kind", "", "only changes of this kind")
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in the reference, title or description")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("open", "requested", "approved", "refused", "implemented", "withdrawn"))
	_ = cmd.RegisterFlagCompletionFunc("classification", fixedCompletion("significant", "minor"))
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(changeKindValues()...))
	return cmd
}

func newChangeShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "show CHANGE",
		Short:             "Show a change request",
		Example:           "  aims change show CR-3",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: changeCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			x, err := c.getChange(cmd, args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, x)
			}
			printChange(e.stdout, x)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// printChange writes a change request for people.
func printChange(w io.Writer, x *lifecycle.ChangeRequest) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, orDash(oneLine(v, 120))) }
	row("Change", x.Ref+" "+x.Title)
	row("AI system", x.SystemRef+" "+x.SystemName)
	row("Kinds", strings.Join(x.Kinds, ", "))
	row("Classification", x.Classification)
	row("Rule", x.ClassificationRule)
	row("Status", x.Status)
	row("Description", x.Description)
	row("Justification", x.Justification)
	row("Expected impact", x.ExpectedImpact)
	row("Requested", x.RequestedByName+", "+x.RequestedAt.Format(time.RFC3339))
	if x.DecidedAt != nil {
		row("Decided", x.DecidedByName+", "+x.DecidedAt.Format(time.RFC3339))
		row("Decision note", x.DecisionNote)
	}
	if x.ImplementedAt != nil {
		row("Implemented", x.ImplementedByName+", "+x.ImplementedAt.Format(time.RFC3339))
		row("What was done", x.ImplementationNote)
	}
	_ = tw.Flush()
}

func newChangeReclassify(e env) *cobra.Command {
	var reason, output string
	cmd := &cobra.Command{
		Use:               "reclassify CHANGE --reason TEXT",
		Short:             "Raise a minor change to significant (owners and managers)",
		Long:              "Raises a requested minor change to significant, with a reason. A change is never lowered to minor.",
		Example:           `  aims change reclassify CR-4 --reason "The new host is outside the EU"`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: changeCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			return changeAction(cmd, e, output, args[0], "reclassify", func(x *lifecycle.ChangeRequest) any {
				return lifecycle.ReclassifyRequest{Version: x.Version, Classification: lifecycle.Significant, Reason: reason}
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the change is significant (required)")
	_ = cmd.MarkFlagRequired("reason")
	addOutputFlag(cmd, &output)
	return cmd
}

func newChangeDecide(e env, verb string) *cobra.Command {
	var note, output string
	cmd := &cobra.Command{
		Use:               verb + " CHANGE",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: changeCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			return changeAction(cmd, e, output, args[0], verb, func(x *lifecycle.ChangeRequest) any {
				return lifecycle.ChangeDecision{Version: x.Version, Note: note}
			})
		},
	}
	f := cmd.Flags()
	switch verb {
	case "approve":
		cmd.Short = "Approve a change request; a significant one makes the system's reviews due"
		cmd.Example = "  aims change approve CR-3 --note \"Board minute 14\""
		f.StringVar(&note, "note", "", "a note with the approval")
	case "refuse":
		cmd.Short = "Refuse a change request, with --reason"
		cmd.Example = "  aims change refuse CR-3 --reason \"Not validated\""
		f.StringVar(&note, "reason", "", "why it is refused (required)")
		_ = cmd.MarkFlagRequired("reason")
	case "implement":
		cmd.Short = "Record an approved change as implemented, with --note"
		cmd.Example = "  aims change implement CR-3 --note \"Deployed MDL-1@2.0.0 on 3 March\""
		f.StringVar(&note, "note", "", "what was done (required)")
		_ = cmd.MarkFlagRequired("note")
	default:
		cmd.Short = "Withdraw your own change request"
		cmd.Example = "  aims change withdraw CR-3"
		f.StringVar(&note, "note", "", "why you withdraw it")
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// changeAction reads a change's current version and posts an action on it.
func changeAction(cmd *cobra.Command, e env, output, ref, verb string, body func(*lifecycle.ChangeRequest) any) error {
	if err := checkOutput(output); err != nil {
		return err
	}
	c, err := newClient(cmd, e)
	if err != nil {
		return err
	}
	x, err := c.getChange(cmd, ref)
	if err != nil {
		return err
	}
	var out lifecycle.ChangeRequest
	if err := c.do(cmd.Context(), "POST", "/api/v1/changes/"+url.PathEscape(x.Ref)+"/"+verb, body(x), &out); err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "%s %s, %s\n", out.Ref, out.Status, out.Classification)
	if verb == "approve" && out.Classification == lifecycle.Significant {
		fmt.Fprintf(e.stdout, "%s's risks and impact assessments are now due for review; its next stage move waits for them\n", out.SystemRef)
	}
	return nil
}
