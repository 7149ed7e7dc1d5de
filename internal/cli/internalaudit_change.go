package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/internalaudit"
	"github.com/spf13/cobra"
)

// planFlags are the flags of an audit's plan.
type planFlags struct {
	req internalaudit.AuditRequest
}

func (p *planFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&p.req.Programme, "programme", "", "the programme, such as IAP-1")
	f.StringVar(&p.req.Title, "title", "", "title of the audit")
	f.StringVar(&p.req.Objectives, "objectives", "", "what the audit is to establish")
	f.StringVar(&p.req.Criteria, "criteria", "", "what it checks against: ISO/IEC 42001 and the organisation's own requirements")
	f.StringSliceVar(&p.req.Clauses, "clause", nil, "a clause in scope: 7.2, 9.2 or 8 (repeat or separate with commas)")
	f.StringSliceVar(&p.req.Controls, "control", nil, "a control in scope: A.6.2.4, A.6 or CTL-2")
	f.StringSliceVar(&p.req.Systems, "system", nil, "an AI system in scope, such as SYS-1")
	f.StringVar(&p.req.PlannedStart, "start", "", "planned start, YYYY-MM-DD")
	f.StringVar(&p.req.PlannedEnd, "end", "", "planned end, YYYY-MM-DD")
	f.StringVar(&p.req.AuditorID, "auditor", "", "user id of the lead auditor")
	f.StringSliceVar(&p.req.AuditeeIDs, "auditee", nil, "user id of a member audited")
}

func newInternalAuditPlan(e env) *cobra.Command {
	var p planFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Plan an internal audit",
		Long:  "Plans an audit in a programme. An auditor who would audit their own work (an auditee, the owner of an AI system or applicable control in scope, or the programme's manager when clause 9.2 is in scope) is refused.",
		Example: `  aims internal-audit plan --programme IAP-1 --title "Competence" --objectives "Check competence records" \
    --criteria "ISO/IEC 42001 and the AI policy" --clause 7.2,7.3 --control A.4 --system SYS-1 \
    --start 2026-03-10 --end 2026-03-12 --auditor USER-ID --auditee USER-ID`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a internalaudit.Audit
			if err := c.do(cmd.Context(), "POST", "/api/v1/internal-audits", p.req, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s planned: %s, %s to %s, audited by %s\n", a.Ref, a.Title, a.PlannedStart, a.PlannedEnd, a.Auditor.Name)
			return nil
		},
	}
	p.add(cmd)
	return cmd
}

func newInternalAuditUpdate(e env) *cobra.Command {
	var p planFlags
	cmd := &cobra.Command{
		Use:     "update IA-n",
		Short:   "Change an audit's plan",
		Long:    "Changes the flags given. Scope, auditor and auditees change only before the audit starts; the auditor's independence is checked again.",
		Example: "  aims internal-audit update IA-1 --end 2026-03-13\n  aims internal-audit update IA-1 --clause 7.2,7.3,7.4",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cur internalaudit.Audit
			if err := c.do(cmd.Context(), "GET", internalAuditPath(args[0]), nil, &cur); err != nil {
				return err
			}
			u := internalaudit.AuditUpdate{Version: cur.Version}
			fl := cmd.Flags()
			for name, dst := range map[string]**string{"title": &u.Title, "objectives": &u.Objectives, "criteria": &u.Criteria,
				"start": &u.PlannedStart, "end": &u.PlannedEnd, "auditor": &u.AuditorID} {
				if fl.Changed(name) {
					v, _ := fl.GetString(name)
					*dst = &v
				}
			}
			for name, dst := range map[string]**[]string{"clause": &u.Clauses, "control": &u.Controls, "system": &u.Systems, "auditee": &u.AuditeeIDs} {
				if fl.Changed(name) {
					v, _ := fl.GetStringSlice(name)
					*dst = &v
				}
			}
			var a internalaudit.Audit
			if err := c.do(cmd.Context(), "PATCH", internalAuditPath(cur.Ref), u, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is at version %d\n", a.Ref, a.Version)
			return nil
		},
	}
	p.add(cmd)
	_ = cmd.Flags().MarkHidden("programme")
	return cmd
}

func newInternalAuditStart(e env) *cobra.Command {
	return &cobra.Command{
		Use:     "start IA-n",
		Short:   "Start an audit as its auditor, generating the checklist",
		Example: "  aims internal-audit start IA-1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a internalaudit.Audit
			if err := c.do(cmd.Context(), "POST", internalAuditPath(args[0])+"/start", nil, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s started with %d checklist items\n", a.Ref, len(a.Items))
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			for _, it := range a.Items {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", it.Ref, it.Requirement, it.Title)
			}
			return tw.Flush()
		},
	}
}

func newInternalAuditRecord(e env) *cobra.Command {
	var result, notes string
	var evidence []string
	cmd := &cobra.Command{
		Use:   "record IA-n ITEM",
		Short: "Record the result of a checklist item as the audit's auditor",
		Example: `  aims internal-audit record IA-1 3 --result conforming --evidence EV-4
  aims internal-audit record IA-1 C5 --result major --notes "No competence records for the data scientists"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := itemNumber(args[1])
			if err != nil {
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
			if n > len(a.Items) {
				return fmt.Errorf("%s has no checklist item %d", a.Ref, n)
			}
			u := internalaudit.ItemUpdate{Version: a.Items[n-1].Version}
			fl := cmd.Flags()
			if fl.Changed("result") {
				u.Result = &result
			}
			if fl.Changed("notes") {
				u.Notes = &notes
			}
			if fl.Changed("evidence") {
				u.Evidence = &evidence
			}
			var it internalaudit.Item
			if err := c.do(cmd.Context(), "PATCH", fmt.Sprintf("%s/items/%d", internalAuditPath(a.Ref), n), u, &it); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s recorded: %s\n", it.Ref, internalaudit.Label(internalaudit.Results, it.Result))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&result, "result", "", "not_assessed, conforming, minor, major, observation or opportunity")
	f.StringVar(&notes, "notes", "", "what was examined and found; required for a finding")
	f.StringSliceVar(&evidence, "evidence", nil, "evidence examined, such as EV-3 (replaces the list)")
	_ = cmd.RegisterFlagCompletionFunc("result", fixedCompletion("not_assessed", "conforming", "minor", "major", "observation", "opportunity"))
	return cmd
}

// itemNumber reads a checklist item's number from 3, C3 or IA-1/C3.
func itemNumber(s string) (int, error) {
	s = strings.TrimPrefix(strings.ToUpper(s[strings.LastIndex(s, "/")+1:]), "C")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a checklist item: give its number, such as 3 or C3", s)
	}
	return n, nil
}

func newInternalAuditReport(e env) *cobra.Command {
	var req internalaudit.ReportRequest
	cmd := &cobra.Command{
		Use:   "report IA-n",
		Short: "Issue an audit's report as its auditor",
		Long:  "Issues the report once every checklist item is assessed: each minor or major nonconformity becomes a nonconformity, and the audit is frozen.",
		Example: `  aims internal-audit report IA-1 --summary "Competence and awareness audited in two teams" \
    --conclusion "Conforms except for one major nonconformity"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cur internalaudit.Audit
			if err := c.do(cmd.Context(), "GET", internalAuditPath(args[0]), nil, &cur); err != nil {
				return err
			}
			req.Version = cur.Version
			var a internalaudit.Audit
			if err := c.do(cmd.Context(), "POST", internalAuditPath(cur.Ref)+"/report", req, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "the report of %s is issued with %d findings\n", a.Ref, len(a.Findings))
			for _, f := range a.Findings {
				fmt.Fprintf(e.stdout, "  %s %s %s %s\n", f.Ref, f.Result, f.Requirement, dash(f.NonconformityRef))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Summary, "summary", "", "what was audited and found")
	cmd.Flags().StringVar(&req.Conclusion, "conclusion", "", "whether the AIMS conforms and is effective within the scope")
	return cmd
}
