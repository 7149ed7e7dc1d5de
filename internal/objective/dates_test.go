package objective_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/objective"
)

// TestNextDue checks the due dates against dates worked out on a calendar:
// the same day of the month a cadence later, the last day of the month
// when that month is shorter, and a month's last day followed by the last
// day of the later month.
func TestNextDue(t *testing.T) {
	tests := []struct {
		from, cadence, want string
	}{
		{"2026-01-31", "monthly", "2026-02-28"},
		{"2026-01-30", "monthly", "2026-02-28"},
		{"2026-01-15", "monthly", "2026-02-15"},
		{"2026-02-28", "monthly", "2026-03-31"},
		{"2026-04-30", "monthly", "2026-05-31"},
		{"2024-01-31", "monthly", "2024-02-29"},
		{"2026-12-31", "monthly", "2027-01-31"},
		{"2026-12-15", "monthly", "2027-01-15"},
		{"2026-03-31", "quarterly", "2026-06-30"},
		{"2026-11-30", "quarterly", "2027-02-28"},
		{"2026-01-29", "quarterly", "2026-04-29"},
		{"2025-08-31", "half_yearly", "2026-02-28"},
		{"2026-03-15", "half_yearly", "2026-09-15"},
		{"2024-02-29", "yearly", "2025-02-28"},
		{"2026-03-02", "yearly", "2027-03-02"},
	}
	for _, tc := range tests {
		from, err := time.Parse(objective.DateLayout, tc.from)
		if err != nil {
			t.Fatal(err)
		}
		if got := objective.NextDue(from, tc.cadence).Format(objective.DateLayout); got != tc.want {
			t.Errorf("%s %s: next due %s, want %s", tc.from, tc.cadence, got, tc.want)
		}
	}
}

// TestTargets checks which values meet each kind of target, bounds included, and how targets read.
func TestTargets(t *testing.T) {
	lo, hi := 0.8, 1.25
	tests := []struct {
		target objective.IndicatorTarget
		unit   string
		text   string
		met    []float64
		missed []float64
	}{
		{atLeast(95), "%", "at least 95 %", []float64{95, 95.01, 100}, []float64{94.99, 0, -95}},
		{objective.IndicatorTarget{Kind: "at_most", Max: ptr(200.0)}, "ms", "at most 200 ms", []float64{200, 0, -1}, []float64{200.5, 1e9}},
		{objective.IndicatorTarget{Kind: "between", Min: &lo, Max: &hi}, "", "between 0.8 and 1.25", []float64{0.8, 1, 1.25}, []float64{0.79, 1.26}},
	}
	for _, tc := range tests {
		if got := tc.target.Text(tc.unit); got != tc.text {
			t.Errorf("text %q, want %q", got, tc.text)
		}
		for _, v := range tc.met {
			if !tc.target.Met(v) {
				t.Errorf("%s: %v should meet it", tc.text, v)
			}
		}
		for _, v := range tc.missed {
			if tc.target.Met(v) {
				t.Errorf("%s: %v should miss it", tc.text, v)
			}
		}
	}
}

// TestParseIndicatorRef reads indicator references as people type them.
func TestParseIndicatorRef(t *testing.T) {
	for in, want := range map[string]struct {
		obj string
		n   int
		ok  bool
	}{
		"OBJ-1/I2": {"OBJ-1", 2, true}, " obj-12/i10 ": {"OBJ-12", 10, true}, "OBJ-1": {"", 0, false},
		"OBJ-1/I0": {"", 0, false}, "/I1": {"", 0, false}, "OBJ-1/Ix": {"", 0, false},
	} {
		obj, n, ok := objective.ParseIndicatorRef(in)
		if obj != want.obj || n != want.n || ok != want.ok {
			t.Errorf("%q: %q %d %v, want %+v", in, obj, n, ok, want)
		}
	}
}
