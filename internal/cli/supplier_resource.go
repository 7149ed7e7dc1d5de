package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/spf13/cobra"
)

// newResource is the group of resource commands.
func newResource(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "resource",
		Short: "List, record and change the resources AI systems rely on",
		Long: `The resources of ISO/IEC 42001 A.4: data, tooling, computing, people with their
competences, and other, each with the third party that provides it and the AI
systems that rely on it. Resources are named RES-1, RES-2 … These commands talk
to an aims server (--server or AIMS_SERVER) with an API token (--token or
AIMS_TOKEN). Each change reads the current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newResourceList(e), newResourceAdd(e), newResourceShow(e), newResourceUpdate(e))
	return cmd
}

func resourcePath(ref string) string {
	return "/api/v1/resources/" + url.PathEscape(strings.TrimSpace(ref))
}

func newResourceList(e env) *cobra.Command {
	var q supplier.ResourceQuery
	var output string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List resources",
		Example: `  aims resource list --kind people --system SYS-1`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{}
			for k, x := range map[string]string{"q": q.Q, "kind": q.Kind, "system": q.System, "status": q.Status} {
				if x != "" {
					v.Set(k, x)
				}
			}
			v.Set("limit", strconv.Itoa(q.Limit))
			v.Set("offset", strconv.Itoa(q.Offset))
			var page supplier.ResourcePage
			if err := c.do(cmd.Context(), "GET", "/api/v1/resources?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tKIND\tNAME\tPROVIDER\tSYSTEMS\tSTATUS")
			for _, r := range page.Items {
				provider := "-"
				if r.Provider != nil {
					provider = r.Provider.Ref
				}
				var systems []string
				for _, s := range r.Systems {
					systems = append(systems, s.Ref)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, r.Kind, r.Name, provider, dash(strings.Join(systems, ",")), r.Status)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no resources match")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, name, description or competences")
	f.StringVar(&q.Kind, "kind", "", "data, tooling, computing, people or other")
	f.StringVar(&q.System, "system", "", "only resources this AI system relies on")
	f.StringVar(&q.Status, "status", "active", "active, archived or all")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(optionsOf(supplier.ResourceKinds)...))
	return cmd
}

func resourceFlags(cmd *cobra.Command, req *supplier.ResourceRequest) {
	f := cmd.Flags()
	f.StringVar(&req.Kind, "kind", "", "data, tooling, computing, people or other")
	f.StringVar(&req.Name, "name", "", "what it is called")
	f.StringVar(&req.Description, "description", "", "what it is, where it runs, its impact")
	f.StringVar(&req.Provider, "provider", "", "the third party that provides it (TP-n); empty for the organisation")
	f.StringArrayVar(&req.Competences, "competence", nil, "for people: a competence (repeatable)")
	f.StringArrayVar(&req.Members, "member", nil, "for people: a member's email (repeatable)")
	f.StringArrayVar(&req.Systems, "system", nil, "an AI system that relies on it (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(optionsOf(supplier.ResourceKinds)...))
}

func newResourceAdd(e env) *cobra.Command {
	var req supplier.ResourceRequest
	var output string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Record a resource",
		Example: `  aims resource add --kind computing --name "GPU cluster" --provider TP-3 --system SYS-1
  aims resource add --kind people --name "Credit risk data scientists" --competence statistics --member ada@example.org --system SYS-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var r supplier.Resource
			if err := c.do(cmd.Context(), "POST", "/api/v1/resources", req, &r); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, r)
			}
			fmt.Fprintf(e.stdout, "recorded %s %s (%s)\n", r.Ref, r.Name, r.Kind)
			return nil
		},
	}
	resourceFlags(cmd, &req)
	_ = cmd.MarkFlagRequired("kind")
	_ = cmd.MarkFlagRequired("name")
	addOutputFlag(cmd, &output)
	return cmd
}

func newResourceShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show RES-n",
		Short: "Show a resource and its history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var r supplier.Resource
			if err := c.do(cmd.Context(), "GET", resourcePath(args[0]), nil, &r); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, r)
			}
			hist, err := c.history(cmd.Context(), resourcePath(r.Ref))
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, dash(v)) }
			row("Reference", r.Ref)
			row("Kind", supplier.Label(supplier.ResourceKinds, r.Kind))
			row("Name", r.Name)
			row("Description", r.Description)
			provider := ""
			if r.Provider != nil {
				provider = r.Provider.Ref + " " + r.Provider.Name
			}
			row("Provided by", provider)
			var systems, members []string
			for _, s := range r.Systems {
				systems = append(systems, s.Ref)
			}
			for _, m := range r.Members {
				members = append(members, m.Email)
			}
			row("AI systems", strings.Join(systems, ", "))
			row("Competences", strings.Join(r.Competences, ", "))
			row("People", strings.Join(members, ", "))
			row("Status", r.Status)
			row("Version", strconv.Itoa(r.Version))
			if err := tw.Flush(); err != nil {
				return err
			}
			printHistory(e.stdout, hist)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newResourceUpdate(e env) *cobra.Command {
	var req supplier.ResourceRequest
	cmd := &cobra.Command{
		Use:     "update RES-n",
		Short:   "Change a resource; list flags replace the stored lists",
		Example: `  aims resource update RES-2 --competence statistics --competence "credit risk"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var r supplier.Resource
			if err := c.do(cmd.Context(), "GET", resourcePath(args[0]), nil, &r); err != nil {
				return err
			}
			fl := cmd.Flags()
			up := supplier.ResourceUpdate{Version: r.Version}
			str := func(flag string, dst **string, v string) {
				if fl.Changed(flag) {
					*dst = &v
				}
			}
			lst := func(flag string, dst **[]string, v []string) {
				if fl.Changed(flag) {
					if v == nil {
						v = []string{}
					}
					*dst = &v
				}
			}
			str("kind", &up.Kind, req.Kind)
			str("name", &up.Name, req.Name)
			str("description", &up.Description, req.Description)
			str("provider", &up.Provider, req.Provider)
			lst("competence", &up.Competences, req.Competences)
			lst("member", &up.Members, req.Members)
			lst("system", &up.Systems, req.Systems)
			var out supplier.Resource
			if err := c.do(cmd.Context(), "PATCH", resourcePath(r.Ref), up, &out); err != nil {
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
	resourceFlags(cmd, &req)
	return cmd
}
