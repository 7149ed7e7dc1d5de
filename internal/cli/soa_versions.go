package cli

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/soa"
	"github.com/spf13/cobra"
)

func newSoAVersions(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "versions",
		Short:   "List the approved versions",
		Example: `  aims soa versions`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var vs struct {
				Items []soa.VersionSummary `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/soa/versions", nil, &vs); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, vs)
			}
			if len(vs.Items) == 0 {
				fmt.Fprintln(e.stderr, "no version has been approved yet")
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tAPPROVED BY\tAPPROVED AT\tCHECKPOINT SIZE\tNOTE")
			for _, v := range vs.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", v.Number, v.ApprovedByName, v.ApprovedAt.UTC().Format(time.RFC3339), v.CheckpointSize,
					soaDash(oneLine(v.Note, 60)))
			}
			return tw.Flush()
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// versionArg reads a version number, or "draft" (0).
func versionArg(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "draft" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "v"))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a version: give a number such as 2, or draft", s)
	}
	return n, nil
}

func newSoACompare(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "compare FROM [TO]",
		Short: "Show what differs between two versions, or a version and the draft",
		Example: `  aims soa compare 1 2
  aims soa compare 2 draft
  aims soa compare 2            # against the draft`,
		Args: cobra.RangeArgs(1, 2),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
			if len(args) >= 2 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return versionCompletion(e, true)(cmd, args, s)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			from, err := versionArg(args[0])
			if err != nil {
				return err
			}
			to := 0
			if len(args) == 2 {
				if to, err = versionArg(args[1]); err != nil {
					return err
				}
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var cmp soa.Comparison
			if err := c.do(cmd.Context(), "GET", fmt.Sprintf("/api/v1/soa/compare?from=%d&to=%d", from, to), nil, &cmp); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, cmp)
			}
			printComparison(e.stdout, &cmp)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newSoAExport(e env) *cobra.Command {
	var version, format, file string
	cmd := &cobra.Command{
		Use:   "export --format pdf|xlsx|csv|md",
		Short: "Export an approved version, or the draft, as PDF, XLSX, CSV or Markdown",
		Long: `Download a version of the Statement of Applicability as a file. Without -o the
file is saved under the name the server gives it, such as soa-v2.pdf, in the
current directory; -o - writes it to standard output.`,
		Example: `  aims soa export --version 2 --format pdf
  aims soa export --format xlsx -o draft.xlsx     # the draft, marked DRAFT
  aims soa export --version 1 --format md -o -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n := 0
			if version != "" {
				var err error
				if n, err = versionArg(version); err != nil {
					return err
				}
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/soa/export?format=" + url.QueryEscape(format)
			if n > 0 {
				path = "/api/v1/soa/versions/" + strconv.Itoa(n) + "/export?format=" + url.QueryEscape(format)
			}
			name, data, err := c.download(cmd.Context(), path)
			if err != nil {
				return err
			}
			if file == "-" {
				_, err := e.stdout.Write(data)
				return err
			}
			if file == "" {
				file = name
			}
			if err := os.WriteFile(file, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", file, len(data))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&version, "version", "", "the approved version to export (default: the draft)")
	f.StringVar(&format, "format", "", "pdf, xlsx, csv or md (required)")
	f.StringVarP(&file, "output", "o", "", "file to write; - for standard output (default: the name the server gives)")
	_ = cmd.MarkFlagRequired("format")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion("pdf\tPDF document", "xlsx\tExcel workbook", "csv\tcomma-separated values", "md\tMarkdown"))
	_ = cmd.RegisterFlagCompletionFunc("version", versionCompletion(e, true))
	return cmd
}

// download fetches a file from the API and returns the name the server
// gives it and its bytes.
func (c *client) download(ctx context.Context, path string) (string, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("cannot reach the aims server: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode >= 400 {
		return "", nil, problemError(resp.StatusCode, data)
	}
	name := "soa-export"
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		name = filepath.Base(params["filename"])
	}
	return name, data, nil
}
