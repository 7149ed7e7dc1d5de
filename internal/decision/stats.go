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

// scoreKey names a cell of decision_scores within an hour.
type scoreKey struct {
	hour         int64
	model, truth string
	score        float64
}

// inputKey names a cell of decision_inputs within a day.
type inputKey struct {
	day            int64
	feature, value string
	numeric        bool
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
		t.scores[scoreKey{hour, model, truth, roundScore(*score)}] += sign
	}
}

// roundScore rounds a score to two significant digits.
func roundScore(v float64) float64 { return roundSignificant(v, 2) }

// roundSignificant rounds v to d significant digits.
func roundSignificant(v float64, d int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', d, 64), 64)
	return r
}

// record adds sign times what a new decision brings: its counts, score and
// inputs.
func (t *tally) record(r *Record, model string, sign int64) {
	at := r.Time.UTC()
	t.decision(hourOf(at), model, r.Output.Label, r.Output.Score, groupsOf(r.Sensitive), "", sign)
	if len(r.Inputs) == 0 {
		return
	}
	day := floorTo(at.Unix(), daySpan)
	n := 0
	scanInputs(r.Inputs, func(name string, num float64, numeric bool, text string) bool {
		k := inputKey{day: day, feature: name, numeric: numeric}
		if numeric {
			k.value = strconv.FormatFloat(num, 'g', 3, 64)
		} else {
			k.value = truncateUTF8(text, maxCategory)
		}
		t.inputs[k] += sign
		n++
		return n < maxInputFeatures
	})
}

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

// scanInputs calls fn with each top-level number, string or boolean of a
// valid JSON object, in order, until fn returns false. Nested objects,
// arrays and nulls are skipped.
func scanInputs(b []byte, fn func(name string, num float64, numeric bool, text string) bool) {
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
		name := unquote(b[i:end])
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return
		}
		var more bool
		switch c := b[i]; {
		case c == '"':
			end = stringEnd(b, i)
			more = fn(name, 0, false, unquote(b[i:end]))
		case c == 't' || c == 'f':
			end = i + 4
			if c == 'f' {
				end++
			}
			more = fn(name, 0, false, string(b[i:min(end, len(b))]))
		case c == 'n':
			end, more = i+4, true
		case c == '{' || c == '[':
			end, more = valueEnd(b, i), true
		default:
			end = i
			for end < len(b) && strings.IndexByte("+-0123456789.eE", b[end]) >= 0 {
				end++
			}
			v, err := strconv.ParseFloat(string(b[i:end]), 64)
			more = err != nil || fn(name, v, true, "")
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
// maxCategories distinct values.
func (t *tally) dropBusyInputs() {
	distinct := map[string]int{}
	for k := range t.inputs {
		if !k.numeric {
			distinct[k.feature]++
		}
	}
	for k := range t.inputs {
		if !k.numeric && distinct[k.feature] > maxCategories {
			delete(t.inputs, k)
		}
	}
}

// store adds the tally to the statistics of a log: counts and scores to
// their hours and days, inputs to their days.
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
	scoreDays := map[scoreKey]int64{}
	for k, n := range t.scores {
		if n == 0 {
			continue
		}
		rows = append(rows, []any{logNo, hourSpan, k.hour, k.model, k.truth, k.score, n})
		d := k
		d.hour = floorTo(k.hour, daySpan)
		scoreDays[d] += n
	}
	for k, n := range scoreDays {
		if n != 0 {
			rows = append(rows, []any{logNo, daySpan, k.hour, k.model, k.truth, k.score, n})
		}
	}
	if err := tx.AddCounts(ctx, "decision_scores",
		[]string{"log_no", "span", "start", "model_version_id", "truth", "score"}, rows); err != nil {
		return fmt.Errorf("cannot count scores for monitoring: %w", err)
	}
	rows = rows[:0]
	for k, n := range t.inputs {
		if n != 0 {
			kind := "c"
			if k.numeric {
				kind = "n"
			}
			rows = append(rows, []any{logNo, k.day, k.feature, kind, k.value, n})
		}
	}
	if err := tx.AddCounts(ctx, "decision_inputs", []string{"log_no", "start", "feature", "kind", "value"}, rows); err != nil {
		return fmt.Errorf("cannot count inputs for monitoring: %w", err)
	}
	return nil
}
