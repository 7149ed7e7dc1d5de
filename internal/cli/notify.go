package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/spf13/cobra"
)

// newNotification is the group of notification and webhook commands.
func newNotification(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notification",
		Short: "Notifications, e-mail and webhooks for reminders",
		Long: `Reminders of what is due (evidence expiring, reviews and assessments due,
actions overdue …) reach each person once, in their notification centre, by
e-mail if the server sends it, and as signed JSON to the organisation's
webhooks (webhook, for owners and managers). These commands talk to an aims
server (--server or AIMS_SERVER) with an API token (--token or AIMS_TOKEN);
a token acts as its person, so list shows that person's notifications.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newNotificationList(e), newNotificationRead(e), newNotificationEmail(e), newWebhook(e))
	return cmd
}

func newNotificationList(e env) *cobra.Command {
	var q notify.InboxQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List your notifications, unread first",
		Example: `  aims notification list
  aims notification list --unread -o json`,
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
			if q.Unread {
				v.Set("unread", "true")
			}
			var in notify.Inbox
			if err := c.do(cmd.Context(), "GET", "/api/v1/notifications?"+v.Encode(), nil, &in); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, in)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATUS\tKIND\tREF\tDUE\tTITLE")
			for _, n := range in.Items {
				status := "unread"
				if n.ReadAt != nil {
					status = "read"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.ID, status, n.Kind, dash(n.Ref), n.Due.Format("2006-01-02"), n.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "%d notifications, %d unread\n", in.Total, in.Unread)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&q.Unread, "unread", false, "only unread notifications")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	return cmd
}

func newNotificationRead(e env) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "read [ID]",
		Short: "Mark a notification, or all of them, read",
		Example: `  aims notification read 01950c3e-7b7a-7c1e-9a51-3f1c2d4e5f60
  aims notification read --all`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) {
				return fmt.Errorf("give a notification's id or --all")
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			if all {
				var out struct {
					Marked int `json:"marked"`
				}
				if err := c.do(cmd.Context(), "POST", "/api/v1/notifications/read-all", nil, &out); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "marked %d notifications read\n", out.Marked)
				return nil
			}
			var n notify.Notification
			if err := c.do(cmd.Context(), "POST", "/api/v1/notifications/"+url.PathEscape(args[0])+"/read", nil, &n); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "read: %s\n", n.Title)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "mark every unread notification read")
	return cmd
}

func newNotificationEmail(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:       "email on|off",
		Short:     "Turn reminder e-mails on or off for yourself",
		Example:   `  aims notification email off`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"on", "off"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "on" && args[0] != "off" {
				return fmt.Errorf("say on or off, not %q", args[0])
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var p notify.Preferences
			if err := c.do(cmd.Context(), "GET", "/api/v1/notifications/preferences", nil, &p); err != nil {
				return err
			}
			req := notify.PreferencesRequest{Email: args[0] == "on", Version: p.Version}
			if err := c.do(cmd.Context(), "PUT", "/api/v1/notifications/preferences", req, &p); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "e-mail is %s\n", args[0])
			if !p.EmailAvailable {
				fmt.Fprintln(e.stderr, "note: this server is not set up to send e-mail")
			}
			return nil
		},
	}
	return cmd
}
