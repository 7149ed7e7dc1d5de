package identity_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
)

func TestSessionStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		st := e.svc.Sessions()
		find := func(token string) (string, bool) {
			t.Helper()
			b, ok, err := st.FindCtx(e.ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			return string(b), ok
		}

		if b, ok := find("missing"); ok || b != "" {
			t.Errorf("missing session found: %q", b)
		}
		if err := st.CommitCtx(e.ctx, "a", []byte("data a"), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Times in another zone are stored as the same instant.
		if err := st.Commit("b", []byte("data b"), t0.Add(2*time.Hour).In(time.FixedZone("CET", 3600))); err != nil {
			t.Fatal(err)
		}
		if err := st.CommitCtx(e.ctx, "c", []byte("data c"), t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b, ok := find("a"); !ok || b != "data a" {
			t.Errorf("find a = %q, %v", b, ok)
		}
		// Committing again replaces the data and the expiry.
		if err := st.CommitCtx(e.ctx, "a", []byte("data a2"), t0.Add(4*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b, ok, err := st.Find("a"); err != nil || !ok || string(b) != "data a2" {
			t.Errorf("find a after recommit = %q, %v, %v", b, ok, err)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM sessions`); n != 3 {
			t.Errorf("%d sessions stored, want 3", n)
		}

		// A session is found until its expiry, not at it.
		e.clock.Advance(2*time.Hour - time.Microsecond)
		if _, ok := find("b"); !ok {
			t.Error("b not found a microsecond before expiry")
		}
		e.clock.Advance(time.Microsecond)
		if _, ok := find("b"); ok {
			t.Error("b found at its expiry")
		}

		if err := st.DeleteCtx(e.ctx, "c"); err != nil {
			t.Fatal(err)
		}
		if err := st.Delete("never existed"); err != nil {
			t.Errorf("deleting a missing session: %v", err)
		}
		if _, ok := find("c"); ok {
			t.Error("c found after delete")
		}

		// Only b has expired; a lives until t0+4h.
		n, err := st.DeleteExpired(e.ctx)
		if err != nil || n != 1 {
			t.Errorf("DeleteExpired = %d, %v; want 1", n, err)
		}
		if got := servicetest.RowsOf(t, d, `SELECT token_hash FROM sessions`); len(got) != 1 || got[0] != "token_hash=a" {
			t.Errorf("sessions left = %q", got)
		}
		e.clock.Advance(2 * time.Hour)
		if n, err := st.DeleteExpired(e.ctx); err != nil || n != 1 {
			t.Errorf("DeleteExpired at a's expiry = %d, %v; want 1", n, err)
		}
		if n, err := st.DeleteExpired(e.ctx); err != nil || n != 0 {
			t.Errorf("DeleteExpired with nothing left = %d, %v; want 0", n, err)
		}
	})
}
