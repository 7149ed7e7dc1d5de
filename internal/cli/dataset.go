package cli

import "github.com/spf13/cobra"

// newDataset is the group of data set commands.
func newDataset(e env) *cobra.Command {
	return &cobra.Command{Use: "dataset", Short: "Register data sets and their versions, with provenance and quality profiles"}
}
