package metric_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aims-dev/aims/internal/metric"
)

// scikit-learn's roc_auc_score documentation example: y_true = [0, 0, 1, 1],
// y_scores = [0.1, 0.4, 0.35, 0.8] gives 0.75.
func TestAUCSklearnExample(t *testing.T) {
	h := []metric.ScoreCount{{Score: 0.8, Pos: 1}, {Score: 0.1, Neg: 1}, {Score: 0.35, Pos: 1}, {Score: 0.4, Neg: 1}}
	if got := metric.AUC(h); math.Abs(got-0.75) > 1e-15 {
		t.Fatalf("AUC = %v, want 0.75", got)
	}
}

// AUC of a histogram against a brute-force count over every positive–negative pair of the rows it
// summarises (ties count one half), on random data with many tied scores.
func TestAUCBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		n := 50 + rng.IntN(400)
		scores := make([]float64, n)
		labels := make([]bool, n)
		for i := range scores {
			scores[i] = math.Round(rng.Float64()*20) / 20 // ties
			labels[i] = rng.Float64() < scores[i]*0.8+0.1
		}
		var wins, pairs float64
		for i := range scores {
			if !labels[i] {
				continue
			}
			for j := range scores {
				if labels[j] {
					continue
				}
				pairs++
				switch {
				case scores[i] > scores[j]:
					wins++
				case scores[i] == scores[j]:
					wins += 0.5
				}
			}
		}
		// one ScoreCount per row, unsorted and unmerged
		h := make([]metric.ScoreCount, n)
		for i := range scores {
			if labels[i] {
				h[i] = metric.ScoreCount{Score: scores[i], Pos: 1}
			} else {
				h[i] = metric.ScoreCount{Score: scores[i], Neg: 1}
			}
		}
		want := wins / pairs
		if got := metric.AUC(h); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: AUC = %v, brute force %v", trial, got, want)
		}
		// weights: scaling every count leaves AUC unchanged
		for i := range h {
			h[i].Pos *= 2.5
			h[i].Neg *= 2.5
		}
		if got := metric.AUC(h); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d weighted: AUC = %v, want %v", trial, got, want)
		}
	}
}

func TestAUCEdgeCases(t *testing.T) {
	if v := metric.AUC([]metric.ScoreCount{{Score: 0.3, Pos: 2}, {Score: 0.7, Pos: 1}}); !math.IsNaN(v) {
		t.Errorf("no negatives: %v, want NaN", v)
	}
	if v := metric.AUC(nil); !math.IsNaN(v) {
		t.Errorf("empty: %v, want NaN", v)
	}
	if v := metric.AUC([]metric.ScoreCount{{Score: 0.5, Pos: 3, Neg: 7}}); v != 0.5 {
		t.Errorf("all tied: %v, want 0.5", v)
	}
	if v := metric.AUC([]metric.ScoreCount{{Score: 0.9, Neg: 1}, {Score: 0.1, Pos: 1}}); v != 0 {
		t.Errorf("perfectly wrong: %v, want 0", v)
	}
}

// scikit-learn's calibration_curve documentation example: y_true = [0, 0, 0, 0, 1, 1, 1, 1, 1],
// y_pred = [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.], n_bins=3 gives prob_true [0, 0.5, 1] and
// prob_pred [0.2, 0.525, 0.85]. The ECE is worked out from those bins by hand: (3·0.2 + 2·0.025 + 4·0.15)/9.
func TestCalibrationSklearnExample(t *testing.T) {
	yTrue := []int{0, 0, 0, 0, 1, 1, 1, 1, 1}
	yPred := []float64{0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0}
	var h []metric.ScoreCount
	for i := range yTrue {
		h = append(h, metric.ScoreCount{Score: yPred[i], Pos: float64(yTrue[i]), Neg: float64(1 - yTrue[i])})
	}
	bins, ece := metric.Calibration(h, 3)
	wantTrue := []float64{0, 0.5, 1}
	wantPred := []float64{0.2, 0.525, 0.85}
	wantN := []float64{3, 2, 4}
	if len(bins) != 3 {
		t.Fatalf("%d bins, want 3", len(bins))
	}
	for i, b := range bins {
		if math.Abs(b.Observed-wantTrue[i]) > 1e-12 || math.Abs(b.MeanScore-wantPred[i]) > 1e-12 || b.N != wantN[i] {
			t.Errorf("bin %d: %+v, want observed %v mean %v n %v", i, b, wantTrue[i], wantPred[i], wantN[i])
		}
		if math.Abs(b.Lo-float64(i)/3) > 1e-15 || math.Abs(b.Hi-float64(i+1)/3) > 1e-15 {
			t.Errorf("bin %d edges %v %v", i, b.Lo, b.Hi)
		}
	}
	if want := (3*0.2 + 2*0.025 + 4*0.15) / 9; math.Abs(ece-want) > 1e-12 {
		t.Errorf("ECE = %v, want %v", ece, want)
	}
}

func TestCalibrationEdges(t *testing.T) {
	// numpy searchsorted(side="left") on the inner edges: 0.5 with two bins goes to the lower bin,
	// 0 to the first and 1 to the last; an empty bin is left out.
	bins, _ := metric.Calibration([]metric.ScoreCount{{Score: 0.5, Pos: 1}, {Score: 0, Neg: 1}}, 2)
	if len(bins) != 1 || bins[0].N != 2 || bins[0].Hi != 0.5 {
		t.Errorf("0.5 on the inner edge: %+v, want one bin [0, 0.5] with both scores", bins)
	}
	bins, _ = metric.Calibration([]metric.ScoreCount{{Score: 1, Pos: 1}}, 4)
	if len(bins) != 1 || bins[0].Lo != 0.75 {
		t.Errorf("1.0: %+v, want the last bin", bins)
	}
	if bins, ece := metric.Calibration([]metric.ScoreCount{{Score: 1.2, Pos: 1}}, 4); bins != nil || !math.IsNaN(ece) {
		t.Errorf("score outside [0,1]: %v %v, want nil NaN", bins, ece)
	}
	if bins, ece := metric.Calibration(nil, 10); bins != nil || !math.IsNaN(ece) {
		t.Errorf("no scores: %v %v, want nil NaN", bins, ece)
	}
	if _, ece := metric.Calibration([]metric.ScoreCount{{Score: 0.5, Pos: 1}}, 0); !math.IsNaN(ece) {
		t.Errorf("n = 0: %v, want NaN", ece)
	}
}
