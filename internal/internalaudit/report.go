package internalaudit

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Report issues an audit's report as its auditor, once every checklist item
// is assessed. Every item with a finding becomes a numbered finding, and
// every minor or major nonconformity a nonconformity, in the same
// transaction; the audit is then frozen.
func (s *Service) Report(ctx context.Context, actor *aims.Actor, idOrRef string, req ReportRequest) (*Audit, error) {
	if err := identity.Authorize(actor, identity.ActAuditConduct); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		a, err := s.get(ctx, tx, actor, idOrRef)
		if err != nil {
			return err
		}
		id = a.ID
		if err := authorizeAuditor(actor, a); err != nil {
			return err
		}
		if a.Status != StatusInProgress {
			return aims.Errorf(aims.CodeConflict, "%s is %s: only an audit in progress can be reported", a.Ref, Label(Statuses, a.Status))
		}
		if req.Version != a.Version {
			return staleVersion(a.Ref, a.Version, req.Version)
		}
		var p aims.Problems
		text(&p, "summary", &req.Summary, true, maxText)
		text(&p, "conclusion", &req.Conclusion, true, maxText)
		var open, undescribed []string
		for _, it := range a.Items {
			if it.Result == ResultNotAssessed {
				open = append(open, it.Ref)
			}
			if IsFinding(it.Result) && it.Notes == "" {
				undescribed = append(undescribed, it.Ref)
			}
		}
		if len(open) > 0 {
			p.Add("items", "%s not assessed yet: record a result on every item before issuing the report", strings.Join(open, ", "))
		} else if len(undescribed) > 0 {
			p.Add("items", "%s have findings without notes", strings.Join(undescribed, ", "))
		}
		if err := p.Err(); err != nil {
			return err
		}
		findings, err := s.raiseFindings(ctx, tx, actor, a)
		if err != nil {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE internal_audits SET status = ?, summary = ?, conclusion = ?, reported_on = ?, reported_at = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND org_id = ?`,
			StatusReported, req.Summary, req.Conclusion, s.today(), now, now, a.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionReport, tlog.EventObject{Type: ObjectAudit, ID: a.ID, Ref: a.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(a.Status), After: mustJSON(StatusReported)},
				{Field: "summary", Before: mustJSON(nil), After: mustJSON(req.Summary)},
				{Field: "conclusion", Before: mustJSON(nil), After: mustJSON(req.Conclusion)},
				{Field: "findings", Before: mustJSON(nil), After: mustJSON(findings)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot issue the report of internal audit %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, id)
}

// raiseFindings numbers the audit's findings in checklist order, raises the
// nonconformities, stores the findings, and returns them as the audit log
// words them: "IA-2/F1 major A.6.2.4 NC-4".
func (s *Service) raiseFindings(ctx context.Context, tx *db.Tx, actor *aims.Actor, a *Audit) ([]string, error) {
	systems := make([]string, len(a.Scope.Systems))
	for i, sys := range a.Scope.Systems {
		systems[i] = sys.ID
	}
	owner := ""
	if len(a.Auditees) > 0 {
		owner = a.Auditees[0].UserID
	}
	out := []string{}
	n := 0
	for _, it := range a.Items {
		if !IsFinding(it.Result) {
			continue
		}
		n++
		ref := fmt.Sprintf("%s/F%d", a.Ref, n)
		nc := ""
		if IsNonconformity(it.Result) {
			r := Raise{SourceRef: ref, Title: shorten(fmt.Sprintf("%s: %s %s", ref, it.Requirement, it.Title), maxTitle),
				Description: findingDescription(a, it), Severity: it.Result, Systems: systems, OwnerID: owner,
				Clauses: []string{}, Controls: []string{}}
			if it.Kind == "clause" {
				r.Clauses = []string{it.Requirement}
			} else {
				r.Controls = []string{it.Requirement}
			}
			var err error
			if nc, err = s.sources.RaiseNonconformity(ctx, tx, actor, r); err != nil {
				return nil, fmt.Errorf("cannot raise a nonconformity for %s: %w", ref, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO internal_audit_findings (id, org_id, audit_id, number, item_number, result, nonconformity_ref, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, aims.NewID(), actor.OrgID, a.ID, n, it.Number, it.Result, nc, s.clock()); err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s %s", ref, it.Result, it.Requirement, nc)))
	}
	return out, nil
}

// findingDescription words a finding for the nonconformity it becomes.
func findingDescription(a *Audit, it Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s found in internal audit %s (%s), checklist item %s, %s %s.\n\n%s",
		Label(Results, it.Result), a.Ref, a.Title, it.Ref, it.Requirement, it.Title, it.Notes)
	if len(it.Evidence) > 0 {
		fmt.Fprintf(&b, "\n\nEvidence examined: %s.", strings.Join(it.Evidence, ", "))
	}
	return shorten(b.String(), maxText)
}

// shorten cuts s to at most max characters, ending with an ellipsis when cut.
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
