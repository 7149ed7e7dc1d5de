package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// maxWindowsPerRun bounds how many windows one evaluation of a monitor
// judges; the next run goes on from there.
const maxWindowsPerRun = 1000

// Evaluate judges a monitor's due windows now, as the background job does
// every minute.
func (s *Service) Evaluate(ctx context.Context, actor *aims.Actor, ref string) (*EvaluateResult, error) {
	if err := identity.Authorize(actor, identity.ActMonitorEdit); err != nil {
		return nil, err
	}
	m, err := s.get(ctx, s.db, actor.OrgID, ref)
	if err != nil {
		return nil, err
	}
	if m.Archived {
		return nil, aims.Errorf(aims.CodeConflict, "%s is archived: it judges no more windows", m.Ref)
	}
	return s.evaluate(ctx, actor, m)
}

// EvaluateDue judges the due windows of every active monitor of every
// organisation.
func (s *Service) EvaluateDue(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT org_id, ref FROM monitors WHERE archived_at IS NULL ORDER BY org_id, ref`)
	if err != nil {
		return fmt.Errorf("cannot list monitors: %w", err)
	}
	var todo [][2]string
	for rows.Next() {
		var org, ref string
		if err := rows.Scan(&org, &ref); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, [2]string{org, ref})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, t := range todo {
		m, err := s.get(ctx, s.db, t[0], t[1])
		if err == nil {
			_, err = s.evaluate(ctx, jobActor(t[0]), m)
		}
		if err != nil {
			slog.Error("cannot judge a monitor's windows", "monitor", t[1], "err", err)
		}
	}
	return nil
}

// judgement is a window's result and what it does to the monitor's state.
type judgement struct {
	Result
	opens, recovers bool
}

// evaluate judges the windows of a monitor that have ended (and waited
// the monitor's delay) since the last judged one.
func (s *Service) evaluate(ctx context.Context, actor *aims.Actor, m *Monitor) (*EvaluateResult, error) {
	res := &EvaluateResult{Monitor: m.Ref, Opened: []Alert{}}
	length := windowLength(m.Window)
	now := s.clock()
	due := now.Add(-time.Duration(m.DelayHours) * time.Hour)
	start := time.Time{}
	if m.EvaluatedUntil != nil {
		start = *m.EvaluatedUntil
	} else {
		first, _, ok, err := s.stats.StatsSpan(ctx, actor.OrgID, m.SystemID)
		if err != nil || !ok {
			return res, err
		}
		start = windowStart(first, m.Window)
	}
	end := start
	for end.Add(length).Compare(due) <= 0 && int(end.Sub(start)/length) < maxWindowsPerRun {
		end = end.Add(length)
	}
	if !end.After(start) {
		return res, nil
	}
	sys := &System{ID: m.SystemID, Ref: m.SystemRef}
	st, err := settingsOf(ctx, s.db, actor.OrgID, sys)
	if err != nil {
		return nil, err
	}
	drift := slices.Contains(driftMetrics, m.Metric)
	all, err := s.stats.SystemStats(ctx, actor.OrgID, m.SystemID, StatsQuery{From: start, To: end, Window: length,
		ModelVersionID: m.ModelVersionID, Inputs: drift})
	if err != nil {
		return nil, err
	}
	var ref *Stats
	var prof *Profile
	if drift && m.ReferenceDataset != "" {
		if prof, err = s.profiles.Profile(ctx, actor.OrgID, m.ReferenceDataset); err != nil {
			return nil, fmt.Errorf("cannot read the reference profile of %s: %w", m.Ref, err)
		}
	} else if drift {
		if ref, err = s.stats.SystemStats(ctx, actor.OrgID, m.SystemID, StatsQuery{From: *m.ReferenceFrom, To: *m.ReferenceTo,
			ModelVersionID: m.ModelVersionID, Inputs: true}); err != nil {
			return nil, err
		}
	}
	byWindow := split(all)
	state := m.State
	var judged []judgement
	for w := start; w.Before(end); w = w.Add(length) {
		cur := byWindow[w.Unix()]
		if cur == nil {
			cur = &Stats{}
		}
		v, n := measure(m, st, cur, ref, prof)
		j := judgement{Result: Result{Window: w, N: n, Status: StatusInsufficient, JudgedAt: now}}
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			j.Value = &v
			j.Status = StatusOK
			if m.breached(v) {
				j.Status = StatusBreach
			}
		}
		switch {
		case j.Status == StatusBreach && state != StateAlert:
			j.opens, state = true, StateAlert
		case j.Status == StatusOK && state == StateAlert:
			j.recovers, state = true, StateOK
		}
		judged = append(judged, j)
	}
	var opened []Alert
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		opened, res.Breaches, res.Recovered = nil, 0, 0 // afresh, should the transaction be retried
		// Claim the windows: another process that judged them first wins.
		claim, args := `evaluated_until IS NULL`, []any{end, state, m.ID}
		if m.EvaluatedUntil != nil {
			claim, args = `evaluated_until = ?`, append(args, *m.EvaluatedUntil)
		}
		r, err := tx.ExecContext(ctx, `UPDATE monitors SET evaluated_until = ?, state = ? WHERE id = ? AND archived_at IS NULL AND `+claim, args...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errClaimed
		}
		if err := s.recordJudged(ctx, tx, actor, m, start, end, state, judged); err != nil {
			return err
		}
		rows := make([][]any, 0, len(judged))
		for _, j := range judged {
			rows = append(rows, []any{m.ID, j.Window, j.Value, j.N, j.Status, now})
		}
		if err := tx.Insert(ctx, "monitor_results", []string{"monitor_id", "win_start", "value", "n", "status", "judged_at"}, rows); err != nil {
			return err
		}
		for _, j := range judged {
			switch {
			case j.opens:
				a := Alert{ID: aims.NewID(), MonitorRef: m.Ref, MonitorName: m.Name, SystemRef: m.SystemRef, Window: j.Window,
					Value: j.Value, Threshold: m.Threshold, Direction: m.Direction, OpenedAt: now}
				if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_alerts (id, org_id, monitor_id, win_start, value, threshold,
					direction, opened_at, incident_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')`,
					a.ID, actor.OrgID, m.ID, a.Window, a.Value, a.Threshold, a.Direction, now); err != nil {
					return err
				}
				if err := s.recordAlert(ctx, tx, actor, "monitor_alert.open", m, &a, j.Result); err != nil {
					return err
				}
				if m.Severity != "" {
					if err := s.openIncident(ctx, tx, actor, m, &a); err != nil {
						return err
					}
				}
				opened = append(opened, a)
				res.Breaches++
			case j.recovers:
				var id string
				if err := tx.QueryRowContext(ctx, `SELECT id FROM monitor_alerts WHERE monitor_id = ? AND recovered_at IS NULL
					ORDER BY opened_at DESC, win_start DESC`, m.ID).Scan(&id); err != nil {
					return fmt.Errorf("cannot find the open alert: %w", err)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE monitor_alerts SET recovered_at = ?, recovery_window = ? WHERE id = ?`,
					now, j.Window, id); err != nil {
					return err
				}
				a := Alert{ID: id, MonitorRef: m.Ref, Window: j.Window}
				if err := s.recordAlert(ctx, tx, actor, "monitor_alert.recover", m, &a, j.Result); err != nil {
					return err
				}
				res.Recovered++
			case j.Status == StatusBreach:
				res.Breaches++
			}
		}
		return nil
	})
	if err == errClaimed {
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot judge the windows of %s: %w", m.Ref, err)
	}
	res.Judged = len(judged)
	res.Opened = append(res.Opened, opened...)
	return res, nil
}

// errClaimed means another process judged the windows first.
var errClaimed = fmt.Errorf("the windows were judged by another process")

// recordJudged writes the audit event of judging a monitor's windows from
// start to end: how many, how many breached, and the state it leaves.
func (s *Service) recordJudged(ctx context.Context, tx *db.Tx, actor *aims.Actor, m *Monitor, start, end time.Time, state string,
	judged []judgement) error {
	type audited struct {
		From     string `json:"from"`
		To       string `json:"to"`
		Windows  int    `json:"windows"`
		Breaches int    `json:"breaches"`
		State    string `json:"state"`
	}
	a := audited{From: start.Format(time.RFC3339), To: end.Format(time.RFC3339), Windows: len(judged), State: state}
	for _, j := range judged {
		if j.Status == StatusBreach {
			a.Breaches++
		}
	}
	after, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, "monitor.evaluate", tlog.EventObject{Type: ObjectMonitor, ID: m.ID, Ref: m.Ref},
		[]tlog.Change{{Field: "judged", After: after}})
}

// recordAlert writes an alert's audit event.
func (s *Service) recordAlert(ctx context.Context, tx *db.Tx, actor *aims.Actor, action string, m *Monitor, a *Alert, r Result) error {
	type audited struct {
		Monitor   string   `json:"monitor"`
		Window    string   `json:"window"`
		Value     *float64 `json:"value"`
		N         int64    `json:"n"`
		Threshold float64  `json:"threshold"`
		Direction string   `json:"direction"`
	}
	after, err := json.Marshal(audited{m.Ref, r.Window.Format(time.RFC3339), r.Value, r.N, m.Threshold, m.Direction})
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectAlert, ID: a.ID, Ref: m.Ref},
		[]tlog.Change{{Field: "alert", After: after}})
}

// openIncident opens the incident of an alert within the transaction that
// opens the alert, as the monitor's owner would, and links the two. When
// the owner can no longer own it (they left the organisation), the
// incident is opened without an owner; when it cannot be opened at all,
// the alert stands alone and the reason is logged, so that monitoring goes on.
func (s *Service) openIncident(ctx context.Context, tx *db.Tx, actor *aims.Actor, m *Monitor, a *Alert) error {
	val := "undefined"
	if a.Value != nil {
		val = strconv.FormatFloat(*a.Value, 'f', 4, 64)
	}
	desc := fmt.Sprintf("Monitor %s (%s) found %s = %s in the %s window starting %s, %s its threshold %g. "+
		"Opened by aims monitoring; see /monitors/%s.", m.Ref, m.Name, m.Metric, val, m.Window,
		a.Window.Format("2006-01-02 15:04 UTC"), m.Direction, m.Threshold, m.Ref)
	if m.Feature != "" {
		desc += " Feature: " + m.Feature + "."
	}
	req := IncidentRequest{
		Title:       incidentTitle(m),
		Description: desc, OccurredAt: a.Window, Severity: m.Severity, OwnerID: m.OwnerID, SystemRef: m.SystemRef,
		ModelVersionID: m.ModelVersionID, ReportedBy: "monitor " + m.Ref,
	}
	ref, err := s.incidents.Open(ctx, tx, jobActor(actor.OrgID), req)
	if aims.CodeOf(err) == aims.CodeInvalid && req.OwnerID != "" {
		req.OwnerID = ""
		req.Description += " It has no owner: the monitor's owner could not own it (" + err.Error() + ")."
		ref, err = s.incidents.Open(ctx, tx, jobActor(actor.OrgID), req)
	}
	if aims.CodeOf(err) == aims.CodeInvalid {
		slog.Error("cannot open the incident of a monitor's alert; the alert stands alone", "monitor", m.Ref, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot open the incident of %s's alert: %w", m.Ref, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE monitor_alerts SET incident_ref = ? WHERE id = ?`, ref, a.ID); err != nil {
		return err
	}
	a.Incident = ref
	after, _ := json.Marshal(ref)
	return s.logs.Record(ctx, tx, actor.OrgID, actor, "monitor_alert.incident", tlog.EventObject{Type: ObjectAlert, ID: a.ID, Ref: m.Ref},
		[]tlog.Change{{Field: "incident", After: after}})
}

// incidentTitle names the incident of a monitor's breach, shortening the
// monitor's name so that the title fits an incident's 200 characters.
func incidentTitle(m *Monitor) string {
	const suffix, most = " breached its threshold", 200
	name := []rune(m.Name)
	if room := most - len([]rune(m.SystemRef+": "+suffix)); len(name) > room {
		name = append(name[:room-1], '…')
	}
	return m.SystemRef + ": " + string(name) + suffix
}

// windowStart returns the start of the window of kind w that t falls in.
func windowStart(t time.Time, w string) time.Time {
	t = t.UTC()
	switch w {
	case WindowHour:
		return t.Truncate(time.Hour)
	case WindowDay:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// split divides statistics read window by window into one Stats per window start.
func split(s *Stats) map[int64]*Stats {
	out := map[int64]*Stats{}
	get := func(t time.Time) *Stats {
		x := out[t.Unix()]
		if x == nil {
			x = &Stats{}
			out[t.Unix()] = x
		}
		return x
	}
	for _, c := range s.Counts {
		x := get(c.Window)
		x.Counts = append(x.Counts, c)
	}
	for _, c := range s.Scores {
		x := get(c.Window)
		x.Scores = append(x.Scores, c)
	}
	for _, c := range s.Inputs {
		x := get(c.Window)
		x.Inputs = append(x.Inputs, c)
	}
	return out
}
