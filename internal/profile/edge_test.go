package profile

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
)

func prof(t *testing.T, input string, opt Options) *Result {
	t.Helper()
	res, err := Profile(strings.NewReader(input), int64(len(input)), opt)
	if err != nil {
		t.Fatalf("profile %q: %v", input, err)
	}
	return res
}

func names(res *Result) string {
	var n []string
	for _, c := range res.Columns {
		n = append(n, c.Name)
	}
	return strings.Join(n, ",")
}

// TestReading: how a CSV file is read into columns and rows.
func TestReading(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		opt         Options
		columns     string
		rows        int64
		check       func(t *testing.T, res *Result)
	}{
		{name: "header", input: "a,b\n1,x\n2,y\n", columns: "a,b", rows: 2},
		{name: "no header", input: "1,x\n2,y\n", opt: Options{NoHeader: true}, columns: "c1,c2", rows: 2},
		{name: "names without header", input: "1,x\n2,y\n", opt: Options{NoHeader: true, Columns: []string{"n", "s"}}, columns: "n,s", rows: 2},
		{name: "names replace header", input: "a,b\n1,x\n", opt: Options{Columns: []string{"n", "s"}}, columns: "n,s", rows: 1},
		{name: "header names trimmed, repeated and empty", input: "\ufeff x , x ,\n1,2,3\n", columns: "x,x.1,c3", rows: 1},
		{name: "semicolon", input: "a;b\n1,5;x\n", opt: Options{Separator: ';'}, columns: "a,b", rows: 1,
			check: func(t *testing.T, res *Result) { eq(t, "text", res.Columns[0].Top[0].Value, "1,5") }},
		{name: "tab", input: "a\tb\n1\t x \n", opt: Options{Separator: '\t'}, columns: "a,b", rows: 1,
			check: func(t *testing.T, res *Result) { eq(t, "trimmed", res.Columns[1].Top[0].Value, "x") }},
		{name: "space with trailing spaces", input: "a b \n1 2  \n3 4\n", opt: Options{Separator: ' '}, columns: "a,b", rows: 2},
		{name: "quoted separators and newlines", input: "a,b\n\"1,2\",\"line\nbreak\"\n\"x\"\"y\",z\n", columns: "a,b", rows: 2,
			check: func(t *testing.T, res *Result) {
				eq(t, "a", res.Columns[0].Top, []ValueCount{{"1,2", 1}, {`x"y`, 1}})
				eq(t, "b", res.Columns[1].Top[0].Value, "line\nbreak")
			}},
		{name: "blank lines skipped", input: "a,b\n\n1,2\n\n\n3,4\n\n", columns: "a,b", rows: 2},
		{name: "spaces kept", input: "a,b\n x ,y\n", opt: Options{KeepSpaces: true}, columns: "a,b", rows: 1,
			check: func(t *testing.T, res *Result) { eq(t, "kept", res.Columns[0].Top[0].Value, " x ") }},
		{name: "empty file", input: "", columns: "", rows: 0},
		{name: "empty file with names", input: "", opt: Options{NoHeader: true, Columns: []string{"a"}}, columns: "a", rows: 0,
			check: func(t *testing.T, res *Result) { eq(t, "type", res.Columns[0].Type, Empty) }},
		{name: "only a header", input: "a,b\n", columns: "a,b", rows: 0,
			check: func(t *testing.T, res *Result) { eq(t, "duplicates", res.DuplicateRows, int64(0)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := prof(t, tc.input, tc.opt)
			eq(t, "columns", names(res), tc.columns)
			eq(t, "column count", res.ColumnCount, len(res.Columns))
			eq(t, "rows", res.Rows, tc.rows)
			eq(t, "bytes", res.Bytes, int64(len(tc.input)))
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

// TestValues: missing values, types, duplicates and summaries of small inputs.
func TestValues(t *testing.T) {
	in := "n,f,b,s,m\n1,1.5,true,a,?\n2,2,FALSE,b,NA\n2,1e3,True,a,\n2,1e3,True,a,?\n 2 ,1e3,True,a,\n"
	res := prof(t, in, Options{Missing: []string{"?", " NA "}})
	eq(t, "types", []Type{res.Columns[0].Type, res.Columns[1].Type, res.Columns[2].Type, res.Columns[3].Type, res.Columns[4].Type},
		[]Type{Integer, Number, Boolean, Text, Empty})
	eq(t, "m missing", res.Columns[4].Missing, int64(5))
	eq(t, "rows with missing", res.RowsWithMissing, int64(5))
	// rows 3, 4 and 5 are equal once trimmed, "?" and "" both being missing: two extra copies
	eq(t, "duplicates", res.DuplicateRows, int64(2))
	eq(t, "b top", res.Columns[2].Top, []ValueCount{{"True", 3}, {"FALSE", 1}, {"true", 1}})
	n := res.Columns[0].Numeric
	eq(t, "n", [6]float64{n.Min, n.Max, n.Mean, n.Q25, n.Median, n.Q75}, [6]float64{1, 2, 1.8, 2, 2, 2})
	near(t, "n std", *n.Std, 0.4472135954999579)
	eq(t, "f distinct", res.Columns[1].Distinct, int64(3))

	// one value that is not a number makes the column text
	res = prof(t, "x\n1\n2\nthree\n4\n", Options{})
	eq(t, "type", res.Columns[0].Type, Text)
	if res.Columns[0].Numeric != nil || len(res.Columns[0].Top) != 4 {
		t.Errorf("text column: %+v", res.Columns[0])
	}
	// "1.0" and "1" are one number; NaN, Inf and hexadecimal are not numbers
	res = prof(t, "x,y\n1.0,NaN\n1,1\n", Options{})
	eq(t, "1.0 = 1", res.Columns[0].Distinct, int64(1))
	eq(t, "NaN is text", res.Columns[1].Type, Text)

	// equal values: one value, no standard deviation, numpy's histogram range
	res = prof(t, "x\n5\n", Options{Bins: 2})
	n = res.Columns[0].Numeric
	if n.Std != nil || n.Histogram[0] != (Bin{4.5, 5, 0}) || n.Histogram[1] != (Bin{5, 5.5, 1}) {
		t.Errorf("one value: %+v", n)
	}
	// the last bin includes the maximum; quantiles interpolate
	res = prof(t, "x\n0\n1\n2\n3\n4\n", Options{Bins: 4})
	n = res.Columns[0].Numeric
	eq(t, "bins", n.Histogram, []Bin{{0, 1, 1}, {1, 2, 1}, {2, 3, 1}, {3, 4, 2}})
	res = prof(t, "x\n1\n2\n3\n4\n", Options{})
	n = res.Columns[0].Numeric
	eq(t, "quantiles", [3]float64{n.Q25, n.Median, n.Q75}, [3]float64{1.75, 2.5, 3.25})
}

// TestLabelAndGroups: label balance and groups on a small table, counted by hand.
func TestLabelAndGroups(t *testing.T) {
	in := "g,y\na,1\na,0\nb,1\nb,\n,1\nc,0\n"
	res := prof(t, in, Options{Label: "y", Positive: "1", Sensitive: []string{"g"}, Reference: map[string]map[string]float64{"g": {"a": 0.5}}})
	l := res.Label
	eq(t, "labelled", [2]int64{l.Labelled, l.Missing}, [2]int64{5, 1})
	eq(t, "values", l.Values, []LabelValue{{"1", 3, 0.6}, {"0", 2, 0.4}})
	eq(t, "positive rate", *l.PositiveRate, 0.6)
	f := res.Sensitive[0]
	eq(t, "missing", f.Missing, int64(1))
	half, zero, share := 0.5, 0.0, 0.4
	diff := share - half // in floating point, as the profiler computes it
	eq(t, "groups", f.Groups, []Group{
		{Value: "a", Size: 2, Share: 0.4, Labelled: 2, Positives: 1, BaseRate: &half, Reference: &half, Difference: &diff},
		{Value: "b", Size: 2, Share: 0.4, Labelled: 1, Positives: 1, BaseRate: ptr(1)},
		{Value: "c", Size: 1, Share: 0.2, Labelled: 1, Positives: 0, BaseRate: &zero},
	})
	// without a positive label: counts only, no rates
	res = prof(t, in, Options{Label: "y", Sensitive: []string{"g"}})
	if res.Label.PositiveRate != nil || res.Sensitive[0].Groups[0].BaseRate != nil {
		t.Errorf("rates without a positive label: %+v", res)
	}
}

func ptr(x float64) *float64 { return &x }

// TestErrors: each bad input is refused naming the option or the line at fault.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		opt         Options
		field, want string
	}{
		{"ragged row", "a,b\n1,2\n\n3\n", Options{}, "", "line 4 has 1 fields, expected 2"},
		{"first line against names", "1,2,3\n", Options{NoHeader: true, Columns: []string{"a", "b"}}, "columns", "names 2 columns but the file has 3"},
		{"ragged against names", "1,2\n3,4,5\n", Options{NoHeader: true, Columns: []string{"a", "b"}}, "", "line 2 has 3 fields, expected 2"},
		{"bare quote", "a,b\n1,x\"y\n", Options{}, "", `line 2: bare " in non-quoted-field`},
		{"label absent", "a,b\n1,2\n", Options{Label: "income"}, "label", `no column is named "income" (columns: a, b)`},
		{"sensitive absent", "a,b\n1,2\n", Options{Sensitive: []string{"a", "sex"}}, "sensitive", `no column is named "sex"`},
		{"names against header", "a,b\n1,2\n", Options{Columns: []string{"x"}}, "columns", "names 1 columns but the file has 2"},
		{"names repeated", "1,2\n", Options{NoHeader: true, Columns: []string{"x", "x"}}, "columns", `name "x" more than once`},
		{"positive without label", "a\n1\n", Options{Positive: "1"}, "positive", "needs a label column"},
		{"reference not sensitive", "a\n1\n", Options{Reference: map[string]map[string]float64{"sex": {"M": 0.5}}}, "reference", `"sex" is not a sensitive feature`},
		{"reference share", "a\n1\n", Options{Sensitive: []string{"a"}, Reference: map[string]map[string]float64{"a": {"1": 1.5}}}, "reference", "must be from 0 to 1"},
		{"reference sum", "a\n1\n", Options{Sensitive: []string{"a"}, Reference: map[string]map[string]float64{"a": {"1": 0.6, "2": 0.6}}}, "reference", "add up to 1.2"},
		{"bins", "a\n1\n", Options{Bins: -1}, "bins", "must be from 1 to 1000"},
		{"separator", "a\n1\n", Options{Separator: '"'}, "separator", "cannot be"},
		{"format", "a\n1\n", Options{Format: "xlsx"}, "format", "Profile reads CSV"},
		{"label not a label", "y\n" + strings.Repeat("1\n2\n", 5) + manyValues(MaxGroups), Options{Label: "y"}, "label", "more than 1000 distinct values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Profile(strings.NewReader(tc.input), 0, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if aims.CodeOf(err) != aims.CodeInvalid {
				t.Errorf("code %s", aims.CodeOf(err))
			}
			if tc.field != "" {
				ae := aims.AsError(err)
				if len(ae.Fields) == 0 || ae.Fields[0].Field != tc.field {
					t.Errorf("fields %+v, want %s", ae.Fields, tc.field)
				}
			}
		})
	}
}

func manyValues(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "v%d\n", i)
	}
	return b.String()
}

// TestBeyondTheDistinctCap: past the cap, estimates are marked approximate
// and the exact counts stay exact.
func TestBeyondTheDistinctCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,x,t\n")
	for i := range 5000 {
		t := "common"
		if i%2 == 1 {
			t = fmt.Sprintf("rare%d", i)
		}
		fmt.Fprintf(&b, "%d,%d,%s\n", i, i%1000, t)
	}
	in := b.String()
	exact := prof(t, in, Options{})
	capped := prof(t, in, Options{distinctCap: 100})
	for i, c := range capped.Columns {
		e := exact.Columns[i]
		eq(t, c.Name+" approximate", c.Approximate, true)
		eq(t, c.Name+" type", c.Type, e.Type)
		eq(t, c.Name+" missing", c.Missing, e.Missing)
		if d := float64(c.Distinct-e.Distinct) / float64(e.Distinct); d < -0.03 || d > 0.03 {
			t.Errorf("%s: distinct %d, exactly %d", c.Name, c.Distinct, e.Distinct)
		}
	}
	eq(t, "exact distinct", [3]int64{exact.Columns[0].Distinct, exact.Columns[1].Distinct, exact.Columns[2].Distinct}, [3]int64{5000, 1000, 2501})
	n, e := capped.Columns[0].Numeric, exact.Columns[0].Numeric
	eq(t, "min max mean std", [4]float64{n.Min, n.Max, n.Mean, *n.Std}, [4]float64{e.Min, e.Max, e.Mean, *e.Std})
	for _, q := range [][2]float64{{n.Q25, e.Q25}, {n.Median, e.Median}, {n.Q75, e.Q75}} {
		if q[0] < q[1]-10 || q[0] > q[1]+10 { // within 1/256 of the range
			t.Errorf("quantile %v, exactly %v", q[0], q[1])
		}
	}
	var total int64
	for i, bin := range n.Histogram {
		total += bin.Count
		if d := bin.Count - e.Histogram[i].Count; d < -10 || d > 10 {
			t.Errorf("bin %d: %d, exactly %d", i, bin.Count, e.Histogram[i].Count)
		}
	}
	eq(t, "histogram total", total, int64(5000))
	eq(t, "top value counted exactly", capped.Columns[2].Top[0], ValueCount{"common", 2500})
	eq(t, "rows and duplicates", [2]int64{capped.Rows, capped.DuplicateRows}, [2]int64{5000, 0})
}

// TestDuplicatesSpill: duplicates counted across many sorted chunks on disk
// equal those counted in memory, and the temporary file is removed.
func TestDuplicatesSpill(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var b strings.Builder
	b.WriteString("a,b\n")
	want := int64(0)
	for i := range 3000 {
		fmt.Fprintf(&b, "%d,%d\n", i%700, i%3) // 2100 distinct rows
	}
	want = 3000 - 2100
	in := b.String()
	mem := prof(t, in, Options{})
	disk := prof(t, in, Options{chunkHashes: 64}) // 47 runs
	eq(t, "in memory", mem.DuplicateRows, want)
	eq(t, "spilled", disk.DuplicateRows, want)
	left, _ := os.ReadDir(tmp)
	eq(t, "temporary files left", len(left), 0)
}

// TestProgress: reported about every 1% and at the end, in bytes.
func TestProgress(t *testing.T) {
	in := "x\n" + strings.Repeat("12345\n", 100_000)
	var calls int
	var last, total int64
	opt := Options{Progress: func(d, t int64) { calls, last, total = calls+1, d, t }}
	if _, err := Profile(strings.NewReader(in), int64(len(in)), opt); err != nil {
		t.Fatal(err)
	}
	if calls < 10 || calls > 110 || last != int64(len(in)) || total != int64(len(in)) {
		t.Errorf("%d calls, last %d of %d", calls, last, total)
	}
}

// FuzzProfile: any input either fails cleanly or gives a consistent profile.
func FuzzProfile(f *testing.F) {
	for _, s := range []string{"", "a,b\n1,2\n1,2\n", "x\n1e99\n-1e99\n1e300\n", "x\n9e99\n-9e99\n", "a\n\"x\ny\"\n", "a,b\n1\n", "x\n1\n2\nthree\n", "\ufeffa;b\n?;1.5\n"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, noHeader bool) {
		res, err := Profile(strings.NewReader(in), int64(len(in)), Options{NoHeader: noHeader, Missing: []string{"?"}, distinctCap: 4, chunkHashes: 3})
		if err != nil {
			return
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("cannot store the result: %v", err)
		}
		if res.DuplicateRows >= max(res.Rows, 1) || res.RowsWithMissing > res.Rows || res.Bytes != int64(len(in)) {
			t.Fatalf("inconsistent: %+v", res)
		}
		for _, c := range res.Columns {
			if c.Missing > res.Rows || (c.Numeric != nil && c.Numeric.Min > c.Numeric.Max) {
				t.Fatalf("column %+v", c)
			}
		}
	})
}

// TestParseSeparator: the words tab and space, or one character.
func TestParseSeparator(t *testing.T) {
	for in, want := range map[string]rune{"": 0, ",": ',', ";": ';', "tab": '\t', "TAB": '\t', `\t`: '\t', "\t": '\t',
		"space": ' ', "Space": ' ', " ": ' ', "|": '|', "§": '§'} {
		if r, err := ParseSeparator(in); r != want || err != nil {
			t.Errorf("ParseSeparator(%q) = %q, %v; want %q", in, r, err, want)
		}
	}
	for in, want := range map[string]string{"ab": `must be one character, tab or space, not "ab"`, `"`: `cannot be "\""`,
		"\n": `cannot be "\n"`, "\xff": `must be one character, tab or space, not "\xff"`} {
		if _, err := ParseSeparator(in); err == nil || err.Error() != want {
			t.Errorf("ParseSeparator(%q) = %v; want %s", in, err, want)
		}
	}
}
