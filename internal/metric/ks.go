package metric

import "math"

// ksMaxExactN is scipy's MAX_AUTO_N: method "auto" computes the exact p-value when both samples are at most this large.
const ksMaxExactN = 10000

// KS2Samp is scipy.stats.ks_2samp with alternative "two-sided" and method "auto" over value counts:
// D = max |F_ref − F_cur| of the (weighted) empirical CDFs, and its p-value, exact when max(n1, n2) <= 10000
// (lattice paths, Hodges 1958, in the 1 − p form of Viehmann 2021, as scipy) and otherwise asymptotic,
// scipy's kstwo.sf(D, round(n1·n2/(n1+n2))). In the exact case D is returned as h/lcm(n1, n2), the
// lattice value scipy returns. Deviations, documented: NaN values and non-positive counts are ignored;
// totals that are not whole numbers (weights) get the asymptotic p-value computed with the real totals;
// an empty side gives NaN, NaN.
func KS2Samp(ref, cur []ValueCount) (d, p float64) {
	r, c := mergeValues(ref), mergeValues(cur)
	n1, n2 := total(r), total(c)
	if n1 == 0 || n2 == 0 {
		return math.NaN(), math.NaN()
	}
	// walk both sorted lists, comparing the CDFs after each distinct value
	var c1, c2 float64
	i, j := 0, 0
	for i < len(r) || j < len(c) {
		switch {
		case j == len(c) || (i < len(r) && r[i].Value < c[j].Value):
			c1 += r[i].N
			i++
		case i == len(r) || c[j].Value < r[i].Value:
			c2 += c[j].N
			j++
		default:
			c1 += r[i].N
			c2 += c[j].N
			i++
			j++
		}
		if diff := math.Abs(c1/n1 - c2/n2); diff > d {
			d = diff
		}
	}
	if d > 1 {
		d = 1
	}
	whole := n1 == math.Round(n1) && n2 == math.Round(n2)
	if whole && math.Max(n1, n2) <= ksMaxExactN {
		if de, pe, ok := ksExact(int64(n1), int64(n2), d); ok {
			return de, pe
		}
	}
	return d, clip01(ksAsymptotic(n1, n2, d))
}

// ksAsymptotic is scipy's "asymp" two-sided p-value: the one-sample two-sided Kolmogorov distribution with
// n = round(n1·n2/(n1+n2)), rounding half to even as numpy does.
func ksAsymptotic(n1, n2, d float64) float64 {
	m, n := math.Max(n1, n2), math.Min(n1, n2)
	en := math.RoundToEven(m * n / (m + n))
	return kolmogorovSF(int(en), d)
}

func clip01(p float64) float64 {
	return math.Max(0, math.Min(1, p))
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// ksExact returns the exact two-sided p-value P(D >= d) for sample sizes n1, n2, with d moved onto the
// lattice h/lcm. ok is false when the computation does not give a probability, so that the caller falls
// back to the asymptotic value, as scipy does.
func ksExact(n1, n2 int64, d float64) (dl, p float64, ok bool) {
	g := gcd(n1, n2)
	lcm := (n1 / g) * n2
	h := int64(math.RoundToEven(d * float64(lcm)))
	dl = float64(h) / float64(lcm)
	if h == 0 {
		return dl, 1, true
	}
	if n1 == n2 {
		p = ksOutsideSquare(n1, h)
	} else {
		p = ksOutsideStrip(n1, n2, g, h)
	}
	if !(p >= 0 && p <= 1) {
		return dl, p, false
	}
	return dl, p, true
}

// ksOutsideSquare is P(D_{n,n} >= h/n) = 2 Σ_{k≥1} (−1)^(k−1) C(2n, n−kh)/C(2n, n), evaluated from the
// innermost term outwards so that the alternating sum does not cancel.
func ksOutsideSquare(n, h int64) float64 {
	// term k is the previous one times A_k = Π_{j=(k−1)h}^{kh−1} (n−j)/(n+j+1)
	var p float64
	for k := n / h; k >= 1; k-- {
		a := 1.0
		for j := (k - 1) * h; j < k*h; j++ {
			a *= float64(n-j) / float64(n+j+1)
		}
		p = a * (1 - p)
	}
	return 2 * p
}

// ksOutsideStrip is the share of monotone lattice paths from (0,0) to (m,n) that touch |x/m − y/n| >= h/lcm,
// i.e. |ng·x − mg·y| >= h with mg = m/g, ng = n/g. U(x,y), the share of paths to (x,y) that have left the
// strip, is 1 outside it and obeys U(x,y) = (x·U(x−1,y) + y·U(x,y−1))/(x+y) inside, since a uniform path to
// (x,y) comes from (x−1,y) with probability x/(x+y). One column of U is kept, over the smaller sample.
func ksOutsideStrip(n1, n2, g, h int64) float64 {
	m, n := n1, n2
	if m < n {
		m, n = n, m
	}
	mg, ng := m/g, n/g
	col := make([]float64, n+1)
	inv := make([]float64, m+n+1) // inv[k] = 1/k: a multiplication in the inner loop is cheaper than a division
	for k := 1; k < len(inv); k++ {
		inv[k] = 1 / float64(k)
	}
	// column x = 0: (0, y) is inside while mg·y < h; a single straight path, still inside
	prevLo := int64(0)
	for y := range col {
		if mg*int64(y) < h {
			col[y] = 0
		} else {
			col[y] = 1
		}
	}
	for x := int64(1); x <= m; x++ {
		lo := floorDiv(ng*x-h, mg) + 1 // smallest y with mg·y > ng·x − h
		hi := ceilDiv(ng*x+h, mg) - 1  // largest y with mg·y < ng·x + h
		lo = max(lo, 0)
		hi = min(hi, n)
		if lo > hi {
			return 1 // every path has left the strip
		}
		below := 1.0 // U(x, lo−1): outside the strip
		fx := float64(x)
		for y := lo; y <= hi; y++ {
			fy := float64(y)
			u := (fx*col[y] + fy*below) * inv[x+y]
			col[y] = u
			below = u
		}
		for y := prevLo; y < lo; y++ {
			col[y] = 1 // left behind the strip's lower edge
		}
		prevLo = lo
	}
	return col[n]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 {
	return -floorDiv(-a, b)
}
