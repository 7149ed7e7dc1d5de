package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/spf13/cobra"
)

// newEvidence is the evidence command group.
func newEvidence(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "List, add, show and download evidence (talks to a server)",
		Long: `List, add, show and download your organisation's evidence: files kept by their
SHA-256, links and written notes, each valid for a period and linked to
controls, clauses and AI systems. These commands talk to an aims server
(--server or AIMS_SERVER) with an API token (--token or AIMS_TOKEN).

Links and targets are written type:id, such as control:A.6.2.4, control:CTL-2,
clause:6.1.3 or ai_system:SYS-1.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newEvidenceList(e), newEvidenceAdd(e), newEvidenceShow(e), newEvidenceDownload(e))
	return cmd
}

// evidenceOptionValues makes completions of an enumeration with its labels.
func evidenceOptionValues(opts []evidence.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

// targetCompletion offers the types of link; what follows the colon is the user's.
func targetCompletion(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	return []string{"control:\tan Annex A control such as A.6.2.4, or your own such as CTL-2",
		"clause:\ta sub-clause such as 6.1.3", "ai_system:\tan AI system such as SYS-1"}, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}

// evidenceRefCompletion offers the organisation's evidence references.
func evidenceRefCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var page evidence.EvidencePage
		if err := c.do(cmd.Context(), "GET", "/api/v1/evidence?status=all&limit=200", nil, &page); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, it := range page.Items {
			out = append(out, it.Ref+"\t"+it.Title)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func newEvidenceList(e env) *cobra.Command {
	var q evidence.ListQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List evidence",
		Example: `  aims evidence list
  aims evidence list --target control:A.6.2.4
  aims evidence list --validity expiring --sort until
  aims evidence list --search "bias report" --status all -o json`,
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
			for k, x := range map[string]string{"q": q.Q, "kind": q.Kind, "status": q.Status, "target": q.Target,
				"validity": q.Validity, "sort": q.Sort} {
				if x != "" {
					v.Set(k, x)
				}
			}
			v.Set("limit", strconv.Itoa(q.Limit))
			v.Set("offset", strconv.Itoa(q.Offset))
			var page evidence.EvidencePage
			if err := c.do(cmd.Context(), "GET", "/api/v1/evidence?"+v.Encode(), nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tKIND\tVALIDITY\tUNTIL\tLINKS")
			for _, it := range page.Items {
				until := it.ValidUntil
				if until == "" {
					until = "-"
				}
				links := make([]string, len(it.Links))
				for i, l := range it.Links {
					links[i] = l.String()
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.Ref, it.Title, it.Kind, it.Validity, until, orDash(strings.Join(links, " ")))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Total == 0 {
				fmt.Fprintln(e.stderr, "no evidence matches")
			} else {
				fmt.Fprintf(e.stderr, "%d–%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&q.Q, "search", "s", "", "words that must all appear in reference, title, description, URL or file name")
	f.StringVar(&q.Kind, "kind", "", "only file, link or note")
	f.StringVar(&q.Status, "status", "active", "active, archived or all")
	f.StringVar(&q.Target, "target", "", "only evidence linked to this, such as control:A.6.2.4, clause:6.1.3, ai_system:SYS-1")
	f.StringVar(&q.Validity, "validity", "", "only evidence that today is current, expiring (within 30 days), expired or not_yet_valid")
	f.StringVar(&q.Sort, "sort", "-added", "added, ref, title, until or updated; prefix - to reverse")
	f.IntVar(&q.Limit, "limit", 50, "how many to show (1–200)")
	f.IntVar(&q.Offset, "offset", 0, "how many to skip")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion(evidenceOptionValues(evidence.Kinds)...))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion("active", "archived", "all"))
	_ = cmd.RegisterFlagCompletionFunc("target", targetCompletion)
	_ = cmd.RegisterFlagCompletionFunc("validity", fixedCompletion(evidenceOptionValues(evidence.Validities[:4])...))
	_ = cmd.RegisterFlagCompletionFunc("sort", fixedCompletion("added", "-added", "ref", "-ref", "title", "-title", "until", "-until", "updated", "-updated"))
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newEvidenceAdd(e env) *cobra.Command {
	var req evidence.AddRequest
	var file, output string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add evidence: a file, a link or a note",
		Long: `Add evidence: a file (--file), a link (--link) or a written note (--note), with a
title, optional validity dates and what it supports (--link-to, repeatable).
A file is uploaded, checked and kept by its SHA-256; it cannot be changed
later.`,
		Example: `  aims evidence add --title "Bias test report, credit model v3" --file ./bias-report.pdf \
    --link-to control:A.6.2.4 --link-to ai_system:SYS-1 --valid-until 2027-03-31
  aims evidence add --title "Risk register" --link https://wiki.example.org/ai-risks --link-to clause:6.1.2
  aims evidence add --title "Oversight walkthrough" --note "Watched three reviews; each had a named reviewer." \
    --link-to control:A.9.2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			given := 0
			for _, s := range []string{file, req.URL, req.Note} {
				if s != "" {
					given++
				}
			}
			if given != 1 {
				return errors.New("give exactly one of --file, --link and --note")
			}
			switch {
			case file != "":
				req.Kind = evidence.KindFile
			case req.URL != "":
				req.Kind = evidence.KindLink
			default:
				req.Kind = evidence.KindNote
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			it, err := c.addEvidence(cmd.Context(), req, file)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, it)
			}
			fmt.Fprintf(e.stdout, "added %s %s\n", it.Ref, it.Title)
			if it.Kind == evidence.KindFile {
				fmt.Fprintf(e.stdout, "  %s, %d bytes, sha256 %s\n", it.FileName, it.FileSize, it.FileSHA256)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Title, "title", "", "what the evidence is (required)")
	f.StringVar(&req.Description, "description", "", "more about it")
	f.StringVar(&file, "file", "", "a file to upload")
	f.StringVar(&req.URL, "link", "", "an http or https address where the evidence is kept")
	f.StringVar(&req.Note, "note", "", "a written note")
	f.StringArrayVar(&req.Links, "link-to", nil, "what it supports, such as control:A.6.2.4, clause:6.1.3, ai_system:SYS-1 (repeatable)")
	f.StringVar(&req.ValidFrom, "valid-from", "", "first valid day, YYYY-MM-DD")
	f.StringVar(&req.ValidUntil, "valid-until", "", "last valid day, YYYY-MM-DD")
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagFilename("file")
	_ = cmd.RegisterFlagCompletionFunc("link-to", targetCompletion)
	return cmd
}

// addEvidence posts the multipart form that adds evidence, streaming the
// file from disk rather than holding it in memory.
func (c *client) addEvidence(ctx context.Context, req evidence.AddRequest, path string) (*evidence.Evidence, error) {
	var f *os.File
	if path != "" {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, fmt.Errorf("--file: %w", err)
		}
		defer f.Close()
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		write := func() error {
			fields := [][2]string{{"kind", req.Kind}, {"title", req.Title}, {"description", req.Description},
				{"url", req.URL}, {"note", req.Note}, {"valid_from", req.ValidFrom}, {"valid_until", req.ValidUntil}}
			for _, l := range req.Links {
				fields = append(fields, [2]string{"links", l})
			}
			for _, kv := range fields {
				if kv[1] == "" {
					continue
				}
				if err := mw.WriteField(kv[0], kv[1]); err != nil {
					return err
				}
			}
			if f != nil {
				fw, err := mw.CreateFormFile("file", filepath.Base(path))
				if err != nil {
					return err
				}
				if _, err := io.Copy(fw, f); err != nil {
					return err
				}
			}
			return mw.Close()
		}
		pw.CloseWithError(write())
	}()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/evidence", pr)
	if err != nil {
		pr.Close()
		return nil, err
	}
	hreq.Header.Set("Content-Type", mw.FormDataContentType())
	var it evidence.Evidence
	if err := c.send(hreq, &it); err != nil {
		pr.Close()
		return nil, err
	}
	return &it, nil
}

// send makes a request with the client's token and decodes a JSON answer,
// turning API problems into errors naming the fields.
func (c *client) send(req *http.Request, out any) error {
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.uploads().Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the aims server: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return problemError(resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("unexpected answer from the server: %w", err)
	}
	return nil
}

// uploads is an HTTP client for transfers that may take longer than an API call.
func (c *client) uploads() *http.Client {
	return &http.Client{Transport: c.http.Transport, Timeout: 30 * time.Minute}
}

func newEvidenceShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show evidence and its change history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var it evidence.Evidence
			if err := c.do(cmd.Context(), "GET", "/api/v1/evidence/"+url.PathEscape(args[0]), nil, &it); err != nil {
				return err
			}
			hist, err := c.history(cmd.Context(), "/api/v1/evidence/"+url.PathEscape(it.ID))
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, struct {
					evidence.Evidence
					History []api.HistoryEntry `json:"history"`
				}{it, hist})
			}
			printEvidence(e.stdout, &it, hist)
			return nil
		},
		ValidArgsFunction: evidenceRefCompletion(e),
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func printEvidence(w io.Writer, it *evidence.Evidence, hist []api.HistoryEntry) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		fmt.Fprintf(tw, "%s\t%s\n", k, strings.ReplaceAll(orDash(v), "\n", "\n\t"))
	}
	row("Reference", it.Ref)
	row("Title", it.Title)
	row("Kind", it.Kind)
	row("Status", it.Status)
	row("Validity", it.Validity)
	switch it.Kind {
	case evidence.KindFile:
		row("File", it.FileName)
		row("Size", strconv.FormatInt(it.FileSize, 10)+" bytes")
		row("Content type", it.ContentType)
		row("SHA-256", it.FileSHA256)
	case evidence.KindLink:
		row("URL", it.URL)
	case evidence.KindNote:
		row("Note", it.Note)
	}
	row("Description", it.Description)
	row("Valid from", it.ValidFrom)
	row("Valid until", it.ValidUntil)
	links := make([]string, len(it.Links))
	for i, l := range it.Links {
		links[i] = l.String()
		if l.Title != "" {
			links[i] += " (" + l.Title + ")"
		}
	}
	row("Links", strings.Join(links, "\n"))
	row("Added by", it.AddedByName)
	row("Version", strconv.Itoa(it.Version))
	row("Created", it.CreatedAt.Format(time.RFC3339))
	row("Updated", it.UpdatedAt.Format(time.RFC3339))
	tw.Flush()
	fmt.Fprintf(w, "\nHistory (newest first):\n")
	for _, h := range hist {
		fmt.Fprintf(w, "  #%d %s %s by %s\n", h.Index, h.Time, h.Action, h.Actor.Label)
		for _, c := range h.Changes {
			fmt.Fprintf(w, "      %s: %s → %s\n", c.Field, shown(c.Before), shown(c.After))
		}
	}
}

func newEvidenceDownload(e env) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "download REF",
		Short: "Download an evidence file and check its SHA-256",
		Long: `Download an evidence file. The bytes received are hashed and compared with the
SHA-256 recorded when the file was added; on a mismatch nothing is saved and
the command fails. The file is saved under its own name in the current
folder unless -o names another path, or - for standard output. An existing
file is never overwritten.`,
		Example: `  aims evidence download EV-3
  aims evidence download EV-3 -o report.pdf
  aims evidence download EV-3 -o - | sha256sum`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var it evidence.Evidence
			if err := c.do(cmd.Context(), "GET", "/api/v1/evidence/"+url.PathEscape(args[0]), nil, &it); err != nil {
				return err
			}
			if it.Kind != evidence.KindFile {
				return fmt.Errorf("%s is a %s and has no file to download", it.Ref, it.Kind)
			}
			dest := out
			if dest == "" {
				dest = it.FileName
			}
			n, err := c.downloadEvidence(cmd.Context(), &it, dest, e.stdout)
			if err != nil {
				return err
			}
			if dest != "-" {
				fmt.Fprintf(e.stderr, "saved %s (%d bytes, sha256 %s verified)\n", dest, n, it.FileSHA256)
			}
			return nil
		},
		ValidArgsFunction: evidenceRefCompletion(e),
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to save the file, or - for standard output (default: its own name here)")
	_ = cmd.MarkFlagFilename("output")
	return cmd
}

// downloadEvidence fetches a file and checks its SHA-256 against the
// item's before it keeps it: into a temporary file beside dest that is
// renamed only when the hash matches, or, for "-", to stdout, where a
// mismatch can only be reported after the bytes.
func (c *client) downloadEvidence(ctx context.Context, it *evidence.Evidence, dest string, stdout io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/v1/evidence/"+url.PathEscape(it.ID)+"/file", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.uploads().Do(req)
	if err != nil {
		return 0, fmt.Errorf("cannot reach the aims server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return 0, problemError(resp.StatusCode, data)
	}
	var w io.Writer = stdout
	var tmp *os.File
	if dest != "-" {
		if _, err := os.Lstat(dest); err == nil {
			return 0, fmt.Errorf("%s exists: choose another path with -o", dest)
		}
		if tmp, err = os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*"); err != nil {
			return 0, err
		}
		defer func() {
			tmp.Close()
			os.Remove(tmp.Name())
		}()
		w = tmp
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), resp.Body)
	if err != nil {
		return n, fmt.Errorf("download of %s broke off: %w", it.Ref, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != it.FileSHA256 {
		what := "the file was not saved"
		if tmp == nil {
			what = "do not trust the bytes written"
		}
		return n, fmt.Errorf("SHA-256 MISMATCH for %s: received %s, recorded %s; %s", it.Ref, got, it.FileSHA256, what)
	}
	if tmp == nil {
		return n, nil
	}
	if err := tmp.Sync(); err != nil {
		return n, err
	}
	if err := tmp.Close(); err != nil {
		return n, err
	}
	// Link refuses to replace a file that appeared meanwhile.
	if err := os.Link(tmp.Name(), dest); err != nil {
		if errors.Is(err, os.ErrExist) {
			return n, fmt.Errorf("%s exists: choose another path with -o", dest)
		}
		if err := os.Rename(tmp.Name(), dest); err != nil {
			return n, err
		}
	}
	return n, nil
}
