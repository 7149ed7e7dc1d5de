package cli

import "github.com/spf13/cobra"

// newEvidence is the evidence command group.
func newEvidence(e env) *cobra.Command {
	return &cobra.Command{Use: "evidence", Short: "evidence (coming)", Hidden: true}
}
