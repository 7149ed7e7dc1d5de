package metric

import (
	"math"
	"sort"
)

// ScoreCount is one distinct (or binned) score with how many actual positives and negatives had it.
type ScoreCount struct{ Score, Pos, Neg float64 }

// sortedScores returns h sorted by score with equal scores merged.
func sortedScores(h []ScoreCount) []ScoreCount {
	s := make([]ScoreCount, 0, len(h))
	for _, c := range h {
		if !math.IsNaN(c.Score) {
			s = append(s, c)
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Score < s[j].Score })
	out := s[:0]
	for _, c := range s {
		if n := len(out); n > 0 && out[n-1].Score == c.Score {
			out[n-1].Pos += c.Pos
			out[n-1].Neg += c.Neg
			continue
		}
		out = append(out, c)
	}
	return out
}

// AUC returns the ROC AUC as the Mann–Whitney statistic with ties counted
// half, which equals sklearn's roc_auc_score on the expanded data; NaN when
// there are no positives or no negatives. h need not be sorted.
func AUC(h []ScoreCount) float64 {
	var negBelow, pos, neg, wins float64
	for _, c := range sortedScores(h) {
		wins += c.Pos * (negBelow + 0.5*c.Neg)
		negBelow += c.Neg
		pos += c.Pos
		neg += c.Neg
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return wins / (pos * neg)
}

// CalibrationBin is one non-empty bin of a calibration curve: its edges, the
// mean score in it, the observed share of positives and its count.
type CalibrationBin struct{ Lo, Hi, MeanScore, Observed, N float64 }

// Calibration bins scores in [0,1] into n equal-width bins like sklearn calibration_curve(strategy="uniform")
// (empty bins left out), and returns the expected calibration error (N-weighted mean |Observed − MeanScore|).
// A score on an inner edge belongs to the lower bin, as numpy's searchsorted puts it. Like sklearn, it
// refuses scores outside [0,1] (and n < 1): it then returns nil and NaN.
func Calibration(h []ScoreCount, n int) (bins []CalibrationBin, ece float64) {
	if n < 1 {
		return nil, math.NaN()
	}
	edges := linspace(0, 1, n+1)
	type acc struct{ sum, pos, total float64 }
	accs := make([]acc, n)
	for _, c := range h {
		if !(c.Score >= 0 && c.Score <= 1) {
			return nil, math.NaN()
		}
		// number of inner edges strictly below the score
		id := sort.SearchFloat64s(edges[1:n], c.Score)
		w := c.Pos + c.Neg
		accs[id].sum += c.Score * w
		accs[id].pos += c.Pos
		accs[id].total += w
	}
	var errSum, total float64
	for i, a := range accs {
		if a.total == 0 {
			continue
		}
		b := CalibrationBin{Lo: edges[i], Hi: edges[i+1], MeanScore: a.sum / a.total, Observed: a.pos / a.total, N: a.total}
		bins = append(bins, b)
		errSum += b.N * math.Abs(b.Observed-b.MeanScore)
		total += b.N
	}
	if total == 0 {
		return bins, math.NaN()
	}
	return bins, errSum / total
}

// linspace returns num evenly spaced values from start to stop inclusive, computed as numpy.linspace does
// (i·step + start, the last value set to stop).
func linspace(start, stop float64, num int) []float64 {
	out := make([]float64, num)
	if num == 1 {
		out[0] = start
		return out
	}
	step := (stop - start) / float64(num-1)
	for i := range out {
		out[i] = float64(float64(i)*step) + start // explicit conversion: no fused multiply-add
	}
	out[num-1] = stop
	return out
}
