package risk

import (
	"context"
	"database/sql"
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

// Kinds of reason a risk is due for review.
const (
	DueReviewDate        = "review_date"        // its next review date has passed
	DueSystemChanged     = "system_changed"     // an AI system it concerns changed since it was assessed
	DueAcceptanceExpired = "acceptance_expired" // its accepted residual risk is past the acceptance's last valid day
)

// DueReason says why a risk is due for review.
type DueReason struct {
	Kind string `json:"kind" enum:"review_date,system_changed,acceptance_expired"`
	Text string `json:"text" doc:"The reason in words."`
	// For a changed system: which system, which field and when.
	SystemRef string     `json:"system_ref,omitempty"`
	Field     string     `json:"field,omitempty" enum:"intended_purpose,eu_ai_act_class,significant_change" doc:"For a changed system: the field that changed, or significant_change when a significant change of it was approved."`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
}

// DueRisk is a risk due for review, with every reason.
type DueRisk struct {
	ID         string      `json:"id"`
	Ref        string      `json:"ref"`
	Title      string      `json:"title"`
	OwnerID    string      `json:"owner_id"`
	OwnerName  string      `json:"owner_name"`
	NextReview string      `json:"next_review"`
	Reasons    []DueReason `json:"reasons"`
}

// DueAction is an open treatment action past its due date.
type DueAction struct {
	RiskRef     string `json:"risk_ref"`
	RiskTitle   string `json:"risk_title"`
	Number      int    `json:"number"`
	Description string `json:"description"`
	OwnerID     string `json:"owner_id"`
	OwnerName   string `json:"owner_name"`
	DueDate     string `json:"due_date"`
}

// Due is what needs attention in the register: risks due for review and
// overdue treatment actions, of risks that are not closed.
type Due struct {
	Risks   []DueRisk   `json:"risks" doc:"Risks due for review, in reference order."`
	Actions []DueAction `json:"actions" doc:"Open actions past their due date, the longest overdue first."`
}

// Due lists the risks due for review, each with its reasons, and the
// overdue treatment actions, for the dashboard. A risk is due when its
// next review date has passed, when an AI system it concerns changed its
// intended purpose or EU AI Act class, or had a significant change
// approved, after the risk was last assessed, or when
// its accepted residual risk expired.
func (s *Service) Due(ctx context.Context, actor *aims.Actor) (*Due, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return s.due(ctx, actor.OrgID)
}

type dueFacts struct {
	DueRisk
	assessedAt sql.NullTime
	status     string
	validUntil string
}

func (s *Service) due(ctx context.Context, orgID string) (*Due, error) {
	today := s.today()
	out := &Due{Risks: []DueRisk{}, Actions: []DueAction{}}
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.ref, r.title, COALESCE(r.owner_id, ''), COALESCE(u.name, ''), r.next_review,
		r.assessed_at, r.status, COALESCE(a.valid_until, '')
		FROM risks r LEFT JOIN users u ON u.id = r.owner_id LEFT JOIN risk_acceptances a ON a.id = r.acceptance_id
		WHERE r.org_id = ? AND r.status <> ?`, orgID, StatusClosed)
	if err != nil {
		return nil, err
	}
	byID := map[string]*dueFacts{}
	var order []*dueFacts
	for rows.Next() {
		f := &dueFacts{}
		if err := rows.Scan(&f.ID, &f.Ref, &f.Title, &f.OwnerID, &f.OwnerName, &f.NextReview, &f.assessedAt, &f.status, &f.validUntil); err != nil {
			rows.Close()
			return nil, err
		}
		byID[f.ID] = f
		order = append(order, f)
		if f.NextReview != "" && f.NextReview < today {
			f.Reasons = append(f.Reasons, DueReason{Kind: DueReviewDate, Text: "the next review was due on " + f.NextReview})
		}
		if f.status == StatusAccepted && f.validUntil != "" && f.validUntil < today {
			f.Reasons = append(f.Reasons, DueReason{Kind: DueAcceptanceExpired,
				Text: "the acceptance of its residual risk expired after " + f.validUntil})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.systemChanges(ctx, orgID, byID); err != nil {
		return nil, err
	}
	sort.Slice(order, func(i, j int) bool { return lessRef(order[i].Ref, order[j].Ref) })
	for _, f := range order {
		if len(f.Reasons) > 0 {
			out.Risks = append(out.Risks, f.DueRisk)
		}
	}
	rows, err = s.db.QueryContext(ctx, `SELECT r.ref, r.title, t.number, t.description, COALESCE(t.owner_id, ''), COALESCE(u.name, ''), t.due_date
		FROM risk_actions t JOIN risks r ON r.id = t.risk_id LEFT JOIN users u ON u.id = t.owner_id
		WHERE t.org_id = ? AND t.status = ? AND t.due_date <> '' AND t.due_date < ? AND r.status <> ?
		ORDER BY t.due_date, r.created_at, t.number`, orgID, ActionOpen, today, StatusClosed)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a DueAction
		if err := rows.Scan(&a.RiskRef, &a.RiskTitle, &a.Number, &a.Description, &a.OwnerID, &a.OwnerName, &a.DueDate); err != nil {
			return nil, err
		}
		out.Actions = append(out.Actions, a)
	}
	return out, rows.Err()
}

// fieldWords name the watched fields of an AI system in reasons.
var fieldWords = map[string]string{"intended_purpose": "intended purpose", "eu_ai_act_class": "EU AI Act class",
	significantField: "significant change"}

// significantField is the field of an AI system's audit event that the
// life cycle records when it approves a significant change of the system,
// such as "CR-3: New ranking model".
const significantField = "significant_change"

// dueFields are the AI system's fields whose change after a risk's last
// assessment makes it due: the system fields, and an approved significant change.
var dueFields = append(systemFields[:len(systemFields):len(systemFields)], significantField)

// systemChanges adds a reason to each assessed risk whose AI systems
// changed a watched field after the risk's last assessment: one per system
// and field, with the latest such change.
func (s *Service) systemChanges(ctx context.Context, orgID string, risks map[string]*dueFacts) error {
	rows, err := s.db.QueryContext(ctx, `SELECT risk_id, system_id FROM risk_systems WHERE org_id = ?`, orgID)
	if err != nil {
		return err
	}
	bySystem := map[string][]*dueFacts{}
	for rows.Next() {
		var riskID, systemID string
		if err := rows.Scan(&riskID, &systemID); err != nil {
			rows.Close()
			return err
		}
		if f := risks[riskID]; f != nil && f.assessedAt.Valid {
			bySystem[systemID] = append(bySystem[systemID], f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rd := &reader{s: s, orgID: orgID}
	systems := make([]string, 0, len(bySystem))
	for id := range bySystem {
		systems = append(systems, id)
	}
	sort.Strings(systems)
	for _, sysID := range systems {
		fs := bySystem[sysID]
		earliest := fs[0].assessedAt.Time
		for _, f := range fs {
			if f.assessedAt.Time.Before(earliest) {
				earliest = f.assessedAt.Time
			}
		}
		evs, err := tlog.ChangedSince(ctx, s.db, orgID, systemObjectType, sysID, earliest, dueFields...)
		if err != nil {
			return fmt.Errorf("cannot read the changes of AI system %s: %w", sysID, err)
		}
		if len(evs) == 0 {
			continue
		}
		sys, err := rd.system(ctx, sysID)
		if err != nil {
			return err
		}
		for _, f := range fs {
			latest := map[string]time.Time{}
			var change string // the latest significant change, "CR-3: New ranking model"
			for _, ev := range evs {
				if !ev.Time.After(f.assessedAt.Time) {
					continue
				}
				for _, c := range ev.Changes {
					if _, ok := fieldWords[c.Field]; ok {
						latest[c.Field] = ev.Time.UTC()
					}
					if c.Field == significantField {
						change = ""
						_ = json.Unmarshal(c.After, &change)
					}
				}
			}
			for _, field := range dueFields {
				at, ok := latest[field]
				if !ok {
					continue
				}
				text := fmt.Sprintf("the %s of %s %s changed on %s, after the risk was last assessed on %s", fieldWords[field],
					sys.Ref, sys.Name, at.Format(DateLayout), f.assessedAt.Time.UTC().Format(DateLayout))
				if field == significantField {
					text = fmt.Sprintf("a significant change was approved: %s (%s %s, on %s, after the risk was last assessed on %s)",
						strings.Replace(change, ": ", " ", 1), sys.Ref, sys.Name, at.Format(DateLayout), f.assessedAt.Time.UTC().Format(DateLayout))
				}
				f.Reasons = append(f.Reasons, DueReason{Kind: DueSystemChanged, SystemRef: sys.Ref, Field: field, ChangedAt: &at, Text: text})
			}
		}
	}
	return nil
}

// CriteriaInfo names a version of the criteria.
type CriteriaInfo struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// AssessmentInfo names a closed risk assessment.
type AssessmentInfo struct {
	Ref      string    `json:"ref"`
	Name     string    `json:"name"`
	ClosedAt time.Time `json:"closed_at"`
}

// Snapshot is what other capabilities, such as readiness, read of an
// organisation's risk management. Counts leave closed risks out.
type Snapshot struct {
	// Criteria is the current version of the criteria, nil when none is set.
	Criteria *CriteriaInfo `json:"criteria"`
	Risks    int           `json:"risks" doc:"Risks that are not closed."`
	Assessed int           `json:"assessed" doc:"Of them, those with a likelihood and impact."`
	// AboveAppetiteUntreated counts assessed risks whose current level is
	// above the appetite of their criteria, without a valid acceptance and
	// without a treatment.
	AboveAppetiteUntreated int `json:"above_appetite_untreated"`
	WithTreatment          int `json:"with_treatment" doc:"Risks with a treatment option chosen."`
	OverdueReviews         int `json:"overdue_reviews" doc:"Risks due for review, for any reason Due gives."`
	OverdueActions         int `json:"overdue_actions" doc:"Open treatment actions past their due date."`
	// LatestAssessment is the latest closed risk assessment, nil when none.
	LatestAssessment *AssessmentInfo `json:"latest_assessment"`
}

// Snapshot returns, without checking any actor, the state of an
// organisation's risk management. It is for another capability whose
// service has already authorised its actor in that organisation.
func (s *Service) Snapshot(ctx context.Context, orgID string) (*Snapshot, error) {
	out := &Snapshot{}
	cs, err := newCriteriaSet(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	if cs.current != nil {
		out.Criteria = &CriteriaInfo{Version: cs.current.Version, CreatedAt: cs.current.CreatedAt}
	}
	today := s.today()
	rows, err := s.db.QueryContext(ctx, `SELECT r.criteria_version, r.inherent_level, r.residual_level, r.treatment_option, r.status,
		COALESCE(a.valid_until, '') FROM risks r LEFT JOIN risk_acceptances a ON a.id = r.acceptance_id
		WHERE r.org_id = ? AND r.status <> ?`, orgID, StatusClosed)
	if err != nil {
		return nil, err
	}
	type facts struct {
		cv                         int
		inherent, residual, option string
		status, validUntil         string
	}
	var all []facts
	for rows.Next() {
		var f facts
		if err := rows.Scan(&f.cv, &f.inherent, &f.residual, &f.option, &f.status, &f.validUntil); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range all {
		out.Risks++
		if f.option != "" {
			out.WithTreatment++
		}
		if f.cv == 0 {
			continue
		}
		out.Assessed++
		c, err := cs.version(ctx, f.cv)
		if err != nil {
			return nil, err
		}
		level := f.inherent
		if f.residual != "" {
			level = f.residual
		}
		accepted := f.status == StatusAccepted && f.validUntil >= today
		if c.Above(level) && !accepted && f.option == "" {
			out.AboveAppetiteUntreated++
		}
	}
	d, err := s.due(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out.OverdueReviews, out.OverdueActions = len(d.Risks), len(d.Actions)
	var a AssessmentInfo
	err = s.db.QueryRowContext(ctx, `SELECT a.ref, a.name, x.closed_at FROM risk_assessments a
		JOIN risk_assessment_results x ON x.assessment_id = a.id WHERE a.org_id = ? ORDER BY x.closed_at DESC, a.opened_at DESC LIMIT 1`,
		orgID).Scan(&a.Ref, &a.Name, &a.ClosedAt)
	switch {
	case db.IsNoRows(err):
	case err != nil:
		return nil, err
	default:
		a.ClosedAt = a.ClosedAt.UTC()
		out.LatestAssessment = &a
	}
	return out, nil
}

// RisksForControls lists, without checking any actor, the risks that are
// not closed by each control that treats them, in reference order: the
// link from the Statement of Applicability to the risks. It is for another
// capability whose service has already authorised its actor there.
func (s *Service) RisksForControls(ctx context.Context, orgID string) (map[string][]RiskRef, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.control_id, r.ref, r.title FROM risk_controls c JOIN risks r ON r.id = c.risk_id
		WHERE c.org_id = ? AND r.status <> ?`, orgID, StatusClosed)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]RiskRef{}
	for rows.Next() {
		var control string
		var r RiskRef
		if err := rows.Scan(&control, &r.Ref, &r.Title); err != nil {
			return nil, err
		}
		out[control] = append(out[control], r)
	}
	for _, refs := range out {
		sort.Slice(refs, func(i, j int) bool { return lessRef(refs[i].Ref, refs[j].Ref) })
	}
	return out, rows.Err()
}

// upper is a reference in upper case, as stored.
func upper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
