package cli

import "github.com/spf13/cobra"

// newNotification is the notification command.
func newNotification(e env) *cobra.Command {
	return &cobra.Command{Use: "notification", Short: "Notifications, e-mail and webhooks for reminders", Hidden: true}
}
