package decision

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// RecordOptions say how a batch with bad records is handled.
type RecordOptions struct {
	// Partial stores the good records of a batch with bad ones; by default
	// a bad record refuses the whole batch.
	Partial bool
}

// BatchResult says what became of each record of a batch.
type BatchResult struct {
	System     string `json:"system" doc:"The AI system's reference."`
	Size       int64  `json:"size" doc:"The size of the system's decision log after the batch."`
	Accepted   int    `json:"accepted" doc:"Records stored by this request."`
	Duplicates int    `json:"duplicates" doc:"Records whose id was stored before; their earlier index is given."`
	Rejected   int    `json:"rejected" doc:"Bad records, not stored."`
	// Results follow the order of the records sent.
	Results []Result `json:"results"`
}

// Result is what became of one record.
type Result struct {
	Position  int               `json:"position" doc:"The record's position in the request, from 0."`
	ID        string            `json:"id"`
	Index     *int64            `json:"index,omitempty" doc:"The record's index in the system's decision log."`
	Duplicate bool              `json:"duplicate,omitempty" doc:"The id was stored before; index is the earlier record's."`
	Errors    []aims.FieldError `json:"errors,omitempty"`
}

// maxReported bounds the field errors one refused batch reports.
const maxReported = 200

// Record appends a batch of decisions to a system's log. It returns once the
// batch is durable, with each record's log index. A record whose id the log
// holds already is not stored again. By default one bad record refuses the
// whole batch, naming every bad record by position and field.
func (s *Service) Record(ctx context.Context, actor *aims.Actor, systemRef string, recs []Record, opts RecordOptions) (*BatchResult, error) {
	sys, err := s.system(ctx, actor, identity.ActDecisionWrite, systemRef)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, aims.Errorf(aims.CodeInvalid, "the batch holds no decision records")
	}
	if len(recs) > s.Limits.Records {
		return nil, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{
			Field: "records", Message: fmt.Sprintf("must hold at most %d records; split the batch", s.Limits.Records)}}}
	}
	res := &BatchResult{System: sys.Ref, Results: make([]Result, len(recs))}
	for i := range recs {
		res.Results[i] = Result{Position: i, ID: recs[i].ID}
	}
	models, err := s.resolveModels(ctx, actor.OrgID, sys.ID, recs)
	if err != nil {
		return nil, err
	}
	// Records are checked and encoded in the background while the ones
	// before them are stored; a bad record rolls the batch back, unless
	// the request is partial.
	pipe := startEncoding(recs, sys.ID, models, s.withoutStats)
	l, err := findLog(ctx, s.db, actor.OrgID, sys)
	if err != nil {
		return nil, err
	}
	if l == nil {
		// The first batch makes the log, and so is checked whole first.
		if err := pipe.waitAll(ctx); err != nil {
			return nil, err
		}
		if err := pipe.refusal(res, opts); err != nil {
			return nil, err
		}
		if l, err = s.ensureLog(ctx, actor, sys); err != nil {
			return nil, err
		}
	}
	err = s.appendBatch(ctx, l, recs, pipe, res, opts)
	if errors.Is(err, errInvalid) {
		return nil, pipe.refusal(res, opts)
	}
	if err != nil {
		return nil, err
	}
	_ = pipe.refusal(res, opts) // a partial batch names its bad records in the results
	for i, j := range pipe.dupOf {
		if j >= 0 {
			idx := *res.Results[j].Index
			res.Results[i].Index, res.Results[i].Duplicate = &idx, true
			res.Duplicates++
		}
	}
	return res, nil
}

// errInvalid rolls back a batch found to hold bad records.
var errInvalid = errors.New("the batch holds invalid records")

// resolveModels resolves each distinct model reference once; an unknown one
// maps to nil.
func (s *Service) resolveModels(ctx context.Context, orgID, systemID string, recs []Record) (map[string]*canonicalModel, error) {
	out := map[string]*canonicalModel{}
	for _, r := range recs {
		ref := strings.TrimSpace(r.Model)
		if _, ok := out[ref]; ok || ref == "" {
			continue
		}
		v, err := s.models.Resolve(ctx, orgID, systemID, ref)
		switch {
		case err == nil:
			out[ref] = &canonicalModel{ID: v.ID, Key: v.Key}
		case aims.CodeOf(err) == aims.CodeNotFound || aims.CodeOf(err) == aims.CodeInvalid:
			out[ref] = nil
		default:
			return nil, err
		}
	}
	return out, nil
}

// chunk is how many records are checked and encoded, then stored, at a time.
const chunk = 1024

// encoding checks and encodes a batch's records in the background, chunk by
// chunk, so that storing one chunk overlaps with encoding the next.
type encoding struct {
	enc     []*encoded      // nil for a bad record and a repeated id
	probs   []aims.Problems // each record's problems
	dupOf   []int           // the earlier record of the batch with the same id, or -1
	bad     int             // how many records have problems
	ready   []chan struct{} // closed when the chunk is done
	stats   *counter        // what the good records add to the statistics, once counted is closed
	counted chan struct{}   // closed when every encoded record is counted, or encoding failed
	err     error           // set before the chunks still waiting are closed
}

// startEncoding begins checking and encoding the records (and counting
// them for monitoring unless withoutStats), in order: the
// first good record with an id stands for later ones with the same id.
func startEncoding(recs []Record, systemID string, models map[string]*canonicalModel, withoutStats bool) *encoding {
	e := &encoding{enc: make([]*encoded, len(recs)), probs: make([]aims.Problems, len(recs)), dupOf: make([]int, len(recs)),
		ready: make([]chan struct{}, (len(recs)+chunk-1)/chunk)}
	e.stats, e.counted = newCounter(), make(chan struct{})
	for i := range e.ready {
		e.ready[i] = make(chan struct{})
	}
	go func() {
		first := make(map[string]int, len(recs))
		for c := range e.ready {
			for i := c * chunk; i < min((c+1)*chunk, len(recs)); i++ {
				e.dupOf[i] = -1
				r := &recs[i]
				r.check(&e.probs[i], i)
				m := models[strings.TrimSpace(r.Model)]
				if len(e.probs[i]) == 0 && m == nil {
					e.probs[i].Add(field{pos: i, name: "model"}.String(),
						"names no version of a model of this system: give its id, its key such as MDL-1@1.4.0, or its label")
				}
				if len(e.probs[i]) > 0 {
					e.bad++
					continue
				}
				if j, ok := first[r.ID]; ok {
					e.dupOf[i] = j
					continue
				}
				first[r.ID] = i
				x, err := r.encode(systemID, *m)
				if err != nil {
					e.err = fmt.Errorf("cannot encode record %d: %w", i, err)
					for ; c < len(e.ready); c++ {
						close(e.ready[c])
					}
					return
				}
				e.enc[i] = x
			}
			close(e.ready[c])
		}
	}()
	// Counting for monitoring runs beside encoding and storing, a chunk
	// behind the encoding.
	go func() {
		defer close(e.counted)
		if withoutStats {
			return
		}
		for c := range e.ready {
			<-e.ready[c]
			if e.err != nil {
				return
			}
			for i := c * chunk; i < min((c+1)*chunk, len(recs)); i++ {
				if x := e.enc[i]; x != nil {
					e.stats.record(&recs[i], x.modelID, x.attributes, 1)
				}
			}
		}
	}()
	return e
}

// wait returns once chunk c is done.
func (e *encoding) wait(ctx context.Context, c int) error {
	select {
	case <-e.ready[c]:
		return e.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitAll returns once every record is checked and encoded.
func (e *encoding) waitAll(ctx context.Context) error {
	for c := range e.ready {
		if err := e.wait(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// refusal names the bad records in the results, once every record is
// checked, and returns the error that refuses the batch unless it is partial.
func (e *encoding) refusal(res *BatchResult, opts RecordOptions) error {
	var bad aims.Problems
	res.Rejected = 0
	for i := range e.probs {
		if len(e.probs[i]) > 0 {
			res.Rejected++
			res.Results[i].Errors = e.probs[i]
			if len(bad) < maxReported {
				bad = append(bad, e.probs[i]...)
			}
		}
	}
	if len(bad) == 0 || opts.Partial {
		return nil
	}
	err := bad.Err().(*aims.Error)
	err.Message = fmt.Sprintf("%d of %d decision records are invalid; none was stored", res.Rejected, len(e.probs))
	return err
}

// decisionColumns are the columns of a decision row, in insert order.
var decisionColumns = []string{"log_no", "idx", "client_id", "decided_at", "received_at", "model_version_id",
	"output_label", "output_score", "confidence", "review", "subject", "record_hash", "payload"}

var attributeColumns = []string{"log_no", "idx", "salt", "attributes"}

// errDuplicate means the log already holds some of a batch's ids.
var errDuplicate = errors.New("the log already holds some of these ids")

// appendBatch stores the encoded records in one transaction, under the log
// row's lock, and fills in their indexes. A record whose id the log holds
// already is answered with its stored index; the batch is then retried
// without it, so that indexes stay dense.
func (s *Service) appendBatch(ctx context.Context, l *Log, recs []Record, pipe *encoding, res *BatchResult, opts RecordOptions) error {
	enc := pipe.enc
	known := map[string]int64{}
	indexes := make([]int64, len(recs)) // the results point into it
	checkKnown := false
	var grown *tlog.Frontier // the log's right edge once the batch is committed
	for attempt := 0; ; attempt++ {
		err := s.db.WithBulkTx(ctx, func(tx *db.Tx) error {
			var size int64
			if err := tx.QueryRowContext(ctx, `UPDATE logs SET size = size WHERE id = ? RETURNING size`, l.LogID).Scan(&size); err != nil {
				return fmt.Errorf("cannot lock the decision log: %w", err)
			}
			if checkKnown {
				// Every record must be encoded before the ids to store are known.
				for c := range pipe.ready {
					if err := pipe.wait(ctx, c); err != nil {
						return err
					}
				}
				var err error
				if known, err = knownIDs(ctx, tx, l.No, recs, enc); err != nil {
					return err
				}
			}
			f, err := s.frontier(ctx, tx, l.LogID, size)
			if err != nil {
				return err
			}
			grown = f
			now := s.clock()
			var attrs [][]any
			var hidx []int64
			var hashes []tlog.Hash
			keep := func(i int64, h tlog.Hash) { hidx, hashes = append(hidx, i), append(hashes, h) }
			tallies := map[[2]string]int64{}
			// next gives the rows to store, in order, as the records are
			// encoded. InsertFunc copies each row before asking for the next,
			// so one row is reused.
			i := 0
			row := make([]any, 0, len(decisionColumns))
			logNo, received := any(l.No), any(now)
			next := func() ([]any, error) {
				for ; i < len(recs); i++ {
					if i%chunk == 0 {
						if err := pipe.wait(ctx, i/chunk); err != nil {
							return nil, err
						}
					}
					e := enc[i]
					if e == nil {
						continue
					}
					r := &recs[i]
					if idx, ok := known[r.ID]; ok {
						indexes[i] = idx
						res.Results[i].Index, res.Results[i].Duplicate = &indexes[i], true
						continue
					}
					idx := f.Size
					indexes[i] = idx
					res.Results[i].Index, res.Results[i].Duplicate = &indexes[i], false
					f.Add(e.hash, keep)
					review := ReviewNone
					if r.Review != nil {
						review = r.Review.Result
					}
					if e.attributes != nil {
						attrs = append(attrs, []any{l.No, idx, e.salt, string(e.attributes)})
					}
					tallies[[2]string{e.modelID, review}]++
					i++
					row = append(row[:0], logNo, idx, r.ID, r.Time, received, e.modelID, nullable(r.Output.Label), number(r.Output.Score),
						number(r.Confidence), review, nullable(r.Subject), e.hash[:], e.payload)
					return row, nil
				}
				return nil, nil
			}
			if err := tx.InsertFunc(ctx, "decisions", decisionColumns, next); err != nil {
				if db.IsUniqueViolation(err) {
					return errDuplicate
				}
				return fmt.Errorf("cannot store decisions: %w", err)
			}
			if pipe.bad > 0 && !opts.Partial {
				return errInvalid // every record was checked on the way
			}
			if err := tx.Insert(ctx, "decision_attributes", attributeColumns, attrs); err != nil {
				return fmt.Errorf("cannot store sensitive attributes: %w", err)
			}
			if !s.withoutStats {
				t, err := batchStats(ctx, pipe, recs, known)
				if err != nil {
					return err
				}
				if err := t.store(ctx, tx, l.No); err != nil {
					return err
				}
			}
			if f.Size == size {
				res.Size = size
				return nil
			}
			if err := tlog.StoreHashes(ctx, tx, l.LogID, hidx, hashes); err != nil {
				return err
			}
			for k, n := range tallies {
				if _, err := tx.ExecContext(ctx, `INSERT INTO decision_tallies (log_no, model_version_id, review, n) VALUES (?, ?, ?, ?)
					ON CONFLICT (log_no, model_version_id, review) DO UPDATE SET n = decision_tallies.n + excluded.n`,
					l.No, k[0], k[1], n); err != nil {
					return fmt.Errorf("cannot count decisions: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE logs SET size = ? WHERE id = ?`, f.Size, l.LogID); err != nil {
				return fmt.Errorf("cannot grow the decision log: %w", err)
			}
			res.Size = f.Size
			return nil
		})
		if errors.Is(err, errDuplicate) && !checkKnown {
			checkKnown = true
			continue
		}
		if err != nil {
			return fmt.Errorf("cannot record decisions in the log of %s: %w", l.SystemRef, err)
		}
		break
	}
	s.frontiers.Store(l.LogID, grown)
	res.Accepted, res.Duplicates = 0, 0
	for i := range res.Results {
		r := &res.Results[i]
		switch {
		case r.Errors != nil || r.Index == nil:
		case r.Duplicate:
			res.Duplicates++
		default:
			res.Accepted++
		}
	}
	return nil
}

// batchStats is what the records of a batch that are stored add to the
// statistics: every encoded record's contribution, less those of the
// records whose ids the log held already.
func batchStats(ctx context.Context, pipe *encoding, recs []Record, known map[string]int64) (*tally, error) {
	select {
	case <-pipe.counted:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if pipe.err != nil {
		return nil, pipe.err
	}
	if len(known) == 0 {
		return pipe.stats.tally(), nil
	}
	less := newCounter()
	for i := range recs {
		if _, ok := known[recs[i].ID]; ok && pipe.enc[i] != nil {
			less.record(&recs[i], pipe.enc[i].modelID, pipe.enc[i].attributes, -1)
		}
	}
	t := pipe.stats.tally()
	t.add(less.tally())
	return t, nil
}

// frontier returns the right edge of the log's tree at size: the one the
// last batch of this process left when no other process appended since,
// otherwise read from the database.
func (s *Service) frontier(ctx context.Context, q db.Queryer, logID string, size int64) (*tlog.Frontier, error) {
	if v, ok := s.frontiers.Load(logID); ok {
		if f := v.(*tlog.Frontier); f.Size == size {
			return &tlog.Frontier{Size: f.Size, Roots: append([]tlog.Hash(nil), f.Roots...)}, nil
		}
	}
	return tlog.SparseFrontier(ctx, q, logID, size)
}

// knownIDs finds which of the batch's ids the log holds already.
func knownIDs(ctx context.Context, q db.Queryer, logNo int64, recs []Record, enc []*encoded) (map[string]int64, error) {
	var ids []string
	for i := range recs {
		if enc[i] != nil {
			ids = append(ids, recs[i].ID)
		}
	}
	return indexesOf(ctx, q, "decisions", logNo, ids)
}

// indexesOf returns the log index of each of the client ids that table
// (decisions or decision_outcomes) holds for a system.
func indexesOf(ctx context.Context, q db.Queryer, table string, logNo int64, ids []string) (map[string]int64, error) {
	out := map[string]int64{}
	const per = 500
	for start := 0; start < len(ids); start += per {
		chunk := ids[start:min(start+per, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, logNo)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, `SELECT client_id, idx FROM `+table+` WHERE log_no = ? AND client_id IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var idx int64
			if err := rows.Scan(&id, &idx); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = idx
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// number is a float or NULL, as drivers encode plain values fastest.
func number(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
