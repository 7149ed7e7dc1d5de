package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/spf13/cobra"
)

// newSupplier is the group of third-party commands.
func newSupplier(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "supplier",
		Short: "Suppliers and customers, what they provide, their assessments and responsibilities",
		Long: `The organisation's third parties (ISO/IEC 42001 A.10): suppliers of models, data,
services, tooling and computing, and customers who receive its AI systems; what
each supplies or receives (supply), their assessments with the date of the next
one (assess, due). Third parties are named TP-1, TP-2 …; a supply TP-1/S2 and an
assessment TP-1/A1. These commands talk to an aims server (--server or
AIMS_SERVER) with an API token (--token or AIMS_TOKEN). Each change reads the
current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newPartyList(e), newPartyAdd(e), newPartyShow(e), newPartyUpdate(e), newPartyStatus(e, "archive"),
		newPartyStatus(e, "restore"), newSupply(e), newPartyAssess(e), newSupplierDue(e))
	return cmd
}

// partyPath is the API path of a third party.
func partyPath(ref string) string {
	return "/api/v1/suppliers/" + url.PathEscape(strings.TrimSpace(ref))
}

func optionsOf(opts []supplier.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func newPartyList(e env) *cobra.Command {
	var q supplier.PartyQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List suppliers and customers",
		Example: `  aims supplier list
  aims supplier list --kind supplier --due
  aims supplier list --system SYS-1 --status all -o json`,
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
			for k, x := range map[string]string{"q": q.Q, "kind": q.Kind, "status": q.Status, "system": q.System} {
				if x != "" {
					v.Set(k, x)
				}
			}
			if q.Due {
				v.Set("due", "true")
			}
			v.Set("limit", strconv.Itoa(q.Limit))
			v.Set("offset", strconv.Itoa(q.Offset))
			var page supplier.PartyPage
			if err := c.do(cmd.Context(), "GET", "/api/v1/suppliers?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tNAME\tKIND\tSUPPLIES\tLAST ASSESSED\tNEXT\tSTATUS")
			for _, p := range page.Items {
				next := dash(p.NextAssessmentOn)
				if p.AssessmentDue {
					next += " (due)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", p.Ref, p.Name, p.Kind, p.SupplyCount, dash(p.LastAssessedOn), next, p.Status)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no third parties match")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, name, description, contact or country")
	f.StringVar(&q.Kind, "kind", "", "supplier, customer or both")
	f.StringVar(&q.Status, "status", "active", "active, archived or all")
	f.StringVar(&q.System, "system", "", "only parties with a supply for this AI system")
	f.BoolVar(&q.Due, "due", false, "only suppliers whose assessment is due")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(optionsOf(supplier.Kinds)...))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "archived", "all"))
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// partyFlags are the flags of a third party's own fields.
func partyFlags(cmd *cobra.Command, req *supplier.PartyRequest) {
	f := cmd.Flags()
	f.StringVar(&req.Name, "name", "", "the organisation's name, unique among your third parties")
	f.StringVar(&req.Kind, "kind", "", "supplier, customer or both")
	f.StringVar(&req.Description, "description", "", "what the relationship is")
	f.StringVar(&req.Contact.Name, "contact", "", "a person or function to reach")
	f.StringVar(&req.Contact.Email, "email", "", "the contact's email")
	f.StringVar(&req.Contact.Web, "web", "", "web site, https://…")
	f.StringVar(&req.Country, "country", "", "two-letter ISO 3166-1 code, such as DE")
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(optionsOf(supplier.Kinds)...))
}

func newPartyAdd(e env) *cobra.Command {
	var req supplier.PartyRequest
	var output string
	cmd := &cobra.Command{
		Use:     "add",
		Short:   "Record a supplier or customer",
		Example: `  aims supplier add --name DataCo --kind supplier --email sales@dataco.example --web https://dataco.example --country DE`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var p supplier.Party
			if err := c.do(cmd.Context(), "POST", "/api/v1/suppliers", req, &p); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, p)
			}
			fmt.Fprintf(e.stdout, "recorded %s %s (%s)\n", p.Ref, p.Name, p.Kind)
			return nil
		},
	}
	partyFlags(cmd, &req)
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("kind")
	addOutputFlag(cmd, &output)
	return cmd
}

func newPartyShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "show TP-n",
		Short:   "Show a supplier or customer with its supplies, assessments and history",
		Example: `  aims supplier show TP-1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var p supplier.Party
			if err := c.do(ctx, "GET", partyPath(args[0]), nil, &p); err != nil {
				return err
			}
			var supplies struct{ Items []supplier.Supply }
			if err := c.do(ctx, "GET", partyPath(p.Ref)+"/supplies", nil, &supplies); err != nil {
				return err
			}
			var assessments struct{ Items []supplier.Assessment }
			if err := c.do(ctx, "GET", partyPath(p.Ref)+"/assessments", nil, &assessments); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, map[string]any{"party": p, "supplies": supplies.Items, "assessments": assessments.Items})
			}
			hist, err := c.history(ctx, partyPath(p.Ref))
			if err != nil {
				return err
			}
			printParty(e.stdout, &p, supplies.Items, assessments.Items)
			printHistory(e.stdout, hist)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printParty(w io.Writer, p *supplier.Party, supplies []supplier.Supply, assessments []supplier.Assessment) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, dash(v)) }
	row("Reference", p.Ref)
	row("Name", p.Name)
	row("Kind", supplier.Label(supplier.Kinds, p.Kind))
	row("Description", p.Description)
	row("Contact", strings.TrimSpace(strings.Join([]string{p.Contact.Name, p.Contact.Email, p.Contact.Web}, " ")))
	row("Country", p.Country)
	row("Status", p.Status)
	row("Last assessed", strings.TrimSpace(p.LastAssessedOn+" "+p.LastResult))
	next := p.NextAssessmentOn
	if p.AssessmentDue {
		next = strings.TrimSpace(next + " (due now)")
	}
	row("Next assessment", next)
	row("Version", strconv.Itoa(p.Version))
	_ = tw.Flush()
	fmt.Fprintf(w, "\nSupplies:\n")
	if len(supplies) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, s := range supplies {
		var parts []string
		for _, l := range []*supplier.Link{s.System, s.Model, s.Dataset} {
			if l != nil {
				parts = append(parts, l.Ref)
			}
		}
		fmt.Fprintf(w, "  %s %s %s %s %s\n", s.Ref, s.Role, s.Kind, strings.Join(parts, " "), s.Description)
	}
	if p.Supplies() {
		fmt.Fprintf(w, "\nAssessments:\n")
		if len(assessments) == 0 {
			fmt.Fprintln(w, "  none")
		}
		for _, a := range assessments {
			fmt.Fprintf(w, "  %s %s %s by %s, next %s\n", a.Ref, a.AssessedOn, a.Result, a.AssessorName, a.NextAssessmentOn)
			if a.Findings != "" {
				fmt.Fprintf(w, "      %s\n", a.Findings)
			}
		}
	}
}

func newPartyUpdate(e env) *cobra.Command {
	var req supplier.PartyRequest
	cmd := &cobra.Command{
		Use:     "update TP-n",
		Short:   "Change a supplier or customer",
		Example: `  aims supplier update TP-1 --kind both --country AT`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var p supplier.Party
			if err := c.do(ctx, "GET", partyPath(args[0]), nil, &p); err != nil {
				return err
			}
			fl := cmd.Flags()
			up := supplier.PartyUpdate{Version: p.Version}
			set := func(flag string, dst **string, v string) {
				if fl.Changed(flag) {
					*dst = &v
				}
			}
			set("name", &up.Name, req.Name)
			set("kind", &up.Kind, req.Kind)
			set("description", &up.Description, req.Description)
			set("country", &up.Country, req.Country)
			if fl.Changed("contact") || fl.Changed("email") || fl.Changed("web") {
				ct := p.Contact
				if fl.Changed("contact") {
					ct.Name = req.Contact.Name
				}
				if fl.Changed("email") {
					ct.Email = req.Contact.Email
				}
				if fl.Changed("web") {
					ct.Web = req.Contact.Web
				}
				up.Contact = &ct
			}
			var out supplier.Party
			if err := c.do(ctx, "PATCH", partyPath(p.Ref), up, &out); err != nil {
				return err
			}
			if out.Version == p.Version {
				fmt.Fprintf(e.stdout, "nothing changed: %s stays at version %d\n", out.Ref, out.Version)
			} else {
				fmt.Fprintf(e.stdout, "%s updated (version %d)\n", out.Ref, out.Version)
			}
			return nil
		},
	}
	partyFlags(cmd, &req)
	return cmd
}

func newPartyStatus(e env, action string) *cobra.Command {
	short := map[string]string{"archive": "Archive a supplier or customer; its supplies, assessments and history stay",
		"restore": "Restore an archived supplier or customer"}[action]
	return &cobra.Command{
		Use:   action + " TP-n",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var p supplier.Party
			if err := c.do(cmd.Context(), "POST", partyPath(args[0])+"/"+action, nil, &p); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is %s\n", p.Ref, p.Status)
			return nil
		},
	}
}

func newPartyAssess(e env) *cobra.Command {
	var req supplier.AssessRequest
	cmd := &cobra.Command{
		Use:   "assess TP-n",
		Short: "Record an assessment of a supplier (owners and managers)",
		Example: `  aims supplier assess TP-1 --result satisfactory --next 2027-11-30
  aims supplier assess TP-1 --result satisfactory_with_conditions --findings "Provide a data sheet per delivery" --on 2026-03-01`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a supplier.Assessment
			if err := c.do(cmd.Context(), "POST", partyPath(args[0])+"/assessments", req, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "recorded %s: %s on %s; next assessment due %s\n", a.Ref, a.Result, a.AssessedOn, a.NextAssessmentOn)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Result, "result", "", "satisfactory, satisfactory_with_conditions or unsatisfactory")
	f.StringVar(&req.Findings, "findings", "", "findings and conditions; required unless satisfactory")
	f.StringVar(&req.AssessedOn, "on", "", "the day of the assessment, YYYY-MM-DD (default today)")
	f.StringVar(&req.NextAssessmentOn, "next", "", "when to assess again, YYYY-MM-DD (default a year later)")
	f.StringVar(&req.Assessor, "assessor", "", "email of the member who assessed (default you)")
	_ = cmd.MarkFlagRequired("result")
	_ = cmd.RegisterFlagCompletionFunc("result", fixedCompletion(optionsOf(supplier.Results)...))
	return cmd
}

func newSupplierDue(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "due",
		Short: "List the suppliers due for assessment",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var due struct{ Items []supplier.DueSupplier }
			if err := c.do(cmd.Context(), "GET", "/api/v1/supplier-due", nil, &due); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, due.Items)
			}
			if len(due.Items) == 0 {
				fmt.Fprintln(e.stdout, "no supplier is due for assessment")
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tNAME\tREASON\tDUE SINCE\tDAYS OVERDUE")
			for _, it := range due.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", it.Party.Ref, it.Party.Name, it.Reason, dash(it.Party.NextAssessmentOn), it.DaysOverdue)
			}
			return tw.Flush()
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}
