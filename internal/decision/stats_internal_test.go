package decision

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestRoundSignificant checks the fast rounding against formatting and
// reading back, on numbers of every magnitude, ties and near ties included.
func TestRoundSignificant(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	values := []float64{0.125, 0.135, 0.145, 0.155, 0.165, 0.175, 12345, 12350, 12450, 999.96, 1000, 1004, 0.0001234,
		-0.165, -12450, 1e-30, 3.3e25, 5e-324, math.MaxFloat64, 0.5, 0.05, 2.5, 250, 0.995, 9.995}
	for range 200000 {
		switch rng.IntN(4) {
		case 0:
			values = append(values, float64(rng.IntN(200000)))
		case 1:
			values = append(values, float64(rng.IntN(1000))/1000)
		case 2:
			values = append(values, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)))
		default:
			values = append(values, float64(rng.IntN(100000))/100)
		}
	}
	for _, v := range values {
		for _, d := range []int{2, 3} {
			want, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', d, 64), 64)
			if got := roundSignificant(v, d); got != want {
				t.Fatalf("roundSignificant(%v, %d) = %v, want %v", v, d, got, want)
			}
		}
	}
}
