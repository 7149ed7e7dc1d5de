package decision

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

// Window lengths statistics are read in.
const (
	WindowHour = time.Hour
	WindowDay  = 24 * time.Hour
	WindowWeek = 7 * 24 * time.Hour
)

// StatsQuery selects a system's statistics.
type StatsQuery struct {
	// From and To bound the decision times, [From, To); both are rounded
	// down to the hour.
	From, To time.Time
	// Window splits the range into hours, UTC days or weeks from Monday;
	// zero reads the range as one window starting at From.
	Window time.Duration
	// ModelVersionID keeps one model version's decisions only.
	ModelVersionID string
	// Inputs also reads how often each input took each value. Inputs, like
	// scores, are kept per UTC day, so every day the range touches counts
	// whole, and an hour window reads its day's inputs.
	Inputs bool
}

// Count is how many decisions of a window a model version made for a group
// with a predicted label and a true label (” while no labelled outcome is
// known). Feature is ” for everyone, a sensitive attribute, or two joined
// by " & ".
type Count struct {
	Window         time.Time `json:"window"`
	ModelVersionID string    `json:"model_version_id"`
	Feature        string    `json:"feature"`
	Group          string    `json:"group"`
	Predicted      string    `json:"predicted"`
	Truth          string    `json:"truth"`
	N              int64     `json:"n"`
}

// ScoreCount is how many decisions of a window had a score (rounded to two
// significant digits) and a true label. Scores are kept per UTC day, so
// every day the range touches counts whole, and an hour window reads its
// day's scores.
type ScoreCount struct {
	Window         time.Time `json:"window"`
	ModelVersionID string    `json:"model_version_id"`
	Truth          string    `json:"truth"`
	Score          float64   `json:"score"`
	N              int64     `json:"n"`
}

// InputCount is how often an input took a value in a window: a number
// rounded to three significant digits, or a text of at most 64 bytes.
type InputCount struct {
	Window  time.Time `json:"window"`
	Feature string    `json:"feature"`
	Numeric bool      `json:"numeric"`
	Value   string    `json:"value"`
	N       int64     `json:"n"`
}

// Stats are a system's statistics over a range, merged per window.
type Stats struct {
	From   time.Time     `json:"from"`
	To     time.Time     `json:"to"`
	Window time.Duration `json:"window"`
	Counts []Count       `json:"counts"`
	Scores []ScoreCount  `json:"scores"`
	Inputs []InputCount  `json:"inputs"`
}

// Stats reads a system's statistics for a reader of the system.
func (s *Service) Stats(ctx context.Context, actor *aims.Actor, systemRef string, q StatsQuery) (*Stats, error) {
	sys, err := s.system(ctx, actor, identity.ActDecisionRead, systemRef)
	if err != nil {
		return nil, err
	}
	return s.SystemStats(ctx, actor.OrgID, sys.ID, q)
}

// SystemStats reads a system's statistics for a background job that has
// checked what it may read.
func (s *Service) SystemStats(ctx context.Context, orgID, systemID string, q StatsQuery) (*Stats, error) {
	switch q.Window {
	case 0, WindowHour, WindowDay, WindowWeek:
	default:
		return nil, aims.Errorf(aims.CodeInvalid, "window must be an hour, a day or a week")
	}
	q.From, q.To = q.From.UTC().Truncate(time.Hour), q.To.UTC().Truncate(time.Hour)
	if !q.To.After(q.From) {
		return nil, aims.Errorf(aims.CodeInvalid, "the range must end after it starts, at least an hour later")
	}
	out := &Stats{From: q.From, To: q.To, Window: q.Window, Counts: []Count{}, Scores: []ScoreCount{}, Inputs: []InputCount{}}
	var logNo int64
	err := s.db.QueryRowContext(ctx, `SELECT no FROM decision_logs WHERE org_id = ? AND system_id = ?`, orgID, systemID).Scan(&logNo)
	if db.IsNoRows(err) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the decision log: %w", err)
	}
	from, to := q.From.Unix(), q.To.Unix()
	where, args := spanRange(logNo, from, to, q.Window == WindowHour)
	if q.ModelVersionID != "" {
		where += ` AND model_version_id = ?`
		args = append(args, q.ModelVersionID)
	}
	bucket := func(start int64) int64 { return windowOf(start, from, q.Window) }

	counts := map[Count]int64{}
	err = scanRows(ctx, s.db, `SELECT start, model_version_id, feature, grp, predicted, truth, n FROM decision_counts WHERE `+where, args,
		func(scan func(...any) error) error {
			var c Count
			var start, n int64
			if err := scan(&start, &c.ModelVersionID, &c.Feature, &c.Group, &c.Predicted, &c.Truth, &n); err != nil {
				return err
			}
			c.Window = time.Unix(bucket(start), 0).UTC()
			counts[c] += n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("cannot read decision counts: %w", err)
	}
	for c, n := range counts {
		if n != 0 {
			c.N = n
			out.Counts = append(out.Counts, c)
		}
	}
	scores := map[ScoreCount]int64{}
	dayWhere, dayArgs := `log_no = ? AND start >= ? AND start < ?`, []any{logNo, floorTo(from, daySpan), to}
	if q.ModelVersionID != "" {
		dayWhere += ` AND model_version_id = ?`
		dayArgs = append(dayArgs, q.ModelVersionID)
	}
	err = scanRows(ctx, s.db, `SELECT start, model_version_id, truth, score, n FROM decision_scores WHERE `+dayWhere, dayArgs,
		func(scan func(...any) error) error {
			var c ScoreCount
			var start, n int64
			if err := scan(&start, &c.ModelVersionID, &c.Truth, &c.Score, &n); err != nil {
				return err
			}
			c.Window = time.Unix(bucket(start), 0).UTC()
			scores[c] += n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("cannot read score counts: %w", err)
	}
	for c, n := range scores {
		if n != 0 {
			c.N = n
			out.Scores = append(out.Scores, c)
		}
	}
	if !q.Inputs {
		return out, nil
	}
	inputs := map[InputCount]int64{}
	err = scanRows(ctx, s.db, `SELECT start, feature, kind, value, n FROM decision_inputs WHERE `+dayWhere, dayArgs,
		func(scan func(...any) error) error {
			var c InputCount
			var start, n int64
			var kind string
			if err := scan(&start, &c.Feature, &kind, &c.Value, &n); err != nil {
				return err
			}
			c.Numeric = kind == "n"
			c.Window = time.Unix(bucket(start), 0).UTC()
			inputs[c] += n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("cannot read input counts: %w", err)
	}
	for c, n := range inputs {
		if n != 0 {
			c.N = n
			out.Inputs = append(out.Inputs, c)
		}
	}
	return out, nil
}

// spanRange is the condition selecting the rows of [from, to): hour rows
// only when hours is set, otherwise day rows for whole days and hour rows
// for the hours around them.
func spanRange(logNo, from, to int64, hours bool) (string, []any) {
	dayFrom, dayTo := floorTo(from+daySpan-1, daySpan), floorTo(to, daySpan)
	if hours || dayFrom >= dayTo {
		return `log_no = ? AND span = ` + strconv.Itoa(hourSpan) + ` AND start >= ? AND start < ?`, []any{logNo, from, to}
	}
	return `log_no = ? AND ((span = ` + strconv.Itoa(daySpan) + ` AND start >= ? AND start < ?) OR (span = ` + strconv.Itoa(hourSpan) +
			` AND ((start >= ? AND start < ?) OR (start >= ? AND start < ?))))`,
		[]any{logNo, dayFrom, dayTo, from, dayFrom, dayTo, to}
}

// mondayOffset is how far the first Monday, 1970-01-05, is from the Unix epoch.
const mondayOffset = 4 * daySpan

// windowOf returns the start of the window of length w that start falls
// in: from itself when w is zero.
func windowOf(start, from int64, w time.Duration) int64 {
	switch w {
	case WindowHour:
		return floorTo(start, hourSpan)
	case WindowDay:
		return floorTo(start, daySpan)
	case WindowWeek:
		return floorTo(start-mondayOffset, 7*daySpan) + mondayOffset
	}
	return from
}

// scanRows runs a query and calls each with a scan function for every row.
func scanRows(ctx context.Context, q db.Queryer, query string, args []any, each func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// StatsSpan returns the first and the last hour in which a system made a
// decision; ok is false when it made none.
func (s *Service) StatsSpan(ctx context.Context, orgID, systemID string) (first, last time.Time, ok bool, err error) {
	var lo, hi *int64
	err = s.db.QueryRowContext(ctx, `SELECT MIN(c.start), MAX(c.start) FROM decision_counts c
		JOIN decision_logs d ON d.no = c.log_no WHERE d.org_id = ? AND d.system_id = ? AND c.span = `+strconv.Itoa(hourSpan),
		orgID, systemID).Scan(&lo, &hi)
	if err != nil || lo == nil {
		return time.Time{}, time.Time{}, false, err
	}
	return time.Unix(*lo, 0).UTC(), time.Unix(*hi, 0).UTC(), true, nil
}
