package internalaudit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

const selectAudit = `SELECT a.id, a.ref, g.ref, a.title, a.objectives, a.criteria, a.planned_start, a.planned_end, a.auditor_id,
	a.status, a.started_at, a.summary, a.conclusion, a.reported_on, a.reported_at, a.version, a.created_at, a.updated_at
	FROM internal_audits a JOIN internal_audit_programmes g ON g.id = a.programme_id`

// scanAudit reads an audit's own row and works out whether it is overdue on the day today.
func scanAudit(scan func(...any) error, today string) (*Audit, error) {
	a := &Audit{Scope: Scope{Clauses: []string{}, Controls: []string{}, Systems: []ScopeSystem{}}, Auditees: []Person{},
		Items: []Item{}, Findings: []Finding{}, Counts: map[string]int{}}
	err := scan(&a.ID, &a.Ref, &a.ProgrammeRef, &a.Title, &a.Objectives, &a.Criteria, &a.PlannedStart, &a.PlannedEnd, &a.Auditor.UserID,
		&a.Status, &a.StartedAt, &a.Summary, &a.Conclusion, &a.ReportedOn, &a.ReportedAt, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	a.Overdue = a.Status != StatusReported && a.PlannedEnd < today
	return a, err
}

// get reads a whole audit of the actor's organisation: plan, checklist and findings.
func (s *Service) get(ctx context.Context, q db.Queryer, actor *aims.Actor, idOrRef string) (*Audit, error) {
	col, key := byIDOrRef("a", idOrRef)
	a, err := scanAudit(q.QueryRowContext(ctx, selectAudit+` WHERE a.org_id = ? AND `+col+` = ?`, actor.OrgID, key).Scan, s.today())
	if db.IsNoRows(err) {
		return nil, aims.NotFound("internal audit", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	members, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	a.Auditor.Name = memberName(members, a.Auditor.UserID)
	if err := s.readScope(ctx, q, actor, a, members); err != nil {
		return nil, err
	}
	if err := s.readItems(ctx, q, actor.OrgID, a); err != nil {
		return nil, err
	}
	return a, s.readFindings(ctx, q, actor.OrgID, a)
}

func memberName(members map[string]Member, id string) string {
	if m, ok := members[id]; ok {
		return m.Name
	}
	return "(former member)"
}

func (s *Service) readScope(ctx context.Context, q db.Queryer, actor *aims.Actor, a *Audit, members map[string]Member) error {
	rows, err := q.QueryContext(ctx, `SELECT kind, item FROM internal_audit_scope WHERE org_id = ? AND audit_id = ? ORDER BY kind, position`, actor.OrgID, a.ID)
	if err != nil {
		return err
	}
	var systemIDs []string
	for rows.Next() {
		var kind, item string
		if err := rows.Scan(&kind, &item); err != nil {
			rows.Close()
			return err
		}
		switch kind {
		case "clause":
			a.Scope.Clauses = append(a.Scope.Clauses, item)
		case "control":
			a.Scope.Controls = append(a.Scope.Controls, item)
		default:
			systemIDs = append(systemIDs, item)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range systemIDs {
		sys, err := s.sources.System(ctx, actor, id)
		if aims.CodeOf(err) == aims.CodeNotFound {
			sys, err = &SystemInfo{ID: id, Ref: id, Name: "(unknown system)"}, nil
		}
		if err != nil {
			return err
		}
		a.Scope.Systems = append(a.Scope.Systems, ScopeSystem{ID: sys.ID, Ref: sys.Ref, Name: sys.Name})
	}
	rows, err = q.QueryContext(ctx, `SELECT user_id FROM internal_audit_auditees WHERE org_id = ? AND audit_id = ? ORDER BY position`, actor.OrgID, a.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		a.Auditees = append(a.Auditees, Person{UserID: id, Name: memberName(members, id)})
	}
	return rows.Err()
}

const selectItem = `SELECT number, kind, requirement, title, asks, claimed_justification, claimed_status, result, notes, evidence,
	version, updated_at FROM internal_audit_items`

func scanItem(scan func(...any) error, auditRef string) (*Item, error) {
	var it Item
	var ev string
	if err := scan(&it.Number, &it.Kind, &it.Requirement, &it.Title, &it.Asks, &it.ClaimedJustification, &it.ClaimedStatus,
		&it.Result, &it.Notes, &ev, &it.Version, &it.UpdatedAt); err != nil {
		return nil, err
	}
	it.Ref = fmt.Sprintf("%s/C%d", auditRef, it.Number)
	if err := json.Unmarshal([]byte(ev), &it.Evidence); err != nil {
		return nil, fmt.Errorf("stored evidence of %s: %w", it.Ref, err)
	}
	return &it, nil
}

func (s *Service) readItems(ctx context.Context, q db.Queryer, orgID string, a *Audit) error {
	rows, err := q.QueryContext(ctx, selectItem+` WHERE org_id = ? AND audit_id = ? ORDER BY number`, orgID, a.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows.Scan, a.Ref)
		if err != nil {
			return err
		}
		a.Items = append(a.Items, *it)
		a.Counts[it.Result]++
	}
	return rows.Err()
}

func (s *Service) readFindings(ctx context.Context, q db.Queryer, orgID string, a *Audit) error {
	rows, err := q.QueryContext(ctx, `SELECT f.number, f.item_number, i.requirement, i.title, f.result, i.notes, f.nonconformity_ref
		FROM internal_audit_findings f JOIN internal_audit_items i ON i.audit_id = f.audit_id AND i.number = f.item_number
		WHERE f.org_id = ? AND f.audit_id = ? ORDER BY f.number`, orgID, a.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f Finding
		var item int
		if err := rows.Scan(&f.Number, &item, &f.Requirement, &f.Title, &f.Result, &f.Notes, &f.NonconformityRef); err != nil {
			return err
		}
		f.Ref, f.ItemRef = fmt.Sprintf("%s/F%d", a.Ref, f.Number), fmt.Sprintf("%s/C%d", a.Ref, item)
		a.Findings = append(a.Findings, f)
	}
	return rows.Err()
}

// Get returns an audit by id or reference, with its checklist and findings.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Audit, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, actor, idOrRef)
}

// List returns a page of the organisation's audits, by planned start, with their scope and counts but not their checklists.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q AuditQuery) (*AuditPage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	where, args := []string{"a.org_id = ?"}, []any{actor.OrgID}
	if ref := strings.TrimSpace(q.Programme); ref != "" {
		g, err := s.getProgramme(ctx, s.db, actor.OrgID, ref)
		if aims.CodeOf(err) == aims.CodeNotFound {
			return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
				Fields: []aims.FieldError{{Field: "programme", Message: "is not an audit programme of this organisation"}}}
		}
		if err != nil {
			return nil, err
		}
		where, args = append(where, "a.programme_id = ?"), append(args, g.ID)
	}
	if q.Status != "" {
		where, args = append(where, "a.status = ?"), append(args, q.Status)
	}
	if q.Overdue {
		where, args = append(where, "a.status <> 'reported' AND a.planned_end < ?"), append(args, s.today())
	}
	cond := strings.Join(where, " AND ")
	page := &AuditPage{Items: []Audit{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM internal_audits a WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.id FROM internal_audits a WHERE `+cond+` ORDER BY a.planned_start, a.ref LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		a, err := s.get(ctx, s.db, actor, id)
		if err != nil {
			return nil, err
		}
		a.Items = []Item{}
		page.Items = append(page.Items, *a)
	}
	return page, nil
}
