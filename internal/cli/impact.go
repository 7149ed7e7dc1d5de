package cli

import "github.com/spf13/cobra"

// newImpact is the impact command group.
func newImpact(e env) *cobra.Command {
	return &cobra.Command{Use: "impact", Short: "impact (coming)", Hidden: true}
}
