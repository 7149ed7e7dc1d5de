package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/profile"
)

const selectDataset = `SELECT d.id, d.ref, d.name, d.description, COALESCE(d.owner_id, ''), COALESCE(u.name, ''),
	d.status, d.latest_version,
	EXISTS (SELECT 1 FROM dataset_versions x WHERE x.dataset_id = d.id AND x.contains_personal_data),
	d.version, d.created_at, d.updated_at, d.archived_at
	FROM datasets d LEFT JOIN users u ON u.id = d.owner_id`

func scanDataset(scan func(...any) error) (*Dataset, error) {
	var d Dataset
	if err := scan(&d.ID, &d.Ref, &d.Name, &d.Description, &d.OwnerID, &d.OwnerName, &d.Status, &d.LatestVersion,
		&d.PersonalData, &d.Version, &d.CreatedAt, &d.UpdatedAt, &d.ArchivedAt); err != nil {
		return nil, err
	}
	d.Systems = []SystemRef{}
	return &d, nil
}

// get reads one data set of an organisation by id or reference, with its AI systems.
func (s *Service) get(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Dataset, error) {
	col, key := "d.ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "d.id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	d, err := scanDataset(q.QueryRowContext(ctx, selectDataset+` WHERE d.org_id = ? AND `+col+` = ?`, orgID, key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("data set", idOrRef)
	}
	if err != nil {
		return nil, err
	}
	if err := s.fillSystems(ctx, q, orgID, []*Dataset{d}); err != nil {
		return nil, err
	}
	return d, nil
}

// fillSystems reads the AI systems of data sets and names them.
func (s *Service) fillSystems(ctx context.Context, q db.Queryer, orgID string, ds []*Dataset) error {
	if len(ds) == 0 {
		return nil
	}
	byID := map[string]*Dataset{}
	args := []any{orgID}
	for _, d := range ds {
		byID[d.ID] = d
		args = append(args, d.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT dataset_id, system_id FROM dataset_systems WHERE org_id = ? AND dataset_id IN (`+
		placeholders(len(ds))+`)`, args...)
	if err != nil {
		return err
	}
	type link struct{ dataset, system string }
	var links []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.dataset, &l.system); err != nil {
			rows.Close()
			return err
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	names := map[string]SystemRef{}
	for _, l := range links {
		ref, ok := names[l.system]
		if !ok {
			if ref, err = s.system(ctx, orgID, l.system); err != nil {
				return err
			}
			names[l.system] = ref
		}
		byID[l.dataset].Systems = append(byID[l.dataset].Systems, ref)
	}
	for _, d := range ds {
		sortSystems(d.Systems)
	}
	return nil
}

// system names an AI system by id, also one that no longer exists.
func (s *Service) system(ctx context.Context, orgID, id string) (SystemRef, error) {
	sid, ref, name, err := s.sources.System(ctx, orgID, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return SystemRef{ID: id, Ref: id, Name: "(unknown AI system)"}, nil
	}
	if err != nil {
		return SystemRef{}, err
	}
	return SystemRef{ID: sid, Ref: ref, Name: name}, nil
}

// resolveSystems finds the AI systems a request names, in reference order
// without repeats; unknown ones are one problem of the field systems.
func (s *Service) resolveSystems(ctx context.Context, orgID string, names []string, p *aims.Problems) ([]SystemRef, error) {
	out := []SystemRef{}
	seen := map[string]bool{}
	var unknown []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		id, ref, name, err := s.sources.System(ctx, orgID, n)
		if aims.CodeOf(err) == aims.CodeNotFound {
			unknown = append(unknown, n)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, SystemRef{ID: id, Ref: ref, Name: name})
		}
	}
	if len(unknown) > 0 {
		p.Add("systems", "must name AI systems of this organisation: %s is not one", strings.Join(unknown, ", "))
	}
	if len(out) > maxSystems {
		p.Add("systems", "must list at most %d AI systems", maxSystems)
	}
	sortSystems(out)
	return out, nil
}

// sortSystems orders systems by their reference's number.
func sortSystems(ss []SystemRef) {
	sort.SliceStable(ss, func(i, j int) bool { return lessRef(ss[i].Ref, ss[j].Ref) })
}

// lessRef orders references such as SYS-2 before SYS-10.
func lessRef(a, b string) bool {
	pa, na := splitRef(a)
	pb, nb := splitRef(b)
	if pa != pb {
		return pa < pb
	}
	return na < nb
}

func splitRef(r string) (string, int) {
	i := strings.LastIndexByte(r, '-')
	if i < 0 {
		return r, 0
	}
	n, _ := strconv.Atoi(r[i+1:])
	return r[:i], n
}

func insertSystems(ctx context.Context, tx *db.Tx, orgID, datasetID string, systems []SystemRef) error {
	for _, sys := range systems {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_systems (org_id, dataset_id, system_id) VALUES (?, ?, ?)`,
			orgID, datasetID, sys.ID); err != nil {
			return err
		}
	}
	return nil
}

// placeholders is n question marks separated by commas.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

const selectVersion = `SELECT v.id, v.dataset_id, d.ref, d.name, v.number, v.label, v.source, v.acquisition, v.licence,
	v.contains_personal_data, v.personal_data_categories, v.consent_basis, v.retention, v.delete_by, v.preparation,
	v.created_by, COALESCE(cu.name, ''), v.created_at, v.profile_options, v.profile_summary, v.profile_file_name,
	v.profile_file_size, v.profile_sha256, v.profiled_at, v.profiled_by, COALESCE(pu.name, '')
	FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
	LEFT JOIN users cu ON cu.id = v.created_by LEFT JOIN users pu ON pu.id = v.profiled_by`

func scanVersion(scan func(...any) error) (*Version, error) {
	var v Version
	var cats, prep string
	var opts, summary *string
	var profiledAt *time.Time
	var fileName, sha, profiledBy, profiledByName string
	var fileSize int64
	if err := scan(&v.ID, &v.DatasetID, &v.DatasetRef, &v.DatasetName, &v.Number, &v.Label, &v.Source, &v.Acquisition,
		&v.Licence, &v.ContainsPersonalData, &cats, &v.ConsentBasis, &v.Retention, &v.DeleteBy, &prep,
		&v.CreatedBy, &v.CreatedByName, &v.CreatedAt, &opts, &summary, &fileName, &fileSize, &sha, &profiledAt,
		&profiledBy, &profiledByName); err != nil {
		return nil, err
	}
	v.Key = versionKey(v.DatasetRef, v.Number)
	if err := json.Unmarshal([]byte(cats), &v.PersonalDataCategories); err != nil {
		return nil, fmt.Errorf("stored personal_data_categories of %s: %w", v.Key, err)
	}
	if err := json.Unmarshal([]byte(prep), &v.Preparation); err != nil {
		return nil, fmt.Errorf("stored preparation of %s: %w", v.Key, err)
	}
	v.DerivedFrom, v.DerivedInto = []VersionLink{}, []VersionLink{}
	if summary != nil && profiledAt != nil {
		p := &StoredProfile{ProfiledBy: profiledBy, ProfiledByName: profiledByName}
		if err := json.Unmarshal([]byte(*summary), &p.ProfileSummary); err != nil {
			return nil, fmt.Errorf("stored profile summary of %s: %w", v.Key, err)
		}
		if opts != nil {
			if err := json.Unmarshal([]byte(*opts), &p.Options); err != nil {
				return nil, fmt.Errorf("stored profile options of %s: %w", v.Key, err)
			}
		}
		p.FileName, p.FileSize, p.SHA256, p.ProfiledAt = fileName, fileSize, sha, *profiledAt
		v.Profile = p
	}
	return &v, nil
}

// getVersion reads one version of an organisation by id or key, with the
// versions it was derived from but not those derived from it.
func getVersion(ctx context.Context, q db.Queryer, orgID, idOrKey string) (*Version, error) {
	var row func(...any) error
	if k := strings.TrimSpace(idOrKey); aims.ValidID(k) {
		row = q.QueryRowContext(ctx, selectVersion+` WHERE v.org_id = ? AND v.id = ?`, orgID, strings.ToLower(k)).Scan
	} else if ref, n, ok := parseKey(k); ok {
		row = q.QueryRowContext(ctx, selectVersion+` WHERE v.org_id = ? AND d.ref = ? AND v.number = ?`, orgID, ref, n).Scan
	} else {
		return nil, aims.NotFound("data set version", idOrKey)
	}
	v, err := scanVersion(row)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("data set version", idOrKey)
	}
	if err != nil {
		return nil, err
	}
	if err := fillParents(ctx, q, orgID, []*Version{v}); err != nil {
		return nil, err
	}
	return v, nil
}

// linkSelect reads the versions at one end of derivations.
const linkSelect = `SELECT x.version_id, x.parent_id, o.id, d.ref, o.number, d.name, o.label
	FROM dataset_version_parents x JOIN dataset_versions o ON o.id = %s JOIN datasets d ON d.id = o.dataset_id
	WHERE x.org_id = ? AND %s IN (%s) ORDER BY x.position, d.ref, o.number`

// fillParents reads the versions each version was derived from, in the order given.
func fillParents(ctx context.Context, q db.Queryer, orgID string, vs []*Version) error {
	return fillLinks(ctx, q, orgID, vs, "x.parent_id", "x.version_id", func(v *Version, l VersionLink) {
		v.DerivedFrom = append(v.DerivedFrom, l)
	})
}

// fillChildren reads the versions derived from each version.
func fillChildren(ctx context.Context, q db.Queryer, orgID string, vs []*Version) error {
	return fillLinks(ctx, q, orgID, vs, "x.version_id", "x.parent_id", func(v *Version, l VersionLink) {
		v.DerivedInto = append(v.DerivedInto, l)
	})
}

func fillLinks(ctx context.Context, q db.Queryer, orgID string, vs []*Version, other, self string, add func(*Version, VersionLink)) error {
	if len(vs) == 0 {
		return nil
	}
	byID := map[string]*Version{}
	args := []any{orgID}
	for _, v := range vs {
		byID[v.ID] = v
		args = append(args, v.ID)
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf(linkSelect, other, self, placeholders(len(vs))), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var child, parent, ref string
		var n int
		var l VersionLink
		if err := rows.Scan(&child, &parent, &l.ID, &ref, &n, &l.Name, &l.Label); err != nil {
			return err
		}
		l.Key = versionKey(ref, n)
		owner := child
		if self == "x.parent_id" {
			owner = parent
		}
		add(byID[owner], l)
	}
	return rows.Err()
}

// storedResult reads the whole stored profile of a version.
func storedResult(ctx context.Context, q db.Queryer, orgID, id string) (*profile.Result, error) {
	var raw *string
	if err := q.QueryRowContext(ctx, `SELECT profile FROM dataset_versions WHERE org_id = ? AND id = ?`, orgID, id).Scan(&raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, nil
	}
	var res profile.Result
	if err := json.Unmarshal([]byte(*raw), &res); err != nil {
		return nil, fmt.Errorf("stored profile of version %s: %w", id, err)
	}
	return &res, nil
}

// mustJSON encodes values that always encode: strings, lists and plain structs.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// jsonText is how list fields are stored: a JSON array as text.
func jsonText(v []string) string { return string(mustJSON(v)) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
