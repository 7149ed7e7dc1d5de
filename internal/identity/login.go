package identity

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/tlog"
)

// Login throttling: after a number of failures, each further attempt must
// wait twice as long as the one before, up to maxLockout. Failures older
// than failureMemory are forgotten.
const (
	accountFreeFailures = 5
	addressFreeFailures = 20
	maxLockout          = 15 * time.Minute
	failureMemory       = 15 * time.Minute
)

// dummyHash is verified when the account does not exist, so that a wrong
// email takes as long as a wrong password.
var dummyHash = hashPassword("not a real password, only for timing", DefaultArgon2)

// Login checks a person's email and password and returns the user and their
// memberships. Repeated failures for one account or from one address are
// slowed down: further attempts are refused until the wait has passed,
// without looking at the password.
func (s *Service) Login(ctx context.Context, email, password, addr string) (*User, []Membership, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []throttleKey{{"account:" + email, accountFreeFailures}}
	if addr != "" {
		keys = append(keys, throttleKey{"address:" + addr, addressFreeFailures})
	}
	now := s.clock()
	for _, k := range keys {
		if wait, err := s.lockedFor(ctx, k, now); err != nil {
			return nil, nil, err
		} else if wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			return nil, nil, &aims.Error{Code: aims.CodeTooMany, RetryAfterSeconds: secs,
				Message: fmt.Sprintf("too many failed sign-ins: try again in %d seconds", secs)}
		}
	}
	u, err := userByEmail(ctx, s.db, email)
	if err != nil && aims.CodeOf(err) != aims.CodeNotFound {
		return nil, nil, err
	}
	hash := dummyHash
	if u != nil && u.passwordHash != "" {
		hash = u.passwordHash
	}
	ok, verr := verifyPassword(password, hash)
	if verr != nil && u != nil {
		slog.Error("stored password hash is unreadable", "user", u.ID, "err", verr)
	}
	if !ok || u == nil || u.passwordHash == "" {
		for _, k := range keys {
			if err := s.recordFailure(ctx, k.key, now); err != nil {
				return nil, nil, err
			}
		}
		slog.Warn("failed sign-in") // no address or email: logs hold no personal data
		return nil, nil, aims.Errorf(aims.CodeUnauthenticated, "the email or password is wrong")
	}
	ms, err := s.Memberships(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = ?`, keys[0].key); err != nil {
			return err
		}
		actor := &aims.Actor{Kind: aims.ActorUser, UserID: u.ID, Email: u.Email}
		return s.recordInUserOrgs(ctx, tx, u.ID, actor, "auth.login",
			tlog.EventObject{Type: ObjectUser, ID: u.ID, Ref: u.Email}, nil)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot record sign-in: %w", err)
	}
	return &u.User, ms, nil
}

// Logout records that a session ended.
func (s *Service) Logout(ctx context.Context, actor *aims.Actor) error {
	if actor == nil || actor.OrgID == "" {
		return nil
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		return s.logs.Record(ctx, tx, actor.OrgID, actor, "auth.logout",
			tlog.EventObject{Type: ObjectUser, ID: actor.UserID, Ref: actor.Email}, nil)
	})
}

type throttleKey struct {
	key  string
	free int
}

// lockedFor returns how long attempts on the key must still wait.
func (s *Service) lockedFor(ctx context.Context, k throttleKey, now time.Time) (time.Duration, error) {
	var failures int
	var last time.Time
	err := s.db.QueryRowContext(ctx, `SELECT failures, last_failure_at FROM login_throttle WHERE key = ?`, k.key).Scan(&failures, &last)
	if db.IsNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if now.Sub(last) > failureMemory || failures < k.free {
		return 0, nil
	}
	wait := min(time.Duration(1<<min(failures-k.free, 20))*time.Second, maxLockout)
	return last.Add(wait).Sub(now), nil
}

// recordFailure counts a failed attempt, forgetting failures long past.
func (s *Service) recordFailure(ctx context.Context, key string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO login_throttle (key, failures, last_failure_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_throttle.last_failure_at < ? THEN 1 ELSE login_throttle.failures + 1 END,
			last_failure_at = excluded.last_failure_at`, key, now, now.Add(-failureMemory))
	return err
}

// PurgeExpired removes sessions past their expiry and failed sign-ins old
// enough to be forgotten, and returns how many rows it removed.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	n, err := s.Sessions().DeleteExpired(ctx)
	if err != nil {
		return n, err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE last_failure_at < ?`, s.clock().Add(-failureMemory))
	if err != nil {
		return n, err
	}
	m, err := res.RowsAffected()
	return n + m, err
}
