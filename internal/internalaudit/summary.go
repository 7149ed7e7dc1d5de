package internalaudit

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up internal audits for readiness and management review.
type Summary struct {
	// Programme tells whether an audit programme is recorded.
	Programme bool
	// Planned counts audits planned and not yet reported; Completed those reported since the time asked.
	Planned, Completed int
	// LastReportedOn is when the latest audit report was issued, YYYY-MM-DD; empty when none.
	LastReportedOn string
	// Findings counts, by result (minor, major, observation, opportunity), the findings of audits reported since the time asked.
	Findings map[string]int
	// Overdue are the references of audits past their planned date without a report.
	Overdue []string
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	sum := &Summary{Findings: map[string]int{}, Overdue: []string{}}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM internal_audit_programmes WHERE org_id = ?`, orgID).Scan(&n); err != nil {
		return nil, err
	}
	sum.Programme = n > 0
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM internal_audits WHERE org_id = ? AND status <> 'reported'`, orgID).Scan(&sum.Planned); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM internal_audits WHERE org_id = ? AND status = 'reported' AND reported_at >= ?`,
		orgID, since.UTC()).Scan(&sum.Completed); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(max(reported_on), '') FROM internal_audits WHERE org_id = ? AND status = 'reported'`,
		orgID).Scan(&sum.LastReportedOn); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT f.result, count(*) FROM internal_audit_findings f JOIN internal_audits a ON a.id = f.audit_id
		WHERE f.org_id = ? AND a.reported_at >= ? GROUP BY f.result`, orgID, since.UTC())
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var result string
		var count int
		if err := rows.Scan(&result, &count); err != nil {
			rows.Close()
			return nil, err
		}
		sum.Findings[result] = count
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT ref FROM internal_audits WHERE org_id = ? AND status <> 'reported' AND planned_end < ?
		ORDER BY planned_end, ref`, orgID, s.today())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		sum.Overdue = append(sum.Overdue, ref)
	}
	return sum, rows.Err()
}

// ReminderWindow is how long before an audit's planned start its auditor is reminded.
const ReminderWindow = 14 * 24 * time.Hour

// Reminders lists what is due in the organisation: planned audits starting
// within ReminderWindow (to their auditor), and audits past their planned
// end without a report (to the owners and managers).
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	now := s.clock().UTC()
	today := now.Format(DateLayout)
	rows, err := s.db.QueryContext(ctx, `SELECT ref, title, status, planned_start, planned_end, auditor_id FROM internal_audits
		WHERE org_id = ? AND status <> 'reported' AND (planned_end < ? OR (status = 'planned' AND planned_start <= ?))
		ORDER BY planned_start, ref`, orgID, today, now.Add(ReminderWindow).Format(DateLayout))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []aims.Reminder{}
	for rows.Next() {
		var ref, title, status, start, end, auditor string
		if err := rows.Scan(&ref, &title, &status, &start, &end, &auditor); err != nil {
			return nil, err
		}
		link := "/internal-audits/" + ref
		if end < today {
			due, err := time.Parse(DateLayout, end)
			if err != nil {
				return nil, fmt.Errorf("stored planned end of %s: %w", ref, err)
			}
			out = append(out, aims.Reminder{Key: "internal_audit:" + ref + ":report:" + end, Kind: aims.ReminderActionOverdue, Ref: ref,
				Title: fmt.Sprintf("Internal audit %s (%s) was planned to end on %s and has no report", ref, title, end), Due: due, Link: link})
			continue
		}
		due, err := time.Parse(DateLayout, start)
		if err != nil {
			return nil, fmt.Errorf("stored planned start of %s: %w", ref, err)
		}
		out = append(out, aims.Reminder{Key: "internal_audit:" + ref + ":start:" + start, Kind: aims.ReminderReviewDue, Ref: ref,
			Title: fmt.Sprintf("Internal audit %s (%s) is planned to start on %s", ref, title, start), Due: due, Link: link, UserIDs: []string{auditor}})
	}
	return out, rows.Err()
}
