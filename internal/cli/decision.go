package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/spf13/cobra"
)

// newDecisions is the decisions command.
func newDecisions(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "decisions",
		Aliases: []string{"decision"},
		Short:   "Record, search and explain an AI system's decisions; get their receipts",
		Long: `Every AI system has its own verifiable decision log (ISO/IEC 42001 A.6.2.8, A.8;
EU AI Act Art. 12 and 26): what the system decided, on which inputs, with which
model version, why (feature attributions, reason codes) and what a person
reviewing it did. Records go in with 'push' from an NDJSON file, one record a
line; outcomes learnt later with 'outcomes push'. A decision is named by its
log index or by the client's own record id. Its receipt proves offline, with
'aims receipt verify', that the decision is in the log and unaltered.

These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN); 'decisions token' makes a token that may only
write one system's decisions, for the system itself to use.`,
		Example: `  aims decisions push decisions.ndjson --system SYS-1
  aims decisions list --system SYS-1 --review overridden
  aims decisions show --system SYS-1 loan-2026-000042
  aims decisions receipt --system SYS-1 42 --out receipt.json
  aims receipt verify receipt.json --key "$(curl -s https://aims.example/api/v1/audit/key)"`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	outcomes := &cobra.Command{
		Use:   "outcomes",
		Short: "Record what actually happened after decisions (ground truth for monitoring)",
	}
	outcomes.AddCommand(newPush(e, pushOutcomes))
	cmd.AddCommand(newPush(e, pushDecisions), outcomes, newDecisionList(e), newDecisionShow(e), newDecisionReceipt(e),
		newDecisionErase(e), newDecisionRetention(e), newDecisionOversight(e), newDecisionToken(e))
	return cmd
}

// systemFlag adds the required --system flag with completion.
func systemFlag(e env, cmd *cobra.Command, system *string) {
	cmd.Flags().StringVar(system, "system", "", "the AI system (SYS-1 or its id)")
	_ = cmd.MarkFlagRequired("system")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
}

func systemPath(system string) string {
	return "/api/v1/systems/" + url.PathEscape(strings.TrimSpace(system))
}

func decisionPath(system, key string) string {
	return systemPath(system) + "/decisions/" + url.PathEscape(strings.TrimSpace(key))
}

func newPush(e env, kind pushKind) *cobra.Command {
	var o pushOptions
	use, short, long, example := "push FILE", "", "", ""
	switch kind {
	case pushDecisions:
		short = "Stream decision records from an NDJSON file, resuming after an interruption"
		long = `Send the decision records in FILE, one JSON object a line (NDJSON; '-' reads
standard input), to the AI system's decision log in batches. A record is
{"id", "time", "model", "inputs", "output": {"label", "score"}, "confidence",
"explanation": {"attributions": [{"feature", "value"}], "reason_codes"},
"subject", "review"}; see the API documentation for every field.

After every batch the server acknowledges, the push writes FILE.push-state;
when interrupted, running the same command again continues after the last
acknowledged record (--restart starts over). The server stores a record id
only once, so records sent again after a crash are counted as duplicates,
never stored twice. Connection failures, 5xx and 429 answers are retried
with backoff. A bad record stops the push and is named by its line; with
--partial the good records of a batch are stored and bad ones reported.`
		example = `  aims decisions push decisions.ndjson --system SYS-1
  aims decisions push decisions.ndjson --system SYS-1 --batch 2000 --partial
  gzip -dc day.ndjson.gz | aims decisions push - --system SYS-1`
	case pushOutcomes:
		short = "Stream outcomes of decisions from an NDJSON file"
		long = `Send outcomes in FILE, one JSON object a line ('-' reads standard input):
{"id", "decision" (the decision's record id) or "index", "label" or "score",
"time"}. Outcomes are appended, never edited. Give each outcome an id so a
batch sent again after a failure is not stored twice. The push resumes after
an interruption as 'decisions push' does.`
		example = `  aims decisions outcomes push outcomes.ndjson --system SYS-1`
	}
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long, Example: example, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			c.http = &http.Client{Timeout: 10 * time.Minute}
			o.file = args[0]
			return runPush(cmd.Context(), e, c, kind, o)
		},
	}
	f := cmd.Flags()
	systemFlag(e, cmd, &o.system)
	f.IntVar(&o.batch, "batch", pushDefaultBatch, "records a request carries at most")
	f.Int64Var(&o.maxBytes, "max-bytes", pushDefaultBytes, "bytes a request carries at most; keep it at or under the server's limit")
	f.BoolVar(&o.restart, "restart", false, "ignore the state of an interrupted push and start from the first line")
	f.IntVar(&o.retries, "retries", 5, "how often to retry a batch after a transient failure")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "show no progress")
	if kind == pushDecisions {
		f.BoolVar(&o.partial, "partial", false, "store the good records of a batch with bad ones, and report the bad ones")
	}
	addOutputFlag(cmd, &o.output)
	return cmd
}

// timeFlag parses --from and --to: RFC 3339 or a date.
func timeFlag(name, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Format(time.RFC3339Nano), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t.Format(time.RFC3339), nil
	}
	return "", fmt.Errorf("--%s must be a time such as 2026-03-01T07:00:00Z or a date such as 2026-03-01", name)
}

func newDecisionList(e env) *cobra.Command {
	var system, from, to, output string
	var q decision.Query
	cmd := &cobra.Command{
		Use:   "list --system SYS",
		Short: "Search a system's decisions, newest first",
		Example: `  aims decisions list --system SYS-1
  aims decisions list --system SYS-1 --from 2026-03-01 --to 2026-04-01 --model 1.4.0 --output decline
  aims decisions list --system SYS-1 --review overridden -o json
  aims decisions list --system SYS-1 --before 1200 --limit 100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			v := url.Values{}
			for name, val := range map[string]string{"from": from, "to": to} {
				t, err := timeFlag(name, val)
				if err != nil {
					return err
				}
				if t != "" {
					v.Set(name, t)
				}
			}
			for name, val := range map[string]string{"model": q.Model, "output": q.Output, "subject": q.Subject, "review": q.Review} {
				if val != "" {
					v.Set(name, val)
				}
			}
			if q.Limit != 0 {
				v.Set("limit", strconv.Itoa(q.Limit))
			}
			if cmd.Flags().Changed("before") {
				v.Set("before", strconv.FormatInt(q.Before, 10))
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := systemPath(system) + "/decisions"
			if len(v) > 0 {
				path += "?" + v.Encode()
			}
			var page decision.Page
			if err := c.do(cmd.Context(), "GET", path, nil, &page); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, page)
			}
			if len(page.Items) == 0 {
				fmt.Fprintf(e.stdout, "no decisions match (the log of %s holds %d)\n", page.System, page.Size)
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "INDEX\tID\tTIME\tMODEL\tOUTPUT\tSCORE\tREVIEW")
			for _, d := range page.Items {
				out := dash(d.OutputLabel)
				if d.Erased {
					out += " (erased)"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Index, d.ID, d.Time.UTC().Format(time.RFC3339), dash(d.ModelKey),
					out, number(d.OutputScore), dash(d.Review))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%d shown; the log of %s holds %d decisions", len(page.Items), page.System, page.Size)
			if page.Next != nil {
				fmt.Fprintf(e.stdout, "; more with --before %d", *page.Next)
			}
			fmt.Fprintln(e.stdout)
			return nil
		},
	}
	f := cmd.Flags()
	systemFlag(e, cmd, &system)
	f.StringVar(&from, "from", "", "only decisions made at or after this time (RFC 3339 or a date)")
	f.StringVar(&to, "to", "", "only decisions made before this time (RFC 3339 or a date)")
	f.StringVar(&q.Model, "model", "", "only decisions of this model version: its key such as MDL-1@1.4.0, label or id")
	f.StringVar(&q.Output, "output", "", "only decisions with this output label")
	f.StringVar(&q.Subject, "subject", "", "only decisions about this subject pseudonym")
	f.StringVar(&q.Review, "review", "", "any, none, reviewed, agreed or overridden")
	f.IntVar(&q.Limit, "limit", 0, "how many to show (1–500; 50 when left out)")
	f.Int64Var(&q.Before, "before", 0, "continue with decisions before this index (the 'more with --before' of the previous page)")
	// -o is --output elsewhere; here --output filters by output label.
	f.StringVarP(&output, "format", "o", "table", "table or json")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion("table", "json"))
	_ = cmd.RegisterFlagCompletionFunc("review", fixedCompletion("any", "none", "reviewed", "agreed", "overridden"))
	return cmd
}

// number writes an optional number compactly.
func number(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'g', 6, 64)
}

func newDecisionShow(e env) *cobra.Command {
	var system, output string
	cmd := &cobra.Command{
		Use:   "show --system SYS KEY",
		Short: "Show one decision and why it was made",
		Long: `Show a decision, named by its log index or the client's record id: the inputs,
the output and confidence, the explanation (feature attributions largest
first, with a bar for their size; reason codes; text), the human review, the
outcomes learnt since and the hash of the record the log commits to.`,
		Example:           "  aims decisions show --system SYS-1 42\n  aims decisions show --system SYS-1 loan-2026-000042 -o json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var d decision.Decision
			if err := c.do(cmd.Context(), "GET", decisionPath(system, args[0]), nil, &d); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, d)
			}
			return printDecision(e.stdout, &d)
		},
	}
	systemFlag(e, cmd, &system)
	addOutputFlag(cmd, &output)
	return cmd
}

func newDecisionReceipt(e env) *cobra.Command {
	var system, out string
	cmd := &cobra.Command{
		Use:   "receipt --system SYS KEY",
		Short: "Get the receipt that proves a decision is in the log",
		Long: `Write the receipt of a decision, named by its log index or record id: the
record's hash, the record itself (unless erased), an inclusion proof and a
signed checkpoint of the system's decision log, in the documented JSON form
aims-decision-receipt/v1. Anyone can check it offline with 'aims receipt
verify' and the installation's verifier key; it is what an affected person or
a regulator can be given.`,
		Example:           "  aims decisions receipt --system SYS-1 42 --out receipt-42.json\n  aims decisions receipt --system SYS-1 loan-2026-000042 > receipt.json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if err := c.do(cmd.Context(), "GET", decisionPath(system, args[0])+"/receipt", nil, &raw); err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := json.Indent(&buf, raw, "", "  "); err != nil {
				return err
			}
			buf.WriteByte('\n')
			if out == "" || out == "-" {
				_, err := e.stdout.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return err
			}
			var r decision.Receipt
			_ = json.Unmarshal(raw, &r)
			fmt.Fprintf(e.stderr, "wrote the receipt of decision %d of %s (tree of %d) to %s\n", r.Index, r.System, r.TreeSize, out)
			return nil
		},
	}
	systemFlag(e, cmd, &system)
	cmd.Flags().StringVar(&out, "out", "", "file to write the receipt to; standard output when left out")
	return cmd
}

func newDecisionErase(e env) *cobra.Command {
	var system, output string
	var req decision.EraseRequest
	cmd := &cobra.Command{
		Use:   "erase --system SYS --subject PSEUDONYM --reason TEXT",
		Short: "Erase the payloads of every decision about a subject",
		Long: `Erase the stored records (inputs, output, explanation, review), the subject
pseudonym and the sensitive attributes of every decision of the system about
the subject, as a data subject's erasure request asks. The log keeps each
record's hash, so the log and every receipt stay verifiable; the erasure is
an audit event. Owners and managers may do this.`,
		Example: `  aims decisions erase --system SYS-1 --subject p-7f3a --reason "Erasure request DSR-2026-014"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var res decision.EraseResult
			if err := c.do(cmd.Context(), "POST", systemPath(system)+"/decisions/erase", req, &res); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, res)
			}
			fmt.Fprintf(e.stdout, "erased the payloads of %d decision(s) of %s about the subject; their hashes stay in the log, which still verifies\n",
				res.Erased, res.System)
			return nil
		},
	}
	systemFlag(e, cmd, &system)
	cmd.Flags().StringVar(&req.Subject, "subject", "", "the subject pseudonym the decisions name")
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why, such as the erasure request's reference")
	_ = cmd.MarkFlagRequired("subject")
	_ = cmd.MarkFlagRequired("reason")
	addOutputFlag(cmd, &output)
	return cmd
}

func newDecisionRetention(e env) *cobra.Command {
	var system, output string
	var days int
	cmd := &cobra.Command{
		Use:   "retention --system SYS [--days N]",
		Short: "Show or set how long a system's decision payloads are kept",
		Long: fmt.Sprintf(`Show the system's decision log (its size, origin and retention), or set with
--days how many days a decision's payload is kept after it was recorded: at
least %d (six months, the EU AI Act's minimum for deployers' logs). Expired
payloads are erased; their hashes stay, so the log still verifies.`, decision.MinRetentionDays),
		Example: "  aims decisions retention --system SYS-1\n  aims decisions retention --system SYS-1 --days 730",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var l decision.Log
			if cmd.Flags().Changed("days") {
				err = c.do(cmd.Context(), "PUT", systemPath(system)+"/decision-log/retention", decision.RetentionRequest{Days: days}, &l)
			} else {
				err = c.do(cmd.Context(), "GET", systemPath(system)+"/decision-log", nil, &l)
			}
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, l)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "system\t%s %s\nlog\t%s\ndecisions\t%d\nretention\t%d days\n", l.SystemRef, l.SystemName, l.Origin, l.Size, l.RetentionDays)
			return tw.Flush()
		},
	}
	systemFlag(e, cmd, &system)
	cmd.Flags().IntVar(&days, "days", 0, fmt.Sprintf("keep payloads this many days (%d to %d)", decision.MinRetentionDays, decision.MaxRetentionDays))
	addOutputFlag(cmd, &output)
	return cmd
}

func newDecisionOversight(e env) *cobra.Command {
	var system, output string
	cmd := &cobra.Command{
		Use:     "oversight --system SYS",
		Short:   "How often people review and override the system's decisions, per model version",
		Example: "  aims decisions oversight --system SYS-1\n  aims decisions oversight --system SYS-1 -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var o decision.Oversight
			if err := c.do(cmd.Context(), "GET", systemPath(system)+"/oversight", nil, &o); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, o)
			}
			if o.Total.Decisions == 0 {
				fmt.Fprintf(e.stdout, "%s has recorded no decisions\n", o.System)
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MODEL VERSION\tDECISIONS\tREVIEWED\tREVIEW RATE\tOVERRIDDEN\tOVERRIDE RATE")
			row := func(name string, r decision.OversightRow) {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\t%d\t%.1f%%\n", name, r.Decisions, r.Reviewed, r.ReviewRate*100, r.Overridden, r.OverrideRate*100)
			}
			for _, r := range o.Versions {
				row(dash(r.ModelKey), r)
			}
			row("total", o.Total)
			return tw.Flush()
		},
	}
	systemFlag(e, cmd, &system)
	addOutputFlag(cmd, &output)
	return cmd
}

func newDecisionToken(e env) *cobra.Command {
	var system, output string
	var req identity.CreateTokenRequest
	cmd := &cobra.Command{
		Use:   "token --system SYS --name NAME",
		Short: "Create a token that may only write one system's decisions",
		Long: `Create an API token of yours that may only record the decisions and outcomes of
the AI system, for the system itself (or its pipeline) to use with 'decisions
push' or the API; every other request with it is refused. The secret is
printed once, on standard output; store it in a secret manager.`,
		Example: `  aims decisions token --system SYS-1 --name "scoring service" --expires 365d`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var t api.NewToken
			if err := c.do(cmd.Context(), "POST", systemPath(system)+"/tokens", req, &t); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, t)
			}
			if t.Secret == "" {
				return errors.New("the server returned no secret")
			}
			fmt.Fprintln(e.stdout, t.Secret)
			exp := "never"
			if t.ExpiresAt != nil {
				exp = t.ExpiresAt.Format("2006-01-02 15:04 MST")
			}
			fmt.Fprintf(e.stderr, "token %q may only write the decisions of %s, expires %s; it is shown only this once\n",
				t.Name, strings.TrimSpace(system), exp)
			return nil
		},
	}
	systemFlag(e, cmd, &system)
	cmd.Flags().StringVar(&req.Name, "name", "", "what the token is for, such as 'scoring service'")
	cmd.Flags().StringVar(&req.Expires, "expires", "90d", "lifetime such as 30d, 12h or never")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.RegisterFlagCompletionFunc("expires", fixedCompletion("30d", "90d", "365d", "never"))
	addOutputFlag(cmd, &output)
	return cmd
}
