package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/objective"
	"github.com/spf13/cobra"
)

// newObjective is the group of AI objective commands.
func newObjective(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "objective",
		Short: "AI objectives, their indicators, targets and measured values",
		Long: `The organisation's AI objectives (ISO/IEC 42001 6.2) with their plan, and the
indicators that measure them against a target at a cadence (9.1). Objectives are
named OBJ-1, OBJ-2 …; an indicator OBJ-1/I2 and a value OBJ-1/I2/M5. Owners and
managers set objectives and indicators; contributors record values too. Values
never change: a mistaken one is corrected by a new value (measure --corrects).
These commands talk to an aims server (--server or AIMS_SERVER) with an API token
(--token or AIMS_TOKEN).`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newObjectiveList(e), newObjectiveAdd(e), newObjectiveShow(e), newObjectiveStatus(e),
		newIndicatorAdd(e), newObjectiveMeasure(e), newObjectiveMeasurements(e))
	return cmd
}

// objectivePath is the API path of an objective.
func objectivePath(ref string) string {
	return "/api/v1/objectives/" + url.PathEscape(strings.TrimSpace(ref))
}

// indicatorPath is the API path of an indicator named like OBJ-1/I2.
func indicatorPath(ref string) (string, error) {
	obj, n, ok := objective.ParseIndicatorRef(ref)
	if !ok {
		return "", fmt.Errorf("%q is not an indicator's reference such as OBJ-1/I2", ref)
	}
	return objectivePath(obj) + "/indicators/" + strconv.Itoa(n), nil
}

// objectiveOptions lists the values of an enumeration for completion.
func objectiveOptions(opts []objective.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func newObjectiveList(e env) *cobra.Command {
	var q objective.ObjectiveQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List AI objectives with where their indicators stand",
		Example: `  aims objective list
  aims objective list --due
  aims objective list --status all --system SYS-1 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{}
			for k, x := range map[string]string{"q": q.Q, "status": q.Status, "system": q.System} {
				if x != "" {
					v.Set(k, x)
				}
			}
			if q.Due {
				v.Set("due", "true")
			}
			v.Set("limit", strconv.Itoa(q.Limit))
			v.Set("offset", strconv.Itoa(q.Offset))
			var page objective.ObjectivePage
			if err := c.do(cmd.Context(), "GET", "/api/v1/objectives?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tOWNER\tDUE BY\tINDICATORS\tOFF TARGET\tVALUES DUE\tSTATUS")
			for _, o := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", o.Ref, o.Title, o.Owner.Email, o.Plan.DueOn, len(o.Indicators),
					o.OffTarget, o.DueCount, o.Status)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no objectives match")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, title, description, plan or Annex C ids")
	f.StringVar(&q.Status, "status", "active", "active, achieved, withdrawn or all")
	f.StringVar(&q.System, "system", "", "only objectives that concern this AI system")
	f.BoolVar(&q.Due, "due", false, "only objectives with an indicator due for a value")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "achieved", "withdrawn", "all"))
	return cmd
}

func newObjectiveAdd(e env) *cobra.Command {
	var req objective.ObjectiveRequest
	var output string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Set an AI objective with its plan (owners and managers)",
		Example: `  aims objective add --title "Explain every credit refusal" --owner lead@example.org --annex-c C.2.11 --system SYS-1 \
    --actions "Send reasons with each refusal" --resources "Two engineers" --responsible "Credit team" \
    --due-on 2026-12-31 --evaluation "Monthly sample of refusals"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var o objective.Objective
			if err := c.do(cmd.Context(), "POST", "/api/v1/objectives", req, &o); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, o)
			}
			fmt.Fprintf(e.stdout, "set %s %s, owned by %s\n", o.Ref, o.Title, o.Owner.Email)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Title, "title", "", "what the organisation means to achieve")
	f.StringVar(&req.Description, "description", "", "why, and how it follows from the AI policy")
	f.StringVar(&req.Owner, "owner", "", "the owner's email or user id")
	f.StringSliceVar(&req.AnnexC, "annex-c", nil, "Annex C objectives it relates to, such as C.2.5 (repeat or separate with commas)")
	f.StringSliceVar(&req.Systems, "system", nil, "AI systems it concerns (repeat or separate with commas)")
	f.StringVar(&req.Plan.Actions, "actions", "", "what will be done")
	f.StringVar(&req.Plan.Resources, "resources", "", "the resources it needs")
	f.StringVar(&req.Plan.Responsible, "responsible", "", "who is responsible: a person, role or team")
	f.StringVar(&req.Plan.DueOn, "due-on", "", "when it will be completed, YYYY-MM-DD")
	f.StringVar(&req.Plan.Evaluation, "evaluation", "", "how the results will be evaluated")
	for _, name := range []string{"title", "owner"} {
		_ = cmd.MarkFlagRequired(name)
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newObjectiveShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "show OBJ-n",
		Short:   "Show an objective with its plan, indicators and history",
		Example: `  aims objective show OBJ-1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var o objective.Objective
			if err := c.do(cmd.Context(), "GET", objectivePath(args[0]), nil, &o); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, o)
			}
			hist, err := c.history(cmd.Context(), objectivePath(o.Ref))
			if err != nil {
				return err
			}
			printObjective(e.stdout, &o)
			printHistory(e.stdout, hist)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printObjective(w io.Writer, o *objective.Objective) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, dash(v)) }
	var annex, systems []string
	for _, a := range o.AnnexC {
		annex = append(annex, a.ID+" "+a.Title)
	}
	for _, s := range o.Systems {
		systems = append(systems, s.Ref)
	}
	row("Reference", o.Ref)
	row("Title", o.Title)
	row("Description", o.Description)
	row("Status", strings.TrimSpace(o.Status+" "+o.StatusNote))
	row("Owner", o.Owner.Name+" <"+o.Owner.Email+">")
	row("Annex C", strings.Join(annex, "; "))
	row("AI systems", strings.Join(systems, " "))
	row("Plan: actions", o.Plan.Actions)
	row("Plan: resources", o.Plan.Resources)
	row("Plan: responsible", o.Plan.Responsible)
	row("Plan: due on", o.Plan.DueOn)
	row("Plan: evaluation", o.Plan.Evaluation)
	row("Version", strconv.Itoa(o.Version))
	_ = tw.Flush()
	fmt.Fprintf(w, "\nIndicators:\n")
	if len(o.Indicators) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, in := range o.Indicators {
		latest, standing := "no value yet", ""
		if in.Latest != nil {
			latest = objective.FormatValue(in.Latest.Value) + " for " + in.Latest.MeasuredOn
			standing = map[bool]string{true: ", on target", false: ", off target"}[*in.OnTarget]
		}
		due := "next due " + in.NextDueOn
		if in.Due {
			due = "due since " + in.NextDueOn
		}
		fmt.Fprintf(w, "  %s %s: %s, %s; latest %s%s; %s\n", in.Ref, in.Name, in.TargetText, in.Cadence, latest, standing, due)
	}
}

func newObjectiveStatus(e env) *cobra.Command {
	var req objective.ObjectiveStatusRequest
	cmd := &cobra.Command{
		Use:   "status OBJ-n",
		Short: "Mark an objective achieved, withdrawn or active again (owners and managers)",
		Example: `  aims objective status OBJ-1 --set achieved --note "All indicators on target for a year"
  aims objective status OBJ-2 --set withdrawn --note "Superseded by OBJ-5"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var o objective.Objective
			if err := c.do(cmd.Context(), "GET", objectivePath(args[0]), nil, &o); err != nil {
				return err
			}
			req.Version = o.Version
			if err := c.do(cmd.Context(), "POST", objectivePath(o.Ref)+"/status", req, &o); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is %s\n", o.Ref, o.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Status, "set", "", "active, achieved or withdrawn")
	cmd.Flags().StringVar(&req.Note, "note", "", "why")
	_ = cmd.MarkFlagRequired("set")
	_ = cmd.RegisterFlagCompletionFunc("set", fixedCompletion(objectiveOptions(objective.Statuses)...))
	return cmd
}
