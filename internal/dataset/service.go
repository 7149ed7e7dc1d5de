// Package dataset keeps the organisation's data sets (ISO/IEC 42001 A.7):
// numbered versions with where the data came from, on what legal basis,
// which personal data they hold and how long they are kept; the versions
// each was derived from and how it was prepared; and the data-quality
// profile of each version's file.
package dataset

import (
	"context"
	"fmt"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Object types of data sets and their versions in the audit log.
const (
	ObjectDataset = "dataset"
	ObjectVersion = "dataset_version"
)

// Audit actions of data sets and their versions.
const (
	ActionCreate        = "dataset.create"
	ActionUpdate        = "dataset.update"
	ActionArchive       = "dataset.archive"
	ActionRestore       = "dataset.restore"
	ActionVersionCreate = "dataset_version.create"
	ActionProfile       = "dataset_version.profile"
)

// refPrefix starts every data set's short reference.
const refPrefix = "DS"

// Sources are the records of other capabilities that data sets refer to;
// app satisfies it.
type Sources interface {
	// System resolves an AI system of the organisation by id or reference.
	System(ctx context.Context, orgID, idOrRef string) (id, ref, name string, err error)
}

// Service manages data sets and their versions.
type Service struct {
	db      *db.DB
	logs    *tlog.Logs
	clock   aims.Clock
	sources Sources
	// maxUpload limits the size of a file uploaded for profiling.
	maxUpload int64
	// tempDir holds uploads while they are profiled; empty means the system's.
	tempDir string
}

// New returns the data set service.
func New(d *db.DB, logs *tlog.Logs, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, logs: logs, clock: clock, sources: sources, maxUpload: DefaultMaxUpload}
}

// auditDataset is what the audit log records of a data set's own fields.
type auditDataset struct {
	Ref         string   `json:"ref"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	OwnerID     string   `json:"owner_id"`
	Systems     []string `json:"systems"`
	Status      string   `json:"status"`
}

func auditOf(d *Dataset) auditDataset {
	refs := make([]string, len(d.Systems))
	for i, s := range d.Systems {
		refs[i] = s.Ref
	}
	return auditDataset{Ref: d.Ref, Name: d.Name, Description: d.Description, OwnerID: d.OwnerID, Systems: refs, Status: d.Status}
}

// Create adds a data set to the actor's organisation.
func (s *Service) Create(ctx context.Context, actor *aims.Actor, req CreateRequest) (*Dataset, error) {
	d, err := s.prepareCreate(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error { return s.insertDataset(ctx, tx, actor, d) })
	if err != nil {
		return nil, fmt.Errorf("cannot create data set: %w", err)
	}
	return s.get(ctx, s.db, actor.OrgID, d.ID)
}

// CreateTx is Create within the caller's transaction, for a capability
// that creates a data set together with records of its own.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, req CreateRequest) (*Dataset, error) {
	d, err := s.prepareCreate(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	if err := s.insertDataset(ctx, tx, actor, d); err != nil {
		return nil, fmt.Errorf("cannot create data set: %w", err)
	}
	return s.get(ctx, tx, actor.OrgID, d.ID)
}

// prepareCreate checks a request to create a data set and resolves its systems.
func (s *Service) prepareCreate(ctx context.Context, actor *aims.Actor, req CreateRequest) (*Dataset, error) {
	if err := identity.Authorize(actor, identity.ActDatasetEdit); err != nil {
		return nil, err
	}
	d := &Dataset{Name: req.Name, Description: req.Description, OwnerID: req.OwnerID, Status: StatusActive}
	var p aims.Problems
	d.normalise(&p)
	systems, err := s.resolveSystems(ctx, actor.OrgID, req.Systems, &p)
	if err != nil {
		return nil, fmt.Errorf("cannot create data set: %w", err)
	}
	d.Systems = systems
	if err := p.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

// insertDataset stores a prepared data set with its audit event.
func (s *Service) insertDataset(ctx context.Context, tx *db.Tx, actor *aims.Actor, d *Dataset) error {
	if err := checkOwner(ctx, tx, actor.OrgID, d.OwnerID); err != nil {
		return err
	}
	ref, err := db.NextRef(ctx, tx, actor.OrgID, refPrefix)
	if err != nil {
		return err
	}
	now := s.clock()
	d.ID, d.Ref, d.Version, d.CreatedAt, d.UpdatedAt = aims.NewID(), ref, 1, now, now
	_, err = tx.ExecContext(ctx, `INSERT INTO datasets (id, org_id, ref, name, name_key, description, owner_id, status,
		latest_version, search_text, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
		d.ID, actor.OrgID, d.Ref, d.Name, nameKey(d.Name), d.Description, nullable(d.OwnerID), d.Status,
		d.searchText(), d.Version, now, now)
	if db.IsUniqueViolation(err) {
		return nameTaken()
	}
	if err != nil {
		return err
	}
	if err := insertSystems(ctx, tx, actor.OrgID, d.ID, d.Systems); err != nil {
		return err
	}
	ch, err := tlog.Changes(nil, auditOf(d))
	if err != nil {
		return err
	}
	return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectDataset, ID: d.ID, Ref: d.Ref}, ch)
}

// Get returns a data set of the actor's organisation by id or reference.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, idOrRef string) (*Dataset, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, actor.OrgID, idOrRef)
}

// Update changes the fields the request names, if the data set has not
// changed since the version the request is based on.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, idOrRef string, req UpdateRequest) (*Dataset, error) {
	if err := identity.Authorize(actor, identity.ActDatasetEdit); err != nil {
		return nil, err
	}
	var systemProblems aims.Problems
	var systems []SystemRef
	if req.Systems != nil {
		var err error
		if systems, err = s.resolveSystems(ctx, actor.OrgID, *req.Systems, &systemProblems); err != nil {
			return nil, fmt.Errorf("cannot update data set %s: %w", idOrRef, err)
		}
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.get(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Version, req.Version)
		}
		if before.Status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing it", before.Ref)
		}
		p := append(aims.Problems(nil), systemProblems...) // a retried transaction starts again
		after := *before
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&after.Name, req.Name)
		set(&after.Description, req.Description)
		set(&after.OwnerID, req.OwnerID)
		if req.Systems != nil {
			after.Systems = systems
		}
		after.normalise(&p)
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(auditOf(before), auditOf(&after))
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		// An owner who has left does not block other changes; only a new owner is checked.
		if after.OwnerID != before.OwnerID {
			if err := checkOwner(ctx, tx, actor.OrgID, after.OwnerID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE datasets SET name = ?, name_key = ?, description = ?, owner_id = ?,
			search_text = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Name, nameKey(after.Name), after.Description, nullable(after.OwnerID), after.searchText(), s.clock(),
			before.ID, actor.OrgID, before.Version)
		if db.IsUniqueViolation(err) {
			return nameTaken()
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Version+1, req.Version)
		}
		if req.Systems != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM dataset_systems WHERE org_id = ? AND dataset_id = ?`, actor.OrgID, before.ID); err != nil {
				return err
			}
			if err := insertSystems(ctx, tx, actor.OrgID, before.ID, after.Systems); err != nil {
				return err
			}
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectDataset, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update data set %s: %w", idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}

// Archive takes a data set out of the active list; its versions, profiles
// and history stay. Archiving an archived data set changes nothing.
func (s *Service) Archive(ctx context.Context, actor *aims.Actor, idOrRef string) (*Dataset, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusArchived)
}

// Restore returns an archived data set to the active list.
func (s *Service) Restore(ctx context.Context, actor *aims.Actor, idOrRef string) (*Dataset, error) {
	return s.setStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*Dataset, error) {
	if err := identity.Authorize(actor, identity.ActDatasetEdit); err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: ActionArchive, StatusActive: ActionRestore}[status]
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.get(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if before.Status == status {
			return nil
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET status = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, status, archivedAt, now, before.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectDataset, ID: before.ID, Ref: before.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(before.Status), After: mustJSON(status)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s data set %s: %w", action[len("dataset."):], idOrRef, err)
	}
	return s.get(ctx, s.db, actor.OrgID, id)
}

// History returns the audit events about a data set and its versions, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	d, err := s.Get(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	evs, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectDataset, ObjectID: d.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	ids, err := versionIDs(ctx, s.db, actor.OrgID, d.ID)
	if err != nil {
		return nil, err
	}
	for _, vid := range ids {
		vevs, err := tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectVersion, ObjectID: vid, Limit: 500})
		if err != nil {
			return nil, err
		}
		evs = append(evs, vevs...)
	}
	sortEvents(evs)
	return evs, nil
}

func checkOwner(ctx context.Context, q db.Queryer, orgID, ownerID string) error {
	if ownerID == "" {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, ownerID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
			Fields: []aims.FieldError{{Field: "owner_id", Message: "is not a member of this organisation"}}}
	}
	return nil
}

func nameTaken() error {
	return &aims.Error{Code: aims.CodeConflict, Message: "name in use",
		Fields: []aims.FieldError{{Field: "name", Message: "is already the name of another data set"}}}
}

func staleVersion(current, sent int) error {
	return &aims.Error{Code: aims.CodeConflict, Message: fmt.Sprintf(
		"someone changed this data set since you loaded it (you sent version %d, it is now at %d): reload and apply your change again", sent, current),
		Fields: []aims.FieldError{{Field: "version", Message: fmt.Sprintf("is %d, not %d", current, sent)}}}
}

// VersionRef names a data set version for other capabilities.
type VersionRef struct {
	ID string
	// Key is the data set's reference and the version's number, such as DS-3@2.
	Key  string
	Name string
}

// LookupVersion resolves, without checking any actor, a data set version of
// the organisation by id or key; it is for other capabilities whose service
// has already authorised its actor.
func (s *Service) LookupVersion(ctx context.Context, orgID, idOrKey string) (*VersionRef, error) {
	return s.LookupVersionIn(ctx, s.db, orgID, idOrKey)
}

// LookupVersionIn is LookupVersion reading through q, such as a
// transaction that may hold versions not yet committed.
func (s *Service) LookupVersionIn(ctx context.Context, q db.Queryer, orgID, idOrKey string) (*VersionRef, error) {
	v, err := getVersion(ctx, q, orgID, idOrKey)
	if err != nil {
		return nil, err
	}
	return &VersionRef{ID: v.ID, Key: v.Key, Name: v.DatasetName}, nil
}
