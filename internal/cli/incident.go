package cli

import "github.com/spf13/cobra"

// newIncident is the incident command.
func newIncident(e env) *cobra.Command {
	return &cobra.Command{Use: "incident", Short: "Incidents concerning AI systems, their containment and notification deadlines", Hidden: true}
}
