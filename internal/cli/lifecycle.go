package cli

import "github.com/spf13/cobra"

// newLifecycle is the group of life-cycle commands.
func newLifecycle(e env) *cobra.Command {
	return &cobra.Command{Use: "lifecycle", Short: "Stage gates, transitions between life-cycle stages, and change requests"}
}
