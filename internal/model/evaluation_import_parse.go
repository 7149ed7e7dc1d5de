package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// reportProblem is the error of a report that cannot be read: invalid
// input at the field report, the message naming the format and the place.
func reportProblem(format, msg string, args ...any) error {
	var p aims.Problems
	p.Add("report", "%s", formatTitle(format)+" report: "+fmt.Sprintf(msg, args...))
	return p.Err()
}

// formatTitle is a format's name as its makers write it.
func formatTitle(format string) string {
	switch format {
	case FormatEvidently:
		return "Evidently"
	case FormatMLflow:
		return "MLflow"
	}
	return format
}

// parseReport flattens a tool's JSON report into named numeric results, in
// a stable order: the same report always gives the same names in the same
// order. feature names fairlearn's sensitive feature in the results' names.
func parseReport(format, feature string, raw []byte) ([]EvaluationInput, error) {
	v, err := decodeReport(format, raw)
	if err != nil {
		return nil, err
	}
	c := &collector{format: format, used: map[string]bool{}}
	switch format {
	case FormatFairlearn:
		err = parseFairlearn(c, v, feature)
	case FormatEvidently:
		err = parseEvidently(c, v)
	case FormatMLflow:
		err = parseMLflow(c, v)
	default:
		var p aims.Problems
		p.Add("format", "must be one of %s", strings.Join(ImportFormats, ", "))
		return nil, p.Err()
	}
	if err != nil {
		return nil, err
	}
	switch {
	case len(c.out) == 0:
		return nil, reportProblem(format, "holds no numeric results")
	case c.count > maxEvaluationsPerPost:
		return nil, reportProblem(format, "holds %d numeric results; at most %d can be imported at once, so trim the report",
			c.count, maxEvaluationsPerPost)
	}
	return c.out, nil
}

// nonFinite finds the words Python writes for values JSON has no number for.
var nonFinite = regexp.MustCompile(`(^|[\s:,\[])-?(NaN|Infinity)([\s,\]}]|$)`)

// decodeReport reads a report's JSON with numbers kept as written. A
// report sent as a JSON string (JSON encoded twice) is read from the string.
func decodeReport(format string, raw []byte) (any, error) {
	if len(raw) > MaxReportBytes {
		return nil, reportProblem(format, "is larger than %d bytes", MaxReportBytes)
	}
	var v any
	for range 2 {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || string(raw) == "null" {
			var p aims.Problems
			p.Add("report", "is required: the JSON the tool wrote")
			return nil, p.Err()
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		v = nil
		if err := d.Decode(&v); err != nil {
			if nonFinite.Match(raw) {
				return nil, reportProblem(format, "is not valid JSON: NaN and Infinity are not JSON numbers; leave those values out or write them as null")
			}
			return nil, reportProblem(format, "is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		if _, err := d.Token(); !errors.Is(err, io.EOF) {
			return nil, reportProblem(format, "is not valid JSON: more follows the first value")
		}
		s, ok := v.(string)
		if !ok {
			return v, nil
		}
		raw = []byte(s)
	}
	return nil, reportProblem(format, "is a JSON string, not the tool's JSON object")
}

// collector gathers the results of a report under unique names. It keeps
// no more than one result past the limit, and counts the rest.
type collector struct {
	format string
	out    []EvaluationInput
	used   map[string]bool
	count  int
}

// add records a result; a name the report already gave gets " (2)", " (3)" … in order.
func (c *collector) add(name string, value float64) {
	c.count++
	if len(c.out) > maxEvaluationsPerPost {
		return
	}
	name = cleanName(name)
	if name == "" {
		name = "value"
	}
	final := fitName(name, "")
	for n := 2; c.used[final]; n++ {
		final = fitName(name, fmt.Sprintf(" (%d)", n))
	}
	c.used[final] = true
	c.out = append(c.out, EvaluationInput{Metric: final, Value: value})
}

// cleanName turns control characters into spaces and collapses runs of space.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// fitName appends suffix to name within maxMetric characters. A name too
// long keeps its start and ends with "…" and eight hex digits of its
// SHA-256, so that it stays the same for the same report and two long
// names that start alike stay apart.
func fitName(name, suffix string) string {
	room := maxMetric - utf8.RuneCountInString(suffix)
	if utf8.RuneCountInString(name) <= room {
		return name + suffix
	}
	sum := sha256.Sum256([]byte(name))
	keep := []rune(name)[:room-9]
	return strings.TrimRight(string(keep), " ") + "…" + hex.EncodeToString(sum[:4]) + suffix
}

// numberOf reads a JSON number. ok is false for anything else; an error
// names a number too large for a float64, which would be infinite.
func numberOf(v any) (float64, bool, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, true, fmt.Errorf("%s is not a finite number", n)
	}
	return f, true, nil
}

// nonFiniteWord reports whether a string stands for NaN or an infinity, as
// some tools write those values.
func nonFiniteWord(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity":
		return true
	}
	return false
}

// metricValue reads the value of a metric at place: a finite number, or
// nil for null (pandas writes NaN as null), which is left out.
func (c *collector) metricValue(place string, v any) (*float64, error) {
	if v == nil {
		return nil, nil
	}
	f, ok, err := numberOf(v)
	if err != nil {
		return nil, reportProblem(c.format, "%s: %v", place, err)
	}
	if ok {
		return &f, nil
	}
	if s, isString := v.(string); isString && nonFiniteWord(s) {
		return nil, reportProblem(c.format, "%s is %s, which is not a finite number", place, s)
	}
	return nil, reportProblem(c.format, "%s is %s, not a number", place, describe(v))
}

// describe names the kind of a JSON value, for messages.
func describe(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		if utf8.RuneCountInString(x) > 40 {
			x = string([]rune(x)[:40]) + "…"
		}
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	return "a number"
}

// sortedKeys returns an object's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
