package decision

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// jsonCanonical is the reference: encoding/json without HTML escaping.
func jsonCanonical(t testing.TB, c *canonical) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

var tricky = []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f", "<html> & 'x'",
	"é 中文 🙂", "line\u2028sep\u2029para", "/slash/", "\u00a0nbsp"}

var numbers = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 1.5e21, -2.5e-9, 123456789.123,
	math.MaxFloat64, math.SmallestNonzeroFloat64, 1.0 / 3}

// TestAppendCanonicalMatchesEncodingJSON checks the hand-written encoder
// against encoding/json on many random records.
func TestAppendCanonicalMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := func() string { return tricky[rng.IntN(len(tricky))] }
	f := func() *float64 {
		if rng.IntN(4) == 0 {
			return nil
		}
		v := numbers[rng.IntN(len(numbers))]
		if rng.IntN(2) == 0 {
			v = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		}
		return &v
	}
	for i := 0; i < 5000; i++ {
		c := canonical{V: 1, System: s(), ID: s(), Time: "2026-01-02T03:04:05.000006Z", Model: canonicalModel{ID: s(), Key: s()},
			InputsHash: s(), Output: Output{Label: s(), Score: f()}, Confidence: f(), Subject: s(), Sensitive: s()}
		if rng.IntN(2) == 0 {
			c.Inputs = json.RawMessage(`{"a":1,"b":"x\"y"}`)
		}
		if rng.IntN(2) == 0 {
			e := &Explanation{Method: s(), Text: s()}
			for j := rng.IntN(4); j > 0; j-- {
				e.Attributions = append(e.Attributions, Attribution{Feature: s(), Value: *numbersOr(f())})
			}
			for j := rng.IntN(3); j > 0; j-- {
				e.ReasonCodes = append(e.ReasonCodes, s())
			}
			c.Explanation = e
		}
		if rng.IntN(2) == 0 {
			c.Review = &canonicalRev{Reviewer: s(), Result: s(), Final: s(), Reason: s(), Time: s()}
		}
		want := jsonCanonical(t, &c)
		got := appendCanonical(nil, &c)
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func numbersOr(v *float64) *float64 {
	if v == nil {
		return new(float64)
	}
	return v
}

// BenchmarkEncode measures encoding one typical record.
func BenchmarkEncode(b *testing.B) {
	score, conf := 0.73, 0.91
	r := Record{ID: "loan-000123", Model: "1.0.0", Inputs: []byte(`{"income": 42000, "age": 37, "purpose": "car", "term": 36}`),
		Output: Output{Label: "approve", Score: &score}, Confidence: &conf, Subject: "p-81723",
		Explanation: &Explanation{Method: "SHAP", Attributions: []Attribution{{"income", 0.31}, {"age", -0.05}, {"term", 0.02}}}}
	for b.Loop() {
		if _, err := r.encode("0195e7a2-1111-7000-8000-000000000001", canonicalModel{ID: "mv", Key: "MDL-1@1.0.0"}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCanonicalAttributesMatchesJSONMarshal checks the attributes' canonical
// form, which their salted commitment covers, against json.Marshal of each
// name and value in sorted order.
func TestCanonicalAttributesMatchesJSONMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		m := map[string]string{}
		for j := rng.IntN(5); j >= 0; j-- {
			m[tricky[rng.IntN(len(tricky))]+string(rune('a'+j))] = tricky[rng.IntN(len(tricky))]
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := []byte("{")
		for j, k := range keys {
			if j > 0 {
				want = append(want, ',')
			}
			kb, _ := json.Marshal(k)
			vb, _ := json.Marshal(m[k])
			want = append(append(append(want, kb...), ':'), vb...)
		}
		want = append(want, '}')
		if got := canonicalAttributes(m); !bytes.Equal(got, want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	}
}
