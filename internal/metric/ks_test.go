package metric

import (
	"math"
	"testing"
)

// closeTo reports whether got is within rel·|want| (or abs, for wants near zero) of want.
func closeTo(got, want, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-300) || math.Abs(got-want) <= 1e-15
}

// counts turns raw observations into value counts, the form KS2Samp takes.
func counts(xs []float64) []ValueCount {
	out := make([]ValueCount, len(xs))
	for i, x := range xs {
		out[i] = ValueCount{Value: x, N: 1}
	}
	return out
}

// npLinspace is numpy.linspace(start, stop, num), written independently for the test data.
func npLinspace(start, stop float64, num int) []float64 {
	step := (stop - start) / float64(num-1)
	out := make([]float64, num)
	for i := range out {
		out[i] = float64(float64(i)*step) + start
	}
	out[num-1] = stop
	return out
}

func add(xs []float64, c float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x + c
	}
	return out
}

func repeat(vals []float64, times []int) []float64 {
	var out []float64
	for i, v := range vals {
		for k := 0; k < times[i]; k++ {
			out = append(out, v)
		}
	}
	return out
}

// Expected values: scipy/scipy, scipy/stats/tests/test_stats.py, class TestKSTwoSamples, the two-sided
// cases with the default method "auto" (testSmall, testTwoVsThree, testTwoVsFour, test100_100, test100_110,
// testRepeatedValues, testEqualSizes, testLarge, testLargeBoth). Each gives D as a fraction and p to 16
// digits; both are checked here to 1e-9 relative.
func TestKS2SampScipy(t *testing.T) {
	data1 := []float64{1, 2}
	data2 := []float64{1, 2, 3}
	data4 := []float64{1, 2, 3, 4}
	x100 := npLinspace(1, 100, 100)
	x110 := npLinspace(1, 100, 110)
	x2233 := repeat([]float64{2, 3, 5, 6}, []int{3, 4, 5, 4})
	x3344 := add(x2233, 1)
	x2356 := repeat([]float64{2, 3, 5, 6}, []int{3, 4, 10, 4})
	x3467 := repeat([]float64{3, 4, 6, 7}, []int{10, 2, 10, 4})
	// testLarge: n1, n2 = 10000, 110; delta = 1/n1/n2/2/2
	delta := 1.0 / 10000 / 110 / 2 / 2
	xL := add(npLinspace(1, 200, 10000), -delta)
	yL := npLinspace(2, 100, 110)
	// testLargeBoth: n1, n2 = 10000, 11000 (asymptotic under "auto")
	deltaB := 1.0 / 10000 / 11000 / 2 / 2
	xB := add(npLinspace(1, 200, 10000), -deltaB)
	yB := npLinspace(2, 200, 11000)

	cases := []struct {
		name   string
		x, y   []float64
		d, p   float64
		approx float64 // tolerance on p
	}{
		{"small", []float64{0}, []float64{1}, 1, 1, 1e-12},
		{"small reversed", []float64{1}, []float64{0}, 1, 1, 1e-12},
		{"2v3 +0.01", add(data1, 0.01), data2, 1.0 / 3, 1.0, 1e-12},
		{"2v3 -0.01", add(data1, -0.01), data2, 2.0 / 3, 0.6, 1e-12},
		{"2v4 +0.01", add(data1, 0.01), data4, 2.0 / 4, 14.0 / 15, 1e-12},
		{"2v4 -0.01", add(data1, -0.01), data4, 3.0 / 4, 6.0 / 15, 1e-12},
		{"100 +2.1", x100, add(add(x100, 2), 0.1), 3.0 / 100, 0.9999999999962055, 1e-12},
		{"100 +1.9", x100, add(add(x100, 2), -0.1), 2.0 / 100, 1.0, 1e-12},
		{"100v110 +20.1", x100, add(add(x110, 20), 0.1), 232.0 / 1100, 0.015739183865607353, 1e-9},
		{"100v110 +19.9", x100, add(add(x110, 20), -0.1), 229.0 / 1100, 0.017803803861026313, 1e-9},
		{"repeated 2233/3344", x2233, x3344, 5.0 / 16, 0.4262934613454952, 1e-9},
		{"repeated 2356/3467", x2356, x3467, 190.0 / 21 / 26, 0.0919245790168125, 1e-9},
		{"equal sizes +1", data2, add(data2, 1), 1.0 / 3, 1.0, 1e-12},
		{"equal sizes +0.5", data2, add(data2, 0.5), 1.0 / 3, 1.0, 1e-12},
		{"equal sizes -0.5", data2, add(data2, -0.5), 1.0 / 3, 1.0, 1e-12},
		{"large both 10000v11000 asymp", xB, yB, 563.0 / 110000, 0.9990660108966576, 1e-9},
	}
	// testLarge (10000 v 110, exact under "auto"): scipy expects p = 4.2188474935755949e-15 but asserts it
	// only to 6 decimals; that figure dates from when the exact method returned 1 − P(inside), which cannot
	// go below ~1e-15. The 1 − p recursion (scipy's, and ours) gives the true value, which is, up to the
	// negligible chance of crossing both boundaries, twice the one-sided p-value scipy publishes for the
	// same data with alternative="less": 3.1317328311518713e-26.
	d, p := KS2Samp(counts(xL), counts(yL))
	if !closeTo(d, 55275.0/110000, 1e-12) || math.Abs(p-4.2188474935755949e-15) > 1.5e-6 || !closeTo(p, 2*3.1317328311518713e-26, 1e-9) {
		t.Errorf("large 10000v110: D = %.17g, p = %.17g", d, p)
	}
	for _, c := range cases {
		d, p := KS2Samp(counts(c.x), counts(c.y))
		if !closeTo(d, c.d, 1e-12) {
			t.Errorf("%s: D = %.17g, want %.17g", c.name, d, c.d)
		}
		if !closeTo(p, c.p, c.approx) {
			t.Errorf("%s: p = %.17g, want %.17g", c.name, p, c.p)
		}
		// the test is symmetric in its two samples
		d2, p2 := KS2Samp(counts(c.y), counts(c.x))
		if d2 != d || !closeTo(p2, p, 1e-12) {
			t.Errorf("%s swapped: %v %v, want %v %v", c.name, d2, p2, d, p)
		}
	}
}

// Merged value counts give the same answer as the raw observations they summarise.
func TestKS2SampCountsEqualRows(t *testing.T) {
	x := repeat([]float64{2, 3, 5, 6}, []int{3, 4, 10, 4})
	y := repeat([]float64{3, 4, 6, 7}, []int{10, 2, 10, 4})
	merged := func(vals []float64, times []int) []ValueCount {
		var out []ValueCount
		for i, v := range vals {
			out = append(out, ValueCount{Value: v, N: float64(times[i])})
		}
		return out
	}
	d1, p1 := KS2Samp(counts(x), counts(y))
	d2, p2 := KS2Samp(merged([]float64{6, 2, 3, 5}, []int{4, 3, 4, 10}), merged([]float64{3, 4, 6, 7}, []int{10, 2, 10, 4}))
	if d1 != d2 || p1 != p2 {
		t.Fatalf("rows give %v %v, counts give %v %v", d1, p1, d2, p2)
	}
}

func TestKS2SampEdgeCases(t *testing.T) {
	d, p := KS2Samp(nil, counts([]float64{1}))
	if !math.IsNaN(d) || !math.IsNaN(p) {
		t.Errorf("empty reference: %v %v, want NaN NaN", d, p)
	}
	d, p = KS2Samp(counts([]float64{1, 2, 3}), counts([]float64{1, 2, 3}))
	if d != 0 || p != 1 {
		t.Errorf("identical samples: %v %v, want 0 1", d, p)
	}
	// weights with non-whole totals: the asymptotic p-value with n = round(n1·n2/(n1+n2)) of the real
	// totals, here 1.5·2.5/4 = 0.9375 → 1. F_ref − F_cur is 1/3 at 1 and 1/3 − 1 at 2, so D = 2/3.
	half := []ValueCount{{1, 0.5}, {3, 1}}
	other := []ValueCount{{2, 2.5}}
	d, p = KS2Samp(half, other)
	if !closeTo(d, 2.0/3, 1e-15) || !closeTo(p, kolmogorovSF(1, 2.0/3), 1e-15) {
		t.Errorf("weighted: %v %v", d, p)
	}
	// non-positive counts and NaN values are ignored
	d, p = KS2Samp([]ValueCount{{1, 1}, {math.NaN(), 5}, {9, 0}, {9, -3}}, []ValueCount{{2, 1}})
	if d != 1 || p != 1 {
		t.Errorf("ignored entries: %v %v, want 1 1", d, p)
	}
}

// The exact lattice computation for unequal sizes checked against a brute-force count of all
// C(m+n, n) orderings for small samples.
func TestKSExactBruteForce(t *testing.T) {
	for m := int64(1); m <= 7; m++ {
		for n := int64(1); n <= 6; n++ {
			g := gcd(m, n)
			lcm := m / g * n
			for h := int64(1); h <= lcm; h++ {
				want := bruteOutside(int(m), int(n), float64(h)/float64(lcm))
				var got float64
				if m == n {
					got = ksOutsideSquare(m, h)
				} else {
					got = ksOutsideStrip(m, n, g, h)
				}
				if !closeTo(got, want, 1e-12) {
					t.Errorf("m=%d n=%d h=%d: %v, want %v", m, n, h, got, want)
				}
			}
		}
	}
}

// bruteOutside enumerates every interleaving of m x-steps and n y-steps and returns the share that
// reach |x/m − y/n| >= d (with a little slack for rounding).
func bruteOutside(m, n int, d float64) float64 {
	var hit, all float64
	var walk func(x, y int, out bool)
	walk = func(x, y int, out bool) {
		if math.Abs(float64(x)/float64(m)-float64(y)/float64(n)) >= d-1e-12 {
			out = true
		}
		if x == m && y == n {
			all++
			if out {
				hit++
			}
			return
		}
		if x < m {
			walk(x+1, y, out)
		}
		if y < n {
			walk(x, y+1, out)
		}
	}
	walk(0, 0, false)
	return hit / all
}

// Expected values: scipy/scipy, scipy/stats/tests/test_stats.py, TestKSOneSample.test_ks1samp_allpaths,
// the dataset for scipy.stats._ksstats.kolmogn(n, x, cdf) (each path of Simard and L'Ecuyer's selection),
// and TestKSOneSample.test_agree_with_r, whose two-sided p-values are kstwo.sf(D, n).
func TestKolmogorovSFScipy(t *testing.T) {
	cases := []struct {
		n    int
		x    float64
		cdf  bool
		want float64
	}{
		{101, 1, true, 1},
		{101, 1.1, true, 1},
		{101, 0, true, 0},
		{101, -0.1, true, 0},
		{32, 1.0 / 64, true, 0},                         // Ruben-Gambino
		{32, 1.0 / 64, false, 1},                        // Ruben-Gambino
		{32, 0.5, true, 0.9999999363163307},             // Miller
		{32, 0.5, false, 6.368366937916623e-08},         // 2 * special.smirnov(32, 0.5)
		{32, 1.0 / 8, true, 0.34624229979775223},        // Durbin matrix
		{32, 1.0 / 4, true, 0.9699508336558085},         // scipy: Pomeranz; here the Durbin matrix
		{1600, 0.49, false, 0},                          //
		{1600, 1.0 / 16, false, 7.0837876229702195e-06}, // 2 * special.smirnov(1600, 1/16.0)
		{1600, 14.0 / 1600, false, 0.99962357317602},    // _kolmogn_DMTW
		{1600, 1.0 / 32, false, 0.08603386296651416},    // _kolmogn_PelzGood
		// test_agree_with_r: ks_1samp two-sided p-values, n = 9 and n = 10
		{9, 0.15865525393145705, false, 0.95164069201518386},
		{9, 0.44435602715924361, false, 0.038850140086788665},
		{10, 0.293580126801961, false, 0.293408463684361},
	}
	for _, c := range cases {
		sf := kolmogorovSF(c.n, c.x)
		got := sf
		if c.cdf {
			got = 1 - sf
		}
		if !closeTo(got, c.want, 1e-11) {
			t.Errorf("kolmogn(%d, %v, cdf=%v) = %.17g, want %.17g", c.n, c.x, c.cdf, got, c.want)
		}
	}
}

// The Durbin matrix, Pelz–Good and Smirnov paths agree with one another where their regions meet, and
// Pelz–Good tends to Kolmogorov's limit.
func TestKolmogorovPathsAgree(t *testing.T) {
	for _, c := range []struct {
		n int
		x float64
	}{{1000, 0.02}, {5000, 0.01}, {20000, 0.005}} {
		dm := 1 - durbinCDF(c.n, c.x)
		pg := 1 - pelzGoodCDF(c.n, c.x)
		if !closeTo(dm, pg, 1e-5) {
			t.Errorf("n=%d x=%v: Durbin %v, Pelz-Good %v", c.n, c.x, dm, pg)
		}
	}
	// at n·x² = 2.2 the two-sided tail is twice the one-sided one less the small chance of crossing both
	n := 2000
	x := math.Sqrt(2.2 / float64(n))
	dm := 1 - durbinCDF(n, x)
	sm := 2 * smirnovSF(n, x)
	if !closeTo(dm, sm, 1e-5) || dm > sm {
		t.Errorf("n=%d x=%v: Durbin %v, 2·Smirnov %v", n, x, dm, sm)
	}
	// Kolmogorov's limit: P(√n D_n >= z) → 2 Σ (−1)^(k−1) exp(−2k²z²)
	z := 1.0
	limit := 0.0
	for k := 1; k < 100; k++ {
		limit += 2 * math.Pow(-1, float64(k-1)) * math.Exp(-2*float64(k*k)*z*z)
	}
	big := 1e8
	pg := 1 - pelzGoodCDF(int(big), z/math.Sqrt(big))
	if !closeTo(pg, limit, 1e-4) {
		t.Errorf("large n: %v, Kolmogorov limit %v", pg, limit)
	}
}
