package review

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Decision is a decision a review took (9.3.3). Its text never changes once the review is signed off.
type Decision struct {
	ID        string    `json:"id"`
	Ref       string    `json:"ref" doc:"Such as MR-2/D1."`
	Number    int       `json:"number"`
	Kind      string    `json:"kind" enum:"improvement,change,resources"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// DecisionKinds are what a decision is about.
var DecisionKinds = []Option{
	{"improvement", "Continual improvement", "an opportunity for improvement taken up, or not, and why"},
	{"change", "Change to the AIMS", "a change needed to the management system: its policy, scope, processes or controls"},
	{"resources", "Resources", "people, budget, tools or computing the AIMS needs"},
}

// DecisionRequest records a decision.
type DecisionRequest struct {
	Kind string `json:"kind" enum:"improvement,change,resources" doc:"improvement, change or resources."`
	Text string `json:"text" minLength:"1" maxLength:"4000" doc:"What was decided, and why."`
}

// Action is an action a review agreed, with its owner and due date. After
// sign-off its text, owner and due date stay as agreed; its status is followed up.
type Action struct {
	ID          string    `json:"id"`
	Ref         string    `json:"ref" doc:"Such as MR-2/A1."`
	ReviewRef   string    `json:"review_ref"`
	Number      int       `json:"number"`
	Description string    `json:"description"`
	Owner       Person    `json:"owner"`
	DueOn       string    `json:"due_on" doc:"YYYY-MM-DD."`
	Status      string    `json:"status" enum:"open,done"`
	DoneOn      string    `json:"done_on" doc:"When it was done, YYYY-MM-DD; empty while open."`
	Overdue     bool      `json:"overdue" doc:"Open and past its due date."`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// reviewStatus is the status of the review the action belongs to.
	reviewStatus string
}

// ActionRequest records an action.
type ActionRequest struct {
	Description string `json:"description" minLength:"1" maxLength:"4000" doc:"What is to be done."`
	Owner       string `json:"owner" doc:"The member responsible, by user id or email."`
	DueOn       string `json:"due_on" doc:"When it is due, YYYY-MM-DD."`
}

// ActionChange changes an action. Once the review is signed off only the
// status and done date may change.
type ActionChange struct {
	Version     int     `json:"version" minimum:"1" doc:"The version this change is based on."`
	Description *string `json:"description,omitempty" maxLength:"4000"`
	Owner       *string `json:"owner,omitempty"`
	DueOn       *string `json:"due_on,omitempty"`
	Status      *string `json:"status,omitempty" enum:"open,done"`
	DoneOn      *string `json:"done_on,omitempty" doc:"When it was done, YYYY-MM-DD; today when left out while marking it done."`
}

// decisions reads a review's decisions in order.
func (s *Service) decisions(ctx context.Context, q db.Queryer, orgID, reviewID, reviewRef string) ([]Decision, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, number, kind, text, created_at FROM review_decisions
		WHERE org_id = ? AND review_id = ? ORDER BY number`, orgID, reviewID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.ID, &d.Number, &d.Kind, &d.Text, &d.CreatedAt); err != nil {
			return nil, err
		}
		d.Ref = reviewRef + "/D" + strconv.Itoa(d.Number)
		out = append(out, d)
	}
	return out, rows.Err()
}

// actions reads the actions matching a condition on review_actions a, by review and number; owners are named by id only.
func (s *Service) actions(ctx context.Context, q db.Queryer, orgID, where string, args ...any) ([]Action, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, r.ref, r.status, a.number, a.description, a.owner_id, a.due_on, a.status, a.done_on,
		a.version, a.created_at, a.updated_at FROM review_actions a JOIN management_reviews r ON r.id = a.review_id
		WHERE a.org_id = ? AND `+where+` ORDER BY r.ref, a.number`, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := s.today()
	out := []Action{}
	for rows.Next() {
		var a Action
		if err := rows.Scan(&a.ID, &a.ReviewRef, &a.reviewStatus, &a.Number, &a.Description, &a.Owner.UserID, &a.DueOn, &a.Status,
			&a.DoneOn, &a.Version, &a.CreatedAt, &a.UpdatedAt); err != nil {
			return nil, err
		}
		a.Ref = a.ReviewRef + "/A" + strconv.Itoa(a.Number)
		a.Overdue = a.Status == ActionOpen && a.DueOn < today
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ReviewRef != out[j].ReviewRef {
			return refNumber(out[i].ReviewRef) < refNumber(out[j].ReviewRef)
		}
		return out[i].Number < out[j].Number
	})
	return out, nil
}

// refNumber is the number of a reference such as MR-12.
func refNumber(ref string) int {
	n, _ := strconv.Atoi(ref[len(refPrefix)+1:])
	return n
}

// draft reads a review for a change to its outputs, refusing a signed-off one.
func (s *Service) draft(ctx context.Context, tx *db.Tx, orgID, idOrRef string) (*row, error) {
	r, err := getRow(ctx, tx, orgID, idOrRef)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusDraft {
		return nil, frozen(r.Ref)
	}
	return r, nil
}

// AddDecision records a decision of a draft review.
func (s *Service) AddDecision(ctx context.Context, actor *aims.Actor, idOrRef string, req DecisionRequest) (*Decision, error) {
	if err := identity.Authorize(actor, identity.ActReviewEdit); err != nil {
		return nil, err
	}
	var p aims.Problems
	if !allowed(DecisionKinds, req.Kind) {
		p.Add("kind", "must be one of %s", values(DecisionKinds))
	}
	text(&p, "text", &req.Text, true, maxDecision)
	if err := p.Err(); err != nil {
		return nil, err
	}
	d := &Decision{Kind: req.Kind, Text: req.Text}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.draft(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		d.ID, d.Number, d.CreatedAt = aims.NewID(), r.LastDecision+1, s.clock()
		d.Ref = r.Ref + "/D" + strconv.Itoa(d.Number)
		if _, err := tx.ExecContext(ctx, `UPDATE management_reviews SET last_decision = ? WHERE id = ? AND last_decision = ?`,
			d.Number, r.ID, r.LastDecision); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_decisions (id, org_id, review_id, number, kind, text, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, d.ID, actor.OrgID, r.ID, d.Number, d.Kind, d.Text, d.CreatedAt); err != nil {
			return err
		}
		ch, err := tlog.Changes(nil, map[string]string{"kind": d.Kind, "text": d.Text})
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionDecisionAdd, tlog.EventObject{Type: ObjectDecision, ID: d.ID, Ref: d.Ref}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record decision: %w", err)
	}
	return d, nil
}

// RemoveDecision removes a decision of a draft review; the history keeps it.
func (s *Service) RemoveDecision(ctx context.Context, actor *aims.Actor, idOrRef string, number int) error {
	if err := identity.Authorize(actor, identity.ActReviewEdit); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		r, err := s.draft(ctx, tx, actor.OrgID, idOrRef)
		if err != nil {
			return err
		}
		var d Decision
		err = tx.QueryRowContext(ctx, `SELECT id, kind, text FROM review_decisions WHERE org_id = ? AND review_id = ? AND number = ?`,
			actor.OrgID, r.ID, number).Scan(&d.ID, &d.Kind, &d.Text)
		if db.IsNoRows(err) {
			return aims.NotFound("decision", r.Ref+"/D"+strconv.Itoa(number))
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM review_decisions WHERE id = ?`, d.ID); err != nil {
			return err
		}
		ch, err := tlog.Changes(map[string]string{"kind": d.Kind, "text": d.Text}, nil)
		if err != nil {
			return err
		}
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionDecisionRemove,
			tlog.EventObject{Type: ObjectDecision, ID: d.ID, Ref: r.Ref + "/D" + strconv.Itoa(number)}, ch)
	})
	if err != nil {
		return fmt.Errorf("cannot remove decision: %w", err)
	}
	return nil
}
