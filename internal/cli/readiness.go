package cli

import "github.com/spf13/cobra"

// newReadiness is the readiness command group.
func newReadiness(e env) *cobra.Command {
	return &cobra.Command{Use: "readiness", Short: "readiness (coming)", Hidden: true}
}
