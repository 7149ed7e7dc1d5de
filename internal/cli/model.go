package cli

import "github.com/spf13/cobra"

// newModel is the group of model commands.
func newModel(e env) *cobra.Command {
	return &cobra.Command{Use: "model", Short: "Register models and their versions, evaluations and model cards"}
}
