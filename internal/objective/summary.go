package objective

import (
	"context"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up objectives for readiness and management review.
type Summary struct {
	// Objectives counts the active objectives.
	Objectives int
	// Indicators gives the state of each of their indicators.
	Indicators []IndicatorStatus
}

// IndicatorStatus is where one indicator stands against its target.
type IndicatorStatus struct {
	ObjectiveRef string
	Objective    string
	Name         string
	// Ref is the indicator's reference, such as OBJ-1/I2.
	Ref string
	// Target says the target in words, such as "at least 95 %".
	Target string
	// Measured tells whether any value is recorded; Latest and MeasuredOn are the latest one.
	Measured   bool
	Latest     float64
	MeasuredOn string
	// OnTarget tells whether the latest value meets the target.
	OnTarget bool
	// Due tells whether the next measurement is due by the cadence.
	Due bool
	// NextDueOn is when the next value is due, YYYY-MM-DD.
	NextDueOn string
}

// reminderWindow is how far ahead a value due soon is announced.
const reminderWindow = 7

// state is an indicator with its objective, as summaries and reminders read them.
type state struct {
	o  *Objective
	in *Indicator
}

// states reads the active indicators of the organisation's active
// objectives, by objective and number, settled on today's date.
func (s *Service) states(ctx context.Context, orgID string) ([]state, error) {
	rows, err := s.db.QueryContext(ctx, selectObjective+` WHERE o.org_id = ? AND o.status = ? ORDER BY length(o.ref), o.ref`, orgID, StatusActive)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Objective{}
	var objs []*Objective
	for rows.Next() {
		o, err := scanObjective(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[o.ID] = o
		objs = append(objs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var ids []string
	for _, o := range objs {
		ids = append(ids, o.ID)
	}
	inds, err := s.indicators(ctx, s.db, orgID, ids)
	if err != nil {
		return nil, err
	}
	today := s.today()
	byObjective := map[string][]*Indicator{}
	for _, in := range inds {
		if in.Status != IndicatorActive {
			continue
		}
		o := byID[in.ObjectiveID]
		in.ObjectiveRef, in.Ref = o.Ref, indicatorRef(o.Ref, in.Number)
		in.settle(today, true)
		byObjective[o.ID] = append(byObjective[o.ID], in)
	}
	var out []state
	for _, o := range objs {
		for _, in := range byObjective[o.ID] {
			out = append(out, state{o: o, in: in})
		}
	}
	return out, nil
}

// Summary sums up the organisation's active objectives and their active
// indicators: whether each latest value in force meets its target and
// whether the next value is due (see NextDue for how dates fall).
func (s *Service) Summary(ctx context.Context, orgID string) (*Summary, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM objectives WHERE org_id = ? AND status = ?`, orgID, StatusActive).Scan(&n); err != nil {
		return nil, err
	}
	states, err := s.states(ctx, orgID)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Objectives: n, Indicators: []IndicatorStatus{}}
	for _, st := range states {
		is := IndicatorStatus{ObjectiveRef: st.o.Ref, Objective: st.o.Title, Name: st.in.Name, Ref: st.in.Ref,
			Target: st.in.TargetText, Due: st.in.Due, NextDueOn: st.in.NextDueOn}
		if l := st.in.Latest; l != nil {
			is.Measured, is.Latest, is.MeasuredOn, is.OnTarget = true, l.Value, l.MeasuredOn, *st.in.OnTarget
		}
		sum.Indicators = append(sum.Indicators, is)
	}
	return sum, nil
}

// Reminders lists the active indicators of active objectives whose next
// value is due within seven days or overdue, each for the objective's owner.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	states, err := s.states(ctx, orgID)
	if err != nil {
		return nil, err
	}
	today, err := time.Parse(DateLayout, s.today())
	if err != nil {
		return nil, err
	}
	horizon := today.AddDate(0, 0, reminderWindow).Format(DateLayout)
	out := []aims.Reminder{}
	for _, st := range states {
		if st.in.NextDueOn == "" || st.in.NextDueOn > horizon {
			continue
		}
		due, err := time.Parse(DateLayout, st.in.NextDueOn)
		if err != nil {
			return nil, err
		}
		out = append(out, aims.Reminder{
			Key:     "objective_indicator:" + st.in.ID + ":" + st.in.NextDueOn,
			Kind:    aims.ReminderReviewDue,
			Ref:     st.in.Ref,
			Title:   "Record a value of " + st.in.Ref + " " + st.in.Name + " (" + st.o.Title + "), due " + st.in.NextDueOn,
			Due:     due,
			Link:    "/objectives/" + st.o.Ref + "#indicator-" + strconv.Itoa(st.in.Number),
			UserIDs: []string{st.o.Owner.UserID},
		})
	}
	return out, nil
}
