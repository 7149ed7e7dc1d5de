package cli

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/review"
	"github.com/spf13/cobra"
)

// newReview is the group of management review commands.
func newReview(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Management reviews: compiled inputs, decisions, actions and sign-off",
		Long: `Management reviews (ISO/IEC 42001 9.3): plan one (add), see its inputs compiled
from the records (show), record what management decided (decide) and the actions
agreed (action add), and have the chair sign it off (sign-off), which freezes the
inputs, decisions and agreed actions. Actions are then followed up (action done).
Reviews are named MR-1, MR-2 …; a decision MR-1/D2 and an action MR-1/A3. These
commands talk to an aims server (--server or AIMS_SERVER) with an API token
(--token or AIMS_TOKEN). Each change reads the current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newReviewList(e), newReviewAdd(e), newReviewShow(e), newReviewUpdate(e), newReviewDecide(e),
		newReviewAction(e), newReviewSignOff(e), newReviewMinutes(e))
	return cmd
}

// reviewPath is the API path of a review.
func reviewPath(ref string) string {
	return "/api/v1/reviews/" + url.PathEscape(strings.ToUpper(strings.TrimSpace(ref)))
}

func newReviewList(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List management reviews",
		Example: "  aims review list\n  aims review list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct{ Items []review.Review }
			if err := c.do(cmd.Context(), "GET", "/api/v1/reviews", nil, &out); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, out.Items)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tPLANNED\tHELD\tCHAIR\tSTATUS\tACTIONS")
			for _, r := range out.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r.Ref, r.Title, r.PlannedOn, dash(r.HeldOn), r.Chair.Email, r.Status, len(r.Actions))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(out.Items) == 0 {
				fmt.Fprintln(e.stderr, "no management reviews yet")
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// reviewFlags are the flags of a review's own fields.
func reviewFlags(cmd *cobra.Command, req *review.Request) {
	f := cmd.Flags()
	f.StringVar(&req.Title, "title", "", "such as Management review 2026")
	f.StringVar(&req.PlannedOn, "planned", "", "the planned date, YYYY-MM-DD")
	f.StringVar(&req.HeldOn, "held", "", "when it was held, YYYY-MM-DD")
	f.StringVar(&req.Chair, "chair", "", "the chair's email: an owner or manager, who alone signs off")
	f.StringSliceVar(&req.Attendees, "attendee", nil, "a member who attends, by email (repeat for more)")
	f.StringSliceVar(&req.Guests, "guest", nil, "someone else who attends, in words (repeat for more)")
	f.StringVar(&req.Notes, "notes", "", "minutes of the discussion")
}

func newReviewAdd(e env) *cobra.Command {
	var req review.Request
	var output string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Plan a management review",
		Example: `  aims review add --title "Management review 2026" --planned 2026-03-20 --chair ceo@example.org \
    --attendee cto@example.org --guest "External consultant (Jane Roe)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var r review.Review
			if err := c.do(cmd.Context(), "POST", "/api/v1/reviews", req, &r); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, r)
			}
			fmt.Fprintf(e.stdout, "planned %s %s for %s, chaired by %s\n", r.Ref, r.Title, r.PlannedOn, r.Chair.Email)
			if missing := r.Inputs.MissingRequired(); len(missing) > 0 {
				fmt.Fprintf(e.stdout, "inputs missing so far: %s\n", strings.Join(missing, "; "))
			}
			return nil
		},
	}
	reviewFlags(cmd, &req)
	for _, f := range []string{"title", "planned", "chair"} {
		_ = cmd.MarkFlagRequired(f)
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newReviewShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "show MR-n",
		Short:   "Show a review with its inputs, decisions, actions and history",
		Example: "  aims review show MR-1\n  aims review show MR-1 -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var r review.Review
			if err := c.do(cmd.Context(), "GET", reviewPath(args[0]), nil, &r); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, r)
			}
			hist, err := c.history(cmd.Context(), reviewPath(r.Ref))
			if err != nil {
				return err
			}
			printReview(e.stdout, &r)
			printHistory(e.stdout, hist)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printReview(w io.Writer, r *review.Review) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, dash(v)) }
	row("Reference", r.Ref)
	row("Title", r.Title)
	row("Status", r.Status)
	row("Planned", r.PlannedOn)
	row("Held", r.HeldOn)
	row("Chair", r.Chair.Name+" <"+r.Chair.Email+">")
	var people []string
	for _, p := range r.Attendees {
		people = append(people, p.Email)
	}
	row("Attendees", strings.Join(append(people, r.Guests...), ", "))
	period := "from the start"
	if r.PeriodFrom != "" {
		period = "since " + r.PeriodFrom
	}
	row("Period", period)
	if r.SignedOffBy != nil && r.SignedOffAt != nil {
		row("Signed off", r.SignedOffBy.Email+" at "+r.SignedOffAt.UTC().Format("2006-01-02 15:04")+" UTC")
	}
	row("Version", strconv.Itoa(r.Version))
	_ = tw.Flush()
	if r.Inputs != nil {
		fmt.Fprintf(w, "\nInputs (compiled %s UTC):\n", r.Inputs.CompiledAt.UTC().Format("2006-01-02 15:04"))
		for _, s := range r.Inputs.Sections {
			state := "present"
			if !s.Present {
				state = "MISSING: " + s.Missing
			}
			fmt.Fprintf(w, "  %s [%s]\n", strings.TrimSpace(s.Clause+" "+s.Title), state)
			for _, f := range s.Facts {
				fmt.Fprintf(w, "      %s\n", f)
			}
		}
	}
	fmt.Fprintf(w, "\nDecisions:\n")
	if len(r.Decisions) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, d := range r.Decisions {
		fmt.Fprintf(w, "  %s %s: %s\n", d.Ref, d.Kind, d.Text)
	}
	fmt.Fprintf(w, "\nActions:\n")
	if len(r.Actions) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, a := range r.Actions {
		status := a.Status
		if a.Status == review.ActionDone {
			status += " " + a.DoneOn
		} else if a.Overdue {
			status += " (overdue)"
		}
		fmt.Fprintf(w, "  %s %s, owner %s, due %s: %s\n", a.Ref, a.Description, a.Owner.Email, a.DueOn, status)
	}
}

func newReviewUpdate(e env) *cobra.Command {
	var req review.Request
	cmd := &cobra.Command{
		Use:     "update MR-n",
		Short:   "Change a draft review",
		Example: `  aims review update MR-1 --held 2026-03-20 --notes "Discussed the audit results."`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var r review.Review
			if err := c.do(ctx, "GET", reviewPath(args[0]), nil, &r); err != nil {
				return err
			}
			fl := cmd.Flags()
			up := review.Update{Version: r.Version}
			for flag, p := range map[string]struct {
				dst **string
				v   string
			}{"title": {&up.Title, req.Title}, "planned": {&up.PlannedOn, req.PlannedOn}, "held": {&up.HeldOn, req.HeldOn},
				"chair": {&up.Chair, req.Chair}, "notes": {&up.Notes, req.Notes}} {
				if fl.Changed(flag) {
					v := p.v
					*p.dst = &v
				}
			}
			if fl.Changed("attendee") {
				up.Attendees = &req.Attendees
			}
			if fl.Changed("guest") {
				up.Guests = &req.Guests
			}
			var out review.Review
			if err := c.do(ctx, "PATCH", reviewPath(r.Ref), up, &out); err != nil {
				return err
			}
			if out.Version == r.Version {
				fmt.Fprintf(e.stdout, "nothing changed: %s stays at version %d\n", out.Ref, out.Version)
			} else {
				fmt.Fprintf(e.stdout, "%s updated (version %d)\n", out.Ref, out.Version)
			}
			return nil
		},
	}
	reviewFlags(cmd, &req)
	return cmd
}

func newReviewDecide(e env) *cobra.Command {
	var req review.DecisionRequest
	cmd := &cobra.Command{
		Use:     "decide MR-n",
		Short:   "Record a decision of a draft review",
		Example: `  aims review decide MR-1 --kind resources --text "Fund a second fairness reviewer."`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d review.Decision
			if err := c.do(cmd.Context(), "POST", reviewPath(args[0])+"/decisions", req, &d); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "recorded %s (%s)\n", d.Ref, d.Kind)
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Kind, "kind", "", "improvement, change or resources")
	cmd.Flags().StringVar(&req.Text, "text", "", "what was decided, and why")
	_ = cmd.MarkFlagRequired("kind")
	_ = cmd.MarkFlagRequired("text")
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(reviewOptions(review.DecisionKinds)...))
	return cmd
}

func reviewOptions(opts []review.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func newReviewSignOff(e env) *cobra.Command {
	var held string
	cmd := &cobra.Command{
		Use:   "sign-off MR-n",
		Short: "Sign off a review as its chair, which freezes it",
		Long: `Signs the review off as its chair: the inputs compiled now are stored with it, and
the review, its decisions and the agreed text of its actions can no longer change.
Only the chair may sign off, once the meeting date and a decision are recorded.`,
		Example: "  aims review sign-off MR-1 --held 2026-03-20",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var r review.Review
			if err := c.do(ctx, "GET", reviewPath(args[0]), nil, &r); err != nil {
				return err
			}
			var out review.Review
			if err := c.do(ctx, "POST", reviewPath(r.Ref)+"/sign-off", review.SignOffRequest{Version: r.Version, HeldOn: held}, &out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is signed off by %s; its inputs, decisions and actions are frozen\n", out.Ref, out.SignedOffBy.Email)
			if missing := out.Inputs.MissingRequired(); len(missing) > 0 {
				fmt.Fprintf(e.stdout, "the record shows these required inputs as missing: %s\n", strings.Join(missing, "; "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&held, "held", "", "when the meeting was held, YYYY-MM-DD; the recorded date when left out")
	return cmd
}

func newReviewMinutes(e env) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:     "minutes MR-n",
		Short:   "Write a review's minutes as PDF",
		Example: "  aims review minutes MR-1 --file minutes-MR-1.pdf",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			data, err := c.raw(cmd.Context(), "GET", reviewPath(args[0])+"/minutes", "", nil)
			if err != nil {
				return err
			}
			if file == "" {
				file = "management-review-" + strings.ToUpper(strings.TrimSpace(args[0])) + ".pdf"
			}
			if err := os.WriteFile(file, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s (%d bytes)\n", file, len(data))
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "where to write the PDF; management-review-MR-n.pdf when left out")
	return cmd
}
