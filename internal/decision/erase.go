package decision

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// EraseRequest names the subject whose decision payloads are to be erased.
type EraseRequest struct {
	Subject string `json:"subject" maxLength:"200" doc:"The subject pseudonym the decisions name."`
	Reason  string `json:"reason" maxLength:"2000" doc:"Why, such as the data subject's erasure request and its reference."`
}

// EraseResult says how many decisions lost their payload.
type EraseResult struct {
	System string `json:"system"`
	Erased int64  `json:"erased"`
}

// EraseSubject erases the payloads, subject pseudonym and sensitive
// attributes of every decision about a subject. The log's leaves stay, so
// every proof and receipt stays valid; the erasure is an audit event, which
// records how many decisions were erased but not the pseudonym.
func (s *Service) EraseSubject(ctx context.Context, actor *aims.Actor, systemRef string, req EraseRequest) (*EraseResult, error) {
	sys, err := s.system(ctx, actor, identity.ActDecisionErase, systemRef)
	if err != nil {
		return nil, err
	}
	var p aims.Problems
	subject := strings.TrimSpace(req.Subject)
	checkShort(&p, field{pos: -1, name: "subject"}, subject, true)
	reason := strings.TrimSpace(req.Reason)
	if reason == "" {
		p.Add("reason", "is required: say why, such as the erasure request's reference")
	} else if len(reason) > 2000 {
		p.Add("reason", "must be at most 2000 characters")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	res := &EraseResult{System: sys.Ref}
	l, err := findLog(ctx, s.db, actor.OrgID, sys)
	if err != nil || l == nil {
		return res, err
	}
	now := s.clock()
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE decision_attributes SET salt = NULL, attributes = NULL, erased_at = ?
			WHERE log_no = ? AND erased_at IS NULL AND idx IN (SELECT idx FROM decisions WHERE log_no = ? AND subject = ?)`,
			now, l.No, l.No, subject); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE decisions SET payload = NULL, subject = NULL, erased_at = ?
			WHERE log_no = ? AND subject = ? AND erased_at IS NULL`, now, l.No, subject)
		if err != nil {
			return err
		}
		if res.Erased, err = r.RowsAffected(); err != nil || res.Erased == 0 {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "decision.erase", tlog.EventObject{Type: ObjectLog, ID: sys.ID, Ref: sys.Ref},
			[]tlog.Change{{Field: "erased", After: []byte(fmt.Sprint(res.Erased))}, {Field: "reason", After: jsonString(reason)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot erase decisions of %s: %w", sys.Ref, err)
	}
	return res, nil
}

// RetentionRequest sets how long a system's decision payloads are kept.
type RetentionRequest struct {
	Days int `json:"days" doc:"Days a decision's payload is kept after it was recorded; at least 183 (six months)."`
}

// SetRetention sets how many days a system's decision payloads are kept.
func (s *Service) SetRetention(ctx context.Context, actor *aims.Actor, systemRef string, req RetentionRequest) (*Log, error) {
	sys, err := s.system(ctx, actor, identity.ActDecisionErase, systemRef)
	if err != nil {
		return nil, err
	}
	if req.Days < MinRetentionDays || req.Days > MaxRetentionDays {
		var p aims.Problems
		p.Add("days", "must be between %d (six months, the EU AI Act's minimum for logs) and %d", MinRetentionDays, MaxRetentionDays)
		return nil, p.Err()
	}
	l, err := s.ensureLog(ctx, actor, sys)
	if err != nil {
		return nil, err
	}
	if l.RetentionDays == req.Days {
		return l, nil
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE decision_logs SET retention_days = ? WHERE no = ?`, req.Days, l.No); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "decision_log.retention", tlog.EventObject{Type: ObjectLog, ID: sys.ID, Ref: sys.Ref},
			[]tlog.Change{{Field: "retention_days", Before: []byte(fmt.Sprint(l.RetentionDays)), After: []byte(fmt.Sprint(req.Days))}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot set the retention of %s: %w", sys.Ref, err)
	}
	l.RetentionDays = req.Days
	return l, nil
}

// retentionActor is who erases payloads past their retention.
var retentionActor = &aims.Actor{Kind: aims.ActorSystem, Name: "aims:retention"}

// EraseExpired erases the payloads of decisions recorded longer ago than
// their system's retention, one audit event per system, and returns how
// many it erased. The job runs it daily.
func (s *Service) EraseExpired(ctx context.Context) (int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT no, org_id, system_id, retention_days FROM decision_logs ORDER BY no`)
	if err != nil {
		return 0, err
	}
	type logRow struct {
		no          int64
		org, system string
		days        int
	}
	var ls []logRow
	for rows.Next() {
		var l logRow
		if err := rows.Scan(&l.no, &l.org, &l.system, &l.days); err != nil {
			rows.Close()
			return 0, err
		}
		ls = append(ls, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var total int64
	now := s.clock()
	for _, l := range ls {
		cutoff := now.Add(-time.Duration(l.days) * 24 * time.Hour)
		var n int64
		err := s.db.WithTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE decision_attributes SET salt = NULL, attributes = NULL, erased_at = ?
				WHERE log_no = ? AND erased_at IS NULL AND idx IN
				(SELECT idx FROM decisions WHERE log_no = ? AND received_at < ? AND erased_at IS NULL)`, now, l.no, l.no, cutoff); err != nil {
				return err
			}
			r, err := tx.ExecContext(ctx, `UPDATE decisions SET payload = NULL, subject = NULL, erased_at = ?
				WHERE log_no = ? AND received_at < ? AND erased_at IS NULL`, now, l.no, cutoff)
			if err != nil {
				return err
			}
			if n, err = r.RowsAffected(); err != nil || n == 0 {
				return err
			}
			sys, err := s.systems.Lookup(ctx, l.org, l.system)
			if err != nil {
				return err
			}
			a := *retentionActor
			a.OrgID = l.org
			return s.logs.Record(ctx, tx, l.org, &a, "decision.retention_erase", tlog.EventObject{Type: ObjectLog, ID: sys.ID, Ref: sys.Ref},
				[]tlog.Change{{Field: "erased", After: []byte(fmt.Sprint(n))},
					{Field: "recorded_before", After: jsonString(cutoff.UTC().Format(time.RFC3339))}})
		})
		if err != nil {
			return total, fmt.Errorf("cannot erase expired decisions: %w", err)
		}
		total += n
	}
	return total, nil
}

func jsonString(s string) []byte {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return []byte(b.String())
}

// OversightRow counts one model version's decisions and their human review.
type OversightRow struct {
	ModelID    string `json:"model_version_id"`
	ModelKey   string `json:"model_version"`
	Decisions  int64  `json:"decisions"`
	Reviewed   int64  `json:"reviewed"`
	Overridden int64  `json:"overridden"`
	// ReviewRate is the share of decisions a person reviewed.
	ReviewRate float64 `json:"review_rate"`
	// OverrideRate is the share of reviewed decisions the reviewer overrode.
	OverrideRate float64 `json:"override_rate"`
}

// Oversight is how often people review and override a system's decisions.
type Oversight struct {
	System   string         `json:"system"`
	Versions []OversightRow `json:"versions"`
	Total    OversightRow   `json:"total"`
}

// Oversight counts a system's decisions, reviews and overrides per model
// version, from tallies kept by every append.
func (s *Service) Oversight(ctx context.Context, actor *aims.Actor, systemRef string) (*Oversight, error) {
	sys, err := s.system(ctx, actor, identity.ActRead, systemRef)
	if err != nil {
		return nil, err
	}
	out := &Oversight{System: sys.Ref, Versions: []OversightRow{}}
	l, err := findLog(ctx, s.db, actor.OrgID, sys)
	if err != nil || l == nil {
		return out, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT model_version_id, review, n FROM decision_tallies WHERE log_no = ?
		ORDER BY model_version_id, review`, l.No)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[string]*OversightRow{}
	var ids []string
	for rows.Next() {
		var id, review string
		var n int64
		if err := rows.Scan(&id, &review, &n); err != nil {
			return nil, err
		}
		r := byID[id]
		if r == nil {
			r = &OversightRow{ModelID: id}
			byID[id] = r
			ids = append(ids, id)
		}
		r.add(review, n)
		out.Total.add(review, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	keys, err := s.models.Keys(ctx, actor.OrgID, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		r := byID[id]
		r.ModelKey = keys[id]
		r.rates()
		out.Versions = append(out.Versions, *r)
	}
	out.Total.rates()
	return out, nil
}

func (r *OversightRow) add(review string, n int64) {
	r.Decisions += n
	if review != ReviewNone {
		r.Reviewed += n
	}
	if review == ReviewOverridden {
		r.Overridden += n
	}
}

func (r *OversightRow) rates() {
	if r.Decisions > 0 {
		r.ReviewRate = float64(r.Reviewed) / float64(r.Decisions)
	}
	if r.Reviewed > 0 {
		r.OverrideRate = float64(r.Overridden) / float64(r.Reviewed)
	}
}
