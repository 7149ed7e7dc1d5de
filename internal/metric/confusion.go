package metric

import "math"

// Confusion holds the weighted counts of one group: predicted positive/negative × actual positive/negative.
type Confusion struct{ TP, FP, FN, TN float64 }

// Add returns the element-wise sum of two sets of counts, as when windows merge.
func (c Confusion) Add(o Confusion) Confusion {
	return Confusion{TP: c.TP + o.TP, FP: c.FP + o.FP, FN: c.FN + o.FN, TN: c.TN + o.TN}
}

// N returns the total count TP+FP+FN+TN.
func (c Confusion) N() float64 { return c.TP + c.FP + c.FN + c.TN }

// SelectionRate returns (TP+FP)/N, the share predicted positive; NaN when N == 0.
func (c Confusion) SelectionRate() float64 {
	n := c.N()
	if n == 0 {
		return math.NaN()
	}
	return (c.TP + c.FP) / n
}

// rate returns num/den, or 0 when den is 0 (scikit-learn's convention).
func rate(num, den float64) float64 {
	if den == 0 {
		return 0
	}
	return num / den
}

// TPR returns TP/(TP+FN); 0 when TP+FN == 0 (scikit-learn/fairlearn behaviour).
func (c Confusion) TPR() float64 { return rate(c.TP, c.TP+c.FN) }

// FPR returns FP/(FP+TN); 0 when FP+TN == 0.
func (c Confusion) FPR() float64 { return rate(c.FP, c.FP+c.TN) }

// TNR returns TN/(TN+FP); 0 when TN+FP == 0.
func (c Confusion) TNR() float64 { return rate(c.TN, c.TN+c.FP) }

// FNR returns FN/(FN+TP); 0 when FN+TP == 0.
func (c Confusion) FNR() float64 { return rate(c.FN, c.FN+c.TP) }

// Accuracy returns (TP+TN)/N; NaN when N == 0.
func (c Confusion) Accuracy() float64 {
	n := c.N()
	if n == 0 {
		return math.NaN()
	}
	return (c.TP + c.TN) / n
}

// Precision returns TP/(TP+FP); 0 when there is no predicted positive (sklearn zero_division default).
func (c Confusion) Precision() float64 { return rate(c.TP, c.TP+c.FP) }

// F1 returns 2TP/(2TP+FP+FN), the harmonic mean of precision and recall; 0 when the denominator is 0.
func (c Confusion) F1() float64 { return rate(2*c.TP, 2*c.TP+c.FP+c.FN) }

// Method is how fairlearn compares groups: between groups, or each group to the overall value.
type Method string

// The two comparison methods of fairlearn's MetricFrame.difference and .ratio.
const (
	BetweenGroups Method = "between_groups"
	ToOverall     Method = "to_overall"
)

// Agg is how fairlearn's equalized odds combines its TPR and FPR results.
type Agg string

// The two aggregations of fairlearn's equalized_odds_difference and _ratio.
const (
	WorstCase Agg = "worst_case"
	Mean      Agg = "mean"
)

// Group is one group's name and counts.
type Group struct {
	Name string
	Confusion
}

// Frame is the counts of every group of one sensitive feature, and of everyone (Overall).
type Frame struct {
	Overall Confusion
	Groups  []Group
}

// Difference follows fairlearn's MetricFrame.difference for one metric, given
// the metric per group and overall: between_groups is max − min over the
// groups, to_overall is the largest |group − overall|. NaN group values are
// skipped as pandas does; with no usable value the result is NaN.
func Difference(byGroup []float64, overall float64, m Method) float64 {
	sub := overall
	if m == BetweenGroups {
		sub = nanMin(byGroup)
	}
	best := math.NaN()
	for _, v := range byGroup {
		d := math.Abs(v - sub)
		if math.IsNaN(d) {
			continue
		}
		if math.IsNaN(best) || d > best {
			best = d
		}
	}
	return best
}

// Ratio follows fairlearn's MetricFrame.ratio for one metric, given the metric
// per group and overall: between_groups is min/max over the groups;
// to_overall is the smallest group/overall, each folded to 1/x when x > 1.
// Division is IEEE: x/0 is ±Inf (folded to 0), 0/0 is NaN and skipped.
func Ratio(byGroup []float64, overall float64, m Method) float64 {
	if m == BetweenGroups {
		return nanMin(byGroup) / nanMax(byGroup)
	}
	folded := make([]float64, len(byGroup))
	for i, v := range byGroup {
		x := v / overall
		if x > 1 {
			x = 1 / x
		}
		folded[i] = x
	}
	return nanMin(folded)
}

// nanMin returns the smallest non-NaN value, or NaN when there is none (pandas min).
func nanMin(xs []float64) float64 {
	r := math.NaN()
	for _, x := range xs {
		if !math.IsNaN(x) && (math.IsNaN(r) || x < r) {
			r = x
		}
	}
	return r
}

// nanMax returns the largest non-NaN value, or NaN when there is none (pandas max).
func nanMax(xs []float64) float64 {
	r := math.NaN()
	for _, x := range xs {
		if !math.IsNaN(x) && (math.IsNaN(r) || x > r) {
			r = x
		}
	}
	return r
}

// nanMean returns the mean of the non-NaN values, or NaN when there is none (pandas mean).
func nanMean(xs ...float64) float64 {
	s, k := 0.0, 0
	for _, x := range xs {
		if !math.IsNaN(x) {
			s += x
			k++
		}
	}
	if k == 0 {
		return math.NaN()
	}
	return s / float64(k)
}

// pyMax is Python's builtin max over (a, b): b replaces a only when b > a.
func pyMax(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

// pyMin is Python's builtin min over (a, b): b replaces a only when b < a.
func pyMin(a, b float64) float64 {
	if b < a {
		return b
	}
	return a
}

// values returns f of every group that has data, and f of the overall counts.
func (f Frame) values(fn func(Confusion) float64) (byGroup []float64, overall float64) {
	for _, g := range f.Groups {
		if g.N() == 0 {
			continue // absent from the data: fairlearn never sees it
		}
		byGroup = append(byGroup, fn(g.Confusion))
	}
	return byGroup, fn(f.Overall)
}

func (f Frame) difference(fn func(Confusion) float64, m Method) float64 {
	g, o := f.values(fn)
	return Difference(g, o, m)
}

func (f Frame) ratio(fn func(Confusion) float64, m Method) float64 {
	g, o := f.values(fn)
	return Ratio(g, o, m)
}

// DemographicParityDifference is fairlearn's demographic_parity_difference: the difference of selection rates.
func (f Frame) DemographicParityDifference(m Method) float64 {
	return f.difference(Confusion.SelectionRate, m)
}

// DemographicParityRatio is fairlearn's demographic_parity_ratio: the ratio of selection rates.
func (f Frame) DemographicParityRatio(m Method) float64 {
	return f.ratio(Confusion.SelectionRate, m)
}

// EqualizedOddsDifference is fairlearn's equalized_odds_difference: the larger (worst_case) or mean of the TPR and FPR differences.
func (f Frame) EqualizedOddsDifference(m Method, a Agg) float64 {
	tpr, fpr := f.difference(Confusion.TPR, m), f.difference(Confusion.FPR, m)
	if a == Mean {
		return nanMean(tpr, fpr)
	}
	return pyMax(tpr, fpr)
}

// EqualizedOddsRatio is fairlearn's equalized_odds_ratio: the smaller (worst_case) or mean of the TPR and FPR ratios.
func (f Frame) EqualizedOddsRatio(m Method, a Agg) float64 {
	tpr, fpr := f.ratio(Confusion.TPR, m), f.ratio(Confusion.FPR, m)
	if a == Mean {
		return nanMean(tpr, fpr)
	}
	return pyMin(tpr, fpr)
}

// EqualOpportunityDifference is fairlearn's equal_opportunity_difference: the difference of true positive rates.
func (f Frame) EqualOpportunityDifference(m Method) float64 {
	return f.difference(Confusion.TPR, m)
}

// EqualOpportunityRatio is fairlearn's equal_opportunity_ratio: the ratio of true positive rates.
func (f Frame) EqualOpportunityRatio(m Method) float64 {
	return f.ratio(Confusion.TPR, m)
}

// FourFifths returns demographic_parity_ratio(between_groups) and whether it is below 0.8
// (29 CFR 1607.4(D), a US employment-selection heuristic, not a fairness criterion).
func (f Frame) FourFifths() (ratio float64, adverse bool) {
	r := f.DemographicParityRatio(BetweenGroups)
	return r, r < 0.8
}

// StatisticalParityDifference is AIF360's P(ŷ=1 | unprivileged) − P(ŷ=1 | privileged).
func StatisticalParityDifference(unpriv, priv Confusion) float64 {
	return selRateIEEE(unpriv) - selRateIEEE(priv)
}

// DisparateImpact is AIF360's P(ŷ=1 | unprivileged) / P(ŷ=1 | privileged), with IEEE division.
func DisparateImpact(unpriv, priv Confusion) float64 {
	return selRateIEEE(unpriv) / selRateIEEE(priv)
}

// EqualOpportunityDifferenceAIF is AIF360's TPR_unprivileged − TPR_privileged, NaN when a group has no positives.
func EqualOpportunityDifferenceAIF(unpriv, priv Confusion) float64 {
	return unpriv.TP/(unpriv.TP+unpriv.FN) - priv.TP/(priv.TP+priv.FN)
}

// AverageOddsDifference is AIF360's ½[(FPR_u − FPR_p) + (TPR_u − TPR_p)], with IEEE division.
func AverageOddsDifference(unpriv, priv Confusion) float64 {
	fpr := unpriv.FP/(unpriv.FP+unpriv.TN) - priv.FP/(priv.FP+priv.TN)
	return 0.5 * (fpr + EqualOpportunityDifferenceAIF(unpriv, priv))
}

// selRateIEEE is (TP+FP)/N with IEEE division, as AIF360 computes it.
func selRateIEEE(c Confusion) float64 { return (c.TP + c.FP) / c.N() }
