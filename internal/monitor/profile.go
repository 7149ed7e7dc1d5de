package monitor

import (
	"context"
	"math"
	"sort"

	"github.com/aims-dev/aims/internal/metric"
)

// Profile is what drift needs of a data set version's profile: per column
// the histogram of a numeric column, or the most frequent values of another.
type Profile struct {
	Key     string
	Rows    int64
	Columns map[string]ProfileColumn
}

// ProfileColumn is one column of a profile.
type ProfileColumn struct {
	// Bins are a numeric column's histogram: [Low, High), the last bin closed.
	Bins []ProfileBin
	// Top are the most frequent values of the column, with Present the
	// rows that hold a value (the rest of them are in no Top entry).
	Top     []ProfileValue
	Present int64
}

// ProfileBin is one bin of a profile's histogram.
type ProfileBin struct {
	Low, High float64
	Count     int64
}

// ProfileValue is a value and how many rows hold it.
type ProfileValue struct {
	Value string
	Count int64
}

// Profiles reads data set versions' profiles; app satisfies it.
type Profiles interface {
	// Profile returns the profile of a data set version by key (DS-3@2) or
	// id; not found when the version has none.
	Profile(ctx context.Context, orgID, key string) (*Profile, error)
}

// otherValues names the values a profile's Top leaves out.
const otherValues = "(other)"

// profileDrift measures how far the current values of a feature are from
// its column in a profile: over the profile's bins (with a bin below and
// one above them) for a numeric column, over its most frequent values and
// the rest for another. It returns false when the profile lacks the column.
func profileDrift(col ProfileColumn, cur *distribution, method string) (metric.Result, bool) {
	var ref, now []float64
	res := metric.Result{Method: method, NCur: cur.n}
	if len(col.Bins) > 0 {
		if !cur.numeric() || method == metric.MethodChiSquare {
			return res, false
		}
		edges := make([]float64, 0, len(col.Bins)+1)
		ref = append(ref, 0)
		for _, b := range col.Bins {
			edges = append(edges, b.Low)
			ref = append(ref, float64(b.Count))
		}
		edges = append(edges, col.Bins[len(col.Bins)-1].High)
		ref = append(ref, 0)
		now = make([]float64, len(ref))
		for v, n := range cur.numbers {
			now[binOf(edges, v)] += n
		}
		res.Binning, res.Edges = "the profile's histogram bins, with one bin below and one above them", edges
	} else {
		if method == metric.MethodKS || len(col.Top) == 0 {
			return res, false
		}
		index := map[string]int{}
		rest := float64(col.Present)
		for _, t := range col.Top {
			index[t.Value] = len(ref)
			ref = append(ref, float64(t.Count))
			res.Categories = append(res.Categories, t.Value)
			rest -= float64(t.Count)
		}
		index[otherValues] = len(ref)
		ref = append(ref, math.Max(rest, 0))
		res.Categories = append(res.Categories, otherValues)
		now = make([]float64, len(ref))
		for _, c := range cur.cats() {
			i, ok := index[c.Category]
			if !ok {
				i = index[otherValues]
			}
			now[i] += c.N
		}
		res.Binning = "the profile's most frequent values and " + otherValues
	}
	for _, n := range ref {
		res.NRef += n
	}
	if res.NRef == 0 || res.NCur == 0 {
		return res, false
	}
	switch method {
	case metric.MethodPSI:
		res.Epsilon = 1e-4
		res.Value = metric.PSI(ref, now, res.Epsilon)
	case metric.MethodJensenShannon:
		res.LogBase = math.E
		res.Value = metric.JensenShannon(ref, now, math.E)
	case metric.MethodChiSquare:
		var r, c []metric.CategoryCount
		for i, name := range res.Categories {
			r = append(r, metric.CategoryCount{Category: name, N: ref[i]})
			c = append(c, metric.CategoryCount{Category: name, N: now[i]})
		}
		stat, p, df := metric.ChiSquare(r, c)
		res.Value, res.PValue, res.DF = stat, &p, df
	default:
		return res, false
	}
	return res, true
}

// binOf returns the bin of v among edges, with 0 below the first edge and
// len(edges) above the last; the last bin includes its upper edge.
func binOf(edges []float64, v float64) int {
	last := len(edges) - 1
	switch {
	case v < edges[0]:
		return 0
	case v > edges[last]:
		return len(edges)
	case v == edges[last]:
		return last
	}
	return sort.SearchFloat64s(edges, math.Nextafter(v, math.Inf(1))) // the bin whose low edge is the last ≤ v
}
