package document

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// ownerRoles are the roles an owner of a document must hold: those that may edit documents.
var ownerRoles = []string{string(aims.RoleOwner), string(aims.RoleManager), string(aims.RoleContributor)}

// checked are a document's own fields once checked.
type checked struct {
	Title, Kind, OwnerID string
	ReviewMonths         int
	Clauses, Controls    []Item
	Distribution         []string
}

// check trims and checks a document's own fields, resolving its owner and
// what it addresses, and records every problem.
// kept is the owner a document already has, who stays without being checked again.
func (s *Service) check(ctx context.Context, q db.Queryer, orgID string, f fields, p *aims.Problems, kept string) (*checked, error) {
	c := &checked{Title: f.Title, Kind: strings.TrimSpace(f.Kind), ReviewMonths: f.ReviewMonths}
	text(p, "title", &c.Title, true, maxTitle)
	if !allowed(Kinds, c.Kind) {
		p.Add("kind", "must be one of %s", values(Kinds))
	}
	if c.ReviewMonths < 1 || c.ReviewMonths > maxMonths {
		p.Add("review_months", "must be between 1 and %d months", maxMonths)
	}
	var err error
	if c.OwnerID, err = s.resolveOwner(ctx, q, orgID, f.OwnerID, kept, p); err != nil {
		return nil, err
	}
	c.Distribution = normalDistribution(p, "distribution", f.Distribution)
	c.Clauses = s.checkClauses(p, f.Clauses)
	if c.Controls, err = s.checkControls(ctx, orgID, p, f.Controls); err != nil {
		return nil, err
	}
	return c, nil
}

// resolveOwner finds the member a user id or email names and checks that
// they may edit documents.
func (s *Service) resolveOwner(ctx context.Context, q db.Queryer, orgID, who, kept string, p *aims.Problems) (string, error) {
	who = strings.ToLower(strings.TrimSpace(who))
	if who != "" && who == kept {
		return kept, nil
	}
	if who == "" {
		p.Add("owner_id", "is required")
		return "", nil
	}
	var id, role string
	var err error
	if strings.Contains(who, "@") {
		err = q.QueryRowContext(ctx, `SELECT u.id, m.role FROM users u JOIN memberships m ON m.user_id = u.id
			WHERE m.org_id = ? AND lower(u.email) = ?`, orgID, who).Scan(&id, &role)
	} else if aims.ValidID(who) {
		id = who
		err = q.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, who).Scan(&role)
	} else {
		p.Add("owner_id", "must be a member's user id or email address")
		return "", nil
	}
	if db.IsNoRows(err) {
		p.Add("owner_id", "is not a member of this organisation")
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if id == kept {
		return id, nil
	}
	if !slices.Contains(ownerRoles, role) {
		p.Add("owner_id", "must be an owner, manager or contributor, who may keep the document current; this member is %s", aOrAn(role))
	}
	return id, nil
}

func aOrAn(role string) string {
	if strings.ContainsAny(role[:1], "aeiou") {
		return "an " + role
	}
	return "a " + role
}

// cleanIDs trims, upper-cases control prefixes and drops blank and repeated ids.
func cleanIDs(in []string, upper bool) []string {
	out := []string{}
	for _, x := range in {
		x = strings.TrimSpace(x)
		if upper {
			x = strings.ToUpper(x)
		}
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// checkClauses resolves the sub-clauses a document addresses.
func (s *Service) checkClauses(p *aims.Problems, in []string) []Item {
	out := []Item{}
	ids := cleanIDs(in, false)
	if len(ids) > maxItems {
		p.Add("clauses", "must list at most %d", maxItems)
		return out
	}
	for i, id := range ids {
		title, ok := s.sources.Clause(id)
		if !ok {
			p.Add("clauses["+strconv.Itoa(i)+"]", "names %s, which is not a sub-clause of clauses 4–10 (such as 5.2 or 7.5.1)", id)
			continue
		}
		out = append(out, Item{ID: id, Title: title})
	}
	return out
}

// checkControls resolves the controls a document addresses.
func (s *Service) checkControls(ctx context.Context, orgID string, p *aims.Problems, in []string) ([]Item, error) {
	out := []Item{}
	ids := cleanIDs(in, true)
	if len(ids) > maxItems {
		p.Add("controls", "must list at most %d", maxItems)
		return out, nil
	}
	for i, id := range ids {
		title, ok, err := s.sources.Control(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			p.Add("controls["+strconv.Itoa(i)+"]", "names %s, which is not an Annex A control or one of the organisation's own (such as A.2.2 or CTL-1)", id)
			continue
		}
		out = append(out, Item{ID: id, Title: title})
	}
	return out, nil
}

func policyInForce(ctx context.Context, q db.Queryer, orgID, exceptID string) (string, error) {
	var ref string
	err := q.QueryRowContext(ctx, `SELECT ref FROM documents WHERE org_id = ? AND kind = 'ai_policy' AND status = 'active' AND id <> ?`,
		orgID, exceptID).Scan(&ref)
	if db.IsNoRows(err) {
		return "", nil
	}
	return ref, err
}

func policyTaken(ref string) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf("%s is the AI policy in force; only one AI policy can be in force: archive it, or make this document another kind", ref),
		Fields: []aims.FieldError{{Field: "kind", Message: "cannot be ai_policy while " + ref + " is the AI policy in force"}}}
}

// Create records a document with its first draft, version 1.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req CreateRequest) (*Document, error) {
	if err := identity.Authorize(actor, identity.ActDocumentEdit); err != nil {
		return nil, err
	}
	f := fields{Title: req.Title, Kind: req.Kind, OwnerID: req.OwnerID, ReviewMonths: req.ReviewMonths,
		Clauses: req.Clauses, Controls: req.Controls, Distribution: req.Distribution}
	if strings.TrimSpace(f.OwnerID) == "" {
		f.OwnerID = actor.UserID
	}
	if f.ReviewMonths == 0 {
		f.ReviewMonths = defaultTerm
	}
	if len(f.Distribution) == 0 {
		f.Distribution = []string{Everyone}
	}
	if strings.TrimSpace(f.Kind) == "ai_policy" && len(cleanIDs(f.Clauses, false)) == 0 && len(cleanIDs(f.Controls, true)) == 0 {
		f.Clauses, f.Controls = []string{"5.2"}, []string{"A.2.2"}
	}
	var p aims.Problems
	c, err := s.check(ctx, s.db, actor.OrgID, f, &p, "")
	if err != nil {
		return nil, err
	}
	txt, note := req.Text, req.ChangeNote
	body(&p, "text", &txt)
	text(&p, "change_note", &note, false, maxNote)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if c.Kind == "ai_policy" {
			ref, err := policyInForce(ctx, tx, actor.OrgID, "")
			if err != nil {
				return err
			}
			if ref != "" {
				return policyTaken(ref)
			}
		}
		ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		d := &Document{ID: aims.NewID(), Ref: ref, Title: c.Title, Kind: c.Kind, OwnerID: c.OwnerID, ReviewMonths: c.ReviewMonths,
			Clauses: c.Clauses, Controls: c.Controls, Distribution: c.Distribution, Status: StatusActive}
		id = d.ID
		_, err = tx.ExecContext(ctx, `INSERT INTO documents (id, org_id, ref, title, kind, owner_id, review_months, distribution, status,
			archive_reason, current_number, last_reviewed_on, next_review_on, search_text, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, '', '', ?, 1, ?, ?)`,
			d.ID, actor.OrgID, d.Ref, d.Title, d.Kind, d.OwnerID, d.ReviewMonths, encodeDistribution(d.Distribution), d.Status,
			d.searchText(), now, now)
		if db.IsUniqueViolation(err) {
			return policyTaken("another document")
		}
		if err != nil {
			return err
		}
		if err := writeAddresses(ctx, tx, actor.OrgID, d.ID, d.Clauses, d.Controls); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, d.audit())
		if err != nil {
			return err
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectDocument, ID: d.ID, Ref: d.Ref}, ch); err != nil {
			return err
		}
		return s.insertDraft(ctx, tx, actor, d.ID, d.Ref, 1, txt, note)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record document: %w", err)
	}
	return s.get(ctx, s.db, actor, id)
}

// writeAddresses replaces what a document addresses.
func writeAddresses(ctx context.Context, tx *db.Tx, orgID, docID string, clauses, controls []Item) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM document_addresses WHERE document_id = ?`, docID); err != nil {
		return err
	}
	for kind, items := range map[string][]Item{"clause": clauses, "control": controls} {
		for i, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO document_addresses (org_id, document_id, item_kind, item_id, position)
				VALUES (?, ?, ?, ?, ?)`, orgID, docID, kind, it.ID, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// Get returns a document by id or reference.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Document, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, actor, idOrRef)
}

// Update changes the document's own fields that the request names.
// Changing the review interval moves the next review to the latest review
// plus the new interval. An archived document cannot be changed.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req UpdateRequest) (*Document, error) {
	if err := identity.Authorize(actor, identity.ActDocumentEdit); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.getRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		if before.Status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing it", before.Ref)
		}
		f := fields{Title: before.Title, Kind: before.Kind, OwnerID: before.OwnerID, ReviewMonths: before.ReviewMonths,
			Clauses: ids(before.Clauses), Controls: ids(before.Controls), Distribution: before.Distribution}
		for dst, src := range map[*string]*string{&f.Title: req.Title, &f.Kind: req.Kind, &f.OwnerID: req.OwnerID} {
			if src != nil {
				*dst = *src
			}
		}
		if req.ReviewMonths != nil {
			f.ReviewMonths = *req.ReviewMonths
		}
		for dst, src := range map[*[]string]*[]string{&f.Clauses: req.Clauses, &f.Controls: req.Controls, &f.Distribution: req.Distribution} {
			if src != nil {
				*dst = *src
			}
		}
		var p aims.Problems
		c, err := s.check(ctx, tx, actor.OrgID, f, &p, before.OwnerID)
		if err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if c.Kind == "ai_policy" && before.Kind != "ai_policy" {
			ref, err := policyInForce(ctx, tx, actor.OrgID, before.ID)
			if err != nil {
				return err
			}
			if ref != "" {
				return policyTaken(ref)
			}
		}
		after := before.Document
		after.Title, after.Kind, after.OwnerID, after.ReviewMonths = c.Title, c.Kind, c.OwnerID, c.ReviewMonths
		after.Clauses, after.Controls, after.Distribution = c.Clauses, c.Controls, c.Distribution
		if after.LastReviewedOn != "" {
			after.NextReviewOn = addMonths(after.LastReviewedOn, after.ReviewMonths)
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE documents SET title = ?, kind = ?, owner_id = ?, review_months = ?, distribution = ?,
			next_review_on = ?, search_text = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Title, after.Kind, after.OwnerID, after.ReviewMonths, encodeDistribution(after.Distribution), after.NextReviewOn,
			after.searchText(), s.clock(), before.ID, actor.OrgID, before.Version)
		if db.IsUniqueViolation(err) {
			return policyTaken("another document")
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		if !slices.Equal(ids(before.Clauses), ids(after.Clauses)) || !slices.Equal(ids(before.Controls), ids(after.Controls)) {
			if err := writeAddresses(ctx, tx, actor.OrgID, before.ID, after.Clauses, after.Controls); err != nil {
				return err
			}
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectDocument, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update document %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor, id)
}

// Archive withdraws a document: it leaves the active list, its version in
// force no longer needs acknowledging or reviewing, and its versions,
// acknowledgements and history stay. Archiving an archived document changes nothing.
func (s *Service) Archive(ctx context.Context, actor *aims.Actor, idOrRef string, req ArchiveRequest) (*Document, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusArchived, req.Reason)
}

// Restore returns an archived document to the active list.
func (s *Service) Restore(ctx context.Context, actor *aims.Actor, idOrRef string) (*Document, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusActive, "")
}

func (s *Service) setStatus(ctx context.Context, actor *aims.Actor, idOrRef, status, reason string) (*Document, error) {
	if err := identity.Authorize(actor, identity.ActDocumentApprove); err != nil {
		return nil, err
	}
	var p aims.Problems
	text(&p, "reason", &reason, false, maxNote)
	if err := p.Err(); err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: ActionArchive, StatusActive: ActionRestore}[status]
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.getRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if before.Status == status {
			return nil
		}
		if status == StatusActive && before.Kind == "ai_policy" {
			ref, err := policyInForce(ctx, tx, actor.OrgID, before.ID)
			if err != nil {
				return err
			}
			if ref != "" {
				return aims.Errorf(aims.CodeConflict, "%s is the AI policy in force; only one AI policy can be in force: archive it before restoring %s", ref, before.Ref)
			}
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET status = ?, archive_reason = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, status, reason, archivedAt, now, before.ID, actor.OrgID); err != nil {
			return err
		}
		ch := []tlog.Change{{Field: "status", Before: mustJSON(before.Status), After: mustJSON(status)}}
		if reason != "" || before.ArchiveReason != "" {
			ch = append(ch, tlog.Change{Field: "archive_reason", Before: mustJSON(before.ArchiveReason), After: mustJSON(reason)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectDocument, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s document %s: %w", strings.TrimPrefix(action, "document."), idOrRef, err)
	}
	return s.get(ctx, s.db, actor, id)
}

// List returns a page of the organisation's documents: the AI policy
// first, then by kind and reference.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q Query) (*Page, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	where := []string{"d.org_id = ?"}
	args := []any{actor.OrgID}
	if q.Status != "all" {
		where = append(where, "d.status = ?")
		args = append(args, q.Status)
	}
	if q.Kind != "" {
		where = append(where, "d.kind = ?")
		args = append(args, q.Kind)
	}
	switch q.Review {
	case ReviewDue:
		where = append(where, "d.status = 'active' AND d.next_review_on <> '' AND d.next_review_on <= ?")
		args = append(args, soon(s.today()))
	case ReviewOverdue:
		where = append(where, "d.status = 'active' AND d.next_review_on <> '' AND d.next_review_on < ?")
		args = append(args, s.today())
	}
	if q.Addresses != "" {
		where = append(where, "EXISTS (SELECT 1 FROM document_addresses a WHERE a.document_id = d.id AND a.item_id = ?)")
		args = append(args, q.Addresses)
	}
	if who := strings.ToLower(strings.TrimSpace(q.Owner)); who != "" {
		if strings.Contains(who, "@") {
			where = append(where, "lower(u.email) = ?")
		} else {
			where = append(where, "d.owner_id = ?")
		}
		args = append(args, who)
	}
	if q.Draft {
		where = append(where, "EXISTS (SELECT 1 FROM document_versions v WHERE v.document_id = d.id AND v.status = 'draft')")
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where = append(where, `d.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(w)+"%")
	}
	cond := strings.Join(where, " AND ")
	page := &Page{Items: []Document{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM documents d LEFT JOIN users u ON u.id = d.owner_id WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rs, err := s.db.QueryContext(ctx, selectDocument+` WHERE `+cond+`
		ORDER BY CASE d.kind WHEN 'ai_policy' THEN 0 WHEN 'policy' THEN 1 WHEN 'procedure' THEN 2 WHEN 'record' THEN 3 ELSE 4 END,
		length(d.ref), d.ref LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	var rows []*row
	for rs.Next() {
		r, err := scanDocument(rs.Scan)
		if err != nil {
			rs.Close()
			return nil, err
		}
		rows = append(rows, r)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	if err := s.fill(ctx, s.db, actor, rows, true); err != nil {
		return nil, err
	}
	for _, r := range rows {
		page.Items = append(page.Items, r.Document)
	}
	return page, nil
}

// History returns the audit events about a document and its versions, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := s.getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectDocument, ObjectID: r.ID, Limit: 500})
}
