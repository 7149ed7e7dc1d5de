package impact

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// ImpactRequest describes an impact. Every field is set as sent; the
// service names every bad field at once.
type ImpactRequest struct {
	Group         string `json:"group" doc:"Who is affected: a person, group or category of persons; required, at most 200 characters."`
	Harm          string `json:"harm" doc:"What harm may come to them; required, at most 1000 characters."`
	Severity      string `json:"severity" doc:"How bad the harm would be: low, medium, high or critical."`
	Likelihood    string `json:"likelihood" doc:"How likely it is: rare, unlikely, possible, likely or almost_certain."`
	Reversibility string `json:"reversibility" doc:"Whether it can be undone: reversible, partly_reversible or irreversible."`
	Scale         string `json:"scale" doc:"How widely it reaches: individual, group or society."`
	Mitigation    string `json:"mitigation,omitempty" doc:"What is done to prevent or lessen it, at most 4000 characters."`
	Version       int    `json:"version,omitempty" minimum:"0" doc:"When changing an impact, the impact's version this change is based on."`
}

// check trims the request and records every problem.
func (r *ImpactRequest) check(p *aims.Problems) {
	checkText(p, "group", &r.Group, true, maxTitle)
	checkText(p, "harm", &r.Harm, true, maxShort)
	checkText(p, "mitigation", &r.Mitigation, false, maxText)
	for _, e := range []struct {
		field string
		v     *string
		opts  []Option
	}{{"severity", &r.Severity, Severities}, {"likelihood", &r.Likelihood, Likelihoods},
		{"reversibility", &r.Reversibility, Reversibilities}, {"scale", &r.Scale, Scales}} {
		*e.v = strings.TrimSpace(*e.v)
		if !allowed(e.opts, *e.v) {
			p.Add(e.field, "must be one of %s", values(e.opts))
		}
	}
}

// auditImpact is what an impact's audit events record of it.
func auditImpact(i *Impact) map[string]any {
	return map[string]any{"group": i.Group, "harm": i.Harm, "severity": i.Severity, "likelihood": i.Likelihood,
		"reversibility": i.Reversibility, "scale": i.Scale, "mitigation": i.Mitigation}
}

const selectImpact = `SELECT id, number, group_name, harm, severity, likelihood, reversibility, scale, mitigation, version,
	created_at, updated_at FROM impact_impacts`

func scanImpact(scan func(...any) error) (*Impact, error) {
	var i Impact
	if err := scan(&i.ID, &i.Number, &i.Group, &i.Harm, &i.Severity, &i.Likelihood, &i.Reversibility, &i.Scale, &i.Mitigation,
		&i.Version, &i.CreatedAt, &i.UpdatedAt); err != nil {
		return nil, err
	}
	i.CreatedAt, i.UpdatedAt, i.Risks = i.CreatedAt.UTC(), i.UpdatedAt.UTC(), []RiskRef{}
	return &i, nil
}

// impacts reads an assessment's impacts in order with their linked risks;
// titles, when asked for, come from the risk register.
func (s *Service) impacts(ctx context.Context, q db.Queryer, orgID, assessmentID string, titles bool) ([]Impact, error) {
	rows, err := q.QueryContext(ctx, selectImpact+` WHERE org_id = ? AND assessment_id = ? ORDER BY number`, orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	out := []Impact{}
	byID := map[string]int{}
	for rows.Next() {
		i, err := scanImpact(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[i.ID] = len(out)
		out = append(out, *i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	links, err := q.QueryContext(ctx, `SELECT impact_id, risk_id, risk_ref FROM impact_risk_links WHERE org_id = ? AND assessment_id = ?
		ORDER BY created_at, risk_ref`, orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	defer links.Close()
	for links.Next() {
		var impactID string
		var r RiskRef
		if err := links.Scan(&impactID, &r.ID, &r.Ref); err != nil {
			return nil, err
		}
		if k, ok := byID[impactID]; ok {
			out[k].Risks = append(out[k].Risks, r)
		}
	}
	if err := links.Err(); err != nil {
		return nil, err
	}
	if titles {
		for k := range out {
			for j := range out[k].Risks {
				r := &out[k].Risks[j]
				if _, ref, title, err := s.sources.Risk(ctx, orgID, r.ID); err == nil {
					r.Ref, r.Title = ref, title
				}
			}
		}
	}
	return out, nil
}

// findImpact reads one impact of an assessment by id, number or #number.
func findImpact(ctx context.Context, q db.Queryer, orgID, assessmentID, key string) (*Impact, error) {
	key = strings.TrimPrefix(strings.TrimSpace(key), "#")
	cond, arg := "id = ?", any(strings.ToLower(key))
	if n, err := fmtNumber(key); err == nil {
		cond, arg = "number = ?", n
	}
	i, err := scanImpact(q.QueryRowContext(ctx, selectImpact+` WHERE org_id = ? AND assessment_id = ? AND `+cond, orgID, assessmentID, arg).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("impact", key)
	}
	return i, err
}

// fmtNumber reads an impact number of any length.
func fmtNumber(s string) (int, error) {
	n := 0
	if s == "" || len(s) > 9 {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a number: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// touch records that an impact of an assessment changed: an approved
// assessment becomes a draft again, with a new version.
func (s *Service) touch(ctx context.Context, tx *db.Tx, orgID string, r *row, ch *[]tlog.Change) error {
	status := reopen(r, ch)
	bump := 0
	if status != r.status {
		bump = 1
	}
	_, err := tx.ExecContext(ctx, `UPDATE impact_assessments SET status = ?, version = version + ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		status, bump, s.clock(), orgID, r.id)
	return err
}

// AddImpact adds an impact to an assessment.
func (s *Service) AddImpact(ctx context.Context, actor *aims.Actor, key string, req ImpactRequest) (*Impact, error) {
	if err := identity.Authorize(actor, identity.ActImpactEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	req.check(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := lockRow(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		if err := editable(r); err != nil {
			return err
		}
		now := s.clock()
		i := Impact{ID: aims.NewID(), Number: r.impactSeq + 1, Group: req.Group, Harm: req.Harm, Severity: req.Severity,
			Likelihood: req.Likelihood, Reversibility: req.Reversibility, Scale: req.Scale, Mitigation: req.Mitigation}
		id = i.ID
		if _, err := tx.ExecContext(ctx, `INSERT INTO impact_impacts (id, org_id, assessment_id, number, group_name, harm, severity,
			likelihood, reversibility, scale, mitigation, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			i.ID, actor.OrgID, r.id, i.Number, i.Group, i.Harm, i.Severity, i.Likelihood, i.Reversibility, i.Scale, i.Mitigation,
			now, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE impact_assessments SET impact_seq = ? WHERE org_id = ? AND id = ?`, i.Number, actor.OrgID, r.id); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, auditImpact(&i))
		if err != nil {
			return err
		}
		ch = append(ch, tlog.Change{Field: "impact", After: mustJSON(i.Number)})
		if err := s.touch(ctx, tx, actor.OrgID, r, &ch); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionImpactAdd, tlog.EventObject{Type: ObjectAssessment, ID: r.id, Ref: r.ref}, sorted(ch))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot add an impact to %s: %w", key, err)
	}
	return s.impact(ctx, actor.OrgID, key, id)
}

// impact reads one impact with its risks, after a change.
func (s *Service) impact(ctx context.Context, orgID, key, id string) (*Impact, error) {
	a, err := s.get(ctx, orgID, key)
	if err != nil {
		return nil, err
	}
	i, ok := a.Impact(id)
	if !ok {
		return nil, aims.NotFound("impact", id)
	}
	return i, nil
}

// UpdateImpact changes an impact, if it has not changed since the version
// the request is based on. A change that changes nothing records nothing.
func (s *Service) UpdateImpact(ctx context.Context, actor *aims.Actor, key, impactKey string, req ImpactRequest) (*Impact, error) {
	if err := identity.Authorize(actor, identity.ActImpactEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	req.check(&p)
	if req.Version < 1 {
		p.Add("version", "must be the impact's current version")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := lockRow(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		before, err := findImpact(ctx, tx, actor.OrgID, r.id, impactKey)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion("impact #"+itoa(before.Number), before.Version, req.Version)
		}
		if err := editable(r); err != nil {
			return err
		}
		after := *before
		after.Group, after.Harm, after.Severity, after.Likelihood = req.Group, req.Harm, req.Severity, req.Likelihood
		after.Reversibility, after.Scale, after.Mitigation = req.Reversibility, req.Scale, req.Mitigation
		ch, err := tlog.Changes(auditImpact(before), auditImpact(&after))
		if err != nil || len(ch) == 0 {
			return err
		}
		var res sql.Result
		if res, err = tx.ExecContext(ctx, `UPDATE impact_impacts SET group_name = ?, harm = ?, severity = ?, likelihood = ?,
			reversibility = ?, scale = ?, mitigation = ?, version = version + 1, updated_at = ? WHERE org_id = ? AND id = ? AND version = ?`,
			after.Group, after.Harm, after.Severity, after.Likelihood, after.Reversibility, after.Scale, after.Mitigation, s.clock(),
			actor.OrgID, before.ID, before.Version); err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion("impact #"+itoa(before.Number), before.Version+1, req.Version)
		}
		n := mustJSON(before.Number)
		ch = append(ch, tlog.Change{Field: "impact", Before: n, After: n})
		if err := s.touch(ctx, tx, actor.OrgID, r, &ch); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionImpactUpdate, tlog.EventObject{Type: ObjectAssessment, ID: r.id, Ref: r.ref}, sorted(ch))
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change impact %s of %s: %w", impactKey, key, err)
	}
	return s.impact(ctx, actor.OrgID, key, id)
}

// RemoveImpact removes an impact and its links to risks; the risks stay in
// the register. A positive version must be the impact's current version.
func (s *Service) RemoveImpact(ctx context.Context, actor *aims.Actor, key, impactKey string, version int) error {
	if err := identity.Authorize(actor, identity.ActImpactEdit); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := lockRow(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		before, err := findImpact(ctx, tx, actor.OrgID, r.id, impactKey)
		if err != nil {
			return err
		}
		if version > 0 && version != before.Version {
			return staleVersion("impact #"+itoa(before.Number), before.Version, version)
		}
		if err := editable(r); err != nil {
			return err
		}
		impacts, err := s.impacts(ctx, tx, actor.OrgID, r.id, false)
		if err != nil {
			return err
		}
		fields := auditImpact(before)
		for _, i := range impacts {
			if i.ID == before.ID {
				refs := []string{}
				for _, rk := range i.Risks {
					refs = append(refs, rk.Ref)
				}
				fields["risks"] = refs
			}
		}
		ch, err := tlog.Changes(fields, nil)
		if err != nil {
			return err
		}
		ch = append(ch, tlog.Change{Field: "impact", Before: mustJSON(before.Number)})
		if _, err := tx.ExecContext(ctx, `DELETE FROM impact_risk_links WHERE org_id = ? AND impact_id = ?`, actor.OrgID, before.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM impact_impacts WHERE org_id = ? AND id = ?`, actor.OrgID, before.ID); err != nil {
			return err
		}
		if err := s.touch(ctx, tx, actor.OrgID, r, &ch); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionImpactRemove, tlog.EventObject{Type: ObjectAssessment, ID: r.id, Ref: r.ref}, sorted(ch))
	})
	if err != nil {
		return fmt.Errorf("cannot remove impact %s of %s: %w", impactKey, key, err)
	}
	return nil
}

// sorted orders changes by field, as tlog.Changes does.
func sorted(ch []tlog.Change) []tlog.Change {
	sort.Slice(ch, func(i, j int) bool { return ch[i].Field < ch[j].Field })
	return ch
}
