package identity

import (
	"context"
	"time"

	"github.com/aims-dev/aims/internal/db"
)

// SessionStore keeps browser sessions in the database for
// github.com/alexedwards/scs/v2, so that any replica can serve any session.
// The session manager hashes tokens before they reach the store.
type SessionStore struct {
	db    *db.DB
	clock func() time.Time
}

// Sessions returns the session store of the service's database.
func (s *Service) Sessions() *SessionStore { return &SessionStore{db: s.db, clock: s.clock} }

// FindCtx returns an unexpired session's data.
func (st *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := st.db.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token_hash = ? AND expiry > ?`, token, st.clock()).Scan(&b)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// CommitCtx stores a session's data and expiry.
func (st *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := st.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, expiry.UTC())
	return err
}

// DeleteCtx removes a session; removing a missing one is not an error.
func (st *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := st.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, token)
	return err
}

// Find is FindCtx without a context.
func (st *SessionStore) Find(token string) ([]byte, bool, error) {
	return st.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (st *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return st.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (st *SessionStore) Delete(token string) error { return st.DeleteCtx(context.Background(), token) }

// DeleteExpired removes sessions past their expiry and returns how many.
func (st *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := st.db.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= ?`, st.clock())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Keys of the values a browser session holds.
const (
	SessionUserKey = "user_id"
	SessionOrgKey  = "org_id"
)
