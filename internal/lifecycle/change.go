package lifecycle

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Kinds of change.
const (
	ChangeModelVersion       = "model_version"
	ChangeTrainingData       = "training_data"
	ChangeIntendedPurpose    = "intended_purpose"
	ChangeAffectedPopulation = "affected_population"
	ChangeSupplier           = "supplier"
	ChangeOther              = "other"
)

// ChangeKinds lists what a change request can change; the first four are
// significant by rule.
var ChangeKinds = []Option{
	{ChangeModelVersion, "Model version", "a new model version: always significant"},
	{ChangeTrainingData, "Training data", "new training data: always significant"},
	{ChangeIntendedPurpose, "Intended purpose", "a changed intended purpose: always significant"},
	{ChangeAffectedPopulation, "Affected population", "a changed population the system affects: always significant"},
	{ChangeSupplier, "Supplier", "a change of supplier: minor unless marked significant"},
	{ChangeOther, "Other", "anything else: minor unless marked significant"},
}

// changeWords name the significant kinds in a rule's words.
var changeWords = map[string]string{
	ChangeModelVersion:       "a new model version",
	ChangeTrainingData:       "new training data",
	ChangeIntendedPurpose:    "a changed intended purpose",
	ChangeAffectedPopulation: "a changed affected population",
}

// Classifications of a change.
const (
	Significant = "significant"
	Minor       = "minor"
)

// Statuses of a change request.
const (
	ChangeRequested   = "requested"
	ChangeApproved    = "approved"
	ChangeRefused     = "refused"
	ChangeImplemented = "implemented"
	ChangeWithdrawn   = "withdrawn"
)

// ChangeStatuses lists the statuses of a change request in the order it moves through them.
var ChangeStatuses = []Option{
	{ChangeRequested, "Requested", "waiting for a decision"},
	{ChangeApproved, "Approved", "approved, not implemented yet"},
	{ChangeImplemented, "Implemented", "done"},
	{ChangeRefused, "Refused", "a lead refused it"},
	{ChangeWithdrawn, "Withdrawn", "the requester withdrew it"},
}

// ChangeRequest is a proposed change of an AI system.
type ChangeRequest struct {
	ID                 string   `json:"id"`
	Ref                string   `json:"ref" doc:"Short reference such as CR-3."`
	SystemID           string   `json:"system_id"`
	SystemRef          string   `json:"system_ref"`
	SystemName         string   `json:"system_name"`
	Title              string   `json:"title"`
	Kinds              []string `json:"kinds" doc:"What changes: model_version, training_data, intended_purpose, affected_population, supplier, other."`
	Description        string   `json:"description"`
	Justification      string   `json:"justification"`
	ExpectedImpact     string   `json:"expected_impact"`
	MarkedSignificant  bool     `json:"marked_significant" doc:"True when the requester marked the change significant."`
	Classification     string   `json:"classification" enum:"significant,minor"`
	ClassificationRule string   `json:"classification_rule" doc:"The rule that made the classification, in words."`
	// RaisedBy is the lead who raised a minor change to significant, with the reason.
	RaisedBy           string     `json:"raised_by"`
	RaisedByName       string     `json:"raised_by_name"`
	RaisedReason       string     `json:"raised_reason"`
	Status             string     `json:"status" enum:"requested,approved,refused,implemented,withdrawn"`
	RequestedBy        string     `json:"requested_by"`
	RequestedByName    string     `json:"requested_by_name"`
	RequestedAt        time.Time  `json:"requested_at"`
	DecidedBy          string     `json:"decided_by"`
	DecidedByName      string     `json:"decided_by_name"`
	DecidedAt          *time.Time `json:"decided_at"`
	DecisionNote       string     `json:"decision_note" doc:"The approver's note, or the reason for a refusal or withdrawal."`
	ImplementedBy      string     `json:"implemented_by"`
	ImplementedByName  string     `json:"implemented_by_name"`
	ImplementedAt      *time.Time `json:"implemented_at"`
	ImplementationNote string     `json:"implementation_note"`
	Version            int        `json:"version" doc:"Increases with every change; send it back when deciding."`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// ChangeCreate raises a change request for a system.
type ChangeCreate struct {
	System         string   `json:"system" doc:"The AI system, by reference such as SYS-1 or id."`
	Title          string   `json:"title" maxLength:"200"`
	Kinds          []string `json:"kinds" minItems:"1" maxItems:"6" doc:"What changes: model_version, training_data, intended_purpose, affected_population, supplier, other."`
	Description    string   `json:"description,omitempty" maxLength:"4000"`
	Justification  string   `json:"justification" maxLength:"4000" doc:"Why the change is needed."`
	ExpectedImpact string   `json:"expected_impact,omitempty" maxLength:"4000" doc:"What the change is expected to do to the system's behaviour, its users and the people it affects."`
	Significant    bool     `json:"significant,omitempty" doc:"Mark a supplier or other change significant; the other kinds are significant by rule anyway."`
}

// Classify applies the rules of significance: a new model version, new
// training data, a changed intended purpose or affected population are
// significant; a change of supplier or other is minor unless marked
// significant. It returns the classification and the rule in words.
func Classify(kinds []string, marked bool) (classification, rule string) {
	var sig []string
	for _, k := range kinds {
		if w, ok := changeWords[k]; ok {
			sig = append(sig, w)
		}
	}
	switch {
	case len(sig) == 1:
		return Significant, "significant by rule: " + sig[0] + " is always significant"
	case len(sig) > 1:
		return Significant, "significant by rule: " + strings.Join(sig[:len(sig)-1], ", ") + " and " + sig[len(sig)-1] + " are always significant"
	case marked:
		return Significant, "significant: marked so by the requester (a change of supplier or other is minor unless marked)"
	}
	return Minor, "minor by rule: a change of supplier or other is minor unless marked significant"
}

// significantByRule reports whether any kind is significant by rule.
func significantByRule(kinds []string) bool {
	for _, k := range kinds {
		if _, ok := changeWords[k]; ok {
			return true
		}
	}
	return false
}

const selectChange = `SELECT c.id, c.ref, c.system_id, c.title, c.kinds, c.description, c.justification, c.expected_impact,
	c.marked_significant, c.classification, c.classification_rule, c.raised_by, COALESCE(ru.name, c.raised_by), c.raised_reason, c.status,
	c.requested_by, COALESCE(qu.name, c.requested_by), c.requested_at, c.decided_by, COALESCE(du.name, c.decided_by), c.decided_at,
	c.decision_note, c.implemented_by, COALESCE(iu.name, c.implemented_by), c.implemented_at, c.implementation_note,
	c.version, c.created_at, c.updated_at
	FROM change_requests c LEFT JOIN users ru ON ru.id = c.raised_by LEFT JOIN users qu ON qu.id = c.requested_by
	LEFT JOIN users du ON du.id = c.decided_by LEFT JOIN users iu ON iu.id = c.implemented_by`

func scanChange(scan func(...any) error) (*ChangeRequest, error) {
	var c ChangeRequest
	var kinds string
	var decided, implemented sql.NullTime
	if err := scan(&c.ID, &c.Ref, &c.SystemID, &c.Title, &kinds, &c.Description, &c.Justification, &c.ExpectedImpact,
		&c.MarkedSignificant, &c.Classification, &c.ClassificationRule, &c.RaisedBy, &c.RaisedByName, &c.RaisedReason, &c.Status,
		&c.RequestedBy, &c.RequestedByName, &c.RequestedAt, &c.DecidedBy, &c.DecidedByName, &decided,
		&c.DecisionNote, &c.ImplementedBy, &c.ImplementedByName, &implemented, &c.ImplementationNote,
		&c.Version, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(kinds), &c.Kinds); err != nil {
		return nil, fmt.Errorf("cannot read the kinds of %s: %w", c.Ref, err)
	}
	if decided.Valid {
		t := decided.Time.UTC()
		c.DecidedAt = &t
	}
	if implemented.Valid {
		t := implemented.Time.UTC()
		c.ImplementedAt = &t
	}
	c.RequestedAt, c.CreatedAt, c.UpdatedAt = c.RequestedAt.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// readChange finds a change request of an organisation by reference or id.
func readChange(ctx context.Context, q db.Queryer, orgID, idOrRef string) (*ChangeRequest, error) {
	key := strings.TrimSpace(idOrRef)
	c, err := scanChange(q.QueryRowContext(ctx, selectChange+` WHERE c.org_id = ? AND (c.ref = ? OR c.id = ?)`,
		orgID, strings.ToUpper(key), key).Scan)
	if db.IsNoRows(err) {
		return nil, aims.NotFound("change request", idOrRef)
	}
	return c, err
}

// normaliseKinds keeps known kinds once each, in the order of ChangeKinds.
func normaliseKinds(p *aims.Problems, kinds []string) []string {
	seen := map[string]bool{}
	for _, k := range kinds {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !allowed(ChangeKinds, k) {
			if !p.Has("kinds") {
				p.Add("kinds", "must each be one of %s", values(ChangeKinds))
			}
			continue
		}
		seen[k] = true
	}
	out := []string{}
	for _, o := range ChangeKinds {
		if seen[o.Value] {
			out = append(out, o.Value)
		}
	}
	if len(out) == 0 && !p.Has("kinds") {
		p.Add("kinds", "must name at least one kind of change: %s", values(ChangeKinds))
	}
	return out
}

// CreateChange raises a change request for an active system and
// classifies it by the rules of significance.
func (s *Service) CreateChange(ctx context.Context, actor *aims.Actor, req ChangeCreate) (*ChangeRequest, error) {
	if err := identity.Authorize(actor, identity.ActStageRequest); err != nil {
		return nil, err
	}
	var p aims.Problems
	var sys *SystemInfo
	if strings.TrimSpace(req.System) == "" {
		p.Add("system", "is required")
	} else {
		var err error
		sys, err = s.sources.System(ctx, actor, req.System)
		if aims.CodeOf(err) == aims.CodeNotFound {
			p.Add("system", "is not an AI system of this organisation")
		} else if err != nil {
			return nil, err
		}
	}
	checkText(&p, "title", &req.Title, true, maxTitle)
	kinds := normaliseKinds(&p, req.Kinds)
	checkText(&p, "description", &req.Description, false, maxText)
	checkText(&p, "justification", &req.Justification, true, maxText)
	checkText(&p, "expected_impact", &req.ExpectedImpact, false, maxText)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if sys.Status != "active" {
		return nil, aims.Errorf(aims.CodeConflict, "%s is archived: restore it before raising changes to it", sys.Ref)
	}
	class, rule := Classify(kinds, req.Significant)
	var id string
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		ref, err := db.NextRef(ctx, tx, actor.OrgID, changePrefix)
		if err != nil {
			return err
		}
		id = aims.NewID()
		now, by := s.clock(), tlog.ActorOf(actor).ID
		if _, err := tx.ExecContext(ctx, `INSERT INTO change_requests (id, org_id, ref, system_id, title, kinds, description, justification,
			expected_impact, marked_significant, classification, classification_rule, raised_by, raised_reason, status,
			requested_by, requested_at, decided_by, decided_at, decision_note, implemented_by, implemented_at, implementation_note,
			version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, '', NULL, '', '', NULL, '', 1, ?, ?)`,
			id, actor.OrgID, ref, sys.ID, req.Title, string(mustJSON(kinds)), req.Description, req.Justification, req.ExpectedImpact,
			req.Significant, class, rule, ChangeRequested, by, now, now, now); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, map[string]any{"system": sys.Ref, "title": req.Title, "kinds": kinds, "description": req.Description,
			"justification": req.Justification, "expected_impact": req.ExpectedImpact, "marked_significant": req.Significant,
			"classification": class, "classification_rule": rule, "status": ChangeRequested})
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionChangeCreate, tlog.EventObject{Type: ObjectChange, ID: id, Ref: ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot raise a change of %s: %w", sys.Ref, err)
	}
	return s.GetChange(ctx, actor, id)
}

// GetChange returns a change request.
func (s *Service) GetChange(ctx context.Context, actor *aims.Actor, idOrRef string) (*ChangeRequest, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	c, err := readChange(ctx, s.db, actor.OrgID, idOrRef)
	if err != nil {
		return nil, err
	}
	names := systemNames{s: s, ctx: ctx, actor: actor}
	if c.SystemRef, c.SystemName, err = names.of(c.SystemID); err != nil {
		return nil, err
	}
	return c, nil
}

// ChangeQuery filters, searches and pages change requests.
type ChangeQuery struct {
	System         string `query:"system" doc:"Only the changes of this AI system, by reference or id."`
	Status         string `query:"status" enum:"open,requested,approved,refused,implemented,withdrawn" doc:"Only changes in this status; open is requested or approved and not yet implemented."`
	Classification string `query:"classification" enum:"significant,minor"`
	Kind           string `query:"kind" enum:"model_version,training_data,intended_purpose,affected_population,supplier,other" doc:"Only changes of this kind."`
	Q              string `query:"q" doc:"Words that must all appear in the reference, title or description."`
	Limit          int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset         int    `query:"offset" minimum:"0"`
}

// ChangePage is one page of change requests, newest first.
type ChangePage struct {
	Items  []ChangeRequest `json:"items"`
	Total  int             `json:"total"`
	Limit  int             `json:"limit"`
	Offset int             `json:"offset"`
}

// Changes lists change requests, newest first.
func (s *Service) Changes(ctx context.Context, actor *aims.Actor, q ChangeQuery) (*ChangePage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	q.System, q.Status, q.Classification, q.Kind, q.Q = strings.TrimSpace(q.System), strings.TrimSpace(q.Status),
		strings.TrimSpace(q.Classification), strings.TrimSpace(q.Kind), strings.TrimSpace(q.Q)
	if q.Status != "" && q.Status != "open" && !allowed(ChangeStatuses, q.Status) {
		p.Add("status", "must be open or one of %s", values(ChangeStatuses))
	}
	if q.Classification != "" && q.Classification != Significant && q.Classification != Minor {
		p.Add("classification", "must be significant or minor")
	}
	if q.Kind != "" && !allowed(ChangeKinds, q.Kind) {
		p.Add("kind", "must be one of %s", values(ChangeKinds))
	}
	pageLimits(&p, &q.Limit, q.Offset)
	if err := p.Err(); err != nil {
		return nil, err
	}
	where, args := []string{"c.org_id = ?"}, []any{actor.OrgID}
	if q.System != "" {
		sys, err := s.sources.System(ctx, actor, q.System)
		if aims.CodeOf(err) == aims.CodeNotFound {
			return nil, invalid("system", "is not an AI system of this organisation")
		} else if err != nil {
			return nil, err
		}
		where, args = append(where, "c.system_id = ?"), append(args, sys.ID)
	}
	switch q.Status {
	case "":
	case "open":
		where, args = append(where, "c.status IN (?, ?)"), append(args, ChangeRequested, ChangeApproved)
	default:
		where, args = append(where, "c.status = ?"), append(args, q.Status)
	}
	if q.Classification != "" {
		where, args = append(where, "c.classification = ?"), append(args, q.Classification)
	}
	if q.Kind != "" {
		where, args = append(where, `c.kinds LIKE ? ESCAPE '\'`), append(args, `%"`+likeEscape(q.Kind)+`"%`)
	}
	for _, w := range strings.Fields(strings.ToLower(q.Q)) {
		w = "%" + likeEscape(w) + "%"
		where = append(where, `(lower(c.ref) LIKE ? ESCAPE '\' OR lower(c.title) LIKE ? ESCAPE '\' OR lower(c.description) LIKE ? ESCAPE '\')`)
		args = append(args, w, w, w)
	}
	cond := strings.Join(where, " AND ")
	page := &ChangePage{Items: []ChangeRequest{}, Limit: q.Limit, Offset: q.Offset}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM change_requests c WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, selectChange+` WHERE `+cond+` ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanChange(rows.Scan)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	names := systemNames{s: s, ctx: ctx, actor: actor}
	for i := range page.Items {
		it := &page.Items[i]
		if it.SystemRef, it.SystemName, err = names.of(it.SystemID); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// likeEscape makes a word match literally in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
