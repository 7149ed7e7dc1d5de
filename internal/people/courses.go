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

// Course is a training course; completing it confers competences for a number of months, or for good.
type Course struct {
	ID          string  `json:"id"`
	Ref         string  `json:"ref" doc:"Short reference such as CRS-2."`
	Title       string  `json:"title" doc:"Unique in the organisation, ignoring case."`
	Provider    string  `json:"provider" doc:"Who gives it: internal, or the name of an external provider."`
	Description string  `json:"description"`
	Competences []Named `json:"competences" doc:"The competences that completing the course confers."`
	// ValidityMonths is how long completion counts; 0 means it does not expire.
	ValidityMonths int        `json:"validity_months" doc:"How many months a completion counts; 0 when it does not expire."`
	Status         string     `json:"status" enum:"active,archived"`
	Version        int        `json:"version" doc:"Increases with every change; send it back when updating."`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ArchivedAt     *time.Time `json:"archived_at"`
}

// CourseRequest describes a new course; the title is required.
type CourseRequest struct {
	Title          string   `json:"title" minLength:"1" maxLength:"200" doc:"Such as AI governance essentials."`
	Provider       string   `json:"provider,omitempty" maxLength:"200" doc:"Internal, or the external provider's name."`
	Description    string   `json:"description,omitempty" maxLength:"10000"`
	Competences    []string `json:"competences,omitempty" maxItems:"50" doc:"The competences completing it confers, by reference (COMP-1), id or name."`
	ValidityMonths int      `json:"validity_months,omitempty" minimum:"0" maximum:"600" doc:"How many months a completion counts; 0 or absent when it does not expire."`
}

// CourseUpdate changes the fields it names, if the course has not changed
// since the version it is based on. Records already made keep the
// competences and expiry they were recorded with.
type CourseUpdate struct {
	Version        int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Title          *string   `json:"title,omitempty" minLength:"1" maxLength:"200"`
	Provider       *string   `json:"provider,omitempty" maxLength:"200"`
	Description    *string   `json:"description,omitempty" maxLength:"10000"`
	Competences    *[]string `json:"competences,omitempty" maxItems:"50" doc:"Replaces the list."`
	ValidityMonths *int      `json:"validity_months,omitempty" minimum:"0" maximum:"600"`
}

func (c *Course) normalise(p *aims.Problems) {
	text(p, "title", &c.Title, true, maxName)
	text(p, "provider", &c.Provider, false, maxName)
	text(p, "description", &c.Description, false, maxLongText)
	if c.ValidityMonths < 0 || c.ValidityMonths > maxMonths {
		p.Add("validity_months", "must be between 0 (does not expire) and %d", maxMonths)
	}
}

type auditCourse struct {
	Ref            string   `json:"ref"`
	Title          string   `json:"title"`
	Provider       string   `json:"provider"`
	Description    string   `json:"description"`
	Competences    []string `json:"competences"`
	ValidityMonths int      `json:"validity_months"`
}

func (c *Course) audit() auditCourse {
	return auditCourse{Ref: c.Ref, Title: c.Title, Provider: c.Provider, Description: c.Description,
		Competences: refsOf(c.Competences), ValidityMonths: c.ValidityMonths}
}

const selectCourse = `SELECT k.id, k.ref, k.title, k.provider, k.description, k.validity_months, k.status, k.version,
	k.created_at, k.updated_at, k.archived_at FROM training_courses k`

func (s *Service) getCourse(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*Course, error) {
	col, key := keyOf("k", idOrRef)
	out, err := s.readCourses(ctx, q, ` WHERE k.org_id = ? AND `+col+` = ?`, orgID, key)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, aims.NotFound("course", idOrRef)
	}
	return &out[0], nil
}

// readCourses reads courses with the competences they confer.
func (s *Service) readCourses(ctx context.Context, q db.Queryer, tail string, args ...any) ([]Course, error) {
	rows, err := q.QueryContext(ctx, selectCourse+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []Course
	for rows.Next() {
		var c Course
		if err := rows.Scan(&c.ID, &c.Ref, &c.Title, &c.Provider, &c.Description, &c.ValidityMonths, &c.Status, &c.Version,
			&c.CreatedAt, &c.UpdatedAt, &c.ArchivedAt); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Competences, err = links(ctx, q, `SELECT c.id, c.ref, c.name FROM course_competences x JOIN competences c ON c.id = x.competence_id
			WHERE x.course_id = ? ORDER BY c.name_key`, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func writeCourseCompetences(ctx context.Context, tx *db.Tx, orgID string, c *Course) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM course_competences WHERE org_id = ? AND course_id = ?`, orgID, c.ID); err != nil {
		return err
	}
	for _, l := range c.Competences {
		if _, err := tx.ExecContext(ctx, `INSERT INTO course_competences (org_id, course_id, competence_id) VALUES (?, ?, ?)`,
			orgID, c.ID, l.ID); err != nil {
			return err
		}
	}
	return nil
}

// CreateCourse records a training course.
func (s *Service) CreateCourse(ctx context.Context, actor *aims.Actor, req CourseRequest) (*Course, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	c := &Course{Title: req.Title, Provider: req.Provider, Description: req.Description, ValidityMonths: req.ValidityMonths, Status: StatusActive}
	var p aims.Problems
	c.normalise(&p)
	var err error
	if c.Competences, err = s.resolveCompetences(ctx, s.db, actor.OrgID, "competences", req.Competences, nil, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, coursePrefix)
		if err != nil {
			return err
		}
		now := s.clock()
		c.ID, c.Ref, c.Version = aims.NewID(), ref, 1
		_, err = tx.ExecContext(ctx, `INSERT INTO training_courses (id, org_id, ref, title, title_key, provider, description, validity_months,
			status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, actor.OrgID, c.Ref, c.Title,
			nameKey(c.Title), c.Provider, c.Description, c.ValidityMonths, c.Status, c.Version, now, now)
		if db.IsUniqueViolation(err) {
			return nameTaken("title", "course")
		}
		if err != nil {
			return err
		}
		if err := writeCourseCompetences(ctx, tx, actor.OrgID, c); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, c.audit())
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCourseCreate, tlog.EventObject{Type: ObjectCourse, ID: c.ID, Ref: c.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record course: %w", err)
	}
	return s.getCourse(ctx, s.db, actor.OrgID, c.ID)
}

// GetCourse returns a course by id or reference.
func (s *Service) GetCourse(ctx context.Context, actor *aims.Actor, idOrRef string) (*Course, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.getCourse(ctx, s.db, actor.OrgID, idOrRef)
}

// UpdateCourse changes the fields the request names.
func (s *Service) UpdateCourse(ctx context.Context, actor *aims.Actor, idOrRef string, req CourseUpdate) (*Course, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		before, err := s.getCourse(ctx, tx, actor.OrgID, idOrRef)
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
		for dst, src := range map[*string]*string{&after.Title: req.Title, &after.Provider: req.Provider, &after.Description: req.Description} {
			if src != nil {
				*dst = *src
			}
		}
		if req.ValidityMonths != nil {
			after.ValidityMonths = *req.ValidityMonths
		}
		var p aims.Problems
		after.normalise(&p)
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
		res, err := tx.ExecContext(ctx, `UPDATE training_courses SET title = ?, title_key = ?, provider = ?, description = ?, validity_months = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND org_id = ? AND version = ?`, after.Title, nameKey(after.Title), after.Provider,
			after.Description, after.ValidityMonths, s.clock(), before.ID, actor.OrgID, before.Version)
		if db.IsUniqueViolation(err) {
			return nameTaken("title", "course")
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return staleVersion(before.Ref, before.Version+1, req.Version)
		}
		if err := writeCourseCompetences(ctx, tx, actor.OrgID, &after); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCourseUpdate, tlog.EventObject{Type: ObjectCourse, ID: before.ID, Ref: before.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update course %s: %w", idOrRef, err)
	}
	return s.getCourse(ctx, s.db, actor.OrgID, id)
}

// ArchiveCourse takes a course out of use; no new completions can be recorded, those recorded stay.
func (s *Service) ArchiveCourse(ctx context.Context, actor *aims.Actor, idOrRef string) (*Course, error) {
	return s.setCourseStatus(ctx, actor, idOrRef, StatusArchived)
}

// RestoreCourse returns an archived course to use.
func (s *Service) RestoreCourse(ctx context.Context, actor *aims.Actor, idOrRef string) (*Course, error) {
	return s.setCourseStatus(ctx, actor, idOrRef, StatusActive)
}

func (s *Service) setCourseStatus(ctx context.Context, actor *aims.Actor, idOrRef, status string) (*Course, error) {
	if err := identity.Authorize(actor, identity.ActPeopleManage); err != nil {
		return nil, err
	}
	c, err := s.getCourse(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	action := map[string]string{StatusArchived: ActionCourseArchive, StatusActive: ActionCourseRestore}[status]
	if err := s.setStatus(ctx, actor, "training_courses", ObjectCourse, action, c.ID, c.Ref, status); err != nil {
		return nil, fmt.Errorf("cannot change course %s: %w", c.Ref, err)
	}
	return s.getCourse(ctx, s.db, actor.OrgID, c.ID)
}

// CourseQuery filters the courses.
type CourseQuery struct {
	Q      string `query:"q" doc:"Words that must all appear in the reference, title, provider or description."`
	Status string `query:"status" enum:"active,archived,all" default:"active"`
}

// ListCourses returns the organisation's courses by title.
func (s *Service) ListCourses(ctx context.Context, actor *aims.Actor, q CourseQuery) ([]Course, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkStatus(&p, &q.Status)
	if err := p.Err(); err != nil {
		return nil, err
	}
	cond, args := ` WHERE k.org_id = ?`, []any{actor.OrgID}
	if q.Status != "all" {
		cond, args = cond+` AND k.status = ?`, append(args, q.Status)
	}
	all, err := s.readCourses(ctx, s.db, cond+` ORDER BY k.title_key`, args...)
	if err != nil {
		return nil, err
	}
	words := strings.Fields(strings.ToLower(q.Q))
	out := []Course{}
	for _, c := range all {
		if matches(words, c.Ref, c.Title, c.Provider, c.Description) {
			out = append(out, c)
		}
	}
	return out, nil
}

// CourseHistory returns the audit events about a course, newest first.
func (s *Service) CourseHistory(ctx context.Context, actor *aims.Actor, idOrRef string) ([]tlog.Event, error) {
	c, err := s.GetCourse(ctx, actor, idOrRef)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectCourse, ObjectID: c.ID, Limit: 500})
}
