package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/spf13/cobra"
)

func newSystem(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "system",
		Short: "List, add and show AI systems (talks to a server)",
		Long: `List, add and show the AI systems of your organisation. These commands talk to
an aims server (--server or AIMS_SERVER) with an API token (--token or AIMS_TOKEN).`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newSystemList(e), newSystemAdd(e), newSystemShow(e))
	return cmd
}

func optionValues(opts []aisystem.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func addOutputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVarP(output, "output", "o", "table", "table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletion("table", "json"))
}

func checkOutput(output string) error {
	if output != "table" && output != "json" {
		return fmt.Errorf("--output must be table or json, not %q", output)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newSystemList(e env) *cobra.Command {
	var q aisystem.ListQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List AI systems",
		Example: `  aims system list
  aims system list --search credit --class high --sort -updated
  aims system list --status all -o json`,
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
			for k, x := range map[string]string{"q": q.Q, "status": q.Status, "lifecycle_stage": q.LifecycleStage,
				"eu_ai_act_class": q.EUAIActClass, "ai_role": q.AIRole, "sort": q.Sort} {
				if x != "" {
					v.Set(k, x)
				}
			}
			v.Set("limit", strconv.Itoa(q.Limit))
			v.Set("offset", strconv.Itoa(q.Offset))
			var page aisystem.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/systems?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tNAME\tSTAGE\tEU AI ACT\tOWNER\tSTATUS")
			for _, s := range page.Items {
				owner := s.OwnerName
				if owner == "" {
					owner = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Ref, s.Name, aisystem.Label(aisystem.LifecycleStages, s.LifecycleStage),
					aisystem.Label(aisystem.EUAIActClasses, s.EUAIActClass), owner, s.Status)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no AI systems match")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, name, purpose or description")
	f.StringVar(&q.Status, "status", "active", "active, archived or all")
	f.StringVar(&q.LifecycleStage, "stage", "", "only systems in this life-cycle stage")
	f.StringVar(&q.EUAIActClass, "class", "", "only systems of this EU AI Act class")
	f.StringVar(&q.AIRole, "role", "", "only systems where the organisation has this AI role")
	f.StringVar(&q.Sort, "sort", "name", "name, ref, updated, stage or class; prefix - to reverse")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "archived", "all"))
	_ = cmd.RegisterFlagCompletionFunc("stage", fixedCompletion(optionValues(aisystem.LifecycleStages)...))
	_ = cmd.RegisterFlagCompletionFunc("class", fixedCompletion(optionValues(aisystem.EUAIActClasses)...))
	_ = cmd.RegisterFlagCompletionFunc("role", fixedCompletion(optionValues(aisystem.AIRoles)...))
	_ = cmd.RegisterFlagCompletionFunc("sort", fixedCompletion("name", "-name", "ref", "-ref", "updated", "-updated", "stage", "-stage", "class", "-class"))
	return cmd
}

func newSystemAdd(e env) *cobra.Command {
	var req aisystem.CreateRequest
	var owner, output string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Register an AI system",
		Example: `  aims system add --name "Credit scoring" --purpose "Score consumer credit applications" \
    --role provider --role producer --stage deployment --class high \
    --stakeholder "Loan applicants" --automation human_in_the_loop --owner ada@example.org`,
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
				id, err := memberID(cmd, c, owner)
				if err != nil {
					return err
				}
				req.OwnerID = id
			}
			var sys aisystem.System
			if err := c.do(cmd.Context(), "POST", "/api/v1/systems", req, &sys); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, sys)
			}
			fmt.Fprintf(e.stdout, "registered %s %s\n", sys.Ref, sys.Name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Name, "name", "", "name people know the system by (required)")
	f.StringVar(&req.IntendedPurpose, "purpose", "", "intended purpose: what it is meant to do, for whom (required)")
	f.StringVar(&req.Description, "description", "", "description")
	f.StringVar(&owner, "owner", "", "email of the accountable owner, a member of the organisation")
	f.StringArrayVar(&req.AIRoles, "role", nil, "the organisation's AI role towards the system (repeatable)")
	f.StringVar(&req.LifecycleStage, "stage", "", "life-cycle stage (default inception)")
	f.StringVar(&req.EUAIActClass, "class", "", "EU AI Act risk class (default not_classified)")
	f.StringVar(&req.DeploymentContext, "context", "", "where and how the system is used")
	f.StringArrayVar(&req.AffectedStakeholders, "stakeholder", nil, "a group affected by the system (repeatable)")
	f.StringVar(&req.AutomationLevel, "automation", "", "level of automation (default not_assessed)")
	f.StringVar(&req.HumanOversight, "oversight", "", "how people oversee the system and can intervene")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("role", fixedCompletion(optionValues(aisystem.AIRoles)...))
	_ = cmd.RegisterFlagCompletionFunc("stage", fixedCompletion(optionValues(aisystem.LifecycleStages)...))
	_ = cmd.RegisterFlagCompletionFunc("class", fixedCompletion(optionValues(aisystem.EUAIActClasses)...))
	_ = cmd.RegisterFlagCompletionFunc("automation", fixedCompletion(optionValues(aisystem.AutomationLevels)...))
	return cmd
}

// memberID finds the user id of the member with the given email.
func memberID(cmd *cobra.Command, c *client, email string) (string, error) {
	var ms struct {
		Items []identity.Membership `json:"items"`
	}
	if err := c.do(cmd.Context(), "GET", "/api/v1/members", nil, &ms); err != nil {
		return "", err
	}
	for _, m := range ms.Items {
		if strings.EqualFold(m.Email, email) {
			return m.UserID, nil
		}
	}
	return "", fmt.Errorf("--owner: %s is not a member of your organisation", email)
}

func newSystemShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show an AI system and its change history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var sys aisystem.System
			if err := c.do(cmd.Context(), "GET", "/api/v1/systems/"+url.PathEscape(args[0]), nil, &sys); err != nil {
				return err
			}
			hist, err := c.history(cmd.Context(), "/api/v1/systems/"+url.PathEscape(sys.ID))
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, struct {
					aisystem.System
					History []api.HistoryEntry `json:"history"`
				}{sys, hist})
			}
			printSystem(e.stdout, &sys, hist)
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var page aisystem.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/systems?status=all&limit=200", nil, &page); err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, s := range page.Items {
				out = append(out, s.Ref+"\t"+s.Name)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printSystem(w io.Writer, s *aisystem.System, hist []api.HistoryEntry) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v == "" {
			v = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\n", k, strings.ReplaceAll(v, "\n", "\n\t"))
	}
	roles := make([]string, len(s.AIRoles))
	for i, r := range s.AIRoles {
		roles[i] = aisystem.Label(aisystem.AIRoles, r)
	}
	row("Reference", s.Ref)
	row("Name", s.Name)
	row("Status", s.Status)
	row("Intended purpose", s.IntendedPurpose)
	row("Description", s.Description)
	row("Owner", s.OwnerName)
	row("AI roles", strings.Join(roles, ", "))
	row("Life-cycle stage", aisystem.Label(aisystem.LifecycleStages, s.LifecycleStage))
	row("EU AI Act class", aisystem.Label(aisystem.EUAIActClasses, s.EUAIActClass))
	row("Deployment context", s.DeploymentContext)
	row("Affected stakeholders", strings.Join(s.AffectedStakeholders, "; "))
	row("Automation", aisystem.Label(aisystem.AutomationLevels, s.AutomationLevel))
	row("Human oversight", s.HumanOversight)
	row("Version", strconv.Itoa(s.Version))
	row("Created", s.CreatedAt.Format(time.RFC3339))
	row("Updated", s.UpdatedAt.Format(time.RFC3339))
	tw.Flush()
	fmt.Fprintf(w, "\nHistory (newest first):\n")
	for _, h := range hist {
		fmt.Fprintf(w, "  #%d %s %s by %s\n", h.Index, h.Time, h.Action, h.Actor.Label)
		for _, c := range h.Changes {
			fmt.Fprintf(w, "      %s: %s → %s\n", c.Field, shown(c.Before), shown(c.After))
		}
	}
}

// shown writes a JSON value of a change for people; an absent one as (none).
func shown(v []byte) string {
	if len(v) == 0 {
		return "(none)"
	}
	return string(v)
}
