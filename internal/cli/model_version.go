package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/model"
	"github.com/spf13/cobra"
)

// newModelVersion is the group of commands on model versions.
func newModelVersion(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Register, show and change model versions",
		Long: `A model version is one trained artefact, named MODEL@LABEL such as MDL-1@1.4.0:
the SHA-256 of its file, the framework, the data set versions it was trained and
evaluated on, and its model card. It can be changed while it is a candidate;
approval freezes it.`,
	}
	cmd.AddCommand(newModelVersionAdd(e), newModelVersionShow(e), newModelVersionList(e), newModelVersionUpdate(e))
	return cmd
}

// cardFlags are the model card's flags, read over a card file.
type cardFlags struct {
	file                                                                         string
	intendedUse, outOfScopeUses, limitations, knownBiases, ethicalConsiderations string
}

// add registers the card flags on cmd.
func (c *cardFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.file, "card-file", "", `a JSON model card: {"intended_use": …, "out_of_scope_uses": …, "limitations": …, "known_biases": …, "ethical_considerations": …}`)
	f.StringVar(&c.intendedUse, "intended-use", "", "what the model is for, and for whom (needed for approval)")
	f.StringVar(&c.outOfScopeUses, "out-of-scope", "", "uses the model is not meant or fit for")
	f.StringVar(&c.limitations, "limitations", "", "where the model falls short (needed for approval)")
	f.StringVar(&c.knownBiases, "known-biases", "", "biases found in the model or its data")
	f.StringVar(&c.ethicalConsiderations, "ethical", "", "ethical considerations")
	_ = cmd.RegisterFlagCompletionFunc("card-file", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
	})
}

// update reads the card file and the card flags given into a card update.
func (c *cardFlags) update(cmd *cobra.Command) (*model.CardUpdate, error) {
	var u model.CardUpdate
	if c.file != "" {
		b, err := os.ReadFile(c.file)
		if err != nil {
			return nil, fmt.Errorf("--card-file: %w", err)
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if err := d.Decode(&u); err != nil {
			return nil, fmt.Errorf("--card-file %s: %w", c.file, err)
		}
	}
	f := cmd.Flags()
	for flag, dst := range map[string]struct {
		to  **string
		val *string
	}{"intended-use": {&u.IntendedUse, &c.intendedUse}, "out-of-scope": {&u.OutOfScopeUses, &c.outOfScopeUses},
		"limitations": {&u.Limitations, &c.limitations}, "known-biases": {&u.KnownBiases, &c.knownBiases},
		"ethical": {&u.EthicalConsiderations, &c.ethicalConsiderations}} {
		if f.Changed(flag) {
			*dst.to = dst.val
		}
	}
	return &u, nil
}

func newModelVersionAdd(e env) *cobra.Command {
	var req model.VersionRequest
	var artefact, output string
	var card cardFlags
	cmd := &cobra.Command{
		Use:   "add MODEL --label LABEL (--digest SHA256 | --artefact FILE)",
		Short: "Register a candidate version of a model",
		Example: `  aims model version add MDL-1 --label 1.4.0 --digest sha256:9f86d0… --framework "scikit-learn 1.5" \
    --trained-on DS-1@2 --evaluated-on DS-2@1 --card-file card.json
  aims model version add MDL-1 --label 1.5.0 --artefact model.pkl --intended-use "Score applications." \
    --limitations "Not for business loans."`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if artefact != "" {
				d, err := modelDigestOf(artefact)
				if err != nil {
					return err
				}
				req.Digest = d
			}
			u, err := card.update(cmd)
			if err != nil {
				return err
			}
			u.Apply(&req.Card)
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var v model.Version
			if err := c.do(cmd.Context(), "POST", modelPath(args[0])+"/versions", req, &v); err != nil {
				return err
			}
			return modelOutput(e, output, v, func(w io.Writer) { fmt.Fprintf(w, "registered %s (candidate)\n", v.Key) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Label, "label", "", "the version's label, such as 1.4.0 (required)")
	f.StringVar(&req.Digest, "digest", "", "the SHA-256 of the artefact, optionally after sha256:")
	f.StringVar(&artefact, "artefact", "", "the artefact file, whose SHA-256 is computed here")
	f.StringVar(&req.Framework, "framework", "", "framework and version, such as scikit-learn 1.5")
	f.StringArrayVar(&req.TrainedOn, "trained-on", nil, "a data set version it was trained on, such as DS-1@2 (repeatable)")
	f.StringArrayVar(&req.EvaluatedOn, "evaluated-on", nil, "a data set version it was evaluated on (repeatable)")
	card.add(cmd)
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("label")
	cmd.MarkFlagsOneRequired("digest", "artefact")
	cmd.MarkFlagsMutuallyExclusive("digest", "artefact")
	return cmd
}

func newModelVersionUpdate(e env) *cobra.Command {
	var digest, framework, artefact string
	var trained, evaluated []string
	var card cardFlags
	cmd := &cobra.Command{
		Use:   "update MODEL@LABEL",
		Short: "Change a candidate version's digest, framework, data or model card",
		Long: `Change the fields given of a candidate version. --trained-on and --evaluated-on
replace the lists. Once approved, a version cannot change: register a new one.`,
		Example:           `  aims model version update MDL-1@1.4.0 --limitations "Not validated for business loans."`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := card.update(cmd)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			req := model.VersionUpdate{Card: u}
			if artefact != "" {
				if digest, err = modelDigestOf(artefact); err != nil {
					return err
				}
			}
			if f.Changed("digest") || artefact != "" {
				req.Digest = &digest
			}
			if f.Changed("framework") {
				req.Framework = &framework
			}
			if f.Changed("trained-on") {
				req.TrainedOn = &trained
			}
			if f.Changed("evaluated-on") {
				req.EvaluatedOn = &evaluated
			}
			var before int
			err = versionChange(cmd, e, args[0], "PATCH", "", func(v int) any { before, req.Version = v, v; return req },
				func(v *model.Version) string {
					if v.Version == before {
						return "nothing changed: " + v.Key + " stays at version " + strconv.Itoa(v.Version)
					}
					return v.Key + " updated (version " + strconv.Itoa(v.Version) + ")"
				})
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&digest, "digest", "", "the SHA-256 of the artefact")
	f.StringVar(&artefact, "artefact", "", "the artefact file, whose SHA-256 is computed here")
	f.StringVar(&framework, "framework", "", "framework and version")
	f.StringArrayVar(&trained, "trained-on", nil, "a data set version it was trained on (repeatable; replaces the list)")
	f.StringArrayVar(&evaluated, "evaluated-on", nil, "a data set version it was evaluated on (repeatable; replaces the list)")
	card.add(cmd)
	cmd.MarkFlagsMutuallyExclusive("digest", "artefact")
	return cmd
}

func newModelVersionShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "show MODEL@LABEL",
		Short:             "Show a version: artefact, data, model card, results, approval, deployments and history",
		Example:           `  aims model version show MDL-1@1.4.0`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			p, err := modelVersionPath(args[0])
			if err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var v model.Version
			if err := c.do(cmd.Context(), "GET", p, nil, &v); err != nil {
				return err
			}
			hist, err := c.history(cmd.Context(), p)
			if err != nil {
				return err
			}
			out := struct {
				model.Version
				History []api.HistoryEntry `json:"history"`
			}{v, hist}
			return modelOutput(e, output, out, func(w io.Writer) { printModelVersion(w, &v, hist) })
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

func newModelVersionList(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "list MODEL",
		Short:             "List a model's versions, newest first",
		Example:           `  aims model version list MDL-1`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var vs struct {
				Items []model.Version `json:"items"`
			}
			if err := c.do(cmd.Context(), "GET", modelPath(args[0])+"/versions", nil, &vs); err != nil {
				return err
			}
			return modelOutput(e, output, vs, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KEY\tSTATUS\tENVIRONMENTS\tRESULTS\tTRAINED ON")
				for _, v := range vs.Items {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", v.Key, v.Status, orDash(strings.Join(v.Environments, ", ")), v.EvaluationCount,
						orDash(strings.Join(datasetKeyList(v.TrainedOn), ", ")))
				}
				tw.Flush()
			})
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// datasetKeyList lists the keys of data set versions.
func datasetKeyList(ds []model.DatasetVersionRef) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Key
	}
	return out
}

// printModelVersion writes a version for people.
func printModelVersion(w io.Writer, v *model.Version, hist []api.HistoryEntry) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, val string) { fmt.Fprintf(tw, "%s\t%s\n", k, orDash(strings.ReplaceAll(val, "\n", "\n\t"))) }
	decision := func(d *model.Decision) string {
		if d == nil {
			return ""
		}
		s := d.ByName + ", " + d.At.UTC().Format("2006-01-02 15:04 UTC")
		if d.Note != "" {
			s += ": " + d.Note
		}
		return s
	}
	row("Version", v.Key+" of "+v.ModelName)
	row("AI system", v.SystemRef+" "+v.SystemName)
	row("Status", v.Status)
	row("Environments", strings.Join(v.Environments, ", "))
	row("SHA-256", v.Digest)
	row("Framework", v.Framework)
	row("Trained on", strings.Join(datasetKeyList(v.TrainedOn), ", "))
	row("Evaluated on", strings.Join(datasetKeyList(v.EvaluatedOn), ", "))
	row("Intended use", v.Card.IntendedUse)
	row("Out-of-scope uses", v.Card.OutOfScopeUses)
	row("Limitations", v.Card.Limitations)
	row("Known biases", v.Card.KnownBiases)
	row("Ethical", v.Card.EthicalConsiderations)
	row("Approved", decision(v.Approval))
	row("Retired", decision(v.Retirement))
	row("Row version", strconv.Itoa(v.Version))
	tw.Flush()
	fmt.Fprintf(w, "\nEvaluation results (%d):\n", len(v.Evaluations))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, x := range v.Evaluations {
		on := "-"
		if x.Dataset != nil {
			on = x.Dataset.Key
		}
		fmt.Fprintf(tw, "  #%d\t%s\t%s\t%s\t%s\t%s\n", x.Number, x.Metric, strconv.FormatFloat(x.Value, 'g', -1, 64), on, x.MeasuredOn, x.Note)
	}
	tw.Flush()
	if len(v.Deployments) > 0 {
		fmt.Fprintln(w, "\nDeployments (newest first):")
		for _, d := range v.Deployments {
			state := "running"
			if !d.Active {
				state = d.EndReason
			}
			fmt.Fprintf(w, "  %s: deployed by %s %s, %s\n", d.Environment, d.DeployedName, d.DeployedAt.UTC().Format("2006-01-02 15:04 UTC"), state)
		}
	}
	modelHistory(w, hist)
}

func newModelEvaluate(e env) *cobra.Command {
	var metrics []string
	var file, output, format, feature string
	var req model.EvaluateRequest
	cmd := &cobra.Command{
		Use:   "evaluate MODEL@LABEL (--metric NAME=VALUE ... | --file FILE [--format fairlearn|evidently|mlflow])",
		Short: "Record evaluation results of a version, as a pipeline does",
		Long: `Record one or many evaluation results of a version. Give each as --metric
NAME=VALUE, or give --file with a JSON object of metric names and values (as
MLflow writes run metrics), or an object with "results" and "metrics" as the
API takes it; - reads standard input. --dataset, --date and --note apply to
every result. Results are appended and never changed.

With --format, --file is a report another tool wrote, and aims keeps the
report itself as evidence of control A.6.2.6 besides recording its numbers:
  fairlearn  a MetricFrame as JSON: overall, by_group, difference, ratio,
             group_min, group_max, or plain numbers; --feature names the
             sensitive feature in the results' names (accuracy[sex=female])
  evidently  a report's json() or as_dict(), Evidently 0.4 and later
  mlflow     a run (REST API or 'mlflow runs describe'), where the latest
             step of each metric wins, or {"accuracy": 0.91}`,
		Example: `  aims model evaluate MDL-1@1.4.0 --metric accuracy=0.91 --metric auc=0.88 --dataset DS-2@1
  aims model evaluate MDL-1@1.4.0 --file metrics.json --date 2026-03-01 --note "run 7f3a"
  aims model evaluate MDL-1@1.4.0 --file fairness.json --format fairlearn --feature sex --dataset DS-2@1
  aims model evaluate MDL-1@1.4.0 --file drift.json --format evidently`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: modelCompletion(e, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			p, err := modelVersionPath(args[0])
			if err != nil {
				return err
			}
			if format != "" || feature != "" {
				return importReport(cmd, e, p, output, file, model.ImportRequest{Format: format, Feature: feature,
					Dataset: req.Dataset, MeasuredOn: req.MeasuredOn, Note: req.Note})
			}
			if file != "" {
				if err := readResults(e, file, &req); err != nil {
					return err
				}
			}
			for _, m := range metrics {
				name, value, ok := strings.Cut(m, "=")
				x, perr := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if !ok || perr != nil {
					return fmt.Errorf("--metric %q: write NAME=VALUE with a number, such as accuracy=0.91", m)
				}
				req.Results = append(req.Results, model.EvaluationInput{Metric: name, Value: x})
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var out struct{ Items []model.Evaluation }
			if err := c.do(cmd.Context(), "POST", p+"/evaluations", req, &out); err != nil {
				return err
			}
			return modelOutput(e, output, out.Items, func(w io.Writer) { printEvaluations(w, out.Items) })
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&metrics, "metric", nil, "a result as NAME=VALUE (repeatable)")
	f.StringVar(&file, "file", "", "a JSON file of results, or with --format a tool's report; - for standard input")
	f.StringVar(&format, "format", "", "the tool that wrote --file: "+strings.Join(model.ImportFormats, ", ")+"; its report is kept as evidence")
	f.StringVar(&feature, "feature", "", "with --format fairlearn: the sensitive feature, named in the results, such as sex")
	f.StringVar(&req.Dataset, "dataset", "", "the data set version measured on, such as DS-2@1")
	f.StringVar(&req.MeasuredOn, "date", "", "the date measured, YYYY-MM-DD; today when left out")
	f.StringVar(&req.Note, "note", "", "a note, such as the run that produced the results")
	addOutputFlag(cmd, &output)
	cmd.MarkFlagsOneRequired("metric", "file")
	cmd.MarkFlagsMutuallyExclusive("metric", "format")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(model.ImportFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// printEvaluations lists results, one a line.
func printEvaluations(w io.Writer, evs []model.Evaluation) {
	for _, x := range evs {
		on := ""
		if x.Dataset != nil {
			on = " on " + x.Dataset.Key
		}
		fmt.Fprintf(w, "#%d %s = %s%s, %s\n", x.Number, x.Metric, strconv.FormatFloat(x.Value, 'g', -1, 64), on, x.MeasuredOn)
	}
}

// importReport sends a tool's report to the version at path p. The file
// goes as a JSON string, which the server keeps as it is, so that the
// evidence is the file byte for byte as the tool wrote it.
func importReport(cmd *cobra.Command, e env, p, output, file string, req model.ImportRequest) error {
	if req.Format == "" {
		return errors.New("--feature needs --format fairlearn")
	}
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(io.LimitReader(e.stdin, model.MaxReportBytes+1))
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return fmt.Errorf("--file: %w", err)
	}
	if len(b) > model.MaxReportBytes {
		return fmt.Errorf("--file %s: larger than %d MiB, the most aims imports at once", file, model.MaxReportBytes>>20)
	}
	if req.Report, err = json.Marshal(string(b)); err != nil {
		return err
	}
	c, err := newClient(cmd, e)
	if err != nil {
		return err
	}
	var out model.ImportResult
	if err := c.do(cmd.Context(), "POST", p+"/evaluations/import", req, &out); err != nil {
		return err
	}
	return modelOutput(e, output, out, func(w io.Writer) {
		fmt.Fprintf(w, "kept the %s report as evidence %s\n", req.Format, out.Evidence)
		printEvaluations(w, out.Results)
	})
}

// readResults reads a results file: an object of metric names and numbers,
// or an object shaped as the API's request.
func readResults(e env, file string, req *model.EvaluateRequest) error {
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(e.stdin)
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return fmt.Errorf("--file: %w", err)
	}
	var metrics map[string]float64
	if json.Unmarshal(b, &metrics) == nil {
		req.Metrics = metrics
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var full model.EvaluateRequest
	if err := d.Decode(&full); err != nil {
		return fmt.Errorf("--file %s: want a JSON object of metric names and numbers, such as {\"accuracy\": 0.91}, or one with results and metrics: %w", file, err)
	}
	req.Results, req.Metrics = full.Results, full.Metrics
	for dst, src := range map[*string]string{&req.Dataset: full.Dataset, &req.MeasuredOn: full.MeasuredOn, &req.Note: full.Note} {
		if *dst == "" {
			*dst = src
		}
	}
	return nil
}

// modelDigestOf is the SHA-256 of an artefact file, as aims keeps it.
func modelDigestOf(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("--artefact: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("--artefact: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
