package cli

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/impact"
	"github.com/spf13/cobra"
)

// newImpactReview is the submit or return command.
func newImpactReview(e env, verb string) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   verb + " IA-1",
		Short: "Submit a draft for review (editors)",
		Example: `  aims impact submit IA-1
  aims impact submit IA-1 --note "Ready for the AI board"`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: assessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/impact/assessments/" + url.PathEscape(args[0])
			var a impact.Assessment
			if err := c.do(cmd.Context(), "GET", path, nil, &a); err != nil {
				return err
			}
			if err := c.do(cmd.Context(), "POST", path+"/"+verb, impact.ReviewRequest{Version: a.Version, Note: note}, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is now %s\n", a.Ref, strings.ToLower(impact.Label(impact.Statuses, a.Status)))
			return nil
		},
	}
	if verb == "return" {
		cmd.Short = "Send an assessment in review back to draft, saying why (owners and managers)"
		cmd.Example = `  aims impact return IA-1 --note "Name the deadline for complaints"`
	}
	if verb == "return" {
		cmd.Flags().StringVar(&note, "note", "", "what the editors must change (required)")
		_ = cmd.MarkFlagRequired("note")
	} else {
		cmd.Flags().StringVar(&note, "note", "", "a note for the reviewer")
	}
	return cmd
}

func newImpactApprove(e env) *cobra.Command {
	var req impact.ApproveRequest
	cmd := &cobra.Command{
		Use:   "approve IA-1",
		Short: "Approve an assessment in review as its next version (owners and managers)",
		Long: `Freeze the assessment as its next numbered version, naming you as approver, the
next review date (by default one year on) and the audit checkpoint signed with the
approval.`,
		Example: `  aims impact approve IA-1
  aims impact approve IA-1 --note "AI board, 2 March" --next-review 2026-09-30`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: assessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/impact/assessments/" + url.PathEscape(args[0])
			var a impact.Assessment
			if err := c.do(cmd.Context(), "GET", path, nil, &a); err != nil {
				return err
			}
			req.Version = a.Version
			var v impact.Version
			if err := c.do(cmd.Context(), "POST", path+"/approve", req, &v); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "approved %s version %d; next review %s; audit checkpoint %s at size %d\n",
				v.AssessmentRef, v.Number, v.NextReviewDate, v.Checkpoint.Origin, v.Checkpoint.Size)
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Note, "note", "", "a note recorded with the approval")
	cmd.Flags().StringVar(&req.NextReviewDate, "next-review", "", "the next review date, YYYY-MM-DD (default: one year on)")
	return cmd
}

func newImpactRisk(e env) *cobra.Command {
	var impactKey, link, title string
	cmd := &cobra.Command{
		Use:   "risk IA-1 --impact N [--link RISK-2]",
		Short: "Raise a risk in the register from an impact, or link it to an existing risk",
		Long: `Without --link, record a new risk, prefilled from the impact (its title from the
harm and who is affected, the AI system, the consequences), linked to the impact in
one step. With --link, link the impact to a risk already in the register.`,
		Example: `  aims impact risk IA-1 --impact 1
  aims impact risk IA-1 --impact 1 --title "Unfair rejection of applicants"
  aims impact risk IA-1 --impact 2 --link RISK-4`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: assessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/impact/assessments/" + url.PathEscape(args[0]) + "/impacts/" + url.PathEscape(strings.TrimPrefix(impactKey, "#"))
			var i impact.Impact
			if link != "" {
				err = c.do(cmd.Context(), "POST", path+"/links", impact.LinkRequest{Risk: link}, &i)
			} else {
				err = c.do(cmd.Context(), "POST", path+"/risk", impact.RiskCreateRequest{Title: title}, &i)
			}
			if err != nil {
				return err
			}
			if len(i.Risks) == 0 {
				return fmt.Errorf("the server did not return the impact's risks")
			}
			r := i.Risks[len(i.Risks)-1]
			if link != "" {
				for _, x := range i.Risks {
					if strings.EqualFold(x.Ref, link) || x.ID == link {
						r = x
					}
				}
				fmt.Fprintf(e.stdout, "linked impact #%d of %s to %s %s\n", i.Number, strings.ToUpper(args[0]), r.Ref, r.Title)
				return nil
			}
			fmt.Fprintf(e.stdout, "raised %s %s from impact #%d of %s\n", r.Ref, r.Title, i.Number, strings.ToUpper(args[0]))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&impactKey, "impact", "", "the impact's number (required)")
	f.StringVar(&link, "link", "", "link to this existing risk (reference such as RISK-2) instead of raising a new one")
	f.StringVar(&title, "title", "", "the new risk's title (default: the harm and who is affected)")
	_ = cmd.MarkFlagRequired("impact")
	_ = cmd.RegisterFlagCompletionFunc("impact", fromAssessment(e, "impact"))
	return cmd
}

func newImpactExport(e env) *cobra.Command {
	var version int
	var file string
	cmd := &cobra.Command{
		Use:   "export IA-1 [--version N] [-o FILE]",
		Short: "Export an assessment as PDF",
		Long: `Download an assessment as a PDF naming the organisation, the AI system, the template
and its version, the assessment's version, approver, approval time and audit
checkpoint, then the answers and the impacts with their risks. Without --version:
the latest approved version if the assessment is unchanged since, else the current
content marked DRAFT. Without -o the file keeps the name the server gives it, such
as IA-1-v2.pdf; -o - writes it to standard output.`,
		Example: `  aims impact export IA-1
  aims impact export IA-1 --version 1 -o fria-2026.pdf`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: assessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/impact/assessments/" + url.PathEscape(args[0]) + "/export"
			if version > 0 {
				path += "?version=" + strconv.Itoa(version)
			}
			name, data, err := c.download(cmd.Context(), path)
			if err != nil {
				return err
			}
			if file == "-" {
				_, err := e.stdout.Write(data)
				return err
			}
			if file == "" {
				file = name
			}
			if err := os.WriteFile(file, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", file, len(data))
			return nil
		},
	}
	cmd.Flags().IntVar(&version, "version", 0, "the approved version to export")
	cmd.Flags().StringVarP(&file, "output", "o", "", "file to write; - for standard output (default: the name the server gives)")
	return cmd
}

func newImpactTemplates(e env) *cobra.Command {
	var status, output string
	var version int
	cmd := &cobra.Command{
		Use:   "templates [KEY]",
		Short: "List the impact assessment templates, or show one's questions",
		Example: `  aims impact templates
  aims impact templates eu-fria
  aims impact templates IAT-1 --version 1`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return templateCompletion(e)(cmd, args, s)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				var t impact.Template
				path := "/api/v1/impact/templates/" + url.PathEscape(args[0]) + "?version=" + strconv.Itoa(version)
				if err := c.do(cmd.Context(), "GET", path, nil, &t); err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(e.stdout, t)
				}
				printTemplate(e.stdout, &t)
				return nil
			}
			var l struct {
				Items []impact.TemplateSummary `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/impact/templates?status="+url.QueryEscape(status), nil, &l); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, l)
			}
			printTemplates(e.stdout, l.Items)
			return nil
		},
	}
	cmd.Flags().StringVar(&status, "status", "active", "own templates that are active, archived or all")
	cmd.Flags().IntVar(&version, "version", 0, "with KEY, show this version (default: the latest)")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "archived", "all"))
	return cmd
}
