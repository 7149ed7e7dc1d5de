package monitor

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// Results lists a monitor's judged windows in [from, to), oldest first; a
// zero time leaves that end open.
func (s *Service) Results(ctx context.Context, actor *aims.Actor, ref string, from, to time.Time) ([]Result, error) {
	m, err := s.Get(ctx, actor, ref)
	if err != nil {
		return nil, err
	}
	q, args := `SELECT win_start, value, n, status, judged_at FROM monitor_results WHERE monitor_id = ?`, []any{m.ID}
	if !from.IsZero() {
		q, args = q+` AND win_start >= ?`, append(args, from.UTC())
	}
	if !to.IsZero() {
		q, args = q+` AND win_start < ?`, append(args, to.UTC())
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY win_start`, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot read the results of %s: %w", m.Ref, err)
	}
	defer rows.Close()
	out := []Result{}
	for rows.Next() {
		var r Result
		if err := rows.Scan(&r.Window, &r.Value, &r.N, &r.Status, &r.JudgedAt); err != nil {
			return nil, err
		}
		r.Window, r.JudgedAt = r.Window.UTC(), r.JudgedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Alerts lists alerts, the most recently opened first.
func (s *Service) Alerts(ctx context.Context, actor *aims.Actor, q AlertQuery) ([]Alert, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	rest, args := "", []any{}
	if q.System != "" {
		sys, err := s.systems.Lookup(ctx, actor.OrgID, q.System)
		if err != nil {
			return nil, err
		}
		rest, args = ` AND m.system_id = ?`, append(args, sys.ID)
	}
	if q.Open {
		rest += ` AND a.recovered_at IS NULL`
	}
	return s.alerts(ctx, actor.OrgID, rest+` ORDER BY a.opened_at DESC, a.win_start DESC LIMIT 500`, args...)
}

// alerts reads the organisation's alerts matching rest.
func (s *Service) alerts(ctx context.Context, orgID, rest string, args ...any) ([]Alert, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, m.ref, m.name, m.system_id, m.owner_id, a.win_start, a.value, a.threshold,
		a.direction, a.opened_at, a.incident_ref, a.recovered_at, a.recovery_window
		FROM monitor_alerts a JOIN monitors m ON m.id = a.monitor_id WHERE a.org_id = ?`+rest, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("cannot read alerts: %w", err)
	}
	defer rows.Close()
	out := []Alert{}
	refs := map[string]string{}
	for rows.Next() {
		var a Alert
		if err := rows.Scan(&a.ID, &a.MonitorRef, &a.MonitorName, &a.SystemRef, &a.owner, &a.Window, &a.Value, &a.Threshold,
			&a.Direction, &a.OpenedAt, &a.Incident, &a.RecoveredAt, &a.RecoveryWindow); err != nil {
			return nil, err
		}
		refs[a.SystemRef] = ""
		a.Window, a.OpenedAt, a.RecoveredAt, a.RecoveryWindow = a.Window.UTC(), a.OpenedAt.UTC(), utc(a.RecoveredAt), utc(a.RecoveryWindow)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id := range refs {
		sys, err := s.systems.Lookup(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		refs[id] = sys.Ref
	}
	for i := range out {
		out[i].SystemRef = refs[out[i].SystemRef]
	}
	return out, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Reminders lists the open alerts, for the notification centre to tell
// each monitor's owner once.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	as, err := s.alerts(ctx, orgID, ` AND a.recovered_at IS NULL ORDER BY a.opened_at`)
	if err != nil {
		return nil, err
	}
	out := make([]aims.Reminder, 0, len(as))
	for _, a := range as {
		val := "undefined"
		if a.Value != nil {
			val = strconv.FormatFloat(*a.Value, 'f', 3, 64)
		}
		r := aims.Reminder{Key: "monitor_alert:" + a.ID, Kind: aims.ReminderMonitorAlert, Ref: a.MonitorRef,
			Title: fmt.Sprintf("%s %s on %s: %s, %s the threshold %g", a.MonitorRef, a.MonitorName, a.SystemRef, val, a.Direction, a.Threshold),
			Due:   a.OpenedAt, Link: "/monitors/" + a.MonitorRef}
		if a.owner != "" {
			r.UserIDs = []string{a.owner}
		}
		out = append(out, r)
	}
	return out, nil
}

// Current counts the organisation's active monitors that judged a window
// lately: within two of their windows and their delay. They are evidence
// that AI systems are monitored in operation (A.6.2.6).
func (s *Service) Current(ctx context.Context, orgID string) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT win, delay_hours, evaluated_until FROM monitors
		WHERE org_id = ? AND archived_at IS NULL AND evaluated_until IS NOT NULL`, orgID)
	if err != nil {
		return 0, fmt.Errorf("cannot count monitors: %w", err)
	}
	defer rows.Close()
	now, n := s.clock(), 0
	for rows.Next() {
		var win string
		var delay int
		var until time.Time
		if err := rows.Scan(&win, &delay, &until); err != nil {
			return 0, err
		}
		if until.After(now.Add(-2*windowLength(win) - time.Duration(delay)*time.Hour)) {
			n++
		}
	}
	return n, rows.Err()
}
