package monitor_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/metric"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/monitor"
	"github.com/aims-dev/aims/internal/servicetest"
)

// actorOf returns the actor of a member of an organisation, making the
// member first when role is given.
func actorOf(t *testing.T, env *apptest.Env, org, email string, role aims.Role) *aims.Actor {
	t.Helper()
	env.Member(org, email, role)
	ctx := context.Background()
	var uid, oid string
	if err := env.App.DB.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, email).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.QueryRowContext(ctx, `SELECT id FROM organisations WHERE name = ?`, org).Scan(&oid); err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Identity.ActorFor(ctx, uid, oid)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// setUp registers SYS-1 with model version 1.0.0 in Acme.
func setUp(t *testing.T, env *apptest.Env, owner *aims.Actor) {
	t.Helper()
	a, ctx := env.App, context.Background()
	if _, err := a.Systems.Create(ctx, owner, aisystem.CreateRequest{Name: "Loans", IntendedPurpose: "Decide on loans"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Models.Create(ctx, owner, model.CreateRequest{System: "SYS-1", Name: "Scorer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Models.CreateVersion(ctx, owner, "MDL-1", model.VersionRequest{Label: "1.0.0", Digest: strings.Repeat("ab", 32)}); err != nil {
		t.Fatal(err)
	}
}

// TestMonitorRequests checks who may set up monitoring, that every bad
// field is named with nothing stored, and the audit events of changes.
func TestMonitorRequests(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env := apptest.New(t, dialect)
			a, ctx := env.App, context.Background()
			owner := ownerOf(t, env)
			setUp(t, env, owner)
			contributor := actorOf(t, env, "Acme", "cora@acme.example", aims.RoleContributor)
			viewer := actorOf(t, env, "Acme", "vic@acme.example", aims.RoleViewer)
			auditor := actorOf(t, env, "Acme", "aud@acme.example", aims.RoleAuditor)
			stranger := actorOf(t, env, "Other Ltd", "sam@other.example", aims.RoleOwner)
			ref0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
			ref1 := ref0.AddDate(0, 0, 7)
			good := monitor.Request{Name: "Parity", Metric: monitor.MetricDPRatio, Feature: "sex", Window: monitor.WindowDay,
				Threshold: 0.8, Direction: monitor.Below}

			for _, tc := range []struct {
				field string
				edit  func(r *monitor.Request)
			}{
				{"name", func(r *monitor.Request) { r.Name = " " }},
				{"metric", func(r *monitor.Request) { r.Metric = "happiness" }},
				{"feature", func(r *monitor.Request) { r.Feature = "" }},
				{"group", func(r *monitor.Request) { r.Group = "female" }},
				{"method", func(r *monitor.Request) { r.Method = "sideways" }},
				{"agg", func(r *monitor.Request) { r.Agg = "mean" }},
				{"window", func(r *monitor.Request) { r.Window = "fortnight" }},
				{"direction", func(r *monitor.Request) { r.Direction = "up" }},
				{"threshold", func(r *monitor.Request) { r.Threshold = math.NaN() }},
				{"min_samples", func(r *monitor.Request) { r.MinSamples = -1 }},
				{"delay_hours", func(r *monitor.Request) { r.DelayHours = 9000 }},
				{"severity", func(r *monitor.Request) { r.Severity = "dire" }},
				{"owner_id", func(r *monitor.Request) { r.OwnerID = stranger.UserID }},
				{"model_version", func(r *monitor.Request) { r.ModelVersion = "MDL-1@9.9.9" }},
				{"reference_from", func(r *monitor.Request) { r.ReferenceFrom = &ref0 }},
				{"reference_from", func(r *monitor.Request) { r.Metric = monitor.MetricPSI; r.Feature = "income" }},
				{"reference_to", func(r *monitor.Request) {
					r.Metric, r.Feature, r.ReferenceFrom, r.ReferenceTo = monitor.MetricPSI, "income", &ref1, &ref0
				}},
				{"reference_to", func(r *monitor.Request) { // within one hour: nothing once whole hours are taken
					from, to := ref0.Add(10*time.Minute), ref0.Add(50*time.Minute)
					r.Metric, r.Feature, r.ReferenceFrom, r.ReferenceTo = monitor.MetricPSI, "income", &from, &to
				}},
				{"window", func(r *monitor.Request) {
					r.Metric, r.Feature, r.Window, r.ReferenceFrom, r.ReferenceTo = monitor.MetricPSI, "income", monitor.WindowHour, &ref0, &ref1
				}},
				{"feature", func(r *monitor.Request) {
					r.Metric, r.Feature, r.ReferenceFrom, r.ReferenceTo = monitor.MetricKS, monitor.FeatureOutputLabel, &ref0, &ref1
				}},
				{"group", func(r *monitor.Request) { r.Metric = monitor.MetricAccuracy }},
				{"feature", func(r *monitor.Request) { r.Metric, r.Feature = monitor.MetricAUC, "sex" }},
				{"window", func(r *monitor.Request) { r.Metric, r.Feature, r.Window = monitor.MetricECE, "", monitor.WindowHour }},
			} {
				req := good
				tc.edit(&req)
				servicetest.Unchanged(t, a.DB, func() {
					_, err := a.Monitors.Create(ctx, contributor, "SYS-1", req)
					servicetest.WantFields(t, err, aims.CodeInvalid, tc.field)
				})
			}
			for _, who := range []*aims.Actor{viewer, auditor} {
				servicetest.Unchanged(t, a.DB, func() {
					_, err := a.Monitors.Create(ctx, who, "SYS-1", good)
					servicetest.WantCode(t, err, aims.CodeForbidden)
					_, err = a.Monitors.SetSettings(ctx, who, "SYS-1", monitor.SettingsRequest{Positive: "approve"})
					servicetest.WantCode(t, err, aims.CodeForbidden)
				})
			}
			_, err := a.Monitors.Create(ctx, stranger, "SYS-1", good)
			servicetest.WantCode(t, err, aims.CodeNotFound)
			_, err = a.Monitors.SetSettings(ctx, owner, "SYS-1", monitor.SettingsRequest{Positive: " "})
			servicetest.WantFields(t, err, aims.CodeInvalid, "positive")

			m, err := a.Monitors.Create(ctx, contributor, "SYS-1", good)
			if err != nil {
				t.Fatal(err)
			}
			if m.Ref != "MON-1" || m.Method != "between_groups" || m.MinSamples != monitor.DefaultMinSamples || m.OwnerID != contributor.UserID ||
				m.State != monitor.StateOK || m.Version != 1 {
				t.Fatalf("%+v", m)
			}
			for _, who := range []*aims.Actor{viewer, auditor} {
				if got, err := a.Monitors.Get(ctx, who, "mon-1"); err != nil || got.ID != m.ID || got.SystemRef != "SYS-1" {
					t.Fatal(got, err)
				}
			}
			_, err = a.Monitors.Get(ctx, stranger, "MON-1")
			servicetest.WantCode(t, err, aims.CodeNotFound)
			if ms, err := a.Monitors.List(ctx, stranger, ""); err != nil || len(ms) != 0 {
				t.Fatal(ms, err)
			}
			up := monitor.UpdateRequest{Version: 1, Request: good}
			up.Threshold, up.ModelVersion = 0.9, "MDL-1@1.0.0"
			if m, err = a.Monitors.Update(ctx, owner, "MON-1", up); err != nil || m.Version != 2 || m.Threshold != 0.9 || m.ModelVersion != "MDL-1@1.0.0" {
				t.Fatal(m, err)
			}
			_, err = a.Monitors.Update(ctx, owner, "MON-1", up) // stale version
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = a.Monitors.Archive(ctx, viewer, "MON-1")
			servicetest.WantCode(t, err, aims.CodeForbidden)
			if m, err = a.Monitors.Archive(ctx, owner, "MON-1"); err != nil || !m.Archived {
				t.Fatal(m, err)
			}
			_, err = a.Monitors.Evaluate(ctx, owner, "MON-1")
			servicetest.WantCode(t, err, aims.CodeConflict)
			up.Version = m.Version
			_, err = a.Monitors.Update(ctx, owner, "MON-1", up)
			servicetest.WantCode(t, err, aims.CodeConflict)
			acts := strings.Join(env.Actions(env.Org.ID), " ")
			for _, want := range []string{"monitor.create", "monitor.update", "monitor.archive"} {
				if strings.Count(acts, want) != 1 {
					t.Errorf("%s appears %d times in %s", want, strings.Count(acts, want), acts)
				}
			}
		})
	}
}

// TestPerformanceAndDriftMonitors judges a daily accuracy monitor and a
// weekly PSI monitor of an input over two weeks of decisions, and checks
// each window's value against counts made directly from what was sent.
func TestPerformanceAndDriftMonitors(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env := apptest.New(t, dialect)
			a, ctx := env.App, context.Background()
			owner := ownerOf(t, env)
			setUp(t, env, owner)
			start := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC) // a Monday
			rng := rand.New(rand.NewPCG(5, 6))
			var recs []decision.Record
			var outs []decision.OutcomeInput
			correct := map[int]int{}
			labelled := map[int]int{}
			incomes := map[int]map[float64]float64{}
			for i := range 1400 {
				day := i / 100
				at := start.AddDate(0, 0, day).Add(time.Duration(i%100) * time.Minute)
				label := []string{"approve", "deny"}[rng.IntN(2)]
				income := 20000 + rng.IntN(30000) + day/7*15000 // the second week earns more
				id := fmt.Sprint("d", i)
				recs = append(recs, decision.Record{ID: id, Time: at, Model: "1.0.0", Output: decision.Output{Label: label},
					Inputs: fmt.Appendf(nil, `{"income": %d}`, income)})
				w := day / 7
				if incomes[w] == nil {
					incomes[w] = map[float64]float64{}
				}
				v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(income), 'g', 3, 64), 64)
				incomes[w][v]++
				if i%4 == 3 {
					continue // no outcome yet
				}
				truth := label
				if rng.IntN(10) < 2+day/3 { // accuracy falls day by day
					truth = map[string]string{"approve": "deny", "deny": "approve"}[label]
				}
				outs = append(outs, decision.OutcomeInput{Decision: id, Label: truth, Time: at.Add(time.Hour)})
				labelled[day]++
				if truth == label {
					correct[day]++
				}
			}
			if _, err := a.Decisions.Record(ctx, owner, "SYS-1", recs, decision.RecordOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Decisions.RecordOutcomes(ctx, owner, "SYS-1", outs); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Monitors.SetSettings(ctx, owner, "SYS-1", monitor.SettingsRequest{Positive: "approve"}); err != nil {
				t.Fatal(err)
			}
			acc, err := a.Monitors.Create(ctx, owner, "SYS-1", monitor.Request{Name: "Accuracy", Metric: monitor.MetricAccuracy,
				Window: monitor.WindowDay, Threshold: 0.6, Direction: monitor.Below, MinSamples: 50})
			if err != nil {
				t.Fatal(err)
			}
			refTo := start.AddDate(0, 0, 7)
			psi, err := a.Monitors.Create(ctx, owner, "SYS-1", monitor.Request{Name: "Income drift", Metric: monitor.MetricPSI, Feature: "income",
				Window: monitor.WindowWeek, Threshold: 0.25, Direction: monitor.Above, MinSamples: 50, ReferenceFrom: &start, ReferenceTo: &refTo})
			if err != nil {
				t.Fatal(err)
			}
			// The background job judges every monitor of every organisation.
			if err := a.Monitors.EvaluateDue(ctx); err != nil {
				t.Fatal(err)
			}
			results, err := a.Monitors.Results(ctx, owner, acc.Ref, start, start.AddDate(0, 0, 14))
			if err != nil || len(results) != 14 {
				t.Fatal(len(results), err)
			}
			for day, r := range results {
				want := float64(correct[day]) / float64(labelled[day])
				if r.Value == nil || math.Abs(*r.Value-want) > 1e-12 || r.N != int64(labelled[day]) {
					t.Errorf("day %d: %+v, want %v of %d", day, r, want, labelled[day])
				}
				if (r.Status == monitor.StatusBreach) != (want < 0.6) {
					t.Errorf("day %d: %s at %v", day, r.Status, want)
				}
			}
			results, err = a.Monitors.Results(ctx, owner, psi.Ref, time.Time{}, start.AddDate(0, 0, 14))
			if err != nil || len(results) != 2 {
				t.Fatal(results, err)
			}
			for w, r := range results {
				var ref, cur []metric.ValueCount
				for v, n := range incomes[0] {
					ref = append(ref, metric.ValueCount{Value: v, N: n})
				}
				for v, n := range incomes[w] {
					cur = append(cur, metric.ValueCount{Value: v, N: n})
				}
				want := metric.NumericDrift(ref, cur, metric.MethodPSI, math.E).Value
				if r.Value == nil || math.Abs(*r.Value-want) > 1e-9 || r.N != 700 {
					t.Errorf("week %d: %+v, want PSI %v", w+1, r, want)
				}
			}
			if results[0].Status != monitor.StatusOK || results[1].Status != monitor.StatusBreach {
				t.Errorf("PSI: week 1 %s, week 2 %s", results[0].Status, results[1].Status)
			}
			// No severity: alerts but no incidents; the open alerts are the owner's reminders.
			alerts, err := a.Monitors.Alerts(ctx, owner, monitor.AlertQuery{Open: true})
			if err != nil {
				t.Fatal(err)
			}
			rem, err := a.Monitors.Reminders(ctx, env.Org.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(alerts) == 0 || len(rem) != len(alerts) || rem[0].UserIDs[0] != owner.UserID || rem[0].Kind != aims.ReminderMonitorAlert {
				t.Fatalf("alerts %+v, reminders %+v", alerts, rem)
			}
			for _, al := range alerts {
				if al.Incident != "" {
					t.Errorf("an alert without severity opened %s", al.Incident)
				}
			}
			// Monitors that judge windows are evidence of monitoring in operation.
			rep, err := a.Readiness.Compute(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, r := range append(rep.Controls, rep.Clauses...) {
				if r.ID == "A.6.2.6" || r.ID == "9.1" {
					found++
					if r.Evidence != 2 {
						t.Errorf("%s counts %d pieces of evidence, want the 2 monitors", r.ID, r.Evidence)
					}
				}
			}
			if found != 2 {
				t.Errorf("readiness has %d of A.6.2.6 and 9.1", found)
			}
			// Judging again changes nothing.
			before := len(env.Actions(env.Org.ID))
			if err := a.Monitors.EvaluateDue(ctx); err != nil || len(env.Actions(env.Org.ID)) != before {
				t.Fatal(err)
			}
		})
	}
}

// TestMetricEnums checks that the metric's enum in the API schema lists
// exactly the metrics there are, in their order.
func TestMetricEnums(t *testing.T) {
	want := strings.Join(monitor.Metrics, ",")
	for _, v := range []any{monitor.Request{}, monitor.Monitor{}} {
		f, ok := reflect.TypeOf(v).FieldByName("Metric")
		if got := f.Tag.Get("enum"); !ok || got != want {
			t.Errorf("%T.Metric enum %q, want %q", v, got, want)
		}
	}
}
