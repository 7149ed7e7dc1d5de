package cli

import "github.com/spf13/cobra"

// newCatalog is the catalog command group.
func newCatalog(e env) *cobra.Command {
	return &cobra.Command{Use: "catalog", Short: "catalog (coming)", Hidden: true}
}
