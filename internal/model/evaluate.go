package model

import (
	"context"
	"fmt"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// evaluationRecord is a result as the audit log records it.
type evaluationRecord struct {
	Number     int     `json:"number"`
	Metric     string  `json:"metric"`
	Value      float64 `json:"value"`
	Dataset    string  `json:"dataset,omitempty"`
	MeasuredOn string  `json:"measured_on"`
	Note       string  `json:"note,omitempty"`
}

// Evaluate appends evaluation results to a version, one or many at once,
// as an ML pipeline posts them after a run. Results are never changed or
// removed; a wrong one is corrected by a later one with a note. It needs
// no version number: appending does not change the version's own fields.
// A retired version, or one of an archived model, takes no more results.
func (s *Service) Evaluate(ctx context.Context, actor *aims.Actor, key string, req EvaluateRequest) ([]Evaluation, error) {
	ins, datasets, err := s.prepareEvaluate(ctx, s.db, actor, key, req)
	if err != nil {
		return nil, err
	}
	var versionID string
	var first int
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		versionID, first, err = s.insertEvaluations(ctx, tx, actor, key, ins, datasets)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record evaluation results of %s: %w", key, err)
	}
	return addedEvaluations(ctx, s.db, actor.OrgID, versionID, first, len(ins))
}

// EvaluateTx is Evaluate within the caller's transaction, which may hold
// the version and the data set versions the results name.
func (s *Service) EvaluateTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, key string, req EvaluateRequest) ([]Evaluation, error) {
	ins, datasets, err := s.prepareEvaluate(ctx, tx, actor, key, req)
	if err != nil {
		return nil, err
	}
	versionID, first, err := s.insertEvaluations(ctx, tx, actor, key, ins, datasets)
	if err != nil {
		return nil, fmt.Errorf("cannot record evaluation results of %s: %w", key, err)
	}
	return addedEvaluations(ctx, tx, actor.OrgID, versionID, first, len(ins))
}

// prepareEvaluate checks the results and resolves their data set versions, reading through q.
func (s *Service) prepareEvaluate(ctx context.Context, q db.Queryer, actor *aims.Actor, key string, req EvaluateRequest) ([]input, map[string]DatasetVersionRef, error) {
	if err := identity.Authorize(actor, identity.ActModelEdit); err != nil {
		return nil, nil, err
	}
	// Resolving the version first answers an unknown one with 404 before any problem of the body.
	if _, _, err := findVersion(ctx, q, actor.OrgID, key); err != nil {
		return nil, nil, err
	}
	today := s.clock().UTC().Format(time.DateOnly)
	ins := req.inputs()
	var p aims.Problems
	check(&p, ins, today)
	datasets := map[string]DatasetVersionRef{}
	for i := range ins {
		k := ins[i].Dataset
		if _, done := datasets[k]; done || k == "" {
			continue
		}
		d, err := s.sources.DatasetVersion(ctx, q, actor.OrgID, k)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			field := ins[i].at("dataset", ins[i].ownDataset)
			if !p.Has(field) {
				p.Add(field, "names %s, which is not a data set version of this organisation (write DS-3@2)", k)
			}
			continue
		} else if err != nil {
			return nil, nil, err
		}
		datasets[k] = d
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	return ins, datasets, nil
}

// insertEvaluations appends checked results to a version with their audit
// event, and returns the version's id and the number of the first result.
func (s *Service) insertEvaluations(ctx context.Context, tx *db.Tx, actor *aims.Actor, key string, ins []input,
	datasets map[string]DatasetVersionRef) (string, int, error) {
	modelID, label, err := resolveKey(ctx, tx, actor.OrgID, key)
	if err != nil {
		return "", 0, err
	}
	m, err := lockModel(ctx, tx, actor.OrgID, modelID)
	if err != nil {
		return "", 0, err
	}
	v, err := versionOf(ctx, tx, actor.OrgID, m, label)
	if err != nil {
		return "", 0, err
	}
	if m.Status == StatusArchived {
		return "", 0, aims.Errorf(aims.CodeConflict, "%s is archived: restore it before adding evaluation results", m.Ref)
	}
	if !v.TakesResults() {
		return "", 0, aims.Errorf(aims.CodeConflict, "%s is retired: it takes no more evaluation results", v.Key)
	}
	var first int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM model_evaluations WHERE model_version_id = ?`,
		v.ID).Scan(&first); err != nil {
		return "", 0, err
	}
	first++
	now, by := s.clock(), tlog.ActorOf(actor).ID
	records := make([]evaluationRecord, 0, len(ins))
	for i, in := range ins {
		d := datasets[in.Dataset]
		n := first + i
		if _, err := tx.ExecContext(ctx, `INSERT INTO model_evaluations (id, org_id, model_version_id, number, metric, value,
			dataset_version_id, dataset_key, dataset_name, measured_on, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			aims.NewID(), actor.OrgID, v.ID, n, in.Metric, in.Value, d.ID, d.Key, d.Name, in.MeasuredOn, in.Note, by, now); err != nil {
			return "", 0, err
		}
		records = append(records, evaluationRecord{Number: n, Metric: in.Metric, Value: in.Value, Dataset: d.Key,
			MeasuredOn: in.MeasuredOn, Note: in.Note})
	}
	return v.ID, first, s.logs.Record(ctx, tx, actor.OrgID, actor, ActionEvaluate, tlog.EventObject{Type: ObjectVersion, ID: v.ID, Ref: v.Key},
		[]tlog.Change{{Field: "evaluations", After: mustJSON(records)}})
}

// addedEvaluations reads back the n results numbered from first.
func addedEvaluations(ctx context.Context, q db.Queryer, orgID, versionID string, first, n int) ([]Evaluation, error) {
	all, err := evaluations(ctx, q, orgID, versionID)
	if err != nil {
		return nil, err
	}
	var added []Evaluation
	for _, e := range all {
		if e.Number >= first && e.Number < first+n {
			added = append(added, e)
		}
	}
	return added, nil
}

// Evaluations returns a version's evaluation results, oldest first.
func (s *Service) Evaluations(ctx context.Context, actor *aims.Actor, key string) ([]Evaluation, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	_, v, err := findVersion(ctx, s.db, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	return evaluations(ctx, s.db, actor.OrgID, v.ID)
}
