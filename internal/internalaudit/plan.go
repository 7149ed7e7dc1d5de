package internalaudit

import (
	"context"
	"fmt"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

func (pl *plan) audit(ref string) auditPlan {
	sys := []string{}
	for _, s := range pl.systems {
		sys = append(sys, s.Ref)
	}
	return auditPlan{Ref: ref, Programme: pl.programme.Ref, Title: pl.title, Objectives: pl.objectives, Criteria: pl.criteria,
		Clauses: pl.clauses, Controls: pl.controls, Systems: sys, PlannedStart: pl.plannedStart, PlannedEnd: pl.plannedEnd,
		AuditorID: pl.auditorID, AuditeeIDs: pl.auditeeIDs}
}

// Plan records a new audit in a programme, refusing an auditor who would audit their own work.
func (s *Service) Plan(ctx context.Context, actor *aims.Actor, req AuditRequest) (*Audit, error) {
	if err := identity.Authorize(actor, identity.ActAuditPlan); err != nil {
		return nil, err
	}
	c, err := s.catalogue(ctx, actor)
	if err != nil {
		return nil, err
	}
	pl := &plan{title: req.Title, objectives: req.Objectives, criteria: req.Criteria, clauses: req.Clauses, controls: req.Controls,
		systemKeys: req.Systems, plannedStart: req.PlannedStart, plannedEnd: req.PlannedEnd, auditorID: req.AuditorID, auditeeIDs: req.AuditeeIDs}
	var p aims.Problems
	if pl.programme, err = s.getProgramme(ctx, s.db, actor.OrgID, req.Programme); aims.CodeOf(err) == aims.CodeNotFound {
		p.Add("programme", "names %q, which is not an audit programme of this organisation", req.Programme)
	} else if err != nil {
		return nil, err
	}
	if err := s.check(ctx, actor, c, pl, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, auditPrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		id = aims.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO internal_audits (id, org_id, ref, programme_id, title, objectives, criteria,
			planned_start, planned_end, auditor_id, status, summary, conclusion, reported_on, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', 1, ?, ?)`,
			id, actor.OrgID, ref, pl.programme.ID, pl.title, pl.objectives, pl.criteria, pl.plannedStart, pl.plannedEnd, pl.auditorID,
			StatusPlanned, now, now); err != nil {
			return err
		}
		if err := s.writeScope(ctx, tx, actor.OrgID, id, pl); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, pl.audit(ref))
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionPlan, tlog.EventObject{Type: ObjectAudit, ID: id, Ref: ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot plan internal audit: %w", err)
	}
	return s.Get(ctx, actor, id)
}

// writeScope replaces the stored scope and auditees of an audit with the plan's.
func (s *Service) writeScope(ctx context.Context, tx *db.Tx, orgID, auditID string, pl *plan) error {
	for _, table := range []string{"internal_audit_scope", "internal_audit_auditees"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE org_id = ? AND audit_id = ?`, orgID, auditID); err != nil {
			return err
		}
	}
	add := func(kind string, items []string) error {
		for i, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO internal_audit_scope (org_id, audit_id, kind, item, position) VALUES (?, ?, ?, ?, ?)`,
				orgID, auditID, kind, it, i); err != nil {
				return err
			}
		}
		return nil
	}
	sysIDs := make([]string, len(pl.systems))
	for i, sys := range pl.systems {
		sysIDs[i] = sys.ID
	}
	if err := add("clause", pl.clauses); err != nil {
		return err
	}
	if err := add("control", pl.controls); err != nil {
		return err
	}
	if err := add("system", sysIDs); err != nil {
		return err
	}
	for i, id := range pl.auditeeIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO internal_audit_auditees (org_id, audit_id, user_id, position) VALUES (?, ?, ?, ?)`,
			orgID, auditID, id, i); err != nil {
			return err
		}
	}
	return nil
}

// planOf turns a stored audit back into a plan.
func (s *Service) planOf(ctx context.Context, q db.Queryer, orgID string, a *Audit) (*plan, error) {
	g, err := s.getProgramme(ctx, q, orgID, a.ProgrammeRef)
	if err != nil {
		return nil, err
	}
	pl := &plan{programme: g, title: a.Title, objectives: a.Objectives, criteria: a.Criteria, clauses: a.Scope.Clauses,
		controls: a.Scope.Controls, plannedStart: a.PlannedStart, plannedEnd: a.PlannedEnd, auditorID: a.Auditor.UserID}
	for _, sys := range a.Scope.Systems {
		pl.systemKeys = append(pl.systemKeys, sys.ID)
	}
	for _, p := range a.Auditees {
		pl.auditeeIDs = append(pl.auditeeIDs, p.UserID)
	}
	return pl, nil
}

// Update changes an audit's plan. Its scope, auditor and auditees change
// only while it is planned, and the auditor's independence is checked again
// against the changed plan; nothing changes once the report is issued.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req AuditUpdate) (*Audit, error) {
	if err := identity.Authorize(actor, identity.ActAuditPlan); err != nil {
		return nil, err
	}
	c, err := s.catalogue(ctx, actor)
	if err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.get(ctx, tx, actor, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		if before.Status == StatusReported {
			return aims.Errorf(aims.CodeConflict, "%s is reported: its plan is frozen", before.Ref)
		}
		pl, err := s.planOf(ctx, tx, actor.OrgID, before)
		if err != nil {
			return err
		}
		old, err := s.planOf(ctx, tx, actor.OrgID, before)
		if err != nil {
			return err
		}
		old.systems = scopeSystems(before)
		var p aims.Problems
		for dst, src := range map[*string]*string{&pl.title: req.Title, &pl.objectives: req.Objectives, &pl.criteria: req.Criteria,
			&pl.plannedStart: req.PlannedStart, &pl.plannedEnd: req.PlannedEnd, &pl.auditorID: req.AuditorID} {
			if src != nil {
				*dst = *src
			}
		}
		for dst, src := range map[*[]string]*[]string{&pl.clauses: req.Clauses, &pl.controls: req.Controls, &pl.systemKeys: req.Systems, &pl.auditeeIDs: req.AuditeeIDs} {
			if src != nil {
				*dst = *src
			}
		}
		if before.Status != StatusPlanned {
			for field, changed := range map[string]bool{"clauses": req.Clauses != nil, "controls": req.Controls != nil, "systems": req.Systems != nil,
				"auditor_id": req.AuditorID != nil, "auditee_ids": req.AuditeeIDs != nil} {
				if changed {
					p.Add(field, "cannot change once the audit has started")
				}
			}
		}
		if err := s.check(ctx, actor, c, pl, &p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(old.audit(before.Ref), pl.audit(before.Ref))
		if err != nil || len(ch) == 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE internal_audits SET title = ?, objectives = ?, criteria = ?, planned_start = ?, planned_end = ?,
			auditor_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			pl.title, pl.objectives, pl.criteria, pl.plannedStart, pl.plannedEnd, pl.auditorID, s.clock(), before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		if before.Status == StatusPlanned {
			if err := s.writeScope(ctx, tx, actor.OrgID, before.ID, pl); err != nil {
				return err
			}
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectAudit, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update internal audit %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, id)
}

// scopeSystems returns the stored audit's systems as a plan names them.
func scopeSystems(a *Audit) []SystemInfo {
	out := make([]SystemInfo, len(a.Scope.Systems))
	for i, sys := range a.Scope.Systems {
		out[i] = SystemInfo{ID: sys.ID, Ref: sys.Ref, Name: sys.Name}
	}
	return out
}
