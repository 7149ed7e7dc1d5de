package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/monitor"
)

// loan is one decision of the monitoring tests and the outcome learnt
// later: approve or deny, repaid or defaulted.
type loan struct {
	model, sex, region string
	approve, repaid    bool
	score              float64
}

// loanBase is the first of the days of loanDays: a week ago, so that every
// window up to yesterday is due and a monitor judges the same windows
// whenever the test runs.
var loanBase = time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -7)

// day is the date of loanBase and the days after it, as the API takes it.
func day(i int) string { return loanBase.AddDate(0, 0, i).Format(time.DateOnly) }

// loanDays are three days of decisions of SYS-1. On the first, version
// 1.4.0 approves 60% of women and 80% of men (a four-fifths ratio of 0.75)
// with accuracy 0.7, and version 2.0.0 decides twice; on the second
// accuracy falls to 0.3; on the third every decision is right but women are
// approved at a quarter of the rate of men.
var loanDays = []struct {
	day   time.Time
	loans []loan
}{
	{loanBase, []loan{
		{"1.4.0", "female", "A", true, true, 0.9}, {"1.4.0", "female", "A", true, false, 0.7}, {"1.4.0", "female", "A", true, true, 0.8},
		{"1.4.0", "female", "B", false, true, 0.4}, {"1.4.0", "female", "B", false, false, 0.2},
		{"1.4.0", "male", "A", true, true, 0.9}, {"1.4.0", "male", "A", true, true, 0.6}, {"1.4.0", "male", "B", true, true, 0.7},
		{"1.4.0", "male", "B", true, false, 0.6}, {"1.4.0", "male", "B", false, false, 0.1},
		{"2.0.0", "female", "A", true, true, 0.8}, {"2.0.0", "male", "B", false, true, 0.3},
	}},
	{loanBase.AddDate(0, 0, 1), []loan{
		{"1.4.0", "female", "A", true, false, 0.8}, {"1.4.0", "female", "A", true, false, 0.7}, {"1.4.0", "female", "A", false, true, 0.3},
		{"1.4.0", "female", "A", false, true, 0.4}, {"1.4.0", "female", "B", true, true, 0.9},
		{"1.4.0", "male", "A", true, true, 0.6}, {"1.4.0", "male", "A", false, true, 0.2}, {"1.4.0", "male", "A", true, false, 0.9},
		{"1.4.0", "male", "A", false, false, 0.1}, {"1.4.0", "male", "A", false, true, 0.3},
	}},
	{loanBase.AddDate(0, 0, 2), []loan{
		{"1.4.0", "female", "A", true, true, 0.9}, {"1.4.0", "female", "A", false, false, 0.2}, {"1.4.0", "female", "B", false, false, 0.1},
		{"1.4.0", "female", "B", false, false, 0.3}, {"1.4.0", "female", "A", false, false, 0.2},
		{"1.4.0", "male", "A", true, true, 0.8}, {"1.4.0", "male", "B", true, true, 0.9}, {"1.4.0", "male", "A", true, true, 0.7},
		{"1.4.0", "male", "B", true, true, 0.6}, {"1.4.0", "male", "A", false, false, 0.4},
	}},
}

// recordLoans records loanDays in SYS-1 with their outcomes.
func recordLoans(t *testing.T, w *world) {
	t.Helper()
	var recs []decision.Record
	var outs []decision.OutcomeInput
	for d, day := range loanDays {
		for i, l := range day.loans {
			id := fmt.Sprintf("loan-%d-%d", d, i)
			score := l.score
			r := decision.Record{ID: id, Time: day.day.Add(time.Duration(9*60+i) * time.Minute), Model: l.model,
				Inputs: json.RawMessage(fmt.Sprintf(`{"region":%q,"income":%d}`, l.region, 1000+100*i)),
				Output: decision.Output{Label: "deny", Score: &score}, Sensitive: map[string]string{"sex": l.sex}}
			if l.approve {
				r.Output.Label = "approve"
			}
			recs = append(recs, r)
			o := decision.OutcomeInput{ID: "out-" + id, Decision: id, Label: "defaulted", Time: day.day.Add(20 * time.Hour)}
			if l.repaid {
				o.Label = "repaid"
			}
			outs = append(outs, o)
		}
	}
	for _, c := range []struct {
		path string
		body any
	}{{"/api/v1/systems/SYS-1/decisions", recs}, {"/api/v1/systems/SYS-1/outcomes", outs}} {
		if r := w.call(t, "owner", "POST", c.path, asArray(t, c.body)); r.status != 200 {
			t.Fatalf("POST %s = %d %s", c.path, r.status, r.body)
		}
	}
}

// confusion counts approvals against repayments.
type confusion struct{ tp, fp, fn, tn float64 }

func confusionOf(loans []loan) confusion {
	var c confusion
	for _, l := range loans {
		switch {
		case l.approve && l.repaid:
			c.tp++
		case l.approve:
			c.fp++
		case l.repaid:
			c.fn++
		default:
			c.tn++
		}
	}
	return c
}

func (c confusion) n() float64         { return c.tp + c.fp + c.fn + c.tn }
func (c confusion) accuracy() float64  { return (c.tp + c.tn) / c.n() }
func (c confusion) precision() float64 { return sklearnRate(c.tp, c.tp+c.fp) }
func (c confusion) recall() float64    { return sklearnRate(c.tp, c.tp+c.fn) }
func (c confusion) fpr() float64       { return sklearnRate(c.fp, c.fp+c.tn) }

// sklearnRate is num/den, or 0 when den is 0 as scikit-learn (and so fairlearn) answers.
func sklearnRate(num, den float64) float64 {
	if den == 0 {
		return 0
	}
	return num / den
}
func (c confusion) selectionRate() float64 { return (c.tp + c.fp) / c.n() }

// loansOf keeps the loans of a day that match.
func loansOf(day int, keep func(loan) bool) []loan {
	var out []loan
	for _, l := range loanDays[day].loans {
		if keep(l) {
			out = append(out, l)
		}
	}
	return out
}

// aucOf is the probability that a repaid loan scores above a defaulted one, ties counting half (Mann–Whitney).
func aucOf(loans []loan) float64 {
	var pairs, wins float64
	for _, p := range loans {
		for _, n := range loans {
			if !p.repaid || n.repaid {
				continue
			}
			pairs++
			switch {
			case p.score > n.score:
				wins++
			case p.score == n.score:
				wins += 0.5
			}
		}
	}
	return wins / pairs
}

// near fails unless got is a value within 1e-9 of want, or null when want is NaN (undefined).
func near(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if math.IsNaN(want) {
		if got != nil {
			t.Errorf("%s = %s, want null", what, show(got))
		}
		return
	}
	if got == nil || math.Abs(*got-want) > 1e-9 {
		t.Errorf("%s = %s, want %.6f", what, show(got), want)
	}
}

func show(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

func any14(l loan) bool  { return l.model == "1.4.0" }
func anyLoan(loan) bool  { return true }
func female(l loan) bool { return l.model == "1.4.0" && l.sex == "female" }
func male(l loan) bool   { return l.model == "1.4.0" && l.sex == "male" }

// TestMonitoringEndpoints sets a system's monitoring up as each kind of
// caller, reads its report and checks the numbers against counts made
// here from the decisions sent, then judges monitors, raising, recovering
// and linking alerts to incidents.
func TestMonitoringEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, w *world) {
		decisionSetup(t, w)
		recordLoans(t, w)
		const settings = "/api/v1/systems/SYS-1/monitoring/settings"
		const report = "/api/v1/systems/SYS-1/monitoring/report"
		w.runTyped(t, []dstep{
			{step: step{name: "anonymous settings", who: "none", method: "GET", path: settings, status: 401}},
			{step: step{name: "settings before any", who: "viewer", method: "GET", path: settings, status: 200,
				has: []string{`"system":"SYS-1"`, `"positive":""`, `"version":0`}}},
			{step: step{name: "another organisation's settings", who: "globex", method: "GET", path: settings, status: 404}},
			{step: step{name: "unknown system", who: "owner", method: "GET", path: "/api/v1/systems/SYS-9/monitoring/settings", status: 404}},
			{step: step{name: "viewer sets", who: "viewer", method: "PUT", path: settings, body: `{"positive":"approve"}`, status: 403}},
			{step: step{name: "auditor sets", who: "auditor", method: "PUT", path: settings, body: `{"positive":"approve"}`, status: 403}},
			{step: step{name: "another organisation sets", who: "globex", method: "PUT", path: settings, body: `{"positive":"approve"}`, status: 404}},
			{step: step{name: "no positive label", who: "contributor", method: "PUT", path: settings, body: `{"positive_outcome":"repaid"}`,
				status: 422, fields: []string{"body.positive"}}},
			{step: step{name: "blank positive label", who: "contributor", method: "PUT", path: settings, body: `{"positive":"  "}`,
				status: 422, fields: []string{"body.positive"}}},
			{step: step{name: "set", who: "contributor", method: "PUT", path: settings, body: `{"positive":"approve","positive_outcome":"repaid"}`,
				status: 200, has: []string{`"positive":"approve"`, `"positive_outcome":"repaid"`, `"version":1`}, actions: []string{"monitor_settings.set"}}},
			{step: step{name: "settings as auditor", who: "auditor", method: "GET", path: settings, status: 200, has: []string{`"positive_outcome":"repaid"`}}},

			{step: step{name: "anonymous report", who: "none", method: "GET", path: report, status: 401}},
			{step: step{name: "another organisation's report", who: "globex", method: "GET", path: report, status: 404}},
			{step: step{name: "bad times", who: "viewer", method: "GET", path: report + "?from=yesterday&to=2026-13-01&reference_from=x", status: 422,
				fields: []string{"query.from", "query.to", "query.reference_from"}}},
			{step: step{name: "times out of range", who: "viewer", method: "GET", path: report + "?from=0001-01-01&to=9999-12-31T00:00:00%2B01:00", status: 422,
				fields: []string{"query.from"}, has: []string{"between 1970 and 9999"}}},
			{step: step{name: "bad window", who: "viewer", method: "GET", path: report + "?window=month", status: 422, fields: []string{"query.window"}}},
			{step: step{name: "unknown model version", who: "viewer", method: "GET", path: report + "?model_version=MDL-9@1", status: 422,
				fields: []string{"query.model_version"}}},
			{step: step{name: "unknown reference data set", who: "viewer", method: "GET", path: report + "?reference_dataset=DS-9@1", status: 422,
				fields: []string{"query.reference_dataset"}}},
			{step: step{name: "range backwards", who: "viewer", method: "GET", path: report + "?from=2026-03-02&to=2026-03-01", status: 422,
				fields: []string{"query.to"}}},
			{step: step{name: "default range", who: "viewer", method: "GET", path: report, status: 200, has: []string{`"system":"SYS-1"`, `"window":"day"`}}},
		})

		// Left out, the range is the 30 days up to the end of today (UTC), and to is the end of today.
		tomorrow := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
		for path, from := range map[string]time.Time{report: tomorrow.AddDate(0, 0, -30), report + "?from=" + day(0): loanBase} {
			if rep := getReport(t, w, path); !rep.From.Equal(from) || !rep.To.Equal(tomorrow) || rep.Window != "day" {
				t.Errorf("%s: %s to %s by %s, want %s to %s by day", path, rep.From, rep.To, rep.Window, from, tomorrow)
			}
		}

		// The report of the first day, every version, then each.
		rep := getReport(t, w, report+"?from="+day(0)+"&to="+day(1)+"&window=hour")
		if !rep.From.Equal(loanDays[0].day) || !rep.To.Equal(loanDays[1].day) || rep.Window != "hour" {
			t.Errorf("range %s–%s by %s", rep.From, rep.To, rep.Window)
		}
		if len(rep.Performance) != 3 || rep.Performance[0].ModelVersion != "" || rep.Performance[1].ModelVersion != "MDL-1@1.4.0" ||
			rep.Performance[2].ModelVersion != "MDL-1@2.0.0" {
			t.Fatalf("performance of %+v", rep.Performance)
		}
		for i, keep := range []func(loan) bool{anyLoan, any14, func(l loan) bool { return l.model == "2.0.0" }} {
			p, loans := rep.Performance[i], loansOf(0, keep)
			c := confusionOf(loans)
			if p.N != int64(len(loans)) || p.Labelled != int64(len(loans)) {
				t.Errorf("%q: n %d labelled %d, want %d", p.ModelVersion, p.N, p.Labelled, len(loans))
			}
			near(t, p.ModelVersion+" selection rate", p.SelectionRate, c.selectionRate())
			near(t, p.ModelVersion+" accuracy", p.Accuracy, c.accuracy())
			near(t, p.ModelVersion+" precision", p.Precision, c.precision())
			near(t, p.ModelVersion+" recall", p.Recall, c.recall())
			near(t, p.ModelVersion+" FPR", p.FPR, c.fpr())
			near(t, p.ModelVersion+" AUC", p.AUC, aucOf(loans))
		}
		near(t, "accuracy of 1.4.0 (by hand)", rep.Performance[1].Accuracy, 0.7)
		// Each of the nine hours from 09:00 holds one decision or none; the first two hours hold them all.
		if len(rep.Series) == 0 {
			t.Errorf("no series")
		}
		var seriesN int64
		for _, p := range rep.Series {
			seriesN += p.N
		}
		if seriesN != 12 {
			t.Errorf("the series counts %d decisions, want 12", seriesN)
		}

		// Fairness of version 1.4.0 on the first day.
		rep = getReport(t, w, report+"?from="+day(0)+"T00:00:00Z&to="+day(1)+"&model_version=MDL-1@1.4.0")
		fair := fairnessOf(t, rep, "sex")
		if fair != nil {
			f, m := confusionOf(loansOf(0, female)), confusionOf(loansOf(0, male))
			groups := map[string]monitor.GroupRates{}
			for _, g := range fair.Groups {
				groups[g.Group] = g
			}
			for name, c := range map[string]confusion{"female": f, "male": m} {
				g := groups[name]
				if g.N != 5 || g.Labelled != 5 {
					t.Errorf("%s: n %d labelled %d, want 5", name, g.N, g.Labelled)
				}
				near(t, name+" selection rate", g.SelectionRate, c.selectionRate())
				near(t, name+" TPR", g.TPR, c.recall())
				near(t, name+" FPR", g.FPR, c.fpr())
			}
			want := map[string]float64{
				"demographic_parity_difference/between_groups": math.Abs(f.selectionRate() - m.selectionRate()),
				"demographic_parity_ratio/between_groups":      f.selectionRate() / m.selectionRate(),
				"equal_opportunity_difference/between_groups":  math.Abs(f.recall() - m.recall()),
				"equal_opportunity_ratio/between_groups":       f.recall() / m.recall(),
				"equalized_odds_difference/between_groups":     math.Max(math.Abs(f.recall()-m.recall()), math.Abs(f.fpr()-m.fpr())),
			}
			seen := map[string]bool{}
			for _, d := range fair.Disparities {
				key := d.Metric + "/" + d.Method
				if v, ok := want[key]; ok && (d.Agg == "" || d.Agg == "worst_case") {
					near(t, key, d.Value, v)
					seen[key] = true
				}
			}
			for key := range want {
				if !seen[key] {
					t.Errorf("no disparity %s in %+v", key, fair.Disparities)
				}
			}
			near(t, "four-fifths ratio", fair.FourFifths, 0.75)
			if !fair.FourFifthsAdverse {
				t.Errorf("a four-fifths ratio of 0.75 is not marked adverse")
			}
		}

		// Drift of the second day against the first, the day before by default.
		rep = getReport(t, w, report+"?from="+day(1)+"&to="+day(2))
		if !rep.ReferenceFrom.Equal(loanDays[0].day) || !rep.ReferenceTo.Equal(loanDays[1].day) {
			t.Errorf("reference %s–%s, want the day before", rep.ReferenceFrom, rep.ReferenceTo)
		}
		for i := 1; i < len(rep.Drift); i++ {
			if psiOf(rep.Drift[i-1]) < psiOf(rep.Drift[i]) {
				t.Errorf("drift not ranked by PSI: %s %g before %s %g", rep.Drift[i-1].Feature, psiOf(rep.Drift[i-1]),
					rep.Drift[i].Feature, psiOf(rep.Drift[i]))
			}
		}
		region := false
		for _, d := range rep.Drift {
			if d.Feature != "region" {
				continue
			}
			region = true
			refShare := share(loanDays[0].loans, func(l loan) string { return l.region })
			curShare := share(loanDays[1].loans, func(l loan) string { return l.region })
			var psi, js float64
			for k, r := range refShare {
				c := curShare[k]
				psi += (c - r) * math.Log(c/r)
				m := (r + c) / 2
				js += (r*math.Log(r/m) + c*math.Log(c/m)) / 2
			}
			for _, x := range d.Measures {
				switch x.Method {
				case "psi":
					near(t, "PSI of region", &x.Value, psi)
				case "jensen_shannon":
					if x.LogBase == 0 || x.LogBase == math.E {
						near(t, "Jensen–Shannon distance of region", &x.Value, math.Sqrt(js))
					}
				}
			}
			if d.Kind != "categorical" || d.Drifted != (psi >= 0.1) {
				t.Errorf("region: kind %s, drifted %v; PSI %g", d.Kind, d.Drifted, psi)
			}
		}
		if !region {
			t.Errorf("no drift of region in %+v", rep.Drift)
		}

		// Drift of the second day against a data set version whose profile holds region A and B alike.
		w.run(t, []step{
			{name: "a data set", who: "owner", method: "POST", path: "/api/v1/datasets", body: `{"name":"Applications"}`, status: 201,
				actions: []string{"dataset.create"}},
			{name: "a version", who: "owner", method: "POST", path: "/api/v1/datasets/DS-1/versions", body: censusVersion, status: 201,
				actions: []string{"dataset_version.create"}},
		})
		csv := "region,income\n" + strings.Repeat("A,1000\nB,2000\n", 50)
		if r := w.upload(t, "owner", "/api/v1/datasets/DS-1/versions/1/profile", nil, "applications.csv", strings.NewReader(csv)); r.status != 200 {
			t.Fatalf("profile upload = %d %s", r.status, r.body)
		}
		rep = getReport(t, w, report+"?from="+day(1)+"&to="+day(2)+"&reference_dataset=DS-1@1")
		if rep.ReferenceDataset != "DS-1@1" {
			t.Errorf("reference data set %q", rep.ReferenceDataset)
		}
		cur := share(loanDays[1].loans, func(l loan) string { return l.region })
		psi := (cur["A"]-0.5)*math.Log(cur["A"]/0.5) + (cur["B"]-0.5)*math.Log(cur["B"]/0.5)
		region = false
		for _, d := range rep.Drift {
			if d.Feature == "region" {
				region = true
				near(t, "PSI of region against the profile", ptr(psiOf(d)), psi)
			}
		}
		if !region {
			t.Errorf("no drift of region against the profile in %+v", rep.Drift)
		}

		const monitors = "/api/v1/systems/SYS-1/monitors"
		accuracy := `{"name":"Accuracy","metric":"accuracy","model_version":"MDL-1@1.4.0","window":"day","threshold":0.6,"direction":"below",` +
			`"min_samples":5,"severity":"medium"}`
		parity := `{"name":"Sex parity","metric":"demographic_parity_ratio","feature":"sex","window":"day","threshold":0.8,"direction":"below","min_samples":5}`
		w.runTyped(t, []dstep{
			{step: step{name: "anonymous add", who: "none", method: "POST", path: monitors, body: accuracy, status: 401}},
			{step: step{name: "viewer adds", who: "viewer", method: "POST", path: monitors, body: accuracy, status: 403}},
			{step: step{name: "auditor adds", who: "auditor", method: "POST", path: monitors, body: accuracy, status: 403}},
			{step: step{name: "another organisation adds", who: "globex", method: "POST", path: monitors, body: accuracy, status: 404}},
			{step: step{name: "schema problems", who: "contributor", method: "POST", path: monitors,
				body: `{"name":"x","metric":"accuracy","window":"month","threshold":0.6,"direction":"sideways","min_samples":-1}`, status: 422,
				fields: []string{"body.window", "body.direction", "body.min_samples"}}},
			{step: step{name: "an unknown metric", who: "contributor", method: "POST", path: monitors,
				body: `{"name":"Loud","metric":"loudness","window":"day","threshold":0.6,"direction":"below"}`, status: 422,
				fields: []string{"body.metric"}}},
			{step: step{name: "service problems", who: "contributor", method: "POST", path: monitors,
				body:   `{"name":" ","metric":"demographic_parity_ratio","window":"day","threshold":1.7e308,"direction":"below","model_version":"MDL-9@1"}`,
				status: 422, fields: []string{"body.name", "body.feature", "body.threshold", "body.model_version"}}},
			{step: step{name: "no samples", who: "contributor", method: "POST", path: monitors,
				body: `{"name":"Acc","metric":"accuracy","window":"day","threshold":0.6,"direction":"below","min_samples":0}`, status: 422,
				fields: []string{"body.min_samples"}}},
			{step: step{name: "drift without a reference", who: "contributor", method: "POST", path: monitors,
				body: `{"name":"Region","metric":"psi","feature":"region","window":"day","threshold":0.1,"direction":"above"}`, status: 422,
				fields: []string{"body.reference_from"}}},
			{step: step{name: "drift against an unknown data set", who: "contributor", method: "POST", path: monitors,
				body:   `{"name":"Region","metric":"psi","feature":"region","window":"day","threshold":0.1,"direction":"above","reference_dataset":"DS-9@1"}`,
				status: 422, fields: []string{"body.reference_dataset"}}},
			{step: step{name: "add", who: "contributor", method: "POST", path: monitors, body: accuracy, status: 201,
				has: []string{`"ref":"MON-1"`, `"system":"SYS-1"`, `"model_version":"MDL-1@1.4.0"`, `"state":"ok"`, `"min_samples":5`,
					`"severity":"medium"`, `"version":1`, `"archived":false`}, actions: []string{"monitor.create"}}},
			{step: step{name: "manager adds", who: "manager", method: "POST", path: monitors, body: parity, status: 201,
				has: []string{`"ref":"MON-2"`, `"method":"between_groups"`, `"min_samples":5`}, actions: []string{"monitor.create"}}},
			{step: step{name: "owner adds to SYS-2", who: "owner", method: "POST", path: "/api/v1/systems/SYS-2/monitors",
				body: `{"name":"Chat accuracy","metric":"accuracy","window":"week","threshold":0.9,"direction":"below"}`, status: 201,
				has: []string{`"ref":"MON-3"`, `"min_samples":30`}, actions: []string{"monitor.create"}}},

			{step: step{name: "system's monitors", who: "viewer", method: "GET", path: monitors, status: 200,
				has: []string{`"ref":"MON-1"`, `"ref":"MON-2"`}}, lacks: []string{"MON-3"}},
			{step: step{name: "another organisation's system's", who: "globex", method: "GET", path: monitors, status: 404}},
			{step: step{name: "every monitor", who: "auditor", method: "GET", path: "/api/v1/monitors", status: 200,
				has: []string{`"ref":"MON-1"`, `"ref":"MON-2"`, `"ref":"MON-3"`}}},
			{step: step{name: "one system's", who: "viewer", method: "GET", path: "/api/v1/monitors?system=SYS-2", status: 200,
				has: []string{`"ref":"MON-3"`}}, lacks: []string{"MON-1"}},
			{step: step{name: "another organisation lists", who: "globex", method: "GET", path: "/api/v1/monitors", status: 200,
				has: []string{`"items":[]`}}},
			{step: step{name: "get", who: "viewer", method: "GET", path: "/api/v1/monitors/mon-2", status: 200,
				has: []string{`"name":"Sex parity"`, `"feature":"sex"`, `"threshold":0.8`}}},
			{step: step{name: "another organisation gets", who: "globex", method: "GET", path: "/api/v1/monitors/MON-2", status: 404}},
			{step: step{name: "unknown monitor", who: "viewer", method: "GET", path: "/api/v1/monitors/MON-99", status: 404}},

			{step: step{name: "viewer changes", who: "viewer", method: "PUT", path: "/api/v1/monitors/MON-2", body: parityChange(1, 0.7), status: 403}},
			{step: step{name: "change without version", who: "contributor", method: "PUT", path: "/api/v1/monitors/MON-2",
				body:   `{"name":"Sex parity","metric":"demographic_parity_ratio","feature":"sex","window":"day","threshold":0.7,"direction":"below"}`,
				status: 422, fields: []string{"body.version"}}},
			{step: step{name: "change", who: "contributor", method: "PUT", path: "/api/v1/monitors/MON-2", body: parityChange(1, 0.7),
				status: 200, has: []string{`"threshold":0.7`, `"version":2`}, actions: []string{"monitor.update"}}},
			{step: step{name: "stale change", who: "contributor", method: "PUT", path: "/api/v1/monitors/MON-2", body: parityChange(1, 0.9), status: 409}},
			{step: step{name: "another organisation changes", who: "globex", method: "PUT", path: "/api/v1/monitors/MON-2", body: parityChange(2, 0.9),
				status: 404}},

			{step: step{name: "no results yet", who: "viewer", method: "GET", path: "/api/v1/monitors/MON-1/results", status: 200, has: []string{`"items":[]`}}},
			{step: step{name: "viewer evaluates", who: "viewer", method: "POST", path: "/api/v1/monitors/MON-1/evaluate", status: 403}},
			{step: step{name: "another organisation evaluates", who: "globex", method: "POST", path: "/api/v1/monitors/MON-1/evaluate", status: 404}},
			// The first day within the threshold, the second below it (an
			// alert and its incident), the third back above it (recovered).
			{step: step{name: "evaluate", who: "contributor", method: "POST", path: "/api/v1/monitors/MON-1/evaluate", status: 200,
				has:     []string{`"monitor":"MON-1"`, `"breaches":1`, `"recovered":1`, `"window":"` + day(1) + `T00:00:00Z"`, `"incident":"INC-1"`},
				actions: []string{"monitor.evaluate", "monitor_alert.open", "incident.create", "monitor_alert.incident", "monitor_alert.recover"}}},
			{step: step{name: "nothing more is due", who: "contributor", method: "POST", path: "/api/v1/monitors/MON-1/evaluate", status: 200,
				has: []string{`"judged":0`, `"breaches":0`, `"opened":[]`}}},
			// The first day at parity, the second and third below 0.7: one alert, still open.
			{step: step{name: "evaluate parity", who: "manager", method: "POST", path: "/api/v1/monitors/MON-2/evaluate", status: 200,
				has:     []string{`"breaches":2`, `"recovered":0`, `"window":"` + day(1) + `T00:00:00Z"`, `"incident":""`},
				actions: []string{"monitor.evaluate", "monitor_alert.open"}}},
			{step: step{name: "in alert", who: "viewer", method: "GET", path: "/api/v1/monitors/MON-2", status: 200, has: []string{`"state":"alert"`}}},

			{step: step{name: "bad result range", who: "viewer", method: "GET", path: "/api/v1/monitors/MON-1/results?from=soon", status: 422,
				fields: []string{"query.from"}}},
			{step: step{name: "another organisation's results", who: "globex", method: "GET", path: "/api/v1/monitors/MON-1/results", status: 404}},
			{step: step{name: "alerts", who: "viewer", method: "GET", path: "/api/v1/alerts", status: 200,
				has: []string{`"monitor":"MON-1"`, `"incident":"INC-1"`, `"recovery_window":"` + day(2) + `T00:00:00Z"`, `"monitor":"MON-2"`}}},
			{step: step{name: "open alerts", who: "auditor", method: "GET", path: "/api/v1/alerts?open=true", status: 200,
				has: []string{`"monitor":"MON-2"`}}, lacks: []string{"MON-1"}},
			{step: step{name: "alerts of SYS-2", who: "viewer", method: "GET", path: "/api/v1/alerts?system=SYS-2", status: 200, has: []string{`"items":[]`}}},
			{step: step{name: "another organisation's alerts", who: "globex", method: "GET", path: "/api/v1/alerts", status: 200, has: []string{`"items":[]`}}},
			{step: step{name: "the incident", who: "viewer", method: "GET", path: "/api/v1/incidents/INC-1", status: 200,
				has: []string{`"severity":"medium"`, `"SYS-1"`}}},

			{step: step{name: "viewer archives", who: "viewer", method: "POST", path: "/api/v1/monitors/MON-1/archive", status: 403}},
			{step: step{name: "another organisation archives", who: "globex", method: "POST", path: "/api/v1/monitors/MON-1/archive", status: 404}},
			{step: step{name: "archive", who: "contributor", method: "POST", path: "/api/v1/monitors/MON-1/archive", status: 200,
				has: []string{`"archived":true`}, actions: []string{"monitor.archive"}}},
			{step: step{name: "an archived monitor judges nothing", who: "contributor", method: "POST", path: "/api/v1/monitors/MON-1/evaluate", status: 409}},
			{step: step{name: "an archived monitor keeps its results", who: "viewer", method: "GET", path: "/api/v1/monitors/MON-1/results?from=" + day(0) + "&to=" + day(3),
				status: 200, has: []string{`"status":"breach"`}}},
		})

		// The judged windows of the three days, against the accuracy of version 1.4.0 on each day.
		r := w.call(t, "viewer", "GET", "/api/v1/monitors/MON-1/results?from="+day(0)+"&to="+day(3), "")
		var results struct{ Items []monitor.Result }
		if err := json.Unmarshal(r.body, &results); err != nil || len(results.Items) != 3 {
			t.Fatalf("results = %d %s", r.status, r.body)
		}
		for i, res := range results.Items {
			loans := loansOf(i, any14)
			acc := confusionOf(loans).accuracy()
			status := "ok"
			if acc < 0.6 {
				status = "breach"
			}
			if !res.Window.Equal(loanDays[i].day) || res.N != int64(len(loans)) || res.Status != status {
				t.Errorf("result %d: %s n %d %s, want %s n %d %s", i, res.Window, res.N, res.Status, loanDays[i].day, len(loans), status)
			}
			near(t, fmt.Sprintf("accuracy on %s", loanDays[i].day.Format(time.DateOnly)), res.Value, acc)
		}
		// Later windows had no decisions: judged, but not enough to judge by.
		r = w.call(t, "viewer", "GET", "/api/v1/monitors/MON-1/results?from="+day(3)+"&to="+day(6), "")
		results.Items = nil
		if err := json.Unmarshal(r.body, &results); err != nil || len(results.Items) != 3 {
			t.Fatalf("later results = %d %s", r.status, r.body)
		}
		for _, res := range results.Items {
			if res.Status != "insufficient" || res.Value != nil || res.N != 0 {
				t.Errorf("empty window %s: %s %s n %d", res.Window, res.Status, show(res.Value), res.N)
			}
		}
	})
}

// parityChange is the body that changes the threshold of MON-2, a demographic parity monitor.
func parityChange(version int, threshold float64) string {
	return fmt.Sprintf(`{"version":%d,"name":"Sex parity","metric":"demographic_parity_ratio","feature":"sex","window":"day",`+
		`"threshold":%g,"direction":"below","min_samples":5}`, version, threshold)
}

// getReport reads a report as a viewer.
func getReport(t *testing.T, w *world, path string) *monitor.Report {
	t.Helper()
	r := w.call(t, "viewer", "GET", path, "")
	var rep monitor.Report
	if r.status != 200 || json.Unmarshal(r.body, &rep) != nil {
		t.Fatalf("GET %s = %d %s", path, r.status, r.body)
	}
	return &rep
}

// fairnessOf finds the fairness of a feature in a report.
func fairnessOf(t *testing.T, rep *monitor.Report, feature string) *monitor.Fairness {
	t.Helper()
	for i := range rep.Fairness {
		if rep.Fairness[i].Feature == feature {
			return &rep.Fairness[i]
		}
	}
	t.Errorf("no fairness of %s in %+v", feature, rep.Fairness)
	return nil
}

func ptr(v float64) *float64 { return &v }

// psiOf is a drift's PSI.
func psiOf(d monitor.Drift) float64 {
	for _, m := range d.Measures {
		if m.Method == "psi" {
			return m.Value
		}
	}
	return math.NaN()
}

// share is the share of each value among loans.
func share(loans []loan, of func(loan) string) map[string]float64 {
	out := map[string]float64{}
	for _, l := range loans {
		out[of(l)] += 1 / float64(len(loans))
	}
	return out
}
