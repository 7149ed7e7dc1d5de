package cli

import (
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/notify"
	"github.com/spf13/cobra"
)

// webhookPath is the API path of a webhook.
func webhookPath(ref string) string {
	return "/api/v1/webhooks/" + url.PathEscape(strings.TrimSpace(ref))
}

func kindCompletion() []string {
	out := make([]string, len(notify.Kinds))
	for i, k := range notify.Kinds {
		out[i] = k.Value + "\t" + k.Label
	}
	return out
}

// newWebhook is the group of webhook commands.
func newWebhook(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "The organisation's webhooks (owners and managers)",
		Long: `Webhooks receive each reminder as a JSON POST signed with HMAC-SHA256 in the
X-Aims-Signature header; docs/notifications.md shows how to check it. A webhook's
secret is printed once, when it is added or rotated.`,
	}
	cmd.AddCommand(newWebhookList(e), newWebhookAdd(e), newWebhookSecret(e), newWebhookTest(e), newWebhookEnable(e, true),
		newWebhookEnable(e, false), newWebhookRemove(e))
	return cmd
}

func newWebhookList(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List webhooks",
		Example: "  aims notification webhook list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct {
				Items []notify.Webhook `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/webhooks", nil, &out); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, out.Items)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tURL\tKINDS\tENABLED\tDESCRIPTION")
			for _, w := range out.Items {
				kinds := strings.Join(w.Kinds, ",")
				if kinds == "" {
					kinds = "all"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\n", w.Ref, w.URL, kinds, w.Enabled, w.Description)
			}
			return tw.Flush()
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// printSecret shows a webhook's new secret, once.
func printSecret(e env, w *notify.CreatedWebhook) {
	fmt.Fprintf(e.stderr, "%s: keep this signing secret now, it is not shown again:\n", w.Ref)
	fmt.Fprintln(e.stdout, w.Secret)
}

func newWebhookAdd(e env) *cobra.Command {
	var req notify.WebhookRequest
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Register a webhook and print its secret",
		Example: `  aims notification webhook add --url https://hooks.example.org/aims --description "Compliance channel"
  aims notification webhook add --url https://hooks.example.org/aims --kind evidence_expiring --kind review_due`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var w notify.CreatedWebhook
			if err := c.do(cmd.Context(), "POST", "/api/v1/webhooks", req, &w); err != nil {
				return err
			}
			printSecret(e, &w)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.URL, "url", "", "where to post: https://…, or http to localhost")
	f.StringVar(&req.Description, "description", "", "what the webhook is for")
	f.StringSliceVar(&req.Kinds, "kind", nil, "kinds of reminder to post (repeat); every kind when left out")
	_ = cmd.MarkFlagRequired("url")
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(kindCompletion()...))
	return cmd
}

func newWebhookSecret(e env) *cobra.Command {
	return &cobra.Command{
		Use:     "rotate WH-1",
		Short:   "Give a webhook a new secret and print it",
		Example: "  aims notification webhook rotate WH-1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var w notify.CreatedWebhook
			if err := c.do(cmd.Context(), "POST", webhookPath(args[0])+"/rotate", nil, &w); err != nil {
				return err
			}
			printSecret(e, &w)
			return nil
		},
	}
}

func newWebhookTest(e env) *cobra.Command {
	return &cobra.Command{
		Use:     "test WH-1",
		Short:   "Post a signed test event to a webhook now",
		Example: "  aims notification webhook test WH-1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d notify.Delivery
			if err := c.do(cmd.Context(), "POST", webhookPath(args[0])+"/test", nil, &d); err != nil {
				return err
			}
			if d.Status != notify.StatusSent {
				return fmt.Errorf("the test event was not delivered: %s (it will be tried again)", d.LastError)
			}
			fmt.Fprintf(e.stdout, "delivered %s: the endpoint answered %d\n", d.ID, d.ResponseCode)
			return nil
		},
	}
}

func newWebhookEnable(e env, on bool) *cobra.Command {
	use, short := "enable", "Post reminders to a webhook again"
	if !on {
		use, short = "disable", "Stop posting reminders to a webhook, keeping it"
	}
	return &cobra.Command{
		Use:     use + " WH-1",
		Short:   short,
		Example: "  aims notification webhook " + use + " WH-1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var w notify.Webhook
			if err := c.do(cmd.Context(), "GET", webhookPath(args[0]), nil, &w); err != nil {
				return err
			}
			if err := c.do(cmd.Context(), "PATCH", webhookPath(args[0]), notify.WebhookUpdate{Version: w.Version, Enabled: &on}, &w); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %sd\n", w.Ref, use)
			return nil
		},
	}
}

func newWebhookRemove(e env) *cobra.Command {
	return &cobra.Command{
		Use:     "remove WH-1",
		Short:   "Delete a webhook and its deliveries",
		Example: "  aims notification webhook remove WH-1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			if err := c.do(cmd.Context(), "DELETE", webhookPath(args[0]), nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s removed\n", strings.ToUpper(strings.TrimSpace(args[0])))
			return nil
		},
	}
}
