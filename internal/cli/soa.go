package cli

import "github.com/spf13/cobra"

// newSoA is the soa command group.
func newSoA(e env) *cobra.Command {
	return &cobra.Command{Use: "soa", Short: "soa (coming)", Hidden: true}
}
