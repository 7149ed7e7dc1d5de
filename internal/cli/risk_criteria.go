package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/spf13/cobra"
)

func newRiskCriteria(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "criteria",
		Short: "Show and set the risk criteria: scales, levels, matrix, appetite",
		Long: `The risk criteria say how risks are rated (ISO/IEC 42001 6.1.1): likelihood and
impact scales of 2 to 10 steps, levels with their colours and review intervals,
the level of each cell of the matrix, and the appetite. Setting them makes a new
version; risks keep the version they were assessed with.`,
	}
	var version int
	var output string
	show := &cobra.Command{
		Use:   "show",
		Short: "Show the current criteria, or a version",
		Example: `  aims risk criteria show
  aims risk criteria show --version 1 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/risk-criteria"
			if version > 0 {
				path += "/versions/" + strconv.Itoa(version)
			}
			var cr risk.Criteria
			if err := c.do(cmd.Context(), "GET", path, nil, &cr); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, cr)
			}
			printRiskCriteria(e.stdout, &cr)
			return nil
		},
	}
	show.Flags().IntVar(&version, "version", 0, "show this version instead of the current one")
	addOutputFlag(show, &output)
	def := &cobra.Command{
		Use:     "default",
		Short:   "Print the default criteria as JSON, a starting point for 'criteria set'",
		Example: `  aims risk criteria default > criteria.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var req risk.CriteriaRequest
			if err := c.do(cmd.Context(), "GET", "/api/v1/risk-criteria/default", nil, &req); err != nil {
				return err
			}
			return writeJSON(e.stdout, req)
		},
	}
	var note string
	set := &cobra.Command{
		Use:   "set FILE",
		Short: "Set the criteria from a JSON file as the next version (owners and managers)",
		Long: `Set the criteria from a JSON file (- for standard input) with the fields
likelihood, impact, levels, matrix and appetite, as 'aims risk criteria default'
or 'aims risk criteria show -o json' print them. The command reads the current
version itself.`,
		Example: `  aims risk criteria default > criteria.json   # edit it, then:
  aims risk criteria set criteria.json --note "Agreed by the board on 2 March"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			var err error
			if args[0] == "-" {
				data, err = io.ReadAll(e.stdin)
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			var req risk.CriteriaRequest
			dec := json.NewDecoder(bytes.NewReader(data))
			if err := dec.Decode(&req); err != nil {
				return fmt.Errorf("%s is not criteria as JSON: %w", args[0], err)
			}
			if note != "" {
				req.Note = note
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cur risk.Criteria
			switch err := c.do(cmd.Context(), "GET", "/api/v1/risk-criteria", nil, &cur); {
			case aims.CodeOf(err) == aims.CodeNotFound:
				req.Version = 0
			case err != nil:
				return err
			default:
				req.Version = cur.Version
			}
			var saved risk.Criteria
			if err := c.do(cmd.Context(), "POST", "/api/v1/risk-criteria/versions", req, &saved); err != nil {
				return err
			}
			if saved.Version == req.Version {
				fmt.Fprintf(e.stdout, "nothing changed: the criteria stay at version %d\n", saved.Version)
			} else {
				fmt.Fprintf(e.stdout, "risk criteria version %d saved: %s, appetite %s\n", saved.Version, saved.Size(), saved.Appetite)
			}
			return nil
		},
	}
	set.Flags().StringVar(&note, "note", "", "why the criteria change")
	cmd.AddCommand(show, def, set)
	return cmd
}

// printRiskCriteria writes criteria for people: levels, then the matrix with
// the highest likelihood on top.
func printRiskCriteria(w io.Writer, c *risk.Criteria) {
	fmt.Fprintf(w, "Risk criteria version %d (%s), set %s by %s\n", c.Version, c.Size(), c.CreatedAt.Format("2006-01-02"), c.CreatedByName)
	if c.Note != "" {
		fmt.Fprintf(w, "Note: %s\n", oneLine(c.Note, 200))
	}
	var levels []string
	for _, l := range c.Levels {
		levels = append(levels, fmt.Sprintf("%s (%s, review every %d days)", l.Name, l.Colour, l.ReviewDays))
	}
	fmt.Fprintf(w, "Levels: %s\nAppetite: %s\n\n", strings.Join(levels, ", "), c.Appetite)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{"LIKELIHOOD \\ IMPACT"}
	for i, s := range c.Impact {
		head = append(head, fmt.Sprintf("%d %s", i+1, s.Label))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for l := len(c.Likelihood); l >= 1; l-- {
		row := append([]string{fmt.Sprintf("%d %s", l, c.Likelihood[l-1].Label)}, c.Matrix[l-1]...)
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}
