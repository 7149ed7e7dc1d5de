package supplier

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

const selectResource = `SELECT r.id, r.ref, r.kind, r.name, r.description, COALESCE(p.id, ''), COALESCE(p.ref, ''),
	COALESCE(p.name, ''), r.competences, r.status, r.version, r.created_at, r.updated_at, r.archived_at
	FROM resources r LEFT JOIN third_parties p ON p.id = r.provider_id`

func scanResource(scan func(...any) error) (*Resource, error) {
	var r Resource
	var pid, pref, pname, comps string
	if err := scan(&r.ID, &r.Ref, &r.Kind, &r.Name, &r.Description, &pid, &pref, &pname, &comps, &r.Status, &r.Version,
		&r.CreatedAt, &r.UpdatedAt, &r.ArchivedAt); err != nil {
		return nil, err
	}
	if pid != "" {
		r.Provider = &Link{ID: pid, Ref: pref, Name: pname}
	}
	if err := json.Unmarshal([]byte(comps), &r.Competences); err != nil {
		return nil, fmt.Errorf("stored competences of %s: %w", r.Ref, err)
	}
	return &r, nil
}

// readResources reads resources with their members and systems.
func (s *Service) readResources(ctx context.Context, q db.Queryer, actor *aims.Actor, tail string, args ...any) ([]Resource, error) {
	rows, err := q.QueryContext(ctx, selectResource+` WHERE r.org_id = ?`+tail, append([]any{actor.OrgID}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []Resource
	index := map[string]int{}
	for rows.Next() {
		r, err := scanResource(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		r.Members, r.Systems = []MemberLink{}, []Link{}
		index[r.ID] = len(out)
		out = append(out, *r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(out))
	marks := make([]string, 0, len(out))
	for _, r := range out {
		ids, marks = append(ids, r.ID), append(marks, "?")
	}
	in := "(" + strings.Join(marks, ", ") + ")"
	mrows, err := q.QueryContext(ctx, `SELECT m.resource_id, m.user_id, u.name, u.email FROM resource_members m
		JOIN users u ON u.id = m.user_id WHERE m.resource_id IN `+in+` ORDER BY m.resource_id, m.position`, ids...)
	if err != nil {
		return nil, err
	}
	for mrows.Next() {
		var rid string
		var m MemberLink
		if err := mrows.Scan(&rid, &m.UserID, &m.Name, &m.Email); err != nil {
			mrows.Close()
			return nil, err
		}
		out[index[rid]].Members = append(out[index[rid]].Members, m)
	}
	mrows.Close()
	if err := mrows.Err(); err != nil {
		return nil, err
	}
	srows, err := q.QueryContext(ctx, `SELECT resource_id, system_id FROM resource_systems WHERE resource_id IN `+in+`
		ORDER BY resource_id, system_id`, ids...)
	if err != nil {
		return nil, err
	}
	type pair struct{ rid, sid string }
	var pairs []pair
	for srows.Next() {
		var p pair
		if err := srows.Scan(&p.rid, &p.sid); err != nil {
			srows.Close()
			return nil, err
		}
		pairs = append(pairs, p)
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return nil, err
	}
	names := s.systemNames(actor)
	for _, p := range pairs {
		sys, err := names.get(ctx, p.sid)
		if err != nil {
			return nil, err
		}
		out[index[p.rid]].Systems = append(out[index[p.rid]].Systems, Link{ID: sys.ID, Ref: sys.Ref, Name: sys.Name})
	}
	for i := range out {
		sortLinks(out[i].Systems)
	}
	return out, nil
}

func sortLinks(ls []Link) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && refLess(ls[j].Ref, ls[j-1].Ref); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

// refLess orders references such as SYS-2 before SYS-10.
func refLess(a, b string) bool {
	pa, na := splitRef(a)
	pb, nb := splitRef(b)
	if pa != pb {
		return pa < pb
	}
	return na < nb
}

func splitRef(ref string) (string, int) {
	prefix, num, _ := strings.Cut(ref, "-")
	n := 0
	for _, c := range num {
		if c < '0' || c > '9' {
			return ref, 0
		}
		n = n*10 + int(c-'0')
	}
	return prefix, n
}

func (s *Service) getResource(ctx context.Context, q db.Queryer, actor *aims.Actor, idOrRef string) (*Resource, error) {
	col, key := "r.ref", strings.ToUpper(strings.TrimSpace(idOrRef))
	if aims.ValidID(strings.TrimSpace(idOrRef)) {
		col, key = "r.id", strings.ToLower(strings.TrimSpace(idOrRef))
	}
	out, err := s.readResources(ctx, q, actor, ` AND `+col+` = ?`, key)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, aims.NotFound("resource", idOrRef)
	}
	return &out[0], nil
}

// resolveResource fills the provider, members and systems that a request
// names, recording a problem for each it cannot find. Those the resource
// already has are accepted even when no longer current.
func (s *Service) resolveResource(ctx context.Context, q db.Queryer, actor *aims.Actor, r *Resource, before *Resource,
	provider *string, members, systems *[]string, p *aims.Problems) error {
	if provider != nil {
		r.Provider = nil
		if ref := strings.TrimSpace(*provider); ref != "" {
			t, err := s.getParty(ctx, q, actor.OrgID, ref)
			switch {
			case aims.CodeOf(err) == aims.CodeNotFound:
				p.Add("provider", "names %s, which is not a third party of this organisation", ref)
			case err != nil:
				return err
			case t.Status != StatusActive && (before == nil || before.Provider == nil || before.Provider.ID != t.ID):
				p.Add("provider", "names %s, which is archived", t.Ref)
			default:
				r.Provider = &Link{ID: t.ID, Ref: t.Ref, Name: t.Name}
			}
		}
	}
	if members != nil {
		ms, err := s.sources.Members(ctx, actor)
		if err != nil {
			return err
		}
		r.Members = []MemberLink{}
		seen := map[string]bool{}
		for _, key := range *members {
			if key = strings.TrimSpace(key); key == "" {
				continue
			}
			m, ok := findMember(ms, key)
			var link MemberLink
			if ok {
				link = MemberLink{UserID: m.UserID, Name: m.Name, Email: m.Email}
			} else if before != nil {
				for _, old := range before.Members {
					if strings.EqualFold(old.UserID, key) || strings.EqualFold(old.Email, key) {
						link, ok = old, true
					}
				}
			}
			if !ok {
				p.Add("members", "names %s, who is not a member of this organisation", key)
				continue
			}
			if !seen[link.UserID] {
				seen[link.UserID] = true
				r.Members = append(r.Members, link)
			}
		}
		if len(r.Members) > maxItems {
			p.Add("members", "must list at most %d", maxItems)
		}
	}
	if systems != nil {
		r.Systems = []Link{}
		seen := map[string]bool{}
		for _, ref := range *systems {
			if ref = strings.TrimSpace(ref); ref == "" {
				continue
			}
			sys, err := s.resolveSystem(ctx, actor, "systems", ref, p)
			if err != nil {
				return err
			}
			if sys != nil && !seen[sys.ID] {
				seen[sys.ID] = true
				r.Systems = append(r.Systems, Link{ID: sys.ID, Ref: sys.Ref, Name: sys.Name})
			}
		}
		if len(r.Systems) > maxSystems {
			p.Add("systems", "must list at most %d", maxSystems)
		}
		sortLinks(r.Systems)
	}
	return nil
}

// writeLinks replaces the members and systems stored for a resource.
func writeLinks(ctx context.Context, tx *db.Tx, orgID string, r *Resource) error {
	for _, table := range []string{"resource_members", "resource_systems"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE org_id = ? AND resource_id = ?`, orgID, r.ID); err != nil {
			return err
		}
	}
	for i, m := range r.Members {
		if _, err := tx.ExecContext(ctx, `INSERT INTO resource_members (org_id, resource_id, user_id, position) VALUES (?, ?, ?, ?)`,
			orgID, r.ID, m.UserID, i+1); err != nil {
			return err
		}
	}
	for _, sys := range r.Systems {
		if _, err := tx.ExecContext(ctx, `INSERT INTO resource_systems (org_id, resource_id, system_id) VALUES (?, ?, ?)`,
			orgID, r.ID, sys.ID); err != nil {
			return err
		}
	}
	return nil
}

func providerID(r *Resource) any {
	if r.Provider == nil {
		return nil
	}
	return r.Provider.ID
}

// CreateResource records a resource that AI systems rely on.
func (s *Service) CreateResource(ctx context.Context, actor *aims.Actor, req ResourceRequest) (*Resource, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	r := &Resource{Kind: req.Kind, Name: req.Name, Description: req.Description, Competences: req.Competences, Status: StatusActive}
	var p aims.Problems
	if err := s.resolveResource(ctx, s.db, actor, r, nil, &req.Provider, &req.Members, &req.Systems, &p); err != nil {
		return nil, fmt.Errorf("cannot record resource: %w", err)
	}
	r.normalise(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, resourcePrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		r.ID, r.Ref, r.Version = aims.NewID(), ref, 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO resources (id, org_id, ref, kind, name, description, provider_id,
			competences, status, search_text, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, actor.OrgID, r.Ref, r.Kind, r.Name, r.Description, providerID(r), string(mustJSON(r.Competences)),
			r.Status, r.searchText(), r.Version, now, now); err != nil {
			return err
		}
		if err := writeLinks(ctx, tx, actor.OrgID, r); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, r.audit())
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionResourceCreate, tlog.EventObject{Type: ObjectResource, ID: r.ID, Ref: r.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record resource: %w", err)
	}
	return s.getResource(ctx, s.db, actor, r.ID)
}

// GetResource returns a resource by id or reference.
func (s *Service) GetResource(ctx context.Context, actor *aims.Actor, idOrRef string) (*Resource, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.getResource(ctx, s.db, actor, idOrRef)
}

// UpdateResource changes the fields the request names, if the resource has
// not changed since the version the request is based on.
func (s *Service) UpdateResource(ctx context.Context, actor *aims.Actor, idOrRef string, req ResourceUpdate) (*Resource, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	// What the request names is resolved before the transaction, against the
	// resource as read now; the transaction then refuses the change if the
	// resource moved on meanwhile.
	before, err := s.getResource(ctx, s.db, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	after := *before
	for dst, src := range map[*string]*string{&after.Kind: req.Kind, &after.Name: req.Name, &after.Description: req.Description} {
		if src != nil {
			*dst = *src
		}
	}
	if req.Competences != nil {
		after.Competences = *req.Competences
	}
	var p aims.Problems
	if err := s.resolveResource(ctx, s.db, actor, &after, before, req.Provider, req.Members, req.Systems, &p); err != nil {
		return nil, fmt.Errorf("cannot update resource %s: %w", before.Ref, err)
	}
	after.normalise(&p)
	changed := false
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		version, status, err := resourceState(ctx, tx, actor.OrgID, before.ID)
		if err != nil {
			return err
		}
		if req.Version != version {
			return staleVersion(before.Ref, version, req.Version)
		}
		if status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing it", before.Ref)
		}
		if version != before.Version {
			return staleVersion(before.Ref, version, before.Version)
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE resources SET kind = ?, name = ?, description = ?, provider_id = ?, competences = ?,
			search_text = ?, version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`,
			after.Kind, after.Name, after.Description, providerID(&after), string(mustJSON(after.Competences)), after.searchText(),
			s.clock(), before.ID, actor.OrgID, before.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		if err := writeLinks(ctx, tx, actor.OrgID, &after); err != nil {
			return err
		}
		changed = true
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionResourceUpdate, tlog.EventObject{Type: ObjectResource, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update resource %s: %w", before.Ref, err)
	}
	if !changed {
		return before, nil
	}
	return s.getResource(ctx, s.db, actor, before.ID)
}

// resourceState reads a resource's version and status in a transaction.
func resourceState(ctx context.Context, q db.Queryer, orgID, id string) (int, string, error) {
	var version int
	var status string
	err := q.QueryRowContext(ctx, `SELECT version, status FROM resources WHERE id = ? AND org_id = ?`, id, orgID).Scan(&version, &status)
	if db.IsNoRows(err) {
		return 0, "", aims.NotFound("resource", id)
	}
	return version, status, err
}

// ArchiveResource takes a resource out of the active list; its record and history stay.
func (s *Service) ArchiveResource(ctx context.Context, actor *aims.Actor, idOrRef string) (*Resource, error) {
	return s.setResourceStatus(ctx, actor, idOrRef, StatusArchived)
}

// RestoreResource returns an archived resource to the active list.
func (s *Service) RestoreResource(ctx context.Context, actor *aims.Actor, idOrRef string) (*Resource, error) {
	return s.setResourceStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setResourceStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*Resource, error) {
	if err := identity.Authorize(actor, identity.ActSupplierEdit); err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: ActionResourceArch, StatusActive: ActionResourceRest}[status]
	r, err := s.getResource(ctx, s.db, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		_, current, err := resourceState(ctx, tx, actor.OrgID, r.ID)
		if err != nil || current == status {
			return err
		}
		now := s.clock()
		var archivedAt any
		if status == StatusArchived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resources SET status = ?, archived_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND org_id = ?`, status, archivedAt, now, r.ID, actor.OrgID); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectResource, ID: r.ID, Ref: r.Ref},
			[]tlog.Change{{Field: "status", Before: mustJSON(current), After: mustJSON(status)}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s resource %s: %w", strings.TrimPrefix(action, ObjectResource+"."), r.Ref, err)
	}
	return s.getResource(ctx, s.db, actor, r.ID)
}

// ListResources returns a page of the organisation's resources, by kind and name.
func (s *Service) ListResources(ctx context.Context, actor *aims.Actor, q ResourceQuery) (*ResourcePage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	if err := q.Normalise(); err != nil {
		return nil, err
	}
	var cond string
	var args []any
	add := func(c string, a ...any) { cond, args = cond+" AND "+c, append(args, a...) }
	if q.Status != "all" {
		add("r.status = ?", q.Status)
	}
	if q.Kind != "" {
		add("r.kind = ?", q.Kind)
	}
	if ref := strings.TrimSpace(q.System); ref != "" {
		var p aims.Problems
		sys, err := s.resolveSystem(ctx, actor, "system", ref, &p)
		if err != nil {
			return nil, err
		}
		if err := p.Err(); err != nil {
			return nil, err
		}
		add("EXISTS (SELECT 1 FROM resource_systems x WHERE x.resource_id = r.id AND x.system_id = ?)", sys.ID)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		add(`r.search_text LIKE ? ESCAPE '\'`, "%"+likeEscape(w)+"%")
	}
	page := &ResourcePage{Items: []Resource{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM resources r WHERE r.org_id = ?`+cond,
		append([]any{actor.OrgID}, args...)...).Scan(&page.Total); err != nil {
		return nil, err
	}
	kindOrder := "CASE r.kind"
	for i, o := range ResourceKinds {
		kindOrder += fmt.Sprintf(" WHEN '%s' THEN %d", o.Value, i)
	}
	kindOrder += " END"
	items, err := s.readResources(ctx, s.db, actor, cond+` ORDER BY `+kindOrder+`, lower(r.name), r.id LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	if items != nil {
		page.Items = items
	}
	return page, nil
}

// ResourceHistory returns the audit events about a resource, newest first.
func (s *Service) ResourceHistory(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	r, err := s.GetResource(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectResource, ObjectID: r.ID, Limit: 500})
}
