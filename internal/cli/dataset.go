package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/spf13/cobra"
)

// newDataset is the group of data set commands.
func newDataset(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dataset",
		Short: "Register data sets and their versions, with provenance and quality profiles",
		Long: `Register your organisation's data sets (ISO/IEC 42001 A.7) and their versions:
where each version came from, how it was acquired, on what licence or legal
basis, which personal data it holds, how long it is kept, which versions it
was derived from and how it was prepared. Upload a version's file to store
its data-quality profile with the file's SHA-256.

A version is named by its data set's reference and its number: DS-3@2.
These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN). Each change reads the current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	version := &cobra.Command{Use: "version", Short: "Record and show data set versions"}
	version.AddCommand(newDatasetVersionAdd(e), newDatasetVersionShow(e))
	cmd.AddCommand(newDatasetList(e), newDatasetAdd(e), newDatasetShow(e), newDatasetUpdate(e),
		newDatasetStatus(e, "archive"), newDatasetStatus(e, "restore"), version, newDatasetProfile(e), newDatasetLineage(e))
	return cmd
}

// datasetChoices makes completions of an enumeration with its labels.
func datasetChoices(opts []dataset.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

// datasetCompletion offers the organisation's data sets, or with versions their version keys.
func datasetCompletion(e env, versions bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		c, err := newClient(cmd, e)
		if err != nil || len(args) > 0 && !versions {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var page dataset.Page
		if err := c.do(cmd.Context(), "GET", "/api/v1/datasets?status=all&limit=200", nil, &page); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, d := range page.Items {
			if !versions {
				out = append(out, d.Ref+"\t"+d.Name)
			}
			for n := d.LatestVersion; versions && n > 0; n-- {
				out = append(out, d.Ref+"@"+strconv.Itoa(n)+"\t"+d.Name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func newDatasetList(e env) *cobra.Command {
	var q dataset.ListQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List data sets",
		Example: `  aims dataset list
  aims dataset list --system SYS-1 --personal-data yes
  aims dataset list --search census --status all -o json`,
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
			for k, x := range map[string]string{"q": q.Q, "status": q.Status, "system": q.System, "personal_data": q.PersonalData, "sort": q.Sort} {
				if x != "" {
					v.Set(k, x)
				}
			}
			var page dataset.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/datasets?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tNAME\tLATEST\tPERSONAL DATA\tSYSTEMS\tSTATUS")
			for _, d := range page.Items {
				latest, pd := "-", "no"
				if d.LatestVersion > 0 {
					latest = d.Ref + "@" + strconv.Itoa(d.LatestVersion)
				}
				if d.PersonalData {
					pd = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Ref, d.Name, latest, pd, orDash(datasetSystems(d.Systems)), d.Status)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no data sets match")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, name or description")
	f.StringVar(&q.Status, "status", "active", "active, archived or all")
	f.StringVar(&q.System, "system", "", "only data sets used by this AI system, such as SYS-1")
	f.StringVar(&q.PersonalData, "personal-data", "", "yes: only those with a version holding personal data; no: only those without")
	f.StringVar(&q.Sort, "sort", "name", "name, ref or updated; prefix - to reverse")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "archived", "all"))
	_ = cmd.RegisterFlagCompletionFunc("personal-data", fixedCompletion("yes", "no"))
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("sort", fixedCompletion("name", "-name", "ref", "-ref", "updated", "-updated"))
	return cmd
}

// datasetSystems lists the references of AI systems.
func datasetSystems(ss []dataset.SystemRef) string {
	refs := make([]string, len(ss))
	for i, s := range ss {
		refs[i] = s.Ref
	}
	return strings.Join(refs, " ")
}

func newDatasetAdd(e env) *cobra.Command {
	var req dataset.CreateRequest
	var owner, output string
	cmd := &cobra.Command{
		Use:   "add --name NAME",
		Short: "Register a data set",
		Example: `  aims dataset add --name "Census income" --description "UCI Adult, 1994 census" \
    --system SYS-1 --owner ada@example.org`,
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
			var d dataset.Dataset
			if err := c.do(cmd.Context(), "POST", "/api/v1/datasets", req, &d); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, d)
			}
			fmt.Fprintf(e.stdout, "registered %s %s\n", d.Ref, d.Name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Name, "name", "", "name people know the data set by (required)")
	f.StringVar(&req.Description, "description", "", "what the data is about and what it is for")
	f.StringVar(&owner, "owner", "", "email of the accountable owner, a member of the organisation")
	f.StringArrayVar(&req.Systems, "system", nil, "an AI system that uses it, such as SYS-1 (repeatable)")
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	return cmd
}

func newDatasetUpdate(e env) *cobra.Command {
	var name, description, owner, output string
	var systems []string
	var noSystems bool
	cmd := &cobra.Command{
		Use:   "update DS",
		Short: "Change a data set's name, description, owner or AI systems",
		Example: `  aims dataset update DS-1 --description "UCI Adult, training split"
  aims dataset update DS-1 --system SYS-1 --system SYS-4
  aims dataset update DS-1 --no-systems --owner bob@example.org`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: datasetCompletion(e, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cur dataset.Dataset
			if err := c.do(cmd.Context(), "GET", "/api/v1/datasets/"+url.PathEscape(args[0]), nil, &cur); err != nil {
				return err
			}
			req := dataset.UpdateRequest{Version: cur.Version}
			fl := cmd.Flags()
			if fl.Changed("name") {
				req.Name = &name
			}
			if fl.Changed("description") {
				req.Description = &description
			}
			if fl.Changed("owner") {
				id := ""
				if owner != "" {
					if id, err = memberID(cmd, c, owner); err != nil {
						return err
					}
				}
				req.OwnerID = &id
			}
			if fl.Changed("system") || noSystems {
				list := append([]string{}, systems...)
				req.Systems = &list
			}
			var d dataset.Dataset
			if err := c.do(cmd.Context(), "PATCH", "/api/v1/datasets/"+url.PathEscape(cur.ID), req, &d); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, d)
			}
			if d.Version == cur.Version {
				fmt.Fprintf(e.stdout, "%s unchanged\n", d.Ref)
			} else {
				fmt.Fprintf(e.stdout, "updated %s %s\n", d.Ref, d.Name)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "new name")
	f.StringVar(&description, "description", "", "new description")
	f.StringVar(&owner, "owner", "", "email of the new owner; empty for none")
	f.StringArrayVar(&systems, "system", nil, "an AI system that uses it (repeatable; replaces the current ones)")
	f.BoolVar(&noSystems, "no-systems", false, "no AI system uses it any more")
	addOutputFlag(cmd, &output)
	cmd.MarkFlagsMutuallyExclusive("system", "no-systems")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	return cmd
}

// newDatasetStatus is archive or restore.
func newDatasetStatus(e env, action string) *cobra.Command {
	short := map[string]string{"archive": "Archive a data set; its versions, profiles and history stay",
		"restore": "Restore an archived data set"}[action]
	return &cobra.Command{
		Use: action + " DS", Short: short, Args: cobra.ExactArgs(1), ValidArgsFunction: datasetCompletion(e, false),
		Example: "  aims dataset " + action + " DS-2",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d dataset.Dataset
			if err := c.do(cmd.Context(), "POST", "/api/v1/datasets/"+url.PathEscape(args[0])+"/"+action, nil, &d); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %s is %s\n", d.Ref, d.Name, d.Status)
			return nil
		},
	}
}

func newDatasetShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "show DS",
		Short:             "Show a data set with its versions and history",
		Example:           "  aims dataset show DS-1\n  aims dataset show DS-1 -o json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: datasetCompletion(e, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d dataset.Dataset
			if err := c.do(cmd.Context(), "GET", "/api/v1/datasets/"+url.PathEscape(args[0]), nil, &d); err != nil {
				return err
			}
			path := "/api/v1/datasets/" + url.PathEscape(d.Ref)
			var vs struct {
				Items []dataset.Version `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", path+"/versions", nil, &vs); err != nil {
				return err
			}
			hist, err := c.history(cmd.Context(), path)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, struct {
					dataset.Dataset
					Versions []dataset.Version  `json:"versions"`
					History  []api.HistoryEntry `json:"history"`
				}{d, vs.Items, hist})
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, strings.ReplaceAll(orDash(v), "\n", "\n\t")) }
			row("Reference", d.Ref)
			row("Name", d.Name)
			row("Status", d.Status)
			row("Description", d.Description)
			row("Owner", d.OwnerName)
			row("AI systems", datasetSystems(d.Systems))
			row("Version", strconv.Itoa(d.Version))
			row("Updated", d.UpdatedAt.Format(time.RFC3339))
			tw.Flush()
			fmt.Fprintf(e.stdout, "\nVersions (newest first):\n")
			for _, v := range vs.Items {
				prof := "not profiled"
				if v.Profile != nil {
					prof = fmt.Sprintf("%d rows, %d duplicates, %d with missing values", v.Profile.Rows, v.Profile.DuplicateRows, v.Profile.RowsWithMissing)
				}
				fmt.Fprintf(e.stdout, "  %s  %s  %s  personal data: %s  %s\n", v.Key, orDash(v.Label), v.Acquisition, yesNo(v.ContainsPersonalData), prof)
			}
			printHistory(e.stdout, hist)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// printHistory writes change history, newest first.
func printHistory(w io.Writer, hist []api.HistoryEntry) {
	fmt.Fprintf(w, "\nHistory (newest first):\n")
	for _, h := range hist {
		fmt.Fprintf(w, "  #%d %s %s %s by %s\n", h.Index, h.Time, h.Action, h.Object.Ref, h.Actor.Label)
		for _, c := range h.Changes {
			fmt.Fprintf(w, "      %s: %s → %s\n", c.Field, shown(c.Before), shown(c.After))
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
