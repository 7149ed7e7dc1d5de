package cli

import (
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/concern"
	"github.com/aims-dev/aims/internal/config"
	"github.com/spf13/cobra"
)

// newConcern is the concern command.
func newConcern(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "concern",
		Short: "Reported concerns about AI systems and how they were handled",
		Long: `Concerns about the organisation's AI (ISO/IEC 42001 A.3.3). Any member can report
one (report), anonymously if they wish; owners and managers list, read and answer
them (list, show, answer, note) and switch reporting through the public link on
or off (public). Concerns are named CON-1, CON-2 …. These commands talk to an aims
server (--server or AIMS_SERVER) with an API token (--token or AIMS_TOKEN); for the
strongest anonymity, report on the web page rather than with a token.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newConcernReport(e), newConcernList(e), newConcernShow(e), newConcernAnswer(e), newConcernNote(e), newConcernPublic(e))
	return cmd
}

func concernPath(ref string) string {
	return "/api/v1/concerns/" + url.PathEscape(strings.TrimSpace(ref))
}

func concernValues(opts []concern.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func newConcernReport(e env) *cobra.Command {
	var req concern.ReportRequest
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Report a concern",
		Example: `  aims concern report --category bias --summary "Refusals by postcode" --description "…" --system SYS-1
  aims concern report --category misuse --summary "…" --description "…" --anonymous`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var rc concern.Receipt
			if err := c.do(cmd.Context(), "POST", "/api/v1/concerns", req, &rc); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "reported %s\nkeep this private link to read the answer (shown only now):\n%s%s\n", rc.Ref, strings.TrimSuffix(c.base, "/"), rc.Path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Category, "category", "", "harm, bias, privacy, safety, misuse, legal, transparency or other")
	f.StringVar(&req.Summary, "summary", "", "the concern in a line")
	f.StringVar(&req.Description, "description", "", "what happened or what you fear")
	f.StringSliceVar(&req.Systems, "system", nil, "an AI system concerned (repeat for more)")
	f.BoolVar(&req.Anonymous, "anonymous", false, "keep no record of who reported")
	_ = cmd.MarkFlagRequired("category")
	_ = cmd.MarkFlagRequired("summary")
	_ = cmd.MarkFlagRequired("description")
	_ = cmd.RegisterFlagCompletionFunc("category", fixedCompletion(concernValues(concern.Categories)...))
	return cmd
}

func newConcernList(e env) *cobra.Command {
	var q concern.Query
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List concerns (owners and managers)",
		Example: `  aims concern list
  aims concern list --status all --category privacy -o json`,
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
			if q.Status != "" {
				v.Set("status", q.Status)
			}
			if q.Category != "" {
				v.Set("category", q.Category)
			}
			var out struct{ Items []concern.Concern }
			if err := c.do(cmd.Context(), "GET", "/api/v1/concerns?"+v.Encode(), nil, &out); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, out)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tREPORTED\tCATEGORY\tSTATUS\tSUMMARY")
			for _, it := range out.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Ref, it.ReportedAt.Format("2006-01-02"), it.Category, it.Status, it.Summary)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&q.Status, "status", "open", "open, received, under_review, answered, closed or all")
	cmd.Flags().StringVar(&q.Category, "category", "", "only concerns of this category")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion(append([]string{"open", "all"}, concernValues(concern.Statuses)...)...))
	_ = cmd.RegisterFlagCompletionFunc("category", fixedCompletion(concernValues(concern.Categories)...))
	return cmd
}

func newConcernShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "show CON-n",
		Short:   "Show a concern with its follow-ups and internal notes (owners and managers)",
		Example: `  aims concern show CON-1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var it concern.Concern
			if err := c.do(cmd.Context(), "GET", concernPath(args[0]), nil, &it); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, it)
			}
			from := it.Reporter
			if from == "" {
				from = it.Channel + " (not named)"
			}
			fmt.Fprintf(e.stdout, "%s %s\nstatus: %s\ncategory: %s\nfrom: %s\nreported: %s\n\n%s\n", it.Ref, it.Summary, it.Status,
				it.Category, from, it.ReportedAt.Format("2006-01-02 15:04 MST"), it.Description)
			if it.Answer != "" {
				fmt.Fprintf(e.stdout, "\nanswer:\n%s\n", it.Answer)
			}
			for _, m := range it.Messages {
				who := "reporter"
				if m.Kind == "note" {
					who = "note by " + m.Author
				}
				fmt.Fprintf(e.stdout, "\n[%s, %s]\n%s\n", who, m.At.Format("2006-01-02 15:04"), m.Body)
			}
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newConcernAnswer(e env) *cobra.Command {
	var answer, status, category string
	cmd := &cobra.Command{
		Use:   "answer CON-n",
		Short: "Set a concern's answer, status or category",
		Example: `  aims concern answer CON-1 --answer "We removed the proxy variable."
  aims concern answer CON-1 --status closed`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var it concern.Concern
			if err := c.do(cmd.Context(), "GET", concernPath(args[0]), nil, &it); err != nil {
				return err
			}
			req := concern.UpdateRequest{Version: it.Version}
			if cmd.Flags().Changed("answer") {
				req.Answer = &answer
			}
			if status != "" {
				req.Status = &status
			}
			if category != "" {
				req.Category = &category
			}
			if err := c.do(cmd.Context(), "PATCH", concernPath(it.Ref), req, &it); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is %s\n", it.Ref, it.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&answer, "answer", "", "what the reporter reads through their private link")
	cmd.Flags().StringVar(&status, "status", "", "received, under_review, answered or closed")
	cmd.Flags().StringVar(&category, "category", "", "the concern's category")
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion(concernValues(concern.Statuses)...))
	_ = cmd.RegisterFlagCompletionFunc("category", fixedCompletion(concernValues(concern.Categories)...))
	return cmd
}

func newConcernNote(e env) *cobra.Command {
	var body string
	cmd := &cobra.Command{
		Use:     "note CON-n",
		Short:   "Add an internal note, never shown to the reporter",
		Example: `  aims concern note CON-1 --body "Asked the data team"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var it concern.Concern
			if err := c.do(cmd.Context(), "POST", concernPath(args[0])+"/notes", concern.NoteRequest{Body: body}, &it); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "note added to %s\n", it.Ref)
			return nil
		},
	}
	cmd.Flags().StringVar(&body, "body", "", "the note")
	_ = cmd.MarkFlagRequired("body")
	return cmd
}

func newConcernPublic(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "public on|off|rotate",
		Short: "Switch reporting through the public link on or off, or replace the link",
		Long: `Anyone without an account can report through the organisation's public link while
it is on. The link is shown only when it is made (the first 'on') or replaced
(rotate); aims keeps only a digest of it.`,
		Example:   `  aims concern public on`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"on", "off", "rotate"},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var st concern.Settings
			if err := c.do(cmd.Context(), "GET", "/api/v1/concern-settings", nil, &st); err != nil {
				return err
			}
			var out struct {
				concern.Settings
				Link *concern.PublicLink `json:"link"`
			}
			switch args[0] {
			case "on", "off":
				err = c.do(cmd.Context(), "PUT", "/api/v1/concern-settings", concern.SettingsRequest{Version: st.Version, PublicEnabled: args[0] == "on"}, &out)
			case "rotate":
				err = c.do(cmd.Context(), "POST", "/api/v1/concern-settings/rotate", map[string]int{"version": st.Version}, &out)
			default:
				return fmt.Errorf("say on, off or rotate, not %q", args[0])
			}
			if err != nil {
				return err
			}
			state := "off"
			if out.PublicEnabled {
				state = "on"
			}
			fmt.Fprintf(e.stdout, "public reporting is %s\n", state)
			if out.Link != nil {
				fmt.Fprintf(e.stdout, "public link (shown only now): %s%s\n", strings.TrimSuffix(c.base, "/"), out.Link.Path)
			}
			return nil
		},
	}
	return cmd
}
