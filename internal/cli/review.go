package cli

import "github.com/spf13/cobra"

// newReview is the review command.
func newReview(e env) *cobra.Command {
	return &cobra.Command{Use: "review", Short: "Management reviews: compiled inputs, decisions, actions and sign-off", Hidden: true}
}
