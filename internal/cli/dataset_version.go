package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/dataset"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// datasetVersionPath is the API path of a version key such as DS-3@2.
func datasetVersionPath(key string) (string, error) {
	ref, n, ok := strings.Cut(strings.TrimSpace(key), "@")
	if _, err := strconv.Atoi(n); !ok || ref == "" || err != nil {
		return "", fmt.Errorf("%q is not a version: write the data set's reference and the version's number, such as DS-3@2", key)
	}
	return "/api/v1/datasets/" + url.PathEscape(ref) + "/versions/" + n, nil
}

func newDatasetVersionAdd(e env) *cobra.Command {
	var req dataset.VersionRequest
	var personal, output string
	cmd := &cobra.Command{
		Use:   "add DS --source TEXT --acquisition HOW --licence TEXT --personal-data yes|no",
		Short: "Record the next version of a data set",
		Long: `Record the next version of a data set. It never changes once recorded; only a
profile of its file can be uploaded later ('aims dataset profile').

--acquisition is one of collected, purchased, licensed, public, synthetic,
derived or other. --personal-data must be said either way; with personal data
give its --category (repeatable), the lawful --basis of Art. 6 GDPR and the
--retention. --derived-from names the versions it was made from (repeatable),
--step the preparation steps in order (repeatable).`,
		Example: `  aims dataset version add DS-1 --label "1994 census" --source "UCI Machine Learning Repository" \
    --acquisition public --licence "CC BY 4.0" --personal-data no
  aims dataset version add DS-2 --source "DS-1@1 prepared for training" --acquisition derived \
    --licence "CC BY 4.0" --personal-data no --derived-from DS-1@1 \
    --step "Drop rows with missing values" --step "One-hot encode categories"
  aims dataset version add DS-3 --source "Loan applications" --acquisition collected --licence "Own data" \
    --personal-data yes --category "contact details" --category "financial situation" --basis contract \
    --retention "5 years after the end of the contract" --delete-by 2031-12-31`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: datasetCompletion(e, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			switch personal {
			case "yes", "no":
				pd := personal == "yes"
				req.ContainsPersonalData = &pd
			default:
				return fmt.Errorf("--personal-data must be yes or no, not %q", personal)
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var v dataset.Version
			if err := c.do(cmd.Context(), "POST", "/api/v1/datasets/"+url.PathEscape(args[0])+"/versions", req, &v); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, v)
			}
			fmt.Fprintf(e.stdout, "recorded %s %s\n", v.Key, v.DatasetName)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Label, "label", "", "words that tell versions apart, such as \"2024-06 extract\"")
	f.StringVar(&req.Source, "source", "", "where the data comes from (required)")
	f.StringVar(&req.Acquisition, "acquisition", "", "how the data was obtained (required)")
	f.StringVar(&req.Licence, "licence", "", "the licence or other legal basis for using it (required)")
	f.StringVar(&personal, "personal-data", "", "yes or no: whether it holds personal data (required)")
	f.StringArrayVar(&req.PersonalDataCategories, "category", nil, "a category of personal data held (repeatable)")
	f.StringVar(&req.ConsentBasis, "basis", "", "the lawful basis of Art. 6 GDPR for the personal data")
	f.StringVar(&req.Retention, "retention", "", "how long the data is kept")
	f.StringVar(&req.DeleteBy, "delete-by", "", "the day by which it is to be deleted, YYYY-MM-DD")
	f.StringArrayVar(&req.Preparation, "step", nil, "a preparation step, in order (repeatable)")
	f.StringArrayVar(&req.DerivedFrom, "derived-from", nil, "a version it was made from, such as DS-1@2 (repeatable)")
	addOutputFlag(cmd, &output)
	for _, r := range []string{"source", "acquisition", "licence", "personal-data"} {
		_ = cmd.MarkFlagRequired(r)
	}
	_ = cmd.RegisterFlagCompletionFunc("acquisition", fixedCompletion(datasetChoices(dataset.Acquisitions)...))
	_ = cmd.RegisterFlagCompletionFunc("basis", fixedCompletion(datasetChoices(dataset.ConsentBases)...))
	_ = cmd.RegisterFlagCompletionFunc("personal-data", fixedCompletion("yes", "no"))
	_ = cmd.RegisterFlagCompletionFunc("derived-from", datasetCompletion(e, true))
	return cmd
}

func newDatasetVersionShow(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:               "show DS@N",
		Short:             "Show a data set version: provenance and profile",
		Example:           "  aims dataset version show DS-1@2\n  aims dataset version show DS-1@2 -o json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: datasetCompletion(e, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			path, err := datasetVersionPath(args[0])
			if err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var v dataset.Version
			if err := c.do(cmd.Context(), "GET", path, nil, &v); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, v)
			}
			printDatasetVersion(e.stdout, &v)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// printDatasetVersion writes a version for people.
func printDatasetVersion(w io.Writer, v *dataset.Version) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, val string) { fmt.Fprintf(tw, "%s\t%s\n", k, strings.ReplaceAll(orDash(val), "\n", "\n\t")) }
	links := func(ls []dataset.VersionLink) string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = l.String()
		}
		return strings.Join(out, "\n")
	}
	steps := make([]string, len(v.Preparation))
	for i, s := range v.Preparation {
		steps[i] = strconv.Itoa(i+1) + ". " + s
	}
	row("Version", v.Key+" "+v.DatasetName)
	row("Label", v.Label)
	row("Source", v.Source)
	row("Acquisition", dataset.Label(dataset.Acquisitions, v.Acquisition))
	row("Licence", v.Licence)
	row("Personal data", yesNo(v.ContainsPersonalData)+" "+strings.Join(v.PersonalDataCategories, ", "))
	row("Lawful basis", dataset.Label(dataset.ConsentBases, v.ConsentBasis))
	row("Retention", v.Retention)
	row("Delete by", v.DeleteBy)
	row("Derived from", links(v.DerivedFrom))
	row("Derived into", links(v.DerivedInto))
	row("Preparation", strings.Join(steps, "\n"))
	row("Recorded", v.CreatedAt.Format(time.RFC3339)+" by "+v.CreatedByName)
	if p := v.Profile; p != nil {
		row("File", fmt.Sprintf("%s, %d bytes, sha256 %s", p.FileName, p.FileSize, p.SHA256))
		row("Rows", strconv.FormatInt(p.Rows, 10))
		row("Columns", strconv.Itoa(p.Columns))
		row("Duplicate rows", strconv.FormatInt(p.DuplicateRows, 10))
		row("Rows with missing", strconv.FormatInt(p.RowsWithMissing, 10))
		row("Profiled", p.ProfiledAt.Format(time.RFC3339)+" by "+p.ProfiledByName)
	} else {
		row("Profile", "none: upload the file with 'aims dataset profile "+v.Key+" FILE'")
	}
	tw.Flush()
	if p := v.Profile; p != nil && p.Result != nil {
		for _, f := range p.Result.Sensitive {
			fmt.Fprintf(w, "\nGroups of %s:\n", f.Column)
			for _, g := range f.Groups {
				rate := "-"
				if g.BaseRate != nil {
					rate = fmt.Sprintf("%.4f", *g.BaseRate)
				}
				fmt.Fprintf(w, "  %-24s %8d  share %.4f  base rate %s\n", g.Value, g.Size, g.Share, rate)
			}
		}
	}
}

func newDatasetProfile(e env) *cobra.Command {
	var o dataset.ProfileOptions
	var columns, sensitive, output string
	var reference []string
	cmd := &cobra.Command{
		Use:   "profile DS@N FILE",
		Short: "Upload a version's file to profile its data quality",
		Long: `Upload a version's file (CSV or Parquet) to the server, which computes its
data-quality profile in one pass and stores it on the version with the file's
SHA-256, replacing any earlier profile; the file itself is not kept. The
upload shows its progress when standard error is a terminal.

--reference gives each group's share of the population to compare with,
written feature:group=share (repeatable, or separated by commas).`,
		Example: `  aims dataset profile DS-1@1 adult.data --no-header \
    --columns age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income \
    --missing '?' --label income --positive '>50K' --sensitive sex,race --reference sex:Female=0.5,sex:Male=0.5
  aims dataset profile DS-2@3 features.parquet --label approved --positive true`,
		Args: cobra.ExactArgs(2),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return datasetCompletion(e, true)(cmd, args, s)
			}
			return nil, cobra.ShellCompDirectiveDefault
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			path, err := datasetVersionPath(args[0])
			if err != nil {
				return err
			}
			f, err := os.Open(args[1])
			if err != nil {
				return err
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			q := url.Values{"file_name": {filepath.Base(args[1])}, "columns": {columns}, "sensitive": {sensitive},
				"separator": {o.Separator}, "label": {o.Label}, "positive": {o.Positive}, "format": {o.Format},
				"missing": o.Missing, "reference": reference}
			if o.NoHeader {
				q.Set("no_header", "true")
			}
			if o.KeepSpaces {
				q.Set("keep_spaces", "true")
			}
			for k, vs := range q {
				if len(vs) == 0 || len(vs) == 1 && vs[0] == "" {
					delete(q, k)
				}
			}
			var body io.Reader = f
			done := uploadProgress(e, filepath.Base(args[1]), st.Size())
			if done != nil {
				body = &countingReader{r: f, report: done}
			}
			req, err := http.NewRequestWithContext(cmd.Context(), http.MethodPost, c.base+path+"/profile?"+q.Encode(), body)
			if err != nil {
				return err
			}
			req.ContentLength = st.Size()
			req.Header.Set("Content-Type", "application/octet-stream")
			var v dataset.Version
			err = c.send(req, &v)
			if done != nil {
				fmt.Fprint(e.stderr, "\r\033[K")
			}
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, v)
			}
			p := v.Profile
			fmt.Fprintf(e.stdout, "profiled %s: %s, %d bytes, sha256 %s\n", v.Key, p.FileName, p.FileSize, p.SHA256)
			fmt.Fprintf(e.stdout, "  %d rows, %d columns, %d duplicate rows, %d rows with missing values\n", p.Rows, p.Columns, p.DuplicateRows, p.RowsWithMissing)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Format, "input-format", "", "csv or parquet (default: from the file's extension)")
	fl.BoolVar(&o.NoHeader, "no-header", false, "the first line is data, not column names")
	fl.StringVar(&columns, "columns", "", "column names, separated by commas")
	fl.StringVar(&o.Separator, "separator", "", `the one character between fields, or tab, space, \t (default ,)`)
	fl.BoolVar(&o.KeepSpaces, "keep-spaces", false, "keep the spaces around values")
	fl.StringSliceVar(&o.Missing, "missing", nil, "values that mean missing, such as '?' or NA (repeatable, or separated by commas)")
	fl.StringVar(&o.Label, "label", "", "the label column")
	fl.StringVar(&o.Positive, "positive", "", "the positive label value")
	fl.StringVar(&sensitive, "sensitive", "", "sensitive feature columns, separated by commas")
	fl.StringArrayVar(&reference, "reference", nil, "reference shares feature:group=share (repeatable)")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("input-format", fixedCompletion("csv", "parquet"))
	_ = cmd.RegisterFlagCompletionFunc("separator", fixedCompletion(",", ";", "tab", "space", "|"))
	return cmd
}

// countingReader tells report how many bytes it has read so far.
type countingReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

// Read reads and reports the bytes read so far.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.report(c.n)
	return n, err
}

// uploadProgress returns what draws an upload's progress on standard
// error, or nil when standard error is not a terminal.
func uploadProgress(e env, name string, total int64) func(int64) {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressBar(e.stderr, name, total, time.Now)
}

// progressBar draws a bar of an upload's progress at most five times a
// second, and says when the server is profiling.
func progressBar(w io.Writer, name string, total int64, now func() time.Time) func(int64) {
	var last time.Time
	return func(done int64) {
		if done < total && now().Sub(last) < 200*time.Millisecond {
			return
		}
		last = now()
		share := float64(done) / float64(max(total, 1))
		filled := int(share * 30)
		fmt.Fprintf(w, "\r%s [%s%s] %3.0f%% %s/%s", name, strings.Repeat("#", filled), strings.Repeat(".", 30-filled),
			share*100, mib(done), mib(total))
		if done >= total {
			fmt.Fprint(w, " uploaded; profiling on the server…")
		}
	}
}

// mib words a number of bytes in MiB with one decimal.
func mib(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }

func newDatasetLineage(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "lineage DS@N...",
		Short: "Show the ancestry of data set versions",
		Long: `Show every data set version the given versions were derived from, directly or
not, as a tree with each derivation's preparation steps.`,
		Example:           "  aims dataset lineage DS-4@1\n  aims dataset lineage DS-4@1 DS-1@2 -o json",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: datasetCompletion(e, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			q := url.Values{"version": args}
			var l dataset.Lineage
			if err := c.do(cmd.Context(), "GET", "/api/v1/dataset-lineage?"+q.Encode(), nil, &l); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, l)
			}
			printLineage(e.stdout, &l)
			return nil
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// printLineage writes each asked-about version with its sources indented below it.
func printLineage(w io.Writer, l *dataset.Lineage) {
	nodes := map[string]dataset.LineageNode{}
	for _, n := range l.Nodes {
		nodes[n.Key] = n
	}
	parents := map[string][]dataset.LineageEdge{}
	for _, e := range l.Edges {
		parents[e.Child] = append(parents[e.Child], e)
	}
	seen := map[string]bool{}
	var walk func(key string, depth int)
	walk = func(key string, depth int) {
		n := nodes[key]
		line := strings.Repeat("  ", depth) + key + " " + n.Name
		if n.Label != "" {
			line += " (" + n.Label + ")"
		}
		line += " [" + n.Acquisition
		if n.ContainsPersonalData {
			line += ", personal data"
		}
		if n.Profile != nil {
			line += fmt.Sprintf(", %d rows", n.Profile.Rows)
		}
		line += "]"
		if ps := parents[key]; len(ps) > 0 && len(ps[0].Preparation) > 0 {
			line += "; prepared: " + strings.Join(ps[0].Preparation, "; ")
		}
		if seen[key] && len(parents[key]) > 0 {
			fmt.Fprintln(w, line+" (sources shown above)")
			return
		}
		seen[key] = true
		fmt.Fprintln(w, line)
		for _, e := range parents[key] {
			walk(e.Parent, depth+1)
		}
	}
	for _, k := range l.Versions {
		walk(k, 0)
	}
	if l.Truncated {
		fmt.Fprintf(w, "(more than %d versions: the oldest are left out)\n", dataset.MaxLineageNodes)
	}
}
