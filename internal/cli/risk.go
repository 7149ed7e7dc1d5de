package cli

import "github.com/spf13/cobra"

// newRisk is the risk command group.
func newRisk(e env) *cobra.Command {
	return &cobra.Command{Use: "risk", Short: "risk (coming)", Hidden: true}
}
