package cli

import (
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/term"
)

func newAudit(e env) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify and sign the audit logs (administrative)"}
	var keys []string
	var org string
	var quiet bool
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Recompute every log and check every checkpoint",
		Long: `Recompute every verifiable log from its entries and check each payload against
the hash its leaf commits to, the stored tree hashes, the audit index and
every signed checkpoint (signature, and root against the recomputed tree).
Exits 1 and names the first bad entry if anything was altered, removed or
reordered, even behind the database's triggers.

The trusted key is the installation's own (from its key file) unless --key
gives the verifier key published at /api/v1/audit/key, which is what an
external auditor should do.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, e)
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				k, err := tlog.LoadKey(cfg.KeyFile())
				if err != nil {
					return fmt.Errorf("no trusted key: give --key with the verifier key from /api/v1/audit/key (%w)", err)
				}
				keys = []string{k.VerifierKey}
			}
			vs, err := tlog.Verifiers(keys...)
			if err != nil {
				return err
			}
			d, err := db.Open(cmd.Context(), cfg.DatabaseURL, cfg.DataDir)
			if err != nil {
				return err
			}
			defer d.Close()
			return runVerify(cmd, e, d, vs, keys, org, quiet)
		},
	}
	verify.Flags().StringArrayVar(&keys, "key", nil, "trusted verifier key (repeatable); default: the installation's own")
	verify.Flags().StringVar(&org, "org-id", "", "verify only this organisation's logs")
	verify.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only problems and the summary")
	config.AddServerFlags(verify.Flags(), adminFlags...)

	checkpoint := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign a checkpoint of every log that grew since its last one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openApp(cmd, e, true)
			if err != nil {
				return err
			}
			defer a.Close()
			n, err := a.Logs.SignAll(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "signed %d checkpoint(s) with %s\n", n, a.Key.Signer.Name())
			return nil
		},
	}
	config.AddServerFlags(checkpoint.Flags(), adminFlags...)
	cmd.AddCommand(verify, checkpoint)
	return cmd
}

func runVerify(cmd *cobra.Command, e env, d *db.DB, vs note.Verifiers, keys []string, org string, quiet bool) error {
	ctx := cmd.Context()
	out := e.stdout
	fmt.Fprintf(out, "verifying %s\n", d.Location)
	for _, k := range keys {
		fmt.Fprintf(out, "trusted key: %s\n", k)
	}
	if known, err := tlog.VerifierKeys(ctx, d); err == nil {
		for _, k := range known {
			if !slices.Contains(keys, k) {
				fmt.Fprintf(out, "note: the database also lists key %s, which is not trusted here\n", k)
			}
		}
	}
	names := map[string]string{}
	rows, err := d.QueryContext(ctx, `SELECT id, name FROM organisations`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		names[id] = name
	}
	rows.Close()
	reports, err := tlog.VerifyAll(ctx, d, org, tlog.VerifyOptions{Verifiers: vs, Progress: verifyProgress(e)})
	if err != nil {
		return fmt.Errorf("cannot verify: %w", err)
	}
	var entries int64
	var failed []*tlog.LogReport
	for _, r := range reports {
		entries += r.Entries
		if !r.OK() {
			failed = append(failed, r)
		}
		if quiet && r.OK() {
			continue
		}
		fmt.Fprintf(out, "\nlog %s (%s of %q)\n", r.Origin, r.Kind, names[r.OrgID])
		fmt.Fprintf(out, "  entries:     %d (%d erased)\n", r.Entries, r.Erased)
		if r.OK() {
			fmt.Fprintf(out, "  root hash:   %s\n", b64(r.Root))
		}
		fmt.Fprintf(out, "  checkpoints: %d signed, %d verified", r.Checkpoints, r.Verified)
		if r.Latest != nil {
			fmt.Fprintf(out, "; latest covers %d entries, signed %s", r.Latest.Size, r.Latest.SignedAt.Format(time.RFC3339))
		}
		fmt.Fprintln(out)
		if r.OK() {
			if r.Latest == nil || r.Latest.Size < r.Size {
				fmt.Fprintf(out, "  OK, but %d entries are not yet covered by a signed checkpoint\n", r.Size-latestSize(r))
			} else {
				fmt.Fprintln(out, "  OK")
			}
			continue
		}
		fmt.Fprintln(out, "  FAILED:")
		for _, p := range r.Problems {
			fmt.Fprintf(out, "    %s\n", p)
		}
		if r.Truncated {
			fmt.Fprintln(out, "    (more problems not shown)")
		}
	}
	fmt.Fprintf(out, "\n%d log(s), %d entries: ", len(reports), entries)
	if len(failed) == 0 {
		fmt.Fprintln(out, "all verified")
		return nil
	}
	fmt.Fprintf(out, "%d FAILED\n", len(failed))
	first := failed[0].Problems[0]
	if first.Index >= 0 {
		fmt.Fprintf(e.stderr, "first bad entry: %d in %s: %s\n", first.Index, failed[0].Origin, first.Message)
	} else {
		fmt.Fprintf(e.stderr, "first problem in %s: %s\n", failed[0].Origin, first.Message)
	}
	return exitError{code: 1}
}

func latestSize(r *tlog.LogReport) int64 {
	if r.Latest == nil {
		return 0
	}
	return r.Latest.Size
}

// verifyProgress prints progress of long verifications to a terminal.
func verifyProgress(e env) func(string, int64, int64) {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	last := time.Now()
	return func(origin string, done, total int64) {
		if done < total && time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprintf(e.stderr, "\r%s: %d/%d entries (%d%%)", origin, done, total, done*100/max(total, 1))
		if done == total {
			fmt.Fprint(e.stderr, "\r\033[K")
		}
	}
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
