package profile

import (
	"math"
	"strconv"
	"testing"

	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// sharedData is the path of a shared data file.
func sharedData(t testing.TB, name string) string { return servicetest.SharedData(t, name) }

var adultColumns = []string{"age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
	"relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income"}

func adultOptions() Options {
	return Options{NoHeader: true, Columns: adultColumns, Missing: []string{"?"}, Label: "income", Positive: ">50K",
		Sensitive: []string{"sex", "race"}}
}

func germanOptions() Options {
	cols := make([]string, 21)
	for i := range 20 {
		cols[i] = "a" + strconv.Itoa(i+1)
	}
	cols[20] = "class"
	return Options{NoHeader: true, Columns: cols, Separator: ' ', Label: "class", Positive: "1", Sensitive: []string{"a9"}}
}

// The expected figures below were computed independently of this package by
// testdata/expected.py, which uses only Python's standard library (plain
// string splitting, collections.Counter for duplicates, statistics.mean and
// statistics.stdev over exact fractions, quantiles by linear interpolation
// cross-checked with statistics.quantiles(method="inclusive"), histogram bins
// in exact rational arithmetic). pandas is not installed here, so the
// published pandas figures (32,561 rows; 24 duplicates; 2,399 rows with a
// missing value) serve as the second check.

func TestAdultExactFigures(t *testing.T) {
	res, err := ProfileFile(sharedData(t, "adult.data"), adultOptions())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "file", res.File, "adult.data")
	eq(t, "sha256", res.SHA256, "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d")
	eq(t, "bytes", res.Bytes, int64(3974305))
	eq(t, "format", res.Format, "csv")
	eq(t, "rows", res.Rows, int64(32561))
	eq(t, "columns", res.ColumnCount, 15)
	eq(t, "rows with missing", res.RowsWithMissing, int64(2399))
	eq(t, "duplicates", res.DuplicateRows, int64(24))

	missing := map[string]int64{"workclass": 1836, "occupation": 1843, "native-country": 583}
	distinct := map[string]int64{"age": 73, "workclass": 8, "fnlwgt": 21648, "education": 16, "education-num": 16,
		"marital-status": 7, "occupation": 14, "relationship": 6, "race": 5, "sex": 2, "capital-gain": 119,
		"capital-loss": 92, "hours-per-week": 94, "native-country": 41, "income": 2}
	types := map[string]Type{"age": Integer, "fnlwgt": Integer, "education-num": Integer, "capital-gain": Integer,
		"capital-loss": Integer, "hours-per-week": Integer}
	for _, c := range res.Columns {
		eq(t, c.Name+" missing", c.Missing, missing[c.Name])
		eq(t, c.Name+" distinct", c.Distinct, distinct[c.Name])
		eq(t, c.Name+" approximate", c.Approximate, false)
		want := types[c.Name]
		if want == "" {
			want = Text
		}
		eq(t, c.Name+" type", c.Type, want)
	}
	checkNumeric(t, "age", col(t, res, "age").Numeric, summary{min: 17, max: 90, mean: 38.58164675532078, std: 13.640432553581341,
		q: [3]float64{28, 37, 48}, hist: []int64{5570, 5890, 6048, 6163, 3967, 2591, 1595, 496, 174, 67}})
	checkNumeric(t, "fnlwgt", col(t, res, "fnlwgt").Numeric, summary{min: 12285, max: 1484705, mean: 189778.36651208502,
		std: 105549.97769702224, q: [3]float64{117827, 178356, 237051}, hist: []int64{13117, 15327, 3498, 477, 102, 20, 10, 5, 2, 3}})
	checkNumeric(t, "hours-per-week", col(t, res, "hours-per-week").Numeric, summary{min: 1, max: 99, mean: 40.437455852092995,
		std: 12.347428681731843, q: [3]float64{40, 40, 45}, hist: []int64{736, 2192, 2317, 17735, 3119, 3877, 1796, 448, 202, 139}})
	checkNumeric(t, "capital-gain", col(t, res, "capital-gain").Numeric, summary{min: 0, max: 99999, mean: 1077.6488437087312,
		std: 7385.29208484034, q: [3]float64{0, 0, 0}, hist: []int64{31791, 517, 87, 5, 2, 0, 0, 0, 0, 159}})
	age := col(t, res, "age").Numeric.Histogram
	near(t, "age bin 1 low", age[1].Low, 24.3)
	near(t, "age bin 1 high", age[1].High, 31.6)
	sex := col(t, res, "sex").Top
	eq(t, "sex top", len(sex), 2)
	eq(t, "sex top 0", sex[0], ValueCount{"Male", 21790})

	l := res.Label
	eq(t, "label", *l, Label{Column: "income", Positive: ">50K", Labelled: 32561, Values: []LabelValue{
		{"<=50K", 24720, 24720.0 / 32561}, {">50K", 7841, 7841.0 / 32561}}, PositiveRate: l.PositiveRate})
	near(t, "positive rate", *l.PositiveRate, 7841.0/32561)

	eq(t, "sensitive features", len(res.Sensitive), 2)
	checkGroups(t, res.Sensitive[0], "sex", []groupWant{{"Male", 21790, 6662, 0.3057365764111978}, {"Female", 10771, 1179, 0.10946058861758426}})
	checkGroups(t, res.Sensitive[1], "race", []groupWant{
		{"White", 27816, 7117, 0.2558599367270636}, {"Black", 3124, 387, 0.12387964148527529},
		{"Asian-Pac-Islander", 1039, 276, 0.26564003849855633}, {"Amer-Indian-Eskimo", 311, 36, 0.1157556270096463},
		{"Other", 271, 25, 0.09225092250922509}})
}

func TestGermanExactFigures(t *testing.T) {
	res, err := ProfileFile(sharedData(t, "german.data"), germanOptions())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "sha256", res.SHA256, "e2bc10785808eeb5e30462f0805edb73a672f295bc671dec0bca6e2fb5c8e1ca")
	eq(t, "rows", res.Rows, int64(1000))
	eq(t, "columns", res.ColumnCount, 21)
	eq(t, "rows with missing", res.RowsWithMissing, int64(0)) // line 267's trailing space is no field
	eq(t, "duplicates", res.DuplicateRows, int64(0))
	eq(t, "label values", res.Label.Values, []LabelValue{{"1", 700, 0.7}, {"2", 300, 0.3}})
	eq(t, "a9 type", col(t, res, "a9").Type, Text)
	eq(t, "a9 distinct", col(t, res, "a9").Distinct, int64(4))
	eq(t, "a5 distinct", col(t, res, "a5").Distinct, int64(921))
	eq(t, "a2 distinct", col(t, res, "a2").Distinct, int64(33))
	checkGroups(t, res.Sensitive[0], "a9", []groupWant{{"A93", 548, 402, 0.7335766423357665}, {"A92", 310, 201, 0.6483870967741936},
		{"A94", 92, 67, 0.7282608695652174}, {"A91", 50, 30, 0.6}})
	checkNumeric(t, "a13 (age)", col(t, res, "a13").Numeric, summary{min: 19, max: 75, mean: 35.546, std: 11.375468574317512,
		q: [3]float64{27, 33, 42}, hist: []int64{149, 262, 177, 155, 89, 72, 42, 26, 21, 7}})
	checkNumeric(t, "a5 (amount)", col(t, res, "a5").Numeric, summary{min: 250, max: 18424, mean: 3271.258, std: 2822.7368759604406,
		q: [3]float64{1365.5, 2319.5, 3972.25}, hist: []int64{445, 293, 97, 80, 38, 19, 14, 8, 5, 1}})
}

// TestReferencePopulation: declared shares appear beside the observed ones,
// and a declared group absent from the data is listed with size 0.
func TestReferencePopulation(t *testing.T) {
	opt := adultOptions()
	opt.Reference = map[string]map[string]float64{"sex": {"Male": 0.49, "Female": 0.51}, "race": {"White": 0.6, "Martian": 0.01}}
	res, err := ProfileFile(sharedData(t, "adult.data"), opt)
	if err != nil {
		t.Fatal(err)
	}
	male := res.Sensitive[0].Groups[0]
	near(t, "male share", male.Share, 21790.0/32561)
	near(t, "male reference", *male.Reference, 0.49)
	near(t, "male difference", *male.Difference, 21790.0/32561-0.49)
	race := res.Sensitive[1].Groups
	last := race[len(race)-1]
	eq(t, "absent group", last.Value, "Martian")
	eq(t, "absent size", last.Size, int64(0))
	if last.BaseRate != nil || *last.Difference != -0.01 {
		t.Errorf("absent group: %+v", last)
	}
	if race[1].Reference != nil {
		t.Errorf("Black has no reference: %+v", race[1])
	}
}

type summary struct {
	min, max, mean, std float64
	q                   [3]float64
	hist                []int64
}

func checkNumeric(t *testing.T, name string, n *Numeric, want summary) {
	t.Helper()
	if n == nil {
		t.Fatalf("%s: no numeric summary", name)
	}
	eq(t, name+" min", n.Min, want.min)
	eq(t, name+" max", n.Max, want.max)
	near(t, name+" mean", n.Mean, want.mean)
	near(t, name+" std", *n.Std, want.std)
	eq(t, name+" quantiles", [3]float64{n.Q25, n.Median, n.Q75}, want.q)
	var counts []int64
	for _, b := range n.Histogram {
		counts = append(counts, b.Count)
	}
	eq(t, name+" histogram", counts, want.hist)
	near(t, name+" first edge", n.Histogram[0].Low, want.min)
	near(t, name+" last edge", n.Histogram[len(n.Histogram)-1].High, want.max)
}

type groupWant struct {
	value     string
	size, pos int64
	rate      float64
}

func checkGroups(t *testing.T, f Feature, name string, want []groupWant) {
	t.Helper()
	eq(t, "feature", f.Column, name)
	if len(f.Groups) != len(want) {
		t.Fatalf("%s: %d groups, want %d: %+v", name, len(f.Groups), len(want), f.Groups)
	}
	var total int64
	for _, w := range want {
		total += w.size
	}
	for i, g := range f.Groups {
		w := want[i]
		eq(t, name+" group", g.Value, w.value)
		eq(t, name+" "+w.value+" size", g.Size, w.size)
		eq(t, name+" "+w.value+" positives", g.Positives, w.pos)
		near(t, name+" "+w.value+" base rate", *g.BaseRate, w.rate)
		near(t, name+" "+w.value+" share", g.Share, float64(w.size)/float64(total))
	}
}

func col(t *testing.T, res *Result, name string) Column {
	t.Helper()
	for _, c := range res.Columns {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no column %q", name)
	return Column{}
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if d := cmp.Diff(want, got, cmp.AllowUnexported()); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

// near compares floating-point figures computed in a different order (a
// running mean against an exact one) to within a relative 1e-12.
func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-12*max(1, math.Abs(want)) {
		t.Errorf("%s = %.17g, want %.17g", what, got, want)
	}
}
