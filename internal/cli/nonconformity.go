package cli

import "github.com/spf13/cobra"

// newNonconformity is the nonconformity command.
func newNonconformity(e env) *cobra.Command {
	return &cobra.Command{Use: "nonconformity", Short: "Nonconformities, corrections, root causes, corrective actions and effectiveness checks", Hidden: true}
}
