package monitor

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/metric"
)

// Report computes a system's performance, fairness and drift over a range
// from the statistics its decision log keeps: three reads of per-window
// counts, whatever the number of decisions.
func (s *Service) Report(ctx context.Context, actor *aims.Actor, systemRef string, q ReportQuery) (*Report, error) {
	sys, err := s.system(ctx, actor, identity.ActRead, systemRef)
	if err != nil {
		return nil, err
	}
	var p aims.Problems
	if q.Window == "" {
		q.Window = WindowDay
	}
	length := windowLength(q.Window)
	if length == 0 {
		p.Add("window", "must be hour, day or week")
	}
	from, to := q.From.UTC().Truncate(time.Hour), q.To.UTC().Truncate(time.Hour)
	if q.From.IsZero() || q.To.IsZero() {
		p.Add("from", "give the range: from and to")
	} else if !to.After(from) {
		p.Add("to", "must be at least an hour after from")
	} else if length > 0 && to.Sub(from)/length > 5000 {
		p.Add("window", "makes more than 5,000 windows: choose a longer window or a shorter range")
	}
	refFrom, refTo := from.Add(-to.Sub(from)), from
	if q.ReferenceFrom != nil || q.ReferenceTo != nil {
		if q.ReferenceFrom == nil || q.ReferenceTo == nil {
			p.Add("reference_from", "give both ends of the reference range, or neither")
		} else {
			refFrom, refTo = q.ReferenceFrom.UTC().Truncate(time.Hour), q.ReferenceTo.UTC().Truncate(time.Hour)
			if !refTo.After(refFrom) {
				p.Add("reference_to", "must be at least an hour after reference_from")
			}
		}
	}
	var prof *Profile
	if q.ReferenceDataset != "" {
		if q.ReferenceFrom != nil || q.ReferenceTo != nil {
			p.Add("reference_dataset", "give a reference range or a data set version, not both")
		} else if pr, err := s.profiles.Profile(ctx, actor.OrgID, strings.TrimSpace(q.ReferenceDataset)); err == nil {
			prof = pr
		} else if aims.CodeOf(err) == aims.CodeNotFound || aims.CodeOf(err) == aims.CodeInvalid {
			p.Add("reference_dataset", "names no profiled data set version")
		} else {
			return nil, err
		}
	}
	var modelID, modelKey string
	if q.ModelVersion != "" {
		id, key, err := s.models.Resolve(ctx, actor.OrgID, sys.ID, q.ModelVersion)
		switch {
		case err == nil:
			modelID, modelKey = id, key
		case aims.CodeOf(err) == aims.CodeNotFound || aims.CodeOf(err) == aims.CodeInvalid:
			p.Add("model_version", "names no model version of %s", sys.Ref)
		default:
			return nil, err
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	st, err := settingsOf(ctx, s.db, actor.OrgID, sys)
	if err != nil {
		return nil, err
	}
	cur, err := s.stats.SystemStats(ctx, actor.OrgID, sys.ID, StatsQuery{From: from, To: to, ModelVersionID: modelID, Inputs: true})
	if err != nil {
		return nil, err
	}
	ref, err := s.stats.SystemStats(ctx, actor.OrgID, sys.ID, StatsQuery{From: refFrom, To: refTo, ModelVersionID: modelID, Inputs: true})
	if err != nil {
		return nil, err
	}
	series, err := s.stats.SystemStats(ctx, actor.OrgID, sys.ID, StatsQuery{From: from, To: to, Window: length, ModelVersionID: modelID})
	if err != nil {
		return nil, err
	}
	r := &Report{System: sys.Ref, SystemName: sys.Name, From: from, To: to, Window: q.Window, ModelVersion: modelKey,
		ReferenceFrom: refFrom, ReferenceTo: refTo, Settings: *st}
	if r.Performance, err = s.performance(ctx, actor.OrgID, cur, st); err != nil {
		return nil, err
	}
	r.Fairness = fairness(cells(cur.Counts, st, nil), st.Positive != "")
	if prof != nil {
		r.ReferenceDataset, r.ReferenceFrom, r.ReferenceTo = prof.Key, time.Time{}, time.Time{}
		r.Drift = profileDrifts(prof, cur)
	} else {
		r.Drift = drifts(ref, cur)
	}
	r.Series, r.Groups = seriesOf(series, st, from, to, length)
	if r.Monitors, err = s.query(ctx, s.db, actor.OrgID, `AND m.system_id = ? ORDER BY m.archived_at IS NOT NULL, m.created_at, m.ref`, sys.ID); err != nil {
		return nil, err
	}
	if r.Alerts, err = s.alerts(ctx, actor.OrgID, ` AND m.system_id = ? AND a.win_start >= ? AND a.win_start < ? ORDER BY a.win_start`,
		sys.ID, from, to); err != nil {
		return nil, err
	}
	return r, nil
}

// performance measures every model version together, then each version.
func (s *Service) performance(ctx context.Context, orgID string, cur *Stats, st *Settings) ([]Performance, error) {
	var ids []string
	for _, c := range cur.Counts {
		if c.Feature == "" && !slices.Contains(ids, c.ModelVersionID) {
			ids = append(ids, c.ModelVersionID)
		}
	}
	sort.Strings(ids)
	keys, err := s.models.Keys(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := []Performance{performanceOf("", "", cur, st)}
	if len(ids) > 1 {
		for _, id := range ids {
			out = append(out, performanceOf(id, keys[id], cur, st))
		}
	}
	return out, nil
}

// performanceOf measures one model version, or every one when id is empty.
func performanceOf(id, key string, cur *Stats, st *Settings) Performance {
	c := cells(cur.Counts, st, func(c *Count) bool { return c.Feature == "" && (id == "" || c.ModelVersionID == id) })[groupKey{}]
	if c == nil {
		c = &cell{}
	}
	p := Performance{ModelVersionID: id, ModelVersion: key, N: c.n, Labelled: c.labelled(), Calibration: []CalibrationBin{}}
	if st.Positive != "" {
		p.SelectionRate = value(c.selectionRate())
	}
	if c.labelled() > 0 && st.Positive != "" {
		p.Accuracy, p.Precision, p.Recall, p.FPR = value(c.conf.Accuracy()), value(c.conf.Precision()), value(c.conf.TPR()), value(c.conf.FPR())
	}
	h, n, unit := scoreHistogram(cur.Scores, st, func(s *ScoreCount) bool { return id == "" || s.ModelVersionID == id })
	if n > 0 && st.positiveOutcome() != "" {
		p.AUC = value(metric.AUC(h))
		if unit {
			bins, ece := metric.Calibration(h, 10)
			p.ECE = value(ece)
			for _, b := range bins {
				p.Calibration = append(p.Calibration, CalibrationBin(b))
			}
		}
	}
	return p
}

// rates are a cell's rates as a report shows them.
func rates(name string, c *cell, positive bool) GroupRates {
	g := GroupRates{Group: name, N: c.n, Labelled: c.labelled()}
	if positive {
		g.SelectionRate = value(c.selectionRate())
		if c.labelled() > 0 {
			g.TPR, g.FPR, g.Accuracy = value(c.conf.TPR()), value(c.conf.FPR()), value(c.conf.Accuracy())
		}
	}
	return g
}

// fairness compares the groups of every sensitive feature.
func fairness(cs map[groupKey]*cell, positive bool) []Fairness {
	out := []Fairness{}
	for _, f := range features(cs) {
		groups := groupsOf(cs, f, 1, false)
		fr := Fairness{Feature: f, Groups: []GroupRates{}, Disparities: []Disparity{}}
		var all cell
		for _, g := range groups {
			c := cs[groupKey{f, g}]
			fr.Groups = append(fr.Groups, rates(g, c, positive))
			all.n, all.selected, all.conf = all.n+c.n, all.selected+c.selected, all.conf.Add(c.conf)
		}
		fr.Overall = rates("", &all, positive)
		if positive && len(groups) > 1 {
			sel := frame(cs, f, groups, true)
			lab := frame(cs, f, groupsOf(cs, f, 1, true), false)
			for _, name := range fairnessMetrics {
				for _, m := range []metric.Method{metric.BetweenGroups, metric.ToOverall} {
					aggs := []metric.Agg{""}
					if name == MetricEODifference || name == MetricEORatio {
						aggs = []metric.Agg{metric.WorstCase, metric.Mean}
					}
					for _, a := range aggs {
						fr.Disparities = append(fr.Disparities, Disparity{Metric: name, Method: string(m), Agg: string(a),
							Value: value(disparity(name, sel, lab, m, a))})
					}
				}
			}
			ratio, adverse := sel.FourFifths()
			fr.FourFifths, fr.FourFifthsAdverse = value(ratio), adverse && !math.IsNaN(ratio)
		}
		out = append(out, fr)
	}
	return out
}

// drifts measures every input and the output against the reference,
// largest PSI first.
func drifts(ref, cur *Stats) []Drift {
	rd, cd := distributions(ref, nil), distributions(cur, nil)
	out := []Drift{}
	for f, c := range cd {
		r := rd[f]
		if r == nil || r.n == 0 || c.n == 0 {
			continue
		}
		d := Drift{Feature: f, Kind: "categorical"}
		methods := []string{metric.MethodPSI, metric.MethodJensenShannon, metric.MethodChiSquare}
		if r.numeric() && c.numeric() {
			d.Kind = "numeric"
			methods[2] = metric.MethodKS
		}
		for _, m := range methods {
			if res, ok := drift(r, c, m); ok {
				d.add(res)
			}
		}
		out = append(out, d)
	}
	rankDrifts(out)
	return out
}

// profileDrifts measures every input that is a column of the profile
// against it, largest PSI first.
func profileDrifts(prof *Profile, cur *Stats) []Drift {
	out := []Drift{}
	for f, c := range distributions(cur, nil) {
		col, ok := prof.Columns[f]
		if !ok || c.n == 0 {
			continue
		}
		d := Drift{Feature: f, Kind: "categorical"}
		if len(col.Bins) > 0 {
			d.Kind = "numeric"
		}
		for _, m := range []string{metric.MethodPSI, metric.MethodJensenShannon, metric.MethodChiSquare} {
			if res, ok := profileDrift(col, c, m); ok {
				d.add(res)
			}
		}
		out = append(out, d)
	}
	rankDrifts(out)
	return out
}

// add appends a measure unless it is undefined; a PSI of 0.1 or more marks drift.
func (d *Drift) add(res metric.Result) {
	dm := DriftMeasure{Method: res.Method, Value: res.Value, PValue: res.PValue, Binning: res.Binning, Edges: res.Edges,
		Categories: res.Categories, Epsilon: res.Epsilon, EpsilonCur: res.EpsilonCur, LogBase: res.LogBase, DF: res.DF, NRef: res.NRef, NCur: res.NCur}
	if math.IsNaN(dm.Value) || math.IsInf(dm.Value, 0) {
		return
	}
	if res.Method == metric.MethodPSI && dm.Value >= 0.1 {
		d.Drifted = true
	}
	d.Measures = append(d.Measures, dm)
}

// rankDrifts orders drifts by PSI, largest first, then by feature.
func rankDrifts(out []Drift) {
	psi := func(d Drift) float64 {
		for _, m := range d.Measures {
			if m.Method == metric.MethodPSI {
				return m.Value
			}
		}
		return -1
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := psi(out[i]), psi(out[j]); a != b {
			return a > b
		}
		return out[i].Feature < out[j].Feature
	})
}

// seriesOf computes the headline rates and every group's rates window by window.
func seriesOf(s *Stats, st *Settings, from, to time.Time, length time.Duration) ([]Point, []GroupSeries) {
	byWindow := split(s)
	points := []Point{}
	groups := map[groupKey]*GroupSeries{}
	positive := st.Positive != ""
	for w := windowStartFor(from, length); w.Before(to); w = w.Add(length) {
		cur := byWindow[w.Unix()]
		if cur == nil {
			cur = &Stats{}
		}
		cs := cells(cur.Counts, st, nil)
		all := cs[groupKey{}]
		if all == nil {
			all = &cell{}
		}
		pt := Point{Window: w, N: all.n, Labelled: all.labelled()}
		if positive {
			pt.SelectionRate = value(all.selectionRate())
			if all.labelled() > 0 {
				pt.Accuracy, pt.Recall, pt.FPR = value(all.conf.Accuracy()), value(all.conf.TPR()), value(all.conf.FPR())
			}
		}
		points = append(points, pt)
		for k, c := range cs {
			if k.feature == "" {
				continue
			}
			g := groups[k]
			if g == nil {
				g = &GroupSeries{Feature: k.feature, Group: k.group}
				groups[k] = g
			}
			gp := GroupPoint{Window: w, N: c.n}
			if positive {
				gp.SelectionRate = value(c.selectionRate())
				if c.labelled() > 0 {
					gp.TPR, gp.FPR = value(c.conf.TPR()), value(c.conf.FPR())
				}
			}
			g.Points = append(g.Points, gp)
		}
	}
	out := make([]GroupSeries, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Feature != out[j].Feature {
			return out[i].Feature < out[j].Feature
		}
		return out[i].Group < out[j].Group
	})
	return points, out
}

// windowStartFor returns the start of the window of the given length that t falls in.
func windowStartFor(t time.Time, length time.Duration) time.Time {
	switch length {
	case time.Hour:
		return windowStart(t, WindowHour)
	case 24 * time.Hour:
		return windowStart(t, WindowDay)
	}
	return windowStart(t, WindowWeek)
}
