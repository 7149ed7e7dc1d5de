package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/profile"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func newData(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Profile data sets (offline, no server needed)",
		Long: `Work with the data sets of your AI systems (ISO/IEC 42001 A.7). 'aims data profile'
reads a file on this machine and needs neither a server nor a token.`,
	}
	cmd.AddCommand(newDataProfile(e))
	return cmd
}

func newDataProfile(e env) *cobra.Command {
	var opt profile.Options
	var noHeader bool
	var separator, format, inputFormat string
	var references []string
	cmd := &cobra.Command{
		Use:   "profile FILE",
		Short: "Measure the quality of a CSV or Parquet data set",
		Long: `Read a CSV or Parquet file once and report its data-quality profile: SHA-256,
rows, duplicate rows (extra copies of an earlier row), rows with a missing value,
and per column the inferred type, missing values, distinct values, and either a
numeric summary or the most frequent values. With --label, the balance of the
label; with --sensitive, each group's size, share and label base rate, compared
with --reference shares of the population where given.

CSV files have a header line unless --no-header; --columns names the columns
(replacing the header's names). Spaces around fields are trimmed, blank lines
skipped; an empty field and each --missing value count as missing. The format
comes from the extension (.parquet, .pq) unless --input-format says otherwise.
docs/data-profile.md defines every figure.

--reference gives each group's share of the population to compare with, written
feature:group=share (a share from 0 to 1, or a percentage such as 49%), repeatable
or separated by commas, as 'aims dataset profile' takes it.`,
		Example: `  aims data profile ../shared/data/adult.data --no-header \
    --columns age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income \
    --missing '?' --label income --positive '>50K' --sensitive sex,race \
    --reference sex:Male=0.49,sex:Female=0.51
  aims data profile ../shared/data/german.data --no-header --separator space \
    --label c21 --positive 1 --sensitive c9
  aims data profile train.parquet --label approved --positive yes --format json > profile.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format must be text or json, not %q", format)
			}
			if inputFormat != "" && inputFormat != "csv" && inputFormat != "parquet" {
				return fmt.Errorf("--input-format must be csv or parquet, not %q", inputFormat)
			}
			sep, err := parseSeparatorFlag(separator)
			if err != nil {
				return err
			}
			var probs aims.Problems
			ref := dataset.ParseReference(references, &probs) // the syntax of 'aims dataset profile'
			if err := probs.Err(); err != nil {
				return profileFlagErrors(err)
			}
			opt.NoHeader, opt.Separator, opt.Reference, opt.Format = noHeader, sep, ref, inputFormat
			opt.Progress = profileProgress(e, filepath.Base(args[0]))
			res, err := profile.ProfileFile(args[0], opt)
			if err != nil {
				return profileFlagErrors(err)
			}
			warnPositive(e.stderr, res.Label)
			if format == "json" {
				return writeJSON(e.stdout, res)
			}
			printProfile(e.stdout, res)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&noHeader, "no-header", false, "the first CSV line is data, not column names")
	f.StringSliceVar(&opt.Columns, "columns", nil, "column names, in order (replace the header's)")
	f.StringVar(&separator, "separator", ",", `CSV field separator: one character, or tab, space, \t`)
	f.StringSliceVar(&opt.Missing, "missing", nil, `values that mean missing, such as '?' or NA (an empty field always does)`)
	f.BoolVar(&opt.KeepSpaces, "keep-spaces", false, "keep spaces around fields instead of trimming them")
	f.StringVar(&opt.Label, "label", "", "the label column")
	f.StringVar(&opt.Positive, "positive", "", "the label value that is the positive outcome, for base rates")
	f.StringSliceVar(&opt.Sensitive, "sensitive", nil, "sensitive features: columns whose groups are compared")
	f.StringArrayVar(&references, "reference", nil, "reference shares feature:group=share (repeatable, or separated by commas)")
	f.IntVar(&opt.Bins, "bins", 10, "histogram bins of numeric columns")
	f.StringVar(&format, "format", "text", "output: text or json")
	f.StringVar(&inputFormat, "input-format", "", "csv or parquet (default: from the file's extension)")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion("text", "json"))
	_ = cmd.RegisterFlagCompletionFunc("input-format", fixedCompletion("csv", "parquet"))
	_ = cmd.RegisterFlagCompletionFunc("separator", fixedCompletion(",", ";", "tab", "space", "|"))
	return cmd
}

// parseSeparatorFlag reads --separator.
func parseSeparatorFlag(s string) (rune, error) {
	r, err := profile.ParseSeparator(s)
	if err != nil {
		return 0, fmt.Errorf("--separator %w", err)
	}
	return r, nil
}

// warnPositive warns when no row has the positive label, a likely typo.
func warnPositive(w io.Writer, l *profile.Label) {
	if l == nil || l.Positive == "" {
		return
	}
	var values []string
	for _, v := range l.Values {
		if v.Value == l.Positive {
			return
		}
		values = append(values, strconv.Quote(v.Value))
	}
	if len(values) > 10 {
		values = append(values[:10], "…")
	}
	fmt.Fprintf(w, "warning: no row has the positive label %q; the label values are %s\n", l.Positive, strings.Join(values, ", "))
}

// profileFlagErrors names the flags, not the options, in the profiler's
// field errors, keeping the context (the file name) that wraps them.
func profileFlagErrors(err error) error {
	var ae *aims.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return err
	}
	context := strings.TrimSuffix(err.Error(), ae.Error())
	for i, f := range ae.Fields {
		if f.Field == "format" {
			f.Field = "input-format"
		}
		ae.Fields[i].Field = "--" + f.Field
	}
	if context == "" {
		return ae
	}
	return fmt.Errorf("%s%w", context, ae)
}

// profileProgress draws a one-line bar on a terminal for profiles taking more
// than a moment, redrawn at most ten times a second and erased at the end.
func profileProgress(e env, name string) func(done, total int64) {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	start, last, drawn := time.Now(), time.Time{}, false
	return func(done, total int64) {
		if done >= total {
			if drawn {
				fmt.Fprint(f, "\r\033[K")
			}
			return
		}
		if time.Since(start) < 300*time.Millisecond || time.Since(last) < 100*time.Millisecond {
			return
		}
		last, drawn = time.Now(), true
		const width = 30
		filled := int(width * done / max(total, 1))
		fmt.Fprintf(f, "\rprofiling %s [%s%s] %3d%%", name, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done*100/max(total, 1))
	}
}

// printProfile writes the readable report.
func printProfile(w io.Writer, r *profile.Result) {
	fmt.Fprintf(w, "Data-quality profile of %s\n", r.File)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  SHA-256\t%s\n", r.SHA256)
	fmt.Fprintf(tw, "  Format\t%s\n", profileReadSpec(r))
	fmt.Fprintf(tw, "  Rows\t%s\n", thousands(r.Rows))
	fmt.Fprintf(tw, "  Columns\t%d\n", r.ColumnCount)
	fmt.Fprintf(tw, "  Duplicate rows\t%s%s, extra copies of an earlier row\n", thousands(r.DuplicateRows), shareOfRows(r.DuplicateRows, r.Rows))
	fmt.Fprintf(tw, "  Rows with a missing value\t%s%s\n", thousands(r.RowsWithMissing), shareOfRows(r.RowsWithMissing, r.Rows))
	tw.Flush()

	if len(r.Columns) > 0 {
		fmt.Fprintln(w, "\nColumns")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME\tTYPE\tMISSING\tDISTINCT\tSUMMARY")
		for _, c := range r.Columns {
			distinct := thousands(c.Distinct)
			if c.Approximate {
				distinct = "~" + distinct
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.Name, c.Type, thousands(c.Missing), distinct, profileColumnSummary(c))
		}
		tw.Flush()
		for _, c := range r.Columns {
			if c.Approximate {
				fmt.Fprintf(w, "  ~ more than %s distinct values: distinct counts, quartiles and top values are estimates\n", thousands(profile.DistinctCap))
				break
			}
		}
	}

	if l := r.Label; l != nil {
		fmt.Fprintf(w, "\nLabel %s: %s labelled, %s missing", l.Column, thousands(l.Labelled), thousands(l.Missing))
		if l.PositiveRate != nil {
			fmt.Fprintf(w, "; positive %q, rate %s", l.Positive, percentage(*l.PositiveRate))
		}
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  VALUE\tCOUNT\tSHARE")
		for _, v := range l.Values {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Value, thousands(v.Count), percentage(v.Share))
		}
		tw.Flush()
	}

	for _, f := range r.Sensitive {
		printProfileFeature(w, f, r.Label)
	}
}

func printProfileFeature(w io.Writer, f profile.Feature, l *profile.Label) {
	fmt.Fprintf(w, "\nSensitive feature %s (%s missing)\n", f.Column, thousands(f.Missing))
	rates := l != nil && l.Positive != ""
	refs := false
	for _, g := range f.Groups {
		refs = refs || g.Reference != nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "  GROUP\tSIZE\tSHARE"
	if rates {
		head += "\tPOSITIVE\tBASE RATE"
	}
	if refs {
		head += "\tREFERENCE\tDIFFERENCE"
	}
	fmt.Fprintln(tw, head)
	for _, g := range f.Groups {
		line := fmt.Sprintf("  %s\t%s\t%s", g.Value, thousands(g.Size), percentage(g.Share))
		if rates {
			line += fmt.Sprintf("\t%s\t%s", thousands(g.Positives), optPercentage(g.BaseRate))
		}
		if refs {
			diff := "-"
			if g.Difference != nil {
				diff = fmt.Sprintf("%+.1f pp", *g.Difference*100)
			}
			line += fmt.Sprintf("\t%s\t%s", optPercentage(g.Reference), diff)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func profileReadSpec(r *profile.Result) string {
	if r.Format == "parquet" {
		return fmt.Sprintf("Parquet, %s bytes", thousands(r.Bytes))
	}
	s := fmt.Sprintf("CSV, %s bytes, separator %q", thousands(r.Bytes), r.Read.Separator)
	if !r.Read.Header {
		s += ", no header"
	}
	if len(r.Read.Missing) > 0 {
		var q []string
		for _, m := range r.Read.Missing {
			q = append(q, strconv.Quote(m))
		}
		s += ", missing " + strings.Join(q, " ")
	}
	return s
}

func profileColumnSummary(c profile.Column) string {
	if n := c.Numeric; n != nil {
		s := fmt.Sprintf("min %s  mean %s  max %s", shortNumber(n.Min), shortNumber(n.Mean), shortNumber(n.Max))
		if n.Std != nil {
			s += "  std " + shortNumber(*n.Std)
		}
		return s + fmt.Sprintf("  quartiles %s / %s / %s", shortNumber(n.Q25), shortNumber(n.Median), shortNumber(n.Q75))
	}
	var parts []string
	for _, v := range c.Top[:min(3, len(c.Top))] {
		parts = append(parts, fmt.Sprintf("%s %s", v.Value, thousands(v.Count)))
	}
	if len(c.Top) > 3 {
		parts = append(parts, "…")
	}
	return strings.Join(parts, ", ")
}

// thousands writes an integer with thousands separators: 32,561.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// shortNumber writes a number shortly: integers whole, from 1,000 on with one
// decimal, smaller ones to four significant digits.
func shortNumber(x float64) string {
	switch {
	case x == math.Trunc(x) && math.Abs(x) < 1e15:
		return thousands(int64(x))
	case math.Abs(x) >= 1000 && math.Abs(x) < 1e15:
		s := strconv.FormatFloat(x, 'f', 1, 64)
		whole, frac, _ := strings.Cut(s, ".")
		n, _ := strconv.ParseInt(whole, 10, 64)
		return thousands(n) + "." + frac
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

func percentage(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }

func optPercentage(x *float64) string {
	if x == nil {
		return "-"
	}
	return percentage(*x)
}

func shareOfRows(n, rows int64) string {
	if rows == 0 || n == 0 {
		return ""
	}
	return " (" + percentage(float64(n)/float64(rows)) + ")"
}
