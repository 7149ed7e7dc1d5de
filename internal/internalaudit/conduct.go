package internalaudit

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// authorizeAuditor refuses anyone but the audit's own auditor, whose role must allow conducting audits.
func authorizeAuditor(actor *aims.Actor, a *Audit) error {
	if err := identity.Authorize(actor, identity.ActAuditConduct); err != nil {
		return err
	}
	if actor.UserID == "" || actor.UserID != a.Auditor.UserID {
		return aims.Errorf(aims.CodeForbidden, "only the auditor of %s, %s, may carry it out", a.Ref, a.Auditor.Name)
	}
	return nil
}

// checklistItem is a checklist line before it is stored.
type checklistItem struct {
	kind, requirement, title, asks, justification, status string
}

// checklist builds the items of a plan: one per sub-clause in scope, then
// one per control in scope that the Statement of Applicability marks
// applicable, for the organisation or for an AI system in scope (any
// system when the scope names none), with what it claims.
func (c *catalogue) checklist(pl *plan) []checklistItem {
	var out []checklistItem
	for _, r := range c.expandClauses(pl.clauses) {
		out = append(out, checklistItem{kind: "clause", requirement: r.ID, title: r.Title, asks: r.Asks})
	}
	inScope := map[string]string{}
	for _, sys := range pl.systems {
		inScope[sys.ID] = sys.Ref
	}
	for _, ctl := range c.expandControls(pl.controls) {
		for _, e := range c.soa {
			if e.ControlID != ctl.ID {
				continue
			}
			var claims []string
			status := ""
			if o := e.Organisation; o != nil && o.Applicable {
				claims, status = append(claims, o.Justification), o.Status
			}
			for _, o := range e.Overrides {
				ref, ok := inScope[o.SystemID]
				if o.Applicable && (ok || len(inScope) == 0) {
					if ref == "" {
						ref = "an AI system"
					}
					claims = append(claims, "For "+ref+": "+o.Justification)
					if status == "" {
						status = o.Status
					}
				}
			}
			if len(claims) > 0 {
				out = append(out, checklistItem{kind: "control", requirement: ctl.ID, title: ctl.Title, asks: ctl.Asks,
					justification: strings.Join(claims, "\n"), status: status})
			}
		}
	}
	return out
}

// Start begins a planned audit as its auditor: the auditor's independence is
// checked again against the records as they are now, and the checklist is generated.
func (s *Service) Start(ctx context.Context, actor *aims.Actor, idOrRef string) (*Audit, error) {
	if err := identity.Authorize(actor, identity.ActAuditConduct); err != nil {
		return nil, err
	}
	c, err := s.catalogue(ctx, actor)
	if err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		a, err := s.get(ctx, tx, actor, idOrRef)
		if err != nil {
			return err
		}
		id = a.ID
		if err := authorizeAuditor(actor, a); err != nil {
			return err
		}
		if a.Status != StatusPlanned {
			return aims.Errorf(aims.CodeConflict, "%s has already started", a.Ref)
		}
		pl, err := s.planOf(ctx, tx, actor.OrgID, a)
		if err != nil {
			return err
		}
		var p aims.Problems
		if err := s.check(ctx, actor, c, pl, &p); err != nil {
			return err
		}
		items := c.checklist(pl)
		if len(items) == 0 && !p.Has("controls") {
			p.Add("controls", "none of the controls in scope is applicable in the Statement of Applicability, so there is nothing to audit")
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := s.clock()
		for i, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO internal_audit_items (id, org_id, audit_id, number, kind, requirement, title, asks,
				claimed_justification, claimed_status, result, notes, evidence, version, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '[]', 1, ?, ?)`,
				aims.NewID(), actor.OrgID, a.ID, i+1, it.kind, it.requirement, it.title, it.asks, it.justification, it.status,
				ResultNotAssessed, now, actor.UserID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE internal_audits SET status = ?, started_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, StatusInProgress, now, now, a.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionStart, tlog.EventObject{Type: ObjectAudit, ID: a.ID, Ref: a.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(a.Status), After: mustJSON(StatusInProgress)},
				{Field: "checklist_items", Before: mustJSON(nil), After: mustJSON(len(items))}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot start internal audit %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, id)
}

type auditItem struct {
	Result   string   `json:"result"`
	Notes    string   `json:"notes"`
	Evidence []string `json:"evidence"`
}

// Record sets the result, notes and evidence of a checklist item, as the audit's auditor while the audit is in progress.
func (s *Service) Record(ctx context.Context, actor *aims.Actor, idOrRef string, number int, req ItemUpdate) (*Item, error) {
	if err := identity.Authorize(actor, identity.ActAuditConduct); err != nil {
		return nil, err
	}
	var auditRef string
	var auditID string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		a, err := s.get(ctx, tx, actor, idOrRef)
		if err != nil {
			return err
		}
		auditRef, auditID = a.Ref, a.ID
		if err := authorizeAuditor(actor, a); err != nil {
			return err
		}
		if number < 1 || number > len(a.Items) {
			return aims.NotFound("checklist item", fmt.Sprintf("%s/C%d", a.Ref, number))
		}
		before := a.Items[number-1]
		if a.Status != StatusInProgress {
			return aims.Errorf(aims.CodeConflict, "%s is %s: results are recorded only while it is in progress", a.Ref, Label(Statuses, a.Status))
		}
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		after := before
		if req.Result != nil {
			after.Result = strings.TrimSpace(*req.Result)
		}
		if req.Notes != nil {
			after.Notes = *req.Notes
		}
		var p aims.Problems
		if !allowed(Results, after.Result) {
			p.Add("result", "must be one of %s", values(Results))
		}
		text(&p, "notes", &after.Notes, false, maxText)
		if IsFinding(after.Result) && after.Notes == "" && !p.Has("notes") {
			p.Add("notes", "must describe the finding: what was found, against what, and where")
		}
		if req.Evidence != nil {
			if after.Evidence, err = s.evidence(ctx, actor, *req.Evidence, &p); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(auditItem{before.Result, before.Notes, before.Evidence}, auditItem{after.Result, after.Notes, after.Evidence})
		if err != nil || len(ch) == 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE internal_audit_items SET result = ?, notes = ?, evidence = ?, version = version + 1, updated_at = ?, updated_by = ?
			WHERE org_id = ? AND audit_id = ? AND number = ? AND version = ?`,
			after.Result, after.Notes, string(mustJSON(after.Evidence)), s.clock(), actor.UserID, actor.OrgID, a.ID, number, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRecord, tlog.EventObject{Type: ObjectItem, ID: a.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record checklist item %s/C%d: %w", idOrRef, number, err)
	}
	it, err := scanItem(s.db.QueryRowContext(ctx, selectItem+` WHERE org_id = ? AND audit_id = ? AND number = ?`, actor.OrgID, auditID, number).Scan, auditRef)
	return it, err
}

// evidence resolves evidence references, recording a problem for one that is not the organisation's.
func (s *Service) evidence(ctx context.Context, actor *aims.Actor, in []string, p *aims.Problems) ([]string, error) {
	out := []string{}
	for _, k := range keys(in, true) {
		ev, err := s.sources.Evidence(ctx, actor, k)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("evidence", "names %s, which is not evidence of this organisation", k)
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev.Ref)
	}
	if len(out) > maxEvidence {
		p.Add("evidence", "must list at most %d", maxEvidence)
	}
	return out, nil
}
