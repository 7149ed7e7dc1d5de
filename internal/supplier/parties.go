package supplier

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

const selectParty = `SELECT p.id, p.ref, p.name, p.kind, p.description, p.contact_name, p.contact_email, p.contact_web,
	p.country, p.status, p.last_assessed_on, p.last_result, p.next_assessment_on,
	(SELECT count(*) FROM supplies s WHERE s.party_id = p.id),
	(SELECT count(*) FROM supplies s WHERE s.party_id = p.id AND s.role = 'supplier'),
	p.version, p.created_at, p.updated_at, p.archived_at
	FROM third_parties p`

// scanParty reads a party and works out whether its assessment is due on the day today.
func scanParty(scan func(...any) error, today string) (*Party, error) {
	var t Party
	var toUs int
	err := scan(&t.ID, &t.Ref, &t.Name, &t.Kind, &t.Description, &t.Contact.Name, &t.Contact.Email, &t.Contact.Web,
		&t.Country, &t.Status, &t.LastAssessedOn, &t.LastResult, &t.NextAssessmentOn, &t.SupplyCount, &toUs,
		&t.Version, &t.CreatedAt, &t.UpdatedAt, &t.ArchivedAt)
	t.AssessmentDue = t.due(today, toUs)
	return &t, err
}

// getParty reads a party of an organisation by id or reference.
func (s *Service) getParty(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Party, error) {
	col, key := "p.ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "p.id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	t, err := scanParty(q.QueryRowContext(ctx, selectParty+` WHERE p.org_id = ? AND `+col+` = ?`, orgID, key).Scan, s.today())
	if db.IsNoRows(err) {
		return nil, aims.NotFound("third party", idOrRef)
	}
	return t, err
}

func partyNameTaken() error {
	return &aims.Error{Code: aims.CodeConflict, Message: "name in use",
		Fields: []aims.FieldError{{Field: "name", Message: "is already the name of another third party"}}}
}

// CreateParty records a supplier or customer of the actor's organisation.
func (s *Service) CreateParty(ctx context.Context, actor *aims.Actor, req PartyRequest) (*Party, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	t := &Party{Name: req.Name, Kind: req.Kind, Description: req.Description, Contact: req.Contact, Country: req.Country,
		Status: StatusActive}
	var p aims.Problems
	t.normalise(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		return s.insertParty(ctx, tx, actor, t)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record third party: %w", err)
	}
	return s.getParty(ctx, s.db, actor.OrgID, t.ID)
}

// insertParty stores a new, checked party with its audit event.
func (s *Service) insertParty(ctx context.Context, tx *db.Tx, actor *aims.Actor, t *Party) error {
	ref, err := db.NextRef(ctx, tx, actor.OrgID, partyPrefix)
	if err != nil {
		return err
	}
	now := s.clock()
	t.ID, t.Ref, t.Version, t.CreatedAt, t.UpdatedAt = aims.NewID(), ref, 1, now, now
	_, err = tx.ExecContext(ctx, `INSERT INTO third_parties (id, org_id, ref, name, name_key, kind, description,
		contact_name, contact_email, contact_web, country, status, last_supply, last_assessment, last_assessed_on,
		last_result, next_assessment_on, search_text, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '', '', '', ?, ?, ?, ?)`,
		t.ID, actor.OrgID, t.Ref, t.Name, nameKey(t.Name), t.Kind, t.Description, t.Contact.Name, t.Contact.Email,
		t.Contact.Web, t.Country, t.Status, t.searchText(), t.Version, now, now)
	if db.IsUniqueViolation(err) {
		return partyNameTaken()
	}
	if err != nil {
		return err
	}
	ch, err := tlog.Changes(nil, t.audit())
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionPartyCreate, tlog.EventObject{Type: ObjectParty, ID: t.ID, Ref: t.Ref}, ch)
}

// GetParty returns a third party by id or reference.
func (s *Service) GetParty(ctx context.Context, actor *aims.Actor, idOrRef string) (*Party, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.getParty(ctx, s.db, actor.OrgID, idOrRef)
}

// UpdateParty changes the fields the request names. A party that supplies
// something cannot become only a customer, nor one that receives something
// only a supplier, while those supplies are recorded.
func (s *Service) UpdateParty(ctx context.Context, actor *aims.Actor, idOrRef string, req PartyUpdate) (*Party, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.getParty(ctx, tx, actor.OrgID, idOrRef)
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
		after := *before
		for dst, src := range map[*string]*string{&after.Name: req.Name, &after.Kind: req.Kind, &after.Description: req.Description, &after.Country: req.Country} {
			if src != nil {
				*dst = *src
			}
		}
		if req.Contact != nil {
			after.Contact = *req.Contact
		}
		var p aims.Problems
		after.normalise(&p)
		if after.Kind != before.Kind && !p.Has("kind") {
			if err := s.checkKindChange(ctx, tx, actor.OrgID, &after, &p); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE third_parties SET name = ?, name_key = ?, kind = ?, description = ?,
			contact_name = ?, contact_email = ?, contact_web = ?, country = ?, search_text = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ? AND version = ?`,
			after.Name, nameKey(after.Name), after.Kind, after.Description, after.Contact.Name, after.Contact.Email,
			after.Contact.Web, after.Country, after.searchText(), s.clock(), before.ID, actor.OrgID, before.Version)
		if db.IsUniqueViolation(err) {
			return partyNameTaken()
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionPartyUpdate, tlog.EventObject{Type: ObjectParty, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update third party %s: %w", idOrRef, err)
	}
	return s.getParty(ctx, s.db, actor.OrgID, id)
}

// checkKindChange refuses a kind that the party's recorded supplies contradict.
func (s *Service) checkKindChange(ctx context.Context, q db.Queryer, orgID string, t *Party, p *aims.Problems) error {
	for role, ok := range map[string]bool{RoleSupplier: t.Supplies(), RoleCustomer: t.Receives()} {
		if ok {
			continue
		}
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM supplies WHERE org_id = ? AND party_id = ? AND role = ?`,
			orgID, t.ID, role).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			p.Add("kind", "cannot be %s while %s has %d supplies as %s: remove them first", t.Kind, t.Ref, n, role)
		}
	}
	return nil
}

// ArchiveParty takes a third party out of the active list; its supplies,
// assessments and history stay. Archiving an archived party changes nothing.
func (s *Service) ArchiveParty(ctx context.Context, actor *aims.Actor, idOrRef string) (*Party, error) {
	return s.setPartyStatus(ctx, actor, idOrRef, StatusArchived)
}

// RestoreParty returns an archived third party to the active list.
func (s *Service) RestoreParty(ctx context.Context, actor *aims.Actor, idOrRef string) (*Party, error) {
	return s.setPartyStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setPartyStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*Party, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: ActionPartyArchive, StatusActive: ActionPartyRestore}[status]
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.getParty(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if before.Status == status {
			return nil
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE third_parties SET status = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, status, archivedAt, now, before.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectParty, ID: before.ID, Ref: before.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(before.Status), After: mustJSON(status)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s third party %s: %w", strings.TrimPrefix(action, ObjectParty+"."), idOrRef, err)
	}
	return s.getParty(ctx, s.db, actor.OrgID, id)
}

// ListParties returns a page of the organisation's third parties, by name.
func (s *Service) ListParties(ctx context.Context, actor *aims.Actor, q PartyQuery) (*PartyPage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	where := []string{"p.org_id = ?"}
	args := []any{actor.OrgID}
	if q.Status != "all" {
		where = append(where, "p.status = ?")
		args = append(args, q.Status)
	}
	switch q.Kind {
	case "supplier":
		where = append(where, "p.kind IN ('supplier', 'both')")
	case "customer":
		where = append(where, "p.kind IN ('customer', 'both')")
	case "both":
		where = append(where, "p.kind = 'both'")
	}
	if q.Due {
		where = append(where, `p.status = 'active' AND p.kind IN ('supplier', 'both') AND ((p.next_assessment_on <> '' AND p.next_assessment_on <= ?)
			OR (p.next_assessment_on = '' AND EXISTS (SELECT 1 FROM supplies s WHERE s.party_id = p.id AND s.role = 'supplier')))`)
		args = append(args, s.today())
	}
	if ref := strings.TrimSpace(q.System); ref != "" {
		var p aims.Problems
		sys, err := s.resolveSystem(ctx, actor, "system", ref, &p)
		if err != nil {
			return nil, err
		}
		if err := p.Err(); err != nil {
			return nil, err
		}
		where = append(where, "EXISTS (SELECT 1 FROM supplies s WHERE s.party_id = p.id AND s.system_id = ?)")
		args = append(args, sys.ID)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		where = append(where, `p.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(w)+"%")
	}
	cond := strings.Join(where, " AND ")
	page := &PartyPage{Items: []Party{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM third_parties p WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectParty+` WHERE `+cond+` ORDER BY p.name_key, p.id LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := s.today()
	for rows.Next() {
		t, err := scanParty(rows.Scan, today)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *t)
	}
	return page, rows.Err()
}

// PartyHistory returns the audit events about a party, its supplies and its assessments, newest first.
func (s *Service) PartyHistory(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	t, err := s.GetParty(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	evs, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectParty, ObjectID: t.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	ids, err := childIDs(ctx, s.db, "supplier_assessments", actor.OrgID, t.ID)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		more, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectAssessment, ObjectID: id, Limit: 10})
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	// Supplies are found by reference, since a removed one is gone from its table but not from the log.
	supplies, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectSupply, Limit: 1000})
	if err != nil {
		return nil, err
	}
	for _, e := range supplies {
		if strings.HasPrefix(e.Object.Ref, t.Ref+"/") {
			evs = append(evs, e)
		}
	}
	sortNewestFirst(evs)
	return evs, nil
}

func childIDs(ctx context.Context, q db.Queryer, table, orgID, partyID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM `+table+` WHERE org_id = ? AND party_id = ? ORDER BY number`, orgID, partyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func sortNewestFirst(evs []tlog.Event) {
	sort.Slice(evs, func(i, j int) bool { return evs[i].Index > evs[j].Index })
}
