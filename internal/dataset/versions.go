package dataset

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// AddVersion records the next version of a data set. The versions it was
// derived from must already exist in the organisation, so that derivations
// can never form a cycle.
func (s *Service) AddVersion(ctx context.Context, actor *aims.Actor, datasetRef string, req VersionRequest) (*Version, error) {
	v, fieldProblems, err := prepareVersion(actor, req)
	if err != nil {
		return nil, err
	}
	var id string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = s.insertVersion(ctx, tx, actor, datasetRef, req, v, fieldProblems)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record a version of data set %s: %w", datasetRef, err)
	}
	return s.version(ctx, s.db, actor.OrgID, id)
}

// AddVersionTx is AddVersion within the caller's transaction, for a
// capability that records versions together with records of its own.
func (s *Service) AddVersionTx(ctx context.Context, tx *db.Tx, actor *aims.Actor, datasetRef string, req VersionRequest) (*Version, error) {
	v, fieldProblems, err := prepareVersion(actor, req)
	if err != nil {
		return nil, err
	}
	id, err := s.insertVersion(ctx, tx, actor, datasetRef, req, v, fieldProblems)
	if err != nil {
		return nil, fmt.Errorf("cannot record a version of data set %s: %w", datasetRef, err)
	}
	return s.version(ctx, tx, actor.OrgID, id)
}

// prepareVersion checks who records a version and the fields of the request.
func prepareVersion(actor *aims.Actor, req VersionRequest) (*Version, aims.Problems, error) {
	if err := identity.Authorize(actor, identity.ActDatasetEdit); err != nil {
		return nil, nil, err
	}
	if actor.UserID == "" {
		return nil, nil, aims.Errorf(aims.CodeForbidden, "a data set version is recorded by a person, with a session or an API token")
	}
	var fieldProblems aims.Problems
	v := fromRequest(req, &fieldProblems)
	return v, fieldProblems, nil
}

// insertVersion stores the next version of a data set with its audit event
// and returns its id.
func (s *Service) insertVersion(ctx context.Context, tx *db.Tx, actor *aims.Actor, datasetRef string, req VersionRequest,
	v *Version, fieldProblems aims.Problems) (string, error) {
	p := append(aims.Problems(nil), fieldProblems...) // a retried transaction starts again
	d, err := s.get(ctx, tx, actor.OrgID, datasetRef)
	if err != nil {
		return "", err
	}
	if d.Status == StatusArchived {
		return "", aims.Errorf(aims.CodeConflict, "%s is archived: restore it before recording a version", d.Ref)
	}
	number := d.LatestVersion + 1
	parents, err := resolveParents(ctx, tx, actor.OrgID, versionKey(d.Ref, number), req.DerivedFrom, &p)
	if err != nil {
		return "", err
	}
	if v.Acquisition == "derived" && len(parents) == 0 && !p.Has("derived_from") {
		p.Add("derived_from", "must name at least one version for derived data")
	}
	if err := p.Err(); err != nil {
		return "", err
	}
	now := s.clock()
	if err := tx.QueryRowContext(ctx, `UPDATE datasets SET latest_version = latest_version + 1, updated_at = ?
		WHERE id = ? AND org_id = ? RETURNING latest_version`, now, d.ID, actor.OrgID).Scan(&number); err != nil {
		return "", err
	}
	w := *v
	w.ID, w.DatasetID, w.DatasetRef, w.DatasetName, w.Number = aims.NewID(), d.ID, d.Ref, d.Name, number
	w.Key, w.DerivedFrom, w.CreatedBy, w.CreatedAt = versionKey(d.Ref, number), parents, actor.UserID, now
	if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_versions (id, org_id, dataset_id, number, label, source,
		acquisition, licence, contains_personal_data, personal_data_categories, consent_basis, retention, delete_by,
		preparation, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, actor.OrgID, d.ID, w.Number, w.Label, w.Source, w.Acquisition, w.Licence, w.ContainsPersonalData,
		jsonText(w.PersonalDataCategories), w.ConsentBasis, w.Retention, w.DeleteBy, jsonText(w.Preparation),
		w.CreatedBy, now); err != nil {
		return "", err
	}
	for i, pv := range parents {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_version_parents (org_id, version_id, parent_id, position)
			VALUES (?, ?, ?, ?)`, actor.OrgID, w.ID, pv.ID, i+1); err != nil {
			return "", err
		}
	}
	ch, err := tlog.Changes(nil, auditOfVersion(&w))
	if err != nil {
		return "", err
	}
	return w.ID, s.logs.Record(ctx, tx, actor.OrgID, actor, ActionVersionCreate, tlog.EventObject{Type: ObjectVersion, ID: w.ID, Ref: w.Key}, ch)
}

// resolveParents finds the versions a new version names as its sources, in
// the order given without repeats; unknown ones, and the new version
// itself, are one problem of the field derived_from.
func resolveParents(ctx context.Context, q db.Queryer, orgID, selfKey string, names []string, p *aims.Problems) ([]VersionLink, error) {
	out := []VersionLink{}
	seen := map[string]bool{}
	var unknown []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if ref, num, ok := parseKey(n); ok && versionKey(ref, num) == selfKey {
			p.Add("derived_from", "cannot name the version being recorded (%s): a version cannot be derived from itself", selfKey)
			continue
		}
		pv, err := getVersion(ctx, q, orgID, n)
		if aims.CodeOf(err) == aims.CodeNotFound {
			unknown = append(unknown, n)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[pv.ID] {
			seen[pv.ID] = true
			out = append(out, VersionLink{ID: pv.ID, Key: pv.Key, Name: pv.DatasetName, Label: pv.Label})
		}
	}
	if len(unknown) > 0 {
		p.Add("derived_from", "must name versions of this organisation's data sets, such as DS-1@2: %s is not one", strings.Join(unknown, ", "))
	}
	if len(out) > maxParents {
		p.Add("derived_from", "must list at most %d versions", maxParents)
	}
	return out, nil
}

// version reads a whole version: what it was derived from, what was derived
// from it and its stored profile.
func (s *Service) version(ctx context.Context, q db.Queryer, orgID, idOrKey string) (*Version, error) {
	v, err := getVersion(ctx, q, orgID, idOrKey)
	if err != nil {
		return nil, err
	}
	if err := fillChildren(ctx, q, orgID, []*Version{v}); err != nil {
		return nil, err
	}
	if v.Profile != nil {
		if v.Profile.Result, err = storedResult(ctx, q, orgID, v.ID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// GetVersion returns a version by key (DS-3@2) or id, with its provenance
// both ways and its whole profile.
func (s *Service) GetVersion(ctx context.Context, actor *aims.Actor, idOrKey string) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.version(ctx, s.db, actor.OrgID, idOrKey)
}

// Key is the key of version number of the data set ref, for handlers that
// take the two apart in a path.
func Key(ref, number string) string {
	return strings.ToUpper(strings.TrimSpace(ref)) + "@" + strings.TrimSpace(number)
}

// Versions lists a data set's versions, newest first, each with the versions
// it was derived from and its profile's summary but not the whole profile.
func (s *Service) Versions(ctx context.Context, actor *aims.Actor, datasetRef string) ([]Version, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	d, err := s.get(ctx, s.db, actor.OrgID, datasetRef)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectVersion+` WHERE v.org_id = ? AND v.dataset_id = ? ORDER BY v.number DESC`, actor.OrgID, d.ID)
	if err != nil {
		return nil, err
	}
	var ptrs []*Version
	for rows.Next() {
		v, err := scanVersion(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ptrs = append(ptrs, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := fillParents(ctx, s.db, actor.OrgID, ptrs); err != nil {
		return nil, err
	}
	if err := fillChildren(ctx, s.db, actor.OrgID, ptrs); err != nil {
		return nil, err
	}
	out := make([]Version, len(ptrs))
	for i, v := range ptrs {
		out[i] = *v
	}
	return out, nil
}

// VersionChoices lists every version of the organisation's data sets, newest
// data set first, for the choice of what a new version was derived from.
func (s *Service) VersionChoices(ctx context.Context, actor *aims.Actor) ([]VersionLink, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT v.id, d.ref, v.number, d.name, v.label FROM dataset_versions v
		JOIN datasets d ON d.id = v.dataset_id WHERE v.org_id = ? ORDER BY d.created_at DESC, d.id, v.number DESC LIMIT 2000`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []VersionLink{}
	for rows.Next() {
		var l VersionLink
		var ref string
		var n int
		if err := rows.Scan(&l.ID, &ref, &n, &l.Name, &l.Label); err != nil {
			return nil, err
		}
		l.Key = versionKey(ref, n)
		out = append(out, l)
	}
	return out, rows.Err()
}

// versionIDs lists the ids of a data set's versions.
func versionIDs(ctx context.Context, q db.Queryer, orgID, datasetID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM dataset_versions WHERE org_id = ? AND dataset_id = ? ORDER BY number`, orgID, datasetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// VersionHistory returns the audit events about a version, newest first.
func (s *Service) VersionHistory(ctx context.Context, actor *aims.Actor, idOrKey string) ([]tlog.Event, error) {
	v, err := s.GetVersion(ctx, actor, idOrKey)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectVersion, ObjectID: v.ID, Limit: 500})
}

// sortEvents orders events newest first.
func sortEvents(evs []tlog.Event) {
	sort.Slice(evs, func(i, j int) bool { return evs[i].Index > evs[j].Index })
}
