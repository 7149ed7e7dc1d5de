package dataset_test

import (
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestFailClosed proves that a change whose audit event cannot be written is
// refused whole: with log appends failing in the database, every change
// returns the failure and the data sets, their versions, profiles,
// reference counter and the logs stay exactly as they were.
func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Credit scoring")
		owner := e.as[aims.RoleOwner]
		e.create(t, dataset.CreateRequest{Name: "Census income"})
		e.create(t, dataset.CreateRequest{Name: "Archived"})
		e.addVersion(t, "DS-1", public("first"))
		if _, err := e.svc.Archive(e.ctx, owner, "DS-2"); err != nil {
			t.Fatal(err)
		}
		before := e.get(t, "DS-1")
		servicetest.FailAuditAppends(t, d)

		ops := []struct {
			name string
			do   func() error
		}{
			{"Create", func() error {
				_, err := e.svc.Create(e.ctx, owner, dataset.CreateRequest{Name: "New", Systems: []string{"SYS-1"}})
				return err
			}},
			{"Update", func() error {
				_, err := e.svc.Update(e.ctx, owner, "DS-1", dataset.UpdateRequest{Version: 1, Name: ptr("Renamed"), Systems: &[]string{"SYS-1"}})
				return err
			}},
			{"Archive", func() error { _, err := e.svc.Archive(e.ctx, owner, "DS-1"); return err }},
			{"Restore", func() error { _, err := e.svc.Restore(e.ctx, owner, "DS-2"); return err }},
			{"AddVersion", func() error { _, err := e.svc.AddVersion(e.ctx, owner, "DS-1", public("second", "DS-1@1")); return err }},
			{"Profile", func() error {
				u, err := e.svc.Receive(e.ctx, owner, strings.NewReader("a,b\n1,2\n"), "a.csv")
				if err != nil {
					return err
				}
				_, err = e.svc.Profile(e.ctx, owner, "DS-1@1", dataset.ProfileRequest{Upload: u})
				return err
			}},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				unchanged(t, e.d, func() {
					err := op.do()
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if diff := cmp.Diff(before, e.get(t, "DS-1")); diff != "" {
			t.Errorf("DS-1 changed (-before +after):\n%s", diff)
		}
		if v, err := e.svc.GetVersion(e.ctx, owner, "DS-1@1"); err != nil || v.Profile != nil {
			t.Errorf("DS-1@1 = %+v, %v", v, err)
		}
		if got := servicetest.RowsOf(t, d, `SELECT kind, last FROM refs WHERE org_id = ? ORDER BY kind`, e.org); !cmp.Equal(got, []string{"kind=DS last=2", "kind=SYS last=1"}) {
			t.Errorf("refs = %q", got)
		}
	})
}
