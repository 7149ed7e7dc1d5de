package impact

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// CopyRequest copies a template, built-in or own, into a new own template.
type CopyRequest struct {
	Name        string `json:"name,omitempty" doc:"The copy's name, at most 200 characters; by default the source's name followed by (copy)."`
	Description string `json:"description,omitempty" doc:"The copy's description, at most 4000 characters; by default the source's."`
	Version     int    `json:"version,omitempty" minimum:"0" doc:"The source's version to copy; 0 or absent for its latest."`
}

// TemplateRequest saves an own template as its next version.
type TemplateRequest struct {
	Version     int       `json:"version" minimum:"0" doc:"The latest version this change is based on; if the template was saved since, the answer is 409."`
	Name        string    `json:"name" doc:"At most 200 characters."`
	Description string    `json:"description,omitempty" doc:"At most 4000 characters."`
	Sections    []Section `json:"sections" doc:"The whole questionnaire, replacing the previous version's."`
}

// TemplateListQuery selects templates.
type TemplateListQuery struct {
	Status string `query:"status" enum:"active,archived,all" default:"active" doc:"Own templates in this state; built-in templates are always active."`
}

// builtinTemplate returns a version of a built-in template; version 0 is its latest.
func builtinTemplate(key string, version int) (*Template, bool) {
	for _, b := range builtins {
		if !strings.EqualFold(b.Key, strings.TrimSpace(key)) {
			continue
		}
		if version == 0 {
			version = len(b.Versions)
		}
		if version < 1 || version > len(b.Versions) {
			return nil, false
		}
		v := b.Versions[version-1]
		return &Template{Key: b.Key, Name: v.Name, Description: v.Description, BuiltIn: true, Status: TemplateActive,
			Version: version, Latest: len(b.Versions), Sections: cloneSections(v.Sections)}, true
	}
	return nil, false
}

// cloneSections copies sections deeply, so that callers cannot change the built-in data.
func cloneSections(in []Section) []Section {
	b, err := json.Marshal(in)
	if err != nil {
		panic(err)
	}
	var out []Section
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// ownRow is an own template's stored row.
type ownRow struct {
	id, ref, name, description, basedOn, status string
	version                                     int
}

// ownTemplate reads an own template's row by reference or id.
func ownTemplate(ctx context.Context, q db.Queryer, orgID, key string) (*ownRow, error) {
	key = strings.TrimSpace(key)
	col, k := "ref", strings.ToUpper(key)
	if aims.ValidID(key) {
		col, k = "id", strings.ToLower(key)
	}
	var r ownRow
	err := q.QueryRowContext(ctx, `SELECT id, ref, name, description, based_on, status, version FROM impact_templates
		WHERE org_id = ? AND `+col+` = ?`, orgID, k).Scan(&r.id, &r.ref, &r.name, &r.description, &r.basedOn, &r.status, &r.version)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("impact assessment template", key)
	}
	return &r, err
}

// template reads a template as of a version (0 for its latest): a
// built-in one by key, or an own one by reference or id.
func (s *Service) template(ctx context.Context, q db.Queryer, orgID, key string, version int) (*Template, error) {
	if t, ok := builtinTemplate(key, version); ok {
		return t, nil
	} else if _, known := builtinTemplate(key, 0); known {
		return nil, aims.NotFound("version of the template", fmt.Sprintf("%s v%d", key, version))
	}
	r, err := ownTemplate(ctx, q, orgID, key)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = r.version
	}
	t := &Template{Key: r.ref, Name: r.name, Description: r.description, Status: r.status, Version: version, Latest: r.version, BasedOn: r.basedOn}
	var sections string
	err = q.QueryRowContext(ctx, `SELECT name, description, sections FROM impact_template_versions WHERE org_id = ? AND template_id = ? AND number = ?`,
		orgID, r.id, version).Scan(&t.Name, &t.Description, &sections)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("version of the template", fmt.Sprintf("%s v%d", r.ref, version))
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(sections), &t.Sections); err != nil {
		return nil, fmt.Errorf("stored template %s v%d: %w", r.ref, version, err)
	}
	return t, nil
}

// Templates lists the built-in templates and the organisation's own.
func (s *Service) Templates(ctx context.Context, actor *aims.Actor, q TemplateListQuery) ([]TemplateSummary, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if q.Status == "" {
		q.Status = TemplateActive
	}
	if q.Status != TemplateActive && q.Status != TemplateArchived && q.Status != "all" {
		return nil, invalid("status", "must be active, archived or all")
	}
	out := []TemplateSummary{}
	if q.Status != TemplateArchived {
		for _, b := range builtins {
			t, _ := builtinTemplate(b.Key, 0)
			out = append(out, summarise(t))
		}
	}
	where, args := "org_id = ?", []any{actor.OrgID}
	if q.Status != "all" {
		where, args = where+" AND status = ?", append(args, q.Status)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT ref FROM impact_templates WHERE `+where+` ORDER BY created_at, ref`, args...)
	if err != nil {
		return nil, err
	}
	var refs []string
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, ref)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, ref := range refs {
		t, err := s.template(ctx, s.db, actor.OrgID, ref, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, summarise(t))
	}
	return out, nil
}

func summarise(t *Template) TemplateSummary {
	return TemplateSummary{Key: t.Key, Name: t.Name, Description: t.Description, BuiltIn: t.BuiltIn, Status: t.Status,
		Version: t.Latest, BasedOn: t.BasedOn, Sections: len(t.Sections), Questions: countQuestions(t.Sections)}
}

// Template returns a template as of a version (0 for its latest), with the
// list of all its versions.
func (s *Service) Template(ctx context.Context, actor *aims.Actor, key string, version int) (*Template, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if version < 0 {
		return nil, invalid("version", "must be a version number, or 0 for the latest")
	}
	t, err := s.template(ctx, s.db, actor.OrgID, key, version)
	if err != nil {
		return nil, err
	}
	if t.BuiltIn {
		for n := t.Latest; n >= 1; n-- {
			v, _ := builtinTemplate(t.Key, n)
			t.Versions = append(t.Versions, TemplateVersion{Number: n, Name: v.Name, Questions: countQuestions(v.Sections)})
		}
		return t, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT v.number, v.name, v.sections, v.created_at, COALESCE(u.name, v.created_by)
		FROM impact_template_versions v JOIN impact_templates t ON t.id = v.template_id LEFT JOIN users u ON u.id = v.created_by
		WHERE t.org_id = ? AND t.ref = ? ORDER BY v.number DESC`, actor.OrgID, t.Key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v TemplateVersion
		var sections string
		var at time.Time
		if err := rows.Scan(&v.Number, &v.Name, &sections, &at, &v.CreatedByName); err != nil {
			return nil, err
		}
		var ss []Section
		if err := json.Unmarshal([]byte(sections), &ss); err != nil {
			return nil, err
		}
		at = at.UTC()
		v.CreatedAt, v.Questions = &at, countQuestions(ss)
		t.Versions = append(t.Versions, v)
	}
	return t, rows.Err()
}

// templateAudit is what a template's audit events record of it.
func templateAudit(name, description, basedOn, status string, version int, sections []Section) map[string]any {
	sum := sha256.Sum256(mustJSON(sections))
	return map[string]any{"name": name, "description": description, "based_on": basedOn, "status": status, "number": version,
		"sections": len(sections), "questions": countQuestions(sections), "content_sha256": hex.EncodeToString(sum[:])}
}

// CopyTemplate copies a template, built-in or own, as of a version into a
// new own template whose version 1 holds the same questions.
func (s *Service) CopyTemplate(ctx context.Context, actor *aims.Actor, key string, req CopyRequest) (*Template, error) {
	if err := identity.Authorize(actor, identity.ActImpactTemplate); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "name", &req.Name, false, maxTitle)
	checkText(&p, "description", &req.Description, false, maxText)
	if req.Version < 0 {
		p.Add("version", "must be a version number, or 0 for the latest")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	src, err := s.template(ctx, s.db, actor.OrgID, key, req.Version)
	if err != nil {
		return nil, err
	}
	name, description := req.Name, req.Description
	if name == "" {
		name = oneLine(src.Name+" (copy)", maxTitle)
	}
	if description == "" {
		description = src.Description
	}
	basedOn := src.Key + " v" + itoa(src.Version)
	var ref string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if ref, err = db.NextRef(ctx, tx, actor.OrgID, templatePrefix); err != nil {
			return err
		}
		id, now := aims.NewID(), s.clock()
		if _, err := tx.ExecContext(ctx, `INSERT INTO impact_templates (id, org_id, ref, name, description, based_on, status, version,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`, id, actor.OrgID, ref, name, description, basedOn,
			TemplateActive, now, now); err != nil {
			return err
		}
		if err := insertTemplateVersion(ctx, tx, id, actor, 1, name, description, src.Sections, now); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, templateAudit(name, description, basedOn, TemplateActive, 1, src.Sections))
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionTemplateCopy, tlog.EventObject{Type: ObjectTemplate, ID: id, Ref: ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot copy the template %s: %w", key, err)
	}
	return s.Template(ctx, actor, ref, 0)
}

func insertTemplateVersion(ctx context.Context, tx *db.Tx, id string, actor *aims.Actor, number int, name, description string,
	sections []Section, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO impact_template_versions (template_id, org_id, number, name, description, sections,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, actor.OrgID, number, name, description,
		string(mustJSON(sections)), tlog.ActorOf(actor).ID, now)
	return err
}

// UpdateTemplate saves an own template as its next version, if its latest
// version is the one the request is based on. A save that changes nothing
// makes no version and no audit event. Assessments keep the version they
// were started from.
func (s *Service) UpdateTemplate(ctx context.Context, actor *aims.Actor, key string, req TemplateRequest) (*Template, error) {
	if err := identity.Authorize(actor, identity.ActImpactTemplate); err != nil {
		return nil, err
	}
	if _, ok := builtinTemplate(key, 0); ok {
		return nil, aims.Errorf(aims.CodeConflict, "the built-in template %s cannot be changed: copy it and change the copy", key)
	}
	var p aims.Problems
	checkText(&p, "name", &req.Name, true, maxTitle)
	checkText(&p, "description", &req.Description, false, maxText)
	sections := checkSections(&p, req.Sections)
	if req.Version < 1 {
		p.Add("version", "must be the template's latest version")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var ref string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := ownTemplate(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		ref = r.ref
		if _, err := tx.ExecContext(ctx, `UPDATE impact_templates SET version = version WHERE org_id = ? AND id = ?`, actor.OrgID, r.id); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT version, status FROM impact_templates WHERE org_id = ? AND id = ?`, actor.OrgID, r.id).Scan(&r.version, &r.status); err != nil {
			return err
		}
		if req.Version != r.version {
			return staleVersion("the template "+r.ref, r.version, req.Version)
		}
		if r.status == TemplateArchived {
			return aims.Errorf(aims.CodeConflict, "the template %s is archived: copy it to change it", r.ref)
		}
		before, err := s.template(ctx, tx, actor.OrgID, r.id, r.version)
		if err != nil {
			return err
		}
		ch, err := tlog.Changes(templateAudit(before.Name, before.Description, r.basedOn, r.status, r.version, before.Sections),
			templateAudit(req.Name, req.Description, r.basedOn, r.status, r.version+1, sections))
		if err != nil {
			return err
		}
		if len(ch) == 1 { // only the number would change: nothing was changed
			return nil
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE impact_templates SET name = ?, description = ?, version = ?, updated_at = ?
			WHERE org_id = ? AND id = ? AND version = ?`, req.Name, req.Description, r.version+1, now, actor.OrgID, r.id, r.version); err != nil {
			return err
		}
		if err := insertTemplateVersion(ctx, tx, r.id, actor, r.version+1, req.Name, req.Description, sections, now); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionTemplateUpdate, tlog.EventObject{Type: ObjectTemplate, ID: r.id, Ref: r.ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot save the template %s: %w", key, err)
	}
	return s.Template(ctx, actor, ref, 0)
}

// ArchiveTemplate takes an own template out of use: no new assessment
// starts from it; assessments started from it keep it. Archiving an
// archived template changes nothing.
func (s *Service) ArchiveTemplate(ctx context.Context, actor *aims.Actor, key string) (*Template, error) {
	if err := identity.Authorize(actor, identity.ActImpactTemplate); err != nil {
		return nil, err
	}
	if _, ok := builtinTemplate(key, 0); ok {
		return nil, aims.Errorf(aims.CodeConflict, "the built-in template %s cannot be archived", key)
	}
	var ref string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := ownTemplate(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		ref = r.ref
		if r.status == TemplateArchived {
			return nil
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE impact_templates SET status = ?, archived_at = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
			TemplateArchived, now, now, actor.OrgID, r.id); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionTemplateArchive, tlog.EventObject{Type: ObjectTemplate, ID: r.id, Ref: r.ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(TemplateActive), After: mustJSON(TemplateArchived)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot archive the template %s: %w", key, err)
	}
	return s.Template(ctx, actor, ref, 0)
}
