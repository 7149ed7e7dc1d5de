package decision

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestFormatTime checks the fast time formatting against time.Format on
// the edges of the years records may hold and on random times between,
// in UTC and in other zones.
func TestFormatTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	first := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	times := []time.Time{first, last, time.Date(2000, 2, 29, 12, 0, 0, 1000, time.UTC), time.Date(2026, 12, 1, 9, 5, 7, 999, time.UTC)}
	zones := []*time.Location{time.UTC, time.FixedZone("east", 14*3600), time.FixedZone("west", -(9*3600 + 30*60))}
	for range 200000 {
		at := time.Unix(rng.Int64N(last.Unix()+1), rng.Int64N(1e9))
		times = append(times, at.In(zones[rng.IntN(len(zones))]))
	}
	for _, at := range times {
		if got, want := formatTime(at), at.UTC().Format(timeFormat); got != want {
			t.Fatalf("formatTime(%v) = %s, want %s", at, got, want)
		}
	}
}
