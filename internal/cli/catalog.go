package cli

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/config"
	"github.com/spf13/cobra"
)

func newCatalog(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Browse ISO/IEC 42001: clauses, Annex A controls and crosswalks (talks to a server)",
		Long: `Browse the standard as aims holds it: the sub-clauses of clauses 4–10, the Annex A
controls with your organisation's own controls, and the crosswalks to the NIST AI RMF,
the EU AI Act and ISO/IEC 27001. These commands talk to an aims server.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newCatalogList(e), newCatalogShow(e))
	return cmd
}

func categoryCompletion() []string {
	out := []string{"own\tyour own controls"}
	for _, c := range catalog.Categories() {
		out = append(out, c.ID+"\t"+c.Title)
	}
	return out
}

func newCatalogList(e env) *cobra.Command {
	var category, search, output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List clauses or controls",
		Example: `  aims catalog list                       # clauses and controls
  aims catalog list --controls --category A.7
  aims catalog list --search "impact assessment"
  aims catalog list --clauses -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			clauses, _ := cmd.Flags().GetBool("clauses")
			controls, _ := cmd.Flags().GetBool("controls")
			if !clauses && !controls {
				clauses, controls = category == "", true
			}
			var result struct {
				Clauses  []catalog.ClauseView `json:"clauses,omitempty"`
				Controls []catalog.Control    `json:"controls,omitempty"`
			}
			if clauses {
				var out struct{ Items []catalog.ClauseView }
				if err := c.do(cmd.Context(), "GET", "/api/v1/catalog/clauses?q="+url.QueryEscape(search), nil, &out); err != nil {
					return err
				}
				result.Clauses = out.Items
			}
			if controls {
				v := url.Values{"q": {search}}
				if category != "" {
					v.Set("category", category)
				}
				var out struct{ Items []catalog.Control }
				if err := c.do(cmd.Context(), "GET", "/api/v1/catalog/controls?"+v.Encode(), nil, &out); err != nil {
					return err
				}
				result.Controls = out.Items
			}
			if output == "json" {
				return writeJSON(e.stdout, result)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			if clauses {
				fmt.Fprintln(tw, "CLAUSE\tTITLE\tDOCUMENTED")
				for _, cl := range result.Clauses {
					di := ""
					if cl.DocumentedInformation {
						di = "yes"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\n", cl.ID, cl.Title, di)
				}
				if controls {
					fmt.Fprintln(tw)
				}
			}
			if controls {
				fmt.Fprintln(tw, "CONTROL\tCATEGORY\tTITLE")
				for _, ct := range result.Controls {
					title := ct.Title
					if ct.Custom {
						title += " (own)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\n", ct.ID, ct.CategoryID, title)
				}
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.Bool("clauses", false, "list the sub-clauses of clauses 4–10")
	f.Bool("controls", false, "list the Annex A and own controls")
	f.StringVar(&category, "category", "", "only controls of this Annex A category (A.2 … A.10), or own")
	f.StringVarP(&search, "search", "s", "", "words that must all appear in the id, title or texts")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("category", fixedCompletion(categoryCompletion()...))
	return cmd
}

func newCatalogShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a clause or control: what it asks, the records that show it, what an auditor samples",
		Example: `  aims catalog show 6.1.3
  aims catalog show A.6.2.8
  aims catalog show CTL-1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			id := strings.TrimSpace(args[0])
			if _, ok := catalog.ClauseByID(id); ok {
				var cl catalog.ClauseView
				if err := c.do(cmd.Context(), "GET", "/api/v1/catalog/clauses/"+url.PathEscape(id), nil, &cl); err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(e.stdout, cl)
				}
				fmt.Fprintf(e.stdout, "%s %s\n", cl.ID, cl.Title)
				if cl.DocumentedInformation {
					fmt.Fprintln(e.stdout, "Requires documented information.")
				}
				printGuidance(e.stdout, cl.Asks, cl.Evidence, cl.AuditorSamples)
				if len(cl.AnnexA) > 0 {
					fmt.Fprintf(e.stdout, "\nPoints to: %s\n", strings.Join(cl.AnnexA, ", "))
				}
				printServes(e.stdout, cl.Serves)
				return nil
			}
			var ct catalog.ControlView
			if err := c.do(cmd.Context(), "GET", "/api/v1/catalog/controls/"+url.PathEscape(id), nil, &ct); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, ct)
			}
			fmt.Fprintf(e.stdout, "%s %s\n", ct.ID, ct.Title)
			if ct.Category != nil {
				fmt.Fprintf(e.stdout, "%s %s\n", ct.Category.ID, ct.Category.Title)
			}
			if ct.Custom {
				fmt.Fprintf(e.stdout, "Your own control, %s, version %d\n", ct.Status, ct.Version)
			}
			printGuidance(e.stdout, ct.Asks, ct.Evidence, ct.AuditorSamples)
			if len(ct.PointedToBy) > 0 {
				fmt.Fprintf(e.stdout, "\nClauses that point to it: %s\n", strings.Join(ct.PointedToBy, ", "))
			}
			printServes(e.stdout, ct.Serves)
			if ct.ISO27001Note != "" {
				fmt.Fprintf(e.stdout, "  ISO/IEC 27001 note: %s\n", ct.ISO27001Note)
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, cl := range catalog.Clauses() {
				out = append(out, cl.ID+"\t"+cl.Title)
			}
			for _, ct := range catalog.BuiltinControls() {
				out = append(out, ct.ID+"\t"+ct.Title)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printGuidance(w io.Writer, asks, evidence, samples string) {
	fmt.Fprintf(w, "\nWhat it asks:\n  %s\n", asks)
	if evidence != "" {
		fmt.Fprintf(w, "\nRecords that show it:\n  %s\n", evidence)
	}
	if samples != "" {
		fmt.Fprintf(w, "\nWhat an auditor will sample:\n  %s\n", samples)
	}
}

func printServes(w io.Writer, refs []catalog.ItemRef) {
	if len(refs) == 0 {
		return
	}
	by := map[string][]string{}
	var order []string
	for _, r := range refs {
		if _, ok := by[r.Framework]; !ok {
			order = append(order, r.Framework)
		}
		by[r.Framework] = append(by[r.Framework], r.ID)
	}
	fmt.Fprintln(w, "\nServes:")
	for _, f := range order {
		fmt.Fprintf(w, "  %s: %s\n", frameworkName(f), strings.Join(by[f], ", "))
	}
}

func frameworkName(id string) string {
	if f, ok := catalog.FrameworkByID(id); ok {
		return f.Title
	}
	return id
}
