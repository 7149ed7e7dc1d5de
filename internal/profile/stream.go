package profile

import (
	"math"
	"math/bits"
)

// The streaming estimates used once a column has more than DistinctCap
// distinct values: a HyperLogLog sketch for the distinct count and a
// fixed-size histogram, whose bucket width doubles as the range grows, for
// quantiles and the output histogram.

// hllBits is log2 of the number of HyperLogLog registers: 2^14 registers,
// 16 KiB per column, a standard error of 1.04/√16384 ≈ 0.8%.
const hllBits = 14

// hll is a HyperLogLog sketch (Flajolet et al., 2007) with the small-range
// correction by linear counting; a 64-bit hash needs no large-range one.
type hll struct {
	reg [1 << hllBits]uint8
}

func newHLL() *hll { return &hll{} }

func (h *hll) add(s string) {
	x := hash64(s)
	i := x >> (64 - hllBits)
	rank := uint8(bits.LeadingZeros64(x<<hllBits|1<<(hllBits-1))) + 1
	h.reg[i] = max(h.reg[i], rank)
}

func (h *hll) estimate() int64 {
	const m = float64(1 << hllBits)
	sum, zeros := 0.0, 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(e))
}

// hash64 is 64-bit FNV-1a followed by the MurmurHash3 finaliser, which
// spreads FNV's weak high bits; deterministic, so estimates repeat run to run.
func hash64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// histBuckets is the number of buckets of a streaming histogram; a quantile
// is within one bucket width of the true value.
const histBuckets = 1024

// streamHist counts values in histBuckets buckets of equal width from
// origin. A value outside the range doubles the width, merging neighbouring
// buckets, until it fits: to the right the old range becomes the lower half,
// to the left the upper half.
type streamHist struct {
	origin, width float64
	counts        [histBuckets]int64
}

func newStreamHist(lo, hi float64) *streamHist {
	w := (hi - lo) / histBuckets
	if w <= 0 {
		w = max(math.Abs(lo)*1e-9, 1e-300)
	}
	return &streamHist{origin: lo, width: w}
}

func (h *streamHist) add(x float64, n int64) {
	for x < h.origin {
		h.grow(true)
	}
	for x >= h.origin+histBuckets*h.width {
		h.grow(false)
	}
	i := int((x - h.origin) / h.width)
	h.counts[min(max(i, 0), histBuckets-1)] += n
}

func (h *streamHist) grow(left bool) {
	var merged [histBuckets]int64
	shift := 0
	if left {
		shift = histBuckets
		h.origin -= histBuckets * h.width
	}
	for i, c := range h.counts {
		merged[(i+shift)/2] += c
	}
	h.counts = merged
	h.width *= 2
}

// each calls f with each non-empty bucket's middle and count.
func (h *streamHist) each(f func(x float64, n int64)) {
	for i, c := range h.counts {
		if c > 0 {
			f(h.origin+(float64(i)+0.5)*h.width, c)
		}
	}
}

// quantile estimates the q-quantile of n values by interpolating linearly
// inside the bucket holding position (n-1)·q.
func (h *streamHist) quantile(q float64, n int64) float64 {
	pos := float64(n-1) * q
	seen := 0.0
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		if pos < seen+float64(c) {
			return h.origin + (float64(i)+(pos-seen+0.5)/float64(c))*h.width
		}
		seen += float64(c)
	}
	return h.origin + histBuckets*h.width
}
