package dataset

import (
	"sort"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/profile"
)

// ProfileOptions say how to read a version's file and what to compute; the
// zero value reads a CSV file with a header line, separated by commas.
type ProfileOptions struct {
	Format     string   `json:"format,omitempty" doc:"csv or parquet; by default from the file name (.parquet, .pq), else csv."`
	NoHeader   bool     `json:"no_header,omitempty" doc:"The first line is data, not column names."`
	Columns    []string `json:"columns,omitempty" doc:"Names of the columns, replacing the header's names or c1, c2, …."`
	Separator  string   `json:"separator,omitempty" doc:"The one character between CSV fields; a comma by default; tab for a tab, space for a space."`
	KeepSpaces bool     `json:"keep_spaces,omitempty" doc:"Keep the spaces around values, which are trimmed by default."`
	Missing    []string `json:"missing,omitempty" doc:"Values that mean missing, such as ?; an empty value always does."`
	Label      string   `json:"label,omitempty" doc:"The column holding the label, the outcome a model predicts."`
	Positive   string   `json:"positive,omitempty" doc:"The label value counted as the positive outcome for base rates."`
	Sensitive  []string `json:"sensitive,omitempty" doc:"Columns whose groups are compared, such as sex or race."`
	// Reference declares, per sensitive feature, each group's share of the population, from 0 to 1.
	Reference map[string]map[string]float64 `json:"reference,omitempty" doc:"Per sensitive feature, each group's share of the reference population, from 0 to 1."`
}

// normalise trims the options, records problems with them in p and returns
// them as the profiler takes them. The options keep their normalised form.
func (o *ProfileOptions) normalise(p *aims.Problems) profile.Options {
	o.Format = strings.ToLower(strings.TrimSpace(o.Format))
	if o.Format != "" && o.Format != "csv" && o.Format != "parquet" {
		p.Add("format", "must be csv or parquet")
	}
	o.Columns = names(p, "columns", o.Columns)
	o.Sensitive = names(p, "sensitive", o.Sensitive)
	o.Label = strings.TrimSpace(o.Label)
	o.Positive = strings.TrimSpace(o.Positive)
	missing := []string{}
	for _, m := range o.Missing {
		if !o.KeepSpaces {
			m = strings.TrimSpace(m)
		}
		if m != "" && !contains(missing, m) {
			missing = append(missing, m)
		}
	}
	o.Missing = missing
	sep, err := profile.ParseSeparator(o.Separator)
	if err != nil {
		p.Add("separator", "%s", err)
	} else if sep != 0 {
		o.Separator = string(sep)
	}
	if o.Positive != "" && o.Label == "" {
		p.Add("positive", "needs a label column")
	}
	if len(o.Reference) == 0 {
		o.Reference = nil
	}
	for f := range o.Reference {
		if !contains(o.Sensitive, f) {
			p.Add("reference", "names %q, which is not a sensitive feature", f)
			break
		}
	}
	return profile.Options{Format: o.Format, NoHeader: o.NoHeader, Columns: o.Columns, Separator: sep, KeepSpaces: o.KeepSpaces,
		Missing: o.Missing, Label: o.Label, Positive: o.Positive, Sensitive: o.Sensitive, Reference: o.Reference}
}

// names trims a list of column names, keeping their order and dropping blanks.
func names(p *aims.Problems, field string, in []string) []string {
	out := []string{}
	for _, n := range in {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	if len(out) > 10000 {
		p.Add(field, "must list at most 10000 columns")
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// SplitList splits comma-separated text, such as a form's column names, into items.
func SplitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// ParseReference reads reference shares written feature:group=share, such
// as sex:Female=0.5 or sex:Female=50%, several in one entry separated by
// commas or new lines. Problems are recorded against the field reference.
func ParseReference(entries []string, p *aims.Problems) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	var bad []string
	for _, e := range entries {
		for _, item := range strings.FieldsFunc(e, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ';' }) {
			if item = strings.TrimSpace(item); item == "" {
				continue
			}
			feature, rest, ok1 := strings.Cut(item, ":")
			group, share, ok2 := strings.Cut(rest, "=")
			feature, group, share = strings.TrimSpace(feature), strings.TrimSpace(group), strings.TrimSpace(share)
			pct := strings.HasSuffix(share, "%")
			x, err := strconv.ParseFloat(strings.TrimSuffix(share, "%"), 64)
			if pct {
				x /= 100
			}
			if !ok1 || !ok2 || feature == "" || group == "" || err != nil || !(x >= 0 && x <= 1) {
				bad = append(bad, strconv.Quote(item))
				continue
			}
			if out[feature] == nil {
				out[feature] = map[string]float64{}
			}
			out[feature][group] = x
		}
	}
	if len(bad) > 0 {
		p.Add("reference", "must be written feature:group=share with a share from 0 to 1 or 0%% to 100%%, such as sex:Female=0.5: %s is not", strings.Join(bad, ", "))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ReferenceText writes reference shares as ParseReference reads them, one a line, in a stable order.
func ReferenceText(ref map[string]map[string]float64) string {
	var lines []string
	for f, groups := range ref {
		for g, x := range groups {
			lines = append(lines, f+":"+g+"="+strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
