package supplier

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Results of a supplier assessment.
var Results = []Option{
	{"satisfactory", "Satisfactory", "meets the organisation's requirements"},
	{"satisfactory_with_conditions", "Satisfactory with conditions", "acceptable while the conditions set are met"},
	{"unsatisfactory", "Unsatisfactory", "does not meet the requirements: act on the findings"},
}

// Assessment is one assessment of a supplier (A.10.3); once recorded it never changes.
type Assessment struct {
	ID               string    `json:"id"`
	Ref              string    `json:"ref" doc:"The party's reference and the assessment's number, such as TP-1/A2."`
	Number           int       `json:"number"`
	PartyID          string    `json:"party_id"`
	PartyRef         string    `json:"party_ref"`
	AssessedOn       string    `json:"assessed_on" doc:"YYYY-MM-DD."`
	AssessorID       string    `json:"assessor_id"`
	AssessorName     string    `json:"assessor_name"`
	Result           string    `json:"result" enum:"satisfactory,satisfactory_with_conditions,unsatisfactory"`
	Findings         string    `json:"findings" doc:"Findings and the conditions set."`
	NextAssessmentOn string    `json:"next_assessment_on" doc:"When the supplier is next to be assessed, YYYY-MM-DD."`
	CreatedBy        string    `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
}

// AssessRequest records an assessment. Only the result is required.
type AssessRequest struct {
	AssessedOn       string `json:"assessed_on,omitempty" doc:"The day of the assessment, YYYY-MM-DD, not in the future; today when empty."`
	Assessor         string `json:"assessor,omitempty" doc:"User id or email of the member who assessed; the person recording it when empty."`
	Result           string `json:"result" enum:"satisfactory,satisfactory_with_conditions,unsatisfactory"`
	Findings         string `json:"findings,omitempty" maxLength:"10000" doc:"Findings and conditions; required unless the result is satisfactory."`
	NextAssessmentOn string `json:"next_assessment_on,omitempty" doc:"When to assess again, YYYY-MM-DD, after the assessment; one year after it when empty."`
}

// auditAssessment is what the audit log records of an assessment.
type auditAssessment struct {
	Ref              string `json:"ref"`
	AssessedOn       string `json:"assessed_on"`
	Assessor         string `json:"assessor"`
	Result           string `json:"result"`
	Findings         string `json:"findings"`
	NextAssessmentOn string `json:"next_assessment_on"`
}

func assessmentRef(partyRef string, n int) string { return partyRef + "/A" + strconv.Itoa(n) }

// findMember resolves a member by user id or email.
func findMember(ms []Member, key string) (Member, bool) {
	key = strings.TrimSpace(key)
	for _, m := range ms {
		if strings.EqualFold(m.UserID, key) || strings.EqualFold(m.Email, key) {
			return m, true
		}
	}
	return Member{}, false
}

// Assess records an assessment of a supplier. Its next-assessment date
// becomes the supplier's when it is the latest assessment.
func (s *Service) Assess(ctx context.Context, actor *aims.Actor, partyRef string, req AssessRequest) (*Assessment, error) {
	if err := identity.Authorize(actor, identity.ActSupplierAssess); err != nil {
		return nil, err
	}
	t, err := s.getParty(ctx, s.db, actor.OrgID, partyRef)
	if err != nil {
		return nil, err
	}
	a := &Assessment{AssessedOn: req.AssessedOn, Result: strings.TrimSpace(req.Result), Findings: req.Findings,
		NextAssessmentOn: req.NextAssessmentOn, PartyID: t.ID, PartyRef: t.Ref}
	var p aims.Problems
	today := s.today()
	if a.AssessedOn == "" {
		a.AssessedOn = today
	}
	on, ok := checkDate(&p, "assessed_on", &a.AssessedOn)
	if ok && a.AssessedOn > today {
		p.Add("assessed_on", "must not be in the future")
	}
	if !allowed(Results, a.Result) {
		p.Add("result", "must be one of %s", values(Results))
	}
	text(&p, "findings", &a.Findings, a.Result != "satisfactory" && allowed(Results, a.Result), maxLongText)
	if a.NextAssessmentOn == "" && ok {
		a.NextAssessmentOn = on.AddDate(1, 0, 0).Format(DateLayout)
	}
	if _, okNext := checkDate(&p, "next_assessment_on", &a.NextAssessmentOn); okNext && ok && a.NextAssessmentOn <= a.AssessedOn {
		p.Add("next_assessment_on", "must be after the assessment (%s)", a.AssessedOn)
	}
	members, err := s.sources.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	assessor := strings.TrimSpace(req.Assessor)
	if assessor == "" {
		assessor = actor.UserID
	}
	if m, found := findMember(members, assessor); found {
		a.AssessorID, a.AssessorName = m.UserID, m.Name
	} else if assessor == "" {
		p.Add("assessor", "is required: name the member who assessed the supplier")
	} else {
		p.Add("assessor", "must be a member of this organisation: %s is not one", assessor)
	}
	if !t.Supplies() {
		p.Add("result", "cannot be recorded: %s is a customer, and assessments are for suppliers", t.Ref)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		var status string
		var n int
		if err := tx.QueryRowContext(ctx, `UPDATE third_parties SET last_assessment = last_assessment + 1 WHERE id = ? AND org_id = ?
			RETURNING last_assessment, status`, t.ID, actor.OrgID).Scan(&n, &status); err != nil {
			return err
		}
		if status == StatusArchived {
			return aims.Errorf(aims.CodeConflict, "%s is archived: restore it before assessing it", t.Ref)
		}
		now := s.clock()
		a.ID, a.Number, a.Ref, a.CreatedBy, a.CreatedAt = aims.NewID(), n, assessmentRef(t.Ref, n), tlog.ActorOf(actor).ID, now
		if _, err := tx.ExecContext(ctx, `INSERT INTO supplier_assessments (id, org_id, party_id, number, assessed_on, assessor_id,
			result, findings, next_assessment_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, actor.OrgID, t.ID, n, a.AssessedOn, a.AssessorID, a.Result, a.Findings, a.NextAssessmentOn, a.CreatedBy, now); err != nil {
			return err
		}
		// The latest assessment, by its day, sets the party's dates.
		var on, result, next string
		if err := tx.QueryRowContext(ctx, `SELECT assessed_on, result, next_assessment_on FROM supplier_assessments
			WHERE org_id = ? AND party_id = ? ORDER BY assessed_on DESC, number DESC LIMIT 1`, actor.OrgID, t.ID).Scan(&on, &result, &next); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE third_parties SET last_assessed_on = ?, last_result = ?, next_assessment_on = ?
			WHERE id = ? AND org_id = ?`, on, result, next, t.ID, actor.OrgID); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, auditAssessment{Ref: a.Ref, AssessedOn: a.AssessedOn, Assessor: a.AssessorName,
			Result: a.Result, Findings: a.Findings, NextAssessmentOn: a.NextAssessmentOn})
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionAssess, tlog.EventObject{Type: ObjectAssessment, ID: a.ID, Ref: a.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record an assessment of %s: %w", t.Ref, err)
	}
	return a, nil
}

// Assessments lists a party's assessments, the latest first.
func (s *Service) Assessments(ctx context.Context, actor *aims.Actor, partyRef string) ([]Assessment, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	t, err := s.getParty(ctx, s.db, actor.OrgID, partyRef)
	if err != nil {
		return nil, err
	}
	members, err := s.sources.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, number, assessed_on, assessor_id, result, findings, next_assessment_on,
		created_by, created_at FROM supplier_assessments WHERE org_id = ? AND party_id = ? ORDER BY assessed_on DESC, number DESC`,
		actor.OrgID, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Assessment{}
	for rows.Next() {
		a := Assessment{PartyID: t.ID, PartyRef: t.Ref}
		if err := rows.Scan(&a.ID, &a.Number, &a.AssessedOn, &a.AssessorID, &a.Result, &a.Findings, &a.NextAssessmentOn,
			&a.CreatedBy, &a.CreatedAt); err != nil {
			return nil, err
		}
		a.Ref = assessmentRef(t.Ref, a.Number)
		a.AssessorName = "(former member)"
		if m, ok := findMember(members, a.AssessorID); ok {
			a.AssessorName = m.Name
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Reasons a supplier's assessment is due.
const (
	DueOverdue       = "overdue"
	DueToday         = "due_today"
	DueNeverAssessed = "never_assessed"
)

// DueSupplier is a supplier whose assessment is due.
type DueSupplier struct {
	Party  Party  `json:"party"`
	Reason string `json:"reason" enum:"overdue,due_today,never_assessed" doc:"overdue: the next-assessment date has passed; due_today: it is today; never_assessed: the supplier supplies something and was never assessed."`
	// DaysOverdue is how many days ago the next-assessment date was; 0 when due today or never assessed.
	DaysOverdue int `json:"days_overdue"`
}

// Due lists the active suppliers whose next assessment date has come, and
// those that supply something and were never assessed: the never assessed
// first, then the longest overdue.
func (s *Service) Due(ctx context.Context, actor *aims.Actor) ([]DueSupplier, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	today := s.today()
	rows, err := s.db.QueryContext(ctx, selectParty+` WHERE p.org_id = ? AND p.status = 'active' AND p.kind IN ('supplier', 'both')
		AND ((p.next_assessment_on <> '' AND p.next_assessment_on <= ?)
		OR (p.next_assessment_on = '' AND EXISTS (SELECT 1 FROM supplies s WHERE s.party_id = p.id AND s.role = 'supplier')))
		ORDER BY p.next_assessment_on, p.name_key, p.id`, actor.OrgID, today)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now, _ := time.Parse(DateLayout, today)
	out := []DueSupplier{}
	for rows.Next() {
		t, err := scanParty(rows.Scan, today)
		if err != nil {
			return nil, err
		}
		it := DueSupplier{Party: *t, Reason: DueNeverAssessed}
		if t.NextAssessmentOn != "" {
			next, _ := time.Parse(DateLayout, t.NextAssessmentOn)
			it.DaysOverdue = int(now.Sub(next).Hours() / 24)
			it.Reason = DueOverdue
			if it.DaysOverdue == 0 {
				it.Reason = DueToday
			}
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Reason == DueNeverAssessed && out[j].Reason != DueNeverAssessed
	})
	return out, nil
}
