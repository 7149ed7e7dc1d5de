package monitor

import (
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/aims-dev/aims/internal/metric"
)

// cell is the decisions of one group: how many there were and were
// favourable, and the confusion counts of those with a labelled outcome.
type cell struct {
	n, selected int64
	conf        metric.Confusion
}

// labelled is how many of the cell's decisions have a labelled outcome.
func (c *cell) labelled() int64 { return int64(c.conf.N()) }

// selectionRate is the share of favourable decisions, outcome or not.
func (c *cell) selectionRate() float64 {
	if c.n == 0 {
		return math.NaN()
	}
	return float64(c.selected) / float64(c.n)
}

// selection is the cell's decisions as counts whose selection rate is the
// cell's: fairness metrics of selection count every decision.
func (c *cell) selection() metric.Confusion {
	return metric.Confusion{FP: float64(c.selected), TN: float64(c.n - c.selected)}
}

// groupKey names a group of a sensitive feature; the empty key is everyone.
type groupKey struct{ feature, group string }

// cells sums counts into one cell per group, reading decisions as
// favourable and outcomes as positive by the settings.
func cells(counts []Count, st *Settings, keep func(*Count) bool) map[groupKey]*cell {
	out := map[groupKey]*cell{}
	pos, posTruth := st.Positive, st.positiveOutcome()
	for i := range counts {
		c := &counts[i]
		if keep != nil && !keep(c) {
			continue
		}
		k := groupKey{c.Feature, c.Group}
		x := out[k]
		if x == nil {
			x = &cell{}
			out[k] = x
		}
		n := float64(c.N)
		x.n += c.N
		predicted := pos != "" && c.Predicted == pos
		if predicted {
			x.selected += c.N
		}
		if c.Truth == "" || pos == "" {
			continue
		}
		switch actual := c.Truth == posTruth; {
		case predicted && actual:
			x.conf.TP += n
		case predicted:
			x.conf.FP += n
		case actual:
			x.conf.FN += n
		default:
			x.conf.TN += n
		}
	}
	return out
}

// features lists the sensitive features (and pairs) of the cells, sorted.
func features(cs map[groupKey]*cell) []string {
	var out []string
	for k := range cs {
		if k.feature != "" && !slices.Contains(out, k.feature) {
			out = append(out, k.feature)
		}
	}
	sort.Strings(out)
	return out
}

// groupsOf returns the groups of a feature with at least min decisions
// (labelled ones when labelled is set), sorted by name.
func groupsOf(cs map[groupKey]*cell, feature string, min int64, labelled bool) []string {
	var out []string
	for k, c := range cs {
		n := c.n
		if labelled {
			n = c.labelled()
		}
		if k.feature == feature && n >= min && n > 0 {
			out = append(out, k.group)
		}
	}
	sort.Strings(out)
	return out
}

// frame builds the fairness frame of a feature's groups: with selection
// counts (every decision) or with the confusion counts of labelled ones.
// Overall is the sum of the groups, the same sample as fairlearn's.
func frame(cs map[groupKey]*cell, feature string, groups []string, selection bool) metric.Frame {
	var f metric.Frame
	for _, g := range groups {
		c := cs[groupKey{feature, g}]
		conf := c.conf
		if selection {
			conf = c.selection()
		}
		f.Groups = append(f.Groups, metric.Group{Name: g, Confusion: conf})
		f.Overall = f.Overall.Add(conf)
	}
	return f
}

// disparity computes a fairness metric over a frame.
func disparity(name string, sel, lab metric.Frame, m metric.Method, a metric.Agg) float64 {
	switch name {
	case MetricDPDifference:
		return sel.DemographicParityDifference(m)
	case MetricDPRatio:
		return sel.DemographicParityRatio(m)
	case MetricEODifference:
		return lab.EqualizedOddsDifference(m, a)
	case MetricEORatio:
		return lab.EqualizedOddsRatio(m, a)
	case MetricEOpDiff:
		return lab.EqualOpportunityDifference(m)
	case MetricEOpRatio:
		return lab.EqualOpportunityRatio(m)
	}
	return math.NaN()
}

// usesOutcomes reports whether a metric needs labelled outcomes.
func usesOutcomes(name string) bool {
	return name != MetricDPDifference && name != MetricDPRatio && name != MetricSelectionRate
}

// scoreHistogram sums score counts into positives and negatives per score,
// over decisions with a labelled outcome.
func scoreHistogram(scores []ScoreCount, st *Settings, keep func(*ScoreCount) bool) ([]metric.ScoreCount, int64, bool) {
	by := map[float64]*metric.ScoreCount{}
	var n int64
	unit := true
	posTruth := st.positiveOutcome()
	for i := range scores {
		s := &scores[i]
		if s.Truth == "" || (keep != nil && !keep(s)) {
			continue
		}
		h := by[s.Score]
		if h == nil {
			h = &metric.ScoreCount{Score: s.Score}
			by[s.Score] = h
		}
		if posTruth != "" && s.Truth == posTruth {
			h.Pos += float64(s.N)
		} else {
			h.Neg += float64(s.N)
		}
		n += s.N
		unit = unit && s.Score >= 0 && s.Score <= 1
	}
	out := make([]metric.ScoreCount, 0, len(by))
	for _, h := range by {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Score < out[j].Score })
	return out, n, unit
}

// distribution is one feature's values in a range: numbers or categories.
type distribution struct {
	numbers    map[float64]float64
	categories map[string]float64
	n          float64
}

// distributions gathers each input's values, and the output's label and score.
func distributions(s *Stats, keepWindow func(w int64) bool) map[string]*distribution {
	out := map[string]*distribution{}
	get := func(f string) *distribution {
		d := out[f]
		if d == nil {
			d = &distribution{numbers: map[float64]float64{}, categories: map[string]float64{}}
			out[f] = d
		}
		return d
	}
	for _, c := range s.Inputs {
		if keepWindow != nil && !keepWindow(c.Window.Unix()) {
			continue
		}
		d := get(c.Feature)
		d.n += float64(c.N)
		if v, err := strconv.ParseFloat(c.Value, 64); c.Numeric && err == nil {
			d.numbers[v] += float64(c.N)
		} else {
			d.categories[c.Value] += float64(c.N)
		}
	}
	for _, c := range s.Counts {
		if c.Feature != "" || (keepWindow != nil && !keepWindow(c.Window.Unix())) {
			continue
		}
		d := get(FeatureOutputLabel)
		d.categories[c.Predicted] += float64(c.N)
		d.n += float64(c.N)
	}
	for _, c := range s.Scores {
		if keepWindow != nil && !keepWindow(c.Window.Unix()) {
			continue
		}
		d := get(FeatureOutputScore)
		d.numbers[c.Score] += float64(c.N)
		d.n += float64(c.N)
	}
	return out
}

// numeric reports whether every value of the distribution is a number.
func (d *distribution) numeric() bool { return len(d.categories) == 0 && len(d.numbers) > 0 }

func (d *distribution) values() []metric.ValueCount {
	out := make([]metric.ValueCount, 0, len(d.numbers))
	for v, n := range d.numbers {
		out = append(out, metric.ValueCount{Value: v, N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// cats returns the values as categories, numbers written as text.
func (d *distribution) cats() []metric.CategoryCount {
	out := make([]metric.CategoryCount, 0, len(d.categories)+len(d.numbers))
	for c, n := range d.categories {
		out = append(out, metric.CategoryCount{Category: c, N: n})
	}
	for v, n := range d.numbers {
		out = append(out, metric.CategoryCount{Category: strconv.FormatFloat(v, 'g', -1, 64), N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Category < out[j].Category })
	return out
}

// driftMethod maps a drift metric to its method.
func driftMethod(name string) string {
	switch name {
	case MetricPSI:
		return metric.MethodPSI
	case MetricJS:
		return metric.MethodJensenShannon
	case MetricKS, MetricKSP:
		return metric.MethodKS
	case MetricChiSquare:
		return metric.MethodChiSquare
	}
	return ""
}

// drift measures how far cur is from ref with a method; numeric features
// are compared as numbers unless either side holds text.
func drift(ref, cur *distribution, method string) (metric.Result, bool) {
	numeric := ref.numeric() && cur.numeric()
	switch {
	case method == metric.MethodKS && !numeric, method == metric.MethodChiSquare && numeric:
		return metric.Result{}, false
	case numeric:
		return metric.NumericDrift(ref.values(), cur.values(), method, math.E), true
	}
	return metric.CategoricalDrift(ref.cats(), cur.cats(), method, math.E), true
}

// value returns v, or nil when it is not a number.
func value(v float64) Value {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
