package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/spf13/cobra"
)

// newAIBOM is the group of AI bill of materials commands.
func newAIBOM(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "aibom",
		Short: "Export and import a system's AI bill of materials (CycloneDX 1.6 JSON)",
		Long: `The AI bill of materials of a system as a CycloneDX 1.6 JSON document: its model
versions with their model cards, the data set versions they were trained and
evaluated on and those they were derived from, and who supplied each. Import
registers what a BOM holds for a system, leaving what exists as it is.
These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN).`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newAIBOMExport(e), newAIBOMImport(e))
	return cmd
}

func aibomPath(system string) string {
	return "/api/v1/systems/" + url.PathEscape(strings.TrimSpace(system)) + "/aibom"
}

// raw sends a request with a body as it is and returns the answer's body,
// turning API problems into errors naming the fields.
func (c *client) raw(ctx context.Context, method, path, contentType string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the aims server: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		return nil, problemError(resp.StatusCode, data)
	}
	return data, nil
}

func newAIBOMExport(e env) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "export SYS-n",
		Short: "Write a system's AI bill of materials as CycloneDX JSON",
		Example: `  aims aibom export SYS-1 -o credit-scoring.cdx.json
  aims aibom export SYS-1 | jq .components`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			data, err := c.raw(cmd.Context(), "GET", aibomPath(args[0]), "", nil)
			if err != nil {
				return err
			}
			if file == "" || file == "-" {
				_, err = e.stdout.Write(data)
				return err
			}
			if err := os.WriteFile(file, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", file, len(data))
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "output", "o", "", "file to write; standard output when empty or -")
	return cmd
}

func newAIBOMImport(e env) *cobra.Command {
	var dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "import SYS-n FILE",
		Short: "Register for a system what a CycloneDX JSON BOM holds",
		Long: `Registers for the system the data sets and their versions, the models and their
versions (with digests, model cards and results) and the suppliers a CycloneDX
JSON BOM holds; what exists already is left as it is. With --dry-run nothing
changes and the report says what would be done. FILE - reads standard input.
The import is one transaction: everything is recorded, or, when anything fails,
nothing is.`,
		Example: `  aims aibom import SYS-2 vendor-bom.json --dry-run
  aims aibom import SYS-2 vendor-bom.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var data []byte
			if args[1] == "-" {
				data, err = io.ReadAll(e.stdin)
			} else {
				data, err = os.ReadFile(args[1])
			}
			if err != nil {
				return err
			}
			path := aibomPath(args[0])
			if dryRun {
				path += "?dry_run=true"
			}
			out, err := c.raw(cmd.Context(), "POST", path, aibom.MediaType, data)
			if err != nil {
				return err
			}
			var rep supplier.ImportReport
			if err := json.Unmarshal(out, &rep); err != nil {
				return fmt.Errorf("unexpected answer from the server: %w", err)
			}
			if asJSON {
				return writeJSON(e.stdout, rep)
			}
			for _, it := range rep.Items {
				ref := it.Ref
				if ref == "" {
					ref = "-"
				}
				fmt.Fprintf(e.stdout, "%-12s %-16s %-18s %s\n", strings.ReplaceAll(it.Action, "_", " "), it.Kind, ref, it.Name)
			}
			for _, n := range rep.Notes {
				fmt.Fprintf(e.stdout, "note: %s\n", n)
			}
			if rep.DryRun {
				fmt.Fprintf(e.stdout, "dry run: %d would be created, %d already there; nothing was changed\n", rep.Created, rep.Existing)
			} else {
				fmt.Fprintf(e.stdout, "%d created, %d already there\n", rep.Created, rep.Existing)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only report what would be done; change nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
