package cli

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/people"
	"github.com/spf13/cobra"
)

// newPeople is the group of commands on AIMS roles, competences, courses and training records.
func newPeople(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "people",
		Short: "AIMS roles, competence requirements, training courses and records",
		Long: `Who does what in the AI management system and whether they are able to
(ISO/IEC 42001 5.3, 7.2, 7.3, A.3.2): AIMS roles (ROLE-1 …) with their
responsibilities, authorities, holders and required competences; competences
(COMP-1 …); training courses (CRS-1 …) with the competences they confer and how
long a completion counts; and training records (TR-1 …) with evidence. A record
counts until the day before its expiry day. Records never change: correct one
with "training record --replaces TR-n", or withdraw it with a reason. "matrix"
shows who lacks what; "show me" shows your own training.

These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN). Each change reads the current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newPeopleMatrix(e), newPeopleShow(e), newPeopleRole(e), newPeopleCompetence(e), newPeopleCourse(e), newTraining(e))
	return cmd
}

func newPeopleMatrix(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "matrix",
		Short: "Show everyone holding an AIMS role against the competences the roles require",
		Example: `  aims people matrix
  aims people matrix -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var m people.Matrix
			if err := c.do(cmd.Context(), "GET", "/api/v1/people/matrix", nil, &m); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, m)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			head := []string{"PERSON"}
			for _, k := range m.Competences {
				head = append(head, k.Ref)
			}
			fmt.Fprintln(tw, strings.Join(head, "\t"))
			for _, row := range m.Rows {
				cells := []string{row.Person.Email}
				for _, s := range row.Cells {
					cells = append(cells, standingText(s))
				}
				fmt.Fprintln(tw, strings.Join(cells, "\t"))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "%d gaps on %s\n", m.Gaps, m.Today)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// standingText words a matrix cell: held until a day, expired on a day, missing, or - when not required.
func standingText(s people.Standing) string {
	switch {
	case !s.Required:
		return "-"
	case s.State == people.Held && s.Until == "":
		return "held"
	case s.State == people.Held:
		return "held<" + s.Until
	case s.State == people.Expired:
		return "expired " + s.Until
	}
	return s.State
}

func newPeopleShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show EMAIL|me",
		Short: "Show a member's AIMS roles, competences, gaps and training records",
		Example: `  aims people show me
  aims people show ada@example.org -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var pc people.PersonCompetence
			if err := c.do(cmd.Context(), "GET", "/api/v1/people/"+url.PathEscape(args[0]), nil, &pc); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, pc)
			}
			printPerson(e.stdout, &pc)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printPerson(w io.Writer, pc *people.PersonCompetence) {
	fmt.Fprintf(w, "%s <%s>\n", pc.Person.Name, pc.Person.Email)
	var roles []string
	for _, r := range pc.Roles {
		roles = append(roles, r.Ref+" "+r.Name)
	}
	fmt.Fprintf(w, "Roles: %s\n", dash(strings.Join(roles, ", ")))
	fmt.Fprintf(w, "\nCompetences on %s (%d gaps):\n", pc.Today, pc.Gaps)
	for _, s := range pc.Competences {
		state := s.State
		if s.Until != "" {
			state += " " + s.Until
		}
		req := "not required"
		if s.Required {
			req = "required by " + strings.Join(s.RequiredBy, ", ")
		}
		fmt.Fprintf(w, "  %s %s: %s %s (%s)\n", s.Competence.Ref, s.Competence.Name, state, s.Record, req)
	}
	fmt.Fprintln(w, "\nTraining records:")
	printRecords(w, pc.Records)
}

func printRecords(w io.Writer, recs []people.TrainingRecord) {
	if len(recs) == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tPERSON\tTRAINING\tCOMPLETED\tEXPIRES\tSTATE")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, r.Person.Email, r.Title(), r.CompletedOn, dash(r.ExpiresOn), r.State)
	}
	_ = tw.Flush()
}
