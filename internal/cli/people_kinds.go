package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/people"
	"github.com/spf13/cobra"
)

// peopleStatus archives or restores a role, competence or course.
func peopleStatus(e env, base, noun, action string) *cobra.Command {
	return &cobra.Command{
		Use:   action + " REF",
		Short: map[string]string{"archive": "Archive a " + noun + "; its record and history stay", "restore": "Restore an archived " + noun}[action],
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct{ Ref, Status string }
			if err := c.do(cmd.Context(), "POST", base+"/"+url.PathEscape(strings.TrimSpace(args[0]))+"/"+action, nil, &out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is %s\n", out.Ref, out.Status)
			return nil
		},
	}
}

// peopleShow shows one role, competence or course with its history.
func peopleShow[T any](e env, base, use, short, example string, print func(io.Writer, *T)) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use: use, Short: short, Example: example, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := base + "/" + url.PathEscape(strings.TrimSpace(args[0]))
			var v T
			if err := c.do(cmd.Context(), "GET", path, nil, &v); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, v)
			}
			hist, err := c.history(cmd.Context(), path)
			if err != nil {
				return err
			}
			print(e.stdout, &v)
			printHistory(e.stdout, hist)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// peopleList lists roles, competences or courses.
func peopleList[T any](e env, path, short, example string, header string, row func(T) string) *cobra.Command {
	var output, status, q string
	cmd := &cobra.Command{
		Use: "list", Short: short, Example: example, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var page struct{ Items []T }
			if err := c.do(cmd.Context(), "GET", path+"?"+url.Values{"status": {status}, "q": {q}}.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page.Items)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, header)
			for _, it := range page.Items {
				fmt.Fprintln(tw, row(it))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&status, "status", "active", "active, archived or all")
	cmd.Flags().StringVarP(&q, "search", "s", "", "words that must all appear")
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "archived", "all"))
	addOutputFlag(cmd, &output)
	return cmd
}

func names(ls []people.Named) string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Ref)
	}
	return dash(strings.Join(out, ","))
}

func newPeopleRole(e env) *cobra.Command {
	const base = "/api/v1/aims-roles"
	cmd := &cobra.Command{Use: "role", Short: "AIMS roles: responsibilities, authorities, holders and required competences"}
	var req people.RoleRequest
	add := &cobra.Command{
		Use:   "add",
		Short: "Record an AIMS role (owners and managers)",
		Example: `  aims people role add --name "AI governance lead" --responsibilities "Keeps the AIMS conformant" \
    --reports-to-top-management --member ada@example.org --competence COMP-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var r people.Role
			if err := c.do(cmd.Context(), "POST", base, req, &r); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "recorded %s %s\n", r.Ref, r.Name)
			return nil
		},
	}
	roleFlags(add, &req)
	_ = add.MarkFlagRequired("name")
	var upd people.RoleRequest
	update := &cobra.Command{
		Use:     "update ROLE-n",
		Short:   "Change an AIMS role; --member and --competence replace the lists",
		Example: `  aims people role update ROLE-1 --member ada@example.org --member carl@example.org`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := base + "/" + url.PathEscape(args[0])
			var r people.Role
			if err := c.do(cmd.Context(), "GET", path, nil, &r); err != nil {
				return err
			}
			fl := cmd.Flags()
			up := people.RoleUpdate{Version: r.Version}
			for flag, dst := range map[string]**string{"name": &up.Name, "responsibilities": &up.Responsibilities, "authorities": &up.Authorities} {
				if fl.Changed(flag) {
					v, _ := fl.GetString(flag)
					*dst = &v
				}
			}
			if fl.Changed("reports-to-top-management") {
				up.ReportsToTopManagement = &upd.ReportsToTopManagement
			}
			if fl.Changed("member") {
				up.Members = &upd.Members
			}
			if fl.Changed("competence") {
				up.Competences = &upd.Competences
			}
			var out people.Role
			if err := c.do(cmd.Context(), "PATCH", path, up, &out); err != nil {
				return err
			}
			return reportVersion(e.stdout, out.Ref, r.Version, out.Version)
		},
	}
	roleFlags(update, &upd)
	show := peopleShow(e, base, "show ROLE-n", "Show an AIMS role with its history", "  aims people role show ROLE-1", func(w io.Writer, r *people.Role) {
		var holders []string
		for _, m := range r.Members {
			holders = append(holders, m.Email)
		}
		printFacts(w, [][2]string{{"Reference", r.Ref}, {"Name", r.Name}, {"Responsibilities", r.Responsibilities}, {"Authorities", r.Authorities},
			{"Reports to top", strconv.FormatBool(r.ReportsToTopManagement)}, {"Held by", strings.Join(holders, ", ")},
			{"Requires", names(r.Competences)}, {"Status", r.Status}, {"Version", strconv.Itoa(r.Version)}})
	})
	list := peopleList(e, base, "List AIMS roles", "  aims people role list --status all", "REF\tNAME\tHOLDERS\tREQUIRES\tSTATUS",
		func(r people.Role) string {
			return fmt.Sprintf("%s\t%s\t%d\t%s\t%s", r.Ref, r.Name, len(r.Members), names(r.Competences), r.Status)
		})
	cmd.AddCommand(list, add, show, update, peopleStatus(e, base, "AIMS role", "archive"), peopleStatus(e, base, "AIMS role", "restore"))
	return cmd
}

func roleFlags(cmd *cobra.Command, req *people.RoleRequest) {
	f := cmd.Flags()
	f.StringVar(&req.Name, "name", "", "the role's name, such as Internal auditor")
	f.StringVar(&req.Responsibilities, "responsibilities", "", "what the role is responsible for")
	f.StringVar(&req.Authorities, "authorities", "", "what the role may decide or approve")
	f.BoolVar(&req.ReportsToTopManagement, "reports-to-top-management", false, "the role reports the AIMS's performance to top management")
	f.StringSliceVar(&req.Members, "member", nil, "a member who holds the role, by email (repeat for more)")
	f.StringSliceVar(&req.Competences, "competence", nil, "a competence the role requires, by reference or name (repeat for more)")
}

func printFacts(w io.Writer, facts [][2]string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range facts {
		fmt.Fprintf(tw, "%s\t%s\n", f[0], dash(f[1]))
	}
	_ = tw.Flush()
}

func reportVersion(w io.Writer, ref string, before, after int) error {
	if before == after {
		fmt.Fprintf(w, "nothing changed: %s stays at version %d\n", ref, after)
	} else {
		fmt.Fprintf(w, "%s updated (version %d)\n", ref, after)
	}
	return nil
}
