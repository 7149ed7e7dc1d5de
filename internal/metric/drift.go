package metric

import (
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/stat/distuv"
)

// ValueCount is how many times (or with what total weight) a numeric value occurred.
type ValueCount struct{ Value, N float64 }

// CategoryCount is how many times (or with what total weight) a category occurred.
type CategoryCount struct {
	Category string
	N        float64
}

// Result is one drift measurement with everything needed to compare it with Evidently or NannyML.
type Result struct {
	Method     string    // "psi", "jensen_shannon", "ks", "chi_square"
	Value      float64   // PSI, JS distance, KS D or chi-square statistic
	PValue     *float64  // KS and chi-square only
	Binning    string    // e.g. "sturges on reference+current", "categories", "none (ecdf)"
	Edges      []float64 `json:",omitempty"`
	Categories []string  `json:",omitempty"`
	Epsilon    float64   // PSI: value that replaced empty reference proportions; 0 when none was empty
	EpsilonCur float64   // PSI: value that replaced empty current proportions; 0 when none was empty
	LogBase    float64   // JS: math.E or 2; 0 when not applicable
	DF         int       // chi-square degrees of freedom
	NRef, NCur float64
}

// The drift methods understood by NumericDrift and CategoricalDrift.
const (
	MethodPSI           = "psi"
	MethodJensenShannon = "jensen_shannon"
	MethodKS            = "ks"
	MethodChiSquare     = "chi_square"
)

// Evidently's rule: a numeric feature with more distinct reference values than this is binned by Sturges' rule.
const evidentlyMaxCategoricalValues = 20

// proportions returns counts divided by their total.
func proportions(counts []float64) []float64 {
	var total float64
	for _, c := range counts {
		total += c
	}
	p := make([]float64, len(counts))
	for i, c := range counts {
		p[i] = c / total
	}
	return p
}

// fill replaces zero proportions with eps and reports whether any was replaced.
func fill(p []float64, eps float64) bool {
	replaced := false
	for i, v := range p {
		if v == 0 {
			p[i] = eps
			replaced = true
		}
	}
	return replaced
}

// psiOf returns Σ (r − c)·ln(r/c) over aligned proportions.
func psiOf(r, c []float64) float64 {
	var s float64
	for i := range r {
		s += (r[i] - c[i]) * math.Log(r[i]/c[i])
	}
	return s
}

// PSI returns the population stability index over aligned bin counts; proportions are computed inside
// and an empty proportion (in either) becomes eps. With eps ≤ 0 an empty bin makes the result +Inf or NaN.
func PSI(ref, cur []float64, eps float64) float64 {
	if len(ref) != len(cur) || len(ref) == 0 {
		return math.NaN()
	}
	r, c := proportions(ref), proportions(cur)
	fill(r, eps)
	fill(c, eps)
	return psiOf(r, c)
}

// EvidentlyEpsilon returns the value Evidently puts in place of an empty proportion: the smallest non-zero
// proportion divided by 1e6 when that is at most 1e-4, else 1e-4.
func EvidentlyEpsilon(p []float64) float64 {
	m := math.Inf(1)
	for _, v := range p {
		if v != 0 && v < m {
			m = v
		}
	}
	if m <= 1e-4 {
		return m / 1e6
	}
	return 1e-4
}

// JensenShannon is scipy.spatial.distance.jensenshannon: p and q are normalised, and the result is the square
// root of the Jensen–Shannon divergence in the given log base (base ≤ 0 means natural log). A divergence that
// rounding makes slightly negative is taken as 0.
func JensenShannon(p, q []float64, base float64) float64 {
	if len(p) != len(q) || len(p) == 0 {
		return math.NaN()
	}
	pn, qn := proportions(p), proportions(q)
	var left, right float64
	for i := range pn {
		m := (pn[i] + qn[i]) / 2
		left += relEntr(pn[i], m)
		right += relEntr(qn[i], m)
	}
	js := left + right
	if base > 0 {
		js /= math.Log(base)
	}
	if js < 0 {
		js = 0
	}
	return math.Sqrt(js / 2)
}

// relEntr is scipy.special.rel_entr: x·ln(x/y), 0 when x == 0, +Inf when x > 0 and y ≤ 0.
func relEntr(x, y float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsNaN(y):
		return math.NaN()
	case x > 0 && y > 0:
		return x * math.Log(x/y)
	case x == 0 && y >= 0:
		return 0
	default:
		return math.Inf(1)
	}
}

// ChiSquare is Evidently's chi-square drift test: over the union of categories, the expected current count
// is the reference count × (current total / reference total), and the statistic Σ (obs − exp)²/exp has
// df = k − 1 degrees of freedom. A category absent from the reference has expected count 0, so a current
// observation of it makes the statistic +Inf and p 0 (scipy's result). Categories with no count on either
// side are not part of the union. p is NaN when df < 1 or either side is empty.
func ChiSquare(ref, cur []CategoryCount) (stat, p float64, df int) {
	_, r, c := alignCategories(ref, cur)
	return chiSquare(r, c)
}

func chiSquare(r, c []float64) (stat, p float64, df int) {
	var nr, nc float64
	for i := range r {
		nr += r[i]
		nc += c[i]
	}
	df = len(r) - 1
	if nr == 0 || nc == 0 {
		return math.NaN(), math.NaN(), df
	}
	k := nc / nr
	for i := range r {
		exp := r[i] * k
		d := c[i] - exp
		stat += d * d / exp
	}
	if df < 1 || math.IsNaN(stat) {
		return stat, math.NaN(), df
	}
	if math.IsInf(stat, 1) {
		return stat, 0, df
	}
	return stat, distuv.ChiSquared{K: float64(df)}.Survival(stat), df
}

// alignCategories returns the sorted union of categories with a positive count on either side and the
// counts of each side over it.
func alignCategories(ref, cur []CategoryCount) (keys []string, r, c []float64) {
	idx := map[string]int{}
	add := func(list []CategoryCount, side int) {
		for _, x := range list {
			if !(x.N > 0) {
				continue
			}
			i, ok := idx[x.Category]
			if !ok {
				i = len(keys)
				idx[x.Category] = i
				keys = append(keys, x.Category)
				r = append(r, 0)
				c = append(c, 0)
			}
			if side == 0 {
				r[i] += x.N
			} else {
				c[i] += x.N
			}
		}
	}
	add(ref, 0)
	add(cur, 1)
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })
	sk, sr, sc := make([]string, len(keys)), make([]float64, len(keys)), make([]float64, len(keys))
	for j, i := range order {
		sk[j], sr[j], sc[j] = keys[i], r[i], c[i]
	}
	return sk, sr, sc
}

// mergeValues returns the distinct values with a positive count, sorted, with their summed counts.
func mergeValues(v []ValueCount) []ValueCount {
	s := make([]ValueCount, 0, len(v))
	for _, x := range v {
		if x.N > 0 && !math.IsNaN(x.Value) {
			s = append(s, x)
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Value < s[j].Value })
	out := s[:0]
	for _, x := range s {
		if n := len(out); n > 0 && out[n-1].Value == x.Value {
			out[n-1].N += x.N
			continue
		}
		out = append(out, x)
	}
	return out
}

func total(v []ValueCount) float64 {
	var t float64
	for _, x := range v {
		t += x.N
	}
	return t
}

// SturgesEdges returns np.histogram_bin_edges(data, "sturges") for data from minV to maxV with n
// observations in all: width = ptp/(log2(n)+1), ceil(ptp/width) equal bins from min to max. With
// integers (every value whole, as in an integer column) a width under 1 becomes 1, as numpy does for
// integer arrays.
func SturgesEdges(minV, maxV, n float64, integers bool) []float64 {
	first, last := minV, maxV
	if first == last {
		first -= 0.5
		last += 0.5
	}
	bins := 1
	if width := (maxV - minV) / (math.Log2(n) + 1.0); width != 0 {
		if integers && width < 1 {
			width = 1
		}
		bins = int(math.Ceil((last - first) / width))
	}
	return linspace(first, last, bins+1)
}

// whole reports whether every value is a whole number.
func whole(v []ValueCount) bool {
	for _, x := range v {
		if x.Value != math.Trunc(x.Value) {
			return false
		}
	}
	return true
}

// histogram counts values into the bins given by edges like np.histogram: [e_i, e_i+1), the last bin closed.
// Values outside [e_0, e_last] are not counted.
func histogram(v []ValueCount, edges []float64) []float64 {
	counts := make([]float64, len(edges)-1)
	last := edges[len(edges)-1]
	for _, x := range v {
		if x.Value < edges[0] || x.Value > last {
			continue
		}
		i := sort.Search(len(edges), func(k int) bool { return edges[k] > x.Value }) - 1
		if i >= len(counts) {
			i = len(counts) - 1
		}
		counts[i] += x.N
	}
	return counts
}

// NumericDrift bins like Evidently (Sturges' rule on reference and current combined, np.histogram_bin_edges
// semantics incl. last edge inclusive, when the reference has more than 20 distinct values; else each value
// is a category) and returns PSI (Evidently's empty-bin rule, see EvidentlyEpsilon) or the Jensen–Shannon
// distance (base as given; ≤ 0 means natural log, Evidently's choice), or the two-sample KS test on the
// values themselves ("ks": Value is D, PValue the scipy p-value). An unknown method or an empty side gives
// Value NaN.
func NumericDrift(ref, cur []ValueCount, method string, base float64) Result {
	r, c := mergeValues(ref), mergeValues(cur)
	res := Result{Method: method, NRef: total(r), NCur: total(c), Value: math.NaN()}
	if method == MethodKS {
		res.Binning = "none (ecdf)"
		if res.NRef == 0 || res.NCur == 0 {
			return res
		}
		d, p := KS2Samp(r, c)
		res.Value, res.PValue = d, &p
		return res
	}
	if method != MethodPSI && method != MethodJensenShannon {
		res.Binning = "unknown method"
		return res
	}
	if res.NRef == 0 || res.NCur == 0 {
		return res
	}
	var rc, cc []float64
	if len(r) > evidentlyMaxCategoricalValues {
		minV := math.Min(r[0].Value, c[0].Value)
		maxV := math.Max(r[len(r)-1].Value, c[len(c)-1].Value)
		res.Edges = SturgesEdges(minV, maxV, res.NRef+res.NCur, whole(r) && whole(c))
		res.Binning = "sturges on reference+current"
		rc, cc = histogram(r, res.Edges), histogram(c, res.Edges)
	} else {
		res.Binning = "values as categories (at most 20 distinct reference values)"
		var keys []float64
		rc, cc, keys = alignValues(r, c)
		for _, k := range keys {
			res.Categories = append(res.Categories, strconv.FormatFloat(k, 'g', -1, 64))
		}
	}
	return binnedDrift(res, rc, cc, base)
}

// alignValues returns the counts of two merged, sorted value lists over the union of their values.
func alignValues(r, c []ValueCount) (rc, cc, keys []float64) {
	i, j := 0, 0
	for i < len(r) || j < len(c) {
		switch {
		case j == len(c) || (i < len(r) && r[i].Value < c[j].Value):
			keys, rc, cc = append(keys, r[i].Value), append(rc, r[i].N), append(cc, 0)
			i++
		case i == len(r) || c[j].Value < r[i].Value:
			keys, rc, cc = append(keys, c[j].Value), append(rc, 0), append(cc, c[j].N)
			j++
		default:
			keys, rc, cc = append(keys, r[i].Value), append(rc, r[i].N), append(cc, c[j].N)
			i++
			j++
		}
	}
	return rc, cc, keys
}

// binnedDrift finishes a PSI or Jensen–Shannon result from aligned counts.
func binnedDrift(res Result, rc, cc []float64, base float64) Result {
	rp, cp := proportions(rc), proportions(cc)
	if res.Method == MethodJensenShannon {
		res.LogBase = math.E
		if base > 0 {
			res.LogBase = base
		}
		res.Value = JensenShannon(rp, cp, base)
		return res
	}
	er, ec := EvidentlyEpsilon(rp), EvidentlyEpsilon(cp)
	if fill(rp, er) {
		res.Epsilon = er
	}
	if fill(cp, ec) {
		res.EpsilonCur = ec
	}
	res.Value = psiOf(rp, cp)
	return res
}

// CategoricalDrift measures drift of a categorical feature over the union of its categories like Evidently:
// "psi" (Evidently's empty-bin rule), "jensen_shannon" (base as given; ≤ 0 means natural log) or
// "chi_square" (Value is the statistic, PValue its p-value, DF = k − 1). An unknown method or an empty
// side gives Value NaN.
func CategoricalDrift(ref, cur []CategoryCount, method string, base float64) Result {
	keys, rc, cc := alignCategories(ref, cur)
	res := Result{Method: method, Binning: "categories", Categories: keys, Value: math.NaN()}
	for i := range rc {
		res.NRef += rc[i]
		res.NCur += cc[i]
	}
	switch method {
	case MethodChiSquare:
		stat, p, df := chiSquare(rc, cc)
		res.Value, res.DF = stat, df
		if res.NRef > 0 && res.NCur > 0 {
			res.PValue = &p
		}
		return res
	case MethodPSI, MethodJensenShannon:
		if res.NRef == 0 || res.NCur == 0 {
			return res
		}
		return binnedDrift(res, rc, cc, base)
	}
	res.Binning = "unknown method"
	return res
}
