package document

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// versionRef is how events and people name a version: DOC-1 v2.
func versionRef(docRef string, number int) string { return docRef + " v" + strconv.Itoa(number) }

// auditVersion is what the audit log records of a draft or an approval.
type auditVersion struct {
	Number     int    `json:"number"`
	TextSHA256 string `json:"text_sha256"`
	Characters int    `json:"characters"`
	ChangeNote string `json:"change_note"`
}

func versionAudit(number int, body, note string) auditVersion {
	return auditVersion{Number: number, TextSHA256: digest(body), Characters: len([]rune(body)), ChangeNote: note}
}

// insertDraft stores a new draft of a document with its audit event.
func (s *Service) insertDraft(ctx context.Context, tx *db.Tx, actor *aims.Actor, docID, docRef string, number int, body, note string) error {
	now := s.clock()
	_, err := tx.ExecContext(ctx, `INSERT INTO document_versions (id, org_id, document_id, number, status, body, body_sha256, change_note,
		author_id, updated_by, revision, created_at, updated_at, approved_by, approval_note)
		VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, 1, ?, ?, '', '')`,
		aims.NewID(), actor.OrgID, docID, number, body, digest(body), note, actor.UserID, actor.UserID, now, now)
	if db.IsUniqueViolation(err) {
		return aims.Errorf(aims.CodeConflict, "%s already has a draft: change it or discard it", docRef)
	}
	if err != nil {
		return err
	}
	ch, err := tlog.Changes(nil, versionAudit(number, body, note))
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionDraft, tlog.EventObject{Type: ObjectDocument, ID: docID, Ref: versionRef(docRef, number)}, ch)
}

// draft is the draft of a document as stored.
type draft struct {
	id, body string
	VersionInfo
}

// getDraft reads a document's draft; found is false when there is none.
func getDraft(ctx context.Context, q db.Queryer, docID string) (d *draft, found bool, err error) {
	d = &draft{}
	err = q.QueryRowContext(ctx, `SELECT id, body, number, revision, change_note FROM document_versions WHERE document_id = ? AND status = 'draft'`,
		docID).Scan(&d.id, &d.body, &d.Number, &d.Revision, &d.ChangeNote)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	return d, err == nil, err
}

// activeRow reads a document for a change, refusing an archived one.
func (s *Service) activeRow(ctx context.Context, tx *db.Tx, orgID, idOrRef string) (*row, error) {
	r, err := s.getRow(ctx, tx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusArchived {
		return nil, aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing it", r.Ref)
	}
	return r, nil
}

// StartDraft starts the next version of a document as a draft, from the
// text given or else from the version in force. A document has at most one draft.
func (s *Service) StartDraft(ctx context.Context, actor *aims.Actor, idOrRef string, req DraftRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActDocumentEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	note := req.ChangeNote
	text(&p, "change_note", &note, false, maxNote)
	var txt string
	if req.Text != nil {
		txt = *req.Text
		body(&p, "text", &txt)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var ref string
	var number int
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.activeRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		ref = r.Ref
		if d, found, err := getDraft(ctx, tx, r.ID); err != nil {
			return err
		} else if found {
			return aims.Errorf(aims.CodeConflict, "%s already has a draft, version %d: change it or discard it", r.Ref, d.Number)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(number), 0) + 1 FROM document_versions WHERE document_id = ?`, r.ID).Scan(&number); err != nil {
			return err
		}
		if req.Text == nil && r.current > 0 {
			if err := tx.QueryRowContext(ctx, `SELECT body FROM document_versions WHERE document_id = ? AND number = ?`, r.ID, r.current).Scan(&txt); err != nil {
				return err
			}
		}
		return s.insertDraft(ctx, tx, actor, r.ID, r.Ref, number, txt, note)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot start a draft of %s: %w", idOrRef, err)
	}
	return s.version(ctx, s.db, actor.OrgID, ref, number)
}

// UpdateDraft changes the draft's text or change note, if it has not
// changed since the revision the change is based on.
func (s *Service) UpdateDraft(ctx context.Context, actor *aims.Actor, idOrRef string, req DraftUpdate) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActDocumentEdit); err != nil {
		return nil, err
	}
	var ref string
	var number int
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.activeRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		ref = r.Ref
		d, found, err := getDraft(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if !found {
			return aims.Errorf(aims.CodeConflict, "%s has no draft: start a new version first", r.Ref)
		}
		number = d.Number
		if req.Revision != d.Revision {
			return staleRevision(r.Ref, d.Revision, req.Revision)
		}
		txt, note := d.body, d.ChangeNote
		var p aims.Problems
		if req.Text != nil {
			txt = *req.Text
			body(&p, "text", &txt)
		}
		if req.ChangeNote != nil {
			note = *req.ChangeNote
			text(&p, "change_note", &note, false, maxNote)
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(versionAudit(d.Number, d.body, d.ChangeNote), versionAudit(d.Number, txt, note))
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new revision, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE document_versions SET body = ?, body_sha256 = ?, change_note = ?, updated_by = ?,
			revision = revision + 1, updated_at = ? WHERE id = ? AND status = 'draft' AND revision = ?`,
			txt, digest(txt), note, actor.UserID, s.clock(), d.id, d.Revision)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleRevision(r.Ref, d.Revision+1, req.Revision)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionDraftUpdate, tlog.EventObject{Type: ObjectDocument, ID: r.ID, Ref: versionRef(r.Ref, d.Number)}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change the draft of %s: %w", idOrRef, err)
	}
	return s.version(ctx, s.db, actor.OrgID, ref, number)
}

// DiscardDraft deletes the draft as it stood at a revision; the history
// keeps that it was there. Approved versions cannot be deleted.
func (s *Service) DiscardDraft(ctx context.Context, actor *aims.Actor, idOrRef string, revision int) (*Document, error) {
	if err := identity.Authorize(actor, identity.ActDocumentEdit); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.activeRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = r.ID
		d, found, err := getDraft(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if !found {
			return aims.Errorf(aims.CodeConflict, "%s has no draft to discard", r.Ref)
		}
		if revision != d.Revision {
			return staleRevision(r.Ref, d.Revision, revision)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM document_versions WHERE id = ? AND status = 'draft' AND revision = ?`, d.id, d.Revision)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleRevision(r.Ref, d.Revision+1, revision)
		}
		ch, err := tlog.Changes(versionAudit(d.Number, d.body, d.ChangeNote), nil)
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionDraftDiscard, tlog.EventObject{Type: ObjectDocument, ID: r.ID, Ref: versionRef(r.Ref, d.Number)}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot discard the draft of %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor, id)
}

// Approve approves the draft as it stood at the revision that was read: it
// is frozen for good and becomes the version in force, everyone it is
// distributed to must acknowledge it, and the next review falls due the
// review interval after today. The audit event records the SHA-256 of the
// approved text.
func (s *Service) Approve(ctx context.Context, actor *aims.Actor, idOrRef string, req ApproveRequest) (*Document, error) {
	if err := identity.Authorize(actor, identity.ActDocumentApprove); err != nil {
		return nil, err
	}
	note := req.Note
	var p aims.Problems
	text(&p, "note", &note, false, maxNote)
	if req.Number < 1 {
		p.Add("number", "must be the number of the draft to approve")
	}
	if req.Revision < 1 {
		p.Add("revision", "must be the revision of the draft that was read")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.activeRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = r.ID
		d, found, err := getDraft(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		switch {
		case !found:
			return aims.Errorf(aims.CodeConflict, "%s has no draft to approve", r.Ref)
		case d.Number != req.Number:
			return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf("the draft of %s is version %d, not %d", r.Ref, d.Number, req.Number),
				Fields: []aims.FieldError{{Field: "number", Message: fmt.Sprintf("is %d, not %d", d.Number, req.Number)}}}
		case d.Revision != req.Revision:
			return staleRevision(r.Ref, d.Revision, req.Revision)
		case d.body == "":
			return aims.Errorf(aims.CodeConflict, "the draft of %s has no text: write it before approving it", r.Ref)
		}
		now := s.clock()
		today := now.UTC().Format(DateLayout)
		next := addMonths(today, r.ReviewMonths)
		res, err := tx.ExecContext(ctx, `UPDATE document_versions SET status = 'approved', approved_by = ?, approved_at = ?, approval_note = ?
			WHERE id = ? AND status = 'draft' AND revision = ?`, actor.UserID, now, note, d.id, d.Revision)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleRevision(r.Ref, d.Revision+1, req.Revision)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET current_number = ?, last_reviewed_on = ?, next_review_on = ?,
			version = version + 1, updated_at = ? WHERE id = ?`, d.Number, today, next, now, r.ID); err != nil {
			return err
		}
		if err := s.insertReview(ctx, tx, actor, r.ID, d.Number, OutcomeApproved, today, note, next); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, versionAudit(d.Number, d.body, d.ChangeNote))
		if err != nil {
			return err
		}
		ch = append(ch, tlog.Change{Field: "in_force", Before: mustJSON(r.current), After: mustJSON(d.Number)},
			tlog.Change{Field: "next_review_on", Before: mustJSON(r.NextReviewOn), After: mustJSON(next)})
		if note != "" {
			ch = append(ch, tlog.Change{Field: "note", Before: mustJSON(nil), After: mustJSON(note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionApprove, tlog.EventObject{Type: ObjectDocument, ID: r.ID, Ref: versionRef(r.Ref, d.Number)}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot approve %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor, id)
}

// Versions lists a document's versions, newest first, without their text.
func (s *Service) Versions(ctx context.Context, actor *aims.Actor, idOrRef string) ([]VersionInfo, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := s.getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	rs, err := s.db.QueryContext(ctx, selectVersion+` WHERE v.document_id = ? ORDER BY v.number DESC`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := []VersionInfo{}
	for rs.Next() {
		var docID string
		v, err := scanVersion(rs.Scan, &docID)
		if err != nil {
			return nil, err
		}
		v.InForce = v.Number == r.current && v.Status == VersionApproved
		out = append(out, *v)
	}
	return out, rs.Err()
}

// Version returns a version of a document with its text.
func (s *Service) Version(ctx context.Context, actor *aims.Actor, idOrRef string, number int) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.version(ctx, s.db, actor.OrgID, idOrRef, number)
}

func (s *Service) version(ctx context.Context, q db.Queryer, orgID, idOrRef string, number int) (*Version, error) {
	r, err := s.getRow(ctx, q, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	var docID string
	v, err := scanVersion(q.QueryRowContext(ctx, selectVersion+` WHERE v.document_id = ? AND v.number = ?`, r.ID, number).Scan, &docID)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("version", versionRef(r.Ref, number))
	}
	if err != nil {
		return nil, err
	}
	v.InForce = v.Number == r.current && v.Status == VersionApproved
	out := &Version{DocumentRef: r.Ref, DocumentTitle: r.Title, VersionInfo: *v}
	if err := q.QueryRowContext(ctx, `SELECT body FROM document_versions WHERE document_id = ? AND number = ?`, r.ID, number).Scan(&out.Text); err != nil {
		return nil, err
	}
	return out, nil
}

// Compare compares two versions of a document line by line.
func (s *Service) Compare(ctx context.Context, actor *aims.Actor, idOrRef string, from, to int) (*Comparison, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	a, err := s.version(ctx, s.db, actor.OrgID, idOrRef, from)
	if err != nil {
		return nil, err
	}
	b, err := s.version(ctx, s.db, actor.OrgID, idOrRef, to)
	if err != nil {
		return nil, err
	}
	c := &Comparison{DocumentRef: a.DocumentRef, From: a.VersionInfo, To: b.VersionInfo, Lines: diffLines(a.Text, b.Text)}
	for _, l := range c.Lines {
		switch l.Op {
		case OpAdded:
			c.Added++
		case OpRemoved:
			c.Removed++
		}
	}
	return c, nil
}

// Review records that the document's owner or an approver reviewed the
// version in force and it needs no change: the next review falls due the
// review interval after today.
func (s *Service) Review(ctx context.Context, actor *aims.Actor, idOrRef string, req ReviewRequest) (*Document, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	note := req.Note
	var p aims.Problems
	text(&p, "note", &note, false, maxNote)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.activeRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = r.ID
		owner := actor.UserID != "" && actor.UserID == r.OwnerID && identity.Can(actor, identity.ActDocumentEdit)
		if !owner && !identity.Can(actor, identity.ActDocumentApprove) {
			return aims.Errorf(aims.CodeForbidden, "your role does not allow document.review of %s: only its owner, or an owner or manager of the organisation, records its review", r.Ref)
		}
		if r.current == 0 {
			return aims.Errorf(aims.CodeConflict, "%s has no approved version to review: approve a version first", r.Ref)
		}
		now := s.clock()
		today := now.UTC().Format(DateLayout)
		next := addMonths(today, r.ReviewMonths)
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET last_reviewed_on = ?, next_review_on = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, today, next, now, r.ID); err != nil {
			return err
		}
		if err := s.insertReview(ctx, tx, actor, r.ID, r.current, OutcomeNoChange, today, note, next); err != nil {
			return err
		}
		ch := []tlog.Change{
			{Field: "last_reviewed_on", Before: mustJSON(r.LastReviewedOn), After: mustJSON(today)},
			{Field: "next_review_on", Before: mustJSON(r.NextReviewOn), After: mustJSON(next)},
			{Field: "number", Before: mustJSON(nil), After: mustJSON(r.current)},
		}
		if note != "" {
			ch = append(ch, tlog.Change{Field: "note", Before: mustJSON(nil), After: mustJSON(note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionReview, tlog.EventObject{Type: ObjectDocument, ID: r.ID, Ref: versionRef(r.Ref, r.current)}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record the review of %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor, id)
}

// insertReview keeps an approval or a review without change.
func (s *Service) insertReview(ctx context.Context, tx *db.Tx, actor *aims.Actor, docID string, number int, outcome, on, note, next string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO document_reviews (id, org_id, document_id, number, outcome, reviewed_on, reviewed_by, note,
		next_review_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		aims.NewID(), actor.OrgID, docID, number, outcome, on, actor.UserID, note, next, s.clock())
	return err
}

// Reviews lists the approvals and reviews without change of a document, the latest first.
func (s *Service) Reviews(ctx context.Context, actor *aims.Actor, idOrRef string) ([]Review, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := s.getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	rs, err := s.db.QueryContext(ctx, `SELECT v.number, v.outcome, v.reviewed_on, v.reviewed_by, COALESCE(u.name, ''), v.note, v.next_review_on, v.created_at
		FROM document_reviews v LEFT JOIN users u ON u.id = v.reviewed_by WHERE v.document_id = ? ORDER BY v.created_at DESC, v.id DESC`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := []Review{}
	for rs.Next() {
		var v Review
		if err := rs.Scan(&v.Number, &v.Outcome, &v.ReviewedOn, &v.ReviewedBy, &v.ReviewerName, &v.Note, &v.NextReviewOn, &v.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rs.Err()
}
