package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/spf13/cobra"
)

// newSoA is the soa command group.
func newSoA(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "soa",
		Short: "Edit, approve, compare and export the Statement of Applicability (talks to a server)",
		Long: `The Statement of Applicability says, for every Annex A control and your own,
whether it applies and why, how far it is implemented, who owns it and by when;
per AI system where a system differs. Edit the draft with 'aims soa set', approve
it as a numbered version with 'aims soa approve', and export any version.
These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN).`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newSoAShow(e), newSoASet(e), newSoAScope(e), newSoARemoveOverride(e), newSoAApprove(e),
		newSoAVersions(e), newSoACompare(e), newSoAExport(e))
	return cmd
}

// controlCompletion completes a control id from the draft.
func controlCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var d soa.Draft
		if err := c.do(cmd.Context(), "GET", "/api/v1/soa", nil, &d); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		out := make([]string, 0, len(d.Entries))
		for _, en := range d.Entries {
			out = append(out, en.ControlID+"\t"+en.Title)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// systemCompletion completes an AI system's reference.
func systemCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var page aisystem.Page
		if err := c.do(cmd.Context(), "GET", "/api/v1/systems?limit=200&sort=ref", nil, &page); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, s := range page.Items {
			out = append(out, s.Ref+"\t"+s.Name)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// versionCompletion completes a version number; withDraft adds "draft".
func versionCompletion(e env, withDraft bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		var out []string
		if withDraft {
			out = append(out, "draft\tthe draft being edited")
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		var vs struct{ Items []soa.VersionSummary }
		if err := c.do(cmd.Context(), "GET", "/api/v1/soa/versions", nil, &vs); err != nil {
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		for _, v := range vs.Items {
			out = append(out, strconv.Itoa(v.Number)+"\tapproved "+v.ApprovedAt.Format("2006-01-02")+" by "+v.ApprovedByName)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func statusCompletion() []string {
	out := make([]string, len(soa.Statuses))
	for i, o := range soa.Statuses {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func newSoAShow(e env) *cobra.Command {
	var version int
	var system, output string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the draft, an approved version, or the Statement as it applies to one AI system",
		Example: `  aims soa show
  aims soa show --version 2
  aims soa show --system SYS-3
  aims soa show --version 1 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if version != 0 && system != "" {
				return fmt.Errorf("give --version or --system, not both")
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			switch {
			case system != "":
				var v soa.SystemView
				if err := c.do(ctx, "GET", "/api/v1/soa/systems/"+url.PathEscape(system), nil, &v); err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(e.stdout, v)
				}
				printSystemSoA(e.stdout, &v)
			case version != 0:
				var v soa.Version
				if err := c.do(ctx, "GET", "/api/v1/soa/versions/"+strconv.Itoa(version), nil, &v); err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(e.stdout, v)
				}
				printVersion(e.stdout, &v)
			default:
				var d soa.Draft
				if err := c.do(ctx, "GET", "/api/v1/soa", nil, &d); err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(e.stdout, d)
				}
				printDraft(e.stdout, &d)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&version, "version", 0, "show this approved version instead of the draft")
	cmd.Flags().StringVar(&system, "system", "", "show the Statement as it applies to this AI system")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("version", versionCompletion(e, false))
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	return cmd
}

// currentDecision finds the decision the set command changes: the
// organisation's, or the override for a system given by reference or id.
func currentDecision(d *soa.Draft, control, system string) (*soa.Entry, *soa.Decision) {
	for i := range d.Entries {
		en := &d.Entries[i]
		if !strings.EqualFold(en.ControlID, control) {
			continue
		}
		if system == "" {
			return en, en.Decision
		}
		for j := range en.Overrides {
			o := &en.Overrides[j]
			if strings.EqualFold(o.SystemRef, system) || strings.EqualFold(o.SystemID, system) {
				return en, &o.Decision
			}
		}
		return en, nil
	}
	return nil, nil
}

func newSoASet(e env) *cobra.Command {
	var applicable, justification, status, owner, target, system, output string
	cmd := &cobra.Command{
		Use:   "set CONTROL",
		Short: "Decide on a control, for the organisation or one AI system",
		Long: `Decide whether a control applies and why, how far it is implemented, who owns it
and by when. Every flag is set as given: leave one out to clear it. The command
reads the decision's current version itself.`,
		Example: `  aims soa set A.6.2.4 --applicable yes --justification "We build and test our models." \
    --status planned --owner ada@example.org --target 2026-09-30
  aims soa set A.10.4 --applicable no --justification "We have no customers of our AI."
  aims soa set A.7.4 --system SYS-3 --applicable no --justification "SYS-3 uses a bought model."`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: controlCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			req := soa.EntryRequest{Justification: justification, Status: status, TargetDate: target}
			switch strings.ToLower(applicable) {
			case "yes", "true", "y":
				req.Applicable = ptrTo(true)
			case "no", "false", "n":
				req.Applicable = ptrTo(false)
			case "":
			default:
				return fmt.Errorf("--applicable must be yes or no, not %q", applicable)
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if owner != "" {
				if req.OwnerID, err = memberID(cmd, c, owner); err != nil {
					return err
				}
			}
			var d soa.Draft
			if err := c.do(ctx, "GET", "/api/v1/soa", nil, &d); err != nil {
				return err
			}
			if _, cur := currentDecision(&d, args[0], system); cur != nil {
				req.Version = cur.Version
			}
			path := "/api/v1/soa/entries/" + url.PathEscape(args[0])
			if system != "" {
				path += "?system=" + url.QueryEscape(system)
			}
			var en soa.Entry
			if err := c.do(ctx, "PUT", path, req, &en); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, en)
			}
			dec := en.Decision
			what := en.ControlID
			if system != "" {
				_, dec = currentDecision(&soa.Draft{Entries: []soa.Entry{en}}, en.ControlID, system)
				what += " for " + strings.ToUpper(system)
			}
			if dec == nil {
				return fmt.Errorf("the server did not return the decision on %s", what)
			}
			fmt.Fprintf(e.stdout, "%s: applicable %s, %s (version %d)\n", what, applicableWord(dec), soaDash(dec.Status), dec.Version)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&applicable, "applicable", "", "yes or no (required)")
	f.StringVar(&justification, "justification", "", "why the control is included or excluded (required)")
	f.StringVar(&status, "status", "", "implementation status when it applies: not_started, planned, partially_implemented, implemented")
	f.StringVar(&owner, "owner", "", "email of the member responsible")
	f.StringVar(&target, "target", "", "target date, YYYY-MM-DD")
	f.StringVar(&system, "system", "", "decide for this AI system alone (reference such as SYS-3)")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("applicable", fixedCompletion("yes", "no"))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion(statusCompletion()...))
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	return cmd
}

func ptrTo[T any](v T) *T { return &v }

func newSoAScope(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scope [TEXT]",
		Short: "Show the draft's scope, or set it",
		Example: `  aims soa scope
  aims soa scope "All AI systems we develop or use in the EU."`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d soa.Draft
			if err := c.do(cmd.Context(), "GET", "/api/v1/soa", nil, &d); err != nil {
				return err
			}
			if len(args) == 0 {
				fmt.Fprintln(e.stdout, soaDash(d.Scope))
				return nil
			}
			if err := c.do(cmd.Context(), "PUT", "/api/v1/soa/scope", soa.ScopeRequest{Scope: args[0], Version: d.ScopeVersion}, &d); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "scope saved (version %d)\n", d.ScopeVersion)
			return nil
		},
	}
	return cmd
}

func newSoARemoveOverride(e env) *cobra.Command {
	var system string
	cmd := &cobra.Command{
		Use:               "remove-override CONTROL --system SYS-1",
		Short:             "Remove an AI system's own decision on a control, so the organisation's applies",
		Example:           `  aims soa remove-override A.7.4 --system SYS-3`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: controlCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if system == "" {
				return fmt.Errorf("--system is required: the organisation's own decision can only be changed, not removed")
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/soa/entries/" + url.PathEscape(args[0]) + "?system=" + url.QueryEscape(system)
			var en soa.Entry
			if err := c.do(cmd.Context(), "DELETE", path, nil, &en); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "removed the override of %s for %s\n", en.ControlID, strings.ToUpper(system))
			return nil
		},
	}
	cmd.Flags().StringVar(&system, "system", "", "the AI system whose override is removed (required)")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	return cmd
}

func newSoAApprove(e env) *cobra.Command {
	var note, output string
	cmd := &cobra.Command{
		Use:   "approve",
		Short: "Approve the draft as the next version (owners and managers)",
		Long: `Freeze the draft as the next numbered version, naming you as approver and the
audit checkpoint signed with the approval. Refused while the scope is empty or any
control has no decision with a justification.`,
		Example: `  aims soa approve --note "Reviewed by the AI governance board on 2 March"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var v soa.Version
			if err := c.do(cmd.Context(), "POST", "/api/v1/soa/approve", soa.ApproveRequest{Note: note}, &v); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, v)
			}
			fmt.Fprintf(e.stdout, "approved version %d; audit checkpoint %s at size %d\n", v.Number, v.Checkpoint.Origin, v.Checkpoint.Size)
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note recorded with the approval")
	addOutputFlag(cmd, &output)
	return cmd
}
