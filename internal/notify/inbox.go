package notify

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

// Notification is one reminder told to one person.
type Notification struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind" enum:"review_due,evidence_expiring,action_overdue,acknowledgement_pending,incident_deadline,monitor_alert"`
	Ref       string     `json:"ref" doc:"The record's reference, such as EV-3."`
	Title     string     `json:"title"`
	Due       time.Time  `json:"due"`
	Link      string     `json:"link" doc:"Path of the record's page, such as /evidence/EV-3."`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at" doc:"When the person marked it read; null while unread."`
}

// InboxQuery pages a person's notifications.
type InboxQuery struct {
	Unread bool `query:"unread" doc:"Only unread notifications."`
	Limit  int  `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset int  `query:"offset" minimum:"0"`
}

// Inbox is one page of a person's notifications, unread first, then by due date.
type Inbox struct {
	Items  []Notification `json:"items"`
	Total  int            `json:"total" doc:"How many match the query."`
	Unread int            `json:"unread" doc:"How many of the person's notifications are unread."`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
}

// own authorises reading one's own notifications; only people have them.
func own(actor *aims.Actor) error {
	if err := identity.Authorize(actor, identity.ActNotifyOwn); err != nil {
		return err
	}
	if actor.UserID == "" {
		return aims.Errorf(aims.CodeForbidden, "only a person has notifications: sign in or use a personal API token")
	}
	return nil
}

// List returns a page of the actor's notifications.
func (s *Service) List(ctx context.Context, actor *aims.Actor, q InboxQuery) (*Inbox, error) {
	if err := own(actor); err != nil {
		return nil, err
	}
	var p aims.Problems
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 200 {
		p.Add("limit", "must be between 1 and 200")
	}
	if q.Offset < 0 {
		p.Add("offset", "must not be negative")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	out := &Inbox{Items: []Notification{}, Limit: q.Limit, Offset: q.Offset}
	cond := ` WHERE org_id = ? AND user_id = ?`
	if q.Unread {
		cond += ` AND read_at IS NULL`
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0)
		FROM notifications`+cond, actor.OrgID, actor.UserID).Scan(&out.Total, &out.Unread); err != nil {
		return nil, err
	}
	items, err := s.query(ctx, cond+` ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, due, created_at DESC, id LIMIT ? OFFSET ?`,
		actor.OrgID, actor.UserID, q.Limit, q.Offset)
	if err != nil {
		return nil, err
	}
	out.Items = items
	return out, nil
}

func (s *Service) query(ctx context.Context, rest string, args ...any) ([]Notification, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, ref, title, due, link, created_at, read_at FROM notifications`+rest, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.Kind, &n.Ref, &n.Title, &n.Due, &n.Link, &n.CreatedAt, &n.ReadAt); err != nil {
			return nil, err
		}
		n.Due, n.CreatedAt = n.Due.UTC(), n.CreatedAt.UTC()
		if n.ReadAt != nil {
			t := n.ReadAt.UTC()
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadCount counts the actor's unread notifications, for the header; it
// is 0 for an actor who is not a person.
func (s *Service) UnreadCount(ctx context.Context, actor *aims.Actor) (int, error) {
	if own(actor) != nil {
		return 0, nil
	}
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE org_id = ? AND user_id = ? AND read_at IS NULL`,
		actor.OrgID, actor.UserID).Scan(&n)
	return n, err
}

// MarkRead marks one of the actor's notifications read and returns it.
// Reading is the person's own inbox state, so it writes no audit event.
func (s *Service) MarkRead(ctx context.Context, actor *aims.Actor, id string) (*Notification, error) {
	if err := own(actor); err != nil {
		return nil, err
	}
	id = strings.TrimSpace(id)
	if _, err := s.db.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND org_id = ? AND user_id = ? AND read_at IS NULL`,
		s.clock(), id, actor.OrgID, actor.UserID); err != nil {
		return nil, err
	}
	ns, err := s.query(ctx, ` WHERE id = ? AND org_id = ? AND user_id = ?`, id, actor.OrgID, actor.UserID)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, aims.NotFound("notification", id)
	}
	return &ns[0], nil
}

// MarkAllRead marks every unread notification of the actor read and says how many it marked.
func (s *Service) MarkAllRead(ctx context.Context, actor *aims.Actor) (int, error) {
	if err := own(actor); err != nil {
		return 0, err
	}
	r, err := s.db.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE org_id = ? AND user_id = ? AND read_at IS NULL`,
		s.clock(), actor.OrgID, actor.UserID)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return int(n), err
}

// Preferences are how a person wants to hear of reminders.
type Preferences struct {
	Email   bool `json:"email" doc:"Whether new notifications are also sent by e-mail, as one message per sweep."`
	Version int  `json:"version" doc:"Increases with every change; 0 before the first. Send it back when updating."`
	// EmailAvailable says whether the server sends e-mail at all.
	EmailAvailable bool `json:"email_available" doc:"Whether this server is set up to send e-mail."`
}

// PreferencesRequest sets a person's preferences.
type PreferencesRequest struct {
	Email   bool `json:"email"`
	Version int  `json:"version" minimum:"0" doc:"The version this change is based on."`
}

// auditPreferences is what the audit log records of a person's preferences.
type auditPreferences struct {
	Email bool `json:"email"`
}

// GetPreferences returns the actor's preferences; e-mail is on until turned off.
func (s *Service) GetPreferences(ctx context.Context, actor *aims.Actor) (*Preferences, error) {
	if err := own(actor); err != nil {
		return nil, err
	}
	return s.preferences(ctx, s.db, actor)
}

func (s *Service) preferences(ctx context.Context, q db.Queryer, actor *aims.Actor) (*Preferences, error) {
	p := &Preferences{Email: true, EmailAvailable: s.sources.SMTP().Host != ""}
	err := q.QueryRowContext(ctx, `SELECT email, version FROM notification_preferences WHERE org_id = ? AND user_id = ?`,
		actor.OrgID, actor.UserID).Scan(&p.Email, &p.Version)
	if err != nil && !db.IsNoRows(err) {
		return nil, err
	}
	return p, nil
}

// SetPreferences changes the actor's preferences, with an audit event.
func (s *Service) SetPreferences(ctx context.Context, actor *aims.Actor, req PreferencesRequest) (*Preferences, error) {
	if err := own(actor); err != nil {
		return nil, err
	}
	var out *Preferences
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		p, err := s.preferences(ctx, tx, actor)
		if err != nil {
			return err
		}
		if req.Version != p.Version {
			return staleVersion("your notification settings", p.Version, req.Version)
		}
		before := auditPreferences{Email: p.Email}
		p.Email, p.Version = req.Email, p.Version+1
		now := s.clock()
		if p.Version == 1 {
			_, err = tx.ExecContext(ctx, `INSERT INTO notification_preferences (org_id, user_id, email, version, updated_at)
				VALUES (?, ?, ?, ?, ?)`, actor.OrgID, actor.UserID, p.Email, p.Version, now)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE notification_preferences SET email = ?, version = ?, updated_at = ?
				WHERE org_id = ? AND user_id = ?`, p.Email, p.Version, now, actor.OrgID, actor.UserID)
		}
		if err != nil {
			return err
		}
		ch, err := tlog.Changes(before, auditPreferences{Email: p.Email})
		if err != nil {
			return err
		}
		out = p
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionPreferences,
			tlog.EventObject{Type: ObjectPreferences, ID: actor.UserID, Ref: actor.Label()}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot change your notification settings: %w", err)
	}
	return out, nil
}
