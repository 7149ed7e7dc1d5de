package model

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// fairlearnAggregates are the MetricFrame methods whose results a report
// may hold beside overall and by_group, with the word each result's name gets.
var fairlearnAggregates = []struct{ key, word string }{
	{"difference", "difference"}, {"ratio", "ratio"}, {"group_min", "group min"}, {"group_max", "group max"},
}

// fairlearnRow is one result of a fairlearn report, with what orders it:
// the metric, then overall, the groups, difference, ratio, minimum, maximum.
type fairlearnRow struct {
	metric string
	rank   int
	group  string
	name   string
	value  float64
}

// parseFairlearn reads what a MetricFrame gives: overall (an object of
// metrics, or one number), by_group (metric → group → value, or group →
// value for one metric), difference, ratio, group_min and group_max (an
// object of metrics, or one number), and plain numbers such as
// demographic_parity_difference. "metric" names the metric of a report
// of one metric.
func parseFairlearn(c *collector, v any, feature string) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return reportProblem(c.format, `must be a JSON object such as {"overall": {"accuracy": 0.8}, "by_group": {"accuracy": {"female": 0.7, "male": 0.9}}}, not %s`, describe(v))
	}
	single := "metric"
	if m, ok := obj["metric"]; ok {
		s, isString := m.(string)
		if !isString || strings.TrimSpace(s) == "" {
			return reportProblem(c.format, `metric must name the report's one metric, such as "accuracy"`)
		}
		single = s
	}
	var rows []fairlearnRow
	emit := func(metric string, rank int, group, name string, value *float64) {
		if value != nil {
			rows = append(rows, fairlearnRow{metric: metric, rank: rank, group: group, name: name, value: *value})
		}
	}
	known := map[string]bool{"metric": true, "overall": true, "by_group": true}
	overall := map[string]bool{}
	if o, ok := obj["overall"]; ok {
		if x, isObject := o.(map[string]any); isObject {
			for _, m := range sortedKeys(x) {
				val, err := c.metricValue("overall."+m, x[m])
				if err != nil {
					return err
				}
				overall[m] = true
				emit(m, 0, "", m, val)
			}
		} else {
			val, err := c.metricValue("overall", o)
			if err != nil {
				return err
			}
			emit(single, 0, "", single, val)
		}
	}
	if bg, ok := obj["by_group"]; ok {
		x, isObject := bg.(map[string]any)
		if !isObject {
			return reportProblem(c.format, "by_group is %s; want an object of metrics and their groups' values, or of groups and values", describe(bg))
		}
		x = byMetric(x, overall)
		for _, k := range sortedKeys(x) {
			if inner, isObject := x[k].(map[string]any); isObject {
				for _, g := range sortedKeys(inner) {
					val, err := c.metricValue("by_group."+k+"."+g, inner[g])
					if err != nil {
						return err
					}
					emit(k, 1, g, groupName(k, feature, g), val)
				}
				continue
			}
			val, err := c.metricValue("by_group."+k, x[k])
			if err != nil {
				return err
			}
			emit(single, 1, k, groupName(single, feature, k), val)
		}
	}
	for i, agg := range fairlearnAggregates {
		known[agg.key] = true
		a, ok := obj[agg.key]
		if !ok {
			continue
		}
		rank := 2 + i
		x, isObject := a.(map[string]any)
		if !isObject {
			val, err := c.metricValue(agg.key, a)
			if err != nil {
				return err
			}
			emit(single, rank, "", aggregateName(single, agg.word, feature), val)
			continue
		}
		for _, m := range sortedKeys(x) {
			// With control features, each metric has a value per control group.
			if inner, isObject := x[m].(map[string]any); isObject {
				for _, g := range sortedKeys(inner) {
					val, err := c.metricValue(agg.key+"."+m+"."+g, inner[g])
					if err != nil {
						return err
					}
					emit(m, rank, g, aggregateName(m, agg.word, feature)+" ["+g+"]", val)
				}
				continue
			}
			val, err := c.metricValue(agg.key+"."+m, x[m])
			if err != nil {
				return err
			}
			emit(m, rank, "", aggregateName(m, agg.word, feature), val)
		}
	}
	for _, k := range sortedKeys(obj) {
		if known[k] {
			continue
		}
		if _, isNumber := obj[k].(json.Number); !isNumber && obj[k] != nil {
			if s, isString := obj[k].(string); !isString || !nonFiniteWord(s) {
				return reportProblem(c.format, "%s is %s; a fairlearn report holds overall, by_group, difference, ratio, group_min, "+
					"group_max, metric and plain numbers such as demographic_parity_difference", k, describe(obj[k]))
			}
		}
		val, err := c.metricValue(k, obj[k])
		if err != nil {
			return err
		}
		emit(k, 0, "", k, val)
	}
	slices.SortStableFunc(rows, func(a, b fairlearnRow) int {
		return cmp.Or(cmp.Compare(a.metric, b.metric), cmp.Compare(a.rank, b.rank), cmp.Compare(a.group, b.group))
	})
	for _, r := range rows {
		c.add(r.name, r.value)
	}
	return nil
}

// byMetric returns by_group keyed by metric. pandas writes a DataFrame of
// groups (rows) and metrics (columns) that way by default; written the
// other way round (to_dict(orient="index")), the groups are turned back,
// recognised by every inner key being a metric of overall.
func byMetric(byGroup map[string]any, metrics map[string]bool) map[string]any {
	if len(metrics) == 0 || len(byGroup) == 0 {
		return byGroup
	}
	for k, v := range byGroup {
		inner, isObject := v.(map[string]any)
		if metrics[k] || !isObject || len(inner) == 0 {
			return byGroup
		}
		for m := range inner {
			if !metrics[m] {
				return byGroup
			}
		}
	}
	out := map[string]any{}
	for g, v := range byGroup {
		for m, x := range v.(map[string]any) {
			if out[m] == nil {
				out[m] = map[string]any{}
			}
			out[m].(map[string]any)[g] = x
		}
	}
	return out
}

// groupName names a metric's value in one group: accuracy[sex=female].
func groupName(metric, feature, group string) string {
	if feature != "" {
		return metric + "[" + feature + "=" + group + "]"
	}
	return metric + "[" + group + "]"
}

// aggregateName names a metric's difference, ratio, minimum or maximum
// over groups: accuracy difference (sex).
func aggregateName(metric, word, feature string) string {
	if feature != "" {
		return metric + " " + word + " (" + feature + ")"
	}
	return metric + " " + word
}

// parseEvidently reads an Evidently report's JSON (report.json(),
// as_dict(), or a run's dict() and json()): a list "metrics" whose items
// are either {"metric_id": "ValueDrift(column=age)", "value": …} (Evidently
// 0.6 and later) or {"metric": "ColumnDriftMetric", "result": {…}} (0.4
// and 0.5). Numbers are kept, true and false become 1 and 0, text and
// lists (distributions, histograms) are left out.
func parseEvidently(c *collector, v any) error {
	obj, _ := v.(map[string]any)
	metrics, ok := obj["metrics"].([]any)
	if !ok {
		return reportProblem(c.format, `must be a report's JSON: an object with a list "metrics", as report.json() or as_dict() writes it`)
	}
	for i, m := range metrics {
		item, ok := m.(map[string]any)
		if !ok {
			return reportProblem(c.format, "metrics[%d] is %s, not an object", i, describe(m))
		}
		if len(item) == 0 {
			continue // a metric without a result
		}
		if id, ok := item["metric_id"].(string); ok {
			c.flatten(id, item["value"])
			continue
		}
		if name, ok := item["metric"].(string); ok {
			prefix := name
			if res, isObject := item["result"].(map[string]any); isObject {
				if col, ok := res["column_name"].(string); ok && col != "" {
					prefix += "[" + col + "]"
				}
			}
			c.flatten(prefix, item["result"])
			continue
		}
		return reportProblem(c.format, `metrics[%d] has neither "metric_id" (Evidently 0.6 and later) nor "metric" (Evidently 0.4 and 0.5)`, i)
	}
	return nil
}

// flatten records every number under v, named by its path from prefix:
// prefix.key.key, with [column] for an object that describes a column.
func (c *collector) flatten(prefix string, v any) {
	switch x := v.(type) {
	case json.Number:
		if f, _, err := numberOf(x); err == nil {
			c.add(prefix, f)
		}
	case bool:
		f := 0.0
		if x {
			f = 1
		}
		c.add(prefix+" (1 = true)", f)
	case map[string]any:
		for _, k := range sortedKeys(x) {
			child := x[k]
			if o, isObject := child.(map[string]any); isObject && o["column_name"] == k {
				c.flatten(prefix+"["+k+"]", child)
				continue
			}
			c.flatten(prefix+"."+k, child)
		}
	}
}

// mlflowLatest is the newest value of a metric in a run's history.
type mlflowLatest struct {
	value, step, timestamp float64
}

// parseMLflow reads a run as MLflow's REST API gives it ({"run": {"data":
// {"metrics": [{"key", "value", "step", "timestamp"}]}}}, where the latest
// step of each key wins), as `mlflow runs describe` prints it ({"data":
// {"metrics": {"accuracy": 0.91}}}), or plain metrics: {"metrics":
// {"accuracy": 0.91}} or {"accuracy": 0.91}.
func parseMLflow(c *collector, v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return reportProblem(c.format, `must be a JSON object: a run, {"metrics": {"accuracy": 0.91}} or {"accuracy": 0.91}; not %s`, describe(v))
	}
	if _, ok := obj["runs"]; ok {
		return reportProblem(c.format, "holds a list of runs; export one run (mlflow runs describe --run-id ID)")
	}
	if run, ok := obj["run"].(map[string]any); ok {
		obj = run
	}
	var metrics any
	place := "metrics"
	if data, ok := obj["data"].(map[string]any); ok {
		if metrics, ok = data["metrics"]; !ok {
			return reportProblem(c.format, "the run's data has no metrics")
		}
		place = "data.metrics"
	} else if m, ok := obj["metrics"]; ok {
		metrics = m
	} else {
		metrics, place = obj, ""
	}
	switch x := metrics.(type) {
	case []any:
		return c.mlflowHistory(place, x)
	case map[string]any:
		for _, k := range sortedKeys(x) {
			at := k
			if place != "" {
				at = place + "." + k
			}
			val, err := c.metricValue(at, x[k])
			if err != nil {
				return err
			}
			if val != nil {
				c.add(k, *val)
			}
		}
		return nil
	}
	return reportProblem(c.format, "%s is %s; want an object of names and values or a list of metrics", place, describe(metrics))
}

// mlflowHistory reads a list of logged metric values; of each key, the
// value of the latest step, and within a step the latest timestamp, wins.
func (c *collector) mlflowHistory(place string, list []any) error {
	latest := map[string]mlflowLatest{}
	for i, e := range list {
		at := fmt.Sprintf("%s[%d]", place, i)
		o, ok := e.(map[string]any)
		if !ok {
			return reportProblem(c.format, "%s is %s, not an object with key and value", at, describe(e))
		}
		key, ok := o["key"].(string)
		if !ok || strings.TrimSpace(key) == "" {
			return reportProblem(c.format, "%s has no key naming the metric", at)
		}
		raw, ok := o["value"]
		if !ok {
			return reportProblem(c.format, "%s (%s) has no value", at, key)
		}
		val, err := c.metricValue(at+" ("+key+")", raw)
		if err != nil {
			return err
		}
		if val == nil {
			continue
		}
		now := mlflowLatest{value: *val, step: orderNumber(o["step"]), timestamp: orderNumber(o["timestamp"])}
		if prev, seen := latest[key]; !seen || now.step > prev.step || (now.step == prev.step && now.timestamp >= prev.timestamp) {
			latest[key] = now
		}
	}
	keys := make([]string, 0, len(latest))
	for k := range latest {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.add(k, latest[k].value)
	}
	return nil
}

// orderNumber reads a step or timestamp, which MLflow writes as a number
// or, as protobuf's JSON does for 64-bit integers, as a string; 0 when absent.
func orderNumber(v any) float64 {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	default:
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0
	}
	return f
}
