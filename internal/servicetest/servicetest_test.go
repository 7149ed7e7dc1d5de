package servicetest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
)

// recorder is a test that notes its failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestClock(t *testing.T) {
	c := servicetest.NewClock(servicetest.T0)
	c.Advance(90 * time.Second)
	if got, want := c.Now(), servicetest.T0.Add(90*time.Second); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
}

// TestUnchanged proves that Unchanged stays quiet when no state table
// changes and reports a row that f adds, and that FailAuditAppends makes
// inserts into log_entries fail.
func TestUnchanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		quiet := &recorder{TB: t}
		servicetest.Unchanged(quiet, d, func() {
			servicetest.RowsOf(t, d, `SELECT * FROM installation`)
		})
		if len(quiet.errors) != 0 {
			t.Errorf("a read was reported as a change: %q", quiet.errors)
		}

		loud := &recorder{TB: t}
		servicetest.Unchanged(loud, d, func() {
			if _, err := d.ExecContext(ctx, `INSERT INTO installation (id, setup_at) VALUES (1, ?)`, servicetest.T0); err != nil {
				t.Fatal(err)
			}
		})
		if len(loud.errors) != 1 || !strings.Contains(loud.errors[0], "installation") {
			t.Errorf("an added row was reported as %q, want one error naming the table", loud.errors)
		}

		servicetest.FailAuditAppends(t, d)
		_, err := d.ExecContext(ctx, `INSERT INTO log_entries DEFAULT VALUES`)
		if err == nil || !strings.Contains(err.Error(), "injected") {
			t.Errorf("insert into log_entries: got %v, want the injected failure", err)
		}
	})
}
