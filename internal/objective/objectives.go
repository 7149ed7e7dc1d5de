package objective

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

const selectObjective = `SELECT o.id, o.ref, o.title, o.description, o.annex_c, o.owner_id, o.plan_actions, o.plan_resources,
	o.plan_responsible, o.plan_due_on, o.plan_evaluation, o.status, o.status_note, o.version, o.created_at, o.updated_at
	FROM objectives o`

// scanObjective reads an objective's own row; owner, systems, Annex C titles and indicators are filled later.
func scanObjective(scan func(...any) error) (*Objective, error) {
	var o Objective
	var annex string
	err := scan(&o.ID, &o.Ref, &o.Title, &o.Description, &annex, &o.Owner.UserID, &o.Plan.Actions, &o.Plan.Resources,
		&o.Plan.Responsible, &o.Plan.DueOn, &o.Plan.Evaluation, &o.Status, &o.StatusNote, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return nil, err
	}
	var ids []string
	if err := json.Unmarshal([]byte(annex), &ids); err != nil {
		return nil, fmt.Errorf("annex_c of %s: %w", o.Ref, err)
	}
	for _, id := range ids {
		o.AnnexC = append(o.AnnexC, ObjectiveAnnexC{ID: id})
	}
	return &o, nil
}

// getObjective reads an objective of an organisation by id or reference, its own fields only.
func getObjective(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Objective, error) {
	col, key := "o.ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "o.id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	o, err := scanObjective(q.QueryRowContext(ctx, selectObjective+` WHERE o.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("objective", idOrRef)
	}
	return o, err
}

// fill completes objectives read by the actor: owner, Annex C titles, systems and indicators.
func (s *Service) fill(ctx context.Context, q db.Queryer, actor *aims.Actor, objs []*Objective) error {
	members, err := s.sources.Members(ctx, actor)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, it := range s.sources.AnnexCObjectives() {
		titles[it.ID] = it.Title
	}
	byID := map[string]*Objective{}
	var ids []string
	for _, o := range objs {
		byID[o.ID], ids = o, append(ids, o.ID)
		o.Owner = ObjectiveOwner{UserID: o.Owner.UserID, Name: "(former member)"}
		if m, ok := findMember(members, o.Owner.UserID); ok {
			o.Owner = ObjectiveOwner{UserID: m.UserID, Name: m.Name, Email: m.Email}
		}
		for i := range o.AnnexC {
			o.AnnexC[i].Title = titles[o.AnnexC[i].ID]
		}
		if o.AnnexC == nil {
			o.AnnexC = []ObjectiveAnnexC{}
		}
		o.Systems, o.Indicators = []ObjectiveSystem{}, []Indicator{}
	}
	if len(objs) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT objective_id, system_id FROM objective_systems WHERE org_id = ? AND objective_id IN (`+
		placeholders(len(ids))+`) ORDER BY system_id`, append([]any{actor.OrgID}, anyOf(ids)...)...)
	if err != nil {
		return err
	}
	type link struct{ objective, system string }
	var links []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.objective, &l.system); err != nil {
			rows.Close()
			return err
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range links {
		sys, err := s.sources.System(ctx, actor, l.system)
		if aims.CodeOf(err) == aims.CodeNotFound {
			sys, err = &SystemInfo{ID: l.system, Ref: l.system, Name: "(unknown system)"}, nil
		}
		if err != nil {
			return err
		}
		o := byID[l.objective]
		o.Systems = append(o.Systems, ObjectiveSystem{ID: sys.ID, Ref: sys.Ref, Name: sys.Name})
	}
	inds, err := s.indicators(ctx, q, actor.OrgID, ids)
	if err != nil {
		return err
	}
	for _, in := range inds {
		o := byID[in.ObjectiveID]
		in.ObjectiveRef = o.Ref
		in.Ref = indicatorRef(o.Ref, in.Number)
		if in.Latest != nil {
			in.Latest.Ref = measurementRef(in.Ref, in.Latest.Number)
			in.Latest.IndicatorRef = in.Ref
		}
		in.settle(s.today(), o.Status == StatusActive)
		o.Indicators = append(o.Indicators, *in)
		if in.Due {
			o.DueCount++
		}
		if in.Status == IndicatorActive && in.OnTarget != nil && !*in.OnTarget {
			o.OffTarget++
		}
	}
	for _, o := range objs {
		sort.Slice(o.Systems, func(i, j int) bool { return o.Systems[i].Ref < o.Systems[j].Ref })
	}
	return nil
}

// placeholders writes n comma-separated question marks.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// anyOf turns strings into query arguments.
func anyOf(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Create records an objective with its plan; owners and managers set objectives.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req ObjectiveRequest) (*Objective, error) {
	if err := identity.Authorize(actor, identity.ActObjectiveEdit); err != nil {
		return nil, err
	}
	o, err := s.check(ctx, actor, draft{Title: req.Title, Description: req.Description, AnnexC: req.AnnexC, Systems: req.Systems,
		Owner: req.Owner, Plan: req.Plan})
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		o.ID, o.Ref, o.Status, o.Version = aims.NewID(), ref, StatusActive, 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO objectives (id, org_id, ref, title, description, annex_c, owner_id,
			plan_actions, plan_resources, plan_responsible, plan_due_on, plan_evaluation, status, status_note, last_indicator,
			search_text, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?, ?, ?)`,
			o.ID, actor.OrgID, o.Ref, o.Title, o.Description, string(encodeJSON(annexIDs(o.AnnexC))), o.Owner.UserID,
			o.Plan.Actions, o.Plan.Resources, o.Plan.Responsible, o.Plan.DueOn, o.Plan.Evaluation, o.Status, o.searchText(),
			o.Version, now, now); err != nil {
			return err
		}
		if err := s.linkSystems(ctx, tx, actor.OrgID, o.ID, o.Systems); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, o.audit())
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectObjective, ID: o.ID, Ref: o.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record objective: %w", err)
	}
	return s.Get(ctx, actor, o.ID)
}

// linkSystems records the systems an objective concerns, replacing those recorded.
func (s *Service) linkSystems(ctx context.Context, tx *db.Tx, orgID, objectiveID string, systems []ObjectiveSystem) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM objective_systems WHERE org_id = ? AND objective_id = ?`, orgID, objectiveID); err != nil {
		return err
	}
	for _, sys := range systems {
		if _, err := tx.ExecContext(ctx, `INSERT INTO objective_systems (org_id, objective_id, system_id) VALUES (?, ?, ?)`,
			orgID, objectiveID, sys.ID); err != nil {
			return err
		}
	}
	return nil
}

// Get returns an objective by id or reference, with its indicators.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Objective, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	o, err := getObjective(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if err := s.fill(ctx, s.db, actor, []*Objective{o}); err != nil {
		return nil, err
	}
	return o, nil
}

// Update changes the fields the request names on an active objective.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req ObjectiveUpdate) (*Objective, error) {
	if err := identity.Authorize(actor, identity.ActObjectiveEdit); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := getObjective(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		if err := s.fill(ctx, tx, actor, []*Objective{before}); err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		if before.Status != StatusActive {
			return aims.Errorf(aims.CodeConflict, "%s is %s: make it active again before changing it", before.Ref, before.Status)
		}
		d := draft{Title: before.Title, Description: before.Description, AnnexC: annexIDs(before.AnnexC), Owner: before.Owner.UserID,
			Systems: systemIDs(before.Systems), Plan: before.Plan}
		for dst, src := range map[*string]*string{&d.Title: req.Title, &d.Description: req.Description, &d.Owner: req.Owner} {
			if src != nil {
				*dst = *src
			}
		}
		if req.AnnexC != nil {
			d.AnnexC = *req.AnnexC
		}
		if req.Systems != nil {
			d.Systems = *req.Systems
		}
		if req.Plan != nil {
			d.Plan = *req.Plan
		}
		after, err := s.check(ctx, actor, d)
		if err != nil {
			return err
		}
		after.ID, after.Ref = before.ID, before.Ref
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE objectives SET title = ?, description = ?, annex_c = ?, owner_id = ?, plan_actions = ?,
			plan_resources = ?, plan_responsible = ?, plan_due_on = ?, plan_evaluation = ?, search_text = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ? AND version = ?`,
			after.Title, after.Description, string(encodeJSON(annexIDs(after.AnnexC))), after.Owner.UserID, after.Plan.Actions,
			after.Plan.Resources, after.Plan.Responsible, after.Plan.DueOn, after.Plan.Evaluation, after.searchText(), s.clock(),
			before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		if err := s.linkSystems(ctx, tx, actor.OrgID, before.ID, after.Systems); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectObjective, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update objective %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, id)
}

// SetStatus marks an objective achieved or withdrawn, or active again, with the reason.
func (s *Service) SetStatus(ctx context.Context, actor *aims.Actor, idOrRef string, req ObjectiveStatusRequest) (*Objective, error) {
	if err := identity.Authorize(actor, identity.ActObjectiveEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	req.Status = strings.TrimSpace(req.Status)
	if !isOneOf(Statuses, req.Status) {
		p.Add("status", "must be one of %s", valueList(Statuses))
	}
	trimText(&p, "note", &req.Note, true, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := getObjective(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		if before.Status == req.Status {
			return &aims.Error{Code: aims.CodeInvalid, Message: "no change",
				Fields: []aims.FieldError{{Field: "status", Message: fmt.Sprintf("is already %s", req.Status)}}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE objectives SET status = ?, status_note = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, req.Status, req.Note, s.clock(), before.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionStatus, tlog.EventObject{Type: ObjectObjective, ID: before.ID, Ref: before.Ref},
			[]tlog.Change{{Field: "status", Before: encodeJSON(before.Status), After: encodeJSON(req.Status)},
				{Field: "status_note", Before: encodeJSON(before.StatusNote), After: encodeJSON(req.Note)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot set the status of objective %s: %w", idOrRef, err)
	}
	return s.Get(ctx, actor, id)
}
