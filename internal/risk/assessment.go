package risk

import (
	"context"
	"crypto/sha256"
	"database/sql"
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

// Scopes of a risk assessment, and its states.
const (
	ScopeAll     = "all"     // every risk of the register
	ScopeSystems = "systems" // the risks of chosen AI systems

	AssessmentOpen   = "open"
	AssessmentClosed = "closed"
)

// assessmentPrefix starts every risk assessment's reference.
const assessmentPrefix = "RA"

// OpenAssessmentRequest opens a named risk assessment.
type OpenAssessmentRequest struct {
	Name    string   `json:"name" doc:"Such as Annual 2026, or the change that triggers it; at most 200 characters."`
	Scope   string   `json:"scope,omitempty" enum:"all,systems" doc:"all (the default) or systems."`
	Systems []string `json:"systems,omitempty" maxItems:"50" doc:"With scope systems: the AI systems whose risks are assessed, by reference or id."`
	Note    string   `json:"note,omitempty" doc:"Why the assessment is made, at most 4000 characters."`
}

// CloseAssessmentRequest closes a risk assessment.
type CloseAssessmentRequest struct {
	Note string `json:"note,omitempty" doc:"The closer's conclusion, at most 4000 characters."`
}

// Checkpoint is the audit checkpoint signed when an assessment closed: it
// covers the closing's own audit event.
type Checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size" doc:"Number of audit log entries covered; the closing event is the last of them."`
	Root   []byte `json:"root" doc:"Merkle root hash of the audit log at that size, base64."`
	Note   string `json:"note" doc:"The signed checkpoint as a C2SP signed note."`
}

// Assessment is a named risk assessment (ISO/IEC 42001 8.2): while open it
// shows the risks in its scope as they are; once closed, as they were when
// it closed, with the closer and the signed audit checkpoint.
type Assessment struct {
	Ref          string      `json:"ref" doc:"Such as RA-2."`
	Name         string      `json:"name"`
	Organisation string      `json:"organisation"`
	Scope        string      `json:"scope" enum:"all,systems"`
	Systems      []SystemRef `json:"systems" doc:"The AI systems of a systems scope."`
	Note         string      `json:"note"`
	Status       string      `json:"status" enum:"open,closed"`
	OpenedBy     string      `json:"opened_by"`
	OpenedByName string      `json:"opened_by_name"`
	OpenedAt     time.Time   `json:"opened_at"`
	ClosedBy     string      `json:"closed_by,omitempty"`
	ClosedByName string      `json:"closed_by_name,omitempty"`
	ClosedAt     *time.Time  `json:"closed_at,omitempty"`
	CloseNote    string      `json:"close_note,omitempty"`
	Checkpoint   *Checkpoint `json:"checkpoint,omitempty"`
	// CriteriaVersion is the current criteria version when it closed, or now while open.
	CriteriaVersion int    `json:"criteria_version"`
	Risks           []Risk `json:"risks" doc:"Every risk in scope: as it was at closing, or as it is while open."`
}

// AssessmentSummary describes an assessment in a list.
type AssessmentSummary struct {
	Ref          string     `json:"ref"`
	Name         string     `json:"name"`
	Scope        string     `json:"scope"`
	Status       string     `json:"status"`
	OpenedByName string     `json:"opened_by_name"`
	OpenedAt     time.Time  `json:"opened_at"`
	ClosedByName string     `json:"closed_by_name,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Risks        int        `json:"risks" doc:"Risks recorded at closing; 0 while open."`
}

// frozenFormat is the version of the stored results' encoding.
const frozenFormat = 1

// frozen is what a closed assessment stores, as JSON. Its SHA-256 is in the
// closing's audit event, which the signed checkpoint covers.
type frozen struct {
	Format          int    `json:"format"`
	Organisation    string `json:"organisation"`
	ClosedByName    string `json:"closed_by_name"`
	CriteriaVersion int    `json:"criteria_version"`
	Risks           []Risk `json:"risks"`
}

// OpenAssessment opens a named risk assessment of every risk, or of the
// risks of chosen AI systems.
func (s *Service) OpenAssessment(ctx context.Context, actor *aims.Actor, req OpenAssessmentRequest) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActRiskEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	checkText(&p, "name", &req.Name, true, maxTitle)
	checkText(&p, "note", &req.Note, false, maxText)
	req.Scope = strings.TrimSpace(req.Scope)
	if req.Scope == "" {
		req.Scope = ScopeAll
	}
	var systems []SystemRef
	switch req.Scope {
	case ScopeAll:
		if len(req.Systems) > 0 {
			p.Add("systems", "must be empty when the scope is all risks")
		}
	case ScopeSystems:
		d := &details{}
		var sp aims.Problems
		if err := s.check(ctx, actor.OrgID, d, req.Systems, &sp); err != nil {
			return nil, err
		}
		for _, f := range sp {
			if f.Field == "systems" {
				p = append(p, f)
			}
		}
		systems = d.Systems
		if len(systems) == 0 && !p.Has("systems") {
			p.Add("systems", "is required: choose the AI systems whose risks are assessed")
		}
	default:
		p.Add("scope", "must be all or systems")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	ids := make([]string, len(systems))
	refs := make([]string, len(systems))
	for i, sys := range systems {
		ids[i], refs[i] = sys.ID, sys.Ref
	}
	var ref string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		var err error
		if ref, err = db.NextRef(ctx, tx, actor.OrgID, assessmentPrefix); err != nil {
			return err
		}
		id := aims.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_assessments (id, org_id, ref, name, scope, scope_systems, note, status,
			opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, actor.OrgID, ref, req.Name, req.Scope, jsonText(ids),
			req.Note, AssessmentOpen, tlog.ActorOf(actor).ID, s.clock()); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, map[string]any{"name": req.Name, "scope": req.Scope, "systems": refs, "note": req.Note,
			"status": AssessmentOpen})
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionAssessmentOpen, tlog.EventObject{Type: ObjectAssessment, ID: id, Ref: ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot open the risk assessment: %w", err)
	}
	return s.assessment(ctx, s.db, actor.OrgID, ref)
}

// CloseAssessment closes an open risk assessment. In one transaction it
// freezes the state of every risk in scope (levels, treatment, acceptance,
// owner, status), records the closing's audit event with the SHA-256 of
// that record, signs an audit checkpoint that covers the event, and stores
// the results naming the closer and the checkpoint. Closed assessments are
// never changed.
func (s *Service) CloseAssessment(ctx context.Context, actor *aims.Actor, ref string, req CloseAssessmentRequest) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActRiskAccept); err != nil {
		return nil, err
	}
	if actor.UserID == "" {
		return nil, aims.Errorf(aims.CodeForbidden, "a risk assessment is closed by a person: sign in, or use your own API token")
	}
	var p aims.Problems
	checkText(&p, "note", &req.Note, false, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		a, err := s.assessment(ctx, tx, actor.OrgID, ref)
		if err != nil {
			return err
		}
		if a.Status != AssessmentOpen {
			return aims.Errorf(aims.CodeConflict, "%s is already closed", a.Ref)
		}
		var id string
		if err := tx.QueryRowContext(ctx, `SELECT id FROM risk_assessments WHERE org_id = ? AND ref = ?`, actor.OrgID, a.Ref).Scan(&id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE risk_assessments SET status = ? WHERE id = ? AND status = ?`, AssessmentClosed, id, AssessmentOpen)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return aims.Errorf(aims.CodeConflict, "%s was closed by someone else at the same time", a.Ref)
		}
		var closer string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, actor.UserID).Scan(&closer); err != nil {
			return fmt.Errorf("cannot read the closer's name: %w", err)
		}
		body, err := json.Marshal(frozen{Format: frozenFormat, Organisation: a.Organisation, ClosedByName: closer,
			CriteriaVersion: a.CriteriaVersion, Risks: a.Risks})
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		changes := []tlog.Change{
			{Field: "status", Before: mustJSON(AssessmentOpen), After: mustJSON(AssessmentClosed)},
			{Field: "risks", After: mustJSON(len(a.Risks))},
			{Field: "criteria_version", After: mustJSON(a.CriteriaVersion)},
			{Field: "content_sha256", After: mustJSON(hex.EncodeToString(sum[:]))},
		}
		if req.Note != "" {
			changes = append(changes, tlog.Change{Field: "note", After: mustJSON(req.Note)})
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionAssessmentClose,
			tlog.EventObject{Type: ObjectAssessment, ID: id, Ref: a.Ref}, changes); err != nil {
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
			return errors.New("no audit checkpoint was signed for the closing")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO risk_assessment_results (assessment_id, org_id, closed_by, closed_at, note,
			checkpoint_size, checkpoint_root, checkpoint_note, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, actor.OrgID, actor.UserID, s.clock(), req.Note, cp.Size, cp.Root[:], cp.Note, string(body))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot close the risk assessment %s: %w", upper(ref), err)
	}
	return s.assessment(ctx, s.db, actor.OrgID, ref)
}

// Assessments lists the organisation's risk assessments, newest first.
func (s *Service) Assessments(ctx context.Context, actor *aims.Actor) ([]AssessmentSummary, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.ref, a.name, a.scope, a.status, COALESCE(o.name, a.opened_by), a.opened_at,
		COALESCE(c.name, ''), x.closed_at, COALESCE(x.content, '')
		FROM risk_assessments a LEFT JOIN users o ON o.id = a.opened_by
		LEFT JOIN risk_assessment_results x ON x.assessment_id = a.id LEFT JOIN users c ON c.id = x.closed_by
		WHERE a.org_id = ? ORDER BY a.opened_at DESC, a.id DESC`, actor.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AssessmentSummary{}
	for rows.Next() {
		var a AssessmentSummary
		var closedAt sql.NullTime
		var body string
		if err := rows.Scan(&a.Ref, &a.Name, &a.Scope, &a.Status, &a.OpenedByName, &a.OpenedAt, &a.ClosedByName, &closedAt, &body); err != nil {
			return nil, err
		}
		a.OpenedAt = a.OpenedAt.UTC()
		a.ClosedAt = timePtr(closedAt)
		if body != "" {
			var f struct {
				Risks []json.RawMessage `json:"risks"`
			}
			if err := json.Unmarshal([]byte(body), &f); err != nil {
				return nil, fmt.Errorf("stored results of %s: %w", a.Ref, err)
			}
			a.Risks = len(f.Risks)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assessment returns a risk assessment by reference, with its risks.
func (s *Service) Assessment(ctx context.Context, actor *aims.Actor, ref string) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.assessment(ctx, s.db, actor.OrgID, ref)
}

// assessment reads an assessment through q: a closed one from its frozen
// results, an open one with the risks in its scope as they are.
func (s *Service) assessment(ctx context.Context, q db.Queryer, orgID, ref string) (*Assessment, error) {
	a := &Assessment{Systems: []SystemRef{}, Risks: []Risk{}}
	var id, systems, cpNote, body string
	var closedAt sql.NullTime
	var cpSize int64
	var cpRoot []byte
	err := q.QueryRowContext(ctx, `SELECT a.id, a.ref, a.name, a.scope, a.scope_systems, a.note, a.status, a.opened_by,
		COALESCE(o.name, a.opened_by), a.opened_at, COALESCE(x.closed_by, ''), COALESCE(c.name, ''), x.closed_at, COALESCE(x.note, ''),
		COALESCE(x.checkpoint_size, 0), x.checkpoint_root, COALESCE(x.checkpoint_note, ''), COALESCE(x.content, '')
		FROM risk_assessments a LEFT JOIN users o ON o.id = a.opened_by
		LEFT JOIN risk_assessment_results x ON x.assessment_id = a.id LEFT JOIN users c ON c.id = x.closed_by
		WHERE a.org_id = ? AND a.ref = ?`, orgID, upper(ref)).Scan(&id, &a.Ref, &a.Name, &a.Scope, &systems, &a.Note, &a.Status,
		&a.OpenedBy, &a.OpenedByName, &a.OpenedAt, &a.ClosedBy, &a.ClosedByName, &closedAt, &a.CloseNote, &cpSize, &cpRoot, &cpNote, &body)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("risk assessment", ref)
	}
	if err != nil {
		return nil, err
	}
	a.OpenedAt = a.OpenedAt.UTC()
	a.ClosedAt = timePtr(closedAt)
	var ids []string
	if err := json.Unmarshal([]byte(systems), &ids); err != nil {
		return nil, fmt.Errorf("stored scope of %s: %w", a.Ref, err)
	}
	rd, err := s.reader(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	for _, sid := range ids {
		sys, err := rd.system(ctx, sid)
		if err != nil {
			return nil, err
		}
		a.Systems = append(a.Systems, sys)
	}
	if body != "" {
		var f frozen
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			return nil, fmt.Errorf("stored results of %s: %w", a.Ref, err)
		}
		if f.Format != frozenFormat {
			return nil, fmt.Errorf("stored results of %s have unknown format %d", a.Ref, f.Format)
		}
		a.Organisation, a.ClosedByName, a.CriteriaVersion, a.Risks = f.Organisation, f.ClosedByName, f.CriteriaVersion, f.Risks
		a.Checkpoint = &Checkpoint{Size: cpSize, Root: cpRoot, Note: cpNote}
		a.Checkpoint.Origin, _, _ = strings.Cut(cpNote, "\n")
		for i := range a.Risks {
			fill(&a.Risks[i])
		}
		return a, nil
	}
	if err := q.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, orgID).Scan(&a.Organisation); err != nil {
		return nil, err
	}
	a.CriteriaVersion = rd.criteria.currentVersion()
	where, args := `WHERE r.org_id = ?`, []any{orgID}
	if a.Scope == ScopeSystems {
		if len(ids) == 0 {
			return a, nil
		}
		where += ` AND EXISTS (SELECT 1 FROM risk_systems x WHERE x.risk_id = r.id AND x.system_id IN (?` + strings.Repeat(", ?", len(ids)-1) + `))`
		for _, sid := range ids {
			args = append(args, sid)
		}
	}
	risks, err := rd.risks(ctx, where+` ORDER BY r.created_at, r.id`, args...)
	if err != nil {
		return nil, err
	}
	for _, r := range risks {
		a.Risks = append(a.Risks, *r)
	}
	return a, nil
}

// fill gives a risk read from stored JSON empty lists rather than nulls.
func fill(r *Risk) {
	if r.Systems == nil {
		r.Systems = []SystemRef{}
	}
	if r.Objectives == nil {
		r.Objectives = []Named{}
	}
	if r.Impacts == nil {
		r.Impacts = []ImpactRef{}
	}
	if r.Treatment.Controls == nil {
		r.Treatment.Controls = []ControlInfo{}
	}
	if r.Treatment.Actions == nil {
		r.Treatment.Actions = []Action{}
	}
}

// timePtr is a time that may be NULL, in UTC.
func timePtr(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}
