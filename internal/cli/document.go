package cli

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/document"
	"github.com/spf13/cobra"
)

// newDocument is the document command.
func newDocument(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "document",
		Short: "Documents and the AI policy: versions, approval, distribution and acknowledgement",
		Long: `The organisation's documented information (ISO/IEC 42001 5.2, 7.3, 7.5, A.2): the AI
policy (at most one in force) and other policies, procedures and records. A
document (DOC-1, DOC-2 …) has an owner, a review interval, the clauses and
controls it addresses and the roles it is distributed to. Its text is written
in Markdown in a draft (edit), which an owner or manager approves: the
approved version is frozen for good and is in force until the next one. The
people it is distributed to acknowledge each version in force (acknowledge,
to-read); its owner or a lead records reviews without change (review).
These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN). Each change reads the current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newDocumentList(e), newDocumentAdd(e), newDocumentShow(e), newDocumentUpdate(e), newDocumentEdit(e),
		newDocumentDiscard(e), newDocumentApprove(e), newDocumentReview(e), newDocumentStatus(e, "archive"), newDocumentStatus(e, "restore"),
		newDocumentAcknowledge(e), newDocumentReaders(e), newDocumentVersions(e), newDocumentText(e), newDocumentCompare(e), newDocumentToRead(e))
	return cmd
}

// documentPath is the API path of a document.
func documentPath(ref string) string {
	return "/api/v1/documents/" + url.PathEscape(strings.TrimSpace(ref))
}

func documentKinds() []string {
	out := make([]string, len(document.Kinds))
	for i, o := range document.Kinds {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

// splitFlags splits repeated flags that may also hold commas: --clause 5.2,7.3 --clause 7.5.1.
func splitFlags(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

func newDocumentList(e env) *cobra.Command {
	var q document.Query
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List documents",
		Example: `  aims document list
  aims document list --review due
  aims document list --kind procedure --addresses A.5.2 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{}
			for k, x := range map[string]string{"q": q.Q, "kind": q.Kind, "status": q.Status, "review": q.Review, "addresses": q.Addresses, "owner": q.Owner} {
				if x != "" {
					v.Set(k, x)
				}
			}
			if q.Draft {
				v.Set("draft", "true")
			}
			v.Set("limit", strconv.Itoa(q.Limit))
			v.Set("offset", strconv.Itoa(q.Offset))
			var page document.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/documents?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tKIND\tIN FORCE\tDRAFT\tNEXT REVIEW\tACKNOWLEDGED\tSTATUS")
			for _, d := range page.Items {
				inForce, draft, acked := "-", "-", "-"
				if d.Current != nil {
					inForce = "v" + strconv.Itoa(d.Current.Number)
					acked = fmt.Sprintf("%d/%d", d.Acknowledged, d.Required)
				}
				if d.Draft != nil {
					draft = "v" + strconv.Itoa(d.Draft.Number)
				}
				next := dash(d.NextReviewOn)
				if d.ReviewState == document.ReviewDue || d.ReviewState == document.ReviewOverdue {
					next += " (" + d.ReviewState + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Ref, d.Title, d.Kind, inForce, draft, next, acked, d.Status)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no documents match")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, title, kind, clauses or controls")
	f.StringVar(&q.Kind, "kind", "", "ai_policy, policy, procedure, record or other")
	f.StringVar(&q.Status, "status", "active", "active, archived or all")
	f.StringVar(&q.Review, "review", "", "due (within 30 days or overdue) or overdue")
	f.StringVar(&q.Addresses, "addresses", "", "only documents addressing this clause or control, such as A.2.2")
	f.StringVar(&q.Owner, "owner", "", "only documents owned by this member (email or user id)")
	f.BoolVar(&q.Draft, "draft", false, "only documents with a draft")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(documentKinds()...))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "archived", "all"))
	_ = cmd.RegisterFlagCompletionFunc("review", fixedCompletion("due", "overdue"))
	return cmd
}

// documentFlags are the flags of a document's own fields.
type documentFlags struct {
	title, kind, owner              string
	months                          int
	clauses, controls, distribution []string
}

func (d *documentFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&d.title, "title", "", "the document's title")
	f.StringVar(&d.kind, "kind", "", "ai_policy, policy, procedure, record or other")
	f.StringVar(&d.owner, "owner", "", "the accountable member's email or user id (default you)")
	f.IntVar(&d.months, "review-months", 0, "months between reviews, 1–60 (default 12)")
	f.StringSliceVar(&d.clauses, "clause", nil, "a sub-clause it addresses, such as 5.2 (repeat or separate with commas)")
	f.StringSliceVar(&d.controls, "control", nil, "a control it addresses, such as A.2.2 (repeat or separate with commas)")
	f.StringSliceVar(&d.distribution, "distribute", nil, "everyone (default), or the roles that must acknowledge it: owner, manager, contributor, auditor, viewer")
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(documentKinds()...))
	_ = cmd.RegisterFlagCompletionFunc("distribute", fixedCompletion(append([]string{document.Everyone}, document.Roles()...)...))
}

func newDocumentAdd(e env) *cobra.Command {
	var d documentFlags
	var file, note, output string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Write a document; its text becomes the draft of version 1",
		Example: `  aims document add --title "AI policy" --kind ai_policy --file policy.md --change-note "First issue"
  aims document add --title "Impact assessment procedure" --kind procedure --control A.5.2 --clause 6.1.4,8.4 \
      --distribute manager,contributor --review-months 24 --owner ada@example.org --file - < procedure.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			req := document.CreateRequest{Title: d.title, Kind: d.kind, OwnerID: d.owner, ReviewMonths: d.months,
				Clauses: splitFlags(d.clauses), Controls: splitFlags(d.controls), Distribution: splitFlags(d.distribution), ChangeNote: note}
			if file != "" {
				b, err := readInput(e, file)
				if err != nil {
					return err
				}
				req.Text = string(b)
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var doc document.Document
			if err := c.do(cmd.Context(), "POST", "/api/v1/documents", req, &doc); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, doc)
			}
			fmt.Fprintf(e.stdout, "recorded %s %s (%s) with the draft of version 1; an owner or manager approves it with 'aims document approve %s'\n",
				doc.Ref, doc.Title, doc.Kind, doc.Ref)
			return nil
		},
	}
	d.add(cmd)
	cmd.Flags().StringVarP(&file, "file", "f", "", "Markdown file with the text, or - for standard input")
	cmd.Flags().StringVar(&note, "change-note", "", "what this version is, such as First issue")
	_ = cmd.MarkFlagRequired("title")
	_ = cmd.MarkFlagRequired("kind")
	addOutputFlag(cmd, &output)
	return cmd
}

func newDocumentShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "show DOC-n",
		Short:   "Show a document with its versions, acknowledgements, reviews and history",
		Example: `  aims document show DOC-1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var doc document.Document
			if err := c.do(ctx, "GET", documentPath(args[0]), nil, &doc); err != nil {
				return err
			}
			var versions struct{ Items []document.VersionInfo }
			if err := c.do(ctx, "GET", documentPath(doc.Ref)+"/versions", nil, &versions); err != nil {
				return err
			}
			var rv struct{ Items []document.Review }
			if err := c.do(ctx, "GET", documentPath(doc.Ref)+"/reviews", nil, &rv); err != nil {
				return err
			}
			var readers *document.Readers
			if doc.Current != nil {
				readers = &document.Readers{}
				if err := c.do(ctx, "GET", documentPath(doc.Ref)+"/acknowledgements", nil, readers); err != nil {
					return err
				}
			}
			if output == "json" {
				return writeJSON(e.stdout, map[string]any{"document": doc, "versions": versions.Items, "reviews": rv.Items, "acknowledgements": readers})
			}
			hist, err := c.history(ctx, documentPath(doc.Ref))
			if err != nil {
				return err
			}
			printDocument(e.stdout, &doc, versions.Items, rv.Items, readers)
			printHistory(e.stdout, hist)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printDocument(w io.Writer, d *document.Document, versions []document.VersionInfo, reviews []document.Review, readers *document.Readers) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, dash(v)) }
	items := func(its []document.Item) string {
		out := make([]string, len(its))
		for i, it := range its {
			out[i] = it.ID
		}
		return strings.Join(out, ", ")
	}
	row("Reference", d.Ref)
	row("Title", d.Title)
	row("Kind", document.Label(document.Kinds, d.Kind))
	row("Owner", strings.TrimSpace(d.OwnerName+" "+d.OwnerEmail))
	row("Status", d.Status)
	if d.ArchiveReason != "" {
		row("Withdrawn because", d.ArchiveReason)
	}
	row("Clauses", items(d.Clauses))
	row("Controls", items(d.Controls))
	row("Distributed to", document.DistributionLabel(d.Distribution))
	row("Review", fmt.Sprintf("every %d months", d.ReviewMonths))
	row("Last reviewed", d.LastReviewedOn)
	next := d.NextReviewOn
	if d.ReviewState == document.ReviewDue || d.ReviewState == document.ReviewOverdue {
		next += " (" + d.ReviewState + ")"
	}
	row("Next review", next)
	if d.Current != nil {
		row("In force", fmt.Sprintf("version %d, approved by %s on %s, SHA-256 %s", d.Current.Number, d.Current.ApprovedByName,
			d.Current.ApprovedAt.UTC().Format("2006-01-02"), d.Current.TextSHA256))
	} else {
		row("In force", "no version approved yet")
	}
	if d.Draft != nil {
		row("Draft", fmt.Sprintf("version %d, revision %d, last changed by %s", d.Draft.Number, d.Draft.Revision, d.Draft.UpdatedByName))
	}
	row("Version", strconv.Itoa(d.Version))
	_ = tw.Flush()
	fmt.Fprintf(w, "\nVersions:\n")
	for _, v := range versions {
		state := v.Status
		if v.InForce {
			state = "in force"
		} else if v.Status == document.VersionApproved {
			state = "superseded"
		}
		fmt.Fprintf(w, "  v%d %s %s\n", v.Number, state, v.ChangeNote)
	}
	if readers != nil {
		fmt.Fprintf(w, "\nAcknowledgements of version %d: %d of %d\n", readers.Number, readers.Acknowledged, readers.Required)
		for _, p := range readers.People {
			when := "not yet"
			if p.AcknowledgedAt != nil {
				when = p.AcknowledgedAt.UTC().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(w, "  %s %s %s\n", p.Email, dash(p.Role), when)
		}
	}
	if len(reviews) > 0 {
		fmt.Fprintf(w, "\nReviews:\n")
		for _, r := range reviews {
			fmt.Fprintf(w, "  %s v%d %s by %s, next %s %s\n", r.ReviewedOn, r.Number, r.Outcome, r.ReviewerName, r.NextReviewOn, r.Note)
		}
	}
}

func newDocumentUpdate(e env) *cobra.Command {
	var d documentFlags
	cmd := &cobra.Command{
		Use:   "update DOC-n",
		Short: "Change a document's details; its text is changed with edit",
		Example: `  aims document update DOC-1 --review-months 6 --distribute manager,contributor
  aims document update DOC-2 --control A.2.2,A.2.3 --owner ada@example.org`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var doc document.Document
			if err := c.do(ctx, "GET", documentPath(args[0]), nil, &doc); err != nil {
				return err
			}
			fl := cmd.Flags()
			up := document.UpdateRequest{Version: doc.Version}
			for flag, dst := range map[string]**string{"title": &up.Title, "kind": &up.Kind, "owner": &up.OwnerID} {
				if fl.Changed(flag) {
					v, _ := fl.GetString(flag)
					*dst = &v
				}
			}
			if fl.Changed("review-months") {
				up.ReviewMonths = &d.months
			}
			for flag, src := range map[string][]string{"clause": d.clauses, "control": d.controls, "distribute": d.distribution} {
				if !fl.Changed(flag) {
					continue
				}
				list := splitFlags(src)
				if list == nil {
					list = []string{}
				}
				switch flag {
				case "clause":
					up.Clauses = &list
				case "control":
					up.Controls = &list
				default:
					up.Distribution = &list
				}
			}
			var out document.Document
			if err := c.do(ctx, "PATCH", documentPath(doc.Ref), up, &out); err != nil {
				return err
			}
			if out.Version == doc.Version {
				fmt.Fprintf(e.stdout, "nothing changed: %s stays at version %d\n", out.Ref, out.Version)
			} else {
				fmt.Fprintf(e.stdout, "%s updated (version %d)\n", out.Ref, out.Version)
			}
			return nil
		},
	}
	d.add(cmd)
	return cmd
}

func newDocumentStatus(e env, action string) *cobra.Command {
	short := map[string]string{"archive": "Withdraw a document (owners and managers); its versions, acknowledgements and history stay",
		"restore": "Restore a withdrawn document"}[action]
	var reason string
	cmd := &cobra.Command{
		Use:   action + " DOC-n",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var body any
			if action == "archive" {
				body = document.ArchiveRequest{Reason: reason}
			}
			var d document.Document
			if err := c.do(cmd.Context(), "POST", documentPath(args[0])+"/"+action, body, &d); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is %s\n", d.Ref, d.Status)
			return nil
		},
	}
	if action == "archive" {
		cmd.Flags().StringVar(&reason, "reason", "", "why it is withdrawn, such as what replaces it")
	}
	return cmd
}
