package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/orgcontext"
	"github.com/spf13/cobra"
)

// newContext is the context command.
func newContext(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "context",
		Short: "The organisation's context: issues, interested parties, AIMS scope, climate change",
		Long: `The context of the organisation (ISO/IEC 42001 4.1 to 4.3): internal and external
issues with their effect on the AIMS's intended results, interested parties and
their requirements, the AIMS scope and the decision on climate change. It is kept
as a draft (edit) and approved versions (approve) that never change; the latest
is the one in force. These commands talk to an aims server (--server or
AIMS_SERVER) with an API token (--token or AIMS_TOKEN).`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newContextShow(e), newContextEdit(e), newContextApprove(e), newContextVersions(e), newContextCompare(e))
	return cmd
}

func newContextShow(e env) *cobra.Command {
	var output string
	var number int
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the draft context, or an approved version",
		Example: `  aims context show
  aims context show --version 2 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			if number > 0 {
				var v orgcontext.Version
				if err := c.do(cmd.Context(), "GET", "/api/v1/context/versions/"+strconv.Itoa(number), nil, &v); err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(e.stdout, v)
				}
				fmt.Fprintf(e.stdout, "%s approved by %s on %s; next review %s\n", v.Ref, v.ApprovedBy, v.ApprovedAt.Format(orgcontext.DateLayout), v.NextReviewOn)
				printContext(e.stdout, &v.Content)
				return nil
			}
			var d orgcontext.Draft
			if err := c.do(cmd.Context(), "GET", "/api/v1/context", nil, &d); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, d)
			}
			fmt.Fprintf(e.stdout, "Draft version %d; in force: %s\n", d.Version, inForce(d.InForce))
			if len(d.Missing) > 0 {
				fmt.Fprintf(e.stdout, "Approval needs: %s\n", strings.Join(d.Missing, "; "))
			}
			printContext(e.stdout, &d.Content)
			return nil
		},
	}
	cmd.Flags().IntVar(&number, "version", 0, "an approved version's number instead of the draft")
	addOutputFlag(cmd, &output)
	return cmd
}

func inForce(n int) string {
	if n == 0 {
		return "none approved"
	}
	return "version " + strconv.Itoa(n)
}

// printContext writes the content for people.
func printContext(w io.Writer, c *orgcontext.Content) {
	for _, part := range []struct {
		title  string
		issues []orgcontext.Issue
	}{{"Internal issues", c.InternalIssues}, {"External issues", c.ExternalIssues}} {
		fmt.Fprintf(w, "\n%s:\n", part.title)
		for _, it := range part.issues {
			fmt.Fprintf(w, "  - %s\n    effect: %s\n", it.Issue, it.Effect)
		}
	}
	fmt.Fprintln(w, "\nInterested parties:")
	for _, p := range c.Parties {
		fmt.Fprintf(w, "  - %s: %s", p.Name, p.Needs)
		if p.ClimateRelated {
			fmt.Fprint(w, " (climate-related)")
		}
		fmt.Fprintln(w)
	}
	refs := make([]string, len(c.Scope.Systems))
	for i, s := range c.Scope.Systems {
		refs[i] = s.Ref
	}
	fmt.Fprintf(w, "\nScope: %s\n  AI systems: %s\n  Sites: %s\n  Activities: %s\n", c.Scope.Statement,
		dash(strings.Join(refs, ", ")), dash(strings.Join(c.Scope.Sites, "; ")), dash(strings.Join(c.Scope.Activities, "; ")))
	for _, x := range c.Scope.Exclusions {
		fmt.Fprintf(w, "  Excluded: %s (%s)\n", x.What, x.Justification)
	}
	fmt.Fprintf(w, "\nClimate change: %s", c.Climate.Decision)
	if c.Climate.Justification != "" {
		fmt.Fprintf(w, " — %s", c.Climate.Justification)
	}
	fmt.Fprintln(w)
}

func newContextEdit(e env) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "edit --file context.json",
		Short: "Replace the draft with the content of a JSON file",
		Long: `Replaces the whole draft with a JSON document shaped like the "content" of
'aims context show --version N -o json' (or the draft's own fields): internal_issues,
external_issues, interested_parties, scope and climate. Use - to read standard input.
The draft's current version is read first.`,
		Example: `  aims context show -o json > context.json   # edit the file, then
  aims context edit --file context.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var raw []byte
			var err error
			if file == "-" {
				raw, err = io.ReadAll(e.stdin)
			} else {
				raw, err = os.ReadFile(file)
			}
			if err != nil {
				return err
			}
			var content orgcontext.Content
			if err := json.Unmarshal(raw, &content); err != nil {
				return fmt.Errorf("%s is not a context document: %w", file, err)
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d orgcontext.Draft
			if err := c.do(cmd.Context(), "GET", "/api/v1/context", nil, &d); err != nil {
				return err
			}
			if err := c.do(cmd.Context(), "PUT", "/api/v1/context", orgcontext.DraftRequest{Version: d.Version, Content: content}, &d); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "draft saved (version %d)\n", d.Version)
			if len(d.Missing) > 0 {
				fmt.Fprintf(e.stdout, "approval still needs: %s\n", strings.Join(d.Missing, "; "))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "JSON file with the content, or - for standard input")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func newContextApprove(e env) *cobra.Command {
	var req orgcontext.ApproveRequest
	cmd := &cobra.Command{
		Use:     "approve",
		Short:   "Approve the draft as the next version, in force from now",
		Example: `  aims context approve --review-months 12 --note "Annual review"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d orgcontext.Draft
			if err := c.do(cmd.Context(), "GET", "/api/v1/context", nil, &d); err != nil {
				return err
			}
			req.Version = d.Version
			var v orgcontext.Version
			if err := c.do(cmd.Context(), "POST", "/api/v1/context/approve", req, &v); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "approved %s; next review on %s\n", v.Ref, v.NextReviewOn)
			return nil
		},
	}
	cmd.Flags().IntVar(&req.ReviewMonths, "review-months", orgcontext.ReviewMonths, "months until the next review (1–36)")
	cmd.Flags().StringVar(&req.Note, "note", "", "what this version changes or why it is approved")
	return cmd
}

func newContextVersions(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "versions",
		Short:   "List the approved versions, newest first",
		Example: `  aims context versions -o json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct{ Items []orgcontext.VersionInfo }
			if err := c.do(cmd.Context(), "GET", "/api/v1/context/versions", nil, &out); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, out)
			}
			for _, v := range out.Items {
				mark := ""
				if v.InForce {
					mark = " (in force)"
				}
				fmt.Fprintf(e.stdout, "%s\t%s\t%s\tnext review %s%s\n", v.Ref, v.ApprovedAt.Format(orgcontext.DateLayout), v.ApprovedBy, v.NextReviewOn, mark)
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newContextCompare(e env) *cobra.Command {
	var from, to int
	var output string
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Say what changed between two versions (0: the draft)",
		Example: `  aims context compare --from 1 --to 2
  aims context compare --from 2          # the version in force against the draft`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cmp orgcontext.Comparison
			if err := c.do(cmd.Context(), "GET", fmt.Sprintf("/api/v1/context/compare?from=%d&to=%d", from, to), nil, &cmp); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, cmp)
			}
			if len(cmp.Differences) == 0 {
				fmt.Fprintln(e.stdout, "no differences")
			}
			for _, d := range cmp.Differences {
				fmt.Fprintln(e.stdout, d.Text)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&from, "from", 0, "the earlier version (0: nothing)")
	cmd.Flags().IntVar(&to, "to", 0, "the later version (0: the draft)")
	addOutputFlag(cmd, &output)
	return cmd
}
