package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/incident"
	"github.com/spf13/cobra"
)

// newIncident is the incident command.
func newIncident(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "incident",
		Short: "Incidents concerning AI systems, their containment and notification deadlines",
		Long: `Incidents concerning AI systems (ISO/IEC 42001 A.8.4, 10.2): what happened, when
the organisation became aware, the harm, the systems and model versions involved,
and whom it must notify by when. A serious incident under the EU AI Act gets its
Article 73 deadline at once: 10 days after awareness for a death, 2 days for a
widespread infringement or a serious and irreversible disruption of critical
infrastructure, 15 days otherwise. Incidents are named INC-1, INC-2 …; their
notification duties INC-1/N1 …. These commands talk to an aims server (--server
or AIMS_SERVER) with an API token (--token or AIMS_TOKEN).`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newIncidentList(e), newIncidentShow(e), newIncidentAdd(e), newIncidentNotify(e), newIncidentNotified(e),
		newIncidentStatus(e), newIncidentRaise(e))
	return cmd
}

func incidentPath(ref string) string {
	return "/api/v1/incidents/" + url.PathEscape(strings.TrimSpace(ref))
}

func incidentOptions(opts []incident.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func newIncidentList(e env) *cobra.Command {
	var q incident.Query
	var output string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List incidents with their nearest notification deadline",
		Example: "  aims incident list\n  aims incident list --status unclosed --serious -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{"limit": {strconv.Itoa(q.Limit)}}
			if q.Status != "" {
				v.Set("status", q.Status)
			}
			if q.Serious {
				v.Set("serious", "true")
			}
			var page incident.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/incidents?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tSEVERITY\tSERIOUS\tSTATUS\tNEXT DEADLINE")
			for _, in := range page.Items {
				next := "-"
				for _, n := range in.Notifications {
					if n.NotifiedAt == nil {
						next = n.Ref + " " + n.Countdown
						break
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", in.Ref, in.Title, in.Severity, dash(in.SeriousCategory), in.Status, next)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&q.Status, "status", "", "open, contained, resolved, closed or unclosed")
	cmd.Flags().BoolVar(&q.Serious, "serious", false, "only serious incidents under the EU AI Act")
	cmd.Flags().IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion(append(incidentOptions(incident.Statuses), "unclosed")...))
	return cmd
}

// printIncident writes an incident and its duties for people.
func printIncident(e env, in *incident.Incident) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\n", in.Ref, in.Title)
	fmt.Fprintf(tw, "status\t%s\nseverity\t%s\noccurred\t%s\naware\t%s\n", in.Status, in.Severity,
		in.OccurredAt.Format(time.RFC3339), in.AwareAt.Format(time.RFC3339))
	if in.Serious {
		fmt.Fprintf(tw, "serious\t%s, Art. 73 report due %s\n", incident.CategoryLabel(in.SeriousCategory), in.Art73Due.Format(time.RFC3339))
	}
	if in.NCRef != "" {
		fmt.Fprintf(tw, "nonconformity\t%s\n", in.NCRef)
	}
	for _, n := range in.Notifications {
		state := n.Countdown
		if n.NotifiedAt != nil {
			state = "notified " + n.NotifiedAt.Format(time.RFC3339) + " " + n.Method + " " + n.Reference
		}
		fmt.Fprintf(tw, "%s\t%s due %s: %s\n", n.Ref, n.Recipient, n.DueAt.Format(time.RFC3339), state)
	}
	return tw.Flush()
}

// incidentResult prints an incident as JSON or for people.
func incidentResult(e env, output string, in *incident.Incident) error {
	if output == "json" {
		return writeJSON(e.stdout, in)
	}
	return printIncident(e, in)
}

func newIncidentShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use: "show INC-n", Short: "Show an incident with its notification duties and countdowns",
		Example: "  aims incident show INC-1\n  aims incident show INC-1 -o json", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var in incident.Incident
			if err := c.do(cmd.Context(), "GET", incidentPath(args[0]), nil, &in); err != nil {
				return err
			}
			return incidentResult(e, output, &in)
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newIncidentAdd(e env) *cobra.Command {
	var req incident.Request
	var occurred, aware, output string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Record an incident",
		Example: `  aims incident add --title "Patient sent home" --occurred 2026-03-01T07:00:00Z --aware 2026-03-02T09:00:00Z \
    --severity critical --harm health_safety --system SYS-1 --model-version MDL-1@2.0 --serious death`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			var err error
			if req.OccurredAt, err = time.Parse(time.RFC3339, occurred); err != nil {
				return fmt.Errorf("--occurred must be a time such as 2026-03-01T07:00:00Z")
			}
			if aware != "" {
				if req.AwareAt, err = time.Parse(time.RFC3339, aware); err != nil {
					return fmt.Errorf("--aware must be a time such as 2026-03-02T09:00:00Z")
				}
			}
			req.Serious = req.SeriousCategory != ""
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var in incident.Incident
			if err := c.do(cmd.Context(), "POST", "/api/v1/incidents", req, &in); err != nil {
				return err
			}
			return incidentResult(e, output, &in)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Title, "title", "", "what happened, in a few words")
	f.StringVar(&req.Description, "description", "", "what happened")
	f.StringVar(&occurred, "occurred", "", "when it happened (RFC 3339)")
	f.StringVar(&aware, "aware", "", "when the organisation became aware (RFC 3339); now when left out")
	f.StringVar(&req.ReportedBy, "reported-by", "", "who reported it")
	f.StringVar(&req.Severity, "severity", "", "low, medium, high or critical")
	f.StringSliceVar(&req.Harms, "harm", nil, "kind of harm; repeat for more")
	f.IntVar(&req.AffectedCount, "affected", 0, "how many people were affected")
	f.StringVar(&req.AffectedWho, "affected-who", "", "who was affected")
	f.StringSliceVar(&req.Systems, "system", nil, "AI system involved (SYS-1); repeat for more")
	f.StringSliceVar(&req.ModelVersions, "model-version", nil, "model version involved (MDL-1@1.4.0); repeat for more")
	f.StringVar(&req.Containment, "containment", "", "containment actions taken")
	f.StringVar(&req.SeriousCategory, "serious", "", "the serious incident's category under the EU AI Act, when it is one")
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("title")
	_ = cmd.MarkFlagRequired("occurred")
	_ = cmd.MarkFlagRequired("severity")
	_ = cmd.RegisterFlagCompletionFunc("severity", fixedCompletion(incidentOptions(incident.Severities)...))
	_ = cmd.RegisterFlagCompletionFunc("harm", fixedCompletion(incidentOptions(incident.Harms)...))
	cats := make([]string, len(incident.SeriousCategories))
	for i, c := range incident.SeriousCategories {
		cats[i] = c.Value + "\t" + c.Label
	}
	_ = cmd.RegisterFlagCompletionFunc("serious", fixedCompletion(cats...))
	return cmd
}

func newIncidentNotify(e env) *cobra.Command {
	var req incident.NotificationRequest
	var due, output string
	cmd := &cobra.Command{
		Use:     "notify INC-n",
		Short:   "Add someone the incident must be notified to",
		Example: "  aims incident notify INC-1 --to data_protection --name CNIL\n  aims incident notify INC-1 --to customers --due 2026-03-09T17:00:00Z",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if due != "" {
				t, err := time.Parse(time.RFC3339, due)
				if err != nil {
					return fmt.Errorf("--due must be a time such as 2026-03-09T17:00:00Z")
				}
				req.DueAt = &t
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var n incident.Notification
			if err := c.do(cmd.Context(), "POST", incidentPath(args[0])+"/notifications", req, &n); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, n)
			}
			fmt.Fprintf(e.stdout, "%s due %s (%s)\n", n.Ref, n.DueAt.Format(time.RFC3339), n.Countdown)
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Recipient, "to", "", "whom: market_surveillance, data_protection, customers, affected_persons or other")
	cmd.Flags().StringVar(&req.RecipientName, "name", "", "who exactly, such as the authority's name")
	cmd.Flags().StringVar(&due, "due", "", "the deadline (RFC 3339); computed for the authorities when left out")
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("to")
	_ = cmd.RegisterFlagCompletionFunc("to", fixedCompletion(incidentOptions(incident.Recipients)...))
	return cmd
}

func newIncidentNotified(e env) *cobra.Command {
	var req incident.NotifiedRequest
	cmd := &cobra.Command{
		Use:     "notified INC-n/Nn",
		Short:   "Record a notification as made",
		Example: `  aims incident notified INC-1/N1 --method "Authority web form" --reference MSA-2026-77`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, num, ok := strings.Cut(args[0], "/N")
			number, err := strconv.Atoi(num)
			if !ok || err != nil {
				return fmt.Errorf("name the duty as INC-1/N2")
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var in incident.Incident
			if err := c.do(cmd.Context(), "GET", incidentPath(ref), nil, &in); err != nil {
				return err
			}
			for _, n := range in.Notifications {
				if n.Number == number {
					req.Version = n.Version
				}
			}
			var n incident.Notification
			if err := c.do(cmd.Context(), "POST", incidentPath(ref)+"/notifications/"+strconv.Itoa(number)+"/notified", req, &n); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s notified %s\n", n.Ref, n.NotifiedAt.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Method, "method", "", "how it was notified")
	cmd.Flags().StringVar(&req.Reference, "reference", "", "the recipient's reference, such as a case number")
	_ = cmd.MarkFlagRequired("method")
	return cmd
}

func newIncidentStatus(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:       "status INC-n contained|resolved|closed",
		Short:     "Move an incident forward",
		Example:   "  aims incident status INC-1 contained",
		Args:      cobra.ExactArgs(2),
		ValidArgs: []string{"contained", "resolved", "closed"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return changeIncident(cmd, e, args[0], output, "/status", func(in *incident.Incident) any {
				return incident.StatusRequest{Version: in.Version, Status: args[1]}
			})
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newIncidentRaise(e env) *cobra.Command {
	var req incident.RaiseRequest
	var output string
	cmd := &cobra.Command{
		Use:     "raise-nc INC-n",
		Short:   "Raise a nonconformity from an incident",
		Example: "  aims incident raise-nc INC-1 --severity major",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return changeIncident(cmd, e, args[0], output, "/nonconformity", func(in *incident.Incident) any {
				req.Version = in.Version
				return req
			})
		},
	}
	cmd.Flags().StringVar(&req.Title, "title", "", "the nonconformity's title; the incident's when left out")
	cmd.Flags().StringVar(&req.Severity, "severity", "major", "minor or major")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("severity", fixedCompletion("minor", "major"))
	return cmd
}

// changeIncident reads the incident's current version, posts the body made from it to the path below the incident, and prints the result.
func changeIncident(cmd *cobra.Command, e env, ref, output, sub string, body func(*incident.Incident) any) error {
	if err := checkOutput(output); err != nil {
		return err
	}
	c, err := newClient(cmd, e)
	if err != nil {
		return err
	}
	var in incident.Incident
	if err := c.do(cmd.Context(), "GET", incidentPath(ref), nil, &in); err != nil {
		return err
	}
	var out incident.Incident
	if err := c.do(cmd.Context(), "POST", incidentPath(ref)+sub, body(&in), &out); err != nil {
		return err
	}
	return incidentResult(e, output, &out)
}
