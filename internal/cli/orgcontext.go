package cli

import "github.com/spf13/cobra"

// newContext is the context command.
func newContext(e env) *cobra.Command {
	return &cobra.Command{Use: "context", Short: "The organisation's context: issues, interested parties, AIMS scope, climate change", Hidden: true}
}
