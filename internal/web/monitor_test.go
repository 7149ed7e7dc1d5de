package web_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/decision"
)

// monitorData is a system's test decisions and what is known of them
// independently of aims: each decision's output and, when reported, outcome.
type monitorData struct {
	Day0     time.Time
	Records  []decision.Record
	Outcomes []decision.OutcomeInput
	// Outcome holds the outcome label of each decision id that has one.
	Outcome map[string]string
}

// monitorDecisions are decisions on seven days ending yesterday, so that
// every day's window is due: 4 on the first day, then 20 a day, 10 about
// women (sex f) and 10 about men (m). Men are approved 6 times in 10 every
// day; women 6 in 10 on days 1–4 and 3 in 10 on days 5 and 6, so a
// demographic parity ratio with a threshold of 0.8 is breached on days 5
// and 6 only, and day 0 is too small to judge with a minimum of 10 samples.
// Days 0–3 are decided by MDL-1@1.0.0, days 4–6 by MDL-1@1.1.0; every
// fifth decision has no outcome yet.
func monitorDecisions() monitorData {
	d := monitorData{Day0: time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -7), Outcome: map[string]string{}}
	n := 0
	add := func(day, j int, sex string, approve bool, k int) {
		at := d.Day0.AddDate(0, 0, day).Add(time.Duration(j)*time.Hour + 30*time.Minute)
		label, score := "deny", 0.1+0.03*float64(k)
		if approve {
			label, score = "approve", 0.6+0.03*float64(k)
		}
		purpose := []string{"car", "home"}[k%2]
		if day >= 4 && k%3 != 0 {
			purpose = "home"
		}
		r := decision.Record{ID: fmt.Sprintf("m-%d", n), Time: at, Model: "MDL-1@1.0.0", Output: decision.Output{Label: label, Score: &score},
			Inputs:    json.RawMessage(fmt.Sprintf(`{"income": %d, "purpose": %q}`, 30000+2000*day+100*k, purpose)),
			Sensitive: map[string]string{"sex": sex}}
		if day >= 4 {
			r.Model = "MDL-1@1.1.0"
		}
		d.Records = append(d.Records, r)
		if n%5 != 4 {
			out := "defaulted"
			if (approve && n%4 != 0) || (!approve && n%3 == 0) {
				out = "repaid"
			}
			d.Outcome[r.ID] = out
			d.Outcomes = append(d.Outcomes, decision.OutcomeInput{Decision: r.ID, Label: out, Time: at.Add(time.Hour)})
		}
		n++
	}
	for j := range 4 {
		add(0, j, []string{"f", "m"}[j%2], j%2 == 0, j)
	}
	for day := 1; day <= 6; day++ {
		women := 6
		if day >= 5 {
			women = 3
		}
		for j := range 20 {
			k := j % 10
			if j < 10 {
				add(day, j, "f", k < women, k)
			} else {
				add(day, j, "m", k < 6, k)
			}
		}
	}
	return d
}

// monitorSystem registers SYS-1 with its model versions and records the decisions and their outcomes.
func (e *env) monitorSystem(d monitorData) {
	e.t.Helper()
	e.decisionSystem(d.Records)
	res, err := e.app.Decisions.RecordOutcomes(e.ctx, e.owner(), "SYS-1", d.Outcomes)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.Accepted != len(d.Outcomes) {
		e.t.Fatalf("%d of %d outcomes recorded", res.Accepted, len(d.Outcomes))
	}
}

// rates are a confusion matrix counted from the test data, approve and repaid being positive.
type rates struct{ n, labelled, selected, tp, fp, fn, tn int }

// count tallies the decisions that satisfy keep.
func (d monitorData) count(keep func(decision.Record) bool) rates {
	var r rates
	for _, x := range d.Records {
		if !keep(x) {
			continue
		}
		r.n++
		pos := x.Output.Label == "approve"
		if pos {
			r.selected++
		}
		out, ok := d.Outcome[x.ID]
		if !ok {
			continue
		}
		r.labelled++
		switch truth := out == "repaid"; {
		case pos && truth:
			r.tp++
		case pos:
			r.fp++
		case truth:
			r.fn++
		default:
			r.tn++
		}
	}
	return r
}

// f3 writes a share with three decimals, as the pages do.
func f3(num, den int) string { return strconv.FormatFloat(float64(num)/float64(den), 'f', 3, 64) }

// cells strips the markup of a table row, leaving its cells' texts joined by |.
func cells(row string) string {
	row = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(row, "|")
	row = regexp.MustCompile(`\s*\|[\s|]*`).ReplaceAllString(row, "|")
	return strings.Trim(row, "|")
}

// tableRows returns the rows of the table with the id, as cell texts.
func tableRows(t *testing.T, body, id string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<table[^>]*id="` + regexp.QuoteMeta(id) + `".*?</table>`).FindString(body)
	if m == "" {
		t.Fatalf("no table %s on the page\n%s", id, clip(body))
	}
	var out []string
	for _, r := range regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`).FindAllStringSubmatch(m, -1) {
		out = append(out, cells(r[1]))
	}
	return out
}

// TestMonitoringPages sets a system's monitoring up as each role may,
// reads its report against counts made from the test data, adds a monitor,
// evaluates it, changes and archives it, and keeps another organisation out.
func TestMonitoringPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		cs := e.signedIn()
		owner, contributor, auditor, viewer := cs[aims.RoleOwner], cs[aims.RoleContributor], cs[aims.RoleAuditor], cs[aims.RoleViewer]
		d := monitorDecisions()
		e.monitorSystem(d)

		// The system's page links to its monitoring.
		want(t, viewer.get("/systems/SYS-1"), http.StatusOK, `href="/systems/SYS-1/monitoring" id="system-monitoring"`)

		// Before the settings, everyone sees what is missing; only editors get the forms.
		r := viewer.get("/systems/SYS-1/monitoring")
		want(t, r, http.StatusOK, "Monitoring of SYS-1 Credit scoring", `id="settings-missing"`, `id="range-form"`,
			`value="`+time.Now().UTC().Format(time.DateOnly)+`"`, `id="performance-table"`)
		wantNot(t, r, `id="settings-form"`, `id="add-monitor"`)
		wantCSPSafe(t, r)
		for _, c := range []*client{viewer, auditor} {
			want(t, c.post("/systems/SYS-1/monitoring/settings", url.Values{"positive": {"approve"}}), http.StatusForbidden)
			want(t, c.post("/systems/SYS-1/monitors", url.Values{"name": {"x"}, "threshold": {"0.8"}}), http.StatusForbidden)
		}
		r = contributor.get("/systems/SYS-1/monitoring")
		want(t, r, http.StatusOK, `id="settings-form"`, `id="add-monitor"`)

		// The settings: a missing favourable decision is named by its field, and what was typed stays.
		r = contributor.post("/systems/SYS-1/monitoring/settings?window=week", url.Values{"positive": {" "}, "positive_outcome": {"repaid"}})
		want(t, r, http.StatusUnprocessableEntity, `id="settings-positive-error"`, `href="#settings-positive"`, `value="repaid"`,
			`<option value="week" selected>`)
		wantCSPSafe(t, r)
		r = contributor.post("/systems/SYS-1/monitoring/settings", url.Values{"positive": {"approve"}, "positive_outcome": {"repaid"}})
		wantRedirect(t, r, "/systems/SYS-1/monitoring")

		// The report: performance of every version and each, checked against counts of the data.
		want(t, contributor.get("/systems/SYS-1/monitoring"), http.StatusOK, "now counts “approve” as the favourable decision")
		r = viewer.get("/systems/SYS-1/monitoring")
		want(t, r, http.StatusOK, `<dd id="settings-outcome-value">repaid</dd>`)
		wantNot(t, r, `id="settings-missing"`)
		wantCSPSafe(t, r)
		perf := tableRows(t, r.Body, "performance-table")
		if len(perf) != 4 {
			t.Fatalf("the performance table has %d rows, want a head, every version and two versions: %q", len(perf), perf)
		}
		for i, c := range []struct {
			name string
			keep func(decision.Record) bool
		}{
			{"Every version", func(decision.Record) bool { return true }},
			{"MDL-1@1.0.0", func(x decision.Record) bool { return x.Model == "MDL-1@1.0.0" }},
			{"MDL-1@1.1.0", func(x decision.Record) bool { return x.Model == "MDL-1@1.1.0" }},
		} {
			q := d.count(c.keep)
			wantRow := strings.Join([]string{c.name, strconv.Itoa(q.n), strconv.Itoa(q.labelled), f3(q.selected, q.n),
				f3(q.tp+q.tn, q.labelled), f3(q.tp, q.tp+q.fp), f3(q.tp, q.tp+q.fn), f3(q.fp, q.fp+q.tn),
				strconv.FormatFloat(d.auc(c.keep), 'f', 3, 64), strconv.FormatFloat(d.ece(c.keep), 'f', 3, 64)}, "|")
			if perf[i+1] != wantRow {
				t.Errorf("performance row %d is %q, want %q", i+1, perf[i+1], wantRow)
			}
		}
		want(t, r, http.StatusOK, `id="calibration-chart"`, "<title id=\"calibration-chart-title\">")

		// Fairness by sex: each group's rates, and the four-fifths ratio labelled for what it is.
		groups := tableRows(t, r.Body, "fairness-sex-groups")
		women := d.count(func(x decision.Record) bool { return x.Sensitive["sex"] == "f" })
		men := d.count(func(x decision.Record) bool { return x.Sensitive["sex"] == "m" })
		for _, c := range []struct {
			name string
			q    rates
		}{{"f", women}, {"m", men}} {
			row := strings.Join([]string{c.name, strconv.Itoa(c.q.n), strconv.Itoa(c.q.labelled), f3(c.q.selected, c.q.n),
				f3(c.q.tp, c.q.tp+c.q.fn), f3(c.q.fp, c.q.fp+c.q.tn)}, "|")
			if !containsString(groups, row) {
				t.Errorf("the groups of sex are %q, want a row %q", groups, row)
			}
		}
		srW, srM := float64(women.selected)/float64(women.n), float64(men.selected)/float64(men.n)
		ratio := math.Min(srW, srM) / math.Max(srW, srM)
		want(t, r, http.StatusOK, `<span class="four-fifths-value">`+strconv.FormatFloat(ratio, 'f', 3, 64)+`</span>`,
			"US employment-selection heuristic (29 CFR 1607.4(D))", "not a fairness criterion")
		disp := tableRows(t, r.Body, "fairness-sex-disparities")
		if !containsString(disp, "Demographic parity ratio|Between groups|—|"+strconv.FormatFloat(ratio, 'f', 3, 64)) {
			t.Errorf("the disparities of sex are %q, want the demographic parity ratio between groups %.3f", disp, ratio)
		}

		// Over time: the rates and each group's selection rate per day, charted with a title and tabulated.
		want(t, r, http.StatusOK, `<title id="series-chart-title">Rates per day</title>`, `id="series-table"`,
			`<title id="group-chart-1-title">Selection rate by sex per day</title>`, `data-series="f"`, `data-series="m"`)
		day5 := d.Day0.AddDate(0, 0, 5).Format("2 Jan 2006")
		series := tableRows(t, r.Body, "series-table")
		if !hasPrefix(series, day5+"|20|"+strconv.Itoa(countOutcomes(d, 5))+"|0.450|") {
			t.Errorf("the series has no row for %s with 20 decisions and a selection rate of 9/20: %q", day5, series)
		}

		// Drift against the first four days: the ranked table with its measures.
		q := url.Values{"from": {d.Day0.AddDate(0, 0, 4).Format(time.DateOnly)}, "to": {d.Day0.AddDate(0, 0, 6).Format(time.DateOnly)},
			"reference_from": {d.Day0.Format(time.DateOnly)}, "reference_to": {d.Day0.AddDate(0, 0, 3).Format(time.DateOnly)}}
		r = auditor.get("/systems/SYS-1/monitoring?" + q.Encode())
		want(t, r, http.StatusOK, `id="drift-table"`, "natural log", "KS D", "Chi-square")
		drift := tableRows(t, r.Body, "drift-table")
		// purpose is car in half the reference's decisions and in 2 of 10 of the current ones: PSI, the
		// Jensen–Shannon distance (natural log) and Evidently's chi-square against the reference's shares follow.
		pr, pc := []float64{.5, .5}, []float64{.2, .8}
		var psi, js, chi float64
		for i := range pr {
			m := (pr[i] + pc[i]) / 2
			psi += (pc[i] - pr[i]) * math.Log(pc[i]/pr[i])
			js += (pr[i]*math.Log(pr[i]/m) + pc[i]*math.Log(pc[i]/m)) / 2
			chi += math.Pow(60*pc[i]-60*pr[i], 2) / (60 * pr[i])
		}
		purpose := fmt.Sprintf("purpose|categorical|%.3f|%.3f|(natural log)|Chi-square (df 1)|%.3f|", psi, math.Sqrt(js), chi)
		if !hasPrefix(drift, purpose) {
			t.Errorf("the drift of purpose is not %q: %q", purpose, drift)
		}
		var sawIncome bool
		for _, row := range drift[1:] {
			if strings.HasPrefix(row, "income|numeric|") {
				sawIncome = true
				if !strings.HasSuffix(row, "|Yes") {
					t.Errorf("income moved by 8,000 between the ranges but is not drifted: %q", row)
				}
			}
		}
		if !sawIncome {
			t.Errorf("no drift row for income: %q", drift)
		}

		// A range that does not parse is named by its field and kept; so is an unknown model version.
		r = viewer.get("/systems/SYS-1/monitoring?from=yesterday&window=week")
		want(t, r, http.StatusUnprocessableEntity, `id="range-from-error"`, `href="#range-from"`, `value="yesterday"`, `<option value="week" selected>`)
		wantNot(t, r, `id="performance-table"`)
		r = viewer.get("/systems/SYS-1/monitoring?model_version=MDL-1%409.9.9")
		want(t, r, http.StatusUnprocessableEntity, `id="range-model_version-error"`, "names no model version of SYS-1")
		r = viewer.get("/systems/SYS-1/monitoring?reference_dataset=DS-9%401")
		want(t, r, http.StatusUnprocessableEntity, `id="range-reference_dataset-error"`, "names no profiled data set version", `value="DS-9@1"`)

		// A monitor: what does not parse, and what the service refuses, shows by its field, keeping what was typed.
		form := url.Values{"name": {"Approval parity by sex"}, "metric": {"demographic_parity_ratio"}, "feature": {"sex"},
			"window": {"day"}, "threshold": {"four fifths"}, "direction": {"below"}, "min_samples": {"10"}, "delay_hours": {"0"},
			"severity": {"medium"}}
		r = contributor.post("/systems/SYS-1/monitors", form)
		want(t, r, http.StatusUnprocessableEntity, `id="new-threshold-error"`, "Threshold must be a number", `href="#new-threshold"`,
			`value="Approval parity by sex"`, `value="four fifths"`, `<option value="medium" selected>`)
		// A drift monitor against a data set version that has no profile is refused by that field.
		driftForm := url.Values{"name": {"Income against training"}, "metric": {"psi"}, "feature": {"income"}, "window": {"week"},
			"threshold": {"0.2"}, "direction": {"above"}, "reference_dataset": {"DS-9@1"}}
		r = contributor.post("/systems/SYS-1/monitors", driftForm)
		want(t, r, http.StatusUnprocessableEntity, `id="new-reference_dataset-error"`, "names no profiled data set version", `value="DS-9@1"`)
		wantCSPSafe(t, r)
		form.Set("threshold", "0.8")
		form.Set("feature", "")
		r = contributor.post("/systems/SYS-1/monitors", form)
		want(t, r, http.StatusUnprocessableEntity, `id="new-feature-error"`, `href="#new-feature"`, `value="0.8"`)
		form.Set("feature", "sex")
		r = contributor.post("/systems/SYS-1/monitors", form)
		wantRedirect(t, r, "/monitors/MON-1")

		r = viewer.get("/monitors/MON-1")
		want(t, r, http.StatusOK, "MON-1 Approval parity by sex", "Demographic parity ratio of sex", "below 0.800", `id="no-results"`)
		wantNot(t, r, `id="evaluate-now"`, `id="edit"`, `id="archive-monitor"`)
		wantCSPSafe(t, r)
		want(t, viewer.post("/monitors/MON-1/evaluate", nil), http.StatusForbidden)
		want(t, auditor.post("/monitors/MON-1/archive", nil), http.StatusForbidden)

		// Evaluating judges the seven days: day 0 too small, days 5 and 6 breached; one alert and its incident.
		wantRedirect(t, contributor.post("/monitors/MON-1/evaluate", nil), "/monitors/MON-1")
		r = contributor.get("/monitors/MON-1")
		want(t, r, http.StatusOK, "Judged 7 windows: 2 breaches. Raised 1 alert and opened INC-1.", `id="monitor-chart-threshold"`,
			"<title>Threshold 0.800</title>", `id="monitor-state">Alert`, `href="/incidents/INC-1"`, `id="edit"`)
		wantCSPSafe(t, r)
		if n := strings.Count(r.Body, `class="result-breach"`); n != 2 {
			t.Errorf("%d breaches marked on the chart, want 2", n)
		}
		if n := strings.Count(r.Body, `class="result-insufficient"`); n != 1 {
			t.Errorf("%d windows marked as not judged, want 1", n)
		}
		res := tableRows(t, r.Body, "result-table")
		wantRes := []string{
			d.Day0.AddDate(0, 0, 6).Format("2 Jan 2006") + "|0.500|20|Breach",
			day5 + "|0.500|20|Breach",
			d.Day0.AddDate(0, 0, 4).Format("2 Jan 2006") + "|1.000|20|OK",
		}
		for i, w := range wantRes {
			if len(res) < i+2 || !strings.HasPrefix(res[i+1], w+"|") {
				t.Fatalf("result row %d is not %q: %q", i+1, w, res)
			}
		}
		// On the first day each group has 2 decisions, fewer than the 10 a group needs to count.
		if last := res[len(res)-1]; !strings.HasPrefix(last, d.Day0.Format("2 Jan 2006")+"|—|") || !strings.Contains(last, "|Not judged|") {
			t.Errorf("the first day's result is %q, want it not judged", last)
		}

		// The lists: every monitor, and the open alerts with their incidents.
		r = viewer.get("/monitors")
		want(t, r, http.StatusOK, `<a href="/monitors/MON-1">MON-1</a>`, `<a href="/systems/SYS-1/monitoring">SYS-1</a>`,
			"Alerts (1 open)", `badge badge-bad monitor-state`)
		wantCSPSafe(t, r)
		r = viewer.get("/alerts")
		want(t, r, http.StatusOK, `id="open-alerts"`, `href="/incidents/INC-1"`, "0.500")
		wantCSPSafe(t, r)
		r = viewer.get("/systems/SYS-1/monitoring")
		want(t, r, http.StatusOK, `id="system-alerts"`, `href="/incidents/INC-1"`, `id="monitor-table"`)

		// Changing it: a stale version conflicts, a bad value is named, a good change is saved.
		edit := url.Values{"version": {"1"}, "name": {"Approval parity by sex"}, "metric": {"demographic_parity_ratio"}, "feature": {"sex"},
			"window": {"day"}, "threshold": {"0.75"}, "direction": {"below"}, "min_samples": {"ten"}, "severity": {"medium"}}
		r = contributor.post("/monitors/MON-1", edit)
		want(t, r, http.StatusUnprocessableEntity, `id="edit-min_samples-error"`, `value="ten"`, `value="0.75"`)
		edit.Set("min_samples", "10")
		wantRedirect(t, contributor.post("/monitors/MON-1", edit), "/monitors/MON-1")
		want(t, contributor.get("/monitors/MON-1"), http.StatusOK, "below 0.750", "Version 2")
		r = contributor.post("/monitors/MON-1", edit)
		want(t, r, http.StatusConflict, `value="0.75"`)
		want(t, viewer.post("/monitors/MON-1", edit), http.StatusForbidden)

		// Archiving stops it; its results stay.
		wantRedirect(t, contributor.post("/monitors/MON-1/archive", nil), "/monitors/MON-1")
		r = contributor.get("/monitors/MON-1")
		want(t, r, http.StatusOK, "Archived MON-1", `id="monitor-state">Archived`, `id="result-table"`)
		wantNot(t, r, `id="evaluate-now"`, `id="edit"`)

		// A drift monitor whose reference starts and ends within days shows those times, in UTC, in
		// date-and-time fields that hold them, so that saving it again keeps them.
		refFrom, refTo := d.Day0.Add(5*time.Hour), d.Day0.AddDate(0, 0, 2).Add(7*time.Hour)
		driftForm.Del("reference_dataset")
		driftForm.Set("reference_from", refFrom.Format("2006-01-02T15:04"))
		driftForm.Set("reference_to", refTo.Format("2006-01-02T15:04"))
		wantRedirect(t, contributor.post("/systems/SYS-1/monitors", driftForm), "/monitors/MON-2")
		r = contributor.get("/monitors/MON-2")
		want(t, r, http.StatusOK, `type="datetime-local"`, `value="`+refFrom.Format("2006-01-02T15:04")+`"`,
			`value="`+refTo.Format("2006-01-02T15:04")+`"`)
		driftForm.Set("version", "1")
		driftForm.Set("threshold", "0.3")
		wantRedirect(t, contributor.post("/monitors/MON-2", driftForm), "/monitors/MON-2")
		if m, err := e.app.Monitors.Get(e.ctx, e.owner(), "MON-2"); err != nil ||
			!m.ReferenceFrom.Equal(refFrom) || !m.ReferenceTo.Equal(refTo) || m.Threshold != 0.3 {
			t.Errorf("MON-2 after saving its form: %+v %v", m, err)
		}
		// Zero samples, and a date before 1970, are named by their fields.
		driftForm.Set("version", "2")
		driftForm.Set("min_samples", "0")
		want(t, contributor.post("/monitors/MON-2", driftForm), http.StatusUnprocessableEntity, `id="edit-min_samples-error"`, "at least 1")
		r = viewer.get("/systems/SYS-1/monitoring?from=0001-01-01&to=2026-01-01")
		want(t, r, http.StatusUnprocessableEntity, `id="range-from-error"`, "between 1970 and 9999")

		// The audit log words the changes and links them.
		r = owner.get("/audit")
		want(t, r, http.StatusOK, "Added a monitor", "Changed the monitor", "Archived the monitor", "Judged the monitor&#39;s windows",
			"Set how the system&#39;s decisions count for monitoring", `href="/monitors/MON-1"`, `href="/systems/SYS-1/monitoring"`)

		// Another organisation sees none of it.
		e.addUser("Other Ltd", "oscar@other.example", "Oscar Other", aims.RoleOwner)
		oc := e.client()
		oc.login("oscar@other.example")
		want(t, oc.get("/monitors/MON-1"), http.StatusNotFound)
		want(t, oc.post("/monitors/MON-1/evaluate", nil), http.StatusNotFound)
		want(t, oc.post("/monitors/MON-1", edit), http.StatusNotFound)
		want(t, oc.get("/systems/SYS-1/monitoring"), http.StatusNotFound)
		want(t, oc.post("/systems/SYS-1/monitors", form), http.StatusNotFound)
		r = oc.get("/monitors")
		want(t, r, http.StatusOK, `id="no-monitors"`)
		r = oc.get("/alerts")
		want(t, r, http.StatusOK, `id="open-alerts-none"`)
		wantNot(t, r, "MON-1")
	})
}

// countOutcomes counts the decisions of a day that have an outcome.
func countOutcomes(d monitorData, day int) int {
	from, to := d.Day0.AddDate(0, 0, day), d.Day0.AddDate(0, 0, day+1)
	n := 0
	for _, x := range d.Records {
		if _, ok := d.Outcome[x.ID]; ok && !x.Time.Before(from) && x.Time.Before(to) {
			n++
		}
	}
	return n
}

// containsString reports whether the list holds s.
func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hasPrefix reports whether an item of the list starts with s.
func hasPrefix(list []string, s string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, s) {
			return true
		}
	}
	return false
}

// auc is the ROC AUC of the labelled decisions that satisfy keep, by the
// Mann–Whitney count: the share of (repaid, defaulted) pairs whose repaid
// decision scored higher, ties counting half.
func (d monitorData) auc(keep func(decision.Record) bool) float64 {
	var pos, neg []float64
	for _, x := range d.Records {
		if out, ok := d.Outcome[x.ID]; ok && keep(x) {
			if out == "repaid" {
				pos = append(pos, *x.Output.Score)
			} else {
				neg = append(neg, *x.Output.Score)
			}
		}
	}
	var wins float64
	for _, p := range pos {
		for _, n := range neg {
			switch {
			case p > n:
				wins++
			case p == n:
				wins += .5
			}
		}
	}
	return wins / float64(len(pos)*len(neg))
}

// ece is the expected calibration error of the labelled decisions that
// satisfy keep over ten equal bins of [0, 1]: the mean, weighted by the
// bins' counts, of the gap between a bin's share of repaid and its mean
// score. As in scikit-learn's calibration_curve, a score's bin is the
// number of inner edges (numpy.linspace(0, 1, 11)[1:-1], i·0.1) below it,
// so that a score on an edge falls in the lower bin.
func (d monitorData) ece(keep func(decision.Record) bool) float64 {
	var n, sum, repaid [10]float64
	total := 0.0
	for _, x := range d.Records {
		out, ok := d.Outcome[x.ID]
		if !ok || !keep(x) {
			continue
		}
		b := 0
		for i := 1; i <= 9; i++ {
			if float64(i)*0.1 < *x.Output.Score {
				b++
			}
		}
		n[b]++
		sum[b] += *x.Output.Score
		if out == "repaid" {
			repaid[b]++
		}
		total++
	}
	e := 0.0
	for b := range n {
		if n[b] > 0 {
			e += n[b] / total * math.Abs(repaid[b]/n[b]-sum[b]/n[b])
		}
	}
	return e
}
