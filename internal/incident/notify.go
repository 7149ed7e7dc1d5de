package incident

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Recipients of notifications.
const (
	RecipientAuthority      = "market_surveillance"
	RecipientDataProtection = "data_protection"
)

// Recipients lists whom an incident may have to be notified to.
var Recipients = []Option{
	{RecipientAuthority, "Market surveillance authority", "EU AI Act Art. 73: the deadline follows from the serious incident's category"},
	{RecipientDataProtection, "Data protection authority", "GDPR Art. 33: within 72 hours of becoming aware of a personal data breach"},
	{"customers", "Customers and deployers", "those who use the AI system"},
	{"affected_persons", "Affected persons", "the people the incident affected"},
	{"other", "Other", "anyone else; name them"},
}

// Notification is a duty to notify someone of an incident by a deadline, and when it was done.
type Notification struct {
	ID            string `json:"id"`
	Ref           string `json:"ref" doc:"The incident's reference and the duty's number, such as INC-2/N1."`
	Number        int    `json:"number"`
	Recipient     string `json:"recipient" enum:"market_surveillance,data_protection,customers,affected_persons,other"`
	RecipientName string `json:"recipient_name" doc:"Who exactly, such as the name of the authority."`
	// Basis says how the deadline was set: art73 and gdpr33 are computed from awareness, entered was typed.
	Basis      string     `json:"basis" enum:"art73,gdpr33,entered"`
	DueAt      time.Time  `json:"due_at"`
	NotifiedAt *time.Time `json:"notified_at"`
	Method     string     `json:"method" doc:"How it was notified, such as the authority's web form."`
	Reference  string     `json:"reference" doc:"The reference of the notification, such as the authority's case number."`
	// Countdown says how long is left, or by how much it is overdue, when not yet notified.
	Countdown string    `json:"countdown"`
	Overdue   bool      `json:"overdue"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NotificationRequest adds a notification duty. The deadline is computed
// for the market surveillance authority of a serious incident (Art. 73) and
// for the data protection authority (72 hours); otherwise it must be given,
// and a deadline given always wins.
type NotificationRequest struct {
	Recipient     string     `json:"recipient" enum:"market_surveillance,data_protection,customers,affected_persons,other"`
	RecipientName string     `json:"recipient_name,omitempty" maxLength:"200"`
	DueAt         *time.Time `json:"due_at,omitempty" doc:"The deadline (RFC 3339); computed when left out where the law sets it."`
}

// NotifiedRequest records that a duty was done.
type NotifiedRequest struct {
	Version    int        `json:"version" minimum:"1" doc:"The duty's version this change is based on."`
	NotifiedAt *time.Time `json:"notified_at,omitempty" doc:"When it was notified (RFC 3339); now when left out."`
	Method     string     `json:"method" minLength:"1" maxLength:"200"`
	Reference  string     `json:"reference,omitempty" maxLength:"200"`
}

type auditNotice struct {
	Ref           string `json:"ref"`
	Recipient     string `json:"recipient"`
	RecipientName string `json:"recipient_name"`
	Basis         string `json:"basis"`
	DueAt         string `json:"due_at"`
}

// deadline works out a duty's deadline from its basis; false when it cannot be computed.
func deadline(in *Incident, basis string) (time.Time, bool) {
	switch basis {
	case BasisArt73:
		if !in.Serious {
			return time.Time{}, false
		}
		return Art73Deadline(in.SeriousCategory, in.AwareAt)
	case BasisGDPR33:
		return GDPRDeadline(in.AwareAt), true
	}
	return time.Time{}, false
}

// AddNotification adds a notification duty to an incident.
func (s *Service) AddNotification(ctx context.Context, actor *aims.Actor, idOrRef string, req NotificationRequest) (*Notification, error) {
	if err := identity.Authorize(actor, identity.ActIncidentEdit); err != nil {
		return nil, err
	}
	var out *Notification
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		in, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, 0)
		if err != nil {
			return err
		}
		n := &Notification{Recipient: strings.TrimSpace(req.Recipient), RecipientName: req.RecipientName, Basis: BasisEntered}
		var p aims.Problems
		if !allowed(Recipients, n.Recipient) {
			p.Add("recipient", "must be one of %s", values(Recipients))
		}
		text(&p, "recipient_name", &n.RecipientName, n.Recipient == "other", maxTitle)
		switch {
		case req.DueAt != nil:
			n.DueAt = req.DueAt.UTC()
		case n.Recipient == RecipientAuthority && in.Serious:
			n.Basis = BasisArt73
		case n.Recipient == RecipientDataProtection:
			n.Basis = BasisGDPR33
		case !p.Has("recipient"):
			p.Add("due_at", "is required: the law sets no deadline for this recipient here")
		}
		if err := p.Err(); err != nil {
			return err
		}
		out, err = s.insertNotification(ctx, tx, actor, in, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot add notification duty to %s: %w", idOrRef, err)
	}
	return out, nil
}

// insertNotification stores a checked duty with its audit event, computing its deadline unless entered.
func (s *Service) insertNotification(ctx context.Context, tx *db.Tx, actor *aims.Actor, in *Incident, n *Notification) (*Notification, error) {
	if n.Basis != BasisEntered {
		due, ok := deadline(in, n.Basis)
		if !ok {
			return nil, aims.Errorf(aims.CodeInternal, "no deadline for basis %s", n.Basis)
		}
		n.DueAt = due
	}
	var last int
	if err := tx.QueryRowContext(ctx, `SELECT last_notice FROM incidents WHERE id = ?`, in.ID).Scan(&last); err != nil {
		return nil, err
	}
	now := s.clock()
	n.ID, n.Number, n.Version, n.CreatedAt, n.UpdatedAt = aims.NewID(), last+1, 1, now, now
	n.Ref = in.Ref + "/N" + strconv.Itoa(n.Number)
	if _, err := tx.ExecContext(ctx, `INSERT INTO incident_notifications (id, org_id, incident_id, number, recipient, recipient_name,
		basis, due_at, method, reference, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', 1, ?, ?)`,
		n.ID, actor.OrgID, in.ID, n.Number, n.Recipient, n.RecipientName, n.Basis, n.DueAt, now, now); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET last_notice = ? WHERE id = ?`, n.Number, in.ID); err != nil {
		return nil, err
	}
	n.countdown(now)
	ch, err := tlog.Changes(nil, auditNotice{Ref: n.Ref, Recipient: n.Recipient, RecipientName: n.RecipientName, Basis: n.Basis,
		DueAt: n.DueAt.Format(time.RFC3339)})
	if err != nil {
		return nil, err
	}
	return n, s.logs.Record(ctx, tx, actor.OrgID, actor, ActionNoticeAdd, tlog.EventObject{Type: ObjectNotification, ID: n.ID, Ref: n.Ref}, ch)
}

// recomputeDeadlines moves the computed deadlines of duties not yet done to follow the incident's awareness and category.
func (s *Service) recomputeDeadlines(ctx context.Context, tx *db.Tx, actor *aims.Actor, in *Incident) error {
	for _, n := range in.Notifications {
		if n.NotifiedAt != nil || n.Basis == BasisEntered {
			continue
		}
		due, ok := deadline(in, n.Basis)
		if !ok || due.Equal(n.DueAt) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incident_notifications SET due_at = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			due, s.clock(), n.ID); err != nil {
			return err
		}
		if err := s.logs.Record(ctx, tx, actor.OrgID, actor, ActionNoticeDeadline,
			tlog.EventObject{Type: ObjectNotification, ID: n.ID, Ref: n.Ref},
			[]tlog.Change{{Field: "due_at", Before: mustJSON(n.DueAt.Format(time.RFC3339)), After: mustJSON(due.Format(time.RFC3339))}}); err != nil {
			return err
		}
	}
	return nil
}

// RecordNotified records when and how a notification duty was done.
func (s *Service) RecordNotified(ctx context.Context, actor *aims.Actor, idOrRef string, number int, req NotifiedRequest) (*Notification, error) {
	if err := identity.Authorize(actor, identity.ActIncidentEdit); err != nil {
		return nil, err
	}
	var out *Notification
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		in, err := s.lockOpen(ctx, tx, actor.OrgID, idOrRef, 0)
		if err != nil {
			return err
		}
		var n *Notification
		for i := range in.Notifications {
			if in.Notifications[i].Number == number {
				n = &in.Notifications[i]
			}
		}
		if n == nil {
			return aims.NotFound("notification duty", in.Ref+"/N"+strconv.Itoa(number))
		}
		if req.Version != n.Version {
			return staleVersion(n.Ref, n.Version, req.Version)
		}
		if n.NotifiedAt != nil {
			return aims.Errorf(aims.CodeConflict, "%s was already notified", n.Ref)
		}
		now := s.clock().UTC()
		at := now
		if req.NotifiedAt != nil {
			at = req.NotifiedAt.UTC()
		}
		var p aims.Problems
		if at.After(now) {
			p.Add("notified_at", "must not be in the future")
		} else if at.Before(in.AwareAt) {
			p.Add("notified_at", "must not be before the organisation became aware of the incident")
		}
		text(&p, "method", &req.Method, true, maxTitle)
		text(&p, "reference", &req.Reference, false, maxTitle)
		if err := p.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incident_notifications SET notified_at = ?, method = ?, reference = ?, version = version + 1,
			updated_at = ? WHERE id = ? AND version = ?`, at, req.Method, req.Reference, now, n.ID, n.Version); err != nil {
			return err
		}
		n.NotifiedAt, n.Method, n.Reference, n.Version, n.UpdatedAt = &at, req.Method, req.Reference, n.Version+1, now
		n.countdown(now)
		out = n
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionNoticeNotified, tlog.EventObject{Type: ObjectNotification, ID: n.ID, Ref: n.Ref},
			[]tlog.Change{{Field: "notified_at", After: mustJSON(at.Format(time.RFC3339))}, {Field: "method", After: mustJSON(req.Method)},
				{Field: "reference", After: mustJSON(req.Reference)}, {Field: "late", After: mustJSON(at.After(n.DueAt))}})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot record notification %d of %s: %w", number, idOrRef, err)
	}
	return out, nil
}

// countdown fills the duty's countdown at now; a done duty has none.
func (n *Notification) countdown(now time.Time) {
	n.Countdown, n.Overdue = "", false
	if n.NotifiedAt == nil {
		n.Countdown, n.Overdue = Countdown(now, n.DueAt), now.After(n.DueAt)
	}
}

// notifications reads an incident's duties, by number.
func (s *Service) notifications(ctx context.Context, q db.Queryer, orgID string, in *Incident) ([]Notification, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, number, recipient, recipient_name, basis, due_at, notified_at, method, reference,
		version, created_at, updated_at FROM incident_notifications WHERE org_id = ? AND incident_id = ? ORDER BY number`, orgID, in.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.clock()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.Number, &n.Recipient, &n.RecipientName, &n.Basis, &n.DueAt, &n.NotifiedAt, &n.Method,
			&n.Reference, &n.Version, &n.CreatedAt, &n.UpdatedAt); err != nil {
			return nil, err
		}
		n.DueAt = n.DueAt.UTC()
		if n.NotifiedAt != nil {
			t := n.NotifiedAt.UTC()
			n.NotifiedAt = &t
		}
		n.Ref = in.Ref + "/N" + strconv.Itoa(n.Number)
		n.countdown(now)
		out = append(out, n)
	}
	return out, rows.Err()
}
