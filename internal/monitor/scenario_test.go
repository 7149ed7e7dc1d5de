package monitor_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/apptest"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/monitor"
)

// month is a month of synthetic loan decisions whose fairness degrades in
// its third week: women are approved half as often as men there, and as
// often as men in the other weeks.
type month struct {
	start time.Time // a Monday
	recs  []decision.Record
	outs  []decision.OutcomeInput
}

func newMonth(now time.Time, perDay int) *month {
	d := now.UTC().AddDate(0, 0, -35)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	m := &month{start: d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))}
	rng := rand.New(rand.NewPCG(8, 42))
	for day := range 28 {
		for i := range perDay {
			sex := []string{"female", "male"}[i%2]
			p := 0.5
			if day/7 == 2 && sex == "female" {
				p = 0.25
			}
			label := "deny"
			if rng.Float64() < p {
				label = "approve"
			}
			id := fmt.Sprintf("loan-%d-%d", day, i)
			at := m.start.AddDate(0, 0, day).Add(time.Duration(rng.IntN(86400)) * time.Second)
			score := math.Round(rng.Float64()*100) / 100
			m.recs = append(m.recs, decision.Record{ID: id, Time: at, Model: "1.0.0",
				Inputs:    fmt.Appendf(nil, `{"income": %d, "term": %d}`, 20000+rng.IntN(60000)+day*500, 12*(1+rng.IntN(5))),
				Output:    decision.Output{Label: label, Score: &score},
				Sensitive: map[string]string{"sex": sex}})
			truth := "defaulted"
			if rng.Float64() < 0.7 {
				truth = "repaid"
			}
			m.outs = append(m.outs, decision.OutcomeInput{Decision: id, Label: truth, Time: at.Add(30 * 24 * time.Hour)})
		}
	}
	return m
}

// selection counts the approvals and decisions of a sex in [from, to).
func (m *month) selection(sex string, from, to time.Time) (approved, n int) {
	for _, r := range m.recs {
		if r.Sensitive["sex"] == sex && !r.Time.Before(from) && r.Time.Before(to) {
			n++
			if r.Output.Label == "approve" {
				approved++
			}
		}
	}
	return approved, n
}

// TestMonthWithDegradingFairness replays a month of decisions and outcomes
// as a new user would, with a monitor of the demographic parity ratio by
// sex: it fires in week 3, opens an incident, and recovers in week 4.
func TestMonthWithDegradingFairness(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env, owner := loanSystem(t, dialect)
			a, ctx := env.App, context.Background()
			m := newMonth(time.Now(), 200)
			if _, err := a.Decisions.Record(ctx, owner, "SYS-1", m.recs, decision.RecordOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Decisions.RecordOutcomes(ctx, owner, "SYS-1", m.outs); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Monitors.SetSettings(ctx, owner, "SYS-1", monitor.SettingsRequest{Positive: "approve", PositiveOutcome: "repaid"}); err != nil {
				t.Fatal(err)
			}
			mon, err := a.Monitors.Create(ctx, owner, "SYS-1", monitor.Request{Name: "Approval parity by sex", Metric: monitor.MetricDPRatio,
				Feature: "sex", Window: monitor.WindowWeek, Threshold: 0.8, Direction: monitor.Below, MinSamples: 100, Severity: "high"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := a.Monitors.Evaluate(ctx, owner, mon.Ref)
			if err != nil {
				t.Fatal(err)
			}
			results, err := a.Monitors.Results(ctx, owner, mon.Ref, m.start, m.start.AddDate(0, 0, 28))
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != 4 {
				t.Fatalf("judged %d weeks of the month, want 4: %+v", len(results), results)
			}
			for w, r := range results {
				from := m.start.AddDate(0, 0, 7*w)
				fa, fn := m.selection("female", from, from.AddDate(0, 0, 7))
				ma, mn := m.selection("male", from, from.AddDate(0, 0, 7))
				f, ml := float64(fa)/float64(fn), float64(ma)/float64(mn)
				want := math.Min(f, ml) / math.Max(f, ml)
				if r.Value == nil || math.Abs(*r.Value-want) > 1e-9 || r.N != int64(fn+mn) || !r.Window.Equal(from) {
					t.Errorf("week %d: %+v, want ratio %v of %d", w+1, r, want, fn+mn)
				}
				status := monitor.StatusOK
				if w == 2 {
					status = monitor.StatusBreach
				}
				if r.Status != status {
					t.Errorf("week %d is %s, want %s (ratio %v)", w+1, r.Status, status, want)
				}
			}
			if len(res.Opened) != 1 || res.Recovered != 1 || res.Opened[0].Incident != "INC-1" {
				t.Fatalf("evaluation: %+v", res)
			}
			alerts, err := a.Monitors.Alerts(ctx, owner, monitor.AlertQuery{System: "SYS-1"})
			if err != nil {
				t.Fatal(err)
			}
			week3 := m.start.AddDate(0, 0, 14)
			if len(alerts) != 1 || !alerts[0].Window.Equal(week3) || alerts[0].Incident != "INC-1" || alerts[0].RecoveryWindow == nil ||
				!alerts[0].RecoveryWindow.Equal(week3.AddDate(0, 0, 7)) {
				t.Fatalf("alerts: %+v", alerts)
			}
			inc, err := a.Incidents.Get(ctx, owner, "INC-1")
			if err != nil {
				t.Fatal(err)
			}
			if inc.Severity != "high" || len(inc.Systems) != 1 || inc.Systems[0].Ref != "SYS-1" || !inc.OccurredAt.Equal(week3) ||
				!strings.Contains(inc.Description, "demographic_parity_ratio") {
				t.Errorf("incident: %+v", inc)
			}
			acts := env.Actions(env.Org.ID)
			for _, want := range []string{"monitor_settings.set", "monitor.create", "monitor.evaluate", "monitor_alert.open", "incident.create",
				"monitor_alert.incident", "monitor_alert.recover"} {
				if !slices.Contains(acts, want) {
					t.Errorf("no %s audit event in %v", want, acts)
				}
			}
			// Judging again finds nothing new to judge.
			if again, err := a.Monitors.Evaluate(ctx, owner, mon.Ref); err != nil || len(again.Opened) != 0 || again.Recovered != 0 {
				t.Fatalf("again: %+v %v", again, err)
			}

			// The report of the month shows week 3 in the series and the whole month's parity.
			rep, err := a.Monitors.Report(ctx, owner, "SYS-1", monitor.ReportQuery{From: m.start, To: m.start.AddDate(0, 0, 28),
				Window: monitor.WindowWeek, ReferenceFrom: &m.start, ReferenceTo: ptr(m.start.AddDate(0, 0, 7))})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Series) != 4 || len(rep.Fairness) != 1 || rep.Fairness[0].Feature != "sex" {
				t.Fatalf("report: %d windows, fairness %+v", len(rep.Series), rep.Fairness)
			}
			for _, g := range rep.Groups {
				from := week3
				app, n := m.selection(g.Group, from, from.AddDate(0, 0, 7))
				if p := g.Points[2]; p.SelectionRate == nil || math.Abs(*p.SelectionRate-float64(app)/float64(n)) > 1e-12 || p.N != int64(n) {
					t.Errorf("%s in week 3: %+v, want %d of %d", g.Group, p, app, n)
				}
			}
			end := m.start.AddDate(0, 0, 28)
			fa, fn := m.selection("female", m.start, end)
			ma, mn := m.selection("male", m.start, end)
			f, ml := float64(fa)/float64(fn), float64(ma)/float64(mn)
			var dp *float64
			for _, d := range rep.Fairness[0].Disparities {
				if d.Metric == monitor.MetricDPDifference && d.Method == "between_groups" {
					dp = d.Value
				}
			}
			if dp == nil || math.Abs(*dp-math.Abs(ml-f)) > 1e-12 {
				t.Errorf("month's demographic parity difference %v, want %v", dp, math.Abs(ml-f))
			}
			// Income drifts upwards day by day: the drift table has it and the term.
			var features []string
			for _, d := range rep.Drift {
				features = append(features, d.Feature)
			}
			for _, want := range []string{"income", "term", monitor.FeatureOutputLabel, monitor.FeatureOutputScore} {
				if !slices.Contains(features, want) {
					t.Errorf("drift table lacks %s: %v", want, features)
				}
			}
		})
	}
}

// TestBreachOfOwnerlessMonitor opens the incident of a breach whose
// monitor has a name as long as allowed and an owner who has left the
// organisation: the title is shortened to fit, and the incident, opened
// without an owner, says why.
func TestBreachOfOwnerlessMonitor(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env, owner := loanSystem(t, dialect)
			a, ctx := env.App, context.Background()
			m := newMonth(time.Now(), 20)
			if _, err := a.Decisions.Record(ctx, owner, "SYS-1", m.recs[:7*20], decision.RecordOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Monitors.SetSettings(ctx, owner, "SYS-1", monitor.SettingsRequest{Positive: "approve"}); err != nil {
				t.Fatal(err)
			}
			leaver, _, err := a.Identity.AddMember(ctx, owner, identity.AddMemberRequest{Email: "leaver@example.org", Name: "Lee Leaver", Role: aims.RoleManager})
			if err != nil {
				t.Fatal(err)
			}
			// A ratio is never above 1: every week with both sexes breaches.
			name := strings.Repeat("ä", 200)
			mon, err := a.Monitors.Create(ctx, owner, "SYS-1", monitor.Request{Name: name, Metric: monitor.MetricDPRatio, Feature: "sex",
				Window: monitor.WindowWeek, Threshold: 1.01, Direction: monitor.Below, MinSamples: 10, Severity: "low", OwnerID: leaver.UserID})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Identity.RemoveMember(ctx, owner, leaver.UserID); err != nil {
				t.Fatal(err)
			}
			res, err := a.Monitors.Evaluate(ctx, owner, mon.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Opened) != 1 || res.Opened[0].Incident != "INC-1" {
				t.Fatalf("evaluation: %+v", res)
			}
			inc, err := a.Incidents.Get(ctx, owner, "INC-1")
			if err != nil {
				t.Fatal(err)
			}
			if n := utf8.RuneCountInString(inc.Title); n != 200 || !strings.HasPrefix(inc.Title, "SYS-1: ää") ||
				!strings.HasSuffix(inc.Title, "ä… breached its threshold") {
				t.Errorf("title of %d characters: %q", n, inc.Title)
			}
			if inc.OwnerID == leaver.UserID || !strings.Contains(inc.Description, "owner_id names "+leaver.UserID) {
				t.Errorf("incident owned by %q: %s", inc.OwnerID, inc.Description)
			}
		})
	}
}

// TestChangingTheWindow judges a monitor by day up to a Wednesday, then
// by week: judging goes on from the next Monday, each week holding its
// decisions, and no window is judged twice.
func TestChangingTheWindow(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			env, owner := loanSystem(t, dialect)
			a, ctx := env.App, context.Background()
			d := time.Now().UTC().AddDate(0, 0, -35)
			d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
			monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
			var recs []decision.Record
			for h := range 28 * 24 {
				recs = append(recs, decision.Record{ID: fmt.Sprint("d", h), Time: monday.Add(time.Duration(h)*time.Hour + 10*time.Minute),
					Model: "1.0.0", Output: decision.Output{Label: []string{"approve", "deny"}[h%2]}})
			}
			if _, err := a.Decisions.Record(ctx, owner, "SYS-1", recs, decision.RecordOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Monitors.SetSettings(ctx, owner, "SYS-1", monitor.SettingsRequest{Positive: "approve"}); err != nil {
				t.Fatal(err)
			}
			// Judged by day until the Wednesday of the second week: the delay keeps the later days waiting.
			wednesday := monday.AddDate(0, 0, 9)
			req := monitor.Request{Name: "Approvals", Metric: monitor.MetricSelectionRate, Window: monitor.WindowDay, Threshold: 0.1,
				Direction: monitor.Below, MinSamples: 1, DelayHours: int(time.Since(wednesday).Hours())}
			mon, err := a.Monitors.Create(ctx, owner, "SYS-1", req)
			if err != nil {
				t.Fatal(err)
			}
			if res, err := a.Monitors.Evaluate(ctx, owner, mon.Ref); err != nil || res.Judged != 9 {
				t.Fatalf("by day: %+v %v", res, err)
			}
			if mon, err = a.Monitors.Get(ctx, owner, mon.Ref); err != nil || !mon.EvaluatedUntil.Equal(wednesday) {
				t.Fatalf("judged until %v, want %v (%v)", mon.EvaluatedUntil, wednesday, err)
			}
			req.Window, req.DelayHours = monitor.WindowWeek, 0
			if mon, err = a.Monitors.Update(ctx, owner, mon.Ref, monitor.UpdateRequest{Version: mon.Version, Request: req}); err != nil {
				t.Fatal(err)
			}
			if next := monday.AddDate(0, 0, 14); !mon.EvaluatedUntil.Equal(next) {
				t.Errorf("after the change judged until %v, want the next Monday %v", mon.EvaluatedUntil, next)
			}
			if _, err := a.Monitors.Evaluate(ctx, owner, mon.Ref); err != nil {
				t.Fatal(err)
			}
			rs, err := a.Monitors.Results(ctx, owner, mon.Ref, monday, monday.AddDate(0, 0, 28))
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 11 {
				t.Fatalf("%d results, want 9 days and 2 weeks: %+v", len(rs), rs)
			}
			for i, r := range rs[9:] {
				if w := monday.AddDate(0, 0, 14+7*i); !r.Window.Equal(w) || r.N != 7*24 || r.Status != monitor.StatusOK {
					t.Errorf("week %d: %+v, want %v with %d decisions", i+3, r, w, 7*24)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// loanSystem returns a new application with SYS-1, a loan approval
// system, its model MDL-1 and version 1.0.0, and the owner who made them.
func loanSystem(t *testing.T, dialect db.Dialect) (*apptest.Env, *aims.Actor) {
	t.Helper()
	env := apptest.New(t, dialect)
	a, ctx := env.App, context.Background()
	owner := ownerOf(t, env)
	if _, err := a.Systems.Create(ctx, owner, aisystem.CreateRequest{Name: "Loan approvals", IntendedPurpose: "Decide on loans"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Models.Create(ctx, owner, model.CreateRequest{System: "SYS-1", Name: "Scorer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Models.CreateVersion(ctx, owner, "MDL-1", model.VersionRequest{Label: "1.0.0", Digest: strings.Repeat("ab", 32)}); err != nil {
		t.Fatal(err)
	}
	return env, owner
}

// ownerOf returns the actor of the organisation's owner.
func ownerOf(t testing.TB, env *apptest.Env) *aims.Actor {
	t.Helper()
	var id string
	if err := env.App.DB.QueryRowContext(context.Background(), `SELECT id FROM users WHERE email = ?`, env.OwnerEmail).Scan(&id); err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Identity.ActorFor(context.Background(), id, env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
