package cli

import "github.com/spf13/cobra"

// newDocument is the document command.
func newDocument(e env) *cobra.Command {
	return &cobra.Command{Use: "document", Short: "Documents and the AI policy: versions, approval, distribution and acknowledgement", Hidden: true}
}
