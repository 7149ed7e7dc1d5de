package cli

import "github.com/spf13/cobra"

// newConcern is the concern command.
func newConcern(e env) *cobra.Command {
	return &cobra.Command{Use: "concern", Short: "Reported concerns about AI systems and how they were handled", Hidden: true}
}
