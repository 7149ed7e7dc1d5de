package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// Run sweeps every organisation's reminders and then sends what is due:
// the background job of the server. It is safe on several replicas at once.
func (s *Service) Run(ctx context.Context) error {
	_, err := s.Sweep(ctx)
	return errors.Join(err, s.Deliver(ctx))
}

// SweepResult counts what a sweep created.
type SweepResult struct {
	Notifications int
	Emails        int
	Deliveries    int
}

// Sweep gathers the reminders of every organisation and creates, once per
// person and reminder key, the person's notification; with it, one e-mail
// per person of the new notifications (a digest) and one delivery per
// matching webhook. A reminder already told is skipped, so sweeping again,
// or on two replicas at once, creates nothing twice. One organisation's
// failure does not stop the others.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var total SweepResult
	orgs, err := s.sources.Organisations(ctx)
	if err != nil {
		return total, fmt.Errorf("cannot list organisations: %w", err)
	}
	var errs []error
	for _, org := range orgs {
		r, err := s.SweepOrg(ctx, org)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot sweep the reminders of organisation %s: %w", org.ID, err))
			continue
		}
		total.Notifications += r.Notifications
		total.Emails += r.Emails
		total.Deliveries += r.Deliveries
	}
	return total, errors.Join(errs...)
}

// SweepOrg sweeps one organisation's reminders. When some capabilities
// cannot list theirs, the others' are still swept and the error returned.
func (s *Service) SweepOrg(ctx context.Context, org Org) (res SweepResult, sourceErr error) {
	reminders, sourceErr := s.sources.Reminders(ctx, org.ID)
	reminders = clean(reminders)
	if len(reminders) == 0 {
		return res, sourceErr
	}
	members, err := s.sources.Members(ctx, org.ID)
	if err != nil {
		return res, err
	}
	byID := map[string]Member{}
	for _, m := range members {
		byID[m.UserID] = m
	}
	emailOff, err := s.emailOff(ctx, org.ID)
	if err != nil {
		return res, err
	}
	hooks, err := s.enabledWebhooks(ctx, org.ID)
	if err != nil {
		return res, err
	}
	mailOn := s.sources.SMTP().Host != ""
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		res = SweepResult{}
		now := s.clock()
		fresh := map[string][]aims.Reminder{}
		for _, r := range reminders {
			for _, uid := range recipients(r, members, byID) {
				made, err := insertIfAbsent(ctx, tx, `INSERT INTO notifications (id, org_id, user_id, reminder_key, kind, ref, title, due, link,
					created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, user_id, reminder_key) DO NOTHING`,
					aims.NewID(), org.ID, uid, r.Key, r.Kind, r.Ref, r.Title, r.Due.UTC(), r.Link, now)
				if err != nil {
					return err
				}
				if made {
					res.Notifications++
					fresh[uid] = append(fresh[uid], r)
				}
			}
			for _, h := range hooks {
				if len(h.Kinds) > 0 && !slices.Contains(h.Kinds, r.Kind) {
					continue
				}
				made, err := s.enqueueDelivery(ctx, tx, org, h.ID, EventReminder, r.Key, &r, now)
				if err != nil {
					return err
				}
				if made {
					res.Deliveries++
				}
			}
		}
		if !mailOn {
			return nil
		}
		users := make([]string, 0, len(fresh))
		for uid := range fresh {
			users = append(users, uid)
		}
		sort.Strings(users)
		for _, uid := range users {
			m := byID[uid]
			if m.Email == "" || emailOff[uid] {
				continue
			}
			if err := s.enqueueDigest(ctx, tx, org, m, fresh[uid], now); err != nil {
				return err
			}
			res.Emails++
		}
		return nil
	})
	return res, errors.Join(sourceErr, err)
}

// insertIfAbsent runs an INSERT … ON CONFLICT DO NOTHING and reports whether it inserted.
func insertIfAbsent(ctx context.Context, tx *db.Tx, q string, args ...any) (bool, error) {
	r, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// clean drops reminders without a key, kind or title (logging them, since
// they are a capability's mistake), keeps the first of each key, bounds the
// texts, and orders them by key so that concurrent sweeps take their row
// locks in the same order.
func clean(in []aims.Reminder) []aims.Reminder {
	seen := map[string]bool{}
	out := make([]aims.Reminder, 0, len(in))
	for _, r := range in {
		r.Key, r.Title, r.Ref = strings.TrimSpace(r.Key), oneLine(r.Title, maxTitle), oneLine(r.Ref, 100)
		if r.Key == "" || utf8.RuneCountInString(r.Key) > maxKey || !knownKind(r.Kind) || r.Title == "" {
			slog.Warn("ignoring a malformed reminder", "key", r.Key, "kind", r.Kind)
			continue
		}
		if !strings.HasPrefix(r.Link, "/") || strings.HasPrefix(r.Link, "//") {
			r.Link = ""
		}
		if seen[r.Key] {
			continue
		}
		seen[r.Key] = true
		if r.Due.IsZero() {
			r.Due = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// oneLine turns every run of white space, line breaks included, into one
// space and cuts the text to max characters.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return s
}

// recipients are the members a reminder is for, in id order: those it
// names who are still members, or else the owners and managers.
func recipients(r aims.Reminder, members []Member, byID map[string]Member) []string {
	var out []string
	if len(r.UserIDs) > 0 {
		for _, id := range r.UserIDs {
			if _, ok := byID[id]; ok && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	} else {
		for _, m := range members {
			if m.Role == aims.RoleOwner || m.Role == aims.RoleManager {
				out = append(out, m.UserID)
			}
		}
	}
	sort.Strings(out)
	return out
}

// emailOff lists the members of an organisation who turned e-mail off.
func (s *Service) emailOff(ctx context.Context, orgID string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id FROM notification_preferences WHERE org_id = ? AND email = ?`, orgID, false)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
