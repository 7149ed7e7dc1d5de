package cli

import "github.com/spf13/cobra"

// newInternalAudit is the internal-audit command.
func newInternalAudit(e env) *cobra.Command {
	return &cobra.Command{Use: "internal-audit", Short: "The internal audit programme, audits, their checklists, findings and reports", Hidden: true}
}
