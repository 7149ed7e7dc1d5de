package monitor

import (
	"math"
	"slices"

	"github.com/aims-dev/aims/internal/metric"
)

// measure computes a monitor's metric over the statistics of one window
// (and, for drift, of the reference window or profile), with the sample
// size it rests on. The value is NaN when the metric is undefined or the
// sample too small.
func measure(m *Monitor, st *Settings, cur, ref *Stats, prof *Profile) (float64, int64) {
	min := int64(m.MinSamples)
	switch {
	case slices.Contains(performanceMetrics, m.Metric) || m.Metric == MetricSelectionRate:
		c := cells(cur.Counts, st, nil)[groupKey{m.Feature, m.Group}]
		if c == nil || st.Positive == "" {
			return math.NaN(), 0
		}
		if m.Metric == MetricSelectionRate {
			return enough(c.selectionRate(), c.n, min)
		}
		var v float64
		switch m.Metric {
		case MetricAccuracy:
			v = c.conf.Accuracy()
		case MetricPrecision:
			v = c.conf.Precision()
		case MetricRecall:
			v = c.conf.TPR()
		case MetricFPR:
			v = c.conf.FPR()
		}
		return enough(v, c.labelled(), min)
	case slices.Contains(scoreMetrics, m.Metric):
		h, n, unit := scoreHistogram(cur.Scores, st, nil)
		if st.positiveOutcome() == "" {
			return math.NaN(), n
		}
		if m.Metric == MetricAUC {
			return enough(metric.AUC(h), n, min)
		}
		if !unit {
			return math.NaN(), n
		}
		_, ece := metric.Calibration(h, 10)
		return enough(ece, n, min)
	case slices.Contains(fairnessMetrics, m.Metric):
		if st.Positive == "" {
			return math.NaN(), 0
		}
		cs := cells(cur.Counts, st, nil)
		labelled := usesOutcomes(m.Metric)
		groups := groupsOf(cs, m.Feature, max(min, 1), labelled)
		var n int64
		for _, g := range groups {
			c := cs[groupKey{m.Feature, g}]
			if labelled {
				n += c.labelled()
			} else {
				n += c.n
			}
		}
		if len(groups) < 2 {
			return math.NaN(), n
		}
		v := disparity(m.Metric, frame(cs, m.Feature, groups, true), frame(cs, m.Feature, groups, false),
			metric.Method(m.Method), metric.Agg(m.Agg))
		return v, n
	case slices.Contains(driftMetrics, m.Metric):
		dc := distributions(cur, nil)[m.Feature]
		if dc == nil {
			return math.NaN(), 0
		}
		n := int64(dc.n)
		var r metric.Result
		var ok bool
		if prof != nil {
			col, found := prof.Columns[m.Feature]
			if !found || n < min {
				return math.NaN(), n
			}
			r, ok = profileDrift(col, dc, driftMethod(m.Metric))
		} else {
			dr := distributions(ref, nil)[m.Feature]
			if dr == nil || n < min || int64(dr.n) < min {
				return math.NaN(), n
			}
			r, ok = drift(dr, dc, driftMethod(m.Metric))
		}
		if !ok {
			return math.NaN(), n
		}
		if m.Metric == MetricKSP || m.Metric == MetricChiSquare {
			if r.PValue == nil {
				return math.NaN(), n
			}
			return *r.PValue, n
		}
		return r.Value, n
	}
	return math.NaN(), 0
}

// enough returns v, or NaN when n is below the minimum sample size.
func enough(v float64, n, min int64) (float64, int64) {
	if n < min || n == 0 {
		return math.NaN(), n
	}
	return v, n
}

// breached reports whether a value is beyond the monitor's threshold.
func (m *Monitor) breached(v float64) bool {
	if m.Direction == Above {
		return v > m.Threshold
	}
	return v < m.Threshold
}
