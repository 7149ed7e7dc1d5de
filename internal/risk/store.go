package risk

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// row is a risk as its table stores it.
type row struct {
	id, ref, title, description, source, objectives string
	consOrg, consInd, consSoc                       string
	ownerID, ownerName, status, closedReason        string
	criteriaVersion, likelihood, impact             int
	inherentLevel                                   string
	inherentRank                                    int
	assessedAt                                      sql.NullTime
	assessedBy, assessedByName, nextReview          string
	option, plan                                    string
	planVersion, resLikelihood, resImpact           int
	residualLevel                                   string
	residualRank                                    int
	acceptanceID                                    string
	version                                         int
	createdAt, updatedAt                            time.Time
}

const selectRow = `SELECT r.id, r.ref, r.title, r.description, r.risk_source, r.objectives, r.consequences_organisation,
	r.consequences_individuals, r.consequences_society, COALESCE(r.owner_id, ''), COALESCE(u.name, ''), r.status, r.closed_reason,
	r.criteria_version, r.likelihood, r.impact, r.inherent_level, r.inherent_rank, r.assessed_at, r.assessed_by,
	COALESCE(a.name, r.assessed_by), r.next_review, r.treatment_option, r.treatment_plan, r.plan_version,
	r.residual_likelihood, r.residual_impact, r.residual_level, r.residual_rank, COALESCE(r.acceptance_id, ''),
	r.version, r.created_at, r.updated_at
	FROM risks r LEFT JOIN users u ON u.id = r.owner_id LEFT JOIN users a ON a.id = r.assessed_by`

func scanRow(scan func(...any) error) (*row, error) {
	var r row
	err := scan(&r.id, &r.ref, &r.title, &r.description, &r.source, &r.objectives, &r.consOrg, &r.consInd, &r.consSoc,
		&r.ownerID, &r.ownerName, &r.status, &r.closedReason, &r.criteriaVersion, &r.likelihood, &r.impact, &r.inherentLevel,
		&r.inherentRank, &r.assessedAt, &r.assessedBy, &r.assessedByName, &r.nextReview, &r.option, &r.plan, &r.planVersion,
		&r.resLikelihood, &r.resImpact, &r.residualLevel, &r.residualRank, &r.acceptanceID, &r.version, &r.createdAt, &r.updatedAt)
	return &r, err
}

// getRow reads one risk of an organisation by id or reference.
func getRow(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*row, error) {
	col, key := "r.id", strings.TrimSpace(idOrRef)
	if aims.ValidID(key) {
		key = strings.ToLower(key)
	} else {
		col, key = "r.ref", strings.ToUpper(key)
	}
	r, err := scanRow(q.QueryRowContext(ctx, selectRow+` WHERE r.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("risk", idOrRef)
	}
	return r, err
}

// reader puts risks together from their rows and what other capabilities
// know of their systems and controls, reading each thing once.
type reader struct {
	s        *Service
	q        db.Queryer
	orgID    string
	today    string
	criteria *criteriaSet
	systems  map[string]SystemRef
	controls map[string]string
	annexC   map[string]AnnexCItem
}

func (s *Service) reader(ctx context.Context, q db.Queryer, orgID string) (*reader, error) {
	cs, err := newCriteriaSet(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	rd := &reader{s: s, q: q, orgID: orgID, today: s.today(), criteria: cs, annexC: map[string]AnnexCItem{}}
	for _, it := range s.sources.AnnexC() {
		rd.annexC[it.ID] = it
	}
	return rd, nil
}

// system names an AI system by id, also an archived or removed one.
func (rd *reader) system(ctx context.Context, id string) (SystemRef, error) {
	if rd.systems == nil {
		rd.systems = map[string]SystemRef{}
		list, err := rd.s.sources.Systems(ctx, rd.orgID)
		if err != nil {
			return SystemRef{}, fmt.Errorf("cannot list the AI systems: %w", err)
		}
		for _, x := range list {
			rd.systems[x.ID] = SystemRef{ID: x.ID, Ref: x.Ref, Name: x.Name}
		}
	}
	if x, ok := rd.systems[id]; ok {
		return x, nil
	}
	sid, ref, name, err := rd.s.sources.System(ctx, rd.orgID, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		sid, ref, name, err = id, id, "(unknown AI system)", nil
	}
	if err != nil {
		return SystemRef{}, err
	}
	x := SystemRef{ID: sid, Ref: ref, Name: name}
	rd.systems[id] = x
	return x, nil
}

// controlTitle is the title of a control, empty for one that is no longer active.
func (rd *reader) controlTitle(ctx context.Context, id string) (string, error) {
	if rd.controls == nil {
		rd.controls = map[string]string{}
		list, err := rd.s.sources.Controls(ctx, rd.orgID)
		if err != nil {
			return "", fmt.Errorf("cannot list the controls: %w", err)
		}
		for _, c := range list {
			rd.controls[c.ID] = c.Title
		}
	}
	return rd.controls[id], nil
}

// named gives an Annex C id its title; own text stays as it is.
func (rd *reader) named(v string) Named {
	if it, ok := rd.annexC[v]; ok {
		return Named{Value: v, Title: it.Title}
	}
	return Named{Value: v}
}

// risks reads the risks a query selects, with their systems, controls,
// actions and acceptances, in the query's order.
func (rd *reader) risks(ctx context.Context, where string, args ...any) ([]*Risk, error) {
	rows, err := rd.q.QueryContext(ctx, selectRow+" "+where, args...)
	if err != nil {
		return nil, err
	}
	var raw []*row
	for rows.Next() {
		r, err := scanRow(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		raw = append(raw, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return rd.build(ctx, raw)
}

// build puts risks together from their rows.
func (rd *reader) build(ctx context.Context, raw []*row) ([]*Risk, error) {
	out := make([]*Risk, 0, len(raw))
	if len(raw) == 0 {
		return out, nil
	}
	ids := make([]any, len(raw))
	byID := map[string]*Risk{}
	for i, r := range raw {
		ids[i] = r.id
		x, err := rd.risk(ctx, r)
		if err != nil {
			return nil, err
		}
		byID[r.id] = x
		out = append(out, x)
	}
	in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
	// Systems and controls.
	type link struct{ risk, id string }
	links := func(table, col string) ([]link, error) {
		rows, err := rd.q.QueryContext(ctx, `SELECT risk_id, `+col+` FROM `+table+` WHERE risk_id IN `+in, ids...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ls []link
		for rows.Next() {
			var l link
			if err := rows.Scan(&l.risk, &l.id); err != nil {
				return nil, err
			}
			ls = append(ls, l)
		}
		return ls, rows.Err()
	}
	sl, err := links("risk_systems", "system_id")
	if err != nil {
		return nil, err
	}
	for _, l := range sl {
		sys, err := rd.system(ctx, l.id)
		if err != nil {
			return nil, err
		}
		byID[l.risk].Systems = append(byID[l.risk].Systems, sys)
	}
	cl, err := links("risk_controls", "control_id")
	if err != nil {
		return nil, err
	}
	for _, l := range cl {
		title, err := rd.controlTitle(ctx, l.id)
		if err != nil {
			return nil, err
		}
		t := &byID[l.risk].Treatment
		t.Controls = append(t.Controls, ControlInfo{ID: l.id, Title: title})
	}
	for _, x := range out {
		sort.Slice(x.Systems, func(i, j int) bool { return lessRef(x.Systems[i].Ref, x.Systems[j].Ref) })
		sort.Slice(x.Treatment.Controls, func(i, j int) bool { return lessRef(x.Treatment.Controls[i].ID, x.Treatment.Controls[j].ID) })
	}
	// Actions, in number order.
	rows, err := rd.q.QueryContext(ctx, `SELECT t.risk_id, t.number, t.description, COALESCE(t.owner_id, ''), COALESCE(u.name, ''),
		t.due_date, t.status, t.completed_date, t.created_at, t.updated_at
		FROM risk_actions t LEFT JOIN users u ON u.id = t.owner_id WHERE t.risk_id IN `+in+` ORDER BY t.risk_id, t.number`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var riskID string
		var a Action
		if err := rows.Scan(&riskID, &a.Number, &a.Description, &a.OwnerID, &a.OwnerName, &a.DueDate, &a.Status, &a.CompletedDate,
			&a.CreatedAt, &a.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
		a.Overdue = a.Status == ActionOpen && a.DueDate != "" && a.DueDate < rd.today
		t := &byID[riskID].Treatment
		t.Actions = append(t.Actions, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The current acceptance of each.
	var accIDs []any
	for _, r := range raw {
		if r.acceptanceID != "" {
			accIDs = append(accIDs, r.acceptanceID)
		}
	}
	if len(accIDs) > 0 {
		rows, err := rd.q.QueryContext(ctx, `SELECT a.risk_id, a.accepted_by, COALESCE(u.name, ''), a.accepted_at, a.plan_version,
			a.criteria_version, a.residual_likelihood, a.residual_impact, a.residual_level, a.appetite, a.above_appetite, a.reason,
			a.valid_until, a.note FROM risk_acceptances a LEFT JOIN users u ON u.id = a.accepted_by
			WHERE a.id IN (?`+strings.Repeat(", ?", len(accIDs)-1)+`)`, accIDs...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var riskID string
			var a Acceptance
			var cv, rl, ri int
			if err := rows.Scan(&riskID, &a.AcceptedBy, &a.AcceptedByName, &a.AcceptedAt, &a.PlanVersion, &cv, &rl, &ri,
				&a.ResidualLevel, &a.Appetite, &a.AboveAppetite, &a.Reason, &a.ValidUntil, &a.Note); err != nil {
				rows.Close()
				return nil, err
			}
			a.AcceptedAt = a.AcceptedAt.UTC()
			x := byID[riskID]
			a.State, a.StateReason = acceptanceState(x, &a, cv, rl, ri, rd.today)
			x.Acceptance = &a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// acceptanceState says whether an acceptance still holds for the risk as
// it is: the same plan version, the same residual rating under the same
// criteria, and not past its last valid day.
func acceptanceState(x *Risk, a *Acceptance, criteriaVersion, likelihood, impact int, today string) (string, string) {
	res := x.Treatment.Residual
	switch {
	case a.PlanVersion != x.Treatment.PlanVersion:
		return AcceptanceStale, fmt.Sprintf("the treatment plan changed since: it is at version %d, the acceptance was for version %d",
			x.Treatment.PlanVersion, a.PlanVersion)
	case res == nil || criteriaVersion != x.CriteriaVersion || likelihood != res.Likelihood || impact != res.Impact:
		return AcceptanceStale, "the residual risk changed since it was accepted"
	case a.ValidUntil < today:
		return AcceptanceExpired, "it expired after " + a.ValidUntil
	}
	return AcceptanceValid, ""
}

// risk puts one risk together from its row, without its links.
func (rd *reader) risk(ctx context.Context, r *row) (*Risk, error) {
	x := &Risk{ID: r.id, Ref: r.ref, Title: r.title, Description: r.description, Systems: []SystemRef{}, RiskSource: rd.named(r.source),
		Objectives: []Named{}, ConsequencesOrganisation: r.consOrg, ConsequencesIndividuals: r.consInd, ConsequencesSociety: r.consSoc,
		OwnerID: r.ownerID, OwnerName: r.ownerName, Status: r.status, ClosedReason: r.closedReason, CriteriaVersion: r.criteriaVersion,
		CurrentCriteriaVersion: rd.criteria.currentVersion(), NextReview: r.nextReview, Impacts: []ImpactRef{}, Version: r.version,
		CreatedAt: r.createdAt.UTC(), UpdatedAt: r.updatedAt.UTC(),
		Treatment: Treatment{Option: r.option, Plan: r.plan, PlanVersion: r.planVersion, Controls: []ControlInfo{}, Actions: []Action{}}}
	var objectives []string
	if err := json.Unmarshal([]byte(r.objectives), &objectives); err != nil {
		return nil, fmt.Errorf("stored objectives of %s: %w", r.ref, err)
	}
	for _, o := range objectives {
		x.Objectives = append(x.Objectives, rd.named(o))
	}
	if r.assessedAt.Valid {
		t := r.assessedAt.Time.UTC()
		x.AssessedAt, x.AssessedBy, x.AssessedByName = &t, r.assessedBy, r.assessedByName
	}
	c, err := rd.criteria.version(ctx, r.criteriaVersion)
	if err != nil {
		return nil, err
	}
	if c != nil {
		x.Appetite = c.Appetite
		x.OlderCriteria = r.criteriaVersion < rd.criteria.currentVersion()
		x.Inherent = c.Rate(r.likelihood, r.impact)
		x.Treatment.Residual = c.Rate(r.resLikelihood, r.resImpact)
		if lv := x.level(); lv != nil {
			x.AboveAppetite = c.Above(lv.Level)
		}
	}
	return x, nil
}

// one reads one risk, in full.
func (s *Service) one(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Risk, error) {
	r, err := getRow(ctx, q, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	rd, err := s.reader(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	out, err := rd.build(ctx, []*row{r})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// searchText is what a search matches, in lower case.
func searchText(ref, title, description, source string, consequences ...string) string {
	return strings.ToLower(strings.Join(append([]string{ref, title, description, source}, consequences...), "\n"))
}
