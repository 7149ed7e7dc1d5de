package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/people"
	"github.com/spf13/cobra"
)

func newPeopleCompetence(e env) *cobra.Command {
	const base = "/api/v1/competences"
	cmd := &cobra.Command{Use: "competence", Short: "Competences that roles require and training confers"}
	var req people.CompetenceRequest
	add := &cobra.Command{
		Use: "add", Short: "Record a competence (owners and managers)", Args: cobra.NoArgs,
		Example: `  aims people competence add --name "AI risk assessment" --description "Applies the risk criteria to AI systems"`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out people.Competence
			if err := c.do(cmd.Context(), "POST", base, req, &out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "recorded %s %s\n", out.Ref, out.Name)
			return nil
		},
	}
	add.Flags().StringVar(&req.Name, "name", "", "the competence's name")
	add.Flags().StringVar(&req.Description, "description", "", "what someone with it knows and can do")
	_ = add.MarkFlagRequired("name")
	update := &cobra.Command{
		Use: "update COMP-n", Short: "Change a competence", Args: cobra.ExactArgs(1),
		Example: `  aims people competence update COMP-1 --description "Applies the risk criteria"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := base + "/" + url.PathEscape(args[0])
			var before people.Competence
			if err := c.do(cmd.Context(), "GET", path, nil, &before); err != nil {
				return err
			}
			up := people.CompetenceUpdate{Version: before.Version}
			if cmd.Flags().Changed("name") {
				up.Name = &req.Name
			}
			if cmd.Flags().Changed("description") {
				up.Description = &req.Description
			}
			var out people.Competence
			if err := c.do(cmd.Context(), "PATCH", path, up, &out); err != nil {
				return err
			}
			return reportVersion(e.stdout, out.Ref, before.Version, out.Version)
		},
	}
	update.Flags().StringVar(&req.Name, "name", "", "the competence's name")
	update.Flags().StringVar(&req.Description, "description", "", "what someone with it knows and can do")
	show := peopleShow(e, base, "show COMP-n", "Show a competence, the roles requiring it and the courses conferring it", "  aims people competence show COMP-1",
		func(w io.Writer, c *people.Competence) {
			printFacts(w, [][2]string{{"Reference", c.Ref}, {"Name", c.Name}, {"Description", c.Description}, {"Required by", names(c.RequiredBy)},
				{"Conferred by", names(c.ConferredBy)}, {"Status", c.Status}, {"Version", strconv.Itoa(c.Version)}})
		})
	list := peopleList(e, base, "List competences", "  aims people competence list", "REF\tNAME\tSTATUS",
		func(c people.Competence) string { return c.Ref + "\t" + c.Name + "\t" + c.Status })
	cmd.AddCommand(list, add, show, update, peopleStatus(e, base, "competence", "archive"), peopleStatus(e, base, "competence", "restore"))
	return cmd
}

func newPeopleCourse(e env) *cobra.Command {
	const base = "/api/v1/courses"
	cmd := &cobra.Command{Use: "course", Short: "Training courses, the competences they confer and how long a completion counts"}
	var req people.CourseRequest
	flags := func(c *cobra.Command) {
		f := c.Flags()
		f.StringVar(&req.Title, "title", "", "the course's title")
		f.StringVar(&req.Provider, "provider", "", "internal, or the external provider's name")
		f.StringVar(&req.Description, "description", "", "what the course covers")
		f.IntVar(&req.ValidityMonths, "validity-months", 0, "how many months a completion counts; 0 when it does not expire")
		f.StringSliceVar(&req.Competences, "competence", nil, "a competence it confers, by reference or name (repeat for more)")
	}
	add := &cobra.Command{
		Use: "add", Short: "Record a training course (owners and managers)", Args: cobra.NoArgs,
		Example: `  aims people course add --title "AI governance essentials" --provider internal --validity-months 12 --competence COMP-1`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out people.Course
			if err := c.do(cmd.Context(), "POST", base, req, &out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "recorded %s %s (%s)\n", out.Ref, out.Title, validity(out.ValidityMonths))
			return nil
		},
	}
	flags(add)
	_ = add.MarkFlagRequired("title")
	update := &cobra.Command{
		Use: "update CRS-n", Short: "Change a training course; records already made keep their competences and expiry", Args: cobra.ExactArgs(1),
		Example: `  aims people course update CRS-1 --validity-months 24`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := base + "/" + url.PathEscape(args[0])
			var before people.Course
			if err := c.do(cmd.Context(), "GET", path, nil, &before); err != nil {
				return err
			}
			fl := cmd.Flags()
			up := people.CourseUpdate{Version: before.Version}
			if fl.Changed("title") {
				up.Title = &req.Title
			}
			if fl.Changed("provider") {
				up.Provider = &req.Provider
			}
			if fl.Changed("description") {
				up.Description = &req.Description
			}
			if fl.Changed("validity-months") {
				up.ValidityMonths = &req.ValidityMonths
			}
			if fl.Changed("competence") {
				up.Competences = &req.Competences
			}
			var out people.Course
			if err := c.do(cmd.Context(), "PATCH", path, up, &out); err != nil {
				return err
			}
			return reportVersion(e.stdout, out.Ref, before.Version, out.Version)
		},
	}
	flags(update)
	show := peopleShow(e, base, "show CRS-n", "Show a training course with its history", "  aims people course show CRS-1", func(w io.Writer, c *people.Course) {
		printFacts(w, [][2]string{{"Reference", c.Ref}, {"Title", c.Title}, {"Provider", c.Provider}, {"Description", c.Description},
			{"Confers", names(c.Competences)}, {"Validity", validity(c.ValidityMonths)}, {"Status", c.Status}, {"Version", strconv.Itoa(c.Version)}})
	})
	list := peopleList(e, base, "List training courses", "  aims people course list -s governance", "REF\tTITLE\tPROVIDER\tVALIDITY\tCONFERS\tSTATUS",
		func(c people.Course) string {
			return strings.Join([]string{c.Ref, c.Title, dash(c.Provider), validity(c.ValidityMonths), names(c.Competences), c.Status}, "\t")
		})
	cmd.AddCommand(list, add, show, update, peopleStatus(e, base, "training course", "archive"), peopleStatus(e, base, "training course", "restore"))
	return cmd
}

func validity(months int) string {
	if months == 0 {
		return "does not expire"
	}
	return strconv.Itoa(months) + " months"
}

func newTraining(e env) *cobra.Command {
	const base = "/api/v1/training-records"
	cmd := &cobra.Command{Use: "training", Short: "Training records: record, correct, withdraw and list"}
	var req people.RecordRequest
	record := &cobra.Command{
		Use:   "record",
		Short: "Record training a member completed (owners, managers and contributors)",
		Example: `  aims people training record --person ada@example.org --course CRS-1 --completed-on 2026-03-02 --evidence EV-3
  aims people training record --person ada@example.org --activity education --title "MSc Statistics" --competence Statistics
  aims people training record --replaces TR-4 --course CRS-1 --completed-on 2026-02-20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out people.TrainingRecord
			if err := c.do(cmd.Context(), "POST", base, req, &out); err != nil {
				return err
			}
			expires := "does not expire"
			if out.ExpiresOn != "" {
				expires = "expires on " + out.ExpiresOn
			}
			fmt.Fprintf(e.stdout, "recorded %s for %s: %s, completed on %s, %s\n", out.Ref, out.Person.Email, out.Title(), out.CompletedOn, expires)
			return nil
		},
	}
	f := record.Flags()
	f.StringVar(&req.Person, "person", "", "the member who completed it, by email")
	f.StringVar(&req.Course, "course", "", "the course completed (CRS-n)")
	f.StringVar(&req.Activity, "activity", "", "instead of a course: education, experience or other")
	f.StringVar(&req.ActivityTitle, "title", "", "with --activity: what the activity was")
	f.StringSliceVar(&req.Competences, "competence", nil, "with --activity: a competence it confers (repeat for more)")
	f.StringVar(&req.CompletedOn, "completed-on", "", "YYYY-MM-DD (default today)")
	f.StringVar(&req.ExpiresOn, "expires-on", "", "YYYY-MM-DD, the first day it no longer counts; only when the course has no validity")
	f.StringSliceVar(&req.Evidence, "evidence", nil, "evidence of it (EV-n; repeat for more)")
	f.StringVar(&req.Notes, "notes", "", "notes")
	f.StringVar(&req.Replaces, "replaces", "", "the record this one corrects (TR-n)")
	_ = record.RegisterFlagCompletionFunc("activity", fixedCompletion(people.Activities...))
	var reason string
	withdraw := &cobra.Command{
		Use: "withdraw TR-n", Short: "Withdraw a training record with a reason", Args: cobra.ExactArgs(1),
		Example: `  aims people training withdraw TR-3 --reason "Recorded for the wrong person"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out people.TrainingRecord
			if err := c.do(cmd.Context(), "POST", base+"/"+url.PathEscape(args[0])+"/withdraw", people.WithdrawRequest{Reason: reason}, &out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is withdrawn\n", out.Ref)
			return nil
		},
	}
	withdraw.Flags().StringVar(&reason, "reason", "", "why the record no longer counts")
	_ = withdraw.MarkFlagRequired("reason")
	show := peopleShow(e, base, "show TR-n", "Show a training record with its history", "  aims people training show TR-1",
		func(w io.Writer, r *people.TrainingRecord) {
			var evs []string
			for _, ev := range r.Evidence {
				evs = append(evs, strings.TrimSpace(ev.Ref+" "+ev.Title))
			}
			facts := [][2]string{{"Reference", r.Ref}, {"Person", r.Person.Email}, {"Training", r.Title()}, {"Confers", names(r.Competences)},
				{"Completed on", r.CompletedOn}, {"Expires on", r.ExpiresOn}, {"Evidence", strings.Join(evs, ", ")}, {"Notes", r.Notes},
				{"State", r.State}, {"Corrects", r.Replaces}, {"Corrected by", r.ReplacedBy}}
			if r.Withdrawal != nil {
				facts = append(facts, [2]string{"Withdrawn", r.Withdrawal.Reason})
			}
			printFacts(w, facts)
		})
	var q people.RecordQuery
	var output string
	list := &cobra.Command{
		Use: "list", Short: "List training records, the latest completed first", Args: cobra.NoArgs,
		Example: `  aims people training list --person ada@example.org
  aims people training list --state expired -o json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{"limit": {strconv.Itoa(q.Limit)}, "offset": {strconv.Itoa(q.Offset)}}
			for k, x := range map[string]string{"person": q.Person, "course": q.Course, "competence": q.Competence, "state": q.State} {
				if x != "" {
					v.Set(k, x)
				}
			}
			var page people.RecordPage
			if err := c.do(cmd.Context(), "GET", base+"?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			printRecords(e.stdout, page.Items)
			fmt.Fprintf(e.stderr, "%d records\n", page.Total)
			return nil
		},
	}
	lf := list.Flags()
	lf.StringVar(&q.Person, "person", "", "only this member's records (email)")
	lf.StringVar(&q.Course, "course", "", "only completions of this course (CRS-n)")
	lf.StringVar(&q.Competence, "competence", "", "only records conferring this competence (COMP-n)")
	lf.StringVar(&q.State, "state", "all", "current, expired, replaced, withdrawn or all")
	lf.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	lf.IntVar(&q.Offset, "offset", 0, "how many to skip")
	_ = list.RegisterFlagCompletionFunc("state", fixedCompletion("current", "expired", "replaced", "withdrawn", "all"))
	addOutputFlag(list, &output)
	cmd.AddCommand(list, record, show, withdraw)
	return cmd
}
