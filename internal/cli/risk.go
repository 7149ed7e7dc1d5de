package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/spf13/cobra"
)

// newRisk is the risk command group.
func newRisk(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "risk",
		Short: "Record, assess, treat and accept AI risks; set the criteria; run assessments (talks to a server)",
		Long: `The risk register of ISO/IEC 42001 6.1 and 8.2–8.3: risks of your AI systems,
assessed under the organisation's risk criteria, treated with controls and
actions, and their residual risk accepted by designated management. Named risk
assessments freeze the state of the register, signed in the audit log.
These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN). Each change reads the risk's current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newRiskList(e), newRiskShow(e), newRiskAdd(e), newRiskAssess(e), newRiskTreat(e), newRiskAction(e),
		newRiskAccept(e), newRiskClose(e), newRiskDue(e), newRiskExport(e), newRiskCriteria(e), newRiskAssessment(e))
	return cmd
}

// riskCompletion completes a risk's reference.
func riskCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var page risk.Page
		if err := c.do(cmd.Context(), "GET", "/api/v1/risks?status=all&limit=200", nil, &page); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, r := range page.Items {
			out = append(out, r.Ref+"\t"+r.Title)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// riskOptionValues are options as completions.
func riskOptionValues(opts []risk.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

// getRisk reads a risk.
func (c *client) getRisk(cmd *cobra.Command, ref string) (*risk.Risk, error) {
	var r risk.Risk
	if err := c.do(cmd.Context(), "GET", "/api/v1/risks/"+url.PathEscape(ref), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func newRiskList(e env) *cobra.Command {
	var q risk.ListQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List risks",
		Example: `  aims risk list
  aims risk list --system SYS-3 --sort -inherent
  aims risk list --inherent 3-2          # the risks in a cell of the heat map
  aims risk list --status all -o json`,
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
			for k, x := range map[string]string{"q": q.Q, "status": q.Status, "inherent": q.Inherent, "residual": q.Residual,
				"level": q.Level, "system": q.System, "control": q.Control, "sort": q.Sort} {
				if x != "" {
					v.Set(k, x)
				}
			}
			if q.OwnerID != "" {
				id, err := memberID(cmd, c, q.OwnerID)
				if err != nil {
					return err
				}
				v.Set("owner_id", id)
			}
			v.Set("limit", strconv.Itoa(q.Limit))
			v.Set("offset", strconv.Itoa(q.Offset))
			var page risk.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/risks?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tSTATUS\tINHERENT\tRESIDUAL\tOWNER\tNEXT REVIEW")
			for _, r := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, oneLine(r.Title, 50), r.Status, riskRating(r.Inherent),
					riskRating(r.Treatment.Residual), orDash(r.OwnerName), orDash(r.NextReview))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no risks match")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, title, description, source or consequences")
	f.StringVar(&q.Status, "status", "open", "open (every status but closed), all, identified, assessed, treated, accepted or closed")
	f.StringVar(&q.Inherent, "inherent", "", "a cell of the current criteria, likelihood-impact such as 3-2")
	f.StringVar(&q.Residual, "residual", "", "a cell of the current criteria for the residual rating")
	f.StringVar(&q.Level, "level", "", "a level of the current criteria, such as high")
	f.StringVar(&q.System, "system", "", "only risks of this AI system")
	f.StringVar(&q.OwnerID, "owner", "", "only risks owned by the member with this email")
	f.StringVar(&q.Control, "control", "", "only risks this control treats, such as A.9.3")
	f.StringVar(&q.Sort, "sort", "ref", "ref, title, inherent, residual, next_review or updated; prefix - to reverse")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion(append([]string{"open", "all"}, riskOptionValues(risk.Statuses)...)...))
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("control", controlCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("sort", fixedCompletion("ref", "-ref", "title", "-title", "inherent", "-inherent",
		"residual", "-residual", "next_review", "-next_review", "updated", "-updated"))
	return cmd
}

// riskRating words a rating in a table: "critical (3×4)".
func riskRating(r *risk.Rating) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%s (%d×%d)", r.Level, r.Likelihood, r.Impact)
}

func newRiskShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "show RISK",
		Short:             "Show a risk with its assessment, treatment, actions, acceptance and history",
		Example:           "  aims risk show RISK-3\n  aims risk show RISK-3 -o json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: riskCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			r, err := c.getRisk(cmd, args[0])
			if err != nil {
				return err
			}
			hist, err := c.history(cmd.Context(), "/api/v1/risks/"+url.PathEscape(r.ID))
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, struct {
					risk.Risk
					History []api.HistoryEntry `json:"history"`
				}{*r, hist})
			}
			printRisk(e.stdout, r, hist)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// printRisk writes a risk for people.
func printRisk(w io.Writer, r *risk.Risk, hist []api.HistoryEntry) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, orDash(oneLine(v, 120))) }
	var systems, objectives, controls []string
	for _, s := range r.Systems {
		systems = append(systems, s.Ref+" "+s.Name)
	}
	for _, o := range r.Objectives {
		objectives = append(objectives, o.Text())
	}
	for _, c := range r.Treatment.Controls {
		controls = append(controls, c.ID)
	}
	row("Risk", r.Ref+" "+r.Title)
	row("Status", r.Status)
	row("Owner", r.OwnerName)
	row("AI systems", strings.Join(systems, ", "))
	row("Risk source", r.RiskSource.Text())
	row("Objectives", strings.Join(objectives, "; "))
	row("Description", r.Description)
	row("For the organisation", r.ConsequencesOrganisation)
	row("For individuals", r.ConsequencesIndividuals)
	row("For society", r.ConsequencesSociety)
	inherent := riskRating(r.Inherent)
	if r.OlderCriteria {
		inherent += fmt.Sprintf(", under criteria v%d (current v%d)", r.CriteriaVersion, r.CurrentCriteriaVersion)
	}
	row("Inherent", inherent)
	if r.AboveAppetite {
		row("Appetite", r.Appetite+": the current level is above it")
	} else {
		row("Appetite", r.Appetite)
	}
	row("Next review", r.NextReview)
	row("Treatment", r.Treatment.Option)
	if r.Treatment.PlanVersion > 0 {
		row("Plan version", strconv.Itoa(r.Treatment.PlanVersion))
	}
	row("Plan", r.Treatment.Plan)
	row("Controls", strings.Join(controls, ", "))
	row("Residual", riskRating(r.Treatment.Residual))
	row("Acceptance", risk.AcceptanceText(r.Acceptance))
	if r.Acceptance != nil && r.Acceptance.StateReason != "" {
		row("", r.Acceptance.StateReason)
	}
	if r.Acceptance != nil && r.Acceptance.AboveAppetite {
		row("Owner's reason", r.Acceptance.Reason)
	}
	row("Version", strconv.Itoa(r.Version))
	tw.Flush()
	if len(r.Treatment.Actions) > 0 {
		fmt.Fprintln(w, "\nActions:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tACTION\tOWNER\tDUE\tSTATUS")
		for _, a := range r.Treatment.Actions {
			status := a.Status
			if a.Overdue {
				status += " (overdue)"
			} else if a.CompletedDate != "" {
				status += " " + a.CompletedDate
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", a.Number, oneLine(a.Description, 60), orDash(a.OwnerName), orDash(a.DueDate), status)
		}
		tw.Flush()
	}
	if len(r.Impacts) > 0 {
		fmt.Fprintln(w, "\nImpacts that inform it:")
		for _, im := range r.Impacts {
			fmt.Fprintf(w, "  %s %s: %s\n", im.AssessmentRef, im.SystemRef, im.Summary)
		}
	}
	if len(hist) > 0 {
		fmt.Fprintln(w, "\nHistory:")
		for _, h := range hist {
			fmt.Fprintf(w, "  %s  %s  %s\n", h.Time, h.Action, h.Actor.Label)
		}
	}
}

func newRiskAdd(e env) *cobra.Command {
	var req risk.CreateRequest
	var owner, output string
	cmd := &cobra.Command{
		Use:   "add --title TITLE",
		Short: "Record a risk",
		Example: `  aims risk add --title "Screening rejects qualified women" --system SYS-3 \
    --source C.3.4 --objective C.2.5 --individuals "Qualified applicants are not invited." \
    --owner ada@example.org`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			if owner != "" {
				if req.OwnerID, err = memberID(cmd, c, owner); err != nil {
					return err
				}
			}
			var r risk.Risk
			if err := c.do(cmd.Context(), "POST", "/api/v1/risks", req, &r); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, r)
			}
			fmt.Fprintf(e.stdout, "%s %s recorded\n", r.Ref, r.Title)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Title, "title", "", "what could happen, in a line (required)")
	f.StringVar(&req.Description, "description", "", "the event or scenario and its causes")
	f.StringSliceVar(&req.Systems, "system", nil, "an AI system concerned (repeatable)")
	f.StringVar(&req.RiskSource, "source", "", "an Annex C risk source (C.3.1 to C.3.7) or own words")
	f.StringSliceVar(&req.Objectives, "objective", nil, "an objective affected: C.2.1 to C.2.11 or own words (repeatable)")
	f.StringVar(&req.ConsequencesOrganisation, "organisation", "", "consequences for the organisation")
	f.StringVar(&req.ConsequencesIndividuals, "individuals", "", "consequences for individuals and groups")
	f.StringVar(&req.ConsequencesSociety, "society", "", "consequences for society")
	f.StringVar(&owner, "owner", "", "email of the member who owns the risk")
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("title")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("source", riskAnnexCompletion(risk.KindRiskSource))
	_ = cmd.RegisterFlagCompletionFunc("objective", riskAnnexCompletion(risk.KindObjective))
	return cmd
}

// riskAnnexCompletion completes Annex C ids of a kind.
func riskAnnexCompletion(kind string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, it := range catalog.AnnexC() {
			if it.Kind == kind {
				out = append(out, it.ID+"\t"+it.Title)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
