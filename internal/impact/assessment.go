package impact

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// StartRequest starts an impact assessment of an AI system from a template.
type StartRequest struct {
	System   string `json:"system" doc:"The AI system assessed, by reference (SYS-3) or id."`
	Template string `json:"template" doc:"iso-42005, eu-fria, or an own template's reference such as IAT-2; the assessment keeps its latest version."`
	Title    string `json:"title,omitempty" doc:"At most 200 characters; by default the template's name and the system's."`
	// ModelVersion is optional: the model version assessed, by key or id.
	ModelVersion string `json:"model_version,omitempty" doc:"The model version assessed, such as MDL-1@1.4.0; it must be a version of a model of the same AI system."`
}

// UpdateRequest changes an assessment's title, answers or residual
// concerns. Only what it names changes; answers not named keep their value.
type UpdateRequest struct {
	Version          int               `json:"version" minimum:"0" doc:"The assessment's version this change is based on."`
	Title            *string           `json:"title,omitempty" doc:"At most 200 characters."`
	Answers          map[string]string `json:"answers,omitempty" doc:"Answers to set, by question id: a text of at most 10000 characters, the value of one of a choice question's options, or a scale point written as digits (\"1\" … \"N\"). An empty value clears the answer."`
	ResidualConcerns *string           `json:"residual_concerns,omitempty" doc:"What remains of concern after the mitigations, at most 4000 characters."`
}

// row is an assessment's stored row.
type row struct {
	id, ref, systemID, modelVersionKey, templateKey string
	templateVersion                                 int
	title, status, answers, residual, nextReview    string
	latestVersion, impactSeq, version               int
	latestApprovedAt, reviewAt                      *time.Time
	reviewAction, reviewNote, reviewBy, reviewName  string
	createdAt, updatedAt                            time.Time
}

const selectRow = `SELECT a.id, a.ref, a.system_id, a.model_version_key, a.template_key, a.template_version, a.title, a.status, a.answers,
	a.residual_concerns, a.next_review_date, a.latest_version, a.latest_approved_at, a.impact_seq, a.review_action, a.review_note,
	a.review_by, COALESCE(u.name, a.review_by), a.review_at, a.version, a.created_at, a.updated_at
	FROM impact_assessments a LEFT JOIN users u ON u.id = a.review_by`

func scanRow(scan func(...any) error) (*row, error) {
	var r row
	if err := scan(&r.id, &r.ref, &r.systemID, &r.modelVersionKey, &r.templateKey, &r.templateVersion, &r.title, &r.status, &r.answers, &r.residual,
		&r.nextReview, &r.latestVersion, &r.latestApprovedAt, &r.impactSeq, &r.reviewAction, &r.reviewNote, &r.reviewBy,
		&r.reviewName, &r.reviewAt, &r.version, &r.createdAt, &r.updatedAt); err != nil {
		return nil, err
	}
	r.createdAt, r.updatedAt = r.createdAt.UTC(), r.updatedAt.UTC()
	for _, t := range []*time.Time{r.latestApprovedAt, r.reviewAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return &r, nil
}

// readRow reads an assessment of an organisation by reference or id.
func readRow(ctx context.Context, q db.Queryer, orgID, key string) (*row, error) {
	key = strings.TrimSpace(key)
	col, k := "a.ref", strings.ToUpper(key)
	if aims.ValidID(key) {
		col, k = "a.id", strings.ToLower(key)
	}
	r, err := scanRow(q.QueryRowContext(ctx, selectRow+` WHERE a.org_id = ? AND `+col+` = ?`, orgID, k).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("impact assessment", key)
	}
	return r, err
}

// lockRow reads an assessment in a transaction after taking its row lock,
// so that changes to one assessment run one at a time.
func lockRow(ctx context.Context, tx *db.Tx, orgID, key string) (*row, error) {
	r, err := readRow(ctx, tx, orgID, key)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE impact_assessments SET version = version WHERE org_id = ? AND id = ?`, orgID, r.id); err != nil {
		return nil, err
	}
	return readRow(ctx, tx, orgID, r.id)
}

func (r *row) answerMap() (map[string]string, error) {
	m := map[string]string{}
	if err := json.Unmarshal([]byte(r.answers), &m); err != nil {
		return nil, fmt.Errorf("stored answers of %s: %w", r.ref, err)
	}
	return m, nil
}

// Start begins an impact assessment of an AI system from the latest
// version of a template, as a draft.
func (s *Service) Start(ctx context.Context, actor *aims.Actor, req StartRequest) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActImpactEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	req.System, req.Template, req.ModelVersion = strings.TrimSpace(req.System), strings.TrimSpace(req.Template), strings.TrimSpace(req.ModelVersion)
	checkText(&p, "title", &req.Title, false, maxTitle)
	var sysID, sysRef, sysName string
	if req.System == "" {
		p.Add("system", "is required: name the AI system assessed")
	} else {
		var err error
		sysID, sysRef, sysName, err = s.sources.System(ctx, actor.OrgID, req.System)
		if aims.CodeOf(err) == aims.CodeNotFound {
			p.Add("system", "is not an AI system of this organisation")
		} else if err != nil {
			return nil, err
		}
	}
	mvID, mvKey, err := s.modelVersion(ctx, &p, actor.OrgID, req.ModelVersion, sysID, sysRef)
	if err != nil {
		return nil, err
	}
	var tpl *Template
	if req.Template == "" {
		p.Add("template", "is required: %s, %s or an own template's reference", KeyISO42005, KeyEUFRIA)
	} else {
		var err error
		tpl, err = s.template(ctx, s.db, actor.OrgID, req.Template, 0)
		switch {
		case aims.CodeOf(err) == aims.CodeNotFound:
			p.Add("template", "is not a template of this organisation")
		case err != nil:
			return nil, err
		case tpl.Status == TemplateArchived:
			p.Add("template", "is archived: choose an active template")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	title := req.Title
	if title == "" {
		title = oneLine(tpl.Name+": "+sysName, maxTitle)
	}
	var ref string
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		if ref, err = db.NextRef(ctx, tx, actor.OrgID, assessmentPrefix); err != nil {
			return err
		}
		id, now := aims.NewID(), s.clock()
		if _, err := tx.ExecContext(ctx, `INSERT INTO impact_assessments (id, org_id, ref, system_id, model_version_id,
			model_version_key, template_key, template_version, title, status, answers, residual_concerns, next_review_date,
			latest_version, impact_seq, review_action, review_note, review_by, version, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '', '', 0, 0, '', '', '', 1, ?, ?, ?)`,
			id, actor.OrgID, ref, sysID, mvID, mvKey, tpl.Key, tpl.Version, title, StatusDraft, tlog.ActorOf(actor).ID,
			now, now); err != nil {
			return err
		}
		ch := []tlog.Change{
			{Field: "title", After: mustJSON(title)}, {Field: "system", After: mustJSON(sysRef)},
			{Field: "template", After: mustJSON(tpl.Key)}, {Field: "template_version", After: mustJSON(tpl.Version)},
			{Field: "status", After: mustJSON(StatusDraft)},
		}
		if mvKey != "" {
			ch = append(ch, tlog.Change{Field: "model_version", After: mustJSON(mvKey)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionCreate, tlog.EventObject{Type: ObjectAssessment, ID: id, Ref: ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot start an impact assessment of %s: %w", req.System, err)
	}
	return s.get(ctx, actor.OrgID, ref)
}

// modelVersion resolves the model version an assessment names, adding a
// problem when it is unknown or a version of another system's model (when
// the system is known). It returns a nil id and an empty key when none is named.
func (s *Service) modelVersion(ctx context.Context, p *aims.Problems, orgID, key, systemID, sysLabel string) (*string, string, error) {
	if key == "" {
		return nil, "", nil
	}
	id, k, sys, err := s.sources.ModelVersion(ctx, orgID, key)
	switch c := aims.CodeOf(err); {
	case c == aims.CodeNotFound || c == aims.CodeInvalid:
		p.Add("model_version", "names %s, which is not a model version of this organisation (write MDL-1@1.4.0)", key)
		return nil, "", nil
	case err != nil:
		return nil, "", err
	case systemID != "" && sys != systemID:
		p.Add("model_version", "is a version of a model of another AI system: name a version of a model of %s", sysLabel)
		return nil, "", nil
	}
	return &id, k, nil
}

// Get returns an assessment of the actor's organisation by reference or id.
func (s *Service) Get(ctx context.Context, actor *aims.Actor, key string) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.get(ctx, actor.OrgID, key)
}

func (s *Service) get(ctx context.Context, orgID, key string) (*Assessment, error) {
	r, err := readRow(ctx, s.db, orgID, key)
	if err != nil {
		return nil, err
	}
	return s.assemble(ctx, s.db, orgID, r)
}

// assemble puts an assessment together: its template's questions, its
// impacts with their risks, its system and whether it is due for review.
func (s *Service) assemble(ctx context.Context, q db.Queryer, orgID string, r *row) (*Assessment, error) {
	tpl, err := s.template(ctx, q, orgID, r.templateKey, r.templateVersion)
	if err != nil {
		return nil, fmt.Errorf("template of %s: %w", r.ref, err)
	}
	a := &Assessment{ID: r.id, Ref: r.ref, SystemID: r.systemID, ModelVersion: r.modelVersionKey, Template: TemplateRef{Key: tpl.Key, Version: tpl.Version, Name: tpl.Name},
		Title: r.title, Status: r.status, Sections: tpl.Sections, ResidualConcerns: r.residual, Version: r.version,
		LatestVersion: r.latestVersion, ApprovedAt: r.latestApprovedAt, NextReviewDate: r.nextReview, DueReasons: []DueReason{},
		CreatedAt: r.createdAt, UpdatedAt: r.updatedAt}
	if a.Answers, err = r.answerMap(); err != nil {
		return nil, err
	}
	if r.reviewAction != "" && r.reviewAt != nil {
		a.Review = &Review{Action: r.reviewAction, Note: r.reviewNote, By: r.reviewBy, ByName: r.reviewName, At: *r.reviewAt}
	}
	if a.SystemRef, a.SystemName, err = s.systemName(ctx, orgID, r.systemID); err != nil {
		return nil, err
	}
	if a.Impacts, err = s.impacts(ctx, q, orgID, r.id, true); err != nil {
		return nil, err
	}
	a.Missing = missing(a.Sections, a.Answers, len(a.Impacts))
	due, err := s.dueOf(ctx, q, orgID, []*row{r})
	if err != nil {
		return nil, err
	}
	if reasons := due[r.id]; len(reasons) > 0 {
		a.Due, a.DueReasons = true, reasons
	}
	return a, nil
}

// systemName names an AI system by id; one no longer found keeps its id.
func (s *Service) systemName(ctx context.Context, orgID, id string) (ref, name string, err error) {
	_, ref, name, err = s.sources.System(ctx, orgID, id)
	if aims.CodeOf(err) == aims.CodeNotFound {
		return id, "(unknown AI system)", nil
	}
	return ref, name, err
}

// Update changes an assessment's title, answers or residual concerns, if
// it has not changed since the version the request is based on. Answers
// are checked against the assessment's template version. A change to an
// approved assessment makes it a draft again; one in review is refused.
func (s *Service) Update(ctx context.Context, actor *aims.Actor, key string, req UpdateRequest) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActImpactEdit); err != nil {
		return nil, err
	}
	cur, err := s.get(ctx, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	var p aims.Problems
	title, residual := cur.Title, cur.ResidualConcerns
	if req.Title != nil {
		title = *req.Title
		checkText(&p, "title", &title, true, maxTitle)
	}
	if req.ResidualConcerns != nil {
		residual = *req.ResidualConcerns
		checkText(&p, "residual_concerns", &residual, false, maxText)
	}
	set := map[string]string{}
	for id, v := range req.Answers {
		q, ok := cur.Question(id)
		if !ok {
			p.Add("answers."+id, "is not a question of %s v%d", cur.Template.Key, cur.Template.Version)
			continue
		}
		set[id] = checkAnswer(&p, q, v)
	}
	if req.Version < 1 {
		p.Add("version", "must be the assessment's current version")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := lockRow(ctx, tx, actor.OrgID, cur.ID)
		if err != nil {
			return err
		}
		if req.Version != r.version {
			return staleVersion("the assessment "+r.ref, r.version, req.Version)
		}
		if err := editable(r); err != nil {
			return err
		}
		answers, err := r.answerMap()
		if err != nil {
			return err
		}
		before := auditContent(r.title, r.residual, answers)
		for id, v := range set {
			if v == "" {
				delete(answers, id)
			} else {
				answers[id] = v
			}
		}
		ch, err := tlog.Changes(before, auditContent(title, residual, answers))
		if err != nil || len(ch) == 0 {
			return err // nothing changed: no new version, no event
		}
		status := reopen(r, &ch)
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE impact_assessments SET title = ?, residual_concerns = ?, answers = ?, status = ?,
			version = version + 1, updated_at = ? WHERE org_id = ? AND id = ? AND version = ?`,
			title, residual, string(mustJSON(answers)), status, now, actor.OrgID, r.id, r.version); err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionUpdate, tlog.EventObject{Type: ObjectAssessment, ID: r.id, Ref: r.ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change the impact assessment %s: %w", cur.Ref, err)
	}
	return s.get(ctx, actor.OrgID, cur.ID)
}

// auditContent is what the audit events of an assessment's edits record:
// the title, the residual concerns and each answer as answer.<question>.
func auditContent(title, residual string, answers map[string]string) map[string]any {
	m := map[string]any{"title": title, "residual_concerns": residual}
	for id, v := range answers {
		m["answer."+id] = v
	}
	return m
}

// editable refuses changes to an assessment in review.
func editable(r *row) error {
	if r.status == StatusInReview {
		return aims.Errorf(aims.CodeConflict,
			"%s is in review: an approver approves it or sends it back before it can change", r.ref)
	}
	return nil
}

// reopen makes a changed approved assessment a draft again, recording the
// change of status in ch, and returns the status to store.
func reopen(r *row, ch *[]tlog.Change) string {
	if r.status != StatusApproved {
		return r.status
	}
	*ch = append(*ch, tlog.Change{Field: "status", Before: mustJSON(StatusApproved), After: mustJSON(StatusDraft)})
	sort.Slice(*ch, func(i, j int) bool { return (*ch)[i].Field < (*ch)[j].Field })
	return StatusDraft
}

// History returns the audit events about an assessment, newest first.
func (s *Service) History(ctx context.Context, actor *aims.Actor, key string) ([]tlog.Event, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := readRow(ctx, s.db, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	return tlog.Events(ctx, s.db, actor.OrgID, tlog.EventFilter{ObjectType: ObjectAssessment, ObjectID: r.id, Limit: 500})
}
