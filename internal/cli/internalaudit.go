package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/spf13/cobra"
)

// newInternalAudit is the internal-audit command.
func newInternalAudit(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "internal-audit",
		Short: "The internal audit programme, audits, their checklists, findings and reports",
		Long: `The internal audit programme (ISO/IEC 42001 9.2): a programme per three-year
certification cycle (programme), audits planned in it with scope, criteria, an
auditor who may not audit their own work and auditees (plan, update), the
checklist generated when the auditor starts the audit (start), a result per
item (record) and the report, which raises every minor or major nonconformity
as a nonconformity and freezes the audit (report). Audits are named IA-1,
IA-2 …; checklist items IA-1/C3; findings IA-1/F1; programmes IAP-1. These
commands talk to an aims server (--server or AIMS_SERVER) with an API token
(--token or AIMS_TOKEN). Each change reads the current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newAuditProgramme(e), newInternalAuditList(e), newInternalAuditShow(e), newInternalAuditPlan(e),
		newInternalAuditUpdate(e), newInternalAuditStart(e), newInternalAuditRecord(e), newInternalAuditReport(e))
	return cmd
}

// internalAuditPath is the API path of an audit.
func internalAuditPath(ref string) string {
	return "/api/v1/internal-audits/" + url.PathEscape(strings.TrimSpace(ref))
}

func newInternalAuditList(e env) *cobra.Command {
	var q internalaudit.AuditQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List internal audits",
		Example: `  aims internal-audit list
  aims internal-audit list --status in_progress
  aims internal-audit list --overdue -o json`,
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
			for k, x := range map[string]string{"programme": q.Programme, "status": q.Status} {
				if x != "" {
					v.Set(k, x)
				}
			}
			if q.Overdue {
				v.Set("overdue", "true")
			}
			v.Set("limit", strconv.Itoa(q.Limit))
			v.Set("offset", strconv.Itoa(q.Offset))
			var page internalaudit.AuditPage
			if err := c.do(cmd.Context(), "GET", "/api/v1/internal-audits?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tSTART\tEND\tAUDITOR\tSTATUS")
			for _, a := range page.Items {
				status := a.Status
				if a.Overdue {
					status += " (overdue)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Ref, a.Title, a.PlannedStart, a.PlannedEnd, a.Auditor.Name, status)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no internal audits match")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Programme, "programme", "", "only audits of this programme, such as IAP-1")
	f.StringVar(&q.Status, "status", "", "planned, in_progress or reported")
	f.BoolVar(&q.Overdue, "overdue", false, "only audits past their planned end without a report")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	f.StringVarP(&output, "output", "o", "table", "table or json")
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("planned", "in_progress", "reported"))
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletion("table", "json"))
	return cmd
}

func newInternalAuditShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "show IA-n",
		Short:   "Show an audit with its plan, checklist, report and findings",
		Example: "  aims internal-audit show IA-1\n  aims internal-audit show IA-1 -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a internalaudit.Audit
			if err := c.do(cmd.Context(), "GET", internalAuditPath(args[0]), nil, &a); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, a)
			}
			printInternalAudit(e, &a)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletion("table", "json"))
	return cmd
}

// printInternalAudit writes an audit for people.
func printInternalAudit(e env, a *internalaudit.Audit) {
	w := e.stdout
	fmt.Fprintf(w, "%s %s (%s, programme %s)\n", a.Ref, a.Title, internalaudit.Label(internalaudit.Statuses, a.Status), a.ProgrammeRef)
	fmt.Fprintf(w, "planned:   %s to %s\n", a.PlannedStart, a.PlannedEnd)
	fmt.Fprintf(w, "auditor:   %s\n", a.Auditor.Name)
	var names []string
	for _, p := range a.Auditees {
		names = append(names, p.Name)
	}
	fmt.Fprintf(w, "auditees:  %s\n", dash(strings.Join(names, ", ")))
	var sys []string
	for _, s := range a.Scope.Systems {
		sys = append(sys, s.Ref)
	}
	fmt.Fprintf(w, "scope:     clauses %s; controls %s; systems %s\n", dash(strings.Join(a.Scope.Clauses, ", ")),
		dash(strings.Join(a.Scope.Controls, ", ")), dash(strings.Join(sys, ", ")))
	fmt.Fprintf(w, "criteria:  %s\n", a.Criteria)
	if len(a.Items) > 0 {
		fmt.Fprintln(w, "\nchecklist:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, it := range a.Items {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", it.Ref, it.Requirement, it.Title, it.Result)
		}
		_ = tw.Flush()
	}
	if a.Status == internalaudit.StatusReported {
		fmt.Fprintf(w, "\nreport issued %s\nsummary:    %s\nconclusion: %s\n", a.ReportedOn, a.Summary, a.Conclusion)
		for _, f := range a.Findings {
			fmt.Fprintf(w, "  %s %s %s %s\n", f.Ref, f.Result, f.Requirement, dash(f.NonconformityRef))
		}
	}
}
