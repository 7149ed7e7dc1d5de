package soa

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Draft returns the organisation's draft: every control with its decision,
// overrides and current evidence, and what still blocks approval.
func (s *Service) Draft(ctx context.Context, actor *aims.Actor) (*Draft, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.draft(ctx, s.db, actor.OrgID)
}

// SetScope changes the scope of the draft, if it has not changed since the
// version the request is based on.
func (s *Service) SetScope(ctx context.Context, actor *aims.Actor, req ScopeRequest) (*Draft, error) {
	if err := identity.Authorize(actor, identity.ActSoAEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	scope := req.Scope
	checkText(&p, "scope", &scope, false)
	if req.Version < 0 {
		p.Add("version", "must be 0 or more")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := lockDraft(ctx, tx, actor.OrgID, s.clock()); err != nil {
			return err
		}
		var before string
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT scope, version FROM soa_drafts WHERE org_id = ?`, actor.OrgID).Scan(&before, &version); err != nil {
			return err
		}
		if req.Version != version {
			return staleVersion("the scope", version, req.Version)
		}
		if before == scope {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE soa_drafts SET scope = ?, version = version + 1, updated_at = ? WHERE org_id = ?`,
			scope, s.clock(), actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionScopeChange,
			tlog.EventObject{Type: ObjectDraft, ID: actor.OrgID, Ref: "SoA draft"},
			[]tlog.Change{{Field: "scope", Before: mustJSON(before), After: mustJSON(scope)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change the scope of the Statement of Applicability: %w", err)
	}
	return s.draft(ctx, s.db, actor.OrgID)
}

// SetEntry decides on a control for the organisation or, when system names
// an AI system by id or reference, for that system. A request with version
// 0 makes the decision; any other version must be the current one.
func (s *Service) SetEntry(ctx context.Context, actor *aims.Actor, controlID, system string, req EntryRequest) (*Entry, error) {
	if err := identity.Authorize(actor, identity.ActSoAEdit); err != nil {
		return nil, err
	}
	ctl, err := s.control(ctx, actor.OrgID, controlID)
	if err != nil {
		return nil, err
	}
	var sys systemRef
	if strings.TrimSpace(system) != "" {
		if sys, err = s.system(ctx, actor.OrgID, system); err != nil {
			return nil, err
		}
	}
	stored, err := readDecision(ctx, s.db, actor.OrgID, ctl.ID, sys.id)
	if err != nil {
		return nil, err
	}
	keptOwner := ""
	if stored != nil {
		keptOwner = stored.OwnerID
	}
	var p aims.Problems
	after, err := req.decision(ctx, s.db, actor.OrgID, keptOwner, &p)
	if err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	obj := entryObject(ctl.ID, sys)
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		if err := lockDraft(ctx, tx, actor.OrgID, now); err != nil {
			return err
		}
		before, err := readDecision(ctx, tx, actor.OrgID, ctl.ID, sys.id)
		if err != nil {
			return err
		}
		current := 0
		if before != nil {
			current = before.Version
		}
		if req.Version != current {
			return staleVersion("this decision", current, req.Version)
		}
		var prior any
		if before != nil {
			prior = auditFields(before)
		}
		ch, err := tlog.Changes(prior, auditFields(&after))
		if err != nil {
			return err
		}
		if before != nil && len(ch) == 0 {
			return nil // nothing changed: no new version, no event
		}
		// The owner was checked before; check again if the decision changed meanwhile.
		if after.OwnerID != "" && after.OwnerID != keptOwner && (before == nil || after.OwnerID != before.OwnerID) {
			if ok, err := isMember(ctx, tx, actor.OrgID, after.OwnerID); err != nil || !ok {
				if err != nil {
					return err
				}
				return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
					Fields: []aims.FieldError{{Field: "owner_id", Message: "is not a member of this organisation"}}}
			}
		}
		by := tlog.ActorOf(actor).ID
		if before == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO soa_entries (org_id, control_id, system_id, applicable, justification,
				status, owner_id, target_date, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
				actor.OrgID, ctl.ID, sys.id, after.Applicable, after.Justification, after.Status, nullable(after.OwnerID),
				after.TargetDate, now, by)
		} else {
			var res sql.Result
			res, err = tx.ExecContext(ctx, `UPDATE soa_entries SET applicable = ?, justification = ?, status = ?, owner_id = ?,
				target_date = ?, version = version + 1, updated_at = ?, updated_by = ?
				WHERE org_id = ? AND control_id = ? AND system_id = ? AND version = ?`,
				after.Applicable, after.Justification, after.Status, nullable(after.OwnerID), after.TargetDate, now, by,
				actor.OrgID, ctl.ID, sys.id, before.Version)
			if err == nil {
				if n, rerr := res.RowsAffected(); rerr != nil || n != 1 {
					return staleVersion("this decision", before.Version+1, req.Version)
				}
			}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE soa_drafts SET updated_at = ? WHERE org_id = ?`, now, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionEntrySet, obj, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot decide on %s: %w", obj.Ref, err)
	}
	return s.entry(ctx, actor.OrgID, ctl.ID)
}

// RemoveOverride removes an AI system's own decision on a control, so that
// the organisation's applies to it again. A positive version must be the
// override's current version.
func (s *Service) RemoveOverride(ctx context.Context, actor *aims.Actor, controlID, system string, version int) (*Entry, error) {
	if err := identity.Authorize(actor, identity.ActSoAEdit); err != nil {
		return nil, err
	}
	ctl, err := s.control(ctx, actor.OrgID, controlID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(system) == "" {
		return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{Field: "system",
			Message: "is required: only an AI system's override can be removed; change the organisation's decision instead"}}}
	}
	sys, err := s.system(ctx, actor.OrgID, system)
	if err != nil {
		return nil, err
	}
	obj := entryObject(ctl.ID, sys)
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		now := s.clock()
		if err := lockDraft(ctx, tx, actor.OrgID, now); err != nil {
			return err
		}
		before, err := readDecision(ctx, tx, actor.OrgID, ctl.ID, sys.id)
		if err != nil {
			return err
		}
		if before == nil {
			return aims.NotFound("override", obj.Ref)
		}
		if version > 0 && version != before.Version {
			return staleVersion("this override", before.Version, version)
		}
		ch, err := tlog.Changes(auditFields(before), nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM soa_entries WHERE org_id = ? AND control_id = ? AND system_id = ?`,
			actor.OrgID, ctl.ID, sys.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE soa_drafts SET updated_at = ? WHERE org_id = ?`, now, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionOverrideRemove, obj, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot remove the override %s: %w", obj.Ref, err)
	}
	return s.entry(ctx, actor.OrgID, ctl.ID)
}

// Entry returns one control of the draft, by id.
func (s *Service) Entry(ctx context.Context, actor *aims.Actor, controlID string) (*Entry, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	ctl, err := s.control(ctx, actor.OrgID, controlID)
	if err != nil {
		return nil, err
	}
	return s.entry(ctx, actor.OrgID, ctl.ID)
}

func (s *Service) entry(ctx context.Context, orgID, controlID string) (*Entry, error) {
	d, err := s.draft(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	for i := range d.Entries {
		if d.Entries[i].ControlID == controlID {
			return &d.Entries[i], nil
		}
	}
	return nil, aims.NotFound("control", controlID)
}

// ForSystem returns the Statement of Applicability as it applies to one AI
// system: its override where it has one, else the organisation's decision.
func (s *Service) ForSystem(ctx context.Context, actor *aims.Actor, system string) (*SystemView, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	sys, err := s.system(ctx, actor.OrgID, system)
	if err != nil {
		return nil, err
	}
	d, err := s.draft(ctx, s.db, actor.OrgID)
	if err != nil {
		return nil, err
	}
	v := &SystemView{SystemID: sys.id, SystemRef: sys.ref, SystemName: sys.name, Entries: make([]SystemEntry, 0, len(d.Entries))}
	for _, e := range d.Entries {
		se := SystemEntry{ControlID: e.ControlID, CategoryID: e.CategoryID, CategoryTitle: e.CategoryTitle, Title: e.Title,
			Custom: e.Custom, Source: SourceUndecided, Evidence: e.Evidence}
		if e.Decision != nil {
			se.Source, se.Decision = SourceOrganisation, e.Decision
		}
		for _, o := range e.Overrides {
			if o.SystemID == sys.id {
				dec := o.Decision
				se.Source, se.Decision = SourceSystem, &dec
				v.Overrides++
			}
		}
		v.Entries = append(v.Entries, se)
	}
	return v, nil
}

// systemRef is an AI system as the Statement of Applicability names it; the
// zero value stands for the organisation.
type systemRef struct{ id, ref, name string }

func (s *Service) system(ctx context.Context, orgID, idOrRef string) (systemRef, error) {
	id, ref, name, err := s.sources.System(ctx, orgID, strings.TrimSpace(idOrRef))
	if err != nil {
		return systemRef{}, err
	}
	return systemRef{id: id, ref: ref, name: name}, nil
}

// control finds a control the organisation must decide on, ignoring case.
func (s *Service) control(ctx context.Context, orgID, id string) (ControlInfo, error) {
	cs, err := s.sources.Controls(ctx, orgID)
	if err != nil {
		return ControlInfo{}, err
	}
	id = strings.TrimSpace(id)
	for _, c := range cs {
		if strings.EqualFold(c.ID, id) {
			return c, nil
		}
	}
	return ControlInfo{}, aims.NotFound("control", id)
}

// entryObject names a decision in the audit log: A.6.2.4, or A.6.2.4 for SYS-3.
func entryObject(controlID string, sys systemRef) tlog.EventObject {
	if sys.id == "" {
		return tlog.EventObject{Type: ObjectEntry, ID: controlID, Ref: controlID}
	}
	return tlog.EventObject{Type: ObjectEntry, ID: controlID + "@" + sys.id, Ref: controlID + " for " + sys.ref}
}

// auditFields are the fields of a decision that its audit events record.
func auditFields(d *Decision) map[string]any {
	return map[string]any{"applicable": d.Applicable, "justification": d.Justification, "status": d.Status,
		"owner_id": d.OwnerID, "target_date": d.TargetDate}
}

// lockDraft makes the organisation's draft row if it has none and locks it,
// so that changes to the draft and approvals run one at a time.
func lockDraft(ctx context.Context, tx *db.Tx, orgID string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO soa_drafts (org_id, scope, version, updated_at) VALUES (?, '', 0, ?)
		ON CONFLICT (org_id) DO NOTHING`, orgID, now); err != nil {
		return fmt.Errorf("cannot make the draft: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE soa_drafts SET version = version WHERE org_id = ?`, orgID); err != nil {
		return fmt.Errorf("cannot lock the draft: %w", err)
	}
	return nil
}

const selectDecision = `SELECT e.control_id, e.system_id, e.applicable, e.justification, e.status, COALESCE(e.owner_id, ''),
	COALESCE(u.name, ''), e.target_date, e.version, e.updated_at, e.updated_by, COALESCE(b.name, e.updated_by)
	FROM soa_entries e LEFT JOIN users u ON u.id = e.owner_id LEFT JOIN users b ON b.id = e.updated_by`

type storedDecision struct {
	controlID, systemID string
	Decision
}

func scanDecision(scan func(...any) error) (storedDecision, error) {
	var r storedDecision
	err := scan(&r.controlID, &r.systemID, &r.Applicable, &r.Justification, &r.Status, &r.OwnerID, &r.OwnerName,
		&r.TargetDate, &r.Version, &r.UpdatedAt, &r.UpdatedBy, &r.UpdatedByName)
	r.UpdatedAt = r.UpdatedAt.UTC()
	return r, err
}

// readDecision reads one decision, or nil when there is none.
func readDecision(ctx context.Context, q db.Queryer, orgID, controlID, systemID string) (*Decision, error) {
	r, err := scanDecision(q.QueryRowContext(ctx, selectDecision+` WHERE e.org_id = ? AND e.control_id = ? AND e.system_id = ?`,
		orgID, controlID, systemID).Scan)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r.Decision, nil
}

// external is what the draft reads from other capabilities: the controls,
// the current evidence and the AI systems named by overrides.
type external struct {
	controls []ControlInfo
	evidence map[string][]EvidenceRef
	risks    map[string][]RiskRef
	systems  map[string]systemRef
}

// external reads what the draft needs from other capabilities, outside any
// transaction of the Statement's own.
func (s *Service) external(ctx context.Context, orgID string) (*external, error) {
	x := &external{systems: map[string]systemRef{}}
	var err error
	if x.controls, err = s.sources.Controls(ctx, orgID); err != nil {
		return nil, fmt.Errorf("cannot list the controls: %w", err)
	}
	if x.evidence, err = s.sources.CurrentEvidence(ctx, orgID); err != nil {
		return nil, fmt.Errorf("cannot list the current evidence: %w", err)
	}
	if x.risks, err = s.sources.RisksForControls(ctx, orgID); err != nil {
		return nil, fmt.Errorf("cannot list the risks the controls treat: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT system_id FROM soa_entries WHERE org_id = ? AND system_id <> ''`, orgID)
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
		if err := s.resolve(ctx, orgID, x, id); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// resolve names an AI system of an override, remembering it in x.
func (s *Service) resolve(ctx context.Context, orgID string, x *external, id string) error {
	if _, ok := x.systems[id]; ok {
		return nil
	}
	sys, err := s.system(ctx, orgID, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		sys, err = systemRef{id: id, ref: id, name: "(unknown AI system)"}, nil
	}
	if err != nil {
		return err
	}
	x.systems[id] = sys
	return nil
}

// draft reads the whole draft of an organisation.
func (s *Service) draft(ctx context.Context, q db.Queryer, orgID string) (*Draft, error) {
	x, err := s.external(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return s.assemble(ctx, q, orgID, x)
}

// assemble reads the draft's own records through q, which may be a
// transaction, and puts them together with what x holds.
func (s *Service) assemble(ctx context.Context, q db.Queryer, orgID string, x *external) (*Draft, error) {
	d := &Draft{Entries: []Entry{}, Blockers: []string{}}
	var updated time.Time
	err := q.QueryRowContext(ctx, `SELECT scope, version, updated_at FROM soa_drafts WHERE org_id = ?`, orgID).
		Scan(&d.Scope, &d.ScopeVersion, &updated)
	switch {
	case db.IsNoRows(err):
	case err != nil:
		return nil, err
	default:
		updated = updated.UTC()
		d.UpdatedAt = &updated
	}
	if err := q.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, orgID).Scan(&d.Organisation); err != nil {
		return nil, fmt.Errorf("cannot read the organisation's name: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM soa_versions WHERE org_id = ?`, orgID).Scan(&d.LatestVersion); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, selectDecision+` WHERE e.org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	orgLevel := map[string]*Decision{}
	overrides := map[string][]Override{}
	for rows.Next() {
		r, err := scanDecision(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if r.systemID == "" {
			dec := r.Decision
			orgLevel[r.controlID] = &dec
		} else {
			overrides[r.controlID] = append(overrides[r.controlID], Override{SystemID: r.systemID, Decision: r.Decision})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range x.controls {
		e := Entry{ControlID: c.ID, CategoryID: c.CategoryID, CategoryTitle: c.CategoryTitle, Title: c.Title, Custom: c.Custom,
			Decision: orgLevel[c.ID], Overrides: []Override{}, Evidence: []EvidenceRef{}, Risks: []RiskRef{}}
		for _, o := range overrides[c.ID] {
			if err := s.resolve(ctx, orgID, x, o.SystemID); err != nil {
				return nil, err
			}
			sys := x.systems[o.SystemID]
			o.SystemRef, o.SystemName = sys.ref, sys.name
			e.Overrides = append(e.Overrides, o)
		}
		sort.SliceStable(e.Overrides, func(i, j int) bool { return lessRef(e.Overrides[i].SystemRef, e.Overrides[j].SystemRef) })
		if ev := x.evidence[c.ID]; len(ev) > 0 {
			e.Evidence = append(e.Evidence, ev...)
		}
		e.Risks = append(e.Risks, x.risks[c.ID]...)
		d.Total++
		if e.Decided() {
			d.Decided++
			if e.Decision.Applicable {
				d.Applicable++
			}
		} else {
			d.Blockers = append(d.Blockers, c.ID)
		}
		d.Entries = append(d.Entries, e)
	}
	d.ScopeMissing = strings.TrimSpace(d.Scope) == ""
	return d, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
