package metric_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/metric"
)

// within reports whether got is within tol of want (NaN matches NaN).
func within(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol
}

// tally builds per-group confusion counts from label arrays with a plain loop.
func tally(yTrue, yPred []int, groups []string) (overall metric.Confusion, byGroup map[string]metric.Confusion, order []string) {
	byGroup = map[string]metric.Confusion{}
	for i := range yTrue {
		var c metric.Confusion
		switch {
		case yTrue[i] == 1 && yPred[i] == 1:
			c.TP = 1
		case yTrue[i] == 0 && yPred[i] == 1:
			c.FP = 1
		case yTrue[i] == 1 && yPred[i] == 0:
			c.FN = 1
		default:
			c.TN = 1
		}
		overall = overall.Add(c)
		if _, ok := byGroup[groups[i]]; !ok {
			order = append(order, groups[i])
		}
		byGroup[groups[i]] = byGroup[groups[i]].Add(c)
	}
	return overall, byGroup, order
}

func frameOf(yTrue, yPred []int, groups []string) metric.Frame {
	overall, by, order := tally(yTrue, yPred, groups)
	f := metric.Frame{Overall: overall}
	for _, g := range order {
		f.Groups = append(f.Groups, metric.Group{Name: g, Confusion: by[g]})
	}
	return f
}

// The arrays of the fairlearn user guide, fairlearn/fairlearn docs/user_guide/assessment/
// common_fairness_metrics.rst and perform_fairness_assessment.rst (the same arrays in both).
var (
	guideTrue = []int{0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1}
	guidePred = []int{0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0}
	guideSF   = []string{"b", "b", "a", "b", "b", "c", "c", "c", "a", "a", "c", "a", "b", "c", "c", "b", "c", "c"}
)

// common_fairness_metrics.rst prints demographic_parity_difference 0.25, demographic_parity_ratio
// 0.66666... (five digits shown, so checked to 1e-5), equalized_odds_difference 1.0 and
// equalized_odds_ratio 0.0.
func TestFairlearnCommonMetrics(t *testing.T) {
	f := frameOf(guideTrue, guidePred, guideSF)
	checks := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"demographic_parity_difference", f.DemographicParityDifference(metric.BetweenGroups), 0.25, 1e-9},
		{"demographic_parity_ratio", f.DemographicParityRatio(metric.BetweenGroups), 0.66666, 1e-5},
		{"equalized_odds_difference", f.EqualizedOddsDifference(metric.BetweenGroups, metric.WorstCase), 1.0, 1e-9},
		{"equalized_odds_ratio", f.EqualizedOddsRatio(metric.BetweenGroups, metric.WorstCase), 0.0, 1e-9},
	}
	for _, c := range checks {
		if !within(c.got, c.want, c.tol) {
			t.Errorf("%s = %.12g, fairlearn prints %v", c.name, c.got, c.want)
		}
	}
	ratio, adverse := f.FourFifths()
	if !within(ratio, 0.66666, 1e-5) || !adverse {
		t.Errorf("FourFifths = %v %v, want 0.66666… true", ratio, adverse)
	}
}

// perform_fairness_assessment.rst prints a MetricFrame of recall (tpr), false_positive_rate (fpr),
// selection_rate (sel) and count: overall, by group, difference and ratio by both methods, to the six
// decimals pandas shows (checked to 5e-7).
func TestFairlearnMetricFrame(t *testing.T) {
	f := frameOf(guideTrue, guidePred, guideSF)
	const tol = 5e-7
	type row struct{ tpr, fpr, sel, count float64 }
	want := map[string]row{
		"a": {0.5, 1.000000, 0.75, 4},
		"b": {0.6, 0.000000, 0.50, 6},
		"c": {0.4, 0.666667, 0.50, 8},
	}
	for _, g := range f.Groups {
		w := want[g.Name]
		if !within(g.TPR(), w.tpr, tol) || !within(g.FPR(), w.fpr, tol) || !within(g.SelectionRate(), w.sel, tol) || g.N() != w.count {
			t.Errorf("group %s: tpr %v fpr %v sel %v n %v, want %+v", g.Name, g.TPR(), g.FPR(), g.SelectionRate(), g.N(), w)
		}
	}
	o := f.Overall
	if !within(o.TPR(), 0.5, tol) || !within(o.FPR(), 0.666667, tol) || !within(o.SelectionRate(), 0.555556, tol) || o.N() != 18 {
		t.Errorf("overall: tpr %v fpr %v sel %v n %v", o.TPR(), o.FPR(), o.SelectionRate(), o.N())
	}
	fpr := func(m metric.Method) (float64, float64) {
		var by []float64
		for _, g := range f.Groups {
			by = append(by, g.FPR())
		}
		return metric.Difference(by, f.Overall.FPR(), m), metric.Ratio(by, f.Overall.FPR(), m)
	}
	fprDiffB, fprRatioB := fpr(metric.BetweenGroups)
	fprDiffO, fprRatioO := fpr(metric.ToOverall)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"difference tpr", f.EqualOpportunityDifference(metric.BetweenGroups), 0.20},
		{"difference fpr", fprDiffB, 1.00},
		{"difference sel", f.DemographicParityDifference(metric.BetweenGroups), 0.25},
		{"ratio tpr", f.EqualOpportunityRatio(metric.BetweenGroups), 0.666667},
		{"ratio fpr", fprRatioB, 0.000000},
		{"ratio sel", f.DemographicParityRatio(metric.BetweenGroups), 0.666667},
		{"difference to_overall tpr", f.EqualOpportunityDifference(metric.ToOverall), 0.100000},
		{"difference to_overall fpr", fprDiffO, 0.666667},
		{"difference to_overall sel", f.DemographicParityDifference(metric.ToOverall), 0.194444},
		{"ratio to_overall tpr", f.EqualOpportunityRatio(metric.ToOverall), 0.800000},
		{"ratio to_overall fpr", fprRatioO, 0.000000},
		{"ratio to_overall sel", f.DemographicParityRatio(metric.ToOverall), 0.740741},
		// equalized odds combines the tpr and fpr rows above: max/min (worst_case) or mean
		{"equalized_odds_difference to_overall", f.EqualizedOddsDifference(metric.ToOverall, metric.WorstCase), 0.666667},
		{"equalized_odds_ratio to_overall", f.EqualizedOddsRatio(metric.ToOverall, metric.WorstCase), 0},
		{"equalized_odds_difference mean", f.EqualizedOddsDifference(metric.BetweenGroups, metric.Mean), (0.20 + 1.00) / 2},
		{"equalized_odds_ratio mean", f.EqualizedOddsRatio(metric.BetweenGroups, metric.Mean), (0.666667 + 0) / 2},
	}
	for _, c := range checks {
		if !within(c.got, c.want, tol) {
			t.Errorf("%s = %.12g, fairlearn prints %v", c.name, c.got, c.want)
		}
	}
}

// intersecting_groups.rst: recall_score and precision_score by the intersection of sf_data and g_2,
// printed to six decimals, with overall precision 0.6 and recall 0.5.
func TestFairlearnIntersectingGroups(t *testing.T) {
	g2 := []string{"8", "6", "8", "8", "8", "8", "6", "6", "6", "8", "6", "6", "6", "6", "8", "6", "6", "6"}
	pair := make([]string, len(guideSF))
	for i := range pair {
		pair[i] = guideSF[i] + "|" + g2[i]
	}
	f := frameOf(guideTrue, guidePred, pair)
	want := map[string]struct{ precision, recall, count float64 }{
		"a|6": {0.000000, 0.000000, 2},
		"a|8": {0.500000, 1.000000, 2},
		"b|6": {1.000000, 0.666667, 3},
		"b|8": {1.000000, 0.500000, 3},
		"c|6": {0.666667, 0.500000, 6},
		"c|8": {0.000000, 0.000000, 2},
	}
	if len(f.Groups) != len(want) {
		t.Fatalf("%d groups, want %d", len(f.Groups), len(want))
	}
	for _, g := range f.Groups {
		w := want[g.Name]
		if !within(g.Precision(), w.precision, 5e-7) || !within(g.TPR(), w.recall, 5e-7) || g.N() != w.count {
			t.Errorf("%s: precision %v recall %v n %v, want %+v", g.Name, g.Precision(), g.TPR(), g.N(), w)
		}
	}
	if !within(f.Overall.Precision(), 0.6, 1e-12) || !within(f.Overall.TPR(), 0.5, 1e-12) {
		t.Errorf("overall precision %v recall %v", f.Overall.Precision(), f.Overall.TPR())
	}
	// equal_opportunity_difference over the six intersections is max − min recall = 1 − 0
	if d := f.EqualOpportunityDifference(metric.BetweenGroups); !within(d, 1, 1e-12) {
		t.Errorf("equal opportunity difference %v, want 1", d)
	}
}

// intersecting_groups.rst, control features: accuracy by sensitive feature within each control value.
// The doctest prints with an ellipsis (overall H 0.4285..., L 0.375...; by group H: A 0.2..., B 0.4...,
// C 0.75...; L: A 0.4..., B 0.2857..., C 0.5...; difference(between_groups) H 0.55..., L 0.2142...),
// so each value is checked to begin with the printed digits. A control feature is one Frame per value.
func TestFairlearnControlFeatures(t *testing.T) {
	decision := []int{0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0}
	prediction := []int{1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1}
	cf := []string{"H", "L", "H", "L", "H", "L", "L", "H", "H", "L", "L", "H", "H", "L", "L", "H", "L", "L", "H", "H", "L", "H", "L", "L", "H", "H", "L", "L", "H", "L"}
	sf := []string{"A", "B", "B", "C", "C", "B", "A", "A", "B", "A", "C", "B", "C", "A", "C", "C", "B", "B", "C", "A", "B", "B", "C", "A", "B", "A", "B", "B", "A", "A"}
	want := map[string]struct {
		overall, diff string
		byGroup       map[string]string
	}{
		"H": {"0.4285", "0.55", map[string]string{"A": "0.2", "B": "0.4", "C": "0.75"}},
		"L": {"0.375", "0.2142", map[string]string{"A": "0.4", "B": "0.2857", "C": "0.5"}},
	}
	printed := func(v float64, prefix string) bool {
		return strings.HasPrefix(strconv.FormatFloat(v, 'f', -1, 64), prefix)
	}
	for ctl, w := range want {
		var yt, yp []int
		var s []string
		for i := range cf {
			if cf[i] == ctl {
				yt, yp, s = append(yt, decision[i]), append(yp, prediction[i]), append(s, sf[i])
			}
		}
		f := frameOf(yt, yp, s)
		if got := f.Overall.Accuracy(); !printed(got, w.overall) {
			t.Errorf("%s overall accuracy %v, fairlearn prints %s...", ctl, got, w.overall)
		}
		var acc []float64
		for _, g := range f.Groups {
			if !printed(g.Accuracy(), w.byGroup[g.Name]) {
				t.Errorf("%s/%s accuracy %v, fairlearn prints %s...", ctl, g.Name, g.Accuracy(), w.byGroup[g.Name])
			}
			acc = append(acc, g.Accuracy())
		}
		if d := metric.Difference(acc, f.Overall.Accuracy(), metric.BetweenGroups); !printed(d, w.diff) {
			t.Errorf("%s difference %v, fairlearn prints %s...", ctl, d, w.diff)
		}
	}
}

func TestConfusionRates(t *testing.T) {
	c := metric.Confusion{TP: 3, FP: 1, FN: 2, TN: 4}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"N", c.N(), 10},
		{"selection rate", c.SelectionRate(), 4.0 / 10},
		{"TPR", c.TPR(), 3.0 / 5},
		{"FPR", c.FPR(), 1.0 / 5},
		{"TNR", c.TNR(), 4.0 / 5},
		{"FNR", c.FNR(), 2.0 / 5},
		{"accuracy", c.Accuracy(), 7.0 / 10},
		{"precision", c.Precision(), 3.0 / 4},
		{"F1", c.F1(), 2 * (3.0 / 4) * (3.0 / 5) / (3.0/4 + 3.0/5)},
	}
	for _, k := range checks {
		if !within(k.got, k.want, 1e-15) {
			t.Errorf("%s = %v, want %v", k.name, k.got, k.want)
		}
	}
	if s := c.Add(c); s != (metric.Confusion{TP: 6, FP: 2, FN: 4, TN: 8}) {
		t.Errorf("Add = %+v", s)
	}
	// scikit-learn's zero-denominator conventions: 0 for rates, NaN for selection rate and accuracy
	var empty metric.Confusion
	if !math.IsNaN(empty.SelectionRate()) || !math.IsNaN(empty.Accuracy()) {
		t.Errorf("empty: selection rate %v accuracy %v, want NaN", empty.SelectionRate(), empty.Accuracy())
	}
	for name, v := range map[string]float64{"TPR": empty.TPR(), "FPR": empty.FPR(), "TNR": empty.TNR(), "FNR": empty.FNR(), "precision": empty.Precision(), "F1": empty.F1()} {
		if v != 0 {
			t.Errorf("empty %s = %v, want 0", name, v)
		}
	}
	negOnly := metric.Confusion{FP: 2, TN: 3}
	if negOnly.TPR() != 0 || negOnly.FNR() != 0 || negOnly.FPR() != 0.4 {
		t.Errorf("no positives: TPR %v FNR %v FPR %v", negOnly.TPR(), negOnly.FNR(), negOnly.FPR())
	}
}

// Difference and Ratio on hand-made inputs that exercise pandas' NaN skipping and IEEE division.
func TestDifferenceRatioEdgeCases(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name    string
		got     float64
		want    float64
		comment string
	}{
		{"difference skips NaN", metric.Difference([]float64{nan, 0.2, 0.5}, 0.3, metric.BetweenGroups), 0.3, "max−min of 0.2, 0.5"},
		{"difference all NaN", metric.Difference([]float64{nan, nan}, 0.3, metric.BetweenGroups), nan, ""},
		{"difference no groups", metric.Difference(nil, 0.3, metric.ToOverall), nan, ""},
		{"difference to_overall", metric.Difference([]float64{0.1, 0.6}, 0.4, metric.ToOverall), 0.3, "largest of |0.1−0.4|, |0.6−0.4|"},
		{"difference to_overall NaN overall", metric.Difference([]float64{0.1, 0.6}, nan, metric.ToOverall), nan, ""},
		{"ratio between", metric.Ratio([]float64{0.2, nan, 0.8}, 0.5, metric.BetweenGroups), 0.25, "0.2/0.8"},
		{"ratio between 0/0", metric.Ratio([]float64{0, 0}, 0, metric.BetweenGroups), nan, ""},
		{"ratio to_overall folds x>1", metric.Ratio([]float64{0.2, 0.4}, 0.2, metric.ToOverall), 0.5, "0.4/0.2 = 2 → 1/2"},
		{"ratio to_overall x/0 = Inf → 0", metric.Ratio([]float64{0, 0.5}, 0, metric.ToOverall), 0, "0/0 skipped, 0.5/0 = Inf folds to 0"},
		{"ratio to_overall 0/0 only", metric.Ratio([]float64{0, 0}, 0, metric.ToOverall), nan, ""},
		{"ratio to_overall NaN overall", metric.Ratio([]float64{0.1}, nan, metric.ToOverall), nan, ""},
		{"ratio to_overall negative", metric.Ratio([]float64{-0.5, 0.5}, 0, metric.ToOverall), -inf, "−0.5/0 = −Inf stays"},
		{"ratio single group", metric.Ratio([]float64{0.3}, 0.3, metric.BetweenGroups), 1, ""},
		{"difference single group", metric.Difference([]float64{0.3}, 0.3, metric.BetweenGroups), 0, ""},
		{"ratio Inf overall", metric.Ratio([]float64{1}, inf, metric.ToOverall), 0, "1/Inf = 0"},
	}
	for _, c := range cases {
		if !within(c.got, c.want, 1e-15) {
			t.Errorf("%s = %v, want %v %s", c.name, c.got, c.want, c.comment)
		}
	}
}

func TestFrameEdgeCases(t *testing.T) {
	base := frameOf(guideTrue, guidePred, guideSF)
	// a group with no rows is absent, as it is from a pandas groupby
	withEmpty := base
	withEmpty.Groups = append(append([]metric.Group{}, base.Groups...), metric.Group{Name: "d"})
	for name, pair := range map[string][2]float64{
		"dp difference": {base.DemographicParityDifference(metric.BetweenGroups), withEmpty.DemographicParityDifference(metric.BetweenGroups)},
		"dp ratio":      {base.DemographicParityRatio(metric.ToOverall), withEmpty.DemographicParityRatio(metric.ToOverall)},
		"eo ratio":      {base.EqualizedOddsRatio(metric.BetweenGroups, metric.WorstCase), withEmpty.EqualizedOddsRatio(metric.BetweenGroups, metric.WorstCase)},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s changed by an empty group: %v → %v", name, pair[0], pair[1])
		}
	}
	// nothing at all
	var zero metric.Frame
	if v := zero.DemographicParityDifference(metric.BetweenGroups); !math.IsNaN(v) {
		t.Errorf("empty frame difference %v, want NaN", v)
	}
	if r, adverse := zero.FourFifths(); !math.IsNaN(r) || adverse {
		t.Errorf("empty frame four-fifths %v %v, want NaN false", r, adverse)
	}
	// a single group: no disparity
	one := metric.Frame{Overall: metric.Confusion{TP: 2, FP: 1, TN: 3}, Groups: []metric.Group{{Name: "x", Confusion: metric.Confusion{TP: 2, FP: 1, TN: 3}}}}
	if d, r := one.DemographicParityDifference(metric.BetweenGroups), one.DemographicParityRatio(metric.BetweenGroups); d != 0 || r != 1 {
		t.Errorf("single group: difference %v ratio %v, want 0 1", d, r)
	}
	// Python's builtin min/max as fairlearn applies them to [tpr, fpr]: a NaN first element wins, a NaN
	// second element is ignored. No group has a true positive → TPR ratio 0/0 = NaN.
	noTP := metric.Frame{
		Overall: metric.Confusion{FP: 3, FN: 2, TN: 3},
		Groups: []metric.Group{
			{Name: "p", Confusion: metric.Confusion{FP: 1, FN: 1, TN: 2}},
			{Name: "q", Confusion: metric.Confusion{FP: 2, FN: 1, TN: 1}},
		},
	}
	if r := noTP.EqualizedOddsRatio(metric.BetweenGroups, metric.WorstCase); !math.IsNaN(r) {
		t.Errorf("NaN TPR ratio: equalized odds ratio %v, want NaN (min([nan, x]))", r)
	}
	if r := noTP.EqualizedOddsRatio(metric.BetweenGroups, metric.Mean); !within(r, (1.0/3)/(2.0/3), 1e-15) {
		t.Errorf("mean skips NaN: %v, want FPR ratio 0.5", r)
	}
	// no false positive anywhere → FPR ratio NaN, TPR ratio kept (min([x, nan]) = x)
	noFP := metric.Frame{
		Overall: metric.Confusion{TP: 3, FN: 3, TN: 2},
		Groups: []metric.Group{
			{Name: "p", Confusion: metric.Confusion{TP: 1, FN: 2, TN: 1}},
			{Name: "q", Confusion: metric.Confusion{TP: 2, FN: 1, TN: 1}},
		},
	}
	if r := noFP.EqualizedOddsRatio(metric.BetweenGroups, metric.WorstCase); !within(r, 0.5, 1e-15) {
		t.Errorf("NaN FPR ratio: equalized odds ratio %v, want TPR ratio 0.5", r)
	}
}

// AIF360's signed two-group metrics on counts worked out by hand.
func TestAIF360(t *testing.T) {
	u := metric.Confusion{TP: 2, FP: 1, FN: 2, TN: 5} // selection 3/10, TPR 2/4, FPR 1/6
	p := metric.Confusion{TP: 6, FP: 2, FN: 1, TN: 1} // selection 8/10, TPR 6/7, FPR 2/3
	checks := []struct {
		name      string
		got, want float64
	}{
		{"statistical parity difference", metric.StatisticalParityDifference(u, p), 0.3 - 0.8},
		{"disparate impact", metric.DisparateImpact(u, p), 0.3 / 0.8},
		{"equal opportunity difference", metric.EqualOpportunityDifferenceAIF(u, p), 0.5 - 6.0/7},
		{"average odds difference", metric.AverageOddsDifference(u, p), 0.5 * ((1.0/6 - 2.0/3) + (0.5 - 6.0/7))},
	}
	for _, c := range checks {
		if !within(c.got, c.want, 1e-15) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// AIF360 divides without a zero guard: no positives in a group → NaN; nobody selected → Inf
	noPos := metric.Confusion{FP: 1, TN: 3}
	if v := metric.EqualOpportunityDifferenceAIF(noPos, p); !math.IsNaN(v) {
		t.Errorf("no positives: %v, want NaN", v)
	}
	if v := metric.DisparateImpact(u, metric.Confusion{FN: 1, TN: 1}); !math.IsInf(v, 1) {
		t.Errorf("privileged never selected: %v, want +Inf", v)
	}
}
