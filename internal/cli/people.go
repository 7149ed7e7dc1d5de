package cli

import "github.com/spf13/cobra"

// newPeople is the people command.
func newPeople(e env) *cobra.Command {
	return &cobra.Command{Use: "people", Short: "AIMS roles, competence requirements, training courses and records", Hidden: true}
}
