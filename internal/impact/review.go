package impact

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// ReviewRequest submits an assessment for review, or sends it back.
type ReviewRequest struct {
	Version int    `json:"version" minimum:"0" doc:"The assessment's version this is based on."`
	Note    string `json:"note,omitempty" doc:"At most 4000 characters; required when sending an assessment back."`
}

// ApproveRequest approves an assessment in review as its next version.
type ApproveRequest struct {
	Version        int    `json:"version" minimum:"0" doc:"The assessment's version this approval is based on."`
	Note           string `json:"note,omitempty" doc:"The approver's note, at most 4000 characters."`
	NextReviewDate string `json:"next_review_date,omitempty" doc:"When the assessment is next reviewed, YYYY-MM-DD, after today; by default one year from today."`
}

// frozenFormat is the version of the stored snapshot's encoding.
const frozenFormat = 1

// frozen is what a version stores of an assessment at approval, as JSON in
// impact_assessment_versions.content. Its SHA-256 is recorded in the
// approval's audit event, so the signed checkpoint covers the content too.
type frozen struct {
	Format           int               `json:"format"`
	Organisation     string            `json:"organisation"`
	Title            string            `json:"title"`
	SystemID         string            `json:"system_id"`
	SystemRef        string            `json:"system_ref"`
	SystemName       string            `json:"system_name"`
	ModelVersion     string            `json:"model_version,omitempty"`
	Template         TemplateRef       `json:"template"`
	Sections         []Section         `json:"sections"`
	Answers          map[string]string `json:"answers"`
	Impacts          []Impact          `json:"impacts"`
	ResidualConcerns string            `json:"residual_concerns"`
	ApprovedByName   string            `json:"approved_by_name"`
}

// Submit sends a draft for review, once every required question is answered.
func (s *Service) Submit(ctx context.Context, actor *aims.Actor, key string, req ReviewRequest) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActImpactEdit); err != nil {
		return nil, err
	}
	return s.review(ctx, actor, key, req, ActionSubmit)
}

// Return sends an assessment in review back to draft, saying why.
func (s *Service) Return(ctx context.Context, actor *aims.Actor, key string, req ReviewRequest) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActImpactApprove); err != nil {
		return nil, err
	}
	return s.review(ctx, actor, key, req, ActionReturn)
}

// review submits or returns an assessment.
func (s *Service) review(ctx context.Context, actor *aims.Actor, key string, req ReviewRequest, action string) (*Assessment, error) {
	var p aims.Problems
	checkText(&p, "note", &req.Note, action == ActionReturn, maxText)
	if req.Version < 1 {
		p.Add("version", "must be the assessment's current version")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := lockRow(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		id = r.id
		if req.Version != r.version {
			return staleVersion("the assessment "+r.ref, r.version, req.Version)
		}
		from, to, verb := StatusDraft, StatusInReview, "submit"
		if action == ActionReturn {
			from, to, verb = StatusInReview, StatusDraft, "return"
		}
		if r.status != from {
			return aims.Errorf(aims.CodeConflict, "%s is %s: only an assessment %s can be %s", r.ref, strings.ToLower(Label(Statuses, r.status)),
				map[string]string{StatusDraft: "in draft", StatusInReview: "in review"}[from],
				map[string]string{ActionSubmit: "submitted for review", ActionReturn: "sent back"}[action])
		}
		if action == ActionSubmit {
			if err := s.complete(ctx, tx, actor.OrgID, r); err != nil {
				return err
			}
		}
		now := s.clock()
		by := tlog.ActorOf(actor).ID
		if _, err := tx.ExecContext(ctx, `UPDATE impact_assessments SET status = ?, review_action = ?, review_note = ?, review_by = ?,
			review_at = ?, version = version + 1, updated_at = ? WHERE org_id = ? AND id = ?`, to, verb, req.Note, by, now, now, actor.OrgID, r.id); err != nil {
			return err
		}
		ch := []tlog.Change{{Field: "status", Before: mustJSON(from), After: mustJSON(to)}}
		if req.Note != "" {
			ch = append(ch, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, action, tlog.EventObject{Type: ObjectAssessment, ID: r.id, Ref: r.ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot %s the impact assessment %s: %w",
			map[string]string{ActionSubmit: "submit", ActionReturn: "send back"}[action], key, err)
	}
	return s.get(ctx, actor.OrgID, id)
}

// complete refuses an assessment with required questions unanswered,
// naming each: answers.<id>, or impacts for a list of impacts.
func (s *Service) complete(ctx context.Context, q db.Queryer, orgID string, r *row) error {
	tpl, err := s.template(ctx, q, orgID, r.templateKey, r.templateVersion)
	if err != nil {
		return err
	}
	answers, err := r.answerMap()
	if err != nil {
		return err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM impact_impacts WHERE org_id = ? AND assessment_id = ?`, orgID, r.id).Scan(&n); err != nil {
		return err
	}
	var p aims.Problems
	for _, id := range missing(tpl.Sections, answers, n) {
		if qn, _ := findQuestion(tpl.Sections, id); qn.Type == TypeImpacts {
			p.Add("impacts", "must list at least one impact (question %s)", id)
		} else {
			p.Add("answers."+id, "is required")
		}
	}
	return p.Err()
}

// Approve freezes an assessment in review as its next numbered version. In
// one transaction it stores the whole content, records the impact.approve
// event and signs an audit checkpoint that covers that event, and names the
// checkpoint in the version. It sets the next review date (by default one
// year on), which ends any review that was due.
func (s *Service) Approve(ctx context.Context, actor *aims.Actor, key string, req ApproveRequest) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActImpactApprove); err != nil {
		return nil, err
	}
	if actor.UserID == "" {
		return nil, aims.Errorf(aims.CodeForbidden, "an impact assessment is approved by a person: sign in, or use your own API token")
	}
	now := s.clock()
	var p aims.Problems
	checkText(&p, "note", &req.Note, false, maxText)
	req.NextReviewDate = strings.TrimSpace(req.NextReviewDate)
	if req.NextReviewDate == "" {
		req.NextReviewDate = day(now.AddDate(1, 0, 0))
	} else if _, ok := checkDate(&p, "next_review_date", req.NextReviewDate); ok && req.NextReviewDate <= day(now) {
		p.Add("next_review_date", "must be after today, %s", day(now))
	}
	if req.Version < 1 {
		p.Add("version", "must be the assessment's current version")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var id string
	var number int
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := lockRow(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		id = r.id
		if req.Version != r.version {
			return staleVersion("the assessment "+r.ref, r.version, req.Version)
		}
		if r.status != StatusInReview {
			return aims.Errorf(aims.CodeConflict, "%s is %s: only an assessment in review can be approved; an editor submits it first",
				r.ref, strings.ToLower(Label(Statuses, r.status)))
		}
		if err := s.complete(ctx, tx, actor.OrgID, r); err != nil {
			return err
		}
		a, err := s.assemble(ctx, tx, actor.OrgID, r)
		if err != nil {
			return err
		}
		var org, approver string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, actor.OrgID).Scan(&org); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, actor.UserID).Scan(&approver); err != nil {
			return fmt.Errorf("cannot read the approver's name: %w", err)
		}
		content, err := json.Marshal(frozen{Format: frozenFormat, Organisation: org, Title: a.Title, SystemID: a.SystemID,
			SystemRef: a.SystemRef, SystemName: a.SystemName, ModelVersion: a.ModelVersion, Template: a.Template, Sections: a.Sections,
			Answers: a.Answers, Impacts: a.Impacts, ResidualConcerns: a.ResidualConcerns, ApprovedByName: approver})
		if err != nil {
			return err
		}
		number = r.latestVersion + 1
		sum := sha256.Sum256(content)
		ch := []tlog.Change{
			{Field: "content_sha256", After: mustJSON(hex.EncodeToString(sum[:]))},
			{Field: "next_review_date", Before: mustJSON(r.nextReview), After: mustJSON(req.NextReviewDate)},
			{Field: "number", After: mustJSON(number)},
			{Field: "status", Before: mustJSON(StatusInReview), After: mustJSON(StatusApproved)},
		}
		if req.Note != "" {
			ch = append(ch, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionApprove, tlog.EventObject{Type: ObjectAssessment, ID: r.id, Ref: r.ref}, ch); err != nil {
			return err
		}
		logID, err := tlog.LogID(ctx, tx, actor.OrgID, tlog.KindAudit, "")
		if err != nil {
			return err
		}
		cp, err := s.logs.SignTx(ctx, tx, logID, false)
		if err != nil {
			return fmt.Errorf("cannot sign the audit checkpoint: %w", err)
		}
		if cp == nil {
			return errors.New("no audit checkpoint was signed for the approval")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO impact_assessment_versions (id, org_id, assessment_id, number, note, next_review_date,
			approved_by, approved_at, checkpoint_size, checkpoint_root, checkpoint_note, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			aims.NewID(), actor.OrgID, r.id, number, req.Note, req.NextReviewDate, actor.UserID, now, cp.Size, cp.Root[:], cp.Note, string(content))
		if db.IsUniqueViolation(err) {
			return aims.Errorf(aims.CodeConflict, "version %d of %s was approved by someone else at the same time: reload and look at it", number, r.ref)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE impact_assessments SET status = ?, latest_version = ?, latest_approved_at = ?,
			next_review_date = ?, version = version + 1, updated_at = ? WHERE org_id = ? AND id = ?`,
			StatusApproved, number, now, req.NextReviewDate, now, actor.OrgID, r.id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot approve the impact assessment %s: %w", key, err)
	}
	return s.version(ctx, s.db, actor.OrgID, id, number)
}

// Versions lists an assessment's approved versions, newest first.
func (s *Service) Versions(ctx context.Context, actor *aims.Actor, key string) ([]VersionSummary, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := readRow(ctx, s.db, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT v.number, v.note, v.next_review_date, v.approved_by, COALESCE(u.name, ''), v.approved_at,
		v.checkpoint_size FROM impact_assessment_versions v LEFT JOIN users u ON u.id = v.approved_by
		WHERE v.org_id = ? AND v.assessment_id = ? ORDER BY v.number DESC`, actor.OrgID, r.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []VersionSummary{}
	for rows.Next() {
		var v VersionSummary
		if err := rows.Scan(&v.Number, &v.Note, &v.NextReviewDate, &v.ApprovedBy, &v.ApprovedByName, &v.ApprovedAt, &v.CheckpointSize); err != nil {
			return nil, err
		}
		v.ApprovedAt = v.ApprovedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// Version returns an approved version of an assessment with its frozen content.
func (s *Service) Version(ctx context.Context, actor *aims.Actor, key string, number int) (*Version, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := readRow(ctx, s.db, actor.OrgID, key)
	if err != nil {
		return nil, err
	}
	return s.version(ctx, s.db, actor.OrgID, r.id, number)
}

func (s *Service) version(ctx context.Context, q db.Queryer, orgID, assessmentID string, number int) (*Version, error) {
	v := &Version{Number: number, Checkpoint: &Checkpoint{}}
	var content string
	err := q.QueryRowContext(ctx, `SELECT a.ref, v.note, v.next_review_date, v.approved_by, v.approved_at, v.checkpoint_size,
		v.checkpoint_root, v.checkpoint_note, v.content FROM impact_assessment_versions v JOIN impact_assessments a ON a.id = v.assessment_id
		WHERE v.org_id = ? AND v.assessment_id = ? AND v.number = ?`, orgID, assessmentID, number).
		Scan(&v.AssessmentRef, &v.Note, &v.NextReviewDate, &v.ApprovedBy, &v.ApprovedAt, &v.Checkpoint.Size, &v.Checkpoint.Root,
			&v.Checkpoint.Note, &content)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("version of the impact assessment", itoa(number))
	}
	if err != nil {
		return nil, err
	}
	v.ApprovedAt = v.ApprovedAt.UTC()
	v.Checkpoint.Origin, _, _ = strings.Cut(v.Checkpoint.Note, "\n")
	var f frozen
	if err := json.Unmarshal([]byte(content), &f); err != nil {
		return nil, fmt.Errorf("stored content of version %d: %w", number, err)
	}
	if f.Format != frozenFormat {
		return nil, fmt.Errorf("stored content of version %d has unknown format %d", number, f.Format)
	}
	v.Organisation, v.Title, v.SystemID, v.SystemRef, v.SystemName = f.Organisation, f.Title, f.SystemID, f.SystemRef, f.SystemName
	v.ModelVersion, v.Template, v.Sections, v.Answers, v.Impacts = f.ModelVersion, f.Template, f.Sections, f.Answers, f.Impacts
	v.ResidualConcerns, v.ApprovedByName = f.ResidualConcerns, f.ApprovedByName
	if v.Answers == nil {
		v.Answers = map[string]string{}
	}
	for i := range v.Impacts {
		if v.Impacts[i].Risks == nil {
			v.Impacts[i].Risks = []RiskRef{}
		}
	}
	return v, nil
}

// working prepares an assessment's current content as a version, marked
// as a draft, for an export.
func (s *Service) working(ctx context.Context, orgID string, a *Assessment) (*Version, error) {
	var org string
	if err := s.db.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, orgID).Scan(&org); err != nil {
		return nil, err
	}
	return &Version{AssessmentRef: a.Ref, Draft: true, Organisation: org, Title: a.Title, SystemID: a.SystemID,
		SystemRef: a.SystemRef, SystemName: a.SystemName, ModelVersion: a.ModelVersion, Template: a.Template, Sections: a.Sections,
		Answers: a.Answers, Impacts: a.Impacts, ResidualConcerns: a.ResidualConcerns, NextReviewDate: a.NextReviewDate,
		ApprovedAt: time.Time{}}, nil
}
