package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/model"
	"github.com/spf13/cobra"
)

// newModel is the group of model commands.
func newModel(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "Register models and their versions, evaluations and model cards",
		Long: `The models of your AI systems (ISO/IEC 42001 A.6.2): each version with the
SHA-256 of its artefact, the data set versions it was trained and evaluated on,
its evaluation results and model card, its approval and where it is deployed.
A version is named MODEL@LABEL, such as MDL-1@1.4.0. Exactly one version of a
model is deployed per environment; deploying another supersedes it.
These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN). Each change reads the current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newModelList(e), newModelAdd(e), newModelShow(e), newModelUpdate(e), newModelStatus(e, "archive"),
		newModelStatus(e, "restore"), newModelVersion(e), newModelEvaluate(e), newModelDecision(e, "approve"),
		newModelDeploy(e, "deploy"), newModelDeploy(e, "withdraw"), newModelDecision(e, "retire"))
	return cmd
}

// modelPath is the API path of a model.
func modelPath(ref string) string { return "/api/v1/models/" + url.PathEscape(strings.TrimSpace(ref)) }

// modelVersionPath is the API path of a version named MODEL@LABEL.
func modelVersionPath(key string) (string, error) {
	ref, label, ok := model.SplitKey(key)
	if !ok {
		return "", fmt.Errorf("%q does not name a model version: write MODEL@LABEL, such as MDL-1@1.4.0", key)
	}
	return modelPath(ref) + "/versions/" + url.PathEscape(label), nil
}

// modelCompletion completes a model's reference, with @ after it when keys ends a version's key.
func modelCompletion(e env, keys bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		if ref, _, ok := strings.Cut(toComplete, "@"); ok && keys {
			var vs struct{ Items []model.Version }
			if c.do(cmd.Context(), "GET", modelPath(ref)+"/versions", nil, &vs) == nil {
				for _, v := range vs.Items {
					out = append(out, v.Key+"\t"+v.Status)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		var page model.Page
		if c.do(cmd.Context(), "GET", "/api/v1/models?status=all&limit=200", nil, &page) != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		for _, m := range page.Items {
			if keys {
				out = append(out, m.Ref+"@\t"+m.Name)
			} else {
				out = append(out, m.Ref+"\t"+m.Name)
			}
		}
		if keys {
			return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// modelOutput writes a model, or a version, as JSON or, by table, for people.
func modelOutput(e env, output string, v any, table func(io.Writer)) error {
	if output == "json" {
		return writeJSON(e.stdout, v)
	}
	table(e.stdout)
	return nil
}

func newModelList(e env) *cobra.Command {
	var q model.ListQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List models",
		Example: `  aims model list
  aims model list --system SYS-1 --status all -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{"limit": {strconv.Itoa(q.Limit)}, "offset": {strconv.Itoa(q.Offset)}}
			for k, x := range map[string]string{"q": q.Q, "system": q.System, "status": q.Status} {
				if x != "" {
					v.Set(k, x)
				}
			}
			var page model.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/models?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			return modelOutput(e, output, page, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "REF\tNAME\tSYSTEM\tVERSIONS\tDEPLOYED\tSTATUS")
				for _, m := range page.Items {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", m.Ref, oneLine(m.Name, 40), m.SystemRef, m.VersionCount, placed(m.Deployed), m.Status)
				}
				tw.Flush()
				if page.Total == 0 {
					fmt.Fprintln(e.stderr, "no models match")
				} else {
					fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
				}
			})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, name or description")
	f.StringVar(&q.System, "system", "", "only the models of this AI system (SYS-1)")
	f.StringVar(&q.Status, "status", "active", "active, archived or all")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "archived", "all"))
	return cmd
}

// placed words where versions are deployed: "1.4.0 in production, 1.3.0 in staging".
func placed(ps []model.Placement) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Label+" in "+p.Environment)
	}
	return orDash(strings.Join(out, ", "))
}

func newModelAdd(e env) *cobra.Command {
	var req model.CreateRequest
	var owner, output string
	cmd := &cobra.Command{
		Use:     "add --system SYS --name NAME",
		Short:   "Register a model of an AI system",
		Example: `  aims model add --system SYS-1 --name "Credit scorer" --description "Gradient boosting" --owner ada@example.org`,
		Args:    cobra.NoArgs,
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
			var m model.Model
			if err := c.do(cmd.Context(), "POST", "/api/v1/models", req, &m); err != nil {
				return err
			}
			return modelOutput(e, output, m, func(w io.Writer) { fmt.Fprintf(w, "registered %s %s of %s\n", m.Ref, m.Name, m.SystemRef) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.System, "system", "", "the AI system the model belongs to (required)")
	f.StringVar(&req.Name, "name", "", "name, unique among the system's models (required)")
	f.StringVar(&req.Description, "description", "", "what the model does and how it is built")
	f.StringVar(&owner, "owner", "", "email of the accountable owner, a member of the organisation")
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("system")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	return cmd
}

func newModelShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "show MODEL",
		Short:             "Show a model, its versions and its change history",
		Example:           `  aims model show MDL-1`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var m model.Model
			var vs struct{ Items []model.Version }
			if err := c.do(cmd.Context(), "GET", modelPath(args[0]), nil, &m); err != nil {
				return err
			}
			if err := c.do(cmd.Context(), "GET", modelPath(m.Ref)+"/versions", nil, &vs); err != nil {
				return err
			}
			hist, err := c.history(cmd.Context(), modelPath(m.Ref))
			if err != nil {
				return err
			}
			out := struct {
				model.Model
				Versions []model.Version    `json:"versions"`
				History  []api.HistoryEntry `json:"history"`
			}{m, vs.Items, hist}
			return modelOutput(e, output, out, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				for _, r := range [][2]string{{"Model", m.Ref + " " + m.Name}, {"AI system", m.SystemRef + " " + m.SystemName},
					{"Status", m.Status}, {"Description", m.Description}, {"Owner", m.OwnerName}, {"Deployed", placed(m.Deployed)},
					{"Version", strconv.Itoa(m.Version)}} {
					fmt.Fprintf(tw, "%s\t%s\n", r[0], orDash(strings.ReplaceAll(r[1], "\n", "\n\t")))
				}
				tw.Flush()
				fmt.Fprintln(w, "\nVersions (newest first):")
				tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "  KEY\tSTATUS\tENVIRONMENTS\tRESULTS\tAPPROVED BY")
				for _, v := range vs.Items {
					by := "-"
					if v.Approval != nil {
						by = v.Approval.ByName
					}
					fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", v.Key, v.Status, orDash(strings.Join(v.Environments, ", ")), v.EvaluationCount, by)
				}
				tw.Flush()
				modelHistory(w, hist)
			})
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// modelHistory writes audit events, newest first.
func modelHistory(w io.Writer, hist []api.HistoryEntry) {
	fmt.Fprintf(w, "\nHistory (newest first):\n")
	for _, h := range hist {
		fmt.Fprintf(w, "  #%d %s %s by %s\n", h.Index, h.Time, h.Action, h.Actor.Label)
		for _, c := range h.Changes {
			fmt.Fprintf(w, "      %s: %s → %s\n", c.Field, shown(c.Before), shown(c.After))
		}
	}
}

func newModelUpdate(e env) *cobra.Command {
	var name, description, owner string
	cmd := &cobra.Command{
		Use:               "update MODEL",
		Short:             "Change a model's name, description or owner",
		Example:           `  aims model update MDL-1 --description "XGBoost since 2.0" --owner max@example.org`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cur model.Model
			if err := c.do(cmd.Context(), "GET", modelPath(args[0]), nil, &cur); err != nil {
				return err
			}
			req := model.UpdateRequest{Version: cur.Version}
			f := cmd.Flags()
			if f.Changed("name") {
				req.Name = &name
			}
			if f.Changed("description") {
				req.Description = &description
			}
			if f.Changed("owner") {
				id := ""
				if owner != "" {
					if id, err = memberID(cmd, c, owner); err != nil {
						return err
					}
				}
				req.OwnerID = &id
			}
			var m model.Model
			if err := c.do(cmd.Context(), "PATCH", modelPath(cur.Ref), req, &m); err != nil {
				return err
			}
			if m.Version == cur.Version {
				fmt.Fprintf(e.stdout, "nothing changed: %s stays at version %d\n", m.Ref, m.Version)
			} else {
				fmt.Fprintf(e.stdout, "%s updated (version %d)\n", m.Ref, m.Version)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new name")
	cmd.Flags().StringVar(&description, "description", "", "new description")
	cmd.Flags().StringVar(&owner, "owner", "", "email of the new owner; empty to clear")
	cmd.MarkFlagsOneRequired("name", "description", "owner")
	return cmd
}

// newModelStatus archives or restores a model.
func newModelStatus(e env, verb string) *cobra.Command {
	short := map[string]string{"archive": "Archive a model; its versions, results and history stay (owners and managers)",
		"restore": "Restore an archived model (owners and managers)"}[verb]
	return &cobra.Command{
		Use:               verb + " MODEL",
		Short:             short,
		Example:           "  aims model " + verb + " MDL-1",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var m model.Model
			if err := c.do(cmd.Context(), "POST", modelPath(args[0])+"/"+verb, nil, &m); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is %s\n", m.Ref, m.Status)
			return nil
		},
	}
}

// versionChange reads a version's current version number, sends a change
// built from it and says what happened.
func versionChange(cmd *cobra.Command, e env, key, method, path string, body func(version int) any, say func(*model.Version) string) error {
	p, err := modelVersionPath(key)
	if err != nil {
		return err
	}
	c, err := newClient(cmd, e)
	if err != nil {
		return err
	}
	var cur, v model.Version
	if err := c.do(cmd.Context(), "GET", p, nil, &cur); err != nil {
		return err
	}
	if err := c.do(cmd.Context(), method, p+path, body(cur.Version), &v); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, say(&v))
	return nil
}

// newModelDecision approves or retires a version.
func newModelDecision(e env, verb string) *cobra.Command {
	var note string
	short := map[string]string{
		"approve": "Approve a candidate version for deployment (owners and managers)",
		"retire":  "Retire a candidate or approved version (owners and managers)",
	}[verb]
	long := map[string]string{
		"approve": `Approve a candidate version. It needs at least one evaluation result and a model
card with its intended use and limitations; approval freezes the card, the
framework, the digest and the data.`,
		"retire": `Retire a version: it keeps its record but can no longer be deployed or evaluated.
A deployed version must be withdrawn from its environments first.`,
	}[verb]
	cmd := &cobra.Command{
		Use:               verb + " MODEL@LABEL",
		Short:             short,
		Long:              long,
		Example:           "  aims model " + verb + " MDL-1@1.4.0 --note \"AI board, minute 12\"",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionChange(cmd, e, args[0], "POST", "/"+verb, func(v int) any { return model.DecisionRequest{Version: v, Note: note} },
				func(v *model.Version) string { return v.Key + " is " + v.Status })
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why: the evidence considered, the conditions set")
	return cmd
}

// newModelDeploy deploys a version to an environment or withdraws it from one.
func newModelDeploy(e env, verb string) *cobra.Command {
	var req model.DeployRequest
	cmd := &cobra.Command{
		Use:               verb + " MODEL@LABEL",
		ValidArgsFunction: modelCompletion(e, true),
		Args:              cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionChange(cmd, e, args[0], "POST", "/"+verb, func(v int) any { req.Version = v; return req },
				func(v *model.Version) string {
					return fmt.Sprintf("%s is %s; deployed in: %s", v.Key, v.Status, orDash(strings.Join(v.Environments, ", ")))
				})
		},
	}
	if verb == "deploy" {
		cmd.Short = "Deploy an approved version to an environment (owners and managers)"
		cmd.Long = `Deploy an approved version to an environment, production unless --env says
otherwise. The version of the same model deployed there before is superseded
and stays approved: deploying it again rolls back.`
		cmd.Example = `  aims model deploy MDL-1@1.4.0
  aims model deploy MDL-1@1.4.0 --env staging --note CHG-42`
		cmd.Flags().StringVar(&req.Environment, "env", "production", "the environment, such as production or staging")
	} else {
		cmd.Short = "Withdraw a version from an environment (owners and managers)"
		cmd.Example = `  aims model withdraw MDL-1@1.4.0 --env staging`
		cmd.Flags().StringVar(&req.Environment, "env", "", "the environment; may be left out when the version is deployed in only one")
	}
	cmd.Flags().StringVar(&req.Note, "note", "", "why, such as the change ticket")
	_ = cmd.RegisterFlagCompletionFunc("env", fixedCompletion("production", "staging"))
	return cmd
}
