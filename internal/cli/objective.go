package cli

import "github.com/spf13/cobra"

// newObjective is the objective command.
func newObjective(e env) *cobra.Command {
	return &cobra.Command{Use: "objective", Short: "AI objectives, their indicators, targets and measured values", Hidden: true}
}
