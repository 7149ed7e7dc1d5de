package risk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// refPrefix starts every risk's short reference.
const refPrefix = "RISK"

// Create records a new risk in the actor's organisation.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req CreateRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	d, err := s.prepare(ctx, actor.OrgID, req)
	if err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		id, _, err = s.insert(ctx, tx, actor, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record the risk: %w", err)
	}
	return s.one(ctx, s.db, actor.OrgID, id)
}

// CreateTx records a risk in the caller's transaction with its audit
// event, after authorising the actor, so that another capability can
// record a risk and its own record together.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, req CreateRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	d, err := s.prepare(ctx, actor.OrgID, req)
	if err != nil {
		return nil, err
	}
	id, _, err := s.insert(ctx, tx, actor, d)
	if err != nil {
		return nil, fmt.Errorf("cannot record the risk: %w", err)
	}
	return s.one(ctx, tx, actor.OrgID, id)
}

// prepare checks a creation request and returns the risk's details.
func (s *Service) prepare(ctx context.Context, orgID string, req CreateRequest) (*details, error) {
	d := &details{Title: req.Title, Description: req.Description, Source: req.RiskSource, Objectives: req.Objectives,
		ConsOrg: req.ConsequencesOrganisation, ConsInd: req.ConsequencesIndividuals, ConsSoc: req.ConsequencesSociety, OwnerID: req.OwnerID}
	var p aims.Problems
	if err := s.check(ctx, orgID, d, req.Systems, &p); err != nil {
		return nil, err
	}
	if err := checkOwner(ctx, s.db, &p, "owner_id", orgID, &d.OwnerID, ""); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

// insert stores a new risk and its audit event in tx and returns its id and reference.
func (s *Service) insert(ctx context.Context, tx *db.Tx, actor *aims.Actor, d *details) (string, string, error) {
	if d.OwnerID != "" {
		// The owner was checked before the transaction; check again within it.
		if ok, err := isMember(ctx, tx, actor.OrgID, d.OwnerID); err != nil || !ok {
			if err != nil {
				return "", "", err
			}
			return "", "", &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
				Fields: []aims.FieldError{{Field: "owner_id", Message: "is not a member of this organisation"}}}
		}
	}
	ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
	if err != nil {
		return "", "", err
	}
	id, now := aims.NewID(), s.clock()
	_, err = tx.ExecContext(ctx, `INSERT INTO risks (id, org_id, ref, title, description, risk_source, objectives,
		consequences_organisation, consequences_individuals, consequences_society, owner_id, status, closed_reason,
		criteria_version, likelihood, impact, inherent_level, inherent_rank, assessed_at, assessed_by, next_review,
		treatment_option, treatment_plan, plan_version, residual_likelihood, residual_impact, residual_level, residual_rank,
		acceptance_id, search_text, version, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 0, 0, '', 0, NULL, '', '', '', '', 0, 0, 0, '', 0, NULL, ?, 1, ?, ?, ?)`,
		id, actor.OrgID, ref, d.Title, d.Description, d.Source, jsonText(d.Objectives), d.ConsOrg, d.ConsInd, d.ConsSoc,
		nullable(d.OwnerID), StatusIdentified, searchText(ref, d.Title, d.Description, d.Source, d.ConsOrg, d.ConsInd, d.ConsSoc),
		tlog.ActorOf(actor).ID, now, now)
	if err != nil {
		return "", "", err
	}
	if err := writeSystems(ctx, tx, actor.OrgID, id, d.Systems); err != nil {
		return "", "", err
	}
	fields := d.auditFields()
	fields["status"] = StatusIdentified
	ch, err := tlog.Changes(nil, fields)
	if err != nil {
		return "", "", err
	}
	return id, ref, s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectRisk, ID: id, Ref: ref}, ch)
}

// writeSystems replaces the AI systems of a risk.
func writeSystems(ctx context.Context, tx *db.Tx, orgID, riskID string, systems []SystemRef) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM risk_systems WHERE risk_id = ?`, riskID); err != nil {
		return err
	}
	for _, sys := range systems {
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_systems (org_id, risk_id, system_id) VALUES (?, ?, ?)`,
			orgID, riskID, sys.ID); err != nil {
			return err
		}
	}
	return nil
}

// Get returns a risk of the actor's organisation by id or reference, with
// the impacts that inform it.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := s.one(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	impacts, err := s.sources.ImpactsOfRisk(ctx, actor.OrgID, r.ID)
	if err != nil {
		return nil, fmt.Errorf("cannot list the impacts of %s: %w", r.Ref, err)
	}
	if len(impacts) > 0 {
		r.Impacts = impacts
	}
	return r, nil
}

// Lookup finds a risk of an organisation by id or reference, for another
// capability whose service has already authorised its actor there.
func (s *Service) Lookup(ctx context.Context, orgID, idOrRef string) (*Risk, error) {
	return s.one(ctx, s.db, orgID, idOrRef)
}

// History returns the audit events about a risk, newest first: its
// changes, assessments, treatments, actions and acceptances.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := getRow(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectRisk, ObjectID: r.id, Limit: 500})
}

// Update changes the description of a risk: the fields the request names.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req UpdateRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	cur, err := s.one(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	d := detailsOf(cur)
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&d.Title, req.Title)
	set(&d.Description, req.Description)
	set(&d.Source, req.RiskSource)
	set(&d.ConsOrg, req.ConsequencesOrganisation)
	set(&d.ConsInd, req.ConsequencesIndividuals)
	set(&d.ConsSoc, req.ConsequencesSociety)
	set(&d.OwnerID, req.OwnerID)
	if req.Objectives != nil {
		d.Objectives = *req.Objectives
	}
	systems := make([]string, len(d.Systems))
	for i, sys := range d.Systems {
		systems[i] = sys.ID
	}
	if req.Systems != nil {
		systems = *req.Systems
	}
	var p aims.Problems
	if err := s.check(ctx, actor.OrgID, &d, systems, &p); err != nil {
		return nil, err
	}
	if err := checkOwner(ctx, s.db, &p, "owner_id", actor.OrgID, &d.OwnerID, cur.OwnerID); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, cur.ID, req.Version, ActionUpdate, func(tx *db.Tx, before, after *row) ([]tlog.Change, error) {
		was, err := s.one(ctx, tx, actor.OrgID, before.id)
		if err != nil {
			return nil, err
		}
		old := detailsOf(was)
		ch, err := tlog.Changes(old.auditFields(), d.auditFields())
		if err != nil || len(ch) == 0 {
			return nil, err
		}
		if d.OwnerID != "" && d.OwnerID != old.OwnerID {
			if ok, err := isMember(ctx, tx, actor.OrgID, d.OwnerID); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
					Fields: []aims.FieldError{{Field: "owner_id", Message: "is not a member of this organisation"}}}
			}
		}
		after.title, after.description, after.source, after.objectives = d.Title, d.Description, d.Source, jsonText(d.Objectives)
		after.consOrg, after.consInd, after.consSoc, after.ownerID = d.ConsOrg, d.ConsInd, d.ConsSoc, d.OwnerID
		return ch, writeSystems(ctx, tx, actor.OrgID, before.id, d.Systems)
	})
}

// detailsOf reads the description of a risk back as details.
func detailsOf(r *Risk) details {
	d := details{Title: r.Title, Description: r.Description, Source: r.RiskSource.Value, Systems: r.Systems,
		Objectives: []string{}, ConsOrg: r.ConsequencesOrganisation, ConsInd: r.ConsequencesIndividuals,
		ConsSoc: r.ConsequencesSociety, OwnerID: r.OwnerID}
	for _, o := range r.Objectives {
		d.Objectives = append(d.Objectives, o.Value)
	}
	return d
}

// Close closes a risk that is no longer relevant; it stays in the register
// with its history and can be reopened.
func (s *Service) Close(ctx context.Context, actor *aims.Actor, idOrRef string, req CloseRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "reason", &req.Reason, true, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, idOrRef, req.Version, ActionClose, func(tx *db.Tx, before, after *row) ([]tlog.Change, error) {
		after.status, after.closedReason = StatusClosed, req.Reason
		return []tlog.Change{{Field: "closed_reason", After: mustJSON(req.Reason)}}, nil
	})
}

// Reopen reopens a closed risk; its status follows from its facts again.
func (s *Service) Reopen(ctx context.Context, actor *aims.Actor, idOrRef string, req ReopenRequest) (*Risk, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	return s.mutate(ctx, actor, idOrRef, req.Version, ActionReopen, func(tx *db.Tx, before, after *row) ([]tlog.Change, error) {
		if before.status != StatusClosed {
			return nil, aims.Errorf(aims.CodeConflict, "%s is not closed", before.ref)
		}
		after.status, after.closedReason = "", ""
		return []tlog.Change{{Field: "closed_reason", Before: mustJSON(before.closedReason)}}, nil
	})
}

// mutate changes one risk in a transaction: it reads the risk, refuses a
// stale version and changes to a closed risk (other than reopening), lets
// change alter a copy and return what changed, derives the status, writes
// the row with the next version and records the audit event. A change that
// changes nothing writes nothing.
func (s *Service) mutate(ctx context.Context, actor *aims.Actor, idOrRef string, version int, action string,
	change func(tx *db.Tx, before, after *row) ([]tlog.Change, error)) (*Risk, error) {
	id, name := "", strings.ToUpper(strings.TrimSpace(idOrRef))
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := getRow(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id, name = before.id, before.ref
		if version != before.version {
			return staleVersion(before.ref, before.version, version)
		}
		if before.status == StatusClosed && action != ActionReopen {
			return aims.Errorf(aims.CodeConflict, "%s is closed: reopen it before changing it", before.ref)
		}
		after := *before
		ch, err := change(tx, before, &after)
		if err != nil || len(ch) == 0 {
			return err
		}
		if after.status != StatusClosed {
			if after.status, err = deriveStatus(ctx, tx, &after); err != nil {
				return err
			}
		}
		if after.status != before.status {
			ch = append(ch, tlog.Change{Field: "status", Before: mustJSON(before.status), After: mustJSON(after.status)})
		}
		now := s.clock()
		res, err := tx.ExecContext(ctx, `UPDATE risks SET title = ?, description = ?, risk_source = ?, objectives = ?,
			consequences_organisation = ?, consequences_individuals = ?, consequences_society = ?, owner_id = ?, status = ?,
			closed_reason = ?, criteria_version = ?, likelihood = ?, impact = ?, inherent_level = ?, inherent_rank = ?,
			assessed_at = ?, assessed_by = ?, next_review = ?, treatment_option = ?, treatment_plan = ?, plan_version = ?,
			residual_likelihood = ?, residual_impact = ?, residual_level = ?, residual_rank = ?, acceptance_id = ?,
			search_text = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ? AND version = ?`,
			after.title, after.description, after.source, after.objectives, after.consOrg, after.consInd, after.consSoc,
			nullable(after.ownerID), after.status, after.closedReason, after.criteriaVersion, after.likelihood, after.impact,
			after.inherentLevel, after.inherentRank, nullTime(after.assessedAt.Time, after.assessedAt.Valid), after.assessedBy,
			after.nextReview, after.option, after.plan, after.planVersion, after.resLikelihood, after.resImpact,
			after.residualLevel, after.residualRank, nullable(after.acceptanceID),
			searchText(after.ref, after.title, after.description, after.source, after.consOrg, after.consInd, after.consSoc),
			now, before.id, actor.OrgID, before.version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.ref, before.version+1, version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectRisk, ID: before.id, Ref: before.ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change risk %s: %w", name, err)
	}
	return s.one(ctx, s.db, actor.OrgID, id)
}

func nullTime(t time.Time, valid bool) any {
	if !valid {
		return nil
	}
	return t
}

// deriveStatus is the status a risk's facts give it: accepted while its
// latest acceptance is for the current plan and residual rating, else
// treated once an option is chosen, assessed once rated, else identified.
// An acceptance that has only expired keeps the status; the acceptance
// itself shows it has expired.
func deriveStatus(ctx context.Context, q db.Queryer, r *row) (string, error) {
	if r.acceptanceID != "" {
		var plan, cv, l, i int
		err := q.QueryRowContext(ctx, `SELECT plan_version, criteria_version, residual_likelihood, residual_impact
			FROM risk_acceptances WHERE id = ?`, r.acceptanceID).Scan(&plan, &cv, &l, &i)
		if err != nil {
			return "", err
		}
		if plan == r.planVersion && cv == r.criteriaVersion && l == r.resLikelihood && i == r.resImpact && l > 0 {
			return StatusAccepted, nil
		}
	}
	switch {
	case r.option != "":
		return StatusTreated, nil
	case r.likelihood > 0:
		return StatusAssessed, nil
	}
	return StatusIdentified, nil
}
