package people

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Role is a role in the AIMS (5.3, A.3.2), such as AI governance lead or
// internal auditor: what it is responsible for, what it may decide, the
// members who hold it and the competences it requires. It is not an access
// role (owner, manager …), which says what someone may do in aims.
type Role struct {
	ID               string `json:"id"`
	Ref              string `json:"ref" doc:"Short reference such as ROLE-2."`
	Name             string `json:"name" doc:"Unique in the organisation, ignoring case."`
	Responsibilities string `json:"responsibilities" doc:"What the role is responsible for."`
	Authorities      string `json:"authorities" doc:"What the role may decide or approve."`
	// ReportsToTopManagement marks the role that reports the AIMS's performance to top management (5.3 b).
	ReportsToTopManagement bool        `json:"reports_to_top_management" doc:"Whether the role reports on the performance of the AIMS to top management (5.3 b)."`
	Members                []PersonRef `json:"members" doc:"The members of the organisation who hold the role, by name."`
	Competences            []Named     `json:"competences" doc:"The competences the role requires, by name."`
	Status                 string      `json:"status" enum:"active,archived"`
	Version                int         `json:"version" doc:"Increases with every change; send it back when updating."`
	CreatedAt              time.Time   `json:"created_at"`
	UpdatedAt              time.Time   `json:"updated_at"`
	ArchivedAt             *time.Time  `json:"archived_at"`
}

// RoleRequest describes a new AIMS role; name and responsibilities are required.
type RoleRequest struct {
	Name                   string   `json:"name" minLength:"1" maxLength:"200" doc:"Such as AI governance lead, AI system owner or Internal auditor."`
	Responsibilities       string   `json:"responsibilities" minLength:"1" maxLength:"10000" doc:"What the role is responsible for."`
	Authorities            string   `json:"authorities,omitempty" maxLength:"10000" doc:"What the role may decide or approve."`
	ReportsToTopManagement bool     `json:"reports_to_top_management,omitempty" doc:"Whether the role reports on the performance of the AIMS to top management."`
	Members                []string `json:"members,omitempty" maxItems:"200" doc:"The members who hold it, by user id or email."`
	Competences            []string `json:"competences,omitempty" maxItems:"50" doc:"The competences it requires, by reference (COMP-1), id or name."`
}

// RoleUpdate changes the fields it names, if the role has not changed since
// the version it is based on; lists replace the stored ones.
type RoleUpdate struct {
	Version                int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Name                   *string   `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Responsibilities       *string   `json:"responsibilities,omitempty" minLength:"1" maxLength:"10000"`
	Authorities            *string   `json:"authorities,omitempty" maxLength:"10000"`
	ReportsToTopManagement *bool     `json:"reports_to_top_management,omitempty"`
	Members                *[]string `json:"members,omitempty" maxItems:"200" doc:"Replaces the members who hold the role."`
	Competences            *[]string `json:"competences,omitempty" maxItems:"50" doc:"Replaces the competences it requires."`
}

func (r *Role) normalise(p *aims.Problems) {
	text(p, "name", &r.Name, true, maxName)
	text(p, "responsibilities", &r.Responsibilities, true, maxLongText)
	text(p, "authorities", &r.Authorities, false, maxLongText)
}

type auditRole struct {
	Ref                    string   `json:"ref"`
	Name                   string   `json:"name"`
	Responsibilities       string   `json:"responsibilities"`
	Authorities            string   `json:"authorities"`
	ReportsToTopManagement bool     `json:"reports_to_top_management"`
	Members                []string `json:"members"`
	Competences            []string `json:"competences"`
}

func (r *Role) audit() auditRole {
	a := auditRole{Ref: r.Ref, Name: r.Name, Responsibilities: r.Responsibilities, Authorities: r.Authorities,
		ReportsToTopManagement: r.ReportsToTopManagement, Members: []string{}, Competences: refsOf(r.Competences)}
	for _, m := range r.Members {
		a.Members = append(a.Members, m.Email)
	}
	return a
}

const selectRole = `SELECT r.id, r.ref, r.name, r.responsibilities, r.authorities, r.reports_to_top, r.status, r.version,
	r.created_at, r.updated_at, r.archived_at FROM aims_roles r`

// readRoles reads roles with their members (those still members of the organisation) and required competences.
func (s *Service) readRoles(ctx context.Context, q db.Queryer, orgID, tail string, args ...any) ([]Role, error) {
	rows, err := q.QueryContext(ctx, selectRole+` WHERE r.org_id = ?`+tail, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []Role
	for rows.Next() {
		var r Role
		var top int
		if err := rows.Scan(&r.ID, &r.Ref, &r.Name, &r.Responsibilities, &r.Authorities, &top, &r.Status, &r.Version,
			&r.CreatedAt, &r.UpdatedAt, &r.ArchivedAt); err != nil {
			rows.Close()
			return nil, err
		}
		r.ReportsToTopManagement = top == 1
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	byID, _, err := s.members(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		r := &out[i]
		if r.Competences, err = links(ctx, q, `SELECT c.id, c.ref, c.name FROM aims_role_competences x JOIN competences c ON c.id = x.competence_id
			WHERE x.role_id = ? ORDER BY c.name_key`, r.ID); err != nil {
			return nil, err
		}
		ids, err := userIDs(ctx, q, r.ID)
		if err != nil {
			return nil, err
		}
		r.Members = []PersonRef{}
		for _, id := range ids {
			if m, ok := byID[id]; ok {
				r.Members = append(r.Members, personOf(m))
			}
		}
		sortPeople(r.Members)
	}
	return out, nil
}

func userIDs(ctx context.Context, q db.Queryer, roleID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id FROM aims_role_members WHERE role_id = ? ORDER BY user_id`, roleID)
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

func sortPeople(ps []PersonRef) {
	key := func(p PersonRef) string { return strings.ToLower(p.Name + "\x00" + p.Email) }
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && key(ps[j]) < key(ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func (s *Service) getRole(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Role, error) {
	col, key := keyOf("r", idOrRef)
	out, err := s.readRoles(ctx, q, orgID, ` AND `+col+` = ?`, key)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, aims.NotFound("AIMS role", idOrRef)
	}
	return &out[0], nil
}

// resolveMembers finds the members a request names by user id or email.
func (s *Service) resolveMembers(ctx context.Context, orgID, field string, keys []string, p *aims.Problems) ([]PersonRef, error) {
	_, ms, err := s.members(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := []PersonRef{}
	seen := map[string]bool{}
	for _, key := range keys {
		if key = strings.TrimSpace(key); key == "" {
			continue
		}
		m, ok := findMember(ms, key)
		if !ok {
			p.Add(field, "names %s, who is not a member of this organisation", key)
			continue
		}
		if !seen[m.UserID] {
			seen[m.UserID] = true
			out = append(out, personOf(m))
		}
	}
	if len(out) > maxMembers {
		p.Add(field, "must list at most %d", maxMembers)
	}
	sortPeople(out)
	return out, nil
}

func writeRoleLinks(ctx context.Context, tx *db.Tx, orgID string, r *Role) error {
	for _, table := range []string{"aims_role_members", "aims_role_competences"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE org_id = ? AND role_id = ?`, orgID, r.ID); err != nil {
			return err
		}
	}
	for _, m := range r.Members {
		if _, err := tx.ExecContext(ctx, `INSERT INTO aims_role_members (org_id, role_id, user_id) VALUES (?, ?, ?)`, orgID, r.ID, m.UserID); err != nil {
			return err
		}
	}
	for _, c := range r.Competences {
		if _, err := tx.ExecContext(ctx, `INSERT INTO aims_role_competences (org_id, role_id, competence_id) VALUES (?, ?, ?)`, orgID, r.ID, c.ID); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateRole records an AIMS role with its members and required competences.
func (s *Service) CreateRole(ctx context.Context, actor *aims.Actor, req RoleRequest) (*Role, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	r := &Role{Name: req.Name, Responsibilities: req.Responsibilities, Authorities: req.Authorities,
		ReportsToTopManagement: req.ReportsToTopManagement, Status: StatusActive}
	var p aims.Problems
	r.normalise(&p)
	var err error
	if r.Members, err = s.resolveMembers(ctx, actor.OrgID, "members", req.Members, &p); err != nil {
		return nil, err
	}
	if r.Competences, err = s.resolveCompetences(ctx, s.db, actor.OrgID, "competences", req.Competences, nil, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, rolePrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		r.ID, r.Ref, r.Version = aims.NewID(), ref, 1
		_, err = tx.ExecContext(ctx, `INSERT INTO aims_roles (id, org_id, ref, name, name_key, responsibilities, authorities, reports_to_top,
			status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, actor.OrgID, r.Ref, r.Name, nameKey(r.Name),
			r.Responsibilities, r.Authorities, boolInt(r.ReportsToTopManagement), r.Status, r.Version, now, now)
		if db.IsUniqueViolation(err) {
			return nameTaken("name", "AIMS role")
		}
		if err != nil {
			return err
		}
		if err := writeRoleLinks(ctx, tx, actor.OrgID, r); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, r.audit())
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRoleCreate, tlog.EventObject{Type: ObjectRole, ID: r.ID, Ref: r.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record AIMS role: %w", err)
	}
	return s.getRole(ctx, s.db, actor.OrgID, r.ID)
}

// GetRole returns an AIMS role by id or reference.
func (s *Service) GetRole(ctx context.Context, actor *aims.Actor, idOrRef string) (*Role, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.getRole(ctx, s.db, actor.OrgID, idOrRef)
}

// UpdateRole changes the fields the request names.
func (s *Service) UpdateRole(ctx context.Context, actor *aims.Actor, idOrRef string, req RoleUpdate) (*Role, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.getRole(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		id = before.ID
		if req.Version != before.Version {
			return staleVersion(before.Ref, before.Version, req.Version)
		}
		if before.Status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before changing it", before.Ref)
		}
		after := *before
		for dst, src := range map[*string]*string{&after.Name: req.Name, &after.Responsibilities: req.Responsibilities, &after.Authorities: req.Authorities} {
			if src != nil {
				*dst = *src
			}
		}
		if req.ReportsToTopManagement != nil {
			after.ReportsToTopManagement = *req.ReportsToTopManagement
		}
		var p aims.Problems
		after.normalise(&p)
		if req.Members != nil {
			if after.Members, err = s.resolveMembers(ctx, actor.OrgID, "members", *req.Members, &p); err != nil {
				return err
			}
		}
		if req.Competences != nil {
			if after.Competences, err = s.resolveCompetences(ctx, tx, actor.OrgID, "competences", *req.Competences, before.Competences, &p); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := tlog.Changes(before.audit(), after.audit())
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		res, err := tx.ExecContext(ctx, `UPDATE aims_roles SET name = ?, name_key = ?, responsibilities = ?, authorities = ?, reports_to_top = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`, after.Name, nameKey(after.Name), after.Responsibilities,
			after.Authorities, boolInt(after.ReportsToTopManagement), s.clock(), before.ID, actor.OrgID, before.Version)
		if db.IsUniqueViolation(err) {
			return nameTaken("name", "AIMS role")
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		if err := writeRoleLinks(ctx, tx, actor.OrgID, &after); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionRoleUpdate, tlog.EventObject{Type: ObjectRole, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update AIMS role %s: %w", idOrRef, err)
	}
	return s.getRole(ctx, s.db, actor.OrgID, id)
}

// ArchiveRole takes an AIMS role out of use; its holders no longer need its competences. Its record and history stay.
func (s *Service) ArchiveRole(ctx context.Context, actor *aims.Actor, idOrRef string) (*Role, error) {
	return s.setRoleStatus(ctx, actor, idOrRef, StatusArchived)
}

// RestoreRole returns an archived AIMS role to use.
func (s *Service) RestoreRole(ctx context.Context, actor *aims.Actor, idOrRef string) (*Role, error) {
	return s.setRoleStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setRoleStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*Role, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	r, err := s.getRole(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: ActionRoleArchive, StatusActive: ActionRoleRestore}[status]
	if err := s.setStatus(ctx, actor, "aims_roles", ObjectRole, action, r.ID, r.Ref, status); err != nil {
		return nil, fmt.Errorf("cannot change AIMS role %s: %w", r.Ref, err)
	}
	return s.getRole(ctx, s.db, actor.OrgID, r.ID)
}

// RoleQuery filters the AIMS roles.
type RoleQuery struct {
	Q      string `query:"q" doc:"Words that must all appear in the reference, name, responsibilities or authorities."`
	Member string `query:"member" doc:"Only roles this member holds (user id or email)."`
	Status string `query:"status" enum:"active,archived,all" default:"active"`
}

// ListRoles returns the organisation's AIMS roles by name.
func (s *Service) ListRoles(ctx context.Context, actor *aims.Actor, q RoleQuery) ([]Role, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkStatus(&p, &q.Status)
	if err := p.Err(); err != nil {
		return nil, err
	}
	tail, args := "", []any{}
	if q.Status != "all" {
		tail, args = ` AND r.status = ?`, append(args, q.Status)
	}
	all, err := s.readRoles(ctx, s.db, actor.OrgID, tail+` ORDER BY r.name_key`, args...)
	if err != nil {
		return nil, err
	}
	words := strings.Fields(strings.ToLower(q.Q))
	out := []Role{}
	for _, r := range all {
		if !matches(words, r.Ref, r.Name, r.Responsibilities, r.Authorities) {
			continue
		}
		if m := strings.TrimSpace(q.Member); m != "" && !holds(r.Members, m) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func holds(ps []PersonRef, key string) bool {
	for _, p := range ps {
		if strings.EqualFold(p.UserID, key) || strings.EqualFold(p.Email, key) {
			return true
		}
	}
	return false
}

// RoleHistory returns the audit events about an AIMS role, newest first.
func (s *Service) RoleHistory(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	r, err := s.GetRole(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectRole, ObjectID: r.ID, Limit: 500})
}
