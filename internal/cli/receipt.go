package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/spf13/cobra"
)

// newReceipt is the receipt command: offline checks of decision receipts.
func newReceipt(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "receipt",
		Short: "Check decision receipts offline",
		Long: `A decision receipt (aims-decision-receipt/v1, from 'aims decisions receipt' or
GET /api/v1/systems/{id}/decisions/{key}/receipt) proves that one decision is
in an AI system's decision log, unaltered. Checking it needs no server and no
account, only the installation's verifier key.`,
	}
	cmd.AddCommand(newReceiptVerify(e))
	return cmd
}

func newReceiptVerify(e env) *cobra.Command {
	var keys []string
	cmd := &cobra.Command{
		Use:   "verify FILE --key KEY",
		Short: "Verify a decision receipt offline against a trusted key",
		Long: `Check a decision receipt without contacting any server: that the checkpoint is
signed by the trusted key, that it names the receipt's log and tree size, that
the record (when the receipt carries it) hashes to the record hash, and that
the inclusion proof leads from that hash to the signed root. Exits 1 with the
reason when any check fails.

KEY is the verifier key the installation publishes at /api/v1/audit/key (the
key 'aims audit verify --key' takes), or a file holding it. FILE '-' reads
standard input.`,
		Example: `  aims receipt verify receipt-42.json --key aims-1a2b3c4d+5e6f7a8b+AbCd...
  aims receipt verify receipt-42.json --key audit-key.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vkeys, err := verifierKeys(keys)
			if err != nil {
				return err
			}
			vs, err := tlog.Verifiers(vkeys...)
			if err != nil {
				return err
			}
			var data []byte
			if args[0] == "-" {
				data, err = io.ReadAll(io.LimitReader(e.stdin, 64<<20))
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			v, err := decision.VerifyReceipt(data, vs)
			if err != nil {
				fmt.Fprintf(e.stdout, "receipt %s: NOT VERIFIED\n", displayName(args[0]))
				fmt.Fprintf(e.stderr, "error: %v\n", err)
				return exitError{code: 1}
			}
			return printVerified(e, args[0], v)
		},
	}
	cmd.Flags().StringArrayVar(&keys, "key", nil, "trusted verifier key, or a file holding it (repeatable)")
	_ = cmd.MarkFlagRequired("key")
	return cmd
}

// verifierKeys reads each --key: a verifier key as it is, or a file holding
// verifier keys, one a line.
func verifierKeys(given []string) ([]string, error) {
	var out []string
	for _, k := range given {
		k = strings.TrimSpace(k)
		if k == "" {
			return nil, errors.New("--key is empty: give the verifier key from /api/v1/audit/key or a file holding it")
		}
		b, err := os.ReadFile(k)
		if err != nil {
			if !strings.Contains(k, "+") {
				return nil, fmt.Errorf("--key %q is neither a verifier key (name+hash+key) nor a readable file: %w", k, err)
			}
			out = append(out, k)
			continue
		}
		n := len(out)
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if strings.HasPrefix(line, "PRIVATE+KEY+") {
				return nil, fmt.Errorf("%s holds a private signing key; give the verifier key from /api/v1/audit/key instead", k)
			}
			out = append(out, line)
		}
		if len(out) == n {
			return nil, fmt.Errorf("%s holds no verifier key", k)
		}
	}
	return out, nil
}

// printVerified says what a verified receipt proves.
func printVerified(e env, file string, v *decision.Verified) error {
	fmt.Fprintf(e.stdout, "receipt %s: verified\n", displayName(file))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "log\t%s\n", v.Origin)
	fmt.Fprintf(tw, "index\t%d\n", v.Index)
	fmt.Fprintf(tw, "tree size\t%d\n", v.TreeSize)
	fmt.Fprintf(tw, "signed by\t%s\n", strings.Join(v.Signers, ", "))
	if r := v.Record; r != nil {
		fmt.Fprintf(tw, "decision\t%s\n", r.ID)
		fmt.Fprintf(tw, "time\t%s\n", r.Time.UTC().Format(time.RFC3339Nano))
		fmt.Fprintf(tw, "model version\t%s\n", r.Model.Key)
		fmt.Fprintf(tw, "output\t%s\n", outputText(r.Output))
		if r.Review != nil {
			fmt.Fprintf(tw, "human review\t%s by %s\n", r.Review.Result, r.Review.Reviewer)
		}
	} else {
		fmt.Fprintf(tw, "record\terased: only its hash is proven\n")
	}
	return tw.Flush()
}
