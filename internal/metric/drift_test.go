package metric_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/metric"
)

// Expected values: scipy/scipy, scipy/spatial/tests/test_distance.py, test_jensenshannon. scipy checks
// them with assert_almost_equal (7 decimals), so the short ones are checked to 1.5e-7 here; the one given
// to 17 digits is checked to 1e-12.
func TestJensenShannonScipy(t *testing.T) {
	cases := []struct {
		p, q []float64
		base float64
		want float64
		tol  float64
	}{
		{[]float64{1, 0, 0}, []float64{0, 1, 0}, 2, 1.0, 1.5e-7},
		{[]float64{1, 0}, []float64{0.5, 0.5}, 0, 0.46450140402245893, 1e-12},
		{[]float64{1, 0, 0}, []float64{1, 0, 0}, 0, 0.0, 1.5e-7},
		{[]float64{1, 2}, []float64{0.5, 1.5}, 0, 0.0649045, 1.5e-7},
		// rows of a = [[1..4],[5..8],[9..12]] against b = [[13..16],[17..20],[21..24]] (axis=1)
		{[]float64{1, 2, 3, 4}, []float64{13, 14, 15, 16}, 0, 0.1402339, 1.5e-7},
		{[]float64{5, 6, 7, 8}, []float64{17, 18, 19, 20}, 0, 0.0399106, 1.5e-7},
		{[]float64{9, 10, 11, 12}, []float64{21, 22, 23, 24}, 0, 0.0201815, 1.5e-7},
		// columns (axis=0)
		{[]float64{1, 5, 9}, []float64{13, 17, 21}, 0, 0.1954288, 1.5e-7},
		{[]float64{2, 6, 10}, []float64{14, 18, 22}, 0, 0.1447697, 1.5e-7},
		{[]float64{3, 7, 11}, []float64{15, 19, 23}, 0, 0.1138377, 1.5e-7},
		{[]float64{4, 8, 12}, []float64{16, 20, 24}, 0, 0.0927636, 1.5e-7},
	}
	for _, c := range cases {
		if got := metric.JensenShannon(c.p, c.q, c.base); math.Abs(got-c.want) > c.tol {
			t.Errorf("jensenshannon(%v, %v, %v) = %.17g, want %v", c.p, c.q, c.base, got, c.want)
		}
	}
	// base e and base 2 differ by the factor √ln 2, and the natural-log maximum is √ln 2
	p, q := []float64{0.2, 0.3, 0.5}, []float64{0.5, 0.4, 0.1}
	if e, two := metric.JensenShannon(p, q, math.E), metric.JensenShannon(p, q, 2); math.Abs(e-two*math.Sqrt(math.Ln2)) > 1e-15 {
		t.Errorf("base e %v, base 2 %v", e, two)
	}
	if v := metric.JensenShannon([]float64{1, 0}, []float64{0, 1}, 0); math.Abs(v-math.Sqrt(math.Ln2)) > 1e-15 {
		t.Errorf("disjoint, natural log: %v, want √ln2", v)
	}
}

// PSI worked by hand: proportions 0.1 0.2 0.3 0.4 against 0.2 0.2 0.3 0.3 give
// (0.1−0.2)·ln(0.1/0.2) + (0.4−0.3)·ln(0.4/0.3) = 0.1·ln 2 + 0.1·ln(4/3).
func TestPSIHand(t *testing.T) {
	got := metric.PSI([]float64{10, 20, 30, 40}, []float64{20, 20, 30, 30}, 1e-4)
	want := 0.1*math.Log(2) + 0.1*math.Log(4.0/3)
	if math.Abs(got-want) > 1e-15 {
		t.Errorf("PSI = %.17g, want %.17g", got, want)
	}
	// an empty reference bin becomes eps: ref 0, 0.5, 0.5 → 1e-4, 0.5, 0.5 against 0.1, 0.4, 0.5
	got = metric.PSI([]float64{0, 50, 50}, []float64{10, 40, 50}, 1e-4)
	want = (1e-4-0.1)*math.Log(1e-4/0.1) + (0.5-0.4)*math.Log(0.5/0.4)
	if math.Abs(got-want) > 1e-15 {
		t.Errorf("PSI with empty bin = %.17g, want %.17g", got, want)
	}
	// identical distributions, different totals
	if got := metric.PSI([]float64{1, 2, 3}, []float64{10, 20, 30}, 1e-4); math.Abs(got) > 1e-15 {
		t.Errorf("identical proportions: %v", got)
	}
	// no smoothing: an empty bin makes PSI infinite; mismatched lengths are NaN
	if got := metric.PSI([]float64{0, 1}, []float64{1, 1}, 0); !math.IsInf(got, 1) {
		t.Errorf("eps 0 with an empty bin: %v, want +Inf", got)
	}
	if got := metric.PSI([]float64{1}, []float64{1, 1}, 1e-4); !math.IsNaN(got) {
		t.Errorf("mismatched bins: %v, want NaN", got)
	}
}

// Evidently's empty-bin rule (get_binned_data): min non-zero proportion / 1e6 when that minimum is at most
// 1e-4, else 1e-4.
func TestEvidentlyEpsilon(t *testing.T) {
	cases := []struct {
		p    []float64
		want float64
	}{
		{[]float64{0, 0.25, 0.75}, 1e-4},
		{[]float64{0, 5e-5, 1 - 5e-5}, 5e-11},
		{[]float64{1e-4, 1 - 1e-4}, 1e-10},
		{[]float64{2e-4, 1 - 2e-4}, 1e-4},
	}
	for _, c := range cases {
		if got := metric.EvidentlyEpsilon(c.p); math.Abs(got-c.want) > 1e-20 {
			t.Errorf("EvidentlyEpsilon(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

func cats(names string, ns ...float64) []metric.CategoryCount {
	var out []metric.CategoryCount
	for i, n := range strings.Fields(names) {
		out = append(out, metric.CategoryCount{Category: n, N: ns[i]})
	}
	return out
}

// Published chi-square values:
//   - evidentlyai/evidently tests/stattests/test_stattests.py test_freq_obs_eq_freq_exp and
//     test_freq_obs_not_eq_freq_exp: reference counts 16 18 16 14 12 12 (or twice them), current
//     16 16 16 16 16 8 → p-value 0.67309 (checked there to 1e-5).
//   - scipy.stats.chisquare docstring: chisquare([16, 18, 16, 14, 12, 12]) → statistic 2.0,
//     p 0.84914504 (uniform expectation, i.e. equal reference counts), and with
//     f_exp=[16, 16, 16, 16, 16, 8] → 3.5, 0.62338763 (8 digits printed, checked to 5e-9).
//   - scipy/stats/tests/test_stats.py test_power_divergence_gh_12282: observed 10, 30 against expected
//     5, 35 → 5.71428571, 0.01682741.
func TestChiSquarePublished(t *testing.T) {
	keys := "a b c d e f"
	cases := []struct {
		name          string
		ref, cur      []metric.CategoryCount
		stat, p, tolP float64
		df            int
	}{
		{"evidently", cats(keys, 16, 18, 16, 14, 12, 12), cats(keys, 16, 16, 16, 16, 16, 8), math.NaN(), 0.67309, 1e-5, 5},
		{"evidently ×2", cats(keys, 32, 36, 32, 28, 24, 24), cats(keys, 16, 16, 16, 16, 16, 8), math.NaN(), 0.67309, 1e-5, 5},
		{"scipy uniform", cats(keys, 1, 1, 1, 1, 1, 1), cats(keys, 16, 18, 16, 14, 12, 12), 2.0, 0.84914504, 5e-9, 5},
		{"scipy f_exp", cats(keys, 16, 16, 16, 16, 16, 8), cats(keys, 16, 18, 16, 14, 12, 12), 3.5, 0.62338763, 5e-9, 5},
		{"scipy gh-12282", cats("x y", 5, 35), cats("x y", 10, 30), 5.71428571, 0.01682741, 5e-9, 1},
	}
	for _, c := range cases {
		stat, p, df := metric.ChiSquare(c.ref, c.cur)
		if !math.IsNaN(c.stat) && math.Abs(stat-c.stat) > 5e-9 {
			t.Errorf("%s: statistic %.12g, want %v", c.name, stat, c.stat)
		}
		if math.Abs(p-c.p) > c.tolP || df != c.df {
			t.Errorf("%s: p %.12g df %d, want %v %d", c.name, p, df, c.p, c.df)
		}
	}
	// the Evidently case worked by hand: expected = reference (equal totals), so the statistic is
	// 0 + 4/18 + 0 + 4/14 + 16/12 + 16/12
	stat, _, _ := metric.ChiSquare(cats(keys, 16, 18, 16, 14, 12, 12), cats(keys, 16, 16, 16, 16, 16, 8))
	if want := 4.0/18 + 4.0/14 + 16.0/12 + 16.0/12; math.Abs(stat-want) > 1e-12 {
		t.Errorf("statistic %v, want %v", stat, want)
	}
}

func TestChiSquareEdgeCases(t *testing.T) {
	// a category the reference never saw: expected 0 → +Inf, p 0 (scipy's answer for Evidently)
	stat, p, df := metric.ChiSquare(cats("a b", 10, 10), cats("a b c", 5, 5, 1))
	if !math.IsInf(stat, 1) || p != 0 || df != 2 {
		t.Errorf("new category: %v %v %v, want +Inf 0 2", stat, p, df)
	}
	// categories with no count anywhere are not part of the union; order does not matter
	s1, p1, d1 := metric.ChiSquare(cats("a b z", 10, 30, 0), cats("b a", 20, 20))
	s2, p2, d2 := metric.ChiSquare(cats("b a", 30, 10), cats("a b z", 20, 20, 0))
	if s1 != s2 || p1 != p2 || d1 != 1 || d2 != 1 {
		t.Errorf("order/zero categories: %v %v %v vs %v %v %v", s1, p1, d1, s2, p2, d2)
	}
	// a single category has no degrees of freedom
	if _, p, df := metric.ChiSquare(cats("a", 3), cats("a", 5)); !math.IsNaN(p) || df != 0 {
		t.Errorf("one category: p %v df %v, want NaN 0", p, df)
	}
	if stat, p, _ := metric.ChiSquare(nil, cats("a b", 1, 2)); !math.IsNaN(stat) || !math.IsNaN(p) {
		t.Errorf("empty reference: %v %v, want NaN NaN", stat, p)
	}
}

func valueCounts(from, to int, n float64) []metric.ValueCount {
	var out []metric.ValueCount
	for v := from; v <= to; v++ {
		out = append(out, metric.ValueCount{Value: float64(v), N: n})
	}
	return out
}

// psiEvidently is the PSI of two count vectors with Evidently's empty-bin rule, written out for the test.
func psiEvidently(ref, cur []float64) float64 {
	norm := func(c []float64) []float64 {
		var s float64
		for _, x := range c {
			s += x
		}
		p := make([]float64, len(c))
		minNZ := math.Inf(1)
		for i, x := range c {
			p[i] = x / s
			if p[i] > 0 && p[i] < minNZ {
				minNZ = p[i]
			}
		}
		eps := 1e-4
		if minNZ <= 1e-4 {
			eps = minNZ / 1e6
		}
		for i := range p {
			if p[i] == 0 {
				p[i] = eps
			}
		}
		return p
	}
	r, c := norm(ref), norm(cur)
	var s float64
	for i := range r {
		s += (r[i] - c[i]) * math.Log(r[i]/c[i])
	}
	return s
}

// Numeric drift with more than 20 distinct reference values: reference 0..29, current 10..49, one of
// each, 70 values in all. Sturges: ceil(log2 70 + 1) = 8 bins of width 49/8 = 6.125 from 0 to 49, the
// last closed. Counted by hand: reference 7 6 6 6 5 0 0 0, current 0 3 6 6 6 6 6 7 (49 in the last bin).
func TestNumericDriftSturges(t *testing.T) {
	ref, cur := valueCounts(0, 29, 1), valueCounts(10, 49, 1)
	refBins := []float64{7, 6, 6, 6, 5, 0, 0, 0}
	curBins := []float64{0, 3, 6, 6, 6, 6, 6, 7}

	r := metric.NumericDrift(ref, cur, metric.MethodPSI, 0)
	if len(r.Edges) != 9 {
		t.Fatalf("edges %v, want 9", r.Edges)
	}
	for i, e := range r.Edges {
		if math.Abs(e-6.125*float64(i)) > 1e-12 {
			t.Errorf("edge %d = %v, want %v", i, e, 6.125*float64(i))
		}
	}
	if want := psiEvidently(refBins, curBins); math.Abs(r.Value-want) > 1e-12 {
		t.Errorf("PSI = %.15g, want %.15g", r.Value, want)
	}
	if r.Epsilon != 1e-4 || r.EpsilonCur != 1e-4 || r.NRef != 30 || r.NCur != 40 || r.Binning != "sturges on reference+current" {
		t.Errorf("result %+v", r)
	}

	js := metric.NumericDrift(ref, cur, metric.MethodJensenShannon, 2)
	if want := metric.JensenShannon(refBins, curBins, 2); math.Abs(js.Value-want) > 1e-15 || js.LogBase != 2 || js.Epsilon != 0 {
		t.Errorf("JS = %+v, want value %v", js, want)
	}
	if jsE := metric.NumericDrift(ref, cur, metric.MethodJensenShannon, 0); jsE.LogBase != math.E {
		t.Errorf("default log base %v, want e", jsE.LogBase)
	}

	// counts are rows: every value twice with N = 1 is every value once with N = 2 (140 rows, so Sturges
	// now gives ceil(log2 140 + 1) = 9 bins)
	rows := metric.NumericDrift(append(ref, ref...), append(cur, cur...), metric.MethodPSI, 0)
	merged := metric.NumericDrift(valueCounts(0, 29, 2), valueCounts(10, 49, 2), metric.MethodPSI, 0)
	if rows.Value != merged.Value || len(merged.Edges) != 10 {
		t.Errorf("rows %v, counts %v, %d edges", rows.Value, merged.Value, len(merged.Edges))
	}
}

// Integer data binned by Sturges gets bins at least 1 wide, as numpy gives integer arrays: 0..20, 21
// distinct values, with 2.1 million observations would want ceil(log2 2.1e6 + 1) = 23 bins of width
// 20/22.002 < 1; np.histogram_bin_edges of an int64 array gives the 21 edges 0, 1, …, 20 instead.
// The same data shifted by 0.5 is not whole and keeps 23 bins.
func TestNumericDriftSturgesIntegers(t *testing.T) {
	ints := metric.NumericDrift(valueCounts(0, 20, 50000), valueCounts(0, 20, 50000), metric.MethodPSI, 0)
	if len(ints.Edges) != 21 {
		t.Fatalf("integer edges %v, want 0..20", ints.Edges)
	}
	for i, e := range ints.Edges {
		if e != float64(i) {
			t.Errorf("edge %d = %v, want %d", i, e, i)
		}
	}
	half := func() []metric.ValueCount {
		v := valueCounts(0, 20, 50000)
		for i := range v {
			v[i].Value += 0.5
		}
		return v
	}
	floats := metric.NumericDrift(half(), half(), metric.MethodPSI, 0)
	if want := int(math.Ceil(math.Log2(2.1e6)+1)) + 1; len(floats.Edges) != want {
		t.Errorf("%d edges for values with halves, want %d", len(floats.Edges), want)
	}
}

// At most 20 distinct reference values: each value is a category over the union of both sides.
func TestNumericDriftFewValues(t *testing.T) {
	ref := []metric.ValueCount{{Value: 1, N: 10}, {Value: 2, N: 20}, {Value: 3, N: 30}}
	cur := []metric.ValueCount{{Value: 4, N: 5}, {Value: 2, N: 10}, {Value: 3, N: 10}}
	r := metric.NumericDrift(ref, cur, metric.MethodPSI, 0)
	want := psiEvidently([]float64{10, 20, 30, 0}, []float64{0, 10, 10, 5})
	if math.Abs(r.Value-want) > 1e-12 || r.Edges != nil || strings.Join(r.Categories, ",") != "1,2,3,4" {
		t.Errorf("result %+v, want PSI %v over 1,2,3,4", r, want)
	}
}

func TestNumericDriftKSAndErrors(t *testing.T) {
	ref, cur := valueCounts(0, 29, 1), valueCounts(10, 49, 1)
	r := metric.NumericDrift(ref, cur, metric.MethodKS, 0)
	d, p := metric.KS2Samp(ref, cur)
	if r.Value != d || r.PValue == nil || *r.PValue != p || r.Binning != "none (ecdf)" {
		t.Errorf("ks result %+v, want D %v p %v", r, d, p)
	}
	if v := metric.NumericDrift(ref, cur, "wasserstein", 0); !math.IsNaN(v.Value) {
		t.Errorf("unknown method: %v, want NaN", v.Value)
	}
	if v := metric.NumericDrift(nil, cur, metric.MethodPSI, 0); !math.IsNaN(v.Value) || v.NCur != 40 {
		t.Errorf("empty reference: %+v", v)
	}
	if v := metric.NumericDrift(ref, nil, metric.MethodKS, 0); !math.IsNaN(v.Value) || v.PValue != nil {
		t.Errorf("empty current, ks: %+v", v)
	}
}

func TestCategoricalDrift(t *testing.T) {
	ref := cats("red green blue", 50, 30, 20)
	cur := cats("green red yellow", 30, 40, 30)
	r := metric.CategoricalDrift(ref, cur, metric.MethodPSI, 0)
	// union in sorted order: blue green red yellow
	want := psiEvidently([]float64{20, 30, 50, 0}, []float64{0, 30, 40, 30})
	if math.Abs(r.Value-want) > 1e-12 || strings.Join(r.Categories, ",") != "blue,green,red,yellow" || r.NRef != 100 || r.NCur != 100 {
		t.Errorf("psi %+v, want %v", r, want)
	}
	js := metric.CategoricalDrift(ref, cur, metric.MethodJensenShannon, 2)
	if w := metric.JensenShannon([]float64{20, 30, 50, 0}, []float64{0, 30, 40, 30}, 2); math.Abs(js.Value-w) > 1e-15 || js.LogBase != 2 {
		t.Errorf("js %+v, want %v", js, w)
	}
	chi := metric.CategoricalDrift(ref, cur, metric.MethodChiSquare, 0)
	if !math.IsInf(chi.Value, 1) || chi.PValue == nil || *chi.PValue != 0 || chi.DF != 3 {
		t.Errorf("chi-square with a new category: %+v", chi)
	}
	if u := metric.CategoricalDrift(ref, cur, "ks", 0); !math.IsNaN(u.Value) {
		t.Errorf("ks on categories: %v, want NaN", u.Value)
	}
	// a Result serialises with its method and sample sizes; empty edges are omitted
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"Method":"psi"`) || strings.Contains(string(b), "Edges") {
		t.Errorf("json %s %v", b, err)
	}
}
