package decision

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/db"
)

// Spans of the windows statistics are kept for, in seconds.
const (
	hourSpan = 3600
	daySpan  = 86400
)

// Bounds on what one decision adds to the statistics.
const (
	// maxPairAttributes is the most sensitive attributes a decision may have
	// for its pairs of attributes (intersections) to be counted.
	maxPairAttributes = 5
	// maxInputFeatures is how many top-level inputs of a decision are counted.
	maxInputFeatures = 100
	// maxCategory is the longest text value kept for an input, in bytes.
	maxCategory = 64
	// maxCategories is the most distinct text values an input may take in
	// one request; an input with more (an identifier, free text) is left out
	// of that request's statistics.
	maxCategories = 100
)

// countKey names a cell of decision_counts within an hour.
type countKey struct {
	hour                                    int64
	model, feature, group, predicted, truth string
}

// scoreKey names a cell of decision_scores within a day.
type scoreKey struct {
	day          int64
	model, truth string
	score        float64
}

// inputKey names a cell of decision_inputs within a day.
type inputKey struct {
	day                   int64
	model, feature, value string
	numeric               bool
}

// tally is what a set of decisions and outcomes adds to the statistics;
// tallies add up, and a decision's contribution can be taken away again.
type tally struct {
	counts map[countKey]int64
	scores map[scoreKey]int64
	inputs map[inputKey]int64
}

func newTally() *tally {
	return &tally{counts: map[countKey]int64{}, scores: map[scoreKey]int64{}, inputs: map[inputKey]int64{}}
}

// add adds o to t.
func (t *tally) add(o *tally) {
	for k, n := range o.counts {
		t.counts[k] += n
	}
	for k, n := range o.scores {
		t.scores[k] += n
	}
	for k, n := range o.inputs {
		t.inputs[k] += n
	}
}

// group is a sensitive feature and its value: an attribute, a pair of
// attributes joined by " & ", or the empty feature for everyone.
type group struct{ feature, value string }

// groupsOf returns everyone's group and the groups the attributes put a
// decision in: each attribute, and each pair while there are at most
// maxPairAttributes of them.
func groupsOf(attrs map[string]string) []group {
	out := []group{{}}
	if len(attrs) == 0 {
		return out
	}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		out = append(out, group{k, attrs[k]})
	}
	if len(names) <= maxPairAttributes {
		for i, a := range names {
			for _, b := range names[i+1:] {
				out = append(out, group{a + " & " + b, attrs[a] + " & " + attrs[b]})
			}
		}
	}
	return out
}

// hourOf is the start of the hour of t, in Unix seconds.
func hourOf(t time.Time) int64 { return floorTo(t.Unix(), hourSpan) }

// floorTo rounds Unix seconds down to a multiple of span.
func floorTo(sec, span int64) int64 {
	if sec < 0 && sec%span != 0 {
		return sec - sec%span - span
	}
	return sec - sec%span
}

// decision adds sign times one decision with the given true label (” when
// none is known) to the counts and scores.
func (t *tally) decision(hour int64, model, predicted string, score *float64, groups []group, truth string, sign int64) {
	for _, g := range groups {
		t.counts[countKey{hour, model, g.feature, g.value, predicted, truth}] += sign
	}
	if score != nil {
		t.scores[scoreKey{floorTo(hour, daySpan), model, truth, roundScore(*score)}] += sign
	}
}

// roundScore rounds a score to two significant digits.
func roundScore(v float64) float64 { return roundSignificant(v, 2) }

// roundSignificant rounds v to d significant digits, as writing it with
// strconv.FormatFloat(v, 'g', d, 64) and reading it back does: by scaling
// with an exact power of ten, and by formatting only when the scaled value
// is too near a tie, or the power too large, for the scaling to be exact.
func roundSignificant(v float64, d int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	if p, ok := decimalShift(math.Abs(v), d); ok {
		s := exactPow10[max(p, -p)]
		x := v * s
		if p < 0 {
			x = v / s
		}
		f := math.Floor(x)
		frac := x - f
		if frac > 0.5 {
			f++
		}
		// The scaling is trusted away from ties, and when it kept d digits.
		if math.Abs(frac-0.5) > 1e-6 && math.Abs(f) >= exactPow10[d-1] && math.Abs(f) <= exactPow10[d] {
			if p < 0 {
				return f * s
			}
			return f / s
		}
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', d, 64), 64)
	return r
}

// decimalShift returns the power of ten that brings a's first d significant
// digits before the decimal point, when it is small enough to be exact.
func decimalShift(a float64, d int) (int, bool) {
	e := 0
	switch {
	case a >= 1:
		for e < len(exactPow10)-1 && exactPow10[e+1] <= a {
			e++
		}
	default:
		for e > -(len(exactPow10)-1) && a*exactPow10[-e] < 1 {
			e--
		}
	}
	p := d - 1 - e
	return p, p >= -(len(exactPow10)-1) && p <= len(exactPow10)-1
}

// exactPow10 are the powers of ten that float64 holds exactly.
var exactPow10 = func() (out [23]float64) {
	out[0] = 1
	for i := 1; i < len(out); i++ {
		out[i] = out[i-1] * 10
	}
	return out
}()

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// scanInputs calls fn with the name (a JSON string token) and value of
// each top-level number (kind 'n'), string (kind 's', the JSON token) or
// boolean (kind 'b') of a valid JSON object, in order, until fn returns
// false. Nested objects, arrays and nulls are skipped.
func scanInputs(b []byte, fn func(name, value []byte, kind byte) bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return
		}
		end := stringEnd(b, i)
		name := b[i:end]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return
		}
		more := true
		switch c := b[i]; {
		case c == '"':
			end = stringEnd(b, i)
			more = fn(name, b[i:end], 's')
		case c == 't' || c == 'f':
			end = i + 4
			if c == 'f' {
				end++
			}
			more = fn(name, b[i:min(end, len(b))], 'b')
		case c == 'n':
			end = i + 4
		case c == '{' || c == '[':
			end = valueEnd(b, i)
		default:
			end = i
			for end < len(b) && strings.IndexByte("+-0123456789.eE", b[end]) >= 0 {
				end++
			}
			more = fn(name, b[i:end], 'n')
		}
		if !more {
			return
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON object or array starting at i.
func valueEnd(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			j = stringEnd(b, j) - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(b)
}

// unquote returns the text of a JSON string token.
func unquote(tok []byte) string {
	if len(tok) >= 2 && !slices.Contains(tok[1:len(tok)-1], '\\') {
		return string(tok[1 : len(tok)-1])
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return ""
	}
	return s
}

// dropBusyInputs leaves out the text inputs that took more than
// maxCategories distinct values, over all the days the tally spans.
func (t *tally) dropBusyInputs() {
	values := map[[2]string]bool{}
	distinct := map[string]int{}
	for k := range t.inputs {
		if v := [2]string{k.feature, k.value}; !k.numeric && !values[v] {
			values[v] = true
			distinct[k.feature]++
		}
	}
	for k := range t.inputs {
		if !k.numeric && distinct[k.feature] > maxCategories {
			delete(t.inputs, k)
		}
	}
}

// store adds the tally to the statistics of a log: counts to their hours
// and days, scores and inputs to their days.
func (t *tally) store(ctx context.Context, tx *db.Tx, logNo int64) error {
	t.dropBusyInputs()
	var rows [][]any
	days := map[countKey]int64{}
	for k, n := range t.counts {
		if n == 0 {
			continue
		}
		rows = append(rows, []any{logNo, hourSpan, k.hour, k.model, k.feature, k.group, k.predicted, k.truth, n})
		d := k
		d.hour = floorTo(k.hour, daySpan)
		days[d] += n
	}
	for k, n := range days {
		if n != 0 {
			rows = append(rows, []any{logNo, daySpan, k.hour, k.model, k.feature, k.group, k.predicted, k.truth, n})
		}
	}
	if err := tx.AddCounts(ctx, "decision_counts",
		[]string{"log_no", "span", "start", "model_version_id", "feature", "grp", "predicted", "truth"}, rows); err != nil {
		return fmt.Errorf("cannot count decisions for monitoring: %w", err)
	}
	rows = rows[:0]
	for k, n := range t.scores {
		if n != 0 {
			rows = append(rows, []any{logNo, k.day, k.model, k.truth, k.score, n})
		}
	}
	if err := tx.AddCounts(ctx, "decision_scores", []string{"log_no", "start", "model_version_id", "truth", "score"}, rows); err != nil {
		return fmt.Errorf("cannot count scores for monitoring: %w", err)
	}
	rows = rows[:0]
	for k, n := range t.inputs {
		if n != 0 {
			kind := "c"
			if k.numeric {
				kind = "n"
			}
			rows = append(rows, []any{logNo, k.day, k.model, k.feature, kind, k.value, n})
		}
	}
	if err := tx.AddCounts(ctx, "decision_inputs", []string{"log_no", "start", "model_version_id", "feature", "kind", "value"}, rows); err != nil {
		return fmt.Errorf("cannot count inputs for monitoring: %w", err)
	}
	return nil
}
