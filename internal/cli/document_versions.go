package cli

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/document"
	"github.com/spf13/cobra"
)

func newDocumentEdit(e env) *cobra.Command {
	var file, note string
	cmd := &cobra.Command{
		Use:   "edit DOC-n",
		Short: "Write the draft: its text or change note; starts the next version when there is no draft",
		Long: `Replaces the draft's text with a Markdown file (or standard input with -), or
changes its change note. When the document has no draft, the next version is
started: from the file given, or else from the text in force.`,
		Example: `  aims document edit DOC-1 --file policy.md --change-note "Adds human oversight"
  aims document edit DOC-1 --change-note "Adds human oversight"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			var text *string
			if file != "" {
				b, err := readInput(e, file)
				if err != nil {
					return err
				}
				s := string(b)
				text = &s
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
			var v document.Version
			if doc.Draft == nil {
				if err := c.do(ctx, "POST", documentPath(doc.Ref)+"/versions", document.DraftRequest{Text: text, ChangeNote: note}, &v); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "started version %d of %s as a draft (revision %d, SHA-256 %s)\n", v.Number, v.DocumentRef, v.Revision, v.TextSHA256)
				return nil
			}
			up := document.DraftUpdate{Revision: doc.Draft.Revision, Text: text}
			if fl.Changed("change-note") {
				up.ChangeNote = &note
			}
			if err := c.do(ctx, "PATCH", documentPath(doc.Ref)+"/draft", up, &v); err != nil {
				return err
			}
			if v.Revision == doc.Draft.Revision {
				fmt.Fprintf(e.stdout, "nothing changed: the draft of %s, version %d, stays at revision %d\n", v.DocumentRef, v.Number, v.Revision)
			} else {
				fmt.Fprintf(e.stdout, "saved the draft of %s, version %d (revision %d, SHA-256 %s)\n", v.DocumentRef, v.Number, v.Revision, v.TextSHA256)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "Markdown file with the whole text, or - for standard input")
	cmd.Flags().StringVar(&note, "change-note", "", "what this version changes, and why")
	return cmd
}

func newDocumentDiscard(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "discard DOC-n",
		Short: "Discard the draft; the history keeps that it was there",
		Args:  cobra.ExactArgs(1),
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
			if doc.Draft == nil {
				return fmt.Errorf("%s has no draft to discard", doc.Ref)
			}
			n := doc.Draft.Number
			if err := c.do(ctx, "DELETE", documentPath(doc.Ref)+"/draft?revision="+strconv.Itoa(doc.Draft.Revision), nil, &doc); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "discarded the draft of %s, version %d\n", doc.Ref, n)
			return nil
		},
	}
}

func newDocumentApprove(e env) *cobra.Command {
	var note string
	var revision int
	cmd := &cobra.Command{
		Use:   "approve DOC-n",
		Short: "Approve the draft (owners and managers): it is frozen and put in force",
		Long: `Approves the draft as it stands: it is frozen for good, becomes the version in
force and must be acknowledged by everyone it is distributed to; the next
review falls due the review interval after today. Read it first with
'aims document text DOC-n --version N'; give --revision to approve only the
revision you read.`,
		Example: `  aims document approve DOC-1 --note "Board decision 2026/4"
  aims document approve DOC-1 --revision 3`,
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
			if doc.Draft == nil {
				return fmt.Errorf("%s has no draft to approve", doc.Ref)
			}
			req := document.ApproveRequest{Number: doc.Draft.Number, Revision: doc.Draft.Revision, Note: note}
			if revision > 0 {
				req.Revision = revision
			}
			sha := doc.Draft.TextSHA256
			if err := c.do(ctx, "POST", documentPath(doc.Ref)+"/approve", req, &doc); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "approved %s version %d (SHA-256 %s); it is in force, %d people are asked to acknowledge it; next review %s\n",
				doc.Ref, doc.Current.Number, sha, doc.Required, doc.NextReviewOn)
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note on the approval, such as the decision it follows")
	cmd.Flags().IntVar(&revision, "revision", 0, "the draft's revision you read (default the latest)")
	return cmd
}

func newDocumentReview(e env) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:     "review DOC-n",
		Short:   "Record that the version in force was reviewed and stays as it is (its owner, owners and managers)",
		Example: `  aims document review DOC-1 --note "Checked against the new risk criteria"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d document.Document
			if err := c.do(cmd.Context(), "POST", documentPath(args[0])+"/review", document.ReviewRequest{Note: note}, &d); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "recorded the review of %s version %d; next review %s\n", d.Ref, d.Current.Number, d.NextReviewOn)
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "what was reviewed and why nothing changes")
	return cmd
}

func newDocumentAcknowledge(e env) *cobra.Command {
	var version int
	cmd := &cobra.Command{
		Use:   "acknowledge DOC-n",
		Short: "Acknowledge that you have read and understood the version in force",
		Long: `Records that you have read and understood the version in force of a document
distributed to you, once per version. Read it first with 'aims document text DOC-n'.
--version names the version you read; if another is in force by then, nothing is recorded.`,
		Example: `  aims document text DOC-1 | less
  aims document acknowledge DOC-1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if version == 0 {
				var doc document.Document
				if err := c.do(ctx, "GET", documentPath(args[0]), nil, &doc); err != nil {
					return err
				}
				if doc.Current == nil {
					return fmt.Errorf("%s has no approved version to acknowledge yet", doc.Ref)
				}
				version = doc.Current.Number
			}
			var a document.Acknowledgement
			if err := c.do(ctx, "POST", documentPath(args[0])+"/acknowledge", document.AcknowledgeRequest{Number: version}, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "acknowledged %s version %d on %s\n", a.DocumentRef, a.Number, a.AcknowledgedAt.UTC().Format("2006-01-02 15:04 UTC"))
			return nil
		},
	}
	cmd.Flags().IntVar(&version, "version", 0, "the version you read (default the version in force)")
	return cmd
}

func newDocumentReaders(e env) *cobra.Command {
	var version int
	var output string
	cmd := &cobra.Command{
		Use:     "acknowledgements DOC-n",
		Short:   "Who has and who has not acknowledged a version (default the version in force)",
		Example: `  aims document acknowledgements DOC-1`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := documentPath(args[0]) + "/acknowledgements"
			if version > 0 {
				path += "?version=" + strconv.Itoa(version)
			}
			var rd document.Readers
			if err := c.do(cmd.Context(), "GET", path, nil, &rd); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, rd)
			}
			fmt.Fprintf(e.stdout, "%s version %d: %d of %d acknowledged (distributed to %s)\n", rd.DocumentRef, rd.Number, rd.Acknowledged,
				rd.Required, document.DistributionLabel(rd.Distribution))
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tACKNOWLEDGED")
			for _, p := range rd.People {
				when := "not yet"
				if p.AcknowledgedAt != nil {
					when = p.AcknowledgedAt.UTC().Format("2006-01-02 15:04")
				}
				if !p.Distributed {
					when += " (not distributed to them)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Email, p.Name, dash(p.Role), when)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&version, "version", 0, "an approved version (default the version in force)")
	addOutputFlag(cmd, &output)
	return cmd
}

func newDocumentVersions(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "versions DOC-n",
		Short: "List a document's versions, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var vs struct{ Items []document.VersionInfo }
			if err := c.do(cmd.Context(), "GET", documentPath(args[0])+"/versions", nil, &vs); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, vs.Items)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tSTATUS\tAPPROVED\tBY\tSHA-256\tCHANGE NOTE")
			for _, v := range vs.Items {
				state, approved := v.Status, "-"
				if v.InForce {
					state = "in force"
				} else if v.Status == document.VersionApproved {
					state = "superseded"
				}
				if v.ApprovedAt != nil {
					approved = v.ApprovedAt.UTC().Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", v.Number, state, approved, dash(v.ApprovedByName), v.TextSHA256[:12], dash(v.ChangeNote))
			}
			return tw.Flush()
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newDocumentText(e env) *cobra.Command {
	var version int
	var out string
	cmd := &cobra.Command{
		Use:   "text DOC-n",
		Short: "Print a version's Markdown text (default the version in force, else the draft)",
		Example: `  aims document text DOC-1
  aims document text DOC-1 --version 2 -o policy-v2.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if version == 0 {
				var doc document.Document
				if err := c.do(ctx, "GET", documentPath(args[0]), nil, &doc); err != nil {
					return err
				}
				switch {
				case doc.Current != nil:
					version = doc.Current.Number
				case doc.Draft != nil:
					version = doc.Draft.Number
				default:
					return fmt.Errorf("%s has no version", doc.Ref)
				}
			}
			var v document.Version
			if err := c.do(ctx, "GET", documentPath(args[0])+"/versions/"+strconv.Itoa(version), nil, &v); err != nil {
				return err
			}
			if out != "" {
				if err := os.WriteFile(out, []byte(v.Text+"\n"), 0o644); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "wrote %s version %d to %s\n", v.DocumentRef, v.Number, out)
				return nil
			}
			fmt.Fprintln(e.stdout, v.Text)
			return nil
		},
	}
	cmd.Flags().IntVar(&version, "version", 0, "the version's number")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func newDocumentCompare(e env) *cobra.Command {
	var from, to int
	var output string
	cmd := &cobra.Command{
		Use:     "compare DOC-n --from N --to M",
		Short:   "Compare two versions line by line",
		Example: `  aims document compare DOC-1 --from 1 --to 2`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{"from": {strconv.Itoa(from)}, "to": {strconv.Itoa(to)}}
			var cmp document.Comparison
			if err := c.do(cmd.Context(), "GET", documentPath(args[0])+"/compare?"+v.Encode(), nil, &cmp); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, cmp)
			}
			fmt.Fprintf(e.stdout, "--- %s version %d\n+++ %s version %d\n", cmp.DocumentRef, from, cmp.DocumentRef, to)
			for _, l := range cmp.Lines {
				mark := " "
				switch l.Op {
				case document.OpAdded:
					mark = "+"
				case document.OpRemoved:
					mark = "-"
				}
				fmt.Fprintf(e.stdout, "%s%s\n", mark, l.Text)
			}
			fmt.Fprintf(e.stderr, "%d added, %d removed\n", cmp.Added, cmp.Removed)
			return nil
		},
	}
	cmd.Flags().IntVar(&from, "from", 0, "the older version")
	cmd.Flags().IntVar(&to, "to", 0, "the newer version")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	addOutputFlag(cmd, &output)
	return cmd
}

func newDocumentToRead(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "to-read",
		Short: "List the documents you have still to read and acknowledge",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var items struct{ Items []document.ToRead }
			if err := c.do(cmd.Context(), "GET", "/api/v1/documents-to-read", nil, &items); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, items.Items)
			}
			if len(items.Items) == 0 {
				fmt.Fprintln(e.stdout, "nothing to read: you have acknowledged everything distributed to you")
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tVERSION\tAPPROVED\tCHANGE NOTE")
			for _, it := range items.Items {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", it.DocumentRef, it.Title, it.Number, it.ApprovedAt.UTC().Format("2006-01-02"), dash(it.ChangeNote))
			}
			return tw.Flush()
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}
