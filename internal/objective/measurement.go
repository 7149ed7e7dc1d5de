package objective

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Measurement is a value of an indicator for a period. It never changes
// once recorded: a mistake is corrected by a later measurement that names
// the one it corrects, which then no longer counts.
type Measurement struct {
	Ref          string  `json:"ref" doc:"Short reference such as OBJ-1/I2/M5."`
	IndicatorRef string  `json:"indicator_ref"`
	Number       int     `json:"number" doc:"The measurement's number within its indicator."`
	Value        float64 `json:"value"`
	MeasuredOn   string  `json:"measured_on" doc:"The date the value refers to (the end of the period measured), YYYY-MM-DD."`
	Note         string  `json:"note"`
	Evidence     string  `json:"evidence" doc:"Reference of the evidence that supports the value, such as EV-4; empty when none."`
	Corrects     int     `json:"corrects" doc:"The number of the measurement this one corrects; 0 when it corrects none."`
	CorrectedBy  int     `json:"corrected_by" doc:"The number of the measurement that corrects this one; 0 when it is in force."`
	// RecordedBy is who recorded it: a member's email, or the name of a system actor.
	RecordedBy string    `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// MeasureRequest records a value of an indicator.
type MeasureRequest struct {
	Value      *float64 `json:"value" doc:"The measured value, in the indicator's unit."`
	MeasuredOn string   `json:"measured_on,omitempty" doc:"The date the value refers to, YYYY-MM-DD; not after today. Today when left out, or the corrected measurement's date for a correction."`
	Note       string   `json:"note,omitempty" maxLength:"2000" doc:"Remarks; required for a correction, to say what was wrong."`
	Evidence   string   `json:"evidence,omitempty" doc:"Evidence that supports the value, by reference (EV-4) or id."`
	Corrects   int      `json:"corrects,omitempty" minimum:"0" doc:"To correct a mistaken value: the number of the measurement this one replaces."`
}

// MeasurementItem is one value of a batch, for the indicator it names.
type MeasurementItem struct {
	Indicator  string   `json:"indicator" doc:"The indicator's reference, such as OBJ-1/I2."`
	Value      *float64 `json:"value"`
	MeasuredOn string   `json:"measured_on,omitempty" doc:"YYYY-MM-DD; today when left out."`
	Note       string   `json:"note,omitempty" maxLength:"2000"`
	Evidence   string   `json:"evidence,omitempty"`
	Corrects   int      `json:"corrects,omitempty" minimum:"0"`
}

// measurementRef is the reference of an indicator's measurement.
func measurementRef(indicatorRef string, n int) string { return indicatorRef + "/M" + strconv.Itoa(n) }

// pending is a checked value waiting to be stored.
type pending struct {
	o         *Objective
	in        *Indicator
	m         Measurement
	evidence  string // id
	corrected *Measurement
}

// recorder checks values within one transaction, remembering the
// indicators it read and the measurements corrected so far.
type recorder struct {
	s         *Service
	tx        *db.Tx
	actor     *aims.Actor
	today     string
	corrected map[string]bool // indicator id and number
	p         aims.Problems
}

// check checks one value for an indicator; field prefixes the names of its fields.
func (r *recorder) check(ctx context.Context, o *Objective, in *Indicator, req MeasureRequest, field string) (*pending, error) {
	if o.Status == StatusWithdrawn || in.Status != IndicatorActive {
		why := o.Ref + " is withdrawn"
		if in.Status != IndicatorActive {
			why = in.Ref + " is retired"
		}
		if field == "" {
			return nil, aims.Errorf(aims.CodeConflict, "%s cannot take values: %s", in.Ref, why)
		}
		r.p.Add(field+"indicator", "cannot take values: %s", why)
		return nil, nil
	}
	pd := &pending{o: o, in: in, m: Measurement{Note: req.Note, MeasuredOn: req.MeasuredOn, Corrects: req.Corrects}}
	switch {
	case req.Value == nil:
		r.p.Add(field+"value", "is required")
	case math.IsNaN(*req.Value) || math.IsInf(*req.Value, 0):
		r.p.Add(field+"value", "must be a finite number")
	default:
		pd.m.Value = *req.Value
	}
	trimText(&r.p, field+"note", &pd.m.Note, req.Corrects > 0, maxText)
	if req.Corrects < 0 {
		r.p.Add(field+"corrects", "must not be negative")
	} else if req.Corrects > 0 {
		old, err := r.s.measurement(ctx, r.tx, r.actor.OrgID, in, req.Corrects)
		switch {
		case aims.CodeOf(err) == aims.CodeNotFound:
			r.p.Add(field+"corrects", "names M%d, which %s does not have", req.Corrects, in.Ref)
		case err != nil:
			return nil, err
		case old.CorrectedBy > 0:
			r.p.Add(field+"corrects", "names %s, which %s already corrects: correct that one instead", old.Ref, measurementRef(in.Ref, old.CorrectedBy))
		case r.corrected[in.ID+" "+strconv.Itoa(old.Number)]:
			r.p.Add(field+"corrects", "names %s, which another value of this batch already corrects", old.Ref)
		default:
			r.corrected[in.ID+" "+strconv.Itoa(old.Number)] = true
			pd.corrected = old
			if strings.TrimSpace(pd.m.MeasuredOn) == "" {
				pd.m.MeasuredOn = old.MeasuredOn
			}
		}
	}
	if strings.TrimSpace(pd.m.MeasuredOn) == "" {
		pd.m.MeasuredOn = r.today
	}
	if _, ok := parseDate(&r.p, field+"measured_on", &pd.m.MeasuredOn); ok && pd.m.MeasuredOn > r.today {
		r.p.Add(field+"measured_on", "must not be after today (%s)", r.today)
	}
	if ref := strings.TrimSpace(req.Evidence); ref != "" {
		ev, err := r.s.sources.Evidence(ctx, r.actor, ref)
		switch c := aims.CodeOf(err); {
		case c == aims.CodeNotFound || c == aims.CodeInvalid:
			r.p.Add(field+"evidence", "names %s, which is not evidence of this organisation", ref)
		case err != nil:
			return nil, err
		default:
			pd.evidence, pd.m.Evidence = ev.ID, ev.Ref
		}
	}
	return pd, nil
}

// store records a checked value with its audit event.
func (r *recorder) store(ctx context.Context, pd *pending) (*Measurement, error) {
	m := pd.m
	if err := r.tx.QueryRowContext(ctx, `UPDATE objective_indicators SET last_measurement = last_measurement + 1 WHERE id = ? AND org_id = ?
		RETURNING last_measurement`, pd.in.ID, r.actor.OrgID).Scan(&m.Number); err != nil {
		return nil, err
	}
	m.IndicatorRef, m.Ref, m.RecordedBy, m.CreatedAt = pd.in.Ref, measurementRef(pd.in.Ref, m.Number), r.actor.Label(), r.s.clock()
	id := aims.NewID()
	if _, err := r.tx.ExecContext(ctx, `INSERT INTO objective_measurements (id, org_id, indicator_id, number, value, measured_on, note,
		evidence_id, evidence_ref, corrects, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, r.actor.OrgID, pd.in.ID, m.Number, m.Value, m.MeasuredOn, m.Note, pd.evidence, m.Evidence, m.Corrects, m.RecordedBy,
		m.CreatedAt); err != nil {
		return nil, err
	}
	action := ActionMeasure
	changes := []tlog.Change{{Field: "value", After: encodeJSON(m.Value)}, {Field: "measured_on", After: encodeJSON(m.MeasuredOn)}}
	if pd.corrected != nil {
		action = ActionCorrect
		changes = []tlog.Change{{Field: "corrects", After: encodeJSON(pd.corrected.Ref)},
			{Field: "value", Before: encodeJSON(pd.corrected.Value), After: encodeJSON(m.Value)},
			{Field: "measured_on", Before: encodeJSON(pd.corrected.MeasuredOn), After: encodeJSON(m.MeasuredOn)}}
	}
	for k, v := range map[string]string{"note": m.Note, "evidence": m.Evidence} {
		if v != "" {
			changes = append(changes, tlog.Change{Field: k, After: encodeJSON(v)})
		}
	}
	return &m, r.s.logs.Record(ctx, r.tx, r.actor.OrgID, r.actor, action, tlog.EventObject{Type: ObjectMeasurement, ID: id, Ref: m.Ref}, changes)
}

// Measure records a value of an indicator, or a correction of an earlier
// value; editors record values.
func (s *Service) Measure(ctx context.Context, actor *aims.Actor, objectiveRef string, number int, req MeasureRequest) (*Measurement, error) {
	if err := identity.Authorize(actor, identity.ActObjectiveMeasure); err != nil {
		return nil, err
	}
	var out *Measurement
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		o, in, err := s.objectiveIndicator(ctx, tx, actor.OrgID, objectiveRef, number)
		if err != nil {
			return err
		}
		r := &recorder{s: s, tx: tx, actor: actor, today: s.today(), corrected: map[string]bool{}}
		pd, err := r.check(ctx, o, in, req, "")
		if err != nil {
			return err
		}
		if err := r.p.Err(); err != nil {
			return err
		}
		out, err = r.store(ctx, pd)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record a value of %s/I%d: %w", objectiveRef, number, err)
	}
	return out, nil
}

// MeasureBatch records many values at once, for automated feeds: all of
// them or, when any is wrong, none, with every problem named by its item
// (items[3].value).
func (s *Service) MeasureBatch(ctx context.Context, actor *aims.Actor, items []MeasurementItem) ([]Measurement, error) {
	if err := identity.Authorize(actor, identity.ActObjectiveMeasure); err != nil {
		return nil, err
	}
	if len(items) == 0 || len(items) > maxBatch {
		var p aims.Problems
		p.Add("items", "must hold between 1 and %d values", maxBatch)
		return nil, p.Err()
	}
	out := make([]Measurement, 0, len(items))
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r := &recorder{s: s, tx: tx, actor: actor, today: s.today(), corrected: map[string]bool{}}
		type found struct {
			o  *Objective
			in *Indicator
		}
		cache := map[string]found{}
		var checked []*pending
		for i, it := range items {
			field := "items[" + strconv.Itoa(i) + "]."
			key := strings.ToUpper(strings.TrimSpace(it.Indicator))
			f, ok := cache[key]
			if !ok {
				obj, n, valid := ParseIndicatorRef(key)
				if !valid {
					r.p.Add(field+"indicator", "must be an indicator's reference such as OBJ-1/I2")
					continue
				}
				o, in, err := s.objectiveIndicator(ctx, tx, actor.OrgID, obj, n)
				if aims.CodeOf(err) == aims.CodeNotFound {
					r.p.Add(field+"indicator", "names %s, which is not an indicator of this organisation", key)
					continue
				}
				if err != nil {
					return err
				}
				f = found{o, in}
				cache[key] = f
			}
			pd, err := r.check(ctx, f.o, f.in, MeasureRequest{Value: it.Value, MeasuredOn: it.MeasuredOn, Note: it.Note,
				Evidence: it.Evidence, Corrects: it.Corrects}, field)
			if err != nil {
				return err
			}
			if pd != nil {
				checked = append(checked, pd)
			}
		}
		if err := r.p.Err(); err != nil {
			return err
		}
		for _, pd := range checked {
			m, err := r.store(ctx, pd)
			if err != nil {
				return err
			}
			out = append(out, *m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record the batch of values: %w", err)
	}
	return out, nil
}

const selectMeasurement = `SELECT m.number, m.value, m.measured_on, m.note, m.evidence_ref, m.corrects, m.recorded_by, m.created_at,
	COALESCE((SELECT c.number FROM objective_measurements c WHERE c.indicator_id = m.indicator_id AND c.corrects = m.number), 0)
	FROM objective_measurements m`

// scanMeasurement reads a measurement of an indicator.
func scanMeasurement(scan func(...any) error, in *Indicator) (*Measurement, error) {
	m := Measurement{IndicatorRef: in.Ref}
	err := scan(&m.Number, &m.Value, &m.MeasuredOn, &m.Note, &m.Evidence, &m.Corrects, &m.RecordedBy, &m.CreatedAt, &m.CorrectedBy)
	m.Ref = measurementRef(in.Ref, m.Number)
	return &m, err
}

// measurement reads one measurement of an indicator by number.
func (s *Service) measurement(ctx context.Context, q db.Queryer, orgID string, in *Indicator, number int) (*Measurement, error) {
	m, err := scanMeasurement(q.QueryRowContext(ctx, selectMeasurement+` WHERE m.org_id = ? AND m.indicator_id = ? AND m.number = ?`,
		orgID, in.ID, number).Scan, in)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("measurement", measurementRef(in.Ref, number))
	}
	return m, err
}

// Measurements lists every value of an indicator, corrections included,
// by the date they refer to and then in the order recorded.
func (s *Service) Measurements(ctx context.Context, actor *aims.Actor, objectiveRef string, number int) ([]Measurement, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	_, in, err := s.objectiveIndicator(ctx, s.db, actor.OrgID, objectiveRef, number)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectMeasurement+` WHERE m.org_id = ? AND m.indicator_id = ? ORDER BY m.measured_on, m.number`,
		actor.OrgID, in.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Measurement{}
	for rows.Next() {
		m, err := scanMeasurement(rows.Scan, in)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// InForce keeps the measurements no later one corrects: the series a chart shows.
func InForce(ms []Measurement) []Measurement {
	out := []Measurement{}
	for _, m := range ms {
		if m.CorrectedBy == 0 {
			out = append(out, m)
		}
	}
	return out
}
