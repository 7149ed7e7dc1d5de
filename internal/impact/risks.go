package impact

import (
	"context"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// RiskCreateRequest raises a risk from an impact. Empty fields are filled
// in from the impact.
type RiskCreateRequest struct {
	Title       string `json:"title,omitempty" doc:"The risk's title, at most 200 characters; by default the harm and who is affected."`
	Description string `json:"description,omitempty" doc:"At most 4000 characters; by default where the risk comes from and how the impact was rated."`
}

// LinkRequest links an impact to a risk already in the register.
type LinkRequest struct {
	Risk string `json:"risk" doc:"The risk, by reference (RISK-3) or id."`
}

// riskFrom prefills a risk from an impact of an assessment: its title from
// the harm and who is affected, its AI system, and the consequences for
// individuals (or, for harm to society, for society) from the rating.
func riskFrom(a *Assessment, i *Impact, req RiskCreateRequest) RiskRequest {
	title := req.Title
	if title == "" {
		title = oneLine(i.Harm+" ("+i.Group+")", maxTitle)
	}
	description := req.Description
	if description == "" {
		description = "Raised from impact #" + itoa(i.Number) + " of the impact assessment " + a.Ref + " (" + a.Title + ") of " +
			a.SystemRef + " " + a.SystemName + "."
	}
	consequence := i.Group + ": " + i.Harm + ". Severity " + Label(Severities, i.Severity) + ", likelihood " +
		Label(Likelihoods, i.Likelihood) + ", " + strings.ToLower(Label(Reversibilities, i.Reversibility)) + ", scale " +
		strings.ToLower(Label(Scales, i.Scale)) + "."
	if i.Mitigation != "" {
		consequence += " Mitigation: " + i.Mitigation
	}
	out := RiskRequest{Title: title, Description: description, SystemIDs: []string{a.SystemID}}
	if i.Scale == "society" {
		out.ConsequencesSociety = consequence
	} else {
		out.ConsequencesIndividuals = consequence
	}
	return out
}

// CreateRisk records a risk in the register from an impact and links the
// two, in one transaction: the risk, the link and both audit events commit
// together or not at all. Risks can be raised and linked whatever the
// assessment's status; the link does not change its content.
func (s *Service) CreateRisk(ctx context.Context, actor *aims.Actor, key, impactKey string, req RiskCreateRequest) (*Impact, error) {
	if err := identity.Authorize(actor, identity.ActImpactEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "title", &req.Title, false, maxTitle)
	checkText(&p, "description", &req.Description, false, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	a, err := s.get(ctx, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := lockRow(ctx, tx, actor.OrgID, a.ID)
		if err != nil {
			return err
		}
		i, err := findImpact(ctx, tx, actor.OrgID, r.id, impactKey)
		if err != nil {
			return err
		}
		id = i.ID
		riskID, riskRef, err := s.sources.CreateRisk(ctx, tx, actor, riskFrom(a, i, req))
		if err != nil {
			return err
		}
		return s.link(ctx, tx, actor, r, i, riskID, riskRef, ActionRiskCreate)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot raise a risk from impact %s of %s: %w", impactKey, key, err)
	}
	return s.impact(ctx, actor.OrgID, a.ID, id)
}

// LinkRisk links an impact to a risk already in the register.
func (s *Service) LinkRisk(ctx context.Context, actor *aims.Actor, key, impactKey string, req LinkRequest) (*Impact, error) {
	if err := identity.Authorize(actor, identity.ActImpactEdit); err != nil {
		return nil, err
	}
	req.Risk = strings.TrimSpace(req.Risk)
	if req.Risk == "" {
		return nil, invalid("risk", "is required: name the risk, such as RISK-3")
	}
	if !aims.ValidID(req.Risk) {
		req.Risk = strings.ToUpper(req.Risk)
	}
	a, err := s.get(ctx, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	riskID, riskRef, _, err := s.sources.Risk(ctx, actor.OrgID, req.Risk)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return nil, invalid("risk", "is not a risk of this organisation")
	} else if err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := lockRow(ctx, tx, actor.OrgID, a.ID)
		if err != nil {
			return err
		}
		i, err := findImpact(ctx, tx, actor.OrgID, r.id, impactKey)
		if err != nil {
			return err
		}
		id = i.ID
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM impact_risk_links WHERE org_id = ? AND impact_id = ? AND risk_id = ?`, actor.OrgID, i.ID, riskID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aims.Errorf(aims.CodeConflict, "%s is already linked to impact #%d of %s", riskRef, i.Number, r.ref)
		}
		return s.link(ctx, tx, actor, r, i, riskID, riskRef, ActionRiskLink)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot link %s to impact %s of %s: %w", req.Risk, impactKey, key, err)
	}
	return s.impact(ctx, actor.OrgID, a.ID, id)
}

// link stores the link of an impact to a risk with its audit event.
func (s *Service) link(ctx context.Context, tx *db.Tx, actor *aims.Actor, r *row, i *Impact, riskID, riskRef, action string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO impact_risk_links (org_id, impact_id, assessment_id, risk_id, risk_ref, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, actor.OrgID, i.ID, r.id, riskID, riskRef, tlog.ActorOf(actor).ID, s.clock()); err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectAssessment, ID: r.id, Ref: r.ref},
		[]tlog.Change{{Field: "impact", Before: mustJSON(i.Number), After: mustJSON(i.Number)}, {Field: "risk", After: mustJSON(riskRef)}})
}

// ImpactsOfRisk lists the impacts linked to a risk, for the risk register,
// whose service has already authorised its actor in the organisation.
func (s *Service) ImpactsOfRisk(ctx context.Context, orgID, riskID string) ([]ImpactLink, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.ref, a.system_id, i.id, i.number, i.group_name, i.harm
		FROM impact_risk_links l JOIN impact_impacts i ON i.id = l.impact_id JOIN impact_assessments a ON a.id = l.assessment_id
		WHERE l.org_id = ? AND l.risk_id = ? ORDER BY a.created_at, i.number`, orgID, riskID)
	if err != nil {
		return nil, err
	}
	type link struct {
		ImpactLink
		systemID string
	}
	var ls []link
	for rows.Next() {
		var l link
		var i Impact
		if err := rows.Scan(&l.AssessmentRef, &l.systemID, &l.ImpactID, &i.Number, &i.Group, &i.Harm); err != nil {
			rows.Close()
			return nil, err
		}
		l.Summary = i.Summary()
		ls = append(ls, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []ImpactLink{}
	for _, l := range ls {
		if l.SystemRef, _, err = s.systemName(ctx, orgID, l.systemID); err != nil {
			return nil, err
		}
		out = append(out, l.ImpactLink)
	}
	return out, nil
}
