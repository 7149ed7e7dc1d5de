package profile

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// column accumulates one column's non-missing values.
//
// Exact phase: index maps each distinct text to a slot of counts, up to cap
// distinct values. When a new value would exceed the cap the column is frozen:
// values already in index keep exact counts, values first seen later are
// only fed to a HyperLogLog sketch (which also got every indexed value), and
// numeric values from then on go to a streaming histogram. Count, mean, M2,
// min and max are kept exactly with Welford's method in both phases.
type column struct {
	name    string
	fixed   bool // type given by the file (Parquet), not inferred
	missing int64

	isInt, isNum, isBool bool // every value so far could be of this type

	n                    int64 // numeric values seen
	mean, m2, minv, maxv float64

	cap    int
	index  map[string]int32
	counts []int64
	frozen bool
	hll    *hll        // after freezing: distinct estimate
	hist   *streamHist // after freezing, while numeric
}

func newColumn(name string, cap int) *column {
	return &column{name: name, isInt: true, isNum: true, isBool: true, cap: cap, index: map[string]int32{}}
}

// fix sets the column's type from the file's schema.
func (c *column) fix(t Type) {
	c.fixed = true
	c.isInt, c.isNum, c.isBool = t == Integer, t == Integer || t == Number, t == Boolean
}

func (c *column) add(s string) {
	if i, ok := c.index[s]; ok {
		c.counts[i]++
	} else if !c.frozen && len(c.counts) < c.cap {
		c.index[strings.Clone(s)] = int32(len(c.counts))
		c.counts = append(c.counts, 1)
	} else {
		if !c.frozen {
			c.freeze()
		}
		c.hll.add(s)
	}
	if c.isBool && !c.fixed && !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
		c.isBool = false
	}
	if c.isNum {
		x, ok := c.parse(s)
		if !ok {
			c.isInt, c.isNum, c.hist = false, false, nil
			return
		}
		c.n++
		if c.n == 1 {
			c.minv, c.maxv = x, x
		}
		c.minv, c.maxv = min(c.minv, x), max(c.maxv, x)
		d := x - c.mean
		c.mean += d / float64(c.n)
		c.m2 += d * (x - c.mean)
		if c.hist != nil {
			c.hist.add(x, 1)
		}
	}
}

// parse reads a number, noting when it is not an integer.
func (c *column) parse(s string) (float64, bool) {
	if c.isInt {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return float64(i), true
		}
		if !c.fixed {
			c.isInt = false
		}
	}
	return parseNumber(s)
}

// parseNumber accepts decimal numbers of magnitude below 1e100 only (so that
// sums of squares stay finite): no hexadecimal, no underscores, no Inf or NaN.
func parseNumber(s string) (float64, bool) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || !(math.Abs(x) < 1e100) || strings.ContainsAny(s, "xX_") {
		return 0, false
	}
	return x, true
}

// freeze ends the exact phase: the sketches start from the values seen so far.
func (c *column) freeze() {
	c.frozen = true
	c.hll = newHLL()
	for v := range c.index {
		c.hll.add(v)
	}
	if c.isNum {
		c.hist = newStreamHist(c.minv, c.maxv)
		for v, i := range c.index {
			x, _ := parseNumber(v)
			c.hist.add(x, c.counts[i])
		}
	}
}

func (c *column) typ() Type {
	switch {
	case c.n == 0 && len(c.counts) == 0:
		return Empty
	case c.isBool:
		return Boolean
	case c.isInt:
		return Integer
	case c.isNum:
		return Number
	}
	return Text
}

func (c *column) result(bins int) Column {
	res := Column{Name: c.name, Type: c.typ(), Missing: c.missing, Approximate: c.frozen}
	if res.Type == Integer || res.Type == Number {
		var vals []valueCount
		if !c.frozen {
			vals = c.numbers()
			res.Distinct = int64(len(vals))
		}
		res.Numeric = c.numeric(vals, bins)
	} else if res.Type != Empty {
		res.Distinct = int64(len(c.counts))
		res.Top = c.top()
	}
	if c.frozen {
		// at least one value was not indexed
		res.Distinct = max(c.hll.estimate(), int64(len(c.counts))+1)
	}
	return res
}

// valueCount is a distinct number and how often it occurs.
type valueCount struct {
	x float64
	n int64
}

// numbers are the distinct numeric values, ascending, merging texts of equal value ("1.0", "1").
func (c *column) numbers() []valueCount {
	vals := make([]valueCount, 0, len(c.counts))
	for v, i := range c.index {
		x, _ := parseNumber(v)
		vals = append(vals, valueCount{x, c.counts[i]})
	}
	slices.SortFunc(vals, func(a, b valueCount) int { return cmp.Compare(a.x, b.x) })
	out := vals[:0]
	for _, v := range vals {
		if len(out) > 0 && out[len(out)-1].x == v.x {
			out[len(out)-1].n += v.n
			continue
		}
		out = append(out, v)
	}
	return out
}

// numeric summarises the values: exactly from vals, or from the streaming histogram when frozen.
func (c *column) numeric(vals []valueCount, bins int) *Numeric {
	res := &Numeric{Min: c.minv, Max: c.maxv, Mean: c.mean}
	if c.n > 1 {
		std := math.Sqrt(max(c.m2, 0) / float64(c.n-1))
		res.Std = &std
	}
	edges := binEdges(c.minv, c.maxv, bins)
	counts := make([]int64, bins)
	if c.frozen {
		q := func(p float64) float64 { return min(max(c.hist.quantile(p, c.n), c.minv), c.maxv) }
		res.Q25, res.Median, res.Q75 = q(0.25), q(0.5), q(0.75)
		c.hist.each(func(x float64, n int64) { counts[binOf(x, edges)] += n })
	} else {
		res.Q25, res.Median, res.Q75 = quantile(vals, c.n, 0.25), quantile(vals, c.n, 0.5), quantile(vals, c.n, 0.75)
		for _, v := range vals {
			counts[binOf(v.x, edges)] += v.n
		}
	}
	for i := range bins {
		res.Histogram = append(res.Histogram, Bin{Low: edges[i], High: edges[i+1], Count: counts[i]})
	}
	return res
}

// quantile interpolates linearly between the order statistics around
// position (n-1)·q, counting from 0, as pandas and numpy do by default.
func quantile(vals []valueCount, n int64, q float64) float64 {
	h := float64(n-1) * q
	lo := int64(math.Floor(h))
	a, b := nth(vals, lo), nth(vals, min(lo+1, n-1))
	return a + (h-float64(lo))*(b-a)
}

// nth is the k-th smallest value (from 0) of the counted values.
func nth(vals []valueCount, k int64) float64 {
	for _, v := range vals {
		if k < v.n {
			return v.x
		}
		k -= v.n
	}
	return vals[len(vals)-1].x
}

// binEdges are numpy.histogram's: bins equal-width bins from lo to hi, or
// from lo-0.5 to hi+0.5 when all values are equal.
func binEdges(lo, hi float64, bins int) []float64 {
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	step := (hi - lo) / float64(bins)
	edges := make([]float64, bins+1)
	for i := range bins {
		edges[i] = lo + float64(i)*step
	}
	edges[bins] = hi
	return edges
}

// binOf is the bin holding x: edges[i] <= x < edges[i+1], the last bin closed.
func binOf(x float64, edges []float64) int {
	bins := len(edges) - 1
	lo, hi := edges[0], edges[bins]
	i := int((x - lo) / (hi - lo) * float64(bins))
	i = min(max(i, 0), bins-1)
	// the division may round across an edge; the edges decide
	if i > 0 && x < edges[i] {
		i--
	} else if i < bins-1 && x >= edges[i+1] {
		i++
	}
	return i
}

// top lists the most frequent values, by count and then by value.
func (c *column) top() []ValueCount {
	all := make([]ValueCount, 0, len(c.counts))
	for v, i := range c.index {
		all = append(all, ValueCount{Value: v, Count: c.counts[i]})
	}
	slices.SortFunc(all, func(a, b ValueCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	return all[:min(len(all), TopValues)]
}
