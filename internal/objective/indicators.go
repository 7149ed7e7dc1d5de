package objective

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

const selectIndicator = `SELECT i.id, i.objective_id, i.number, i.name, i.unit, i.target_kind, i.target_min, i.target_max, i.cadence,
	i.method, i.source, i.starts_on, i.status, i.version, i.created_at, i.updated_at,
	(SELECT count(*) FROM objective_measurements m WHERE m.indicator_id = i.id)
	FROM objective_indicators i`

// latestInForce selects, per indicator of an organisation, the latest
// measurement that no later one corrects: by the date it refers to, then by number.
const latestInForce = `SELECT indicator_id, number, value, measured_on, note, evidence_ref, corrects, recorded_by, created_at FROM (
	SELECT m.indicator_id, m.number, m.value, m.measured_on, m.note, m.evidence_ref, m.corrects, m.recorded_by, m.created_at,
		ROW_NUMBER() OVER (PARTITION BY m.indicator_id ORDER BY m.measured_on DESC, m.number DESC) AS rn
	FROM objective_measurements m
	WHERE m.org_id = ? AND NOT EXISTS (SELECT 1 FROM objective_measurements c WHERE c.indicator_id = m.indicator_id AND c.corrects = m.number)
) latest WHERE rn = 1`

// scanIndicator reads an indicator's own row.
func scanIndicator(scan func(...any) error) (*Indicator, error) {
	var in Indicator
	var lo, hi sql.NullFloat64
	err := scan(&in.ID, &in.ObjectiveID, &in.Number, &in.Name, &in.Unit, &in.Target.Kind, &lo, &hi, &in.Cadence, &in.Method,
		&in.Source, &in.StartsOn, &in.Status, &in.Version, &in.CreatedAt, &in.UpdatedAt, &in.Measurements)
	if lo.Valid {
		in.Target.Min = &lo.Float64
	}
	if hi.Valid {
		in.Target.Max = &hi.Float64
	}
	return &in, err
}

// indicators reads the indicators of the objectives, by objective and
// number, each with its latest value in force.
func (s *Service) indicators(ctx context.Context, q db.Queryer, orgID string, objectiveIDs []string) ([]*Indicator, error) {
	if len(objectiveIDs) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, selectIndicator+` WHERE i.org_id = ? AND i.objective_id IN (`+placeholders(len(objectiveIDs))+
		`) ORDER BY i.objective_id, i.number`, append([]any{orgID}, anyOf(objectiveIDs)...)...)
	if err != nil {
		return nil, err
	}
	var out []*Indicator
	byID := map[string]*Indicator{}
	for rows.Next() {
		in, err := scanIndicator(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, in)
		byID[in.ID] = in
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	rows, err = q.QueryContext(ctx, latestInForce, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var m Measurement
		if err := rows.Scan(&id, &m.Number, &m.Value, &m.MeasuredOn, &m.Note, &m.Evidence, &m.Corrects, &m.RecordedBy, &m.CreatedAt); err != nil {
			return nil, err
		}
		if in, ok := byID[id]; ok {
			in.Latest = &m
		}
	}
	return out, rows.Err()
}

// objectiveIndicator reads an objective and one of its indicators, by the
// objective's id or reference and the indicator's number.
func (s *Service) objectiveIndicator(ctx context.Context, q db.Queryer, orgID, objectiveRef string, number int) (*Objective, *Indicator, error) {
	o, err := getObjective(ctx, q, orgID, objectiveRef)
	if err != nil {
		return nil, nil, err
	}
	in, err := scanIndicator(q.QueryRowContext(ctx, selectIndicator+` WHERE i.org_id = ? AND i.objective_id = ? AND i.number = ?`,
		orgID, o.ID, number).Scan)
	if db.IsNoRows(err) {
		return nil, nil, aims.NotFound("indicator", indicatorRef(o.Ref, number))
	}
	if err != nil {
		return nil, nil, err
	}
	in.ObjectiveRef, in.Ref = o.Ref, indicatorRef(o.Ref, in.Number)
	return o, in, nil
}

// ParseIndicatorRef splits a reference such as OBJ-1/I2 into the objective's reference and the number.
func ParseIndicatorRef(ref string) (string, int, bool) {
	obj, n, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(ref)), "/I")
	if !ok || obj == "" {
		return "", 0, false
	}
	num, err := strconv.Atoi(n)
	if err != nil || num < 1 {
		return "", 0, false
	}
	return obj, num, true
}

// AddIndicator defines an indicator of an active objective.
func (s *Service) AddIndicator(ctx context.Context, actor *aims.Actor, objectiveRef string, req IndicatorRequest) (*Indicator, error) {
	if err := identity.Authorize(actor, identity.ActObjectiveEdit); err != nil {
		return nil, err
	}
	in := &Indicator{Name: req.Name, Unit: req.Unit, Target: req.Target, Cadence: req.Cadence, Method: req.Method,
		Source: req.Source, StartsOn: req.StartsOn, Status: IndicatorActive}
	if strings.TrimSpace(in.Source) == "" {
		in.Source = "manual"
	}
	if strings.TrimSpace(in.StartsOn) == "" {
		in.StartsOn = s.today()
	}
	var p aims.Problems
	in.normalise(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var o *Objective
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		if o, err = getObjective(ctx, tx, actor.OrgID, objectiveRef); err != nil {
			return err
		}
		if o.Status != StatusActive {
			return aims.Errorf(aims.CodeConflict, "%s is %s: make it active again before adding indicators", o.Ref, o.Status)
		}
		if err := tx.QueryRowContext(ctx, `UPDATE objectives SET last_indicator = last_indicator + 1 WHERE id = ? AND org_id = ?
			RETURNING last_indicator`, o.ID, actor.OrgID).Scan(&in.Number); err != nil {
			return err
		}
		now := s.clock()
		in.ID, in.ObjectiveID, in.ObjectiveRef, in.Ref, in.Version = aims.NewID(), o.ID, o.Ref, indicatorRef(o.Ref, in.Number), 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO objective_indicators (id, org_id, objective_id, number, name, unit, target_kind,
			target_min, target_max, cadence, method, source, starts_on, status, last_measurement, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
			in.ID, actor.OrgID, o.ID, in.Number, in.Name, in.Unit, in.Target.Kind, in.Target.Min, in.Target.Max, in.Cadence,
			in.Method, in.Source, in.StartsOn, in.Status, in.Version, now, now); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, in.audit())
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionIndicatorCreate, tlog.EventObject{Type: ObjectIndicator, ID: in.ID, Ref: in.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot add an indicator to objective %s: %w", objectiveRef, err)
	}
	return s.Indicator(ctx, actor, o.ID, in.Number)
}

// Indicator returns one indicator of an objective with its latest value and due date.
func (s *Service) Indicator(ctx context.Context, actor *aims.Actor, objectiveRef string, number int) (*Indicator, error) {
	o, err := s.Get(ctx, actor, objectiveRef)
	if err != nil {
		return nil, err
	}
	for i := range o.Indicators {
		if o.Indicators[i].Number == number {
			return &o.Indicators[i], nil
		}
	}
	return nil, aims.NotFound("indicator", indicatorRef(o.Ref, number))
}

// UpdateIndicator changes the fields the request names on an indicator of an active objective.
func (s *Service) UpdateIndicator(ctx context.Context, actor *aims.Actor, objectiveRef string, number int, req IndicatorUpdate) (*Indicator, error) {
	if err := identity.Authorize(actor, identity.ActObjectiveEdit); err != nil {
		return nil, err
	}
	var objectiveID string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		o, before, err := s.objectiveIndicator(ctx, tx, actor.OrgID, objectiveRef, number)
		if err != nil {
			return err
		}
		objectiveID = o.ID
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		if o.Status != StatusActive {
			return aims.Errorf(aims.CodeConflict, "%s is %s: make it active again before changing its indicators", o.Ref, o.Status)
		}
		after := *before
		for dst, src := range map[*string]*string{&after.Name: req.Name, &after.Unit: req.Unit, &after.Cadence: req.Cadence,
			&after.Method: req.Method, &after.Source: req.Source, &after.StartsOn: req.StartsOn, &after.Status: req.Status} {
			if src != nil {
				*dst = *src
			}
		}
		if req.Target != nil {
			after.Target = *req.Target
		}
		var p aims.Problems
		after.normalise(&p)
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE objective_indicators SET name = ?, unit = ?, target_kind = ?, target_min = ?, target_max = ?,
			cadence = ?, method = ?, source = ?, starts_on = ?, status = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ? AND version = ?`,
			after.Name, after.Unit, after.Target.Kind, after.Target.Min, after.Target.Max, after.Cadence, after.Method, after.Source,
			after.StartsOn, after.Status, s.clock(), before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionIndicatorUpdate, tlog.EventObject{Type: ObjectIndicator, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update indicator %s/I%d: %w", objectiveRef, number, err)
	}
	return s.Indicator(ctx, actor, objectiveID, number)
}
