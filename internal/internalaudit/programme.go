package internalaudit

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Programme is the audit programme of one three-year certification cycle (9.2.2).
type Programme struct {
	ID               string `json:"id"`
	Ref              string `json:"ref" doc:"Short reference such as IAP-1."`
	CycleStart       string `json:"cycle_start" doc:"First day of the certification cycle, YYYY-MM-DD."`
	Objectives       string `json:"objectives" doc:"What the programme sets out to establish over the cycle."`
	Methods          string `json:"methods" doc:"How audits are carried out: interviews, sampling of records, observation, remote or on site."`
	Responsibilities string `json:"responsibilities" doc:"Who plans, conducts, reports and follows up audits."`
	FrequencyBasis   string `json:"frequency_basis" doc:"How the frequency of audits weighs the importance of processes and the results of earlier audits."`
	ManagerID        string `json:"manager_id" doc:"User id of the member who manages the programme; empty when none. They may not audit clause 9.2, their own work."`
	ManagerName      string `json:"manager_name"`
	// Years are the three years of the cycle; RecertificationDue the day the next cycle begins.
	Years              []Year    `json:"years"`
	RecertificationDue string    `json:"recertification_due" doc:"Day the recertification audit is due, three years after the cycle start, YYYY-MM-DD."`
	Version            int       `json:"version" doc:"Increases with every change; send it back when updating."`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Year is one year of the certification cycle and the audits planned in it.
type Year struct {
	Number  int    `json:"number" doc:"1, 2 or 3."`
	From    string `json:"from" doc:"First day, YYYY-MM-DD."`
	To      string `json:"to" doc:"Last day, YYYY-MM-DD."`
	Purpose string `json:"purpose" enum:"initial_certification,surveillance" doc:"initial_certification in year 1, surveillance in years 2 and 3."`
	Audits  int    `json:"audits" doc:"How many internal audits are planned to start in the year."`
}

// cycleYears works out the three years of a cycle beginning on start and the recertification date.
func cycleYears(start time.Time) ([]Year, string) {
	years := make([]Year, 3)
	for i := range years {
		from := start.AddDate(i, 0, 0)
		years[i] = Year{Number: i + 1, From: from.Format(DateLayout), To: start.AddDate(i+1, 0, -1).Format(DateLayout), Purpose: "surveillance"}
	}
	years[0].Purpose = "initial_certification"
	return years, start.AddDate(3, 0, 0).Format(DateLayout)
}

// ProgrammeRequest describes the programme of a new certification cycle.
type ProgrammeRequest struct {
	CycleStart       string `json:"cycle_start" doc:"First day of the certification cycle, YYYY-MM-DD."`
	Objectives       string `json:"objectives" minLength:"1" maxLength:"10000"`
	Methods          string `json:"methods,omitempty" maxLength:"10000"`
	Responsibilities string `json:"responsibilities,omitempty" maxLength:"10000"`
	FrequencyBasis   string `json:"frequency_basis,omitempty" maxLength:"10000"`
	ManagerID        string `json:"manager_id,omitempty" doc:"User id of the member who manages the programme."`
}

// ProgrammeUpdate changes the fields it names, if the programme has not
// changed since the version it is based on.
type ProgrammeUpdate struct {
	Version          int     `json:"version" minimum:"1" doc:"The version this change is based on."`
	CycleStart       *string `json:"cycle_start,omitempty"`
	Objectives       *string `json:"objectives,omitempty" maxLength:"10000"`
	Methods          *string `json:"methods,omitempty" maxLength:"10000"`
	Responsibilities *string `json:"responsibilities,omitempty" maxLength:"10000"`
	FrequencyBasis   *string `json:"frequency_basis,omitempty" maxLength:"10000"`
	ManagerID        *string `json:"manager_id,omitempty"`
}

type auditProgramme struct {
	Ref              string `json:"ref"`
	CycleStart       string `json:"cycle_start"`
	Objectives       string `json:"objectives"`
	Methods          string `json:"methods"`
	Responsibilities string `json:"responsibilities"`
	FrequencyBasis   string `json:"frequency_basis"`
	ManagerID        string `json:"manager_id"`
}

func (g *Programme) audit() auditProgramme {
	return auditProgramme{Ref: g.Ref, CycleStart: g.CycleStart, Objectives: g.Objectives, Methods: g.Methods,
		Responsibilities: g.Responsibilities, FrequencyBasis: g.FrequencyBasis, ManagerID: g.ManagerID}
}

// check trims the programme's fields and records every problem with them.
func (g *Programme) check(p *aims.Problems, members map[string]Member) {
	date(p, "cycle_start", &g.CycleStart)
	text(p, "objectives", &g.Objectives, true, maxText)
	text(p, "methods", &g.Methods, false, maxText)
	text(p, "responsibilities", &g.Responsibilities, false, maxText)
	text(p, "frequency_basis", &g.FrequencyBasis, false, maxText)
	text(p, "manager_id", &g.ManagerID, false, 100)
	if _, ok := members[g.ManagerID]; g.ManagerID != "" && !ok && !p.Has("manager_id") {
		p.Add("manager_id", "is not a member of this organisation")
	}
}

// checkCycle refuses a cycle that overlaps another programme's, or that
// would leave audits planned in the programme outside it.
func (s *Service) checkCycle(ctx context.Context, q db.Queryer, orgID string, g *Programme, p *aims.Problems) error {
	if p.Has("cycle_start") {
		return nil
	}
	start, _ := time.Parse(DateLayout, g.CycleStart)
	end := start.AddDate(3, 0, 0).Format(DateLayout)
	var other string
	err := q.QueryRowContext(ctx, `SELECT ref FROM internal_audit_programmes WHERE org_id = ? AND id <> ? AND cycle_start < ? AND cycle_start > ?
		ORDER BY cycle_start LIMIT 1`, orgID, g.ID, end, start.AddDate(-3, 0, 0).Format(DateLayout)).Scan(&other)
	switch {
	case err == nil:
		p.Add("cycle_start", "gives a cycle that overlaps that of %s: cycles last three years and follow one another", other)
		return nil
	case !db.IsNoRows(err):
		return err
	}
	if g.ID == "" {
		return nil
	}
	err = q.QueryRowContext(ctx, `SELECT ref FROM internal_audits WHERE org_id = ? AND programme_id = ? AND (planned_start < ? OR planned_start >= ?)
		ORDER BY ref LIMIT 1`, orgID, g.ID, g.CycleStart, end).Scan(&other)
	switch {
	case err == nil:
		p.Add("cycle_start", "would leave %s, planned in this programme, outside the cycle", other)
	case !db.IsNoRows(err):
		return err
	}
	return nil
}

const selectProgramme = `SELECT g.id, g.ref, g.cycle_start, g.objectives, g.methods, g.responsibilities, g.frequency_basis,
	g.manager_id, g.version, g.created_at, g.updated_at FROM internal_audit_programmes g`

func (s *Service) scanProgramme(scan func(...any) error) (*Programme, error) {
	var g Programme
	if err := scan(&g.ID, &g.Ref, &g.CycleStart, &g.Objectives, &g.Methods, &g.Responsibilities, &g.FrequencyBasis,
		&g.ManagerID, &g.Version, &g.CreatedAt, &g.UpdatedAt); err != nil {
		return nil, err
	}
	start, err := time.Parse(DateLayout, g.CycleStart)
	if err != nil {
		return nil, fmt.Errorf("stored cycle start of %s: %w", g.Ref, err)
	}
	g.Years, g.RecertificationDue = cycleYears(start)
	return &g, nil
}

// getProgramme reads a programme of an organisation by id or reference, with its audits per year.
func (s *Service) getProgramme(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Programme, error) {
	col, key := byIDOrRef("g", idOrRef)
	g, err := s.scanProgramme(q.QueryRowContext(ctx, selectProgramme+` WHERE g.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("audit programme", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	for i := range g.Years {
		y := &g.Years[i]
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM internal_audits WHERE org_id = ? AND programme_id = ? AND planned_start >= ? AND planned_start <= ?`,
			orgID, g.ID, y.From, y.To).Scan(&y.Audits); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// named fills the manager's name from the organisation's members.
func (g *Programme) named(members map[string]Member) *Programme {
	g.ManagerName = members[g.ManagerID].Name
	return g
}

// CreateProgramme records the audit programme of a certification cycle.
func (s *Service) CreateProgramme(ctx context.Context, actor *aims.Actor, req ProgrammeRequest) (*Programme, error) {
	if err := identity.Authorize(actor, identity.ActAuditPlan); err != nil {
		return nil, err
	}
	members, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	g := &Programme{CycleStart: req.CycleStart, Objectives: req.Objectives, Methods: req.Methods,
		Responsibilities: req.Responsibilities, FrequencyBasis: req.FrequencyBasis, ManagerID: req.ManagerID}
	var p aims.Problems
	g.check(&p, members)
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := s.checkCycle(ctx, tx, actor.OrgID, g, &p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		ref, err := db.NextRef(ctx, tx, actor.OrgID, programmePrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		g.ID, g.Ref = aims.NewID(), ref
		if _, err := tx.ExecContext(ctx, `INSERT INTO internal_audit_programmes (id, org_id, ref, cycle_start, objectives, methods,
			responsibilities, frequency_basis, manager_id, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			g.ID, actor.OrgID, g.Ref, g.CycleStart, g.Objectives, g.Methods, g.Responsibilities, g.FrequencyBasis, g.ManagerID, now, now); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, g.audit())
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionProgrammeCreate, tlog.EventObject{Type: ObjectProgramme, ID: g.ID, Ref: g.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record audit programme: %w", err)
	}
	out, err := s.getProgramme(ctx, s.db, actor.OrgID, g.ID)
	if err != nil {
		return nil, err
	}
	return out.named(members), nil
}

// UpdateProgramme changes the fields the request names.
func (s *Service) UpdateProgramme(ctx context.Context, actor *aims.Actor, idOrRef string, req ProgrammeUpdate) (*Programme, error) {
	if err := identity.Authorize(actor, identity.ActAuditPlan); err != nil {
		return nil, err
	}
	members, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.getProgramme(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		after := *before
		for dst, src := range map[*string]*string{&after.CycleStart: req.CycleStart, &after.Objectives: req.Objectives, &after.Methods: req.Methods,
			&after.Responsibilities: req.Responsibilities, &after.FrequencyBasis: req.FrequencyBasis, &after.ManagerID: req.ManagerID} {
			if src != nil {
				*dst = *src
			}
		}
		var p aims.Problems
		after.check(&p, members)
		if err := s.checkCycle(ctx, tx, actor.OrgID, &after, &p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE internal_audit_programmes SET cycle_start = ?, objectives = ?, methods = ?, responsibilities = ?,
			frequency_basis = ?, manager_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.CycleStart, after.Objectives, after.Methods, after.Responsibilities, after.FrequencyBasis, after.ManagerID, s.clock(),
			before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionProgrammeUpdate, tlog.EventObject{Type: ObjectProgramme, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update audit programme %s: %w", idOrRef, err)
	}
	out, err := s.getProgramme(ctx, s.db, actor.OrgID, id)
	if err != nil {
		return nil, err
	}
	return out.named(members), nil
}

// GetProgramme returns an audit programme by id or reference.
func (s *Service) GetProgramme(ctx context.Context, actor *aims.Actor, idOrRef string) (*Programme, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	g, err := s.getProgramme(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	members, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	return g.named(members), nil
}

// ListProgrammes returns the organisation's audit programmes, the latest cycle first.
func (s *Service) ListProgrammes(ctx context.Context, actor *aims.Actor) ([]Programme, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM internal_audit_programmes WHERE org_id = ? ORDER BY cycle_start DESC`, actor.OrgID)
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
	members, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := []Programme{}
	for _, id := range ids {
		g, err := s.getProgramme(ctx, s.db, actor.OrgID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *g.named(members))
	}
	return out, nil
}
