// Package profile computes the data-quality profile of a tabular data set
// (ISO/IEC 42001 A.7.4, data quality; A.7.5, data provenance): rows, columns,
// inferred types, missing values, exact duplicate rows, distinct counts,
// numeric summaries and histograms, label balance, and the size and label base
// rate of each group of a sensitive feature compared with a reference
// population.
//
// It reads a CSV or Parquet file once, front to back, and keeps memory bounded
// by the number of columns, not rows: per column an exact table of up to
// DistinctCap distinct values, then streaming estimates; duplicate rows are
// found from 128-bit row hashes sorted in bounded chunks spilled to a
// temporary file. docs/data-profile.md defines every figure.
//
// It is pure computation: no database, no network, so that 'aims data
// profile' works offline and a data set service can store the Result.
package profile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// DistinctCap is how many distinct values per column are counted exactly;
// beyond it distinct counts, quantiles, histograms and top values are estimates.
const DistinctCap = 100_000

// ChunkHashes is how many row hashes are sorted in memory before a chunk is
// spilled to a temporary file (16 bytes each).
const ChunkHashes = 1 << 20

// MaxGroups is the most distinct values a label or a sensitive feature may have.
const MaxGroups = 1000

// TopValues is how many of the most frequent values are listed per text column.
const TopValues = 20

// Options say how to read a file and what to compute; the zero value reads a
// CSV file with a header line, separated by commas, trimming spaces.
type Options struct {
	// Format is "csv" or "parquet"; empty means CSV, or for ProfileFile, from the file's extension.
	Format string
	// NoHeader says the first CSV line is data, not column names.
	NoHeader bool
	// Columns names the columns, replacing the header's names or the default c1, c2, ….
	Columns []string
	// Separator separates CSV fields; zero means ','.
	Separator rune
	// KeepSpaces keeps the spaces around fields and values, which are trimmed by default.
	KeepSpaces bool
	// Missing lists values that mean missing, such as "?"; an empty value is always missing.
	Missing []string
	// Label is the column holding the label (the target of prediction), if any.
	Label string
	// Positive is the label value counted as the positive outcome for base rates.
	Positive string
	// Sensitive lists the columns whose groups are compared (sex, race, age band …).
	Sensitive []string
	// Reference declares each sensitive feature's population share per group, from 0 to 1.
	Reference map[string]map[string]float64
	// Bins is the number of histogram bins of numeric columns; zero means 10.
	Bins int
	// Progress, if set, is told how far the work is: bytes of a CSV file, rows of a Parquet file.
	Progress func(done, total int64)

	// distinctCap and chunkHashes replace DistinctCap and ChunkHashes in tests.
	distinctCap, chunkHashes int
}

// Result is a data set's profile; its JSON form is stored and shown, so names are stable.
type Result struct {
	File            string    `json:"file,omitempty"`
	Bytes           int64     `json:"bytes"`
	SHA256          string    `json:"sha256"`
	Format          string    `json:"format"`
	Read            ReadSpec  `json:"read"`
	Rows            int64     `json:"rows"`
	ColumnCount     int       `json:"column_count"`
	RowsWithMissing int64     `json:"rows_with_missing"`
	DuplicateRows   int64     `json:"duplicate_rows"`
	Columns         []Column  `json:"columns"`
	Label           *Label    `json:"label,omitempty"`
	Sensitive       []Feature `json:"sensitive,omitempty"`
}

// ReadSpec records how the file was read, so that a stored profile can be reproduced.
type ReadSpec struct {
	Header     bool     `json:"header"`
	Separator  string   `json:"separator,omitempty"`
	KeepSpaces bool     `json:"keep_spaces"`
	Missing    []string `json:"missing"`
}

// Type is a column's inferred type.
type Type string

// The column types, from the narrowest: every non-missing value of an integer
// column is a base-10 integer, of a number column a decimal number (below
// 1e100 in magnitude; no Inf, NaN or hexadecimal), of a
// boolean column true or false (any case); anything else is text. A column
// without any value is empty.
const (
	Integer Type = "integer"
	Number  Type = "number"
	Boolean Type = "boolean"
	Text    Type = "text"
	Empty   Type = "empty"
)

// Column is the profile of one column.
type Column struct {
	Name     string `json:"name"`
	Type     Type   `json:"type"`
	Missing  int64  `json:"missing"`
	Distinct int64  `json:"distinct"`
	// Approximate is set when the column had more than DistinctCap distinct
	// values: then Distinct, the quantiles, the histogram and Top are estimates.
	Approximate bool         `json:"approximate"`
	Numeric     *Numeric     `json:"numeric,omitempty"`
	Top         []ValueCount `json:"top,omitempty"`
}

// Numeric summarises an integer or number column; min, max, mean and std are always exact.
type Numeric struct {
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	// Std is the sample standard deviation (n-1 in the denominator); null with fewer than two values.
	Std       *float64 `json:"std"`
	Q25       float64  `json:"q25"`
	Median    float64  `json:"median"`
	Q75       float64  `json:"q75"`
	Histogram []Bin    `json:"histogram"`
}

// Bin is one histogram bin: values from Low up to but not including High, the last bin including High.
type Bin struct {
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	Count int64   `json:"count"`
}

// ValueCount is a value and how many rows hold it.
type ValueCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Label is the balance of the label column.
type Label struct {
	Column   string `json:"column"`
	Positive string `json:"positive,omitempty"`
	// Labelled counts the rows with a label; Missing those without.
	Labelled int64        `json:"labelled"`
	Missing  int64        `json:"missing"`
	Values   []LabelValue `json:"values"`
	// PositiveRate is the share of labelled rows with the positive label, when Positive is given.
	PositiveRate *float64 `json:"positive_rate,omitempty"`
}

// LabelValue is one label value, its count and its share of the labelled rows.
type LabelValue struct {
	Value string  `json:"value"`
	Count int64   `json:"count"`
	Share float64 `json:"share"`
}

// Feature is the profile of one sensitive feature: its groups, largest first.
type Feature struct {
	Column  string  `json:"column"`
	Missing int64   `json:"missing"`
	Groups  []Group `json:"groups"`
}

// Group is one value of a sensitive feature.
type Group struct {
	Value string `json:"value"`
	// Size counts the group's rows; Share divides it by the rows where the feature is not missing.
	Size  int64   `json:"size"`
	Share float64 `json:"share"`
	// Labelled counts the group's rows with a label, Positives those with the positive label.
	Labelled  int64 `json:"labelled"`
	Positives int64 `json:"positives"`
	// BaseRate is Positives / Labelled, when a positive label is given and the group has labels.
	BaseRate *float64 `json:"base_rate,omitempty"`
	// Reference is the declared population share; Difference is Share - Reference.
	Reference  *float64 `json:"reference,omitempty"`
	Difference *float64 `json:"difference,omitempty"`
}

// Profile reads a CSV file from r, of size bytes (0 if unknown; used for
// progress only), and profiles it; the Result has no file name.
func Profile(r io.Reader, size int64, opt Options) (*Result, error) {
	if opt.Format != "" && opt.Format != "csv" {
		return nil, invalid("format", "Profile reads CSV; use ProfileParquet or ProfileFile for %q", opt.Format)
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	return profileCSV(r, size, opt)
}

// ProfileFile profiles the file at path, CSV or Parquet by opt.Format or else
// by its extension (.parquet, .pq), and names the Result after the file.
func ProfileFile(path string, opt Options) (*Result, error) {
	if opt.Format == "" {
		opt.Format = FormatOf(path)
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	var res *Result
	if opt.Format == "parquet" {
		res, err = ProfileParquet(f, st.Size(), opt)
	} else {
		res, err = profileCSV(f, st.Size(), opt)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	res.File = filepath.Base(path)
	return res, nil
}

// ParseSeparator reads a CSV field separator as both 'aims data profile' and
// a data set version's profiling options take it: one character, or tab, \t
// or space, the words in any case. The empty string gives 0, the default
// comma. A double quote, carriage return or line feed cannot separate fields.
// The error reads as the end of a sentence naming the option, such as
// "must be one character, tab or space, not \"ab\"".
func ParseSeparator(s string) (rune, error) {
	switch {
	case s == "":
		return 0, nil
	case strings.EqualFold(s, "tab") || s == `\t`:
		return '\t', nil
	case strings.EqualFold(s, "space"):
		return ' ', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) || r == utf8.RuneError {
		return 0, fmt.Errorf("must be one character, tab or space, not %q", s)
	}
	switch r {
	case '"', '\r', '\n':
		return 0, fmt.Errorf("cannot be %q", s)
	}
	return r, nil
}

// FormatOf guesses a file's format from its name: parquet for .parquet and .pq, else csv.
func FormatOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet", ".pq":
		return "parquet"
	}
	return "csv"
}

// check validates what can be validated before the columns are known.
func (o *Options) check() error {
	var p aims.Problems
	if o.Format != "" && o.Format != "csv" && o.Format != "parquet" {
		p.Add("format", "must be csv or parquet, not %q", o.Format)
	}
	switch o.Separator {
	case '"', '\r', '\n', 0xFFFD:
		p.Add("separator", "cannot be %q", o.Separator)
	}
	if o.Bins < 0 || o.Bins > 1000 {
		p.Add("bins", "must be from 1 to 1000, not %d", o.Bins)
	}
	if o.Positive != "" && o.Label == "" {
		p.Add("positive", "needs a label column")
	}
	for feature, shares := range o.Reference {
		if !slices.Contains(o.Sensitive, feature) {
			p.Add("reference", "%q is not a sensitive feature", feature)
			continue
		}
		sum := 0.0
		for group, s := range shares {
			if !(s >= 0 && s <= 1) {
				p.Add("reference", "share of %s=%s must be from 0 to 1, not %v", feature, group, s)
			}
			sum += s
		}
		if sum > 1+1e-9 {
			p.Add("reference", "shares of %s add up to %.4g, more than 1", feature, sum)
		}
	}
	return p.Err()
}

func (o *Options) bins() int {
	if o.Bins == 0 {
		return 10
	}
	return o.Bins
}

func (o *Options) cap() int {
	if o.distinctCap > 0 {
		return o.distinctCap
	}
	return DistinctCap
}

func (o *Options) chunk() int {
	if o.chunkHashes > 0 {
		return o.chunkHashes
	}
	return ChunkHashes
}

// invalid reports invalid input naming the option at fault.
func invalid(field, format string, args ...any) error {
	var p aims.Problems
	p.Add(field, format, args...)
	return p.Err()
}

// badData reports a problem in the file itself.
func badData(format string, args ...any) error {
	return aims.Errorf(aims.CodeInvalid, format, args...)
}

// ratio is a/b, or nil when b is zero.
func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	r := float64(a) / float64(b)
	return &r
}
