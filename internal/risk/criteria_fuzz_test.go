package risk

import (
	"encoding/json"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
)

// FuzzCriteriaRequest checks criteria read from JSON, as the API and
// 'aims risk criteria set' take them: checking them never panics, and
// criteria found valid rate every cell with one of their levels, the
// higher cells never lower.
func FuzzCriteriaRequest(f *testing.F) {
	def, _ := json.Marshal(DefaultCriteria())
	f.Add(def)
	f.Add([]byte(`{"likelihood":[{"label":"a"},{"label":"b"}],"impact":[{"label":"x"},{"label":"y"}],` +
		`"levels":[{"name":"low","colour":"#abc","review_days":1},{"name":"high","colour":"#000000","review_days":3650}],` +
		`"matrix":[["low","high"],["high","high"]],"appetite":"low"}`))
	f.Add([]byte(`{"likelihood":[],"impact":null,"matrix":[["x"]],"levels":[{"name":""}],"appetite":"z","version":-3}`))
	f.Add([]byte(`{"matrix":[[],[],["low"]],"likelihood":[{"label":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var req CriteriaRequest
		if json.Unmarshal(data, &req) != nil {
			return
		}
		var p aims.Problems
		req.normalise(&p)
		if len(p) > 0 {
			return
		}
		c := &Criteria{Likelihood: req.Likelihood, Impact: req.Impact, Levels: req.Levels, Matrix: req.Matrix, Appetite: req.Appetite}
		for l := 1; l <= len(c.Likelihood); l++ {
			for i := 1; i <= len(c.Impact); i++ {
				r := c.Rate(l, i)
				if r == nil || r.Rank < 1 || !colourPattern.MatchString(r.Colour) {
					t.Fatalf("cell %d-%d of valid criteria rates %+v", l, i, r)
				}
				if l > 1 && c.Rate(l-1, i).Rank > r.Rank || i > 1 && c.Rate(l, i-1).Rank > r.Rank {
					t.Fatalf("cell %d-%d is lower than a cell below or beside it", l, i)
				}
			}
		}
		if c.Rank(c.Appetite) == 0 {
			t.Fatalf("the appetite %q is not a level", c.Appetite)
		}
	})
}

func FuzzParseCell(f *testing.F) {
	for _, s := range []string{"3-2", "0-1", "x", "-", "10-10", " 4-4 ", "1-2-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if l, i, ok := parseCell(s); ok && (l < 1 || i < 1) {
			t.Fatalf("%q parses to %d-%d", s, l, i)
		}
	})
}
