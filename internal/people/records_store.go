package people

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

const selectRecord = `SELECT t.id, t.ref, t.user_id, COALESCE(u.name, ''), COALESCE(u.email, ''), COALESCE(k.id, ''), COALESCE(k.ref, ''),
	COALESCE(k.title, ''), t.activity, t.activity_title, t.completed_on, t.expires_on, t.notes, COALESCE(o.ref, ''),
	COALESCE((SELECT n.ref FROM training_records n WHERE n.replaces_id = t.id), ''),
	COALESCE(w.reason, ''), COALESCE(w.withdrawn_by, ''), w.withdrawn_at, t.recorded_by, t.created_at
	FROM training_records t
	LEFT JOIN users u ON u.id = t.user_id
	LEFT JOIN training_courses k ON k.id = t.course_id
	LEFT JOIN training_records o ON o.id = t.replaces_id
	LEFT JOIN training_withdrawals w ON w.record_id = t.id`

// readRecords reads training records with their competences and evidence, and works out their state on the day today.
func readRecords(ctx context.Context, q db.Queryer, today, where string, args ...any) ([]TrainingRecord, error) {
	rows, err := q.QueryContext(ctx, selectRecord+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	out := []TrainingRecord{}
	for rows.Next() {
		var r TrainingRecord
		var cid, cref, ctitle, reason, by string
		var at *time.Time
		if err := rows.Scan(&r.ID, &r.Ref, &r.Person.UserID, &r.Person.Name, &r.Person.Email, &cid, &cref, &ctitle, &r.Activity,
			&r.ActivityTitle, &r.CompletedOn, &r.ExpiresOn, &r.Notes, &r.Replaces, &r.ReplacedBy, &reason, &by, &at,
			&r.RecordedBy, &r.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		if cid != "" {
			r.Course = &Named{ID: cid, Ref: cref, Name: ctitle}
		}
		if at != nil {
			r.Withdrawal = &Withdrawal{Reason: reason, By: by, At: *at}
		}
		r.State = r.state(today)
		r.Competences, r.Evidence = []Named{}, []EvidenceRef{}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	index := map[string]int{}
	ids := make([]any, len(out))
	for i, r := range out {
		index[r.ID], ids[i] = i, r.ID
	}
	crows, err := q.QueryContext(ctx, `SELECT x.record_id, c.id, c.ref, c.name FROM training_record_competences x
		JOIN competences c ON c.id = x.competence_id WHERE x.record_id IN `+inList(len(ids))+` ORDER BY c.name_key`, ids...)
	if err != nil {
		return nil, err
	}
	for crows.Next() {
		var rid string
		var l Named
		if err := crows.Scan(&rid, &l.ID, &l.Ref, &l.Name); err != nil {
			crows.Close()
			return nil, err
		}
		out[index[rid]].Competences = append(out[index[rid]].Competences, l)
	}
	crows.Close()
	if err := crows.Err(); err != nil {
		return nil, err
	}
	erows, err := q.QueryContext(ctx, `SELECT record_id, evidence_id, evidence_ref FROM training_record_evidence
		WHERE record_id IN `+inList(len(ids))+` ORDER BY record_id, position`, ids...)
	if err != nil {
		return nil, err
	}
	defer erows.Close()
	for erows.Next() {
		var rid string
		var e EvidenceRef
		if err := erows.Scan(&rid, &e.ID, &e.Ref); err != nil {
			return nil, err
		}
		out[index[rid]].Evidence = append(out[index[rid]].Evidence, e)
	}
	return out, erows.Err()
}

func (s *Service) getRecord(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*TrainingRecord, error) {
	col, key := keyOf("t", idOrRef)
	out, err := readRecords(ctx, q, s.today(), `t.org_id = ? AND `+col+` = ?`, orgID, key)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, aims.NotFound("training record", idOrRef)
	}
	return &out[0], nil
}

// GetRecord returns a training record by id or reference, with the titles of its evidence.
func (s *Service) GetRecord(ctx context.Context, actor *aims.Actor, idOrRef string) (*TrainingRecord, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := s.getRecord(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	for i, e := range r.Evidence {
		info, err := s.sources.Evidence(ctx, actor, e.ID)
		if aims.CodeOf(err) == aims.CodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		r.Evidence[i].Title = info.Title
	}
	return r, nil
}

// RecordTraining records training a person completed, with its audit
// event; a record that replaces another also writes an event on that one.
// Editors record for anyone in the organisation, themselves included.
func (s *Service) RecordTraining(ctx context.Context, actor *aims.Actor, req RecordRequest) (*TrainingRecord, error) {
	if err := identity.Authorize(actor, identity.ActTrainingRecord); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, oldID, err := s.checkRecord(ctx, tx, actor, &req)
		if err != nil {
			return err
		}
		ref, err := db.NextRef(ctx, tx, actor.OrgID, recordPrefix)
		if err != nil {
			return err
		}
		r.ID, r.Ref = aims.NewID(), ref
		id = r.ID
		var courseID, replacesID any
		if r.Course != nil {
			courseID = r.Course.ID
		}
		if oldID != "" {
			replacesID = oldID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO training_records (id, org_id, ref, user_id, course_id, activity, activity_title,
			completed_on, expires_on, notes, replaces_id, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, actor.OrgID, r.Ref, r.Person.UserID, courseID, r.Activity, r.ActivityTitle, r.CompletedOn, r.ExpiresOn, r.Notes,
			replacesID, actor.UserID, s.clock()); err != nil {
			if db.IsUniqueViolation(err) {
				return aims.Errorf(aims.CodeConflict, "%s was replaced by another record meanwhile: reload it", r.Replaces)
			}
			return err
		}
		for _, c := range r.Competences {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_record_competences (org_id, record_id, competence_id) VALUES (?, ?, ?)`,
				actor.OrgID, r.ID, c.ID); err != nil {
				return err
			}
		}
		for i, e := range r.Evidence {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_record_evidence (org_id, record_id, evidence_id, evidence_ref, position)
				VALUES (?, ?, ?, ?, ?)`, actor.OrgID, r.ID, e.ID, e.Ref, i+1); err != nil {
				return err
			}
		}
		ch, err := tlog.Changes(nil, r.audit())
		if err != nil {
			return err
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRecordCreate, tlog.EventObject{Type: ObjectRecord, ID: r.ID, Ref: r.Ref}, ch); err != nil {
			return err
		}
		if oldID == "" {
			return nil
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRecordReplace, tlog.EventObject{Type: ObjectRecord, ID: oldID, Ref: r.Replaces},
			[]tlog.Change{{Field: "replaced_by", Before: mustJSON(""), After: mustJSON(r.Ref)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record training: %w", err)
	}
	return s.GetRecord(ctx, actor, id)
}

// checkRecord validates a request and resolves what it names, returning
// the record to store and the id of the record it replaces, if any.
func (s *Service) checkRecord(ctx context.Context, tx *db.Tx, actor *aims.Actor, req *RecordRequest) (*TrainingRecord, string, error) {
	var p aims.Problems
	var oldID string
	r := &TrainingRecord{Activity: strings.TrimSpace(req.Activity), ActivityTitle: req.ActivityTitle, CompletedOn: req.CompletedOn,
		ExpiresOn: req.ExpiresOn, Notes: req.Notes}
	text(&p, "notes", &r.Notes, false, maxLongText)
	if strings.TrimSpace(req.Replaces) != "" {
		old, err := s.getRecord(ctx, tx, actor.OrgID, req.Replaces)
		switch {
		case aims.CodeOf(err) == aims.CodeNotFound:
			p.Add("replaces", "names %s, which is not a training record of this organisation", req.Replaces)
		case err != nil:
			return nil, "", err
		case old.Withdrawal != nil:
			p.Add("replaces", "names %s, which was withdrawn", old.Ref)
		case old.ReplacedBy != "":
			p.Add("replaces", "names %s, which %s already replaces: correct that one instead", old.Ref, old.ReplacedBy)
		default:
			oldID, r.Replaces = old.ID, old.Ref
			if strings.TrimSpace(req.Person) == "" {
				req.Person = old.Person.UserID
			}
			if !strings.EqualFold(strings.TrimSpace(req.Person), old.Person.UserID) && !strings.EqualFold(strings.TrimSpace(req.Person), old.Person.Email) {
				p.Add("person", "must be %s, whose record %s this corrects", old.Person.Email, old.Ref)
			}
		}
	}
	if strings.TrimSpace(req.Person) == "" {
		if !p.Has("replaces") {
			p.Add("person", "is required")
		}
	} else if ps, err := s.resolveMembers(ctx, actor.OrgID, "person", []string{req.Person}, &p); err != nil {
		return nil, "", err
	} else if len(ps) == 1 {
		r.Person = ps[0]
	}
	completed, completedOK := checkDate(&p, "completed_on", &r.CompletedOn)
	if r.CompletedOn == "" {
		r.CompletedOn = s.today()
		completed, completedOK = checkDate(&p, "completed_on", &r.CompletedOn)
	}
	if completedOK && r.CompletedOn > s.today() {
		p.Add("completed_on", "must not be in the future (today is %s)", s.today())
	}
	expires, expiresOK := checkDate(&p, "expires_on", &r.ExpiresOn)
	course := strings.TrimSpace(req.Course)
	switch {
	case course != "" && r.Activity != "":
		p.Add("activity", "must be left out when a course is given")
	case course != "":
		c, err := s.getCourse(ctx, tx, actor.OrgID, course)
		switch {
		case aims.CodeOf(err) == aims.CodeNotFound:
			p.Add("course", "names %s, which is not a course of this organisation", course)
		case err != nil:
			return nil, "", err
		case c.Status != StatusActive:
			p.Add("course", "names %s, which is archived", c.Ref)
		default:
			r.Course, r.Competences = &Named{ID: c.ID, Ref: c.Ref, Name: c.Title}, c.Competences
			if len(req.Competences) > 0 {
				p.Add("competences", "are those of the course %s: leave them out", c.Ref)
			}
			if strings.TrimSpace(req.ActivityTitle) != "" {
				p.Add("activity_title", "must be left out when a course is given")
			}
			if c.ValidityMonths > 0 && completedOK {
				computed := AddMonths(completed, c.ValidityMonths).Format(DateLayout)
				if r.ExpiresOn != "" && r.ExpiresOn != computed {
					p.Add("expires_on", "is computed from the course's validity of %d months (%s): leave it out", c.ValidityMonths, computed)
				}
				r.ExpiresOn = computed
			}
		}
	case r.Activity != "":
		if !slices.Contains(Activities, r.Activity) {
			p.Add("activity", "must be one of %s", strings.Join(Activities, ", "))
		}
		text(&p, "activity_title", &r.ActivityTitle, true, maxName)
		cs, err := s.resolveCompetences(ctx, tx, actor.OrgID, "competences", req.Competences, nil, &p)
		if err != nil {
			return nil, "", err
		}
		if len(cs) == 0 && !p.Has("competences") {
			p.Add("competences", "are required: name what the %s confers", r.Activity)
		}
		r.Competences = cs
	default:
		p.Add("course", "is required: name a course, or give an activity (education, experience or other) instead")
	}
	if expiresOK && completedOK && !p.Has("expires_on") && !expires.After(completed) {
		p.Add("expires_on", "must be after the day it was completed (%s)", r.CompletedOn)
	}
	ev, err := s.resolveEvidence(ctx, actor, req.Evidence, &p)
	if err != nil {
		return nil, "", err
	}
	r.Evidence = ev
	return r, oldID, p.Err()
}

// resolveEvidence finds the evidence a request names, recording a problem for each it cannot find.
func (s *Service) resolveEvidence(ctx context.Context, actor *aims.Actor, keys []string, p *aims.Problems) ([]EvidenceRef, error) {
	out := []EvidenceRef{}
	seen := map[string]bool{}
	for _, key := range keys {
		if key = strings.TrimSpace(key); key == "" {
			continue
		}
		e, err := s.sources.Evidence(ctx, actor, key)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("evidence", "names %s, which is not evidence of this organisation", key)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, EvidenceRef{ID: e.ID, Ref: e.Ref, Title: e.Title})
		}
	}
	if len(out) > maxEvidence {
		p.Add("evidence", "must list at most %d", maxEvidence)
	}
	return out, nil
}

// WithdrawRecord withdraws a training record with a reason; it stops counting and stays in the history.
func (s *Service) WithdrawRecord(ctx context.Context, actor *aims.Actor, idOrRef string, req WithdrawRequest) (*TrainingRecord, error) {
	if err := identity.Authorize(actor, identity.ActTrainingRecord); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.getRecord(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = r.ID
		var p aims.Problems
		text(&p, "reason", &req.Reason, true, 2000)
		if err := p.Err(); err != nil {
			return err
		}
		switch {
		case r.Withdrawal != nil:
			return aims.Errorf(aims.CodeConflict, "%s is already withdrawn", r.Ref)
		case r.ReplacedBy != "":
			return aims.Errorf(aims.CodeConflict, "%s was replaced by %s: withdraw that one instead", r.Ref, r.ReplacedBy)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO training_withdrawals (record_id, org_id, reason, withdrawn_by, withdrawn_at) VALUES (?, ?, ?, ?, ?)`,
			r.ID, actor.OrgID, req.Reason, actor.UserID, s.clock())
		if db.IsUniqueViolation(err) {
			return aims.Errorf(aims.CodeConflict, "%s is already withdrawn", r.Ref)
		}
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRecordWithdraw, tlog.EventObject{Type: ObjectRecord, ID: r.ID, Ref: r.Ref},
			[]tlog.Change{{Field: "withdrawn", Before: mustJSON(false), After: mustJSON(true)}, {Field: "reason", After: mustJSON(req.Reason)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot withdraw training record %s: %w", idOrRef, err)
	}
	return s.GetRecord(ctx, actor, id)
}

// ListRecords returns a page of the organisation's training records, the latest recorded first.
func (s *Service) ListRecords(ctx context.Context, actor *aims.Actor, q RecordQuery) (*RecordPage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	today := s.today()
	where, args := "t.org_id = ?", []any{actor.OrgID}
	add := func(c string, a ...any) { where, args = where+" AND "+c, append(args, a...) }
	var p aims.Problems
	if key := strings.TrimSpace(q.Person); key != "" {
		_, ms, err := s.members(ctx, actor.OrgID)
		if err != nil {
			return nil, err
		}
		m, ok := findMember(ms, key)
		if !ok {
			p.Add("person", "names %s, who is not a member of this organisation", key)
		}
		add("t.user_id = ?", m.UserID)
	}
	if key := strings.TrimSpace(q.Course); key != "" {
		c, err := s.getCourse(ctx, s.db, actor.OrgID, key)
		if aims.CodeOf(err) == aims.CodeNotFound {
			p.Add("course", "names %s, which is not a course of this organisation", key)
		} else if err != nil {
			return nil, err
		} else {
			add("t.course_id = ?", c.ID)
		}
	}
	if key := strings.TrimSpace(q.Competence); key != "" {
		c, err := s.getCompetence(ctx, s.db, actor.OrgID, key)
		if aims.CodeOf(err) == aims.CodeNotFound {
			p.Add("competence", "names %s, which is not a competence of this organisation", key)
		} else if err != nil {
			return nil, err
		} else {
			add("EXISTS (SELECT 1 FROM training_record_competences x WHERE x.record_id = t.id AND x.competence_id = ?)", c.ID)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	const withdrawn = "EXISTS (SELECT 1 FROM training_withdrawals w2 WHERE w2.record_id = t.id)"
	const replaced = "EXISTS (SELECT 1 FROM training_records n2 WHERE n2.replaces_id = t.id)"
	switch q.State {
	case RecordWithdrawn:
		add(withdrawn)
	case RecordReplaced:
		add("NOT " + withdrawn + " AND " + replaced)
	case RecordExpired:
		add("NOT "+withdrawn+" AND NOT "+replaced+" AND t.expires_on <> '' AND t.expires_on <= ?", today)
	case RecordCurrent:
		add("NOT "+withdrawn+" AND NOT "+replaced+" AND (t.expires_on = '' OR t.expires_on > ?)", today)
	}
	page := &RecordPage{Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM training_records t WHERE `+where, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	items, err := readRecords(ctx, s.db, today, where+` ORDER BY t.completed_on DESC, t.created_at DESC, t.id DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	page.Items = items
	return page, nil
}

// RecordHistory returns the audit events about a training record, newest first.
func (s *Service) RecordHistory(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	r, err := s.GetRecord(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectRecord, ObjectID: r.ID, Limit: 500})
}
