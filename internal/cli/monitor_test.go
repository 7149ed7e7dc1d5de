package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/monitor"
)

// monitorLoans are two days of decisions: sex, region, approve (A) or deny
// (N), repaid (R) or defaulted (D). On the first day 7 of 10 are right:
// TP 5, FP 2, FN 1, TN 2; women are approved 3 of 5 times, men 4 of 5. On
// the second 3 of 10 are right and 9 of 10 come from region A.
var monitorLoans = [][]string{
	{"female A AR", "female A AD", "female A AR", "female B NR", "female B ND", "male A AR", "male A AR", "male B AR", "male B AD", "male B ND"},
	{"female A AD", "female A AD", "female A NR", "female A NR", "female B AR", "male A AR", "male A NR", "male A AD", "male A ND", "male A NR"},
}

// writeLoans writes monitorLoans from the day base as decisions and outcomes in NDJSON.
func writeLoans(t *testing.T, dir string, base time.Time) (decisions, outcomes string) {
	t.Helper()
	var ds, outs strings.Builder
	for d, day := range monitorLoans {
		for i, l := range day {
			f := strings.Fields(l)
			label, truth := "deny", "defaulted"
			if f[2][0] == 'A' {
				label = "approve"
			}
			if f[2][1] == 'R' {
				truth = "repaid"
			}
			id := fmt.Sprintf("loan-%d-%d", d, i)
			when := base.AddDate(0, 0, d).Add(time.Duration(9*60+i) * time.Minute)
			fmt.Fprintf(&ds, `{"id":%q,"time":%q,"model":"1.0","inputs":{"region":%q},"output":{"label":%q},"sensitive":{"sex":%q}}`+"\n",
				id, when.Format(time.RFC3339), f[1], label, f[0])
			fmt.Fprintf(&outs, `{"id":"o-%s","decision":%q,"label":%q,"time":%q}`+"\n", id, id, truth, when.Add(8*time.Hour).Format(time.RFC3339))
		}
	}
	decisions, outcomes = filepath.Join(dir, "loans.ndjson"), filepath.Join(dir, "outcomes.ndjson")
	writeFile(t, decisions, ds.String())
	writeFile(t, outcomes, outs.String())
	return decisions, outcomes
}

// TestMonitorCommands sets up monitoring from the command line, reads the
// report as tables and as JSON, checking the figures against those worked
// out by hand from monitorLoans, adds a monitor, judges it into an alert
// and an incident, and archives it.
func TestMonitorCommands(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			cfg := apptest.Config(t, dialect, nil)
			sh := newShell(t, cfg)
			for _, u := range [][2]string{{"ada@example.org", "owner"}, {"carl@example.org", "contributor"}, {"vic@example.org", "viewer"}} {
				sh.ok("correct horse battery staple\n", "user", "create", "--org", "Acme Bank", "--email", u[0], "--role", u[1],
					"--name", strings.Split(u[0], "@")[0], "--password-stdin")
			}
			carl := strings.TrimSpace(sh.ok("", "token", "create", "--email", "carl@example.org", "--name", "t").stdout)
			vic := strings.TrimSpace(sh.ok("", "token", "create", "--email", "vic@example.org", "--name", "t").stdout)
			env := apptest.Serve(t, cfg)
			sh.vars["AIMS_SERVER"] = env.URL
			sh.vars["AIMS_TOKEN"] = carl
			spaces := regexp.MustCompile(`[ \t]{2,}`)
			contains := func(r result, wants ...string) {
				t.Helper()
				for _, w := range wants {
					if !strings.Contains(spaces.ReplaceAllString(r.stdout+r.stderr, " "), w) {
						t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, r.stdout, r.stderr)
					}
				}
			}
			fails := func(r result, wants ...string) {
				t.Helper()
				if r.code != 1 {
					t.Errorf("exit %d, want 1:\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
				}
				contains(r, wants...)
			}

			// Two days of decisions four days ago, so that every window up to yesterday is due.
			base := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -4)
			day := func(i int) string { return base.AddDate(0, 0, i).Format(time.DateOnly) }
			sh.ok("", "system", "add", "--name", "Credit scoring", "--purpose", "Score consumer credit applications")
			sh.ok("", "model", "add", "--system", "SYS-1", "--name", "Credit scorer")
			sh.ok("", "model", "version", "add", "MDL-1", "--label", "1.0", "--digest", strings.Repeat("ab", 32))
			decisions, outcomes := writeLoans(t, t.TempDir(), base)
			sh.ok("", "decisions", "push", decisions, "--system", "SYS-1", "-q")
			sh.ok("", "decisions", "outcomes", "push", outcomes, "--system", "SYS-1", "-q")

			contains(sh.ok("", "monitor", "--help"), "A.6.2.6", "MON-1", "--delay-hours")
			contains(sh.ok("", "__complete", "monitor", "add", "--metric", ""), "demographic_parity_ratio", "chi_square_p_value")
			contains(sh.ok("", "__complete", "monitor", "add", "--direction", ""), "below\ta value below the threshold is a breach")
			contains(sh.ok("", "__complete", "monitor", "add", "--window", ""), "hour", "week")
			contains(sh.ok("", "__complete", "monitor", "add", "--method", ""), "between_groups", "to_overall")
			contains(sh.ok("", "__complete", "monitor", "add", "--agg", ""), "worst_case", "mean")
			contains(sh.ok("", "__complete", "monitor", "add", "--severity", ""), "critical")

			// Settings: none yet, a positive outcome needs a positive decision, then both.
			contains(sh.ok("", "monitor", "settings", "--system", "SYS-1"), "SYS-1: no monitoring settings yet")
			fails(sh.run("", "monitor", "settings", "--system", "SYS-1", "--positive-outcome", "repaid"), "positive: is required")
			sh.vars["AIMS_TOKEN"] = vic
			fails(sh.run("", "monitor", "settings", "--system", "SYS-1", "--positive", "approve"), "HTTP 403")
			sh.vars["AIMS_TOKEN"] = carl
			contains(sh.ok("", "monitor", "settings", "--system", "SYS-1", "--positive", "approve"),
				"SYS-1: positive decision approve, positive outcome approve (the same as the decision) (version 1)")
			contains(sh.ok("", "monitor", "settings", "--system", "SYS-1", "--positive-outcome", "repaid"),
				"SYS-1: positive decision approve, positive outcome repaid (version 2)")

			// The first day's report.
			fails(sh.run("", "monitor", "report", "--system", "SYS-1", "--from", "last week"), "--from must be a time")
			fails(sh.run("", "monitor", "report", "--system", "SYS-1", "--window", "month"), "window:")
			fails(sh.run("", "monitor", "report", "--system", "SYS-9"), "HTTP 404")
			fails(sh.run("", "monitor", "report", "--system", "SYS-1", "--output", "xml"), "--output must be table or json")
			r := sh.ok("", "monitor", "report", "--system", "SYS-1", "--from", day(0), "--to", day(1))
			contains(r, "SYS-1 Credit scoring", "range "+day(0)+" to "+day(1)+", by day, every model version",
				"positive decision approve, outcome repaid",
				// selection 7/10, accuracy 7/10, precision 5/7, recall 5/6, FPR 2/4; no scores, so no AUC or ECE.
				"every version 10 10 0.700 0.700 0.714 0.833 0.500 — —",
				"FAIRNESS BY sex",
				"female 5 5 0.600 0.667 0.500", "male 5 5 0.800 1.000 0.500", "(everyone) 10 10 0.700 0.833 0.500",
				"demographic_parity_difference between_groups - 0.200", "demographic_parity_ratio between_groups - 0.750",
				"equal_opportunity_difference between_groups - 0.333", "equalized_odds_difference between_groups worst_case 0.333",
				"four-fifths ratio (US employment-selection heuristic): 0.750, below 0.8",
				"SERIES BY DAY", day(0)+" 10 10 0.700 0.700 0.833 0.500")
			r = sh.ok("", "monitor", "report", "--system", "SYS-1", "--from", day(0), "--to", day(1), "-o", "json")
			var rep monitor.Report
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Performance) != 1 || rep.Performance[0].Accuracy == nil ||
				*rep.Performance[0].Accuracy != 0.7 {
				t.Errorf("report as JSON: %v\n%s", err, r.stdout)
			}
			// The second day drifts from the first: region A went from 5 of 10 to 9 of 10.
			psi := (0.9-0.5)*math.Log(0.9/0.5) + (0.1-0.5)*math.Log(0.1/0.5)
			contains(sh.ok("", "monitor", "report", "--system", "SYS-1", "--from", day(1), "--to", day(2), "--window", "hour"),
				"drift reference "+day(0)+" to "+day(1), fmt.Sprintf("region categorical %.3f", psi), "10 10 yes", "SERIES BY HOUR",
				"(23 of 24 windows without decisions not shown)")

			// A monitor of accuracy: within its threshold on the first day, below it on the second.
			sh.vars["AIMS_TOKEN"] = vic
			fails(sh.run("", "monitor", "add", "--system", "SYS-1", "--name", "Accuracy", "--metric", "accuracy", "--threshold", "0.6",
				"--direction", "below"), "HTTP 403")
			sh.vars["AIMS_TOKEN"] = carl
			fails(sh.run("", "monitor", "add", "--system", "SYS-1", "--name", "Accuracy", "--metric", "accuracy", "--threshold", "0.6",
				"--direction", "sideways"), "direction: expected value to be one of")
			fails(sh.run("", "monitor", "add", "--system", "SYS-1", "--name", "Accuracy", "--metric", "loudness", "--threshold", "0.6",
				"--direction", "below"), "metric: expected value to be one of")
			fails(sh.run("", "monitor", "add", "--system", "SYS-1", "--name", "Accuracy", "--metric", "accuracy", "--threshold", "NaN",
				"--direction", "below"), "--threshold must be a finite number")
			fails(sh.run("", "monitor", "add", "--system", "SYS-1", "--name", "Accuracy", "--metric", "accuracy", "--threshold", "0.6",
				"--direction", "below", "--min-samples", "0"), "--min-samples must be at least 1")
			fails(sh.run("", "monitor", "add", "--system", "SYS-1", "--name", "Drift", "--metric", "psi", "--feature", "region",
				"--threshold", "0.1", "--direction", "above", "--reference-from", "someday"), "--reference-from must be a time")
			fails(sh.run("", "monitor", "add", "--system", "SYS-1", "--name", "Accuracy", "--metric", "accuracy", "--threshold", "0.6",
				"--direction", "below", "--owner", "nobody@example.org"), "nobody@example.org is not a member")
			contains(sh.ok("", "monitor", "add", "--system", "SYS-1", "--name", "Accuracy", "--metric", "accuracy", "--model-version", "MDL-1@1.0",
				"--threshold", "0.6", "--direction", "below", "--min-samples", "5", "--severity", "high", "--owner", "ada@example.org"),
				"added MON-1 Accuracy: accuracy (MDL-1@1.0) per day, breach below 0.6")
			r = sh.ok("", "monitor", "add", "--system", "SYS-1", "--name", "Region drift", "--metric", "psi", "--feature", "region",
				"--window", "week", "--threshold", "0.25", "--direction", "above", "--reference-from", day(0), "--reference-to", day(1), "-o", "json")
			var drift monitor.Monitor
			if err := json.Unmarshal([]byte(r.stdout), &drift); err != nil || drift.Ref != "MON-2" || drift.ReferenceFrom == nil ||
				drift.ReferenceFrom.Format(time.DateOnly) != day(0) || drift.MinSamples != monitor.DefaultMinSamples {
				t.Errorf("drift monitor: %v\n%s", err, r.stdout)
			}
			contains(sh.ok("", "monitor", "list"), "MON-1 SYS-1 Accuracy accuracy (MDL-1@1.0) per day, breach below 0.6 ok -",
				"MON-2 SYS-1 Region drift psi of region per week, breach above 0.25 ok")
			contains(sh.ok("", "monitor", "list", "--system", "SYS-1", "-o", "json"), `"ref": "MON-2"`)

			contains(sh.ok("", "monitor", "evaluate", "MON-1"), "MON-1: judged 4 window(s): 1 breach(es), 1 alert(s) opened, 0 recovered",
				"alert: Accuracy = 0.300 in the window of "+day(1)+", below 0.6; incident INC-1")
			contains(sh.ok("", "monitor", "show", "MON-1"), "MON-1 Accuracy", "incident on breach high severity, owned by ada@example.org",
				"judged 0 hour(s) after a window ends", "state alert",
				"judged until "+day(4), "THE LAST 4 OF 4 JUDGED WINDOWS", day(0)+" 0.700 10 ok", day(1)+" 0.300 10 breach",
				day(2)+" — 0 insufficient", "ALERTS", "MON-1 Accuracy SYS-1 "+day(1)+" 0.300 below 0.6 INC-1 open")
			contains(sh.ok("", "monitor", "show", "MON-1", "--last", "1"), "THE LAST 1 OF 4 JUDGED WINDOWS", day(3)+" — 0 insufficient")
			contains(sh.ok("", "monitor", "alerts", "--open"), "MON-1 Accuracy SYS-1 "+day(1)+" 0.300 below 0.6 INC-1 open")
			contains(sh.ok("", "incident", "show", "INC-1"), "SYS-1: Accuracy breached its threshold", "severity high")
			fails(sh.run("", "monitor", "show", "MON-9"), "HTTP 404")

			contains(sh.ok("", "monitor", "archive", "MON-1"), "archived MON-1 Accuracy; it judges no more windows")
			fails(sh.run("", "monitor", "evaluate", "MON-1"), "archived", "HTTP 409")
			contains(sh.ok("", "monitor", "list", "--system", "SYS-1"), "MON-1 SYS-1 Accuracy accuracy (MDL-1@1.0) per day, breach below 0.6 archived")
			contains(sh.ok("", "monitor", "alerts", "--system", "SYS-1"), "INC-1 open")
		})
	}
}
